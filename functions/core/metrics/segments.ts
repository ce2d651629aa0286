/**
 * Segment breakdowns (METRICS.md "Segments"): the customer-base, revenue and acquisition
 * metrics of the reported period per value of a customers column (`segment`, `country`,
 * `acquisition_channel`) or of the customer's plan, the largest `segments.top` values
 * each, and the rest as one "other" row.
 *
 * Every number is the catalogue's own, restricted to the customers holding a value: one
 * row per customer of the customer base's `cb_customers` table (customer-base.ts, which
 * leaves it for this loader) with the same activity bits, acquisition time and period
 * boundaries as `customers_start`, `customers_end`, `new_customers` and
 * `churned_customers`, and the same order sums as `revenue` and `clv_historic`
 * (revenue.ts). A customer has exactly one value per column, so the rows' counts add up to
 * the report's totals exactly; a folded group's rates are computed from its summed counts
 * and money, i.e. from its customers, never as a mean of rates.
 */
import type { DatasetName, ReportConfig, SegmentColumn } from '../config';
import type { Duck } from '../duck/db';
import { storedColumns } from '../duck/tables';
import type { SegmentBreakdown, SegmentRow } from '../snapshot';
import type { DatasetStatus, SpendState } from './assemble';
import { activeAt } from './customer-base';
import type { PeriodPlan } from './plan';
import { divideOrNull, tidy } from './values';

/** Shown for a column that has no value in the exports; the email leaves it out. */
export const NOT_IN_EXPORTS = 'not in the exports';

/** Per value of one column: the sums every metric of its row is computed from. */
export interface SegmentGroup {
  /** null: customers without a value ("(none)"). */
  value: string | null;
  start: number;
  end: number;
  new: number;
  churned: number;
  retained: number;
  /** Σ order amount in P of the group's customers (refunds included), as `revenue`. */
  revenue: number;
  /** Customers with a positive order before the period end (`clv_historic`'s count). */
  historicCustomers: number;
  /** Σ of their net order totals before the period end. */
  historicTotal: number;
}

export interface SegmentsInput {
  plan: PeriodPlan;
  /** Index into `plan.periods` of the period broken down. */
  i: number;
  config: ReportConfig;
  status: Record<DatasetName, DatasetStatus>;
  marketing: SpendState | null;
}

/**
 * One row per customer who counts in any metric of period [start, end): active at its
 * start or end, acquired in it (`new_customers`), or with an order before its end
 * (`revenue`, `clv_historic`), with the flags and sums those metrics read.
 *
 * `s`, `e`, `n` are the customer base's (customer-base.ts: the boundary bits and the
 * acquisition time, as `PAIR_COUNTS` and `NEW_CUSTOMERS_SQL` count them). The order terms
 * are revenue.ts's: revenue is Σ amount with `ordered_at` in [start, end); a customer is in
 * `clv_historic` when their first positive order is before `end`, with the net total of
 * their orders before `end`. Money is summed with `fsum`, as there.
 */
function customersSql(plan: PeriodPlan, i: number, withOrders: boolean, withPlan: boolean): string {
  const pair = plan.own[i];
  if (!pair) throw new RangeError(`no period ${i}`);
  const { start, end, startK, endK } = pair;
  const orders = withOrders
    ? `bought AS (
      SELECT customer_id,
        coalesce(fsum(amount) FILTER (WHERE ordered_at >= ${start}), 0) AS revenue,
        coalesce(min(ordered_at) FILTER (WHERE amount > 0) < ${end}, false) AS historic,
        coalesce(fsum(amount), 0) AS historic_total
      FROM orders WHERE ordered_at < ${end}
      GROUP BY customer_id
    )`
    : `bought AS (
      SELECT NULL::VARCHAR AS customer_id, 0::DOUBLE AS revenue, false AS historic,
        0::DOUBLE AS historic_total
      WHERE false
    )`;
  // The plan (METRICS.md "Segments"): of the subscriptions started by the end instant
  // that cover some instant (a zero-length one covers none, as in the customer base), the
  // one covering the end instant, else the latest started; ties by the later start, then
  // the larger subscription_id, so the choice does not depend on row order.
  const plans = withPlan
    ? `, plan_of AS (
      SELECT customer_id, plan FROM subscriptions
      WHERE started_at <= ${end} AND (ended_at IS NULL OR ended_at > started_at)
      QUALIFY row_number() OVER (
        PARTITION BY customer_id
        ORDER BY (ended_at IS NULL OR ended_at > ${end}) DESC, started_at DESC, subscription_id DESC
      ) = 1
    )`
    : '';
  return `
  CREATE OR REPLACE TEMP TABLE seg_customers AS
  WITH base AS (
    SELECT customer_id, ${activeAt('c', String(startK))} AS s, ${activeAt('c', String(endK))} AS e,
      (acquired_at >= ${start} AND acquired_at < ${end}) AS n
    FROM cb_customers c
  ), ${orders}${plans}
  SELECT customer_id,
    coalesce(b.s, false) AS s, coalesce(b.e, false) AS e, coalesce(b.n, false) AS n,
    coalesce(o.revenue, 0) AS revenue, coalesce(o.historic, false) AS historic,
    coalesce(o.historic_total, 0) AS historic_total
    ${withPlan ? ', p.plan' : ''}
  FROM base b
  FULL JOIN bought o USING (customer_id)
  ${withPlan ? 'LEFT JOIN plan_of p USING (customer_id)' : ''}
  WHERE coalesce(b.s, false) OR coalesce(b.e, false) OR coalesce(b.n, false)
    OR coalesce(o.historic, false) OR coalesce(o.revenue, 0) <> 0`;
}

