import { escapeHtml as e } from '../functions/core/report/escape';
import type { MetricView } from '../functions/core/report/view';
import { MUTED, toneColor, verdict } from './theme';

/**
 * Two to a row at every width: a phone cannot fit three large numbers side by side, and
 * MJML columns cannot reflow from one section to the next, so three on desktop would
 * leave a lone card on every other row on a phone.
 */
const PER_ROW = 2;

/** The key numbers, each with its change and previous value. */
export function headlineMjml(metrics: MetricView[]): string {
  const rows: string[] = [];
  for (let i = 0; i < metrics.length; i += PER_ROW) {
    const cards = metrics
      .slice(i, i + PER_ROW)
      .map(card)
      .join('\n');
    rows.push(`<mj-section padding="4px 12px" text-align="left">\n${cards}\n</mj-section>`);
  }
  return rows.join('\n');
}

function card(m: MetricView): string {
  const value = m.isNull
    ? `<div class="hl-value" style="font-size:24px;line-height:30px;font-weight:700;color:${MUTED}" title="${e(m.reason ?? '')}">—</div>
<div style="font-size:11px;line-height:14px;color:${MUTED}">${e(m.reason ?? '')}</div>`
    : `<div class="hl-value" style="font-size:24px;line-height:30px;font-weight:700">${e(m.value)}</div>
${deltaLine(m)}`;
  return `<mj-column css-class="hl-col" width="50%" padding="4px 0">
  <mj-text padding="6px 12px" css-class="hl-${e(m.id)}"><div style="font-size:12px;line-height:16px;color:${MUTED}">${e(m.label)}</div>
${value}</mj-text>
</mj-column>`;
}

function deltaLine(m: MetricView): string {
  const d = m.delta;
  // The change and "was …" each stay on one line, but may wrap apart on a narrow card.
  const was = d.previous
    ? ` <span style="color:${MUTED};white-space:nowrap">was ${e(d.previous)}</span>`
    : '';
  const change = [d.arrow, d.text].filter(Boolean).join(' ');
  // A small sample: the change stays grey and says how few observations it rests on.
  const title = m.sample ? `small sample (${m.sample})` : verdict(d);
  const sample = m.sample
    ? ` <span class="small-sample" style="color:${MUTED};white-space:nowrap">${e(m.sample)}</span>`
    : '';
  return `<div style="font-size:13px;line-height:18px"><span style="color:${toneColor(d.tone)};font-weight:600;white-space:nowrap" title="${e(title)}">${e(change)}</span>${sample}${was}</div>`;
}
