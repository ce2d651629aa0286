/**
 * The period plan (metrics/plan.ts) as tables, so that metric SQL joins rows to periods
 * and local days by comparing instants: every boundary is computed once, in TypeScript, by
 * the DST-correct period code, and DuckDB never does time-zone arithmetic of its own.
 *
 * - `plan_periods(i, start_ms, end_ms)`: requested period i (sorted by start) is
 *   [start_ms, end_ms);
 * - `plan_boundaries(k, t)`: every instant the customer base is evaluated at (own and
 *   trailing periods), sorted, unique;
 * - `plan_pairs(start_k, end_k, start_ms, end_ms)`: every boundary pair of `plan.own` and
 *   `plan.trailing` (unique);
 * - `plan_days(d, start_ms, end_ms, period)`: local day d of the grid, with the requested
 *   period holding it (NULL for a day only in a MAU window);
 * - `plan_mau(i, start_ms, end_ms)`: the 30 local days ending with period i;
 * - `plan_first_week(i, start_ms, end_ms)`: the `first_week_engagement` cohort of period i.
 */

import type { PeriodPlan } from '../metrics/plan';
import type { Duck } from './db';

/** Creates (or replaces) `table` and appends `rows`, every value a BIGINT or NULL. */
export async function fillTable(
  db: Duck,
  table: string,
  columns: string,
  rows: readonly (readonly (number | null)[])[],
): Promise<void> {
  await db.run(`CREATE OR REPLACE TABLE ${table} (${columns})`);
  if (rows.length === 0) return;
  const appender = await db.connection.createAppender(table);
  try {
    for (const row of rows) {
      for (const v of row) {
        if (v === null) appender.appendNull();
        else appender.appendBigInt(BigInt(v));
      }
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

export async function createPlanTables(db: Duck, plan: PeriodPlan): Promise<void> {
  await fillTable(
    db,
    'plan_periods',
    'i BIGINT, start_ms BIGINT, end_ms BIGINT',
    plan.periods.map((p, i) => [i, p.start, p.end]),
  );
  await fillTable(
    db,
    'plan_boundaries',
    'k BIGINT, t BIGINT',
    Array.from(plan.boundaries, (t, k) => [k, t]),
  );
  const pairs = new Map<string, number[]>();
  for (const pair of [...plan.own, ...plan.trailing.flat()]) {
    pairs.set(`${pair.startK}:${pair.endK}`, [pair.startK, pair.endK, pair.start, pair.end]);
  }
  await fillTable(
    db,
    'plan_pairs',
    'start_k BIGINT, end_k BIGINT, start_ms BIGINT, end_ms BIGINT',
    [...pairs.values()],
  );
  const days: (number | null)[][] = [];
  for (let d = 0; d + 1 < plan.dayStarts.length; d++) {
    const period = plan.dayPeriod[d] as number;
    days.push([
      d,
      plan.dayStarts[d] as number,
      plan.dayStarts[d + 1] as number,
      period < 0 ? null : period,
    ]);
  }
  await fillTable(db, 'plan_days', 'd BIGINT, start_ms BIGINT, end_ms BIGINT, period BIGINT', days);
  await fillTable(
    db,
    'plan_mau',
    'i BIGINT, start_ms BIGINT, end_ms BIGINT',
    plan.days.map((r, i) => [
      i,
      plan.dayStarts[r.mauLo] as number,
      plan.dayStarts[r.mauHi] as number,
    ]),
  );
  await fillTable(
    db,
    'plan_first_week',
    'i BIGINT, start_ms BIGINT, end_ms BIGINT',
    plan.firstWeek.map((w, i) => [i, w.start, w.end]),
  );
}
