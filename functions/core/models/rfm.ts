/**
 * The recency–frequency–monetary summary the customer-base models are fitted on, computed
 * in SQL from order rows (customer, local day, amount) for one or more calibration ends at
 * once.
 */
import type { Duck } from '../duck/db';
import { ModelInputError } from './errors';

/** One customer's calibration summary, times in weeks (whole days ÷ 7). */
export interface RfmSummary {
  customerId: string;
  /** Repeat purchases: purchase days − 1. */
  x: number;
  /** Recency t_x: last − first purchase day, in weeks. */
  tx: number;
  /** Age T: calibration end − first purchase day, in weeks. */
  T: number;
  /** Mean net amount of the repeat purchase days (first day excluded); 0 when x = 0. May be 0
   *  for a repeat buyer whose repeat purchases were all free (zero-amount orders). */
  zbar: number;
  /** Net total of every amount (refunds included) on days up to the calibration end. */
  historicValue: number;
  firstPurchaseDay: number;
  lastPurchaseDay: number;
}

// A day's net at or below a millionth of a major unit is treated as zero: no currency has a
// minor unit that small, and it absorbs floating-point residue such as 10.1 + 5.2 − 15.3.
const ZERO_NET = 1e-6;

/**
 * The RFM summaries of some calibration ends, as `runClvModels` reads them: one summary per
 * customer with at least one purchase day on or before the end (the last day included).
 */
export class RfmSummaries {
  private readonly byEnd: ReadonlyMap<number, RfmSummary[]>;

  constructor(byEnd: ReadonlyMap<number, RfmSummary[]>) {
    this.byEnd = byEnd;
  }

  summarize(calibrationEndDay: number): RfmSummary[] {
    checkEndDay(calibrationEndDay);
    const summaries = this.byEnd.get(calibrationEndDay);
    if (!summaries) {
      throw new ModelInputError(
        `no RFM summary for calibration end day ${calibrationEndDay}; computed for ` +
          `${[...this.byEnd.keys()].join(', ') || 'none'}`,
      );
    }
    return summaries;
  }
}

function checkEndDay(day: number): void {
  if (!Number.isInteger(day)) {
    throw new ModelInputError(`calibrationEndDay must be an integer, got ${day}`);
  }
}

/**
 * Order rows are netted per customer and local day. A day with a refund (a negative amount;
 * METRICS.md: not an order) counts as a purchase day only if its net amount is still
 * positive: a refund-only day is not a purchase, and an order fully refunded on its own day
 * did not happen. A refund on a later day lowers the historic value but not zbar, since an
 * order row does not say which earlier order a refund belongs to.
 *
 * A day of zero-amount orders and no refund (a free item) IS a purchase day, unlike the
 * `orders` metric, which counts positive amounts only: the models count transactions as
 * evidence that a customer is alive, and the CDNOW benchmark, on which every published fit
 * rests, counts its eight $0.00 purchases as transactions (dropping them moves its customer
 * count from 2,357 to 2,349). Such days enter zbar with their amount of 0.
 *
 * Whether a day is a purchase does not depend on the calibration end, so neither does a
 * customer's first purchase day: a customer is in the summary of end e when that day is on
 * or before e, and every sum of end e is over the days on or before e. All ends come out of
 * one query, one row per (end, customer), sorted by customer id.
 */
// Each sum has an ORDER BY: DuckDB combines a group's partial sums from several threads in
// whatever order they finish, which changed the last bit of a customer's spend from one run
// to the next (and so the fitted models); a fixed order makes every run give the same bits.
const rfmSql = (orderRows: string, ends: string) => `
  WITH days AS (
    SELECT customer_id, day, fsum(amount ORDER BY amount) AS net, bool_or(amount < 0) AS refunded
    FROM (${orderRows})
    GROUP BY customer_id, day
  ),
  purchases AS (
    SELECT customer_id, day, net, NOT (refunded AND net <= $zeroNet) AS purchase FROM days
  ),
  firsts AS (
    SELECT customer_id, min(day) AS first_day FROM purchases WHERE purchase GROUP BY customer_id
  )
  SELECT e.end_day::INTEGER AS end_day, d.customer_id, f.first_day::INTEGER AS first_day,
    (max(d.day) FILTER (WHERE d.purchase))::INTEGER AS last_day,
    (count(*) FILTER (WHERE d.purchase) - 1)::INTEGER AS x,
    coalesce(fsum(d.net ORDER BY d.day) FILTER (WHERE d.purchase AND d.day > f.first_day), 0)
      AS repeat_sum,
    fsum(d.net ORDER BY d.day) AS historic
  FROM purchases d
  JOIN firsts f ON f.customer_id = d.customer_id
  JOIN (${ends}) e(end_day) ON f.first_day <= e.end_day AND d.day <= e.end_day
  GROUP BY e.end_day, d.customer_id, f.first_day
  ORDER BY e.end_day, d.customer_id`;

