/**
 * The cohort matrix in the email: the heatmap PNG (colours and drawn digits), the view's
 * labels, alt text and caps, the plain-text table, and escaping. Fixture values: cohort j
 * (W33 = 0) at age k has customers 96 − 5k − (j mod 3) % and revenue 100 + 2k − 4k·(j mod 2)
 * % (W44: null), sizes 40 + 2j with W44 1,234 (test/fixtures/report-snapshot.ts).
 */
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { heatColour, renderHeatmap } from '../../../functions/core/report/chart';
import { cohortLabel, cohortsView } from '../../../functions/core/report/cohorts';
import { renderReport } from '../../../functions/core/report/render';
import { buildReportView } from '../../../functions/core/report/view';
import type { Snapshot } from '../../../functions/core/snapshot';
import { reportMjml } from '../../../templates/report';
import {
  fixtureConfig,
  fixtureHistory,
  fixtureSnapshot,
  fixtureSnapshotWithCohorts,
  HOSTILE,
} from '../../fixtures/report-snapshot';

function pixel(png: PNG, x: number, y: number): [number, number, number] {
  const i = (y * png.width + x) * 4;
  return [png.data[i] ?? -1, png.data[i + 1] ?? -1, png.data[i + 2] ?? -1];
}

// Defaults: cells 24 × 15 CSS px at 2× = 48 × 30 device px, the last 2 px of each a gap;
// one label column and one header row; digits 3 × 5 font pixels of 3 device px.

describe('heatColour', () => {
  it('steps from a faint tint to the chart blue in tenths', () => {
    // Step 9 (90 % and over, also over 100 %): t = 1, the line colour #0969da = (9, 105, 218).
    expect(heatColour(96)).toEqual([9, 105, 218]);
    expect(heatColour(250)).toEqual([9, 105, 218]);
    // 41 % is step 4: t = 0.5: 255 + (9 − 255)/2 = 132, 255 − 75 = 180, 255 − 18.5 = 236.5 → 237.
    expect(heatColour(41)).toEqual([132, 180, 237]);
    // 0 % is step 0: t = 0.1: 255 − 24.6 = 230.4 → 230, 255 − 15 = 240, 255 − 3.7 = 251.3 → 251.
    expect(heatColour(0)).toEqual([230, 240, 251]);
    // No value: light grey.
    expect(heatColour(null)).toEqual([234, 238, 242]);
  });
});

describe('renderHeatmap', () => {
  it('draws one coloured cell per value, blank cells after a short row, and the digits', () => {
    // Act: 2 rows × 3 columns, the second row one value and a null.
    const png = PNG.sync.read(
      renderHeatmap({
        rows: [
          [100, 41, 0],
          [null, 96],
        ],
        rowLabels: ['33', '34'],
        columnLabels: ['0', '1', '2'],
      }),
    );

    // Assess: (3 + 1) × 48 = 192 wide, (2 + 1) × 30 = 90 high.
    expect([png.width, png.height]).toEqual([192, 90]);
    // Cell corners (no digit there): row 1 col 1 is 100 % at (48, 30); row 1 col 2 41 % at
    // (96, 30); row 2 col 1 null at (48, 60); row 2 col 3 not drawn: white at (144, 60).
    expect(pixel(png, 49, 31)).toEqual([9, 105, 218]);
    expect(pixel(png, 97, 31)).toEqual([132, 180, 237]);
    expect(pixel(png, 49, 61)).toEqual([234, 238, 242]);
    expect(pixel(png, 150, 70)).toEqual([255, 255, 255]);
    // The gap between cells is white: x = 48 + 46 = 94.
    expect(pixel(png, 94, 40)).toEqual([255, 255, 255]);
    // "100" in white on the dark cell: 3 glyphs × 4 × 3 px − 3 = 33 px wide, from
    // x = 48 + round((46 − 33) / 2) = 48 + 7 = 55, y = 30 + round((28 − 15) / 2) = 37.
    // The "1" glyph's top row is 010: its pixel (1, 0) at x 58–60, y 37–39 is ink.
    expect(pixel(png, 58, 37)).toEqual([255, 255, 255]);
    expect(pixel(png, 55, 37)).toEqual([9, 105, 218]);
    // The 41 % cell gets dark text (step 4 < 5): "41" is 2 × 12 − 3 = 21 px, from x = 96 +
    // round(12.5) = 109; "4" is 101 on top: (0, 0) at x 109, y 37 is ink #222.
    expect(pixel(png, 109, 37)).toEqual([34, 34, 34]);
  });

  it('refuses an empty matrix', () => {
    expect(() => renderHeatmap({ rows: [], rowLabels: [], columnLabels: [] })).toThrow(
      /at least one row/,
    );
  });
});

