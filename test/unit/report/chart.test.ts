import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import {
  CHART_DEFAULTS,
  ChartError,
  chartPoints,
  renderTrendChart,
} from '../../../functions/core/report/chart';

// Defaults: 260 × 80 CSS px at 2× → 520 × 160 device px, 8 px padding → 16 device px.
const W = 520;
const H = 160;
const PAD = 16;

function pixel(png: PNG, x: number, y: number): [number, number, number] {
  const i = (Math.round(y) * png.width + Math.round(x)) * 4;
  return [png.data[i] ?? -1, png.data[i + 1] ?? -1, png.data[i + 2] ?? -1];
}

describe('chartPoints', () => {
  it('maps the minimum to the bottom and the maximum to the top of the plot', () => {
    // x: 16, 16 + (520 − 32) / 2 = 260, 504; y: max 10 → 16, min 0 → 160 − 16 = 144,
    // 5 → halfway, 80.
    expect(chartPoints([0, 5, 10])).toEqual([
      { x: PAD, y: H - PAD },
      { x: 260, y: 80 },
      { x: W - PAD, y: PAD },
    ]);
  });

  it('keeps a null in its slot and draws a flat series in the middle', () => {
    expect(chartPoints([3, null, 3])).toEqual([{ x: PAD, y: 80 }, null, { x: W - PAD, y: 80 }]);
  });
});

describe('renderTrendChart', () => {
  it('writes an opaque RGB PNG at twice the shown size', () => {
    // Act
    const png = PNG.sync.read(renderTrendChart([1, 4, 2, 8]));

    // Assess
    expect([png.width, png.height]).toEqual([
      CHART_DEFAULTS.width * CHART_DEFAULTS.scale,
      CHART_DEFAULTS.height * CHART_DEFAULTS.scale,
    ]);
    expect(pixel(png, 1, 1)).toEqual([255, 255, 255]);
    // The last point (8, the maximum) sits at (504, 16) in the line colour #0969da.
    expect(pixel(png, W - PAD, PAD)).toEqual([9, 105, 218]);
    // The first point (1, the minimum) at (16, 144).
    expect(pixel(png, PAD, H - PAD)).toEqual([9, 105, 218]);
  });

  it('breaks the line at a missing value', () => {
    // Values 0, null, 0, 10: points at x = 16, 178.7, 341.3, 504. Between the first and
    // third points (both at y = 144) there would be a horizontal line without the gap.
    const png = PNG.sync.read(renderTrendChart([0, null, 0, 10]));
    const [r, g, b] = pixel(png, 178, H - PAD);
    // Only the faint min guide line may be there, never the line colour.
    expect(r).toBeGreaterThan(200);
    expect(g).toBeGreaterThan(200);
    expect(b).toBeGreaterThan(200);
  });

  it('stays small enough to attach a dozen to an email', () => {
    const values = [2.6, 2.4, 2.9, 2.2, 2.1, 2.5, 2.0, 2.3, 2.2, 2.4, 1.9, 2.3];
    expect(renderTrendChart(values).length).toBeLessThan(12_000);
  });

  it('refuses fewer than two values', () => {
    expect(() => renderTrendChart([1, null, null])).toThrow(ChartError);
  });
});
