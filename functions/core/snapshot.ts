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

export interface AtRiskCustomer {
  customerId: string;
  pAlive: number;
  /** Net order total before the period end. */
  historicValue: number;
  /** historicValue × (1 − pAlive). */
  expectedValueLost: number;
  lastPurchase: string;
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
  /** The cohort retention matrix; on the reported period's snapshot only. */
  cohorts?: CohortMatrix;
  /** Set when the snapshot was recomputed after its report was sent. */
  revised?: boolean;
  /** Bumped by every recompute; DynamoDB writes are conditional on it. */
  version?: number;
}
