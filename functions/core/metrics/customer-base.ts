/**
 * The customer base (METRICS.md "Customer base"): who is active at each period boundary,
 * their MRR there, and when each customer was first activated.
 *
 * Activity is computed for every boundary of the plan (the requested periods and the
 * trailing periods of `clv_predictive`) in one query, and the counts of every boundary pair
 * the formulas ask for (`plan_pairs`) come out of that same query, so the churn of any of
 * those periods is available without another pass.
 */
import type { Duck } from '../duck/db';
import { addLocalDays } from '../time/periods';
import type { BoundaryPair, PeriodPlan } from './plan';

export type ActivityMode = 'subscriptions' | 'orders';

/** Counts of one period [start, end) of the customer base. */
export interface BaseCounts {
  /** S: active at start. */
  start: number;
  /** E: active at end. */
  end: number;
  /** Active at start and not at end. */
  churned: number;
  /** Active at start and at end. */
  retained: number;
  mrrStart: number;
  mrrEnd: number;
  /** MRR at start of the churned customers. */
  mrrChurned: number;
  /** MRR at end of the customers active at start (`net_revenue_retention`). */
  mrrEndOfStartCohort: number;
}

export interface CustomerBaseState {
  readonly mode: ActivityMode;
  /** Whether any subscriptions row has an mrr value. */
  readonly hasMrr: boolean;
  /** Counts of any pair of `plan.own` or `plan.trailing`. */
  counts(pair: BoundaryPair): BaseCounts;
  /** |customers whose acquisition time lies in period i| (`new_customers`, `cac`). */
  newCustomers(i: number): number;
  /**
   * New customers of period i by `customers.acquisition_channel` (exact match; a new
   * customer without a customers row or without a channel is not counted): `cac` per channel.
   */
  newByChannel(i: number): ReadonlyMap<string, number>;
}

/**
 * Activity at the boundaries is a bit set per customer: bit k of `masks` (62 bits to a
 * BIGINT word, word k // 62) is set when the customer is active at boundary k of
 * `plan_boundaries`. Whatever activates a customer (a subscription, an order) does so at a
 * contiguous run of boundaries [k_lo, k_hi), so a customer's bits
 * are the OR of those runs' masks, and a boundary pair is then counted over one row per
 * customer with two bit tests, without joining customers to each other.
 */
const WORD_BITS = 62;

/** The word list of the run [k_lo, k_hi) for `words` words (`words` ≥ 1). */
function runMasks(words: number): string {
  const word = (w: number) => {
    const lo = `least(greatest(k_lo - ${w * WORD_BITS}, 0), ${WORD_BITS})`;
    const hi = `least(greatest(k_hi - ${w * WORD_BITS}, 0), ${WORD_BITS})`;
    return `CASE WHEN ${hi} > ${lo} THEN (1::BIGINT << ${hi}) - (1::BIGINT << ${lo}) ELSE 0 END`;
  };
  return Array.from({ length: words }, (_, w) => `bit_or(${word(w)})`).join(', ');
}

/** Whether the customer row `c` is active at boundary `k` (a column or expression). */
const activeAt = (c: string, k: string) =>
  `((${c}.masks[${k} // ${WORD_BITS} + 1] >> (${k} % ${WORD_BITS})) & 1 = 1)`;

/**
 * The number of `instants` (sorted) before the value of `column`, `<` or `<=` it: the index
 * of the first instant at or after it, or after it. A sum of comparisons against constants
 * from the plan, which DuckDB evaluates in a vectorised pass (an ASOF join against the
 * boundaries costs twice as much over millions of orders).
 */
function instantsBefore(column: string, instants: ArrayLike<number>, op: '<' | '<='): string {
  const terms = Array.from(instants, (t) => {
    if (!Number.isSafeInteger(t)) throw new RangeError(`not an instant: ${t}`);
    return `(${t} ${op} ${column})::INTEGER`;
  });
  return `(${terms.join(' + ')})`;
}

/**
 * Subscriptions mode: active at boundary t when a subscription covers it,
 * started_at ≤ t < ended_at, so one starting exactly at a period's start is active at that
 * start, and one ending exactly at its end is not active at that end: its run starts at the
 * first boundary ≥ started_at and ends before the first boundary ≥ ended_at.
 *
 * A subscription that ends where it starts (or before) covers no instant: it activates
 * nobody, acquires nobody, and its mrr does not count as "an mrr value".
 */
const subscriptionSpans = (boundaries: Float64Array) => `
  SELECT customer_id, started_at AS acquired_at, coalesce(mrr, 0) AS mrr,
    mrr IS NOT NULL AS has_mrr,
    ${instantsBefore('started_at', boundaries, '<')} AS k_lo,
    coalesce(${instantsBefore('ended_at', boundaries, '<')}, ${boundaries.length}) AS k_hi
  FROM subscriptions
  WHERE ended_at IS NULL OR ended_at > started_at`;

