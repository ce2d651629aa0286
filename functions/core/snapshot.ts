/**
 * The snapshot of one report period: what the engine computes, what DynamoDB stores, what
 * the email renders. Plain JSON (numbers, strings, ISO instants) so it round-trips.
 */
import type { DatasetName, PeriodKind } from './config';
import type { Better, DeltaKind, Unit } from './metrics/catalogue';

export interface PeriodInfo {
  /** `2026-W44`, `2026-11`, `2026-Q4`. */
  key: string;
  kind: PeriodKind;
  /** ISO 8601 instants with the zone's offset, e.g. `2026-10-26T00:00:00-04:00`. */
  start: string;
  /** Exclusive end. */
  end: string;
  timezone: string;
}

export interface MetricValue {
  /** null when an input is missing or the formula is undefined (division by zero). */
  value: number | null;
  unit: Unit;
  better: Better;
  /** The same metric in the previous period's snapshot. */
  previous: number | null;
  /** pp / absolute difference / relative change in %, per `deltaKind`; null without both values. */
  delta: number | null;
  deltaKind: DeltaKind;
  /** Per channel, feature, platform, survey type … */
  breakdown?: Record<string, number | null>;
  /** Why `value` is null, in plain English. */
  reason?: string;
}

export interface DatasetQuality {
  rowsRead: number;
  rowsAccepted: number;
  rowsRejected: number;
  duplicatesDropped: number;
  /** First few rejection reasons, each `file:line:column: reason`. */
  firstReasons: string[];
  /** Files that could not be read at all (missing column, bad gzip …), with the reason. */
  filesRejected: { key: string; reason: string }[];
}

export interface InputFile {
  dataset: DatasetName;
  key: string;
  etag?: string;
}

export interface FitSummary<P extends Record<string, number>> {
  params: P;
  logLikelihood: number;
  n: number;
  converged: boolean;
  iterations?: number;
}

export interface ModelsSummary {
  bgnbd: FitSummary<{ r: number; alpha: number; a: number; b: number }> | null;
  gammaGamma: FitSummary<{ p: number; q: number; gamma: number }> | null;
  /** Why a model is absent or unpublished. */
  reason?: string;
}

/** What an at-risk signal is about (METRICS.md "At-risk customers and their reasons"). */
export type AtRiskReasonKind =
  | 'p_alive'
  | 'activity_drop'
  | 'failed_payment'
  | 'downgrade'
  | 'low_nps'
  | 'open_tickets';

/** One reason a customer is at risk, with its plain-English rendering. */
export interface AtRiskReason {
  kind: AtRiskReasonKind;
  /** E.g. `MRR 99 → 49`, `2 open tickets, oldest 9 days`. */
  detail: string;
}

export interface AtRiskCustomer {
  customerId: string;
  pAlive: number;
  /** Net order total before the period end. */
  historicValue: number;
  /** historicValue × (1 − pAlive). */
  expectedValueLost: number;
  lastPurchase: string;
  /** P(alive) and the other signals of the customer at the period end (absent in older snapshots). */
  reasons?: AtRiskReason[];
}

/** A customer with a subscription active at the period end and at least one at-risk signal. */
export interface AtRiskSubscriber {
  customerId: string;
  /** The customer's MRR at the period end: what is at risk. */
  mrr: number;
  reasons: AtRiskReason[];
}

/** Ids of the cross-dataset consistency checks (METRICS.md "Data quality"). */
export type ConsistencyCheckId =
  | 'unknown_customer'
  | 'user_not_customer'
  | 'before_signup'
  | 'failed_order_in_revenue'
  | 'channel_without_spend';

/** One cross-dataset check of the period: rows kept as they are, counted and shown. */
export interface ConsistencyIssue {
  check: ConsistencyCheckId;
  /** The dataset whose rows the check counts. */
  dataset: DatasetName;
  /** Rows of `dataset` in the period that the check found. */
  count: number;
  /** Distinct ids they reference (customers, users or channels). */
  ids: number;
  /** At most 3 of those ids, smallest first. */
  examples: string[];
}

/** One signup cohort of the retention matrix (METRICS.md "Cohorts"). */
export interface CohortRow {
  /** The period the cohort's customers were acquired in, e.g. `2026-W40`. */
  key: string;
  /** Customers acquired in it (≥ 1: a cohort without customers is left out). */
  size: number;
  /**
   * Per age k = 0, 1, … (the cohort's own period, the next one …) up to the reported
   * period: % of the cohort active at the end of that period, 0..100.
   */
  customer: number[];
  /**
   * Subscriptions mode with mrr values only: the cohort's MRR at the end of age k as a % of
   * its MRR at the end of age 0; null where that first MRR is 0.
   */
  revenue?: (number | null)[];
}

/** Signup cohorts × periods since signup, for the reported period (oldest cohort first). */
export interface CohortMatrix {
  kind: PeriodKind;
  /** How customers are acquired and active: the customer base's mode. */
  mode: 'subscriptions' | 'orders';
  cohorts: CohortRow[];
}

/**
 * One row of a segment breakdown (METRICS.md "Segments"): the catalogue's metrics over the
 * customers with one value of the column, keyed by their metric ids.
 */
export interface SegmentRow {
  /** The column's value; null for the customers without one ("(none)") and for "other". */
  value: string | null;
  /** On the "other" row only: how many values it folds together. */
  other?: number;
  customers_start: number;
  customers_end: number;
  new_customers: number;
  churned_customers: number;
  churn_rate: number | null;
  retention_rate: number | null;
  arpc: number | null;
  clv_historic: number | null;
  /** acquisition_channel only: the value's marketing spend in P / its new customers. */
  cac: number | null;
}

/** The reported period's metrics by the values of one customer column (or their plan). */
export interface SegmentBreakdown {
  /** `segment`, `country`, `plan`, `acquisition_channel`. */
  column: string;
  /** Distinct values (with "(none)") among the customers counted. */
  values: number;
  /** The largest values first, then "other"; empty when the column is left out. */
  rows: SegmentRow[];
  /** Why the column is left out: `not in the exports`. */
  reason?: string;
  /** Why a metric is null in every row, by metric id (no orders export; CAC by channel only). */
  reasons?: Record<string, string>;
}

export interface Snapshot {
  reportId: string;
  period: PeriodInfo;
  currency: string;
  /** ISO instant the snapshot was computed. */
  computedAt: string;
  metrics: Record<string, MetricValue>;
  quality: Partial<Record<DatasetName, DatasetQuality>>;
  inputFiles: InputFile[];
  models?: ModelsSummary;
  atRisk?: AtRiskCustomer[];
  /** Subscriptions mode: subscribers at risk, most MRR first (`atRisk.listSize` of them). */
  atRiskSubscribers?: AtRiskSubscriber[];
  /** Cross-dataset consistency checks with a finding in the period (absent in older snapshots). */
  consistency?: ConsistencyIssue[];
  /** The cohort retention matrix; on the reported period's snapshot only. */
  cohorts?: CohortMatrix;
  /** Segment breakdowns (METRICS.md "Segments"); on the reported period's snapshot only. */
  segments?: SegmentBreakdown[];
  /** Set when the snapshot was recomputed after its report was sent. */
  revised?: boolean;
  /** Bumped by every recompute; DynamoDB writes are conditional on it. */
  version?: number;
}
