/**
 * The metrics of every requested period, computed by SQL over the typed tables of a `Duck`
 * (duck/tables.ts) that the caller filled: the export path validates files into them
 * (datasets/load.ts), tests append hand-made rows. Each family of METRICS.md is one loader
 * in metrics/<family>.ts that aggregates all periods in one query; assemble.ts applies the
 * formulas once. A family whose dataset has no accepted row is not queried.
 */
import type { DatasetName, ReportConfig } from '../config';
import { DATASET_NAMES } from '../config';
import type { Duck } from '../duck/db';
import { createPlanTables } from '../duck/plan-tables';
import { datasetCounts, markDuplicates } from '../duck/tables';
import type { CohortMatrix, ConsistencyIssue, MetricValue, SegmentBreakdown } from '../snapshot';
import type { Period } from '../time/periods';
import { loadActivity } from './activity';
import { type DatasetStatus, type EngineState, periodMetrics } from './assemble';
import { type AtRiskState, loadAtRisk } from './at-risk';
import { loadCohorts } from './cohorts';
import { loadConsistency } from './consistency';
import { type ActivityMode, loadCustomerBase } from './customer-base';
import { loadFirstWeek } from './customers';
import { loadEmailCampaigns } from './email';
import { loadMarketingSpend } from './marketing';
import { PeriodPlan } from './plan';
import { loadRevenue } from './revenue';
import { loadSegments } from './segments';
import { loadSessions } from './sessions';
import { loadSocial } from './social';
import { loadTickets } from './support';
import { loadSurveys } from './surveys';

/** Counts of one dataset after de-duplication. */
export interface DatasetCounts {
  /** Accepted rows of every loaded file. */
  rowsAccepted: number;
  /** Accepted rows that a later (entities) or earlier (events) row of the same id replaced. */
  duplicatesDropped: number;
}

export interface ComputeMetricsInput {
  config: ReportConfig;
  periods: readonly Period[];
  /** Datasets with at least one export file (even an empty or unreadable one). */
  datasetsWithFiles: Iterable<DatasetName>;
  /**
   * Keys of the periods that get a cohort retention matrix (metrics/cohorts.ts).
   * @default - the latest requested period
   */
  cohortPeriods?: readonly string[];
}

export interface ComputedMetrics {
  plan: PeriodPlan;
  mode: ActivityMode;
  /** Metric values of each period, in the caller's order of `periods`. */
  metrics: Record<string, MetricValue>[];
  counts: Record<DatasetName, DatasetCounts>;
  /** The cohort matrix by period key; none without the customer base's dataset. */
  cohorts: Map<string, CohortMatrix>;
  /**
   * The segment breakdowns (metrics/segments.ts) of the same periods as the cohorts; none
   * without the customer base's dataset or with `segments.enabled` off.
   */
  segments: Map<string, SegmentBreakdown[]>;
  /**
   * The at-risk signals of every period (metrics/at-risk.ts), by index of `plan.periods`;
   * `reasonsFor` reads the database, which must still be open.
   */
  atRisk: AtRiskState;
  /** Whether the subscriptions export has accepted rows (subscribers at risk can be listed). */
  subscriptionsUsable: boolean;
  /** Cross-dataset consistency findings, in the caller's order of `periods`. */
  consistency: ConsistencyIssue[][];
}

function baseReason(
  config: ReportConfig,
  mode: ActivityMode,
  status: Record<DatasetName, DatasetStatus>,
): string {
  if (mode === 'subscriptions') {
    return status.subscriptions === 'empty'
      ? 'the subscriptions export has no accepted rows'
      : 'no subscriptions export (activity.mode is "subscriptions")';
  }
  if (status.orders === 'empty') return 'the orders export has no accepted rows';
  return config.activity.mode !== undefined
    ? 'no orders export (activity.mode is "orders")'
    : 'no subscriptions or orders export';
}

/** The periods that get a cohort matrix and segment breakdowns: by default the latest. */
function reportedKeys(plan: PeriodPlan, keys: readonly string[] | undefined): Set<string> {
  return new Set(keys ?? [plan.periods[plan.size - 1]?.key ?? '']);
}

