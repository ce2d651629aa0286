/**
 * Small builders for metric tests: hand-made rows (instants from explicit ISO strings with
 * offsets) appended to the engine's typed tables in a fresh DuckDB database, then computed
 * by the same SQL and formulas as the export path (de-duplication included).
 */
import {
  type DatasetName,
  parseConfig,
  type ReportConfigInput,
} from '../../../functions/core/config';
import type {
  CustomerRow,
  EmailCampaignRow,
  EventRow,
  MarketingSpendRow,
  OrderRow,
  RowOf,
  SessionRow,
  SocialRow,
  SubscriptionRow,
  SurveyResponseRow,
  TicketRow,
} from '../../../functions/core/datasets/rows';
import { withDuck } from '../../../functions/core/duck/db';
import { applyReportFilter } from '../../../functions/core/duck/filter';
import { appendRows, createDatasetTables } from '../../../functions/core/duck/tables';
import { type ComputedMetrics, computeMetrics } from '../../../functions/core/metrics/compute';
import type { CohortMatrix, MetricValue } from '../../../functions/core/snapshot';
import { parsePeriodKey } from '../../../functions/core/time/periods';

export const at = (iso: string): number => {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new Error(`bad ISO instant in a test: ${iso}`);
  return t;
};

/** Each dataset: a list of files, each a list of rows. */
export type Data = { [D in DatasetName]?: RowOf[D][][] };

export interface RunOptions {
  config?: ReportConfigInput;
  periods: string[];
  data: Data;
}

export interface ComputeOptions {
  /** The cohort matrices to compute (`computeMetrics`' `cohortPeriods`). */
  cohortPeriods?: string[];
  /** Apply the config's report filter, as the engine does before loading (duck/filter.ts). */
  filter?: boolean;
}

/**
 * Appends `data` to a fresh database's tables, runs `computeMetrics` for the periods `keys`
 * and hands the result to `use` while the database is still open (at-risk reasons read it).
 */
export async function withComputed<T>(
  config: ReportConfigInput,
  keys: readonly string[],
  data: Data,
  use: (computed: ComputedMetrics) => T | Promise<T>,
  options: ComputeOptions = {},
): Promise<T> {
  const parsed = parseConfig(config);
  const datasets = Object.keys(data) as DatasetName[];
  return withDuck(async (db) => {
    await createDatasetTables(db);
    if (options.filter) await applyReportFilter(db, parsed.filter);
    for (const dataset of datasets) {
      const files = (data[dataset] ?? []) as RowOf[typeof dataset][][];
      for (const [file, rows] of files.entries()) await appendRows(db, dataset, file, rows);
    }
    const computed = await computeMetrics(db, {
      config: parsed,
      periods: keys.map((key) => parsePeriodKey(key, parsed.timezone)),
      datasetsWithFiles: datasets,
      ...(options.cohortPeriods ? { cohortPeriods: options.cohortPeriods } : {}),
    });
    return await use(computed);
  });
}

/** Computes the metrics of each period, keyed by period key. */
export async function run(
  options: RunOptions & { filter?: boolean },
): Promise<Record<string, Record<string, MetricValue>>> {
  const { metrics } = await withComputed(
    options.config ?? {},
    options.periods,
    options.data,
    (computed) => computed,
    { filter: options.filter },
  );
  const { timezone } = parseConfig(options.config ?? {});
  const out: Record<string, Record<string, MetricValue>> = {};
  options.periods.forEach((key, i) => {
    out[parsePeriodKey(key, timezone).key] = metrics[i] as Record<string, MetricValue>;
  });
  return out;
}

/** The cohort matrices computeMetrics returns for `periods`, by period key. */
export function cohorts(
  config: ReportConfigInput,
  periods: string[],
  data: Data,
  cohortPeriods?: string[],
): Promise<Map<string, CohortMatrix>> {
  return withComputed(config, periods, data, (computed) => computed.cohorts, { cohortPeriods });
}

/**
 * The rows that count of an export split into files: per id the last row, files in order
 * and then rows (DATASETS.md), as a brute force works them out.
 */
export function lastById<T>(files: readonly T[][] | undefined, id: (row: T) => string): T[] {
  const byId = new Map<string, T>();
  for (const file of files ?? []) for (const row of file) byId.set(id(row), row);
  return [...byId.values()];
}

