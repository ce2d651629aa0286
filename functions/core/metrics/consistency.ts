/**
 * Cross-dataset consistency (METRICS.md "Data quality"): rows that are valid on their own
 * but disagree with another dataset. They are never dropped: each check counts the rows of
 * a period and names a few ids, and the metrics use the rows as they are (`COUNTED_AS` says
 * how, for the email). One SQL query for every period and check.
 */
import type { DatasetName } from '../config';
import type { Duck } from '../duck/db';
import type { ConsistencyCheckId, ConsistencyIssue } from '../snapshot';
import type { DatasetStatus } from './assemble';
import { FAILED_STATUSES } from './at-risk';

/** Ids shown per finding; the count says how many there are. */
export const CONSISTENCY_EXAMPLES = 3;

/** How the metrics treat the rows a check finds, in words for the email and METRICS.md. */
export const COUNTED_AS: Record<ConsistencyCheckId, Partial<Record<DatasetName, string>>> = {
  unknown_customer: {
    orders: 'kept in revenue and orders',
    subscriptions: 'kept in the customer base and MRR',
    tickets: 'kept in ticket volume',
    survey_responses: 'kept in the survey scores',
  },
  user_not_customer: {
    events: 'kept in the product activity metrics',
    sessions: 'kept in the session metrics',
  },
  before_signup: {
    orders: 'kept in revenue and orders',
    subscriptions: 'kept in the customer base and MRR',
  },
  failed_order_in_revenue: { orders: 'kept in revenue and orders' },
  channel_without_spend: { customers: 'kept in the blended CAC, absent from CAC by channel' },
};

/** Checks and the datasets that must have files (beyond the rows' own) for each. */
interface CheckSql {
  check: ConsistencyCheckId;
  dataset: DatasetName;
  /** Datasets that must have files for the check to mean anything. */
  needs: readonly DatasetName[];
  /**
   * Reads the customer base's table `cb_customers` (customer-base.ts: each customer's
   * acquisition time, in the report's activity mode), so runs only when there is a base.
   */
  base?: true;
  /** `SELECT i, ref` of the rows found, ref the id they reference. */
  sql: string;
}

/**
 * A subscription that covers some instant: a zero-length one (`ended_at = started_at`)
 * feeds neither the customer base nor MRR (amendment 13), so "kept in the customer base
 * and MRR" would not be true of it.
 */
const COVERS_AN_INSTANT = '(s.ended_at IS NULL OR s.ended_at > s.started_at)';

const inPeriod = (column: string) =>
  `JOIN plan_periods p ON ${column} >= p.start_ms AND ${column} < p.end_ms`;
const unknownCustomer = (alias: string) =>
  `${alias}.customer_id IS NOT NULL AND ${alias}.customer_id NOT IN (SELECT customer_id FROM customers)`;

/**
 * Which rows of a period each check looks at: orders by `ordered_at`, tickets by
 * `created_at`, survey answers by `responded_at`, events by `occurred_at`, sessions by
 * `started_at`, customers by `created_at` (by their acquisition for the CAC check); a
 * subscription in every period it overlaps
 * (it feeds each of those periods' customer base), except for "before signup", which is a
 * fact of its start and is counted in the period it starts.
 */
