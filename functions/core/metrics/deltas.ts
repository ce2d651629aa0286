/**
 * Period-over-period deltas (METRICS.md "Deltas"): every metric of a snapshot carries the
 * previous period's value and the change, expressed as `deltaKind` of its unit says.
 * Deltas keep full floating-point precision; rounding for display is the email's job.
 */
import type { Snapshot } from '../snapshot';
import { type DeltaKind, deltaKind } from './catalogue';

/**
 * Change of a metric from the previous period to the current one.
 *
 * - `pp` (percentages) and `absolute` (scores, NPS, ratios): current − previous, in the
 *   metric's own unit (percentage points for percentages).
 * - `relative` (counts, money, …): (current − previous) / |previous| × 100, in %. Dividing
 *   by |previous| keeps the sign meaning "went up": revenue −50 → 100 is +300 %, not −300 %.
 *
 * null when either value is null, and for a relative change from 0 (there is no finite
 * percentage, and METRICS.md shows "new", never ∞) — except 0 → 0, which is no change.
 * Reference: METRICS.md "Deltas".
 * @example computeDelta('relative', 120, 100) // 20
 * @example computeDelta('pp', 4.5, 5) // -0.5
 */
export function computeDelta(
  kind: DeltaKind,
  current: number | null,
  previous: number | null,
): number | null {
  if (current === null || previous === null) return null;
  if (!Number.isFinite(current) || !Number.isFinite(previous)) return null;
  const difference = current - previous;
  if (kind === 'pp' || kind === 'absolute') return difference;
  if (previous === 0) return current === 0 ? 0 : null;
  return (difference / Math.abs(previous)) * 100;
}

/**
 * A copy of `current` in which every metric carries `previous` (the previous snapshot's
 * value for the same id, null when that snapshot or metric is missing) and its `delta`.
 * The delta kind follows the current metric's unit, so a metric whose unit changed between
 * releases is still compared the way the catalogue now says. Neither input is modified.
 */
export function withDeltas(current: Snapshot, previous: Snapshot | undefined): Snapshot {
  const copy = structuredClone(current);
  for (const [id, metric] of Object.entries(copy.metrics)) {
    const kind = deltaKind(metric.unit);
    const previousValue = previous?.metrics[id]?.value ?? null;
    metric.previous = previousValue;
    metric.delta = computeDelta(kind, metric.value, previousValue);
    metric.deltaKind = kind;
  }
  return copy;
}
