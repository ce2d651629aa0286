import { escapeHtml as e } from '../functions/core/report/escape';
import type { TableView } from '../functions/core/report/view';
import { CELL, keepTogether, SMALL, TH } from './theme';

/** A small titled table (breakdowns, at-risk customers, data quality). */
export function tableMjml(table: TableView, fontSize = 13): string {
  const head = table.columns
    .map((c) => `<th align="${c.align}" nowrap style="${TH}">${e(c.header)}</th>`)
    .join('');
  const body = table.rows
    .map((row) => {
      const cells = row.cells
        .map((cell, i) => {
          if (i > 0) {
            const align = table.columns[i]?.align ?? 'right';
            return `<td align="${align}" nowrap style="${CELL}">${e(cell)}</td>`;
          }
          const note = row.note
            ? `<br /><small style="${SMALL}">${keepTogether(row.note)}</small>`
            : '';
          return `<td style="${CELL}">${breakable(cell)}${note}</td>`;
        })
        .join('');
      return `<tr valign="top">${cells}</tr>`;
    })
    .join('\n');
  const more = table.more
    ? `<tr><td colspan="${table.columns.length}" style="${CELL};${SMALL};font-size:12px">${e(table.more)}</td></tr>`
    : '';
  return `<mj-text font-size="13px" font-weight="700" padding-top="14px" padding-bottom="2px">${e(table.title)}</mj-text>
<mj-table font-size="${fontSize}px" line-height="18px">
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