/**
 * Orders mode: active at boundary t when a positive order lies in [window start, t), the
 * window start being `activeWindowDays` calendar days before t (`windowStarts`, computed in
 * TypeScript; as t grows so does its window start). So an order activates the run from the
 * first boundary after it to before the first one whose window starts after it; one outside
 * every window activates nobody (k_lo = k_hi), without the comparisons. A refund
 * (amount ≤ 0) is not an order: it neither activates nor acquires.
 */
const orderSpans = (boundaries: Float64Array, windowStarts: readonly number[]) => {
  const k = boundaries.length;
  const inAWindow = `ordered_at >= ${windowStarts[0]} AND ordered_at < ${boundaries[k - 1]}`;
  return `
  SELECT customer_id, ordered_at AS acquired_at,
    CASE WHEN ${inAWindow} THEN ${instantsBefore('ordered_at', boundaries, '<=')} ELSE ${k} END AS k_lo,
    CASE WHEN ${inAWindow} THEN ${instantsBefore('ordered_at', windowStarts, '<=')} ELSE ${k} END AS k_hi
  FROM orders
  WHERE amount > 0`;
};

/**
 * Per customer: acquisition = first activation over all history (the earliest start of a
 * covering subscription, or the earliest positive order; a customer who churned and comes
 * back is not new again), and the boundaries they are active at.
 */
const customersSql = (spans: string, words: number) => `
  CREATE OR REPLACE TEMP TABLE cb_customers AS
  SELECT customer_id, min(acquired_at) AS acquired_at, list_value(${runMasks(words)}) AS masks,
    bool_or(k_lo < k_hi) AS active_somewhere
  FROM (${spans})
  GROUP BY customer_id`;

/**
 * `customers_start`, `customers_end`, `churned_customers`, `churn_rate`, `retention_rate`
 * and the trailing churn of `clv_predictive`: per boundary pair (start_k, end_k) the
 * customers active at each end and at both. A customer who leaves and comes back inside the
 * period is active at both ends, so not churned; one who churned earlier and returns in the
 * period is active at the end (and not new).
 */
const PAIR_COUNTS = `
  SELECT p.start_k, p.end_k,
    count(*) FILTER (WHERE ${activeAt('c', 'p.start_k')}) AS n_start,
    count(*) FILTER (WHERE ${activeAt('c', 'p.end_k')}) AS n_end,
    count(*) FILTER (WHERE ${activeAt('c', 'p.start_k')} AND ${activeAt('c', 'p.end_k')}) AS retained
  FROM cb_customers c CROSS JOIN plan_pairs p
  WHERE c.active_somewhere
  GROUP BY p.start_k, p.end_k`;

/**
 * `mrr_start`, `mrr_end`, `revenue_churn_rate`, `net_revenue_retention`: MRR at a boundary
 * = Σ mrr of the subscriptions covering it; choice: one without an mrr value contributes 0
 * (it still activates). The churned customers' MRR is taken at the start, the start
 * cohort's at the end. Summed with `fsum` (compensated), so the order in which DuckDB's
 * threads meet the rows does not show in the result.
 */
const PAIR_MRR = `
  SELECT p.start_k, p.end_k,
    fsum(s.mrr) FILTER (WHERE s.k_lo <= p.start_k AND p.start_k < s.k_hi) AS mrr_start,
    fsum(s.mrr) FILTER (WHERE s.k_lo <= p.end_k AND p.end_k < s.k_hi) AS mrr_end,
    fsum(s.mrr) FILTER (WHERE s.k_lo <= p.start_k AND p.start_k < s.k_hi
      AND NOT ${activeAt('c', 'p.end_k')}) AS mrr_churned,
    fsum(s.mrr) FILTER (WHERE s.k_lo <= p.end_k AND p.end_k < s.k_hi
      AND ${activeAt('c', 'p.start_k')}) AS mrr_end_of_start_cohort
  FROM cb_spans s JOIN cb_customers c ON c.customer_id = s.customer_id
  CROSS JOIN plan_pairs p
  WHERE s.k_lo < s.k_hi AND s.mrr <> 0
  GROUP BY p.start_k, p.end_k`;

/** Orders mode has no MRR: every sum is 0. */
const NO_MRR = `
  SELECT start_k, end_k, 0.0 AS mrr_start, 0.0 AS mrr_end, 0.0 AS mrr_churned,
    0.0 AS mrr_end_of_start_cohort
  FROM plan_pairs`;