/** The value a customer has in a column: the customers export's (its last row), or the plan. */
const valueSql = (column: SegmentColumn) =>
  column === 'plan' ? "nullif(sc.plan, '')" : `nullif(k.${column}, '')`;

/** The sums of every value of every column, in one query over `seg_customers`. */
function groupsSql(columns: readonly SegmentColumn[]): string {
  const perColumn = columns.map(
    (column) => `
    SELECT '${column}' AS col, ${valueSql(column)} AS v,
      count(*) FILTER (WHERE s) AS n_start,
      count(*) FILTER (WHERE e) AS n_end,
      count(*) FILTER (WHERE n) AS n_new,
      count(*) FILTER (WHERE s AND e) AS retained,
      coalesce(fsum(revenue), 0) AS revenue,
      count(*) FILTER (WHERE historic) AS historic_customers,
      coalesce(fsum(historic_total) FILTER (WHERE historic), 0) AS historic_total
    FROM seg_customers sc LEFT JOIN customers k USING (customer_id)
    GROUP BY v`,
  );
  return perColumn.join('\n  UNION ALL');
}

type GroupRow = {
  col: SegmentColumn;
  v: string | null;
  n_start: number;
  n_end: number;
  n_new: number;
  retained: number;
  revenue: number;
  historic_customers: number;
  historic_total: number;
};

/** Largest first: customers at end, then at start, then new, then the value (none last). */
export function bySize(a: SegmentGroup, b: SegmentGroup): number {
  return (
    b.end - a.end ||
    b.start - a.start ||
    b.new - a.new ||
    (a.value === null ? (b.value === null ? 0 : 1) : b.value === null ? -1 : 0) ||
    (a.value ?? '').localeCompare(b.value ?? '')
  );
}

/** The sums of several groups: the "other" row is its customers' sums, never a mean of rates. */
export function foldGroups(groups: readonly SegmentGroup[]): SegmentGroup {
  const sum = (f: (g: SegmentGroup) => number) => groups.reduce((t, g) => t + f(g), 0);
  return {
    value: null,
    start: sum((g) => g.start),
    end: sum((g) => g.end),
    new: sum((g) => g.new),
    churned: sum((g) => g.churned),
    retained: sum((g) => g.retained),
    revenue: sum((g) => g.revenue),
    historicCustomers: sum((g) => g.historicCustomers),
    historicTotal: sum((g) => g.historicTotal),
  };
}

/** n / d × scale, rounded like every stored metric (values.ts `tidy`); null when d is 0. */
function ratio(n: number, d: number, scale: number): number | null {
  const r = divideOrNull(n, d, scale);
  return r === null ? null : tidy(r);
}

/**
 * A row's metrics from its sums, with the catalogue's formulas: churn and retention over
 * customers at start, ARPC = revenue / customers at end, `clv_historic` = Σ net totals /
 * customers with an order, CAC = the spend of its channels / its new customers. Null where
 * the denominator is 0 (or the input is missing: `withOrders`, `spend`).
 */
export function segmentRow(
  g: SegmentGroup,
  withOrders: boolean,
  spend: number | null,
  other?: number,
): SegmentRow {
  return {
    value: g.value,
    ...(other === undefined ? {} : { other }),
    customers_start: g.start,
    customers_end: g.end,
    new_customers: g.new,
    churned_customers: g.churned,
    churn_rate: ratio(g.churned, g.start, 100),
    retention_rate: ratio(g.retained, g.start, 100),
    arpc: withOrders ? ratio(g.revenue, g.end, 1) : null,
    clv_historic: withOrders ? ratio(g.historicTotal, g.historicCustomers, 1) : null,
    cac: spend === null ? null : ratio(spend, g.new, 1),
  };
}

