/**
 * Orders: `revenue`, `orders`, `aov`, `purchase_frequency` per period, and `clv_historic`
 * (each customer's net order total before the period end).
 */
import type { Duck } from '../duck/db';
import type { PeriodPlan } from './plan';

export interface RevenuePeriod {
  /** Σ amount in P, refunds (negative amounts) included. */
  revenue: number;
  /** Rows with a positive amount in P. */
  orders: number;
  /** Customers with a positive order in P. */
  buyers: number;
}

export interface HistoricValue {
  /** Customers with ≥ 1 positive order before the period end. */
  customers: number;
  /** Σ of their net order totals before the period end. */
  total: number;
}

/**
 * `revenue`, `orders`, `aov`, `purchase_frequency` (RevenuePeriod) and `clv_historic`
 * (HistoricValue) of every period in one pass over the orders.
 *
 * Each order falls in "bucket" j, the first period whose end is after it:
 * [end of j − 1, end of j). It is in period j itself when it is also at or after that
 * period's start. Orders at or after the last end are in no bucket: no metric of these
 * periods sees them. A refund (amount ≤ 0) lowers revenue but is not an order. The bucket
 * is a CASE over the period ends from the plan, earliest first (most orders are older than
 * every period and stop at the first branch): several times faster than an ASOF join.
 *
 * `clv_historic` of period i sums, over the customers whose first positive order is before
 * end i, their net total (orders and refunds) before end i. With first_j the bucket of a
 * customer's first positive order, "before end i" is j ≤ i for an order and first_j ≤ i for
 * the customer, so an order counts from period greatest(j, first_j) on: a running sum over
 * periods of those amounts gives every period's total at once, and a running count of
 * customers by first_j their number.
 *
 * The orders are summed per customer and bucket first (`per`): that is the one aggregation
 * over the orders, and every other part reads its far fewer rows. Materializing the orders
 * with their buckets instead, and grouping and joining them three times, took 0.44 – 0.64 s
 * against 0.31 – 0.40 s on 5 M orders (BENCHMARKS.md).
 *
 * Money is summed with `fsum` (compensated summation), at both levels: the result does not
 * depend, beyond the last bit, on the order in which DuckDB's threads meet the rows.
 */
function revenueSql(plan: PeriodPlan): string {
  const bucket = Array.from(plan.ends, (end, i) => `WHEN ordered_at < ${end} THEN ${i}`);
  const starts = Array.from(plan.starts).join(', ');
  return `
  WITH per AS MATERIALIZED (
    SELECT customer_id, j,
      fsum(amount) FILTER (WHERE in_period) AS revenue,
      count(*) FILTER (WHERE in_period AND amount > 0) AS orders,
      fsum(amount) AS net,
      bool_or(amount > 0) AS ordered
    FROM (
      SELECT customer_id, amount, j, ordered_at >= [${starts}][j + 1] AS in_period
      FROM (SELECT customer_id, amount, ordered_at, CASE ${bucket.join(' ')} END AS j FROM orders)
      WHERE j IS NOT NULL
    )
    GROUP BY customer_id, j
  ),
  first_bucket AS (
    SELECT customer_id, min(j) AS first_j FROM per WHERE ordered GROUP BY customer_id
  ),
  by_period AS (
    SELECT j AS i, fsum(revenue) AS revenue, sum(orders) AS orders,
      count(*) FILTER (WHERE orders > 0) AS buyers
    FROM per
    GROUP BY j
  ),
  by_first AS (SELECT first_j AS i, count(*) AS n FROM first_bucket GROUP BY first_j),
  by_reach AS (
    SELECT greatest(o.j, f.first_j) AS i, fsum(o.net) AS net
    FROM per o
    JOIN first_bucket f ON f.customer_id = o.customer_id
    GROUP BY 1
  )
  SELECT p.i,
    coalesce(b.revenue, 0) AS revenue,
    coalesce(b.orders, 0) AS orders,
    coalesce(b.buyers, 0) AS buyers,
    sum(coalesce(f.n, 0)) OVER (ORDER BY p.i) AS historic_customers,
    sum(coalesce(r.net, 0)) OVER (ORDER BY p.i) AS historic_total
  FROM plan_periods p
  LEFT JOIN by_period b ON b.i = p.i
  LEFT JOIN by_first f ON f.i = p.i
  LEFT JOIN by_reach r ON r.i = p.i
  ORDER BY p.i`;
}

type RevenueRow = {
  i: number;
  revenue: number;
  orders: number;
  buyers: number;
  historic_customers: number;
  historic_total: number;
};

export async function loadRevenue(
  db: Duck,
  plan: PeriodPlan,
): Promise<{ period(i: number): RevenuePeriod; historic(i: number): HistoricValue }> {
  // One row per period of plan_periods, in order of i.
  const rows = await db.all<RevenueRow>(revenueSql(plan));
  if (rows.length !== plan.size)
    throw new RangeError(`revenue: ${rows.length} rows, ${plan.size} periods`);
  return {
    period: (i) => {
      const r = rows[i] as RevenueRow;
      return { revenue: r.revenue, orders: r.orders, buyers: r.buyers };
    },
    historic: (i) => {
      const r = rows[i] as RevenueRow;
      return { customers: r.historic_customers, total: r.historic_total };
    },
  };
}