/** The metric of one period; fails the test when absent. */
export function metric(
  result: Record<string, Record<string, MetricValue>>,
  period: string,
  id: string,
): MetricValue {
  const mv = result[period]?.[id];
  if (!mv) throw new Error(`no metric ${id} for ${period}`);
  return mv;
}

export const sub = (
  subscription_id: string,
  customer_id: string,
  started: string,
  ended?: string,
  mrr?: number,
): SubscriptionRow => ({
  subscription_id,
  customer_id,
  started_at: at(started),
  ended_at: ended === undefined ? undefined : at(ended),
  mrr,
  currency: undefined,
  plan: undefined,
});

export const order = (
  order_id: string,
  customer_id: string,
  ordered: string,
  amount: number,
): OrderRow => ({
  order_id,
  customer_id,
  ordered_at: at(ordered),
  amount,
  currency: undefined,
  status: undefined,
});

export const customer = (
  customer_id: string,
  created: string,
  extra: { channel?: string; onboarded?: string } = {},
): CustomerRow => ({
  customer_id,
  created_at: at(created),
  acquisition_channel: extra.channel,
  segment: undefined,
  country: undefined,
  onboarding_completed_at: extra.onboarded === undefined ? undefined : at(extra.onboarded),
});

export const spend = (date: string, channel: string, amount: number): MarketingSpendRow => ({
  date: at(date),
  channel,
  amount,
  campaign: undefined,
  currency: undefined,
});

export const survey = (
  response_id: string,
  responded: string,
  survey_type: SurveyResponseRow['survey_type'],
  score: number,
): SurveyResponseRow => ({
  response_id,
  responded_at: at(responded),
  survey_type,
  score,
  customer_id: undefined,
  touchpoint: undefined,
  comment: undefined,
});

export const event = (
  user_id: string,
  occurred: string,
  event_type = 'app_open',
  extra: { event_id?: string; feature?: string } = {},
): EventRow => ({
  user_id,
  occurred_at: at(occurred),
  event_type,
  event_id: extra.event_id,
  feature: extra.feature,
  page: undefined,
  session_id: undefined,
});

export const session = (
  session_id: string,
  user_id: string,
  started: string,
  duration_seconds: number,
  pageviews: number,
): SessionRow => ({
  session_id,
  user_id,
  started_at: at(started),
  duration_seconds,
  pageviews,
  landing_page: undefined,
  channel: undefined,
});

export const ticket = (
  ticket_id: string,
  created: string,
  extra: { channel?: string; firstResponse?: string } = {},
): TicketRow => ({
  ticket_id,
  created_at: at(created),
  customer_id: undefined,
  channel: extra.channel,
  first_response_at: extra.firstResponse === undefined ? undefined : at(extra.firstResponse),
  resolved_at: undefined,
});

export const campaign = (
  campaign_id: string,
  sent: string,
  counts: { sent: number; delivered: number; opens: number; clicks: number; bounces?: number },
): EmailCampaignRow => ({
  campaign_id,
  sent_at: at(sent),
  sent: counts.sent,
  delivered: counts.delivered,
  unique_opens: counts.opens,
  unique_clicks: counts.clicks,
  bounces: counts.bounces,
  unsubscribes: undefined,
  name: undefined,
});

export const social = (
  date: string,
  platform: string,
  followers: number,
  extra: {
    likes?: number;
    comments?: number;
    shares?: number;
    reposts?: number;
    mentions?: number;
  } = {},
): SocialRow => ({
  date: at(date),
  platform,
  followers,
  likes: extra.likes,
  comments: extra.comments,
  shares: extra.shares,
  reposts: extra.reposts,
  mentions: extra.mentions,
  post_id: undefined,
});

/** The value of a metric; fails the test when it is null (with the reason it gave). */
export function valueIn(
  result: Record<string, Record<string, MetricValue>>,
  period: string,
  id: string,
): number {
  const mv = metric(result, period, id);
  if (mv.value === null) throw new Error(`${id} of ${period} is null: ${mv.reason}`);
  return mv.value;
}

/** The reason of a null metric; fails the test when the metric has a value. */
export function reasonOf(
  result: Record<string, Record<string, MetricValue>>,
  period: string,
  id: string,
): string {
  const mv = metric(result, period, id);
  if (mv.value !== null) throw new Error(`${id} of ${period} is ${mv.value}, expected null`);
  return mv.reason ?? '';
}
