/**
 * `markDuplicates`: which rows de-duplication drops (DATASETS.md "Duplicates"), on rows
 * appended by hand; the expected rows are worked out in each test from the rule.
 */
import { describe, expect, it } from 'vitest';
import type { EventRow, OrderRow } from '../../../functions/core/datasets/rows';
import { withDuck } from '../../../functions/core/duck/db';
import {
  appendRows,
  createDatasetTables,
  datasetCounts,
  markDuplicates,
} from '../../../functions/core/duck/tables';

const event = (event_id: string | undefined, user_id: string): EventRow =>
  ({ user_id, occurred_at: 1_790_000_000_000, event_type: 'login', event_id }) as EventRow;

const order = (order_id: string, amount: number): OrderRow =>
  ({ order_id, customer_id: 'c', ordered_at: 1_790_000_000_000, amount }) as OrderRow;

describe('markDuplicates', () => {
  it('keeps the first event of each event_id across files, and every event without one', async () => {
    await withDuck(async (db) => {
      await createDatasetTables(db);
      // File 0: e1 (rec 0), e2 (1), e1 again (2), no id (3), e3 (4), e1 a third time (5).
      await appendRows(db, 'events', 0, [
        event('e1', 'u0'),
        event('e2', 'u1'),
        event('e1', 'u2'),
        event(undefined, 'u3'),
        event('e3', 'u4'),
        event('e1', 'u5'),
      ]);
      // File 1: e2 (rec 0, a re-delivery of file 0's), no id (1), e4 (2), e4 (3).
      await appendRows(db, 'events', 1, [
        event('e2', 'u6'),
        event(undefined, 'u7'),
        event('e4', 'u8'),
        event('e4', 'u9'),
      ]);

      await markDuplicates(db, 'events');

      // Kept: u0 (e1 first), u1 (e2 first), u3 and u7 (no id), u4 (e3), u8 (e4 first).
      const kept = await db.all<{ user_id: string }>('SELECT user_id FROM events ORDER BY user_id');
      expect(kept.map((r) => r.user_id)).toEqual(['u0', 'u1', 'u3', 'u4', 'u7', 'u8']);
      expect(await datasetCounts(db, 'events')).toEqual({ rowsAccepted: 10, rowsKept: 6 });
    });
  });

  it('keeps the last row of an entity id (files in key order, then file order)', async () => {
    await withDuck(async (db) => {
      await createDatasetTables(db);
      await appendRows(db, 'orders', 0, [order('o1', 1), order('o2', 2), order('o1', 3)]);
      await appendRows(db, 'orders', 1, [order('o1', 4), order('o3', 5)]);
      await appendRows(db, 'orders', 2, [order('o3', 6), order('o3', 7)]);

      await markDuplicates(db, 'orders');

      // o1: file 1's (4); o2: its only row (2); o3: file 2's last row (7).
      const kept = await db.all<{ order_id: string; amount: number }>(
        'SELECT order_id, amount FROM orders ORDER BY order_id',
      );
      expect(kept).toEqual([
        { order_id: 'o1', amount: 4 },
        { order_id: 'o2', amount: 2 },
        { order_id: 'o3', amount: 7 },
      ]);
    });
  });

  it('drops nothing when no id repeats, and is the same when run again', async () => {
    await withDuck(async (db) => {
      await createDatasetTables(db);
      const rows = Array.from({ length: 5000 }, (_, k) => event(`e${k}`, `u${k % 7}`));
      await appendRows(db, 'events', 0, rows);
      await markDuplicates(db, 'events');
      expect(await datasetCounts(db, 'events')).toEqual({ rowsAccepted: 5000, rowsKept: 5000 });
      await appendRows(db, 'events', 1, [event('e42', 'u'), event('e4999', 'u')]);
      await markDuplicates(db, 'events');
      await markDuplicates(db, 'events');
      expect(await datasetCounts(db, 'events')).toEqual({ rowsAccepted: 5002, rowsKept: 5000 });
    });
  });
});