/**
 * The RFM summaries of `calibrationEndDays` over `orderRows`, a SQL relation with columns
 * `customer_id` (VARCHAR), `day` (BIGINT local calendar day number) and `amount` (DOUBLE,
 * negative for a refund). `params` are the relation's own query parameters.
 */
export async function summarizeOrders(
  db: Duck,
  orderRows: string,
  calibrationEndDays: readonly number[],
  params: Record<string, number> = {},
): Promise<RfmSummaries> {
  for (const day of calibrationEndDays) checkEndDay(day);
  const byEnd = new Map<number, RfmSummary[]>(calibrationEndDays.map((day) => [day, []]));
  if (calibrationEndDays.length === 0) return new RfmSummaries(byEnd);
  const ends = `VALUES ${[...byEnd.keys()].map((day) => `(${day}::BIGINT)`).join(', ')}`;
  // One summary per customer and end, so up to millions of rows: read straight from the
  // result's column vectors (INTEGER, VARCHAR and DOUBLE columns, so plain numbers and
  // strings), about three times faster than through row objects.
  const result = await db.connection.run(rfmSql(orderRows, ends), {
    ...params,
    zeroNet: ZERO_NET,
  });
  for (let c = 0; c < result.chunkCount; c++) {
    const chunk = result.getChunk(c);
    const v = (i: number) => chunk.getColumnVector(i);
    const [endDay, customerId, firstDay, lastDay, x, repeatSum, historic] = [
      v(0),
      v(1),
      v(2),
      v(3),
      v(4),
      v(5),
      v(6),
    ];
    for (let r = 0; r < chunk.rowCount; r++) {
      const end = endDay.getItem(r) as number;
      const first = firstDay.getItem(r) as number;
      const last = lastDay.getItem(r) as number;
      const repeats = x.getItem(r) as number;
      (byEnd.get(end) as RfmSummary[]).push({
        customerId: customerId.getItem(r) as string,
        x: repeats,
        tx: (last - first) / 7,
        T: (end - first) / 7,
        zbar: repeats > 0 ? (repeatSum.getItem(r) as number) / repeats : 0,
        historicValue: historic.getItem(r) as number,
        firstPurchaseDay: first,
        lastPurchaseDay: last,
      });
    }
  }
  return new RfmSummaries(byEnd);
}

/**
 * The same summaries of order rows given as [customer id, local day number, amount], e.g.
 * simulated purchases or a benchmark data set. The rows go to a temporary table first.
 */
export async function summarizeOrderDays(
  db: Duck,
  rows: Iterable<readonly [string, number, number]>,
  calibrationEndDays: readonly number[],
): Promise<RfmSummaries> {
  await db.run(
    'CREATE OR REPLACE TEMP TABLE rfm_order_days (customer_id VARCHAR, day BIGINT, amount DOUBLE)',
  );
  try {
    const appender = await db.connection.createAppender('rfm_order_days', 'main', 'temp');
    try {
      for (const [customerId, day, amount] of rows) {
        if (!Number.isInteger(day)) {
          throw new ModelInputError(
            `day must be an integer day number, got ${day} for ${customerId}`,
          );
        }
        if (!Number.isFinite(amount)) {
          throw new ModelInputError(
            `amount must be a finite number, got ${amount} for ${customerId}`,
          );
        }
        appender.appendVarchar(customerId);
        appender.appendBigInt(BigInt(day));
        appender.appendDouble(amount);
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    return await summarizeOrders(db, 'SELECT * FROM rfm_order_days', calibrationEndDays);
  } finally {
    await db.run('DROP TABLE IF EXISTS rfm_order_days');
  }
}
