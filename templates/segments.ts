import { escapeHtml as e } from '../functions/core/report/escape';
import type { SegmentsView } from '../functions/core/report/segments';
import type { TableView } from '../functions/core/report/view';
import { MUTED } from './theme';

/**
 * The segment breakdowns: all tables in one `mj-table`, each with its title as a row, so the
 * four tables cost one MJML wrapper instead of eight (the worst-case email has to stay under
 * Gmail's 102 KB clip). Cell borders, alignment and header type come from the `.dt` and `.sg` rules
 * in the head (theme.ts), not from styles on every cell. Up to eight columns must fit a
 * 375 px phone: 12px type, 4px cell padding, and the Retention column (100 − churn, so no
 * information is lost) hidden below 480 px by the `.m` rule.
 */
export function segmentsMjml(view: SegmentsView | null): string {
  if (!view) return '';
  const width = Math.max(...view.tables.map((t) => t.columns.length));
  return `<mj-section padding="20px 0 4px" css-class="section-segments">
<mj-column>
<mj-text font-size="16px" font-weight="700" padding-bottom="2px">${e(view.title)}</mj-text>
<mj-table font-size="12px" line-height="16px" cellpadding="4" padding="0 20px" css-class="dt sg">
${view.tables.map((t) => tableRows(t, width)).join('\n')}
</mj-table>
<mj-text font-size="12px" line-height="16px" color="${MUTED}" padding-top="8px">${e(view.note)}</mj-text>
</mj-column>
</mj-section>`;
}

/** The retention column: hidden on phones (see above). */
const hiddenOnPhones = (header: string) => (header === 'Retention' ? ' class="m"' : '');

/**
 * Number cells are bare `<td>`s: right-aligned and unbroken by the `.sg td` rule, the value
 * cell (`.v`) left-aligned. Half the bytes of `align` and `nowrap` on each cell; a client
 * without head styles shows the numbers left-aligned.
 */
function tableRows(table: TableView, width: number): string {
  const classes = table.columns.map((c) => hiddenOnPhones(c.header));
  // A table with fewer columns than the widest (no CAC) ends in one empty cell, so its row
  // rules run the full width like the others'.
  const rest = width - table.columns.length;
  const pad = rest > 0 ? `<td colspan="${rest}"></td>` : '';
  const head = table.columns
    .map((c, i) =>
      i === 0 ? `<th class="v">${e(c.header)}</th>` : `<th${classes[i]}>${e(c.header)}</th>`,
    )
    .join('');
  const body = table.rows
    .map(
      (row) =>
        `<tr>${row.cells
          .map((cell, i) =>
            i === 0 ? `<td class="v">${e(cell)}</td>` : `<td${classes[i]}>${e(cell)}</td>`,
          )
          .join('')}${pad}</tr>`,
    )
    .join('\n');
  return `<tr><td colspan="${width}" class="st"><b>${e(table.title)}</b></td></tr>
<tr>${head}${rest > 0 ? `<th colspan="${rest}"></th>` : ''}</tr>
${body}`;
}
