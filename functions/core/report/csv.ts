/**
 * The period's metrics as a CSV attachment (RFC 4180): one row per metric of the snapshot,
 * `id,value,previous,delta,unit`, for whoever wants the numbers in a spreadsheet rather
 * than read off the email.
 */
import { METRICS } from '../metrics/catalogue';
import type { Snapshot } from '../snapshot';

export const METRICS_CSV_HEADER = ['id', 'value', 'previous', 'delta', 'unit'] as const;

/** `metrics-2026-W47.csv`: the period key is in the name, so saved files do not collide. */
export function metricsCsvFilename(periodKey: string): string {
  return `metrics-${periodKey.replace(/[^\w-]/g, '_')}.csv`;
}

/**
 * A field as RFC 4180 §2 writes it: quoted (with `"` doubled) only when it holds a comma,
 * a quote or a line break.
 */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * A number unformatted: JavaScript's shortest round-trip decimal (`2.3`, `-0.4`,
 * `0.30000000000000004`, `1e-7`), so a parser reads back exactly the stored value; null,
 * NaN and ±Infinity as an empty cell (the email shows "—" for them).
 */
export function csvNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '';
  return Object.is(value, -0) ? '0' : String(value);
}

/**
 * The CSV text: the header, then the snapshot's metrics in catalogue order (METRICS.md),
 * then any id the catalogue does not know, alphabetically; CRLF line ends (RFC 4180 §2.1),
 * the last line ended too. `delta` is in the metric's `deltaKind` (pp, absolute, or
 * relative %) exactly as the snapshot stores it; `unit` is the catalogue unit.
 */
export function metricsCsv(snapshot: Snapshot): string {
  const known = METRICS.map((d) => d.id).filter((id) => snapshot.metrics[id] !== undefined);
  const knownSet = new Set(known);
  const others = Object.keys(snapshot.metrics)
    .filter((id) => !knownSet.has(id))
    .sort();
  const rows = [METRICS_CSV_HEADER.join(',')];
  for (const id of [...known, ...others]) {
    const metric = snapshot.metrics[id];
    if (!metric) continue;
    rows.push(
      [
        csvField(id),
        csvNumber(metric.value),
        csvNumber(metric.previous),
        csvNumber(metric.delta),
        csvField(metric.unit),
      ].join(','),
    );
  }
  return `${rows.join('\r\n')}\r\n`;
}