/**
 * One breakdown from the groups of a column: the `top` largest values, then one "other"
 * row folding the rest (when more than one is left; a single one keeps its own name).
 * `spendOf` is the channel spend in P (acquisition_channel only): a row's CAC is the spend
 * of its values that have spend rows in P, null when none has.
 */
export function breakdownOf(
  column: SegmentColumn,
  groups: readonly SegmentGroup[],
  top: number,
  withOrders: boolean,
  spendOf: ReadonlyMap<string, number> | null,
): SegmentRow[] {
  const sorted = [...groups].sort(bySize);
  const shown = sorted.length <= top + 1 ? sorted : sorted.slice(0, top);
  const rest = sorted.slice(shown.length);
  const spend = (values: readonly (string | null)[]): number | null => {
    if (spendOf === null || column !== 'acquisition_channel') return null;
    const amounts = values.flatMap((v) => {
      const a = v === null ? undefined : spendOf.get(v);
      return a === undefined ? [] : [a];
    });
    // In whole millionths, as marketing.ts sums the channels (amendment 19), so that the
    // folded row's spend is exactly the sum of its channels'.
    if (amounts.length === 0) return null;
    return amounts.reduce((t, a) => t + Math.round(a * 1_000_000), 0) / 1_000_000;
  };
  const rows = shown.map((g) => segmentRow(g, withOrders, spend([g.value])));
  if (rest.length > 0) {
    rows.push(
      segmentRow(foldGroups(rest), withOrders, spend(rest.map((g) => g.value)), rest.length),
    );
  }
  return rows;
}

/**
 * The segment breakdowns of period i, in the order of `segments.columns`. Expects
 * `cb_customers` (customer-base.ts, `keepTable`) to exist; drops its own table.
 */
export async function loadSegments(db: Duck, input: SegmentsInput): Promise<SegmentBreakdown[]> {
  const { config, status } = input;
  const withOrders = status.orders === 'present';
  const present = (d: DatasetName) => status[d] === 'present';
  const columns = config.segments.columns;
  // A column "has data" when some row of its dataset holds a value for it.
  const available = new Map<SegmentColumn, boolean>();
  const customerColumns = present('customers') ? await storedColumns(db, 'customers') : new Set();
  const subscriptionColumns = present('subscriptions')
    ? await storedColumns(db, 'subscriptions')
    : new Set();
  for (const column of columns) {
    const [dataset, stored] =
      column === 'plan'
        ? (['subscriptions', subscriptionColumns] as const)
        : (['customers', customerColumns] as const);
    if (!stored.has(column)) {
      available.set(column, false);
      continue;
    }
    const row = await db.one<{ n: number }>(
      `SELECT count(*) AS n FROM (SELECT 1 FROM ${dataset} WHERE nullif(${column}, '') IS NOT NULL LIMIT 1)`,
    );
    available.set(column, row.n > 0);
  }
  const used = columns.filter((c) => available.get(c));
  const groups = new Map<SegmentColumn, SegmentGroup[]>();
  if (used.length > 0) {
    try {
      await db.run(customersSql(input.plan, input.i, withOrders, used.includes('plan')));
      for (const r of await db.all<GroupRow>(groupsSql(used))) {
        const list = groups.get(r.col) ?? [];
        list.push({
          value: r.v,
          start: r.n_start,
          end: r.n_end,
          new: r.n_new,
          churned: r.n_start - r.retained,
          retained: r.retained,
          revenue: r.revenue,
          historicCustomers: r.historic_customers,
          historicTotal: r.historic_total,
        });
        groups.set(r.col, list);
      }
    } finally {
      await db.run('DROP TABLE IF EXISTS seg_customers');
    }
  }

  const spendOf = input.marketing ? input.marketing.period(input.i).byChannel : null;
  const ordersReason = withOrders
    ? undefined
    : status.orders === 'empty'
      ? 'the orders export has no accepted rows'
      : 'no orders export';
  return columns.map((column): SegmentBreakdown => {
    if (!available.get(column)) return { column, values: 0, rows: [], reason: NOT_IN_EXPORTS };
    const list = groups.get(column) ?? [];
    const reasons: Record<string, string> = {};
    if (ordersReason) {
      reasons.arpc = ordersReason;
      reasons.clv_historic = ordersReason;
    }
    if (column !== 'acquisition_channel') {
      reasons.cac = 'marketing spend is by channel: CAC is in the acquisition_channel breakdown';
    } else if (!spendOf) {
      reasons.cac =
        status.marketing_spend === 'empty'
          ? 'the marketing_spend export has no accepted rows'
          : 'no marketing_spend export';
    }
    return {
      column,
      values: list.length,
      rows: breakdownOf(column, list, config.segments.top, withOrders, spendOf),
      ...(Object.keys(reasons).length > 0 ? { reasons } : {}),
    };
  });
}
