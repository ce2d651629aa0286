import { HEATMAP_DEFAULTS } from '../functions/core/report/chart';
import type { CohortsView } from '../functions/core/report/cohorts';
import { escapeHtml as e } from '../functions/core/report/escape';
import { MUTED } from './theme';

/**
 * The cohort matrix: per measure its title and heatmap PNG (by CID; the numbers are drawn
 * in the cells and listed in the alt text), then one note, all in one `mj-text` with plain
 * `<img>` tags rather than an `mj-image` and `mj-text` each: the section has to fit the worst-case email
 * under Gmail's 102 KB clip. The image is at most 13 × 24 = 312 px wide, within a 375 px
 * phone, and shrinks with the column (`max-width:100%`) on anything narrower.
 */
export function cohortsMjml(view: CohortsView | null): string {
  if (!view) return '';
  const width = HEATMAP_DEFAULTS.cellWidth * (view.ages.length + 1);
  const maps = view.heatmaps
    .map(
      (h) =>
        `<b>${e(h.title)}</b><br /><img src="cid:${e(h.cid)}" alt="${e(h.alt)}" width="${width}" class="cohort-heatmap" style="display:block;width:${width}px;max-width:100%;height:auto;border:0;margin:4px 0 12px" />`,
    )
    .join('\n');
  return `<mj-section padding="20px 0 4px" css-class="section-cohorts">
<mj-column>
<mj-text font-size="13px" line-height="18px"><div style="font-size:16px;line-height:20px;font-weight:700;margin-bottom:6px">${e(view.title)}</div>
${maps}
<div style="font-size:12px;line-height:16px;color:${MUTED}">${e(view.note)}</div></mj-text>
</mj-column>
</mj-section>`;
}
