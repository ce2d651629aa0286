/**
 * Building `MetricValue`s: every value carries the unit, direction and delta kind of its
 * catalogue entry, and a null value always carries a plain-English reason. `previous` and
 * `delta` stay null here; `withDeltas` fills them once the previous snapshot is known.
 */
import type { MetricValue } from '../snapshot';
import { deltaKind, metricDefinition } from './catalogue';

/**
 * Strip binary floating-point noise from a finished value (0.1 + 0.2 → 0.3) by rounding to
 * 15 significant digits, the precision a double guarantees. Applied once per metric, never
 * inside a sum.
 */
export function tidy(x: number): number {
  return x === 0 ? 0 : Number(x.toPrecision(15));
}

function base(id: string): Omit<MetricValue, 'value'> {
  const def = metricDefinition(id);
  return {
    unit: def.unit,
    better: def.better,
    previous: null,
    delta: null,
    deltaKind: deltaKind(def.unit),
  };
}

/** A computed value, with an optional breakdown (per channel, feature, platform, type). */
export function known(
  id: string,
  value: number,
  breakdown?: Record<string, number | null>,
): MetricValue {
  const mv: MetricValue = { value: tidy(value), ...base(id) };
  if (breakdown) mv.breakdown = tidyBreakdown(breakdown);
  return mv;
}

/** A value that cannot be computed, and why. */
export function missing(
  id: string,
  reason: string,
  breakdown?: Record<string, number | null>,
): MetricValue {
  const mv: MetricValue = { value: null, ...base(id), reason };
  if (breakdown) mv.breakdown = tidyBreakdown(breakdown);
  return mv;
}

/** Either a value or a reason, for formulas that may be undefined. */
export type Outcome = { value: number } | { reason: string };

export function fromOutcome(
  id: string,
  outcome: Outcome,
  breakdown?: Record<string, number | null>,
): MetricValue {
  return 'value' in outcome
    ? known(id, outcome.value, breakdown)
    : missing(id, outcome.reason, breakdown);
}

function tidyBreakdown(b: Record<string, number | null>): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const key of Object.keys(b).sort()) {
    const v = b[key];
    out[key] = v === null || v === undefined ? null : tidy(v);
  }
  return out;
}

/**
 * A quotient, or a reason when the denominator is zero.
 * Formula: numerator / denominator × scale (scale 100 for a percentage).
 * @example divide(3, 4, 100, 'no responses') // { value: 75 }
 */
export function divide(
  numerator: number,
  denominator: number,
  scale: number,
  zeroReason: string,
): Outcome {
  if (denominator === 0) return { reason: zeroReason };
  return { value: (numerator / denominator) * scale };
}

/** The quotient as a breakdown entry: null when the denominator is zero. */
export function divideOrNull(numerator: number, denominator: number, scale: number): number | null {
  return denominator === 0 ? null : (numerator / denominator) * scale;
}

/**
 * Exact median: the middle value of the sorted sample, or the mean of the two middle values
 * for an even count (Hyndman & Fan type 2 at p = 0.5). Sorts `values` in place.
 * @example median([4, 1, 3, 2]) // 2.5
 */
export function median(values: number[] | Float64Array): number {
  if (values.length === 0) throw new RangeError('median of an empty sample');
  values.sort((a, b) => a - b);
  const mid = values.length >> 1;
  const upper = values[mid] as number;
  if (values.length % 2 === 1) return upper;
  const lower = values[mid - 1] as number;
  return (lower + upper) / 2;
}

/**
 * Net Promoter Score on the 0–10 scale (Reichheld, "The One Number You Need to Grow",
 * HBR 2003): percentage of promoters (9–10) minus percentage of detractors (0–6).
 * Formula: (promoters − detractors) / responses × 100, in −100..100.
 * @example netPromoterScore(5, 2, 10) // 30
 */
export function netPromoterScore(promoters: number, detractors: number, responses: number): number {
  if (responses <= 0) throw new RangeError('NPS needs at least one response');
  return ((promoters - detractors) / responses) * 100;
}
