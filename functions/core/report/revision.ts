/**
 * What changed between the numbers a period's email showed and its revised snapshot: the
 * metrics a revised email lists as "old → new", and whether there is anything to re-send.
 */
import { METRICS } from '../metrics/catalogue';
import type { Snapshot } from '../snapshot';
import { ReportFormatter } from './format';

/** A metric as an email showed it (ports.ts `SentMetric` has the same shape). */
export interface ShownMetric {
  value: number | null;
  unit: Snapshot['metrics'][string]['unit'];
}

export interface MetricChange {
  id: string;
  before: ShownMetric;
  after: ShownMetric;
}

/** The metric values of a snapshot, as a revision record keeps them. */
export function shownMetrics(snapshot: Snapshot): Record<string, ShownMetric> {
  const out: Record<string, ShownMetric> = {};
  for (const [id, metric] of Object.entries(snapshot.metrics)) {
    out[id] = { value: metric.value, unit: metric.unit };
  }
  return out;
}

const hasNumber = (m: ShownMetric | undefined): m is ShownMetric & { value: number } =>
  m !== undefined && m.value !== null && Number.isFinite(m.value);

/**
 * The metrics whose value, as the email formats it (locale, currency, precision), differs
 * between `before` and `after` by at least `minChange` of the old value — a value that
 * appears or disappears always counts. Comparing the displayed text first means a change
 * in the tenth decimal of a churn rate never sends an email that lists "2.3% → 2.3%".
 * In catalogue order, so the list reads like the email.
 *
 * @example changedMetrics({ revenue: { value: 100, unit: 'money' } }, snapshotWithRevenue(101), …, 0)
 *   // → [{ id: 'revenue', before: { value: 100, … }, after: { value: 101, … } }]
 */
export function changedMetrics(
  before: Record<string, ShownMetric>,
  after: Snapshot,
  options: { locale: string; minChange: number },
): MetricChange[] {
  const fmt = new ReportFormatter({ locale: options.locale, currency: after.currency });
  const ids = new Set([...Object.keys(before), ...Object.keys(after.metrics)]);
  const order = new Map(METRICS.map((d, i) => [d.id, i]));
  const changes: MetricChange[] = [];
  for (const id of ids) {
    const old = before[id];
    const current = after.metrics[id];
    const now: ShownMetric | undefined = current && { value: current.value, unit: current.unit };
    if (!hasNumber(old) && !hasNumber(now)) continue;
    const unit = (now ?? old)?.unit;
    if (unit === undefined) continue;
    if (fmt.value(unit, old?.value ?? null) === fmt.value(unit, now?.value ?? null)) continue;
    if (hasNumber(old) && hasNumber(now) && old.value !== 0) {
      const relative = Math.abs(now.value - old.value) / Math.abs(old.value);
      if (relative < options.minChange) continue;
    }
    changes.push({
      id,
      before: old ?? { value: null, unit },
      after: now ?? { value: null, unit },
    });
  }
  return changes.sort(
    (a, b) =>
      (order.get(a.id) ?? Number.MAX_SAFE_INTEGER) - (order.get(b.id) ?? Number.MAX_SAFE_INTEGER),
  );
}
