import { escapeHtml as e } from '../functions/core/report/escape';
import type { ReportView } from '../functions/core/report/view';
import { BANNER, MUTED } from './theme';

/** Report name, the period in words, and the "revised" banner when the numbers changed. */
export function headerMjml(view: ReportView): string {
  // The changed metrics of a revised email, old → new; every value escaped like all data.
  const changes =
    view.changes.length > 0
      ? `<mj-text font-size="13px" padding-top="0">What changed:<br />${view.changes
          .map((c) => `${e(c.label)}: ${e(c.before)} → ${e(c.after)}`)
          .join('<br />')}</mj-text>`
      : '';
  const banner = view.revised
    ? `<mj-section background-color="${BANNER}" padding="10px 0">
  <mj-column><mj-text font-size="13px"><strong>${e(view.revised)}</strong></mj-text>${changes}</mj-column>
</mj-section>`
    : '';
  return `<mj-section padding="20px 0 8px">
  <mj-column>
    <mj-text font-size="22px" line-height="28px" font-weight="700">${e(view.name)}</mj-text>
    <mj-text font-size="14px" color="${MUTED}" padding-top="4px">${e(view.period.long)}</mj-text>
  </mj-column>
</mj-section>
${banner}`;
}
