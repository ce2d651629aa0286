/**
 * The plain-text alternative, written from the same view as the HTML (not by stripping
 * it), so it has the same sections, numbers and deltas. Columns are aligned for a
 * fixed-width font; prose is wrapped at 76 characters.
 */
import { cohortsTextLines } from './cohorts';
import type { DeltaView } from './format';
import { segmentTextLines } from './segments';
import type { MetricView, ReportView, TableView } from './view';

const WIDTH = 76;

export function renderText(view: ReportView): string {
  const out: string[] = [];
  out.push(view.name, view.period.long, '');
  if (view.revised) out.push(...wrap(`*** ${view.revised} ***`), '');
  if (view.changes.length > 0) {
    out.push('What changed:');
    for (const c of view.changes) out.push(...wrap(`${c.label}: ${c.before} → ${c.after}`, '  '));
    out.push('');
  }
  if (view.attention.length > 0) {
    out.push(heading('What needs attention'));
    for (const a of view.attention) out.push(...wrap(`- ${a.reason}`, '  ', '    '));
    out.push('');
  }

  out.push(heading('Key numbers'), ...metricLines(view.headline), '');

  if (view.trends.length > 0) {
    out.push(heading(view.trendsTitle));
    for (const t of view.trends) {
      out.push(...wrap(`${t.alt}.`, '  '), ...wrap(`${t.summary} (${t.span})`, '    '));
    }
    out.push('');
  }

  for (const section of view.sections) {
    out.push(heading(section.title), ...metricLines(section.metrics));
    for (const table of section.tables) out.push('', ...tableLines(table));
    for (const note of section.notes) out.push('', ...wrap(note, '  '));
    out.push('');
  }

  if (view.segments) {
    out.push(heading(view.segments.title));
    for (const table of view.segments.tables) out.push(...segmentTextLines(table), '');
    out.push(...wrap(view.segments.note, '  '), '');
  }

  if (view.cohorts) {
    out.push(heading(view.cohorts.title), ...wrap(view.cohorts.note, '  '));
    out.push(...cohortsTextLines(view.cohorts), '');
  }

  const q = view.quality;
  out.push(heading('Data quality & sources'), ...tableLines(q.datasets));
  if (q.filesRejected.length > 0) {
    out.push('', '  Files that could not be read:');
    for (const f of q.filesRejected) out.push(...wrap(`- ${f}`, '    ', '      '));
  }
  if (q.reasons.length > 0) {
    out.push('', '  First rejected rows:');
    for (const r of q.reasons) out.push(...wrap(`- ${r}`, '    ', '      '));
  }
  if (q.consistency.length > 0) {
    out.push('', '  Across datasets (rows kept as they are):');
    for (const c of q.consistency) out.push(...wrap(`- ${c}`, '    ', '      '));
  }
  out.push('', ...wrap(q.rejectedNote, '  '));
  out.push(
    '',
    `  Computed from ${q.inputFiles.total} input file${q.inputFiles.total === 1 ? '' : 's'}:`,
  );
  for (const f of q.inputFiles.shown) out.push(`    - ${f}`);
  if (q.inputFiles.more > 0) out.push(`    and ${q.inputFiles.more} more`);
  out.push('', heading('Glossary'));
  for (const g of view.glossary) out.push(...wrap(`${g.label}: ${g.definition}`, '  ', '    '));
  const computed = [q.computedAt, q.took].filter(Boolean).join(' ');
  out.push('', ...wrap(`Computed ${computed} · ${q.identity}`));
  if (view.reportUrl) out.push(`Stored copy: ${view.reportUrl}`);
  // Whole lines, never wrapped: a URL split over two lines is a broken link.
  if (view.links) {
    out.push(
      '',
      `Open this report online: ${view.links.archive}`,
      `All reports: ${view.links.index}`,
      `Unsubscribe: ${view.links.unsubscribe}`,
    );
  }
  return `${out.join('\n')}\n`;
}

function heading(title: string): string {
  const upper = title.toUpperCase();
  return `${upper}\n${'-'.repeat(len(upper))}`;
}

/**
 * `label   value   ▲ +0.4 pp  worse   was 1.9%`, with the reason under a null value; a
 * small sample says `n = 8` where the verdict would be.
 */
function metricLines(metrics: MetricView[]): string[] {
  const rows = metrics.map((m) => [
    m.label,
    m.value,
    [m.delta.arrow, m.delta.text].filter(Boolean).join(' '),
    m.sample ? `${m.sample}, small sample` : verdictWord(m.delta),
    m.delta.previous ? `was ${m.delta.previous}` : '',
  ]);
  const lines = align(rows, ['left', 'right', 'left', 'left', 'left'], '  ');
  return lines.flatMap((line, i) => {
    const reason = metrics[i]?.reason;
    return reason ? [line, ...wrap(reason, '    ')] : [line];
  });
}

function verdictWord(d: DeltaView): string {
  if (d.tone === 'neutral') return '';
  return d.tone === 'good' ? 'better' : 'worse';
}

function tableLines(table: TableView): string[] {
  const rows = [table.columns.map((c) => c.header), ...table.rows.map((r) => r.cells)];
  const lines = align(
    rows,
    table.columns.map((c) => c.align),
    '    ',
  );
  const body = lines.flatMap((line, i) => {
    const row = i > 0 ? table.rows[i - 1] : undefined;
    const note = row?.note ? [`      ${row.note}`] : [];
    const why = row?.why ? wrap(row.why, '      ', '        ') : [];
    return [line, ...note, ...why];
  });
  return [`  ${table.title}`, ...body, ...(table.more ? [`    ${table.more}`] : [])];
}

/** Code points, so ▲ and — count as one column. */
function len(s: string): number {
  return [...s].length;
}

function align(rows: string[][], aligns: ('left' | 'right')[], indent: string): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, len(cell));
    });
  }
  return rows.map((row) =>
    (
      indent +
      row
        .map((cell, i) => {
          const pad = ' '.repeat((widths[i] ?? 0) - len(cell));
          return aligns[i] === 'right' ? pad + cell : cell + pad;
        })
        .join('  ')
    ).trimEnd(),
  );
}

/** Greedy word wrap; words longer than the line (file keys, URLs) stay whole. */
function wrap(text: string, indent = '', hanging = indent): string[] {
  const lines: string[] = [];
  let line = indent;
  let empty = true;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (!empty && len(line) + 1 + len(word) > WIDTH) {
      lines.push(line);
      line = hanging + word;
    } else {
      line = empty ? line + word : `${line} ${word}`;
    }
    empty = false;
  }
  lines.push(line);
  return lines;
}