describe('cohortsView', () => {
  it('labels cohorts compactly and lists every number in the alt text', () => {
    // Act
    const view = cohortsView(fixtureSnapshotWithCohorts(), 'en-US');

    // Assess
    expect(view?.title).toBe('Retention by signup week');
    expect(view?.ages).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11']);
    expect(view?.rows[0]).toEqual({ label: 'W33', size: '40' });
    expect(view?.rows[11]).toEqual({ label: 'W44', size: '1,234' });
    expect(view?.imageLabels.slice(0, 2)).toEqual(['33', '34']);
    expect(view?.heatmaps.map((h) => h.cid)).toEqual([
      'cohorts-customer@report',
      'cohorts-revenue@report',
    ]);
    const [customer, revenue] = view?.heatmaps ?? [];
    // W33 (j = 0): 96 − 5k for k = 0 … 11. W44 (j = 11, 11 mod 3 = 2): 94.
    expect(customer?.alt).toContain('W33 (40): 96 91 86 81 76 71 66 61 56 51 46 41;');
    expect(customer?.alt).toMatch(/W44 \(1,234\): 94$/);
    // W34 (j = 1): 100 + 2k − 4k = 100 − 2k. W44: no value.
    expect(revenue?.alt).toContain('W34 (42): 100 98 96 94 92 90 88 86 84 82 80;');
    expect(revenue?.alt).toMatch(/W44 \(1,234\): —$/);
    expect(cohortLabel('2026-10', 'en-US')).toBe('Oct 26');
    expect(cohortLabel('2026-Q4', 'en-US')).toBe('Q4 26');
  });

  it('shows at most 12 cohorts × 12 ages and no revenue map without revenue', () => {
    // Prepare: 14 cohorts of 14 ages each, customers only (a hand-made snapshot).
    const s: Snapshot = {
      ...fixtureSnapshot(),
      cohorts: {
        kind: 'month',
        mode: 'orders',
        cohorts: Array.from({ length: 14 }, (_, j) => ({
          // 2025-01 … 2025-12, 2026-01, 2026-02.
          key: `${2025 + Math.floor(j / 12)}-${String((j % 12) + 1).padStart(2, '0')}`,
          size: 1,
          customer: new Array(14).fill(50),
        })),
      },
    };

    // Act
    const view = cohortsView(s, 'en-US');

    // Assess: the last 12 (2025-03 … 2026-02), 12 ages each.
    expect(view?.rows.map((r) => r.label)).toEqual([
      'Mar 25',
      'Apr 25',
      'May 25',
      'Jun 25',
      'Jul 25',
      'Aug 25',
      'Sep 25',
      'Oct 25',
      'Nov 25',
      'Dec 25',
      'Jan 26',
      'Feb 26',
    ]);
    expect(view?.ages).toHaveLength(12);
    expect(view?.heatmaps.map((h) => h.measure)).toEqual(['customer']);
    expect(view?.heatmaps[0]?.values.every((row) => row.length === 12)).toBe(true);
    expect(view?.title).toBe('Retention by signup month');
    // None without a matrix.
    expect(cohortsView(fixtureSnapshot(), 'en-US')).toBeNull();
  });
});

describe('cohorts in the email', () => {
  const input = (snapshot: Snapshot) => ({
    snapshot,
    history: fixtureHistory(),
    config: fixtureConfig(),
  });

  it('embeds both heatmaps by Content-ID after the trend charts', async () => {
    // Act
    const { html, images } = await renderReport(input(fixtureSnapshotWithCohorts()));

    // Assess
    expect(images.map((i) => i.cid).slice(6)).toEqual([
      'cohorts-customer@report',
      'cohorts-revenue@report',
    ]);
    for (const image of images.slice(6)) {
      const png = PNG.sync.read(image.content);
      // 13 × 48 = 624 by 13 × 30 = 390 device px (12 cohorts and a header row).
      expect([png.width, png.height]).toEqual([624, 390]);
      expect(html).toContain(`src="cid:${image.cid}"`);
    }
    // Shown at 13 × 24 = 312 CSS px, shrinking with the column.
    expect(html).toContain('width="312" class="cohort-heatmap"');
    expect(html).toContain('Retention by signup week');
    expect(html).toContain(
      'Customers per cohort: 40, 42, 44, 46, 48, 50, 52, 54, 56, 58, 60, 1,234.',
    );
  });

  it('writes a compact table per measure in the plain text', async () => {
    // Act
    const { text } = await renderReport(input(fixtureSnapshotWithCohorts()));

    // Assess: columns right-aligned 4 wide after the label (6) and the size (5: 1,234).
    expect(text).toContain(
      '  Customer retention (%)\n' +
        '    Cohort     n   0   1   2   3   4   5   6   7   8   9  10  11\n' +
        '    W33       40  96  91  86  81  76  71  66  61  56  51  46  41\n',
    );
    expect(text).toContain('    W44    1,234  94\n');
    expect(text).toContain('    W44    1,234   —\n');
    expect(text).toContain('    W33       40 100 102 104 106 108 110 112 114 116 118 120 122\n');
    for (const line of text.split('\n')) {
      if (!line.includes('exports/')) expect([...line].length).toBeLessThanOrEqual(76);
    }
  });

  it('leaves the section out without a matrix', async () => {
    const { html, text, images } = await renderReport(input(fixtureSnapshot()));
    expect(images.some((i) => i.cid.startsWith('cohorts-'))).toBe(false);
    expect(html).not.toContain('Retention by signup');
    expect(text).not.toContain('RETENTION BY SIGNUP');
  });

  it('escapes a cohort key it cannot label', () => {
    // Prepare: keys come from the engine; one that is not a period key is shown as it is.
    const s = fixtureSnapshotWithCohorts();
    const first = s.cohorts?.cohorts[0];
    if (first) first.key = HOSTILE.customer;

    // Act
    const mjml = reportMjml(buildReportView(input(s)));

    // Assess
    expect(mjml).toContain('&lt;svg onload=alert(1)&gt; (40): 96 91');
    expect(mjml).not.toContain('<svg');
  });
});
