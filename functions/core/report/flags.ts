/**
 * What needs attention in a report: configured thresholds crossed, values outside the band
 * of their trailing periods, and rates computed from too few observations to read much into
 * their change. Numbers only; `view.ts` turns them into sentences. Computed from the
 * snapshot and the history the report already has, so the engine is not involved.
 */
import type { ReportConfig } from '../config';
import { METRICS } from '../metrics/catalogue';
import type { Snapshot } from '../snapshot';

/** A configured threshold the current value crossed (strictly: equal to it is fine). */
export interface ThresholdFlag {
  kind: 'threshold';
  id: string;
  value: number;
  side: 'above' | 'below';
  threshold: number;
}

/** A value outside median ± k·scale of its trailing periods. */
export interface AnomalyFlag {
  kind: 'anomaly';
  id: string;
  value: number;
  side: 'above' | 'below';
  median: number;
  low: number;
  high: number;
  /** Trailing values the band was computed from. */
  used: number;
  /** Trailing periods looked at (some may have had no value). */
  window: number;
}

export type Flag = ThresholdFlag | AnomalyFlag;

/** Consistency constant: 1.4826 · MAD estimates σ for normally distributed values. */
export const MAD_SCALE = 1.4826;
/** 1.2533 · mean absolute deviation estimates σ (√(π/2)); used when the MAD is 0. */
export const MEAN_AD_SCALE = 1.2533;

/**
 * The median of a list of numbers: the middle value of the sorted list, or the mean of
 * the two middle values when the length is even. NaN for an empty list.
 *
 * @example median([3, 1, 2, 10]) // 2.5
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const upper = sorted[mid] as number;
  return sorted.length % 2 === 1 ? upper : ((sorted[mid - 1] as number) + upper) / 2;
}

/**
 * Median absolute deviation, unscaled: median(|xᵢ − median(x)|). NaN for an empty list.
 *
 * @example medianAbsoluteDeviation([1, 2, 3, 4, 100]) // 1
 */
export function medianAbsoluteDeviation(values: readonly number[]): number {
  const m = median(values);
  return median(values.map((v) => Math.abs(v - m)));
}

/**
 * The robust spread the anomaly band uses, on the scale of a standard deviation:
 * 1.4826 · MAD; when the MAD is 0 (more than half the values equal), 1.2533 · the mean
 * absolute deviation from the median instead (Iglewicz & Hoaglin's modified z-score,
 * as in IBM SPSS), so one odd week among equal ones does not make every change an anomaly.
 * 0 only when all values are equal.
 *
 * @example robustScale([10, 10, 10, 10, 14]) // 1.2533 × 4 / 5 = 1.00264
 */
export function robustScale(values: readonly number[]): number {
  const mad = medianAbsoluteDeviation(values);
  if (mad > 0) return MAD_SCALE * mad;
  const m = median(values);
  const meanAd = values.reduce((sum, v) => sum + Math.abs(v - m), 0) / values.length;
  return MEAN_AD_SCALE * meanAd;
}

/**
 * Where a rate's observation count comes from: the metric (and breakdown key) of the same
 * snapshot that is its denominator. Rates not listed have no count in the snapshot (email
 * rates: `delivered` is not stored; conversion rates in monthly reports: `wau` is weekly
 * only) and never get the small-sample marker.
 */
export const SAMPLE_SOURCES: Readonly<Record<string, { metric: string; key?: string }>> = {
  churn_rate: { metric: 'customers_start' },
  retention_rate: { metric: 'customers_start' },
  nps: { metric: 'survey_responses', key: 'nps' },
  csat: { metric: 'survey_responses', key: 'csat' },
  csat_avg: { metric: 'survey_responses', key: 'csat' },
  ces: { metric: 'survey_responses', key: 'ces' },
  ces_avg: { metric: 'survey_responses', key: 'ces' },
  // Users with any event in the period: `wau` in a weekly report.
  conversion_rate: { metric: 'wau' },
  feature_usage: { metric: 'wau' },
  core_action_rate: { metric: 'wau' },
  stickiness: { metric: 'mau' },
  bounce_rate: { metric: 'sessions' },
};

/** The number of observations a metric of the snapshot was computed from, when known. */
export function sampleSize(snapshot: Snapshot, id: string): number | null {
  const source = SAMPLE_SOURCES[id];
  if (!source) return null;
  const metric = snapshot.metrics[source.metric];
  const n = source.key === undefined ? metric?.value : metric?.breakdown?.[source.key];
  return n !== null && n !== undefined && Number.isFinite(n) ? n : null;
}

/** The count when it is below `flags.minSample`, else null (large enough or unknown). */
export function smallSample(snapshot: Snapshot, id: string, config: ReportConfig): number | null {
  const n = sampleSize(snapshot, id);
  return n !== null && n < config.flags.minSample ? n : null;
}

function currentValue(snapshot: Snapshot, id: string): number | null {
  const v = snapshot.metrics[id]?.value;
  return v !== null && v !== undefined && Number.isFinite(v) ? v : null;
}

/**
 * The flags of a report, thresholds first, then anomalies, each in catalogue order.
 * `history` holds the earlier periods, oldest first, as the report view receives them.
 * A metric with a small sample gets no anomaly flag (its swings are expected); a threshold
 * the user set is reported whatever the sample.
 */
export function computeFlags(
  snapshot: Snapshot,
  history: readonly Snapshot[],
  config: ReportConfig,
): Flag[] {
  const { thresholds, anomaly } = config.flags;
  const out: Flag[] = [];
  for (const def of METRICS) {
    const bounds = thresholds[def.id];
    const value = currentValue(snapshot, def.id);
    if (!bounds || value === null) continue;
    if (bounds.above !== undefined && value > bounds.above) {
      out.push({ kind: 'threshold', id: def.id, value, side: 'above', threshold: bounds.above });
    }
    if (bounds.below !== undefined && value < bounds.below) {
      out.push({ kind: 'threshold', id: def.id, value, side: 'below', threshold: bounds.below });
    }
  }
  if (!anomaly.enabled) return out;
  const window = history.slice(-anomaly.periods);
  for (const def of METRICS) {
    const value = currentValue(snapshot, def.id);
    if (value === null || smallSample(snapshot, def.id, config) !== null) continue;
    const trailing = window.flatMap((s) => {
      const v = currentValue(s, def.id);
      return v === null ? [] : [v];
    });
    if (trailing.length < anomaly.minPeriods) continue;
    const m = median(trailing);
    const spread = anomaly.k * robustScale(trailing);
    const low = m - spread;
    const high = m + spread;
    // All trailing values equal: the band is that value, and any other value leaves it.
    if (value > high || value < low) {
      out.push({
        kind: 'anomaly',
        id: def.id,
        value,
        side: value > high ? 'above' : 'below',
        median: m,
        low,
        high,
        used: trailing.length,
        window: window.length,
      });
    }
  }
  return out;
}
