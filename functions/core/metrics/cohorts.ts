/**
 * The cohort retention matrix (METRICS.md "Cohorts") of one report period: the customers
 * acquired in each of the last `COHORT_PERIODS` periods of the report's kind (the reported
 * one included), and which share of them, and of their MRR, is still there at the end of
 * each period after.
 *
 * Acquisition and "active at instant t" are the customer base's (metrics/customer-base.ts):
 * first activation over all history; a covering subscription, or a positive order in the
 * `activeWindowDays` before t. Every boundary comes from the period code in TypeScript
 * (`shiftPeriod`, `addLocalDays`) as a temp table of instants, so the SQL only compares
 * instants and does no time-zone arithmetic.
 */
import type { Duck } from '../duck/db';
import type { CohortMatrix, CohortRow } from '../snapshot';
import { addLocalDays, type Period, shiftPeriod } from '../time/periods';
import type { ActivityMode } from './customer-base';

/** Cohorts shown, and ages per cohort: the reported period and the 11 before it. */
export const COHORT_PERIODS = 12;

/**
 * Period j of the matrix is [start_ms, end_ms) (j = 0 the oldest, the reported period
 * last); `window_ms` is the start of the orders-mode activity window ending at end_ms.
 */
const PERIODS_TABLE = 'cohort_periods';

/**
 * Cohort members: each customer acquired in one of the matrix's periods, with that
 * period's index. Acquisition as in customer-base.ts: the earliest start of a subscription
 * that covers some instant, or (orders mode) the earliest positive order.
 */
const SUBSCRIPTION_MEMBERS = `
  SELECT a.customer_id, p.j AS cohort
  FROM (SELECT customer_id, min(started_at) AS acquired_at FROM subscriptions
        WHERE ended_at IS NULL OR ended_at > started_at GROUP BY customer_id) a
  JOIN ${PERIODS_TABLE} p ON a.acquired_at >= p.start_ms AND a.acquired_at < p.end_ms`;

/** Orders mode: per customer, acquisition and the matrix periods it is active at the end of. */
const ORDER_CUSTOMERS = 'cohort_order_customers';

/**
 * Orders mode, one aggregation over the orders for the sizes and the cells: per customer
 * with a positive order, `acquired_at` (the first one) and `mask`, bit q set when the
 * customer is active at the end of matrix period q. An order at t keeps its customer active
 * at the end of every q with window_q ≤ t < end_q: a contiguous run of q, since both bounds
 * grow with q. Each order gives its run [lo, hi] by comparing t with the 2 × n instants (no
 * join; an order outside every window gives lo > hi), as the bits lo … hi of a mask; the
 * masks are OR-ed per customer. Joining every order of a member to every period instead cost
 * 40 s on 5 M orders; keeping the distinct (customer, lo, hi) runs instead of one 64-bit mask
 * per customer 0.90 – 1.06 s against 0.71 – 0.88 s; the members, the masks and the sizes as
 * three aggregations over the orders instead of this one, 1.07 – 1.35 s against
 * 0.78 – 0.81 s for the sizes and the cells (BENCHMARKS.md).
 */
const orderCustomersSql = (windows: readonly { window: number; end: number }[]) => {
  if (windows.length > 63) {
    throw new RangeError(`a cohort matrix has at most 63 periods, got ${windows.length}`);
  }
  const count = (bound: 'window' | 'end') =>
    windows.map((w) => `(ordered_at >= ${w[bound]})::INTEGER`).join(' + ');
  return `
  CREATE OR REPLACE TEMP TABLE ${ORDER_CUSTOMERS} AS
  SELECT customer_id, min(ordered_at) AS acquired_at,
    bit_or(CASE WHEN lo <= hi THEN (1::UBIGINT << (hi + 1)) - (1::UBIGINT << lo) ELSE 0 END)
      AS mask
  FROM (
    SELECT customer_id, ordered_at, ${count('end')} AS lo, ${count('window')} - 1 AS hi
    FROM orders WHERE amount > 0
  )
  GROUP BY customer_id`;
};

/** Orders mode: the members (first positive order in a matrix period) with their masks. */
const ORDER_MEMBERS = `
  SELECT c.customer_id, p.j AS cohort, c.mask
  FROM ${ORDER_CUSTOMERS} c
  JOIN ${PERIODS_TABLE} p ON c.acquired_at >= p.start_ms AND c.acquired_at < p.end_ms`;

/**
 * Per cohort and matrix period q at or after it: the members active at q's end instant and,
 * in subscriptions mode, their MRR there (Σ `mrr` of the covering subscriptions, in whole
 * millionths as in customer-base.ts, so the sums are exact in any order; a subscription
 * without mrr activates with 0). Subscriptions: started_at ≤ t < ended_at. Orders: a
 * positive order in [window start, t), from `orderCustomersSql`'s masks.
 */
