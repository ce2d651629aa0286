/**
 * The customer base (METRICS.md "Customer base"): who is active at each period boundary,
 * their MRR there, and when each customer was first activated.
 *
 * Activity is computed for every boundary of the plan (the requested periods and the
 * trailing periods of `clv_predictive`) in one query, and the counts of every boundary pair
 * the formulas ask for (`plan_pairs`) come out of that same query, so the churn of any of
 * those periods is available without another pass. The movements (METRICS.md "Movements")
 * and the MRR sums come from the same one row per customer, for the requested periods.
 */
import type { Duck } from '../duck/db';
import { addLocalDays } from '../time/periods';
import type { BoundaryPair, PeriodPlan } from './plan';

export type ActivityMode = 'subscriptions' | 'orders';

/**
 * Counts of one period [start, end) of the customer base. The MRR and movement fields are
 * computed for the requested periods' own pairs only; for a pair that is only a trailing
 * period of `clv_predictive` they are 0.
 */
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
  /**
   * The movement terms (METRICS.md "Movements"): of the customers active at end and not at
   * start, those never active before the start (`customers_new_active_at_end`) and those
   * active at some earlier instant (`reactivated_customers`). start + new + reactivated −
   * churned = end, exactly.
   */
  newActiveAtEnd: number;
  reactivated: number;
  /** End MRR of the customers not active at start and first active after it (`mrr_new`). */
  mrrNew: number;
  /** End MRR of the customers not active at start but active before it (`mrr_reactivation`). */
  mrrReactivation: number;
  /** Σ (end − start) MRR over customers active at both whose MRR went up (`mrr_expansion`). */
  mrrExpansion: number;
  /** Σ (start − end) MRR over customers active at both whose MRR went down (`mrr_contraction`). */
  mrrContraction: number;
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
export const activeAt = (c: string, k: string) =>
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
 * MRR is summed in whole millionths of the currency unit: each subscription's `mrr` is
 * rounded to 10⁻⁶ once, and every sum and difference after that is of integers, which a
 * double holds exactly below 2^53 (9 × 10⁹ currency units). So the MRR movements add up to
 * mrr_end − mrr_start exactly, a customer whose MRR did not change shows no expansion of
 * 10⁻¹⁷, and no sum depends on the order in which DuckDB's threads meet the rows. Kept as
 * DOUBLE (not HUGEINT) so that an absurd value cannot overflow and fail the report; it only
 * loses exactness.
 */
const MICRO_PER_UNIT = 1_000_000;
const MICRO = (x: string) => `round(${x} * ${MICRO_PER_UNIT})`;

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
  SELECT customer_id, started_at AS acquired_at, ${MICRO('coalesce(mrr, 0)')} AS mrr_micro,
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
 * back is not new again), and the boundaries they are active at. In subscriptions mode
 * also their MRR at the boundaries of the requested periods, `mrr_at[k + 1]` (Σ mrr of
 * their subscriptions covering boundary k, in millionths; 0 at other boundaries), summed in
 * this same pass over the subscriptions so that the MRR metrics need no second grouping of
 * subscriptions by customer.
 */
const customersSql = (spans: string, words: number, mrrBoundaries?: ReadonlySet<number>) => {
  // Only the boundaries of the requested periods get a sum; the others stay 0.
  const at = (k: number) =>
    mrrBoundaries?.has(k)
      ? `sum(CASE WHEN k_lo <= ${k} AND ${k} < k_hi THEN mrr_micro ELSE 0 END)`
      : '0';
  const mrr =
    mrrBoundaries === undefined
      ? ''
      : `, bool_or(has_mrr) AS has_mrr, list_value(${Array.from(
          { length: Math.max(0, ...mrrBoundaries) + 1 },
          (_, k) => at(k),
        ).join(', ')}) AS mrr_at`;
  return `
  CREATE OR REPLACE TEMP TABLE cb_customers AS
  SELECT customer_id, min(acquired_at) AS acquired_at, list_value(${runMasks(words)}) AS masks,
    bool_or(k_lo < k_hi) AS active_somewhere${mrr}
  FROM (${spans})
  GROUP BY customer_id`;
};

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
 * The pairs of the requested periods themselves. The movements and MRR are reported for
 * those only (the trailing pairs of `clv_predictive` need counts, not movements); in
 * `BaseCounts` of a trailing pair they are 0.
 */
const OWN_PAIRS = `
  SELECT p.* FROM plan_pairs p
  WHERE EXISTS (SELECT 1 FROM plan_periods q WHERE q.start_ms = p.start_ms AND q.end_ms = p.end_ms)`;

/**
 * The movements (METRICS.md "Movements") and `mrr_start`, `mrr_end`, `revenue_churn_rate`,
 * `net_revenue_retention`, per own pair, over one row per customer.
 *
 * Customers active at end and not at start split by their acquisition time: at or after
 * the start instant, they were never active at or before it (a subscription covering an
 * instant has started by then; an order activates only the instants after it):
 * `customers_new_active_at_end`; before it, they were active at some earlier instant and
 * had lapsed by the start: `reactivated_customers`.
 *
 * MRR (subscriptions mode) from each customer's MRR at the two boundaries (`mrr_at`;
 * choice: a subscription without an mrr value contributes 0, it still activates). Which
 * customers are active comes from the boundary bits, not from the MRR: a customer active at
 * start only through a subscription without mrr is active at start (with MRR 0), so their
 * MRR at end is expansion, not new. Not active at start (start MRR 0): end MRR is new or
 * reactivation as above. Active at both: the change is expansion or contraction. Active at
 * start, not at end (end MRR 0): start MRR is churned. The terms therefore sum to
 * Σ end − Σ start over all customers; the sums are of whole millionths (`MICRO`), exact in
 * any order. Orders mode has no MRR: every MRR sum is 0.
 */
