/**
 * RFM summaries for model tests, computed by the engine's SQL (models/rfm.ts) in a fresh
 * DuckDB database: from [customer, local day, amount] rows, or for a ClvModelsHook from
 * order files appended to the `orders` table (and de-duplicated, as the engine does).
 */
import type { OrderRow } from '../../../functions/core/datasets/rows';
import { withDuck } from '../../../functions/core/duck/db';
import {
  appendRows,
  createDatasetTables,
  markDuplicates,
} from '../../../functions/core/duck/tables';
import type { ClvModelsHook } from '../../../functions/core/models/hook';
import { type RfmSummaries, summarizeOrderDays } from '../../../functions/core/models/rfm';
import { CALIBRATION_END_DAY, cdnowOrders, DAY_MS } from './cdnow';

export type OrderDay = readonly [customerId: string, day: number, amount: number];

/** The summaries of `rows` for each calibration end of `ends`. */
export function rfmOf(rows: Iterable<OrderDay>, ends: readonly number[]): Promise<RfmSummaries> {
  return withDuck((db) => summarizeOrderDays(db, rows, ends));
}

/** The CDNOW sample as order days (each line's UTC date). */
export function cdnowOrderDays(): OrderDay[] {
  return cdnowOrders().map((row) => [row.customer_id, row.ordered_at / DAY_MS, row.amount]);
}

/** The CDNOW summaries through the calibration end of every published fit, 1997-09-30. */
export function cdnowSummaries(): Promise<RfmSummaries> {
  return rfmOf(cdnowOrderDays(), [CALIBRATION_END_DAY]);
}

/** Loads the hook from the order files (one list of rows per file, in key order). */
export function loadHook(hook: ClvModelsHook, files: readonly OrderRow[][]): Promise<void> {
  return withDuck(async (db) => {
    await createDatasetTables(db);
    for (const [file, rows] of files.entries()) await appendRows(db, 'orders', file, rows);
    await markDuplicates(db, 'orders');
    await hook.load(
      db,
      files.some((rows) => rows.length > 0),
    );
  });
}
