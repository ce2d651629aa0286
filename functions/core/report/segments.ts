/**
 * The segment breakdowns of a snapshot (METRICS.md "Segments") as the email shows them: one
 * compact table per column with data, its values largest first, then "(none)" and "Other"
 * where they fall. A metric that is null in every row of a table (CAC outside the channel
 * breakdown, ARPC and CLV without orders) is left out as a column and explained in the note,
 * rather than printed as a column of dashes: the email has to fit Gmail's 102 KB clip.
 * Strings here are raw; the template and the text writer escape or align them.
 */
import type { SegmentBreakdown, SegmentRow, Snapshot } from '../snapshot';
import type { ReportFormatter } from './format';
import type { TableColumn, TableView } from './view';

export interface SegmentsView {
  title: string;
  tables: TableView[];
  /** How to read the tables: what each column counts. */
  note: string;
}

const COLUMN_TITLES: Record<string, string> = {
  segment: 'By segment',
  country: 'By country',
  plan: 'By plan',
  acquisition_channel: 'By acquisition channel',
};

/** The table columns after the value, each with the row field it shows and its unit. */
const FIELDS: readonly {
  id: keyof SegmentRow;
  header: string;
  unit: 'count' | 'percent' | 'money';
}[] = [
  { id: 'customers_end', header: 'Customers', unit: 'count' },
  { id: 'new_customers', header: 'New', unit: 'count' },
  { id: 'churn_rate', header: 'Churn', unit: 'percent' },
  { id: 'retention_rate', header: 'Retention', unit: 'percent' },
  { id: 'arpc', header: 'ARPC', unit: 'money' },
  { id: 'clv_historic', header: 'CLV', unit: 'money' },
  { id: 'cac', header: 'CAC', unit: 'money' },
];

/** Longest value shown; the snapshot keeps the whole value. */
export const LABEL_CHARACTERS = 40;

/**
 * `(none)` for customers without a value, `Other (12)` for the folded values; a value over
 * 40 characters is cut with `…` (by code point, so no emoji is split).
 */
export function segmentLabel(row: SegmentRow): string {
  if (row.other !== undefined) return `Other (${row.other})`;
  if (row.value === null) return '(none)';
  const chars = [...row.value];
  return chars.length <= LABEL_CHARACTERS
    ? row.value
    : `${chars.slice(0, LABEL_CHARACTERS - 1).join('')}…`;
}

function segmentTable(b: SegmentBreakdown, fmt: ReportFormatter): TableView {
  // A column null in every row says nothing per value: left out (the note says why).
  const fields = FIELDS.filter((f) => b.rows.some((r) => r[f.id] !== null));
  const columns: TableColumn[] = [
    { header: 'Value', align: 'left' },
    ...fields.map((f) => ({ header: f.header, align: 'right' as const })),
  ];
  return {
    title: COLUMN_TITLES[b.column] ?? `By ${b.column}`,
    columns,
    rows: b.rows.map((r) => ({
      cells: [segmentLabel(r), ...fields.map((f) => fmt.value(f.unit, r[f.id] as number | null))],
    })),
  };
}

/** The section, or null when the snapshot has no breakdown with rows. */
export function segmentsView(snapshot: Snapshot, fmt: ReportFormatter): SegmentsView | null {
  const shown = (snapshot.segments ?? []).filter((b) => b.rows.length > 0);
  if (shown.length === 0) return null;
  return {
    title: 'Segments',
    tables: shown.map((b) => segmentTable(b, fmt)),
    note:
      'Customers: active at the end of the period; values ranked by it. Churn and retention ' +
      'are of the customers active at its start, ARPC is revenue ÷ customers at the end, CLV ' +
      'the historic CLV, CAC the channel’s marketing spend ÷ its new customers (by ' +
      'acquisition channel only). Each customer counts under their current value, so the ' +
      'rows add up to the totals above. — : nothing to divide by.',
  };
}

const TEXT_WIDTH = 76;
const len = (s: string) => [...s].length;

/**
 * A table for the plain-text version: the value and its numbers on one line when that fits
 * 76 columns, else the value on a line of its own with the numbers aligned under the header.
 */
export function segmentTextLines(table: TableView): string[] {
  const numbers = [
    table.columns.slice(1).map((c) => c.header),
    ...table.rows.map((r) => r.cells.slice(1)),
  ];
  const widths =
    numbers[0]?.map((_, i) => Math.max(...numbers.map((row) => len(row[i] ?? '')))) ?? [];
  const line = (cells: string[]) =>
    cells.map((c, i) => ' '.repeat((widths[i] ?? 0) - len(c)) + c).join('  ');
  const labels = [table.columns[0]?.header ?? '', ...table.rows.map((r) => r.cells[0] ?? '')];
  const labelWidth = Math.max(...labels.map(len));
  const oneLine = 4 + labelWidth + 2 + len(line(numbers[0] ?? [])) <= TEXT_WIDTH;
  const out = [`  ${table.title}`];
  numbers.forEach((cells, i) => {
    const label = labels[i] ?? '';
    if (oneLine)
      out.push(`    ${label}${' '.repeat(labelWidth - len(label))}  ${line(cells)}`.trimEnd());
    else out.push(...(i === 0 ? [] : [`    ${label}`]), `      ${line(cells)}`);
  });
  return out;
}