const movementsSql = (mode: ActivityMode) => {
  const mrrAt = (k: string) => (mode === 'subscriptions' ? `c.mrr_at[${k} + 1]` : '0.0');
  return `
  WITH flagged AS (
    SELECT p.start_k, p.end_k,
      ${mrrAt('p.start_k')} AS at_start, ${mrrAt('p.end_k')} AS at_end,
      ${activeAt('c', 'p.start_k')} AS s_active, ${activeAt('c', 'p.end_k')} AS e_active,
      c.acquired_at >= p.start_ms AS first_active_after_start
    FROM cb_customers c CROSS JOIN (${OWN_PAIRS}) p
    WHERE c.active_somewhere
  )
  SELECT start_k, end_k,
    count(*) FILTER (WHERE NOT s_active AND e_active AND first_active_after_start)
      AS new_active_at_end,
    count(*) FILTER (WHERE NOT s_active AND e_active AND NOT first_active_after_start)
      AS reactivated,
    sum(at_start) AS mrr_start,
    sum(at_end) AS mrr_end,
    sum(at_start) FILTER (WHERE s_active AND NOT e_active) AS mrr_churned,
    sum(at_end) FILTER (WHERE s_active) AS mrr_end_of_start_cohort,
    sum(at_end) FILTER (WHERE NOT s_active AND e_active AND first_active_after_start) AS mrr_new,
    sum(at_end) FILTER (WHERE NOT s_active AND e_active AND NOT first_active_after_start)
      AS mrr_reactivation,
    sum(at_end - at_start) FILTER (WHERE s_active AND e_active AND at_end > at_start)
      AS mrr_expansion,
    sum(at_start - at_end) FILTER (WHERE s_active AND e_active AND at_end < at_start)
      AS mrr_contraction
  FROM flagged
  GROUP BY start_k, end_k`;
};

const MRR_COLUMNS = [
  'mrr_start',
  'mrr_end',
  'mrr_churned',
  'mrr_end_of_start_cohort',
  'mrr_new',
  'mrr_reactivation',
  'mrr_expansion',
  'mrr_contraction',
] as const;

const countsSql = (mode: ActivityMode) => `
  WITH counts AS (${PAIR_COUNTS}), moves AS (${movementsSql(mode)})
  SELECT p.start_k, p.end_k,
    coalesce(c.n_start, 0) AS n_start,
    coalesce(c.n_end, 0) AS n_end,
    coalesce(c.retained, 0) AS retained,
    coalesce(m.new_active_at_end, 0) AS new_active_at_end,
    coalesce(m.reactivated, 0) AS reactivated,
    ${MRR_COLUMNS.map((k) => `coalesce(m.${k}, 0)::DOUBLE AS ${k}`).join(',\n    ')}
  FROM plan_pairs p
  LEFT JOIN counts c ON c.start_k = p.start_k AND c.end_k = p.end_k
  LEFT JOIN moves m ON m.start_k = p.start_k AND m.end_k = p.end_k`;

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

const HAS_MRR_SQL = 'SELECT coalesce(bool_or(has_mrr), false) AS has_mrr FROM cb_customers';

type PairRow = {
  start_k: number;
  end_k: number;
  n_start: number;
  n_end: number;
  retained: number;
  new_active_at_end: number;
  reactivated: number;
} & Record<(typeof MRR_COLUMNS)[number], number>;

type NewRow = { i: number; channel: string | null; is_total: boolean; n: number };

export async function loadCustomerBase(
  db: Duck,
  plan: PeriodPlan,
  mode: ActivityMode,
  activeWindowDays: number,
  /** `keepTable`: leave `cb_customers` for the caller (segments.ts), who drops it. */
  options: { keepTable?: boolean } = {},
): Promise<CustomerBaseState> {
  const words = Math.ceil(plan.boundaries.length / WORD_BITS);
  let hasMrr = false;
  try {
    if (mode === 'subscriptions') {
      await db.run(
        customersSql(
          subscriptionSpans(plan.boundaries),
          words,
          new Set(plan.own.flatMap((p) => [p.startK, p.endK])),
        ),
      );
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
    // Millionths back to currency units: one correctly rounded division per sum.
    const units = (micro: number) => micro / MICRO_PER_UNIT;
    for (const r of await db.all<PairRow>(countsSql(mode))) {
      pairs.set(`${r.start_k}:${r.end_k}`, {
        start: r.n_start,
        end: r.n_end,
        churned: r.n_start - r.retained,
        retained: r.retained,
        mrrStart: units(r.mrr_start),
        mrrEnd: units(r.mrr_end),
        mrrChurned: units(r.mrr_churned),
        mrrEndOfStartCohort: units(r.mrr_end_of_start_cohort),
        newActiveAtEnd: r.new_active_at_end,
        reactivated: r.reactivated,
        mrrNew: units(r.mrr_new),
        mrrReactivation: units(r.mrr_reactivation),
        mrrExpansion: units(r.mrr_expansion),
        mrrContraction: units(r.mrr_contraction),
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
    if (!options.keepTable) await db.run('DROP TABLE IF EXISTS cb_customers');
  }
}