export async function computeMetrics(
  db: Duck,
  input: ComputeMetricsInput,
): Promise<ComputedMetrics> {
  const { config } = input;
  const plan = new PeriodPlan(input.periods, config);
  await createPlanTables(db, plan);
  const withFiles = new Set(input.datasetsWithFiles);

  const status = {} as Record<DatasetName, DatasetStatus>;
  const counts = {} as Record<DatasetName, DatasetCounts>;
  for (const dataset of DATASET_NAMES) {
    if (!withFiles.has(dataset)) {
      status[dataset] = 'absent';
      counts[dataset] = { rowsAccepted: 0, duplicatesDropped: 0 };
      continue;
    }
    await markDuplicates(db, dataset);
    const c = await datasetCounts(db, dataset);
    status[dataset] = c.rowsKept > 0 ? 'present' : 'empty';
    counts[dataset] = {
      rowsAccepted: c.rowsAccepted,
      duplicatesDropped: c.rowsAccepted - c.rowsKept,
    };
  }
  const present = (d: DatasetName) => status[d] === 'present';

  // Default activity mode (METRICS.md): subscriptions when that dataset has files.
  const mode: ActivityMode =
    config.activity.mode ?? (withFiles.has('subscriptions') ? 'subscriptions' : 'orders');
  const window = config.activity.activeWindowDays;
  // The activity mode's base leaves its customer table for the segment breakdowns below.
  const mrrBase = present('subscriptions')
    ? await loadCustomerBase(db, plan, 'subscriptions', window, {
        keepTable: mode === 'subscriptions',
      })
    : null;
  const baseDataset = mode === 'subscriptions' ? 'subscriptions' : 'orders';
  const base = !present(baseDataset)
    ? null
    : mode === 'subscriptions'
      ? mrrBase
      : await loadCustomerBase(db, plan, 'orders', window, { keepTable: true });

  // Signals are computed whatever the mode: in orders mode they explain the model's at-risk
  // list; subscriptions mode also lists and counts the subscribers at risk.
  const atRisk = await loadAtRisk(db, plan, config.atRisk);
  const atRiskReason =
    mode !== 'subscriptions'
      ? 'activity.mode is "orders": customers at risk come from the purchase model (at_risk_customers)'
      : status.subscriptions === 'empty'
        ? 'the subscriptions export has no accepted rows'
        : 'no subscriptions export';
  // Before the segments drop the activity mode's customer table (`cb_customers`).
  const consistency = await loadConsistency(db, status, { customerBase: base !== null });

  const state: EngineState = {
    plan,
    config,
    status,
    base,
    baseReason: baseReason(config, mode, status),
    mrrBase,
    revenue: present('orders') ? await loadRevenue(db, plan) : null,
    marketing: present('marketing_spend') ? await loadMarketingSpend(db, plan) : null,
    firstWeek: present('customers')
      ? await loadFirstWeek(db, plan, config.events.onboarding)
      : null,
    surveys: present('survey_responses') ? await loadSurveys(db, plan) : null,
    activity: present('events') ? await loadActivity(db, plan, config.events) : null,
    sessions: present('sessions') ? await loadSessions(db, plan) : null,
    tickets: present('tickets') ? await loadTickets(db, plan) : null,
    email: present('email_campaigns') ? await loadEmailCampaigns(db, plan) : null,
    social: present('social') ? await loadSocial(db, plan) : null,
    atRisk: mode === 'subscriptions' && present('subscriptions') ? atRisk : null,
    atRiskReason,
  };
  const segments = new Map<string, SegmentBreakdown[]>();
  try {
    if (base !== null && config.segments.enabled) {
      for (const key of reportedKeys(plan, input.cohortPeriods)) {
        const i = plan.periods.findIndex((p) => p.key === key);
        if (i < 0) continue;
        segments.set(
          key,
          await loadSegments(db, { plan, i, config, status, marketing: state.marketing }),
        );
      }
    }
  } finally {
    await db.run('DROP TABLE IF EXISTS cb_customers');
  }
  const metrics: Record<string, MetricValue>[] = new Array(plan.size);
  const issues: ConsistencyIssue[][] = new Array(plan.size);
  for (let i = 0; i < plan.size; i++) {
    metrics[plan.inputIndex[i] as number] = periodMetrics(state, i);
    issues[plan.inputIndex[i] as number] = consistency.period(i);
  }

  // The cohort matrix, for the reported period(s) only: it reads 12 periods of history.
  const cohorts = new Map<string, CohortMatrix>();
  if (base !== null) {
    const keys = reportedKeys(plan, input.cohortPeriods);
    for (const period of plan.periods.filter((p) => keys.has(p.key))) {
      cohorts.set(period.key, await loadCohorts(db, period, { mode, activeWindowDays: window }));
    }
  }
  return {
    plan,
    mode,
    metrics,
    counts,
    cohorts,
    segments,
    atRisk,
    subscriptionsUsable: present('subscriptions'),
    consistency: issues,
  };
}
