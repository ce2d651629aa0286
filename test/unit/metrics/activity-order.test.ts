/**
 * Results must not depend on the order of the rows: whether the rows of one user come
 * together (exports grouped by session or user) or interleaved with others'. The first
 * engine had a shortcut for grouped rows; the SQL groups by user and day, and this pins
 * that it stays order-free. Expected values worked out by hand below.
 */
import { describe, expect, it } from 'vitest';
import { event, run, valueIn } from './helpers';

// 2026-W10 (UTC) is [Mon 2 Mar, Mon 9 Mar).
const INTERLEAVED = [
  event('a', '2026-03-02T09:00:00Z'),
  event('b', '2026-03-04T08:00:00Z'),
  event('a', '2026-03-03T09:00:00Z'),
  // Same user as the row before, found again after another user: must stay a's (were it
  // b's, whose 4 Mar is already counted, a's 4 Mar would be lost).
  event('a', '2026-03-04T09:00:00Z'),
  event('c', '2026-03-04T10:00:00Z'),
  event('b', '2026-03-02T10:00:00Z'),
  event('b', '2026-03-04T11:00:00Z', 'feature_used', { feature: 'search' }),
  event('a', '2026-03-03T13:00:00Z', 'feature_used', { feature: 'export' }),
];
// Users per day: 2 Mar a, b; 3 Mar a; 4 Mar a, b, c → 2 + 1 + 3 = 6 user-days over 7 days.
// Users in the week: a, b, c. Feature users: export {a}, search {b}; feature_usage is a
// percentage of the week's users: any feature 2 / 3, each named feature 1 / 3.
const GROUPED = [...INTERLEAVED].sort((x, y) => (x.user_id < y.user_id ? -1 : 1));

describe('activity does not depend on the order of users in the file', async () => {
  for (const [name, rows] of [
    ['interleaved', INTERLEAVED],
    ['grouped by user', GROUPED],
  ] as const) {
    it(`counts users and user-days with rows ${name}`, async () => {
      const result = await run({ periods: ['2026-W10'], data: { events: [rows] } });
      expect(valueIn(result, '2026-W10', 'dau')).toBeCloseTo(6 / 7, 12);
      expect(valueIn(result, '2026-W10', 'wau')).toBe(3);
      expect(valueIn(result, '2026-W10', 'mau')).toBe(3);
      expect(valueIn(result, '2026-W10', 'feature_usage')).toBeCloseTo((100 * 2) / 3, 10);
      const breakdown = result['2026-W10']?.feature_usage?.breakdown ?? {};
      expect(Object.keys(breakdown).sort()).toEqual(['export', 'search']);
      expect(breakdown.export).toBeCloseTo(100 / 3, 10);
      expect(breakdown.search).toBeCloseTo(100 / 3, 10);
    });
  }
});
