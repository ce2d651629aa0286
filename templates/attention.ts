import { escapeHtml as e } from '../functions/core/report/escape';
import type { AttentionView } from '../functions/core/report/view';
import { BANNER } from './theme';

/** "What needs attention": each threshold crossed or value out of range, with its reason. */
export function attentionMjml(attention: AttentionView[]): string {
  if (attention.length === 0) return '';
  const items = attention.map((a) => `• ${e(a.reason)}`).join('<br />');
  return `<mj-section background-color="${BANNER}" padding="10px 0" css-class="attention">
  <mj-column><mj-text font-size="14px" font-weight="700" padding-bottom="4px">What needs attention</mj-text><mj-text font-size="13px" line-height="19px">${items}</mj-text></mj-column>
</mj-section>`;
}
