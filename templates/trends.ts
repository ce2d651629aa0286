import { CHART_DEFAULTS } from '../functions/core/report/chart';
import { escapeHtml as e } from '../functions/core/report/escape';
import type { TrendView } from '../functions/core/report/view';
import { keepTogether, MUTED } from './theme';

/** Trend charts two to a row: the label above, the PNG (by CID), min/max/last below. */
export function trendsMjml(trends: TrendView[], title: string): string {
  if (trends.length === 0) return '';
  const rows: string[] = [
    `<mj-section padding="16px 0 0"><mj-column><mj-text font-size="16px" font-weight="700">${e(title)}</mj-text></mj-column></mj-section>`,
  ];
  for (let i = 0; i < trends.length; i += 2) {
    const cells = trends
      .slice(i, i + 2)
      .map(chart)
      .join('\n');
    rows.push(`<mj-section padding="4px 0">\n${cells}\n</mj-section>`);
  }
  return rows.join('\n');
}

function chart(t: TrendView): string {
  return `<mj-column padding="4px 0">
  <mj-text font-size="13px" font-weight="600" padding-bottom="4px">${e(t.label)}</mj-text>
  <mj-image src="cid:${e(t.cid)}" alt="${e(t.alt)}" width="${CHART_DEFAULTS.width}px" align="left" padding="0 20px" />
  <mj-text font-size="12px" line-height="16px" color="${MUTED}" padding-top="4px">${keepTogether(t.summary)}<br />${e(t.span)}</mj-text>
</mj-column>`;
}
