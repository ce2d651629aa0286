/**
 * A report's customer filter (config `filter`) as views: the metric SQL reads the dataset
 * views (`customers`, `orders`, …, see duck/tables.ts), so narrowing those views narrows
 * every metric at once, with no metric knowing about filters.
 *
 * The report's customers are those whose (de-duplicated) `customers` row has a listed
 * `segment`, `country` and `acquisition_channel` (each key given), and, with `plan`, who
 * have at least one subscription on a listed plan; all given keys must hold. Values compare
 * exactly after trimming both sides. Then:
 * - every dataset keyed by customer keeps only the report's customers' rows: customers,
 *   subscriptions (all of a kept customer's subscriptions, whatever their plan), orders,
 *   survey_responses and tickets by `customer_id` (a row without one is nobody's, and
 *   dropped), events and sessions by `user_id` (= customer_id, DATASETS.md);
 * - marketing_spend keeps the rows whose `channel` is a listed `acquisition_channel`, so
 *   that CAC divides the spend of those channels by the customers they acquired;
 * - email_campaigns and social have no customer key and are not filtered.
 *
 * The data-quality counts read the raw tables, so they stay those of the files: a filter
 * hides rows from the metrics, it does not reject them.
 */
import type { DatasetName, ReportFilter } from '../config';
import { type Duck, sqlString } from './db';

/** The datasets a filter narrows, by the column that names the customer. */
const CUSTOMER_KEY: Partial<Record<DatasetName, string>> = {
  customers: 'customer_id',
  subscriptions: 'customer_id',
  orders: 'customer_id',
  survey_responses: 'customer_id',
  tickets: 'customer_id',
  events: 'user_id',
  sessions: 'user_id',
};

/** The customer columns a filter key compares (customers.<column>). */
const CUSTOMER_COLUMNS = ['segment', 'country', 'acquisition_channel'] as const;

/** The unfiltered de-duplicated view of a dataset, once a filter has taken its name. */
export const unfilteredView = (dataset: DatasetName): string => `all_${dataset}`;

/** The ids of the report's customers (one column, `customer_id`). */
export const REPORT_CUSTOMERS = 'report_customers';

function inList(column: string, values: readonly string[]): string {
  return `trim(${column}) IN (${values.map(sqlString).join(', ')})`;
}

/** Whether the filter restricts anything (no key, or `{}`, keeps every customer). */
export function hasFilter(filter: ReportFilter | undefined): filter is ReportFilter {
  return filter !== undefined && Object.values(filter).some((v) => v !== undefined);
}

/**
 * Replaces the dataset views with filtered ones: each view a filter narrows is renamed
 * `all_<dataset>` and a view of its old name reads that through the filter. Call once,
 * after `createDatasetTables` (views are evaluated when queried, so before or after the
 * rows are loaded makes no difference). No filter: nothing changes.
 */
export async function applyReportFilter(db: Duck, filter: ReportFilter | undefined): Promise<void> {
  if (!hasFilter(filter)) return;
  const sets: string[] = [];
  const conditions = CUSTOMER_COLUMNS.flatMap((column) => {
    const values = filter[column];
    return values === undefined ? [] : [inList(column, values)];
  });
  if (conditions.length > 0) {
    sets.push(
      `SELECT customer_id FROM ${unfilteredView('customers')} WHERE ${conditions.join(' AND ')}`,
    );
  }
  if (filter.plan !== undefined) {
    sets.push(
      `SELECT customer_id FROM ${unfilteredView('subscriptions')} WHERE ${inList('plan', filter.plan)}`,
    );
  }

  const narrowed = Object.entries(CUSTOMER_KEY) as [DatasetName, string][];
  const spendByChannel = filter.acquisition_channel;
  for (const [dataset] of narrowed) {
    await db.run(`ALTER VIEW ${dataset} RENAME TO ${unfilteredView(dataset)}`);
  }
  if (spendByChannel !== undefined) {
    await db.run(`ALTER VIEW marketing_spend RENAME TO ${unfilteredView('marketing_spend')}`);
  }

  // INTERSECT: every given key must hold. The set has no duplicates, so the IN below is a
  // plain semi-join.
  await db.run(`CREATE VIEW ${REPORT_CUSTOMERS} AS ${sets.join(' INTERSECT ')}`);
  for (const [dataset, key] of narrowed) {
    await db.run(
      `CREATE VIEW ${dataset} AS SELECT * FROM ${unfilteredView(dataset)}
       WHERE ${key} IN (SELECT customer_id FROM ${REPORT_CUSTOMERS})`,
    );
  }
  if (spendByChannel !== undefined) {
    await db.run(
      `CREATE VIEW marketing_spend AS SELECT * FROM ${unfilteredView('marketing_spend')}
       WHERE ${inList('channel', spendByChannel)}`,
    );
  }
}