const CHECKS: readonly CheckSql[] = [
  {
    check: 'unknown_customer',
    dataset: 'orders',
    needs: ['customers'],
    sql: `SELECT p.i, o.customer_id AS ref FROM orders o ${inPeriod('o.ordered_at')}
          WHERE ${unknownCustomer('o')}`,
  },
  {
    check: 'unknown_customer',
    dataset: 'subscriptions',
    needs: ['customers'],
    sql: `SELECT p.i, s.customer_id AS ref FROM subscriptions s
          JOIN plan_periods p ON s.started_at < p.end_ms
            AND (s.ended_at IS NULL OR s.ended_at > p.start_ms)
          WHERE ${unknownCustomer('s')} AND ${COVERS_AN_INSTANT}`,
  },
  {
    check: 'unknown_customer',
    dataset: 'tickets',
    needs: ['customers'],
    sql: `SELECT p.i, t.customer_id AS ref FROM tickets t ${inPeriod('t.created_at')}
          WHERE ${unknownCustomer('t')}`,
  },
  {
    check: 'unknown_customer',
    dataset: 'survey_responses',
    needs: ['customers'],
    sql: `SELECT p.i, r.customer_id AS ref FROM survey_responses r ${inPeriod('r.responded_at')}
          WHERE ${unknownCustomer('r')}`,
  },
  {
    check: 'user_not_customer',
    dataset: 'events',
    needs: ['customers'],
    sql: `SELECT p.i, e.user_id AS ref FROM events e ${inPeriod('e.occurred_at')}
          WHERE e.user_id NOT IN (SELECT customer_id FROM customers)`,
  },
  {
    check: 'user_not_customer',
    dataset: 'sessions',
    needs: ['customers'],
    sql: `SELECT p.i, s.user_id AS ref FROM sessions s ${inPeriod('s.started_at')}
          WHERE s.user_id NOT IN (SELECT customer_id FROM customers)`,
  },
  {
    check: 'before_signup',
    dataset: 'orders',
    needs: ['customers'],
    sql: `SELECT p.i, o.customer_id AS ref FROM orders o ${inPeriod('o.ordered_at')}
          JOIN customers c ON c.customer_id = o.customer_id
          WHERE o.ordered_at < c.created_at`,
  },
  {
    check: 'before_signup',
    dataset: 'subscriptions',
    needs: ['customers'],
    sql: `SELECT p.i, s.customer_id AS ref FROM subscriptions s ${inPeriod('s.started_at')}
          JOIN customers c ON c.customer_id = s.customer_id
          WHERE s.started_at < c.created_at AND ${COVERS_AN_INSTANT}`,
  },
  {
    check: 'failed_order_in_revenue',
    dataset: 'orders',
    needs: [],
    sql: `SELECT p.i, o.customer_id AS ref FROM orders o ${inPeriod('o.ordered_at')}
          WHERE lower(o.status) IN (${FAILED_STATUSES.map((s) => `'${s}'`).join(', ')})`,
  },
  {
    check: 'channel_without_spend',
    dataset: 'customers',
    needs: ['marketing_spend'],
    // The new customers of P as `new_customers` and the CAC count them (acquired in P),
    // with the channel of their customers row.
    base: true,
    sql: `SELECT p.i, k.acquisition_channel AS ref FROM cb_customers c ${inPeriod('c.acquired_at')}
          JOIN customers k ON k.customer_id = c.customer_id
          WHERE k.acquisition_channel IS NOT NULL
            AND k.acquisition_channel NOT IN (SELECT channel FROM marketing_spend)`,
  },
];

type IssueRow = {
  i: number;
  n: number;
  check: ConsistencyCheckId;
  dataset: DatasetName;
  count: number;
  ids: number;
  examples: string[];
};

/**
 * The findings of every check for each period of the plan, in the order of `CHECKS`; a
 * check whose datasets have no files is not run (an orders export without a customers
 * export references no "unknown" customer: there is nothing to know them by).
 */
export async function loadConsistency(
  db: Duck,
  status: Record<DatasetName, DatasetStatus>,
  options: { customerBase: boolean },
): Promise<{ period(i: number): ConsistencyIssue[] }> {
  const runnable = CHECKS.map((c, n) => ({ ...c, n })).filter(
    (c) =>
      status[c.dataset] !== 'absent' &&
      c.needs.every((d) => status[d] !== 'absent') &&
      (c.base !== true || options.customerBase),
  );
  const byPeriod = new Map<number, ConsistencyIssue[]>();
  if (runnable.length > 0) {
    const union = runnable
      .map(
        (c) =>
          `SELECT ${c.n} AS n, '${c.check}' AS "check", '${c.dataset}' AS dataset, i, ref FROM (${c.sql})`,
      )
      .join('\nUNION ALL\n');
    const rows = await db.all<IssueRow>(`
      SELECT i, n, "check", dataset, count(*) AS count, count(DISTINCT ref) AS ids,
        list(DISTINCT ref ORDER BY ref)[1:${CONSISTENCY_EXAMPLES}] AS examples
      FROM (${union})
      GROUP BY ALL
      ORDER BY i, n`);
    for (const r of rows) {
      const list = byPeriod.get(r.i) ?? [];
      list.push({
        check: r.check,
        dataset: r.dataset,
        count: r.count,
        ids: r.ids,
        examples: r.examples,
      });
      byPeriod.set(r.i, list);
    }
  }
  return { period: (i) => byPeriod.get(i) ?? [] };
}
