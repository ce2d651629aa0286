import { escapeHtml as e } from '../functions/core/report/escape';
import type { TableView } from '../functions/core/report/view';
import { keepTogether, SMALL } from './theme';

/**
 * A small titled table (breakdowns, at-risk customers, data quality). Cell borders, top
 * alignment and header type come from the `.dt` rules in the head (report.ts): on every
 * cell they were a tenth of the worst-case email, which must stay under Gmail's 102 KB.
 */
export function tableMjml(table: TableView, fontSize = 13): string {
  const head = table.columns
    .map((c) => `<th align="${c.align}" nowrap>${e(c.header)}</th>`)
    .join('');
  const body = table.rows
    .map((row) => {
      const cells = row.cells
        .map((cell, i) => {
          if (i > 0) {
            const align = table.columns[i]?.align ?? 'right';
            return `<td align="${align}" nowrap>${e(cell)}</td>`;
          }
          const note = row.note ? `<br /><small>${keepTogether(row.note)}</small>` : '';
          // Reasons wrap freely: one line of them is wider than a phone.
          const why = row.why ? `<br /><small>${e(row.why)}</small>` : '';
          return `<td>${table.ids ? e(cell) : breakable(cell)}${note}${why}</td>`;
        })
        .join('');
      return `<tr>${cells}</tr>`;
    })
    .join('\n');
  const more = table.more
    ? `<tr><td colspan="${table.columns.length}" style="${SMALL};font-size:12px">${e(table.more)}</td></tr>`
    : '';
  return `<mj-text font-size="13px" font-weight="700" padding-top="14px" padding-bottom="2px">${e(table.title)}</mj-text>
<mj-table font-size="${fontSize}px" line-height="18px" css-class="dt">
<tr>${head}</tr>
${body}
${more}
</mj-table>`;
}

/**
 * Names such as `marketing_spend` or `paid_search` may break after an underscore on a
 * phone instead of mid-word (cells inherit MJML's `word-break: break-word`).
 */
function breakable(text: string): string {
  return e(text).replaceAll('_', '_<wbr>');
}