const cellsSql = (mode: ActivityMode, periods: number) => {
  if (mode === 'orders') {
    return `
  SELECT cohort, j, count(*) AS active, 0::DOUBLE AS mrr_micro
  FROM (SELECT cohort, mask, unnest(range(${periods})) AS j FROM (${ORDER_MEMBERS}) WHERE mask <> 0)
  WHERE j >= cohort AND (mask >> j) & 1 = 1
  GROUP BY cohort, j`;
  }
  return `
  WITH members AS (${SUBSCRIPTION_MEMBERS})
  SELECT m.cohort, q.j, count(DISTINCT m.customer_id) AS active,
         sum(round(coalesce(s.mrr, 0) * 1000000))::DOUBLE AS mrr_micro
  FROM members m
  JOIN ${PERIODS_TABLE} q ON q.j >= m.cohort
  JOIN subscriptions s ON s.customer_id = m.customer_id
    AND s.started_at <= q.end_ms AND (s.ended_at IS NULL OR s.ended_at > q.end_ms)
  GROUP BY m.cohort, q.j`;
};

const sizesSql = (mode: ActivityMode) => `
  WITH members AS (${mode === 'orders' ? ORDER_MEMBERS : SUBSCRIPTION_MEMBERS})
  SELECT cohort, count(*) AS size FROM members GROUP BY cohort`;

/**
 * Whether any subscription that covers an instant has an mrr value (customer-base.ts's
 * `hasMrr`): without one there is no revenue retention to show.
 */
const HAS_MRR_SQL = `
  SELECT count(*) > 0 AS has_mrr FROM subscriptions
  WHERE mrr IS NOT NULL AND (ended_at IS NULL OR ended_at > started_at)`;

/**
 * A share as a percentage: part / whole × 100, or null when the whole is 0.
 * @example percentOf(3, 4) // 75
 */
function percentOf(part: number, whole: number): number | null {
  if (whole === 0) return null;
  return (part / whole) * 100;
}

export interface CohortOptions {
  mode: ActivityMode;
  /** Orders mode: the activity window, in calendar days. */
  activeWindowDays: number;
  /** @default - `COHORT_PERIODS` */
  periods?: number;
}

/**
 * The matrix of `reported`: cohorts are the `periods` periods ending with it; cohort j's
 * cell k (age k) is period j + k, present for every age whose period has ended by the end
 * of `reported`. So the newest cohort has one cell and the oldest `periods`.
 *
 * - customer[k] = |members of the cohort active at the end of period j + k| / |members| × 100;
 * - revenue[k] (subscriptions mode, with some mrr value) = the members' MRR at the end of
 *   period j + k / their MRR at the end of period j × 100; null when that first MRR is 0.
 *
 * A cohort without members is left out (no row, not a row of nulls).
 */
export async function loadCohorts(
  db: Duck,
  reported: Period,
  options: CohortOptions,
): Promise<CohortMatrix> {
  const n = options.periods ?? COHORT_PERIODS;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`cohort periods must be ≥ 1, got ${n}`);
  const periods = Array.from({ length: n }, (_, j) =>
    j === n - 1 ? reported : shiftPeriod(reported, j - (n - 1)),
  );
  await db.run(
    `CREATE OR REPLACE TEMP TABLE ${PERIODS_TABLE} (j INTEGER, start_ms BIGINT, end_ms BIGINT, window_ms BIGINT)`,
  );
  try {
    // "t − 90 days" is calendar days in the report's zone, as in customer-base.ts.
    const windows = periods.map((p) => ({
      window: addLocalDays(p.end, -options.activeWindowDays, p.timezone),
      end: p.end,
    }));
    const rows = periods.map(
      (p, j) => `(${j}, ${p.start}, ${p.end}, ${(windows[j] as { window: number }).window})`,
    );
    await db.run(`INSERT INTO ${PERIODS_TABLE} VALUES ${rows.join(', ')}`);
    if (options.mode === 'orders') await db.run(orderCustomersSql(windows));

    const sizes = new Map<number, number>();
    for (const r of await db.all<{ cohort: number; size: number }>(sizesSql(options.mode))) {
      sizes.set(r.cohort, r.size);
    }
    const cells = new Map<string, { active: number; mrrMicro: number }>();
    for (const r of await db.all<{ cohort: number; j: number; active: number; mrr_micro: number }>(
      cellsSql(options.mode, n),
    )) {
      cells.set(`${r.cohort}:${r.j}`, { active: r.active, mrrMicro: r.mrr_micro });
    }
    const withRevenue =
      options.mode === 'subscriptions' && (await db.one<{ has_mrr: boolean }>(HAS_MRR_SQL)).has_mrr;

    const cohorts: CohortRow[] = [];
    periods.forEach((p, j) => {
      const size = sizes.get(j) ?? 0;
      if (size === 0) return;
      const ages = n - j;
      const at = (k: number) => cells.get(`${j}:${j + k}`) ?? { active: 0, mrrMicro: 0 };
      const row: CohortRow = {
        key: p.key,
        size,
        customer: Array.from({ length: ages }, (_, k) => (at(k).active / size) * 100),
      };
      if (withRevenue) {
        const first = at(0).mrrMicro;
        row.revenue = Array.from({ length: ages }, (_, k) => percentOf(at(k).mrrMicro, first));
      }
      cohorts.push(row);
    });
    return { kind: reported.kind, mode: options.mode, cohorts };
  } finally {
    await db.run(`DROP TABLE IF EXISTS ${PERIODS_TABLE}; DROP TABLE IF EXISTS ${ORDER_CUSTOMERS}`);
  }
}
