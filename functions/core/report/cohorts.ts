/**
 * The cohort retention matrix of a snapshot (METRICS.md "Cohorts") as the email shows it:
 * one heatmap PNG per measure (customers, and revenue when the snapshot has it) with the
 * numbers drawn in its cells and written out in its alt text, and a compact table in the
 * plain text. No HTML table: the section must fit the worst-case email under Gmail's
 * 102 KB clip, and a 12 × 12 table costs 2 KB of HTML per measure. Strings here are raw; the template escapes them.
 */
import type { CohortMatrix, CohortRow, Snapshot } from '../snapshot';

/** At most this many cohorts and ages are shown (the engine computes no more). */
export const COHORTS_SHOWN = 12;

export interface HeatmapView {
  measure: 'customer' | 'revenue';
  /** `Customer retention`. */
  title: string;
  cid: string;
  filename: string;
  /** Cells by cohort (oldest first), by age; null where there is no value. */
  values: (number | null)[][];
  /** Every number of the heatmap in words, for screen readers and blocked images. */
  alt: string;
  /** The cells formatted for the table (whole percent, `—` for none), row by row. */
  cells: string[][];
}

export interface CohortsView {
  /** `Retention by signup week`. */
  title: string;
  /** Column headers of the ages: `0` … `11`. */
  ages: string[];
  /** Row labels (`W33`, `Oct 26`, `Q4 26`) and cohort sizes, formatted. */
  rows: { label: string; size: string }[];
  /** The row labels drawn in the image, digits only: `33`, `10`, `4`. */
  imageLabels: string[];
  /** `W33 – W44`: the first and last cohort, for the caption. */
  span: string;
  heatmaps: HeatmapView[];
  /** How to read it: definitions and what the colours mean. */
  note: string;
}

const KIND_WORDS = {
  week: { one: 'week', plural: 'weeks' },
  month: { one: 'month', plural: 'months' },
  quarter: { one: 'quarter', plural: 'quarters' },
} as const;

/** A cohort's compact label from its key: `2026-W33` → `W33`, `2026-10` → `Oct 26`, `2026-Q4` → `Q4 26`. */
export function cohortLabel(key: string, locale: string): string {
  const week = /^\d{4}-W(\d{2})$/.exec(key);
  if (week) return `W${week[1]}`;
  const month = /^(\d{4})-(\d{2})$/.exec(key);
  if (month) {
    const date = new Date(Date.UTC(Number(month[1]), Number(month[2]) - 1, 15));
    return new Intl.DateTimeFormat(locale, {
      month: 'short',
      year: '2-digit',
      timeZone: 'UTC',
    }).format(date);
  }
  const quarter = /^\d{2}(\d{2})-Q([1-4])$/.exec(key);
  if (quarter) return `Q${quarter[2]} ${quarter[1]}`;
  return key;
}

/** The digits of a key's week, month or quarter number: `2026-W33` → `33`, `2026-10` → `10`. */
function imageLabel(key: string): string {
  const m = /-(?:W|Q)?(\d{1,2})$/.exec(key);
  return m?.[1] ?? '';
}

/** The view of the snapshot's matrix, or null when it has none (or no cohort). */
export function cohortsView(snapshot: Snapshot, locale: string): CohortsView | null {
  const matrix: CohortMatrix | undefined = snapshot.cohorts;
  if (!matrix || matrix.cohorts.length === 0) return null;
  // The engine caps at 12 × 12 already; a hand-made or older snapshot is cut here too.
  const cohorts = matrix.cohorts.slice(-COHORTS_SHOWN).map((c) => ({
    ...c,
    customer: c.customer.slice(0, COHORTS_SHOWN),
    ...(c.revenue ? { revenue: c.revenue.slice(0, COHORTS_SHOWN) } : {}),
  }));
  const words = KIND_WORDS[matrix.kind];
  const whole = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const count = new Intl.NumberFormat(locale);
  const cell = (v: number | null | undefined) =>
    v === null || v === undefined || !Number.isFinite(v) ? '—' : whole.format(v);
  const ages = Math.max(...cohorts.map((c) => c.customer.length));
  const rows = cohorts.map((c) => ({
    label: cohortLabel(c.key, locale),
    size: count.format(c.size),
  }));

  const heatmap = (
    measure: HeatmapView['measure'],
    title: string,
    of: (c: CohortRow) => (number | null)[],
    what: string,
  ): HeatmapView => {
    const values = cohorts.map((c) => of(c).map((v) => (Number.isFinite(v) ? v : null)));
    return {
      measure,
      title,
      cid: `cohorts-${measure}@report`,
      filename: `cohorts-${measure}.png`,
      values,
      alt: `${title} by signup ${words.one} (its customers in brackets), ${what} at the end of ${words.one} 0, 1, … since signup: ${rows
        .map((r, i) => `${r.label} (${r.size}): ${(values[i] ?? []).map(cell).join(' ')}`)
        .join('; ')}`,
      cells: values.map((row) => row.map(cell)),
    };
  };

  const heatmaps = [
    heatmap('customer', 'Customer retention', (c) => c.customer, '% of the cohort active'),
  ];
  if (cohorts.some((c) => c.revenue !== undefined)) {
    heatmaps.push(
      heatmap(
        'revenue',
        'Revenue retention',
        (c) => c.revenue ?? [],
        'the cohort’s MRR as a % of its MRR',
      ),
    );
  }
  const revenueNote =
    heatmaps.length > 1
      ? ` Revenue retention: the cohort’s MRR then as a % of its MRR at the end of its signup ${words.one} (over 100 % with expansion; — when that MRR was 0).`
      : '';
  return {
    title: `Retention by signup ${words.one}`,
    ages: Array.from({ length: ages }, (_, k) => String(k)),
    rows,
    imageLabels: cohorts.map((c) => imageLabel(c.key)),
    span: `${rows[0]?.label} – ${rows[rows.length - 1]?.label}`,
    heatmaps,
    note:
      `Rows: the customers acquired in each ${words.one}, ${rows[0]?.label} at the top to ` +
      `${rows[rows.length - 1]?.label} (labelled by ${words.one} number); columns: ${words.plural} since signup, ` +
      `0 being the signup ${words.one}. Customer retention: % of the cohort active at the end of that ${words.one}.` +
      `${revenueNote} Darker is higher, in steps of 10 %. Customers per cohort: ${rows.map((r) => r.size).join(', ')}.`,
  };
}

/** The plain-text tables: `W33   41  100  90 …`, one per heatmap, within 76 columns. */
export function cohortsTextLines(view: CohortsView): string[] {
  const labelWidth = Math.max(6, ...view.rows.map((r) => [...r.label].length));
  const sizeWidth = Math.max(1, ...view.rows.map((r) => r.size.length));
  const pad = (s: string, n: number) => ' '.repeat(Math.max(0, n - [...s].length)) + s;
  const out: string[] = [];
  for (const h of view.heatmaps) {
    out.push('', `  ${h.title} (%)`);
    out.push(
      `    ${'Cohort'.padEnd(labelWidth)} ${pad('n', sizeWidth)}${view.ages.map((a) => pad(a, 4)).join('')}`,
    );
    view.rows.forEach((r, i) => {
      const cells = (h.cells[i] ?? []).map((c) => pad(c, 4)).join('');
      out.push(`    ${r.label.padEnd(labelWidth)} ${pad(r.size, sizeWidth)}${cells}`.trimEnd());
    });
  }
  return out;
}
