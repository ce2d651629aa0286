/**
 * The report email as one MJML document, assembled from the partials in this folder.
 * Templates are TypeScript functions (not .mjml files) so the Lambda bundle needs no
 * files copied beside it; every value from data or config goes through `escapeHtml`.
 */
import { escapeHtml as e } from '../functions/core/report/escape';
import type { ReportView } from '../functions/core/report/view';
import { attentionMjml } from './attention';
import { cohortsMjml } from './cohorts';
import { footerMjml } from './footer';
import { headerMjml } from './header';
import { headlineMjml } from './headline';
import { sectionMjml } from './sections';
import { segmentsMjml } from './segments';
import { CELL_PADDING, FONT, PAGE, PANEL, TABLE_CSS, TEXT } from './theme';
import { trendsMjml } from './trends';

export function reportMjml(view: ReportView): string {
  return `<mjml lang="en">
<mj-head>
  <mj-title>${e(view.subject)}</mj-title>
  <mj-preview>${e(view.preview)}</mj-preview>
  <mj-attributes>
    <mj-all font-family="${FONT}" />
    <mj-text font-size="14px" line-height="20px" color="${TEXT}" padding="0 24px" />
    <mj-table color="${TEXT}" padding="0 ${24 - CELL_PADDING}px" cellpadding="${CELL_PADDING}" cellspacing="0" />
    <mj-section background-color="${PANEL}" />
  </mj-attributes>
  <mj-style>
    ${TABLE_CSS}
    @media only screen and (max-width: 479px) {
      .hl-col { width: 50% !important; max-width: 50% !important; display: inline-block !important; }
      .sg .m { display: none !important; }
      .sg td, .sg th { font-size: 11px !important; padding-left: 3px !important; padding-right: 3px !important; }
    }
  </mj-style>
</mj-head>
<mj-body background-color="${PAGE}" width="600px">
${headerMjml(view)}
${attentionMjml(view.attention)}
${headlineMjml(view.headline)}
${trendsMjml(view.trends, view.trendsTitle)}
${view.sections.map(sectionMjml).join('\n')}
${segmentsMjml(view.segments)}
${cohortsMjml(view.cohorts)}
${footerMjml(view)}
</mj-body>
</mjml>`;
}
