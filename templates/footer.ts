import { escapeHtml as e } from '../functions/core/report/escape';
import type { ReportView } from '../functions/core/report/view';
import { tableMjml } from './table';
import { MUTED, PAGE } from './theme';

const SMALL = `font-size="12px" line-height="17px" color="${MUTED}"`;

/** Data quality, sources and the glossary: what every number above was computed from. */
export function footerMjml(view: ReportView): string {
  const q = view.quality;
  const list = (title: string, items: string[]) =>
    items.length === 0
      ? ''
      : `<mj-text ${SMALL} padding-top="10px"><strong>${e(title)}</strong><br />${items.map(e).join('<br />')}</mj-text>`;
  const files = [
    ...q.inputFiles.shown,
    ...(q.inputFiles.more > 0 ? [`and ${q.inputFiles.more} more`] : []),
  ];
  const link = view.reportUrl
    ? `<br /><a href="${e(view.reportUrl)}" style="color:${MUTED}">Open the stored copy of this report</a>`
    : '';
  // Signed links to the links function (functions/links.ts), only when the stack has one.
  const a = (href: string, label: string) =>
    `<a href="${e(href)}" style="color:${MUTED}">${label}</a>`;
  const links = view.links
    ? `<br />${[
        a(view.links.archive, 'Open this report online'),
        a(view.links.index, 'All reports'),
        a(view.links.unsubscribe, 'Unsubscribe'),
      ].join(' · ')}`
    : '';
  return `<mj-section background-color="${PAGE}" padding="16px 0 24px" css-class="quality">
  <mj-column>
    <mj-text font-size="15px" font-weight="700">Data quality &amp; sources</mj-text>
${tableMjml(q.datasets, 12)}
${list('Files that could not be read', q.filesRejected)}
${list('First rejected rows', q.reasons)}
${list('Across datasets (rows kept as they are)', q.consistency)}
    <mj-text ${SMALL} padding-top="10px">${e(q.rejectedNote)}</mj-text>
${list(`Computed from ${q.inputFiles.total} input file${q.inputFiles.total === 1 ? '' : 's'}`, files)}
${glossaryMjml(view)}
    <mj-text ${SMALL} padding-top="10px">Computed ${e([q.computedAt, q.took].filter(Boolean).join(' '))} · ${e(q.identity)}${link}${links}</mj-text>
  </mj-column>
</mj-section>`;
}

function glossaryMjml(view: ReportView): string {
  if (view.glossaryLeftOut) {
    return `<mj-text ${SMALL} padding-top="10px"><strong>Glossary</strong>: left out of this view to stay under Gmail’s 102 KB limit; it is in the plain-text version of this email and in docs/METRICS.md.</mj-text>`;
  }
  if (view.glossary.length === 0) return '';
  const items = view.glossary
    .map((g) => `<strong>${e(g.label)}</strong>: ${e(g.definition)}`)
    .join('<br />');
  return `<mj-text ${SMALL} padding-top="10px"><strong>Glossary</strong><br />${items}</mj-text>`;
}