const countsSql = (mrr: string) => `
  WITH counts AS (${PAIR_COUNTS}), mrr AS (${mrr})
  SELECT p.start_k, p.end_k,
    coalesce(c.n_start, 0) AS n_start,
    coalesce(c.n_end, 0) AS n_end,
    coalesce(c.retained, 0) AS retained,
    coalesce(m.mrr_start, 0) AS mrr_start,
    coalesce(m.mrr_end, 0) AS mrr_end,
    coalesce(m.mrr_churned, 0) AS mrr_churned,
    coalesce(m.mrr_end_of_start_cohort, 0) AS mrr_end_of_start_cohort
  FROM plan_pairs p
  LEFT JOIN counts c ON c.start_k = p.start_k AND c.end_k = p.end_k
  LEFT JOIN mrr m ON m.start_k = p.start_k AND m.end_k = p.end_k`;

/**
 * `new_customers` and `cac` (blended and per channel): customers acquired in [start, end)
 * of period i, in total (`is_total`) and by `customers.acquisition_channel`.
 */
const NEW_CUSTOMERS_SQL = `
  SELECT p.i, k.acquisition_channel AS channel,
    grouping(k.acquisition_channel) = 1 AS is_total, count(*) AS n
  FROM cb_customers c
  JOIN plan_periods p ON c.acquired_at >= p.start_ms AND c.acquired_at < p.end_ms
  LEFT JOIN customers k ON k.customer_id = c.customer_id
  GROUP BY GROUPING SETS ((p.i), (p.i, k.acquisition_channel))`;

const HAS_MRR_SQL = 'SELECT coalesce(bool_or(has_mrr), false) AS has_mrr FROM cb_spans';

type PairRow = {
  start_k: number;
  end_k: number;
  n_start: number;
  n_end: number;
  retained: number;
  mrr_start: number;
  mrr_end: number;
  mrr_churned: number;
  mrr_end_of_start_cohort: number;
};

type NewRow = { i: number; channel: string | null; is_total: boolean; n: number };

export async function loadCustomerBase(
  db: Duck,
  plan: PeriodPlan,
  mode: ActivityMode,
  activeWindowDays: number,
): Promise<CustomerBaseState> {
  const words = Math.ceil(plan.boundaries.length / WORD_BITS);
  let hasMrr = false;
  try {
    if (mode === 'subscriptions') {
      // Kept as a table: the MRR sums read the subscriptions one by one.
      await db.run(
        `CREATE OR REPLACE TEMP TABLE cb_spans AS ${subscriptionSpans(plan.boundaries)}`,
      );
      await db.run(customersSql('SELECT * FROM cb_spans', words));
      hasMrr = (await db.one<{ has_mrr: boolean }>(HAS_MRR_SQL)).has_mrr;
    } else {
      // "t − 90 days" is calendar days in the report's zone: the local midnight 90 days
      // before the boundary, not 90 × 24 h (they differ by an hour across a DST change).
      const windowStarts = Array.from(plan.boundaries, (t) =>
        addLocalDays(t, -activeWindowDays, plan.timezone),
      );
      await db.run(customersSql(orderSpans(plan.boundaries, windowStarts), words));
    }
    const pairs = new Map<string, BaseCounts>();
    const mrr = mode === 'subscriptions' ? PAIR_MRR : NO_MRR;
    for (const r of await db.all<PairRow>(countsSql(mrr))) {
      pairs.set(`${r.start_k}:${r.end_k}`, {
        start: r.n_start,
        end: r.n_end,
        churned: r.n_start - r.retained,
        retained: r.retained,
        mrrStart: r.mrr_start,
        mrrEnd: r.mrr_end,
        mrrChurned: r.mrr_churned,
        mrrEndOfStartCohort: r.mrr_end_of_start_cohort,
      });
    }
    const newTotal = new Array<number>(plan.size).fill(0);
    const newByChannel = plan.periods.map(() => new Map<string, number>());
    for (const r of await db.all<NewRow>(NEW_CUSTOMERS_SQL)) {
      if (r.is_total) newTotal[r.i] = r.n;
      else if (r.channel !== null) (newByChannel[r.i] as Map<string, number>).set(r.channel, r.n);
    }
    return {
      mode,
      hasMrr,
      counts: (pair) => {
        const c = pairs.get(`${pair.startK}:${pair.endK}`);
        if (!c) {
          throw new RangeError(
            `no customer-base counts for boundaries ${pair.startK}–${pair.endK}`,
          );
        }
        return c;
      },
      newCustomers: (i) => newTotal[i] as number,
      newByChannel: (i) => newByChannel[i] as Map<string, number>,
    };
  } finally {
    await db.run('DROP TABLE IF EXISTS cb_customers; DROP TABLE IF EXISTS cb_spans');
  }
}
