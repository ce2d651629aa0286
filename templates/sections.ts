import { escapeHtml as e } from '../functions/core/report/escape';
import type { MetricView, SectionView } from '../functions/core/report/view';
import { tableMjml } from './table';
import { MUTED, toneColor, verdict } from './theme';

/** One family of metrics: value, change and previous value, then its breakdown tables. */
export function sectionMjml(section: SectionView): string {
  const rows = section.metrics.map(metricRow).join('\n');
  const tables = section.tables.map((t) => tableMjml(t)).join('\n');
  const notes = section.notes
    .map(
      (n) =>
        `<mj-text font-size="12px" line-height="16px" color="${MUTED}" padding-top="8px">${e(n)}</mj-text>`,
    )
    .join('\n');
  return `<mj-section padding="20px 0 4px" css-class="section-${e(section.id)}">
<mj-column>
<mj-text font-size="16px" font-weight="700" padding-bottom="6px">${e(section.title)}</mj-text>
<mj-table font-size="14px" line-height="18px" css-class="dt">
<tr><th align="left">Metric</th><th align="right">Value</th><th align="right">Change</th></tr>
${rows}
</mj-table>
${tables}
${notes}
</mj-column>
</mj-section>`;
}

function metricRow(m: MetricView): string {
  const label = m.reason ? `${e(m.label)}<br /><small>${e(m.reason)}</small>` : e(m.label);
  const value = m.isNull
    ? `<span style="color:${MUTED}" title="${e(m.reason ?? '')}">—</span>`
    : `<b>${e(m.value)}</b>`;
  const d = m.delta;
  const change = [d.arrow, d.text].filter(Boolean).join(' ');
  const was = d.previous ? `<small>was ${e(d.previous)}</small>` : '';
  // A small sample: the change stays grey and says how few observations it rests on.
  const title = m.sample ? `small sample (${m.sample})` : verdict(d);
  const sample = m.sample ? `<small class="small-sample">${e(m.sample)}</small>` : '';
  const under = [sample, was].filter(Boolean).join('<br />');
  const delta = change
    ? `<span style="color:${toneColor(d.tone)}" title="${e(title)}">${e(change)}</span>${under ? `<br />${under}` : ''}`
    : under;
  return `<tr><td>${label}</td><td align="right" nowrap>${value}</td><td align="right" nowrap>${delta}</td></tr>`;
}
