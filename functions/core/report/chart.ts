/**
 * Trend charts for the email: a small line chart rendered to PNG on the server, because
 * email clients do not show SVG or canvas and remote images are blocked by default. No
 * text is drawn (labels live in the HTML beside the image, where they are selectable and
 * read by screen readers); the image is drawn at `scale`× and shown at 1× for sharp
 * rendering on high-density screens.
 */
import { PNG } from 'pngjs';

export interface ChartOptions {
  /** Size shown in the email, in CSS pixels. */
  width: number;
  height: number;
  /** Device pixels per CSS pixel. */
  scale: number;
  /** Space kept free around the plot (CSS px) so points and the line are not clipped. */
  padding: number;
  /** Line width in CSS px. */
  lineWidth: number;
  /** Radius of the data points and of the last (current) point, CSS px. */
  pointRadius: number;
  lastPointRadius: number;
}

export const CHART_DEFAULTS: ChartOptions = {
  width: 260,
  height: 80,
  scale: 2,
  padding: 8,
  lineWidth: 2,
  pointRadius: 2.5,
  lastPointRadius: 4,
};

type Rgb = readonly [number, number, number];
const BACKGROUND: Rgb = [255, 255, 255];
const GUIDE: Rgb = [216, 222, 228];
const LINE: Rgb = [9, 105, 218];

/** Coverage is quantised to this many levels: fewer distinct colours deflate much better. */
const LEVELS = 7;

export class ChartError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ChartError';
  }
}

/**
 * Where each value lands, in device pixels: x spreads the n slots (null ones included, so
 * a gap keeps its place in time) evenly across the plot; y maps [min, max] of the non-null
 * values onto [bottom, top]. A flat series sits in the middle.
 */
export function chartPoints(
  values: readonly (number | null)[],
  options: ChartOptions = CHART_DEFAULTS,
): ({ x: number; y: number } | null)[] {
  const w = options.width * options.scale;
  const h = options.height * options.scale;
  const pad = options.padding * options.scale;
  const present = values.filter((v): v is number => v !== null && Number.isFinite(v));
  const min = Math.min(...present);
  const max = Math.max(...present);
  const stepX = values.length > 1 ? (w - 2 * pad) / (values.length - 1) : 0;
  return values.map((v, i) => {
    if (v === null || !Number.isFinite(v)) return null;
    const y = max === min ? h / 2 : pad + ((max - v) / (max - min)) * (h - 2 * pad);
    return { x: pad + i * stepX, y };
  });
}

/**
 * Render the series as a PNG (RGB, deflated). Needs at least two non-null values; the
 * caller skips the chart otherwise.
 */
export function renderTrendChart(
  values: readonly (number | null)[],
  options: ChartOptions = CHART_DEFAULTS,
): Buffer {
  const points = chartPoints(values, options);
  const present = points.filter((p) => p !== null);
  if (present.length < 2) {
    throw new ChartError(`a trend chart needs 2 or more values, got ${present.length}`);
  }
  const w = Math.round(options.width * options.scale);
  const h = Math.round(options.height * options.scale);
  const pad = options.padding * options.scale;
  const guide = new Float32Array(w * h);
  const ink = new Float32Array(w * h);

  // Faint guides at the top (max) and bottom (min) of the plot: the HTML labels name them.
  const flat = present.every((p) => p.y === present[0]?.y);
  if (!flat) {
    for (const y of [pad, h - pad]) stroke(guide, w, h, 0, y, w, y, options.scale / 2);
  }
  const halfLine = (options.lineWidth * options.scale) / 2;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1];
    const b = points[i];
    // A null value breaks the line: we do not draw a value we do not have.
    if (a && b) stroke(ink, w, h, a.x, a.y, b.x, b.y, halfLine);
  }
  const last = points.length - 1;
  points.forEach((p, i) => {
    if (!p) return;
    const r = (i === last ? options.lastPointRadius : options.pointRadius) * options.scale;
    disc(ink, w, h, p.x, p.y, r);
  });

  // Most pixels are bare background (white, opaque): fill once, then mix only the rest.
  const data = Buffer.alloc(w * h * 4, 255);
  for (let i = 0; i < w * h; i++) {
    const g = quantise(guide[i] ?? 0);
    const c = quantise(ink[i] ?? 0);
    if (g === 0 && c === 0) continue;
    for (let ch = 0; ch < 3; ch++) {
      const under = mix(BACKGROUND[ch] ?? 255, GUIDE[ch] ?? 0, g);
      data[i * 4 + ch] = Math.round(mix(under, LINE[ch] ?? 0, c));
    }
  }
  // The sync packer reads only width, height, data (and gamma). `new PNG()` is avoided on
  // purpose: its constructor opens a zlib deflate stream for async packing that is never
  // closed, which held about 2 MB of native memory per report in the render benchmark.
  const image = { width: w, height: h, data, gamma: 0 } as unknown as PNG;
  // Sub filtering suits rows that are mostly background with a few runs of ink.
  return PNG.sync.write(image, {
    colorType: 2,
    inputHasAlpha: true,
    deflateLevel: 9,
    filterType: 1,
  });
}

function mix(from: number, to: number, t: number): number {
  return from + (to - from) * t;
}

function quantise(coverage: number): number {
  return Math.round(Math.min(1, Math.max(0, coverage)) * LEVELS) / LEVELS;
}

/**
 * Anti-aliased thick segment: a pixel's coverage is how far its centre lies inside the
 * segment's outline, clamped to [0, 1] over a one-pixel ramp. Coverage layers combine by
 * max, so joints and overlapping points are not drawn twice darker.
 */
function stroke(
  layer: Float32Array,
  w: number,
  h: number,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  half: number,
): void {
  const dx = x1 - x0;
  const dy = y1 - y0;
  const len2 = dx * dx + dy * dy;
  const left = Math.max(0, Math.floor(Math.min(x0, x1) - half - 1));
  const right = Math.min(w - 1, Math.ceil(Math.max(x0, x1) + half + 1));
  const top = Math.max(0, Math.floor(Math.min(y0, y1) - half - 1));
  const bottom = Math.min(h - 1, Math.ceil(Math.max(y0, y1) + half + 1));
  for (let py = top; py <= bottom; py++) {
    for (let px = left; px <= right; px++) {
      const cx = px + 0.5;
      const cy = py + 0.5;
      const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((cx - x0) * dx + (cy - y0) * dy) / len2));
      const d = Math.hypot(cx - (x0 + t * dx), cy - (y0 + t * dy));
      cover(layer, py * w + px, half + 0.5 - d);
    }
  }
}

function disc(layer: Float32Array, w: number, h: number, x: number, y: number, r: number): void {
  const left = Math.max(0, Math.floor(x - r - 1));
  const right = Math.min(w - 1, Math.ceil(x + r + 1));
  const top = Math.max(0, Math.floor(y - r - 1));
  const bottom = Math.min(h - 1, Math.ceil(y + r + 1));
  for (let py = top; py <= bottom; py++) {
    for (let px = left; px <= right; px++) {
      cover(layer, py * w + px, r + 0.5 - Math.hypot(px + 0.5 - x, py + 0.5 - y));
    }
  }
}

function cover(layer: Float32Array, index: number, coverage: number): void {
  const c = Math.min(1, Math.max(0, coverage));
  if (c > (layer[index] ?? 0)) layer[index] = c;
}

// ---------------------------------------------------------------------------------------
// Cohort heatmap
// ---------------------------------------------------------------------------------------

export interface HeatmapOptions {
  /** Size of one cell as shown, CSS px (a gap of `gap` is inside it, right and below). */
  cellWidth: number;
  cellHeight: number;
  gap: number;
  /** Device pixels per CSS pixel. */
  scale: number;
  /** Device pixels per pixel of the 3 × 5 digit font. */
  fontPixel: number;
}

export const HEATMAP_DEFAULTS: HeatmapOptions = {
  cellWidth: 24,
  cellHeight: 15,
  gap: 1,
  scale: 2,
  fontPixel: 3,
};

export interface HeatmapInput {
  /** Per row (a cohort, oldest first) its cells by column (age); null: no value. */
  rows: readonly (readonly (number | null)[])[];
  /** Drawn left of each row (digits only, e.g. the week number `33`). */
  rowLabels: readonly string[];
  /** Drawn above each column (`0` … `11`). */
  columnLabels: readonly string[];
}

/** The colour steps of the heatmap: 0–10 % is step 0 … 90–100 % (and over) step 9. */
const HEAT_STEPS = 10;
const NO_VALUE: Rgb = [234, 238, 242];
const DARK_TEXT: Rgb = [34, 34, 34];
const LIGHT_TEXT: Rgb = [255, 255, 255];
const LABEL_TEXT: Rgb = [102, 102, 102];

/**
 * A 3 × 5 pixel font of the digits and `-`, row by row (bit 2 is the left pixel): enough
 * for the percentages and labels, so the numbers are readable in the image itself without
 * a font library, and the HTML stays small (Gmail clips at 102 KB).
 */
const GLYPHS: Record<string, readonly number[]> = {
  '0': [7, 5, 5, 5, 7],
  '1': [2, 6, 2, 2, 7],
  '2': [7, 1, 7, 4, 7],
  '3': [7, 1, 7, 1, 7],
  '4': [5, 5, 7, 1, 1],
  '5': [7, 4, 7, 1, 7],
  '6': [7, 4, 7, 5, 7],
  '7': [7, 1, 1, 1, 1],
  '8': [7, 5, 7, 5, 7],
  '9': [7, 5, 7, 1, 7],
  '-': [0, 0, 7, 0, 0],
};

/** The step of a percentage, 0 … HEAT_STEPS − 1 (over 100 % is the top step). */
export function heatStep(percent: number): number {
  return Math.min(HEAT_STEPS - 1, Math.max(0, Math.floor(percent / (100 / HEAT_STEPS))));
}

/**
 * The colour of a percentage: from a faint tint (step 0, so a 0 % cell still shows) to the
 * chart blue (step 9: 90 % and over, revenue retention over 100 % too), in equal steps
 * that read as a scale and deflate well; null is light grey.
 */
export function heatColour(percent: number | null): Rgb {
  if (percent === null || !Number.isFinite(percent)) return NO_VALUE;
  const t = (heatStep(percent) + 1) / HEAT_STEPS;
  return [0, 1, 2].map((ch) => Math.round(mix(BACKGROUND[ch] ?? 255, LINE[ch] ?? 0, t))) as [
    number,
    number,
    number,
  ];
}

/**
 * The cohort matrix as a heatmap PNG with its numbers: a header row of ages and a label
 * column, then row r × column k coloured by its value (whole percent written in it, `-`
 * for none). A row shorter than the others leaves its later cells blank: those periods
 * have not ended.
 */
export function renderHeatmap(
  input: HeatmapInput,
  options: HeatmapOptions = HEATMAP_DEFAULTS,
): Buffer {
  const { rows } = input;
  if (rows.length === 0) throw new ChartError('a heatmap needs at least one row');
  const columns = Math.max(input.columnLabels.length, ...rows.map((r) => r.length));
  const s = options.scale;
  const cw = Math.round(options.cellWidth * s);
  const ch = Math.round(options.cellHeight * s);
  const gap = Math.round(options.gap * s);
  const w = cw * (columns + 1);
  const h = ch * (rows.length + 1);
  const data = Buffer.alloc(w * h * 4, 255);
  const paint = (x0: number, y0: number, x1: number, y1: number, c: Rgb) => {
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        const i = (y * w + x) * 4;
        data[i] = c[0];
        data[i + 1] = c[1];
        data[i + 2] = c[2];
      }
    }
  };
  const fp = options.fontPixel;
  /** Text centred in the cell at grid column `col`, grid row `row` (both with the labels). */
  const write = (text: string, col: number, row: number, c: Rgb) => {
    const glyphs = [...text].flatMap((g) => (GLYPHS[g] ? [GLYPHS[g]] : []));
    const tw = glyphs.length * 4 * fp - fp;
    let x = col * cw + Math.round((cw - gap - tw) / 2);
    const y = row * ch + Math.round((ch - gap - 5 * fp) / 2);
    for (const glyph of glyphs) {
      glyph.forEach((bits, gy) => {
        for (let gx = 0; gx < 3; gx++) {
          if (bits & (4 >> gx)) {
            paint(x + gx * fp, y + gy * fp, x + (gx + 1) * fp, y + (gy + 1) * fp, c);
          }
        }
      });
      x += 4 * fp;
    }
  };
  input.columnLabels.forEach((label, k) => {
    write(label, k + 1, 0, LABEL_TEXT);
  });
  rows.forEach((row, r) => {
    write(input.rowLabels[r] ?? '', 0, r + 1, LABEL_TEXT);
    row.slice(0, columns).forEach((value, k) => {
      const x = (k + 1) * cw;
      const y = (r + 1) * ch;
      paint(x, y, x + cw - gap, y + ch - gap, heatColour(value));
      const finite = value !== null && Number.isFinite(value);
      const text = finite ? String(Math.min(9999, Math.max(0, Math.round(value)))) : '-';
      write(text, k + 1, r + 1, finite && heatStep(value) >= 5 ? LIGHT_TEXT : DARK_TEXT);
    });
  });
  // As in renderTrendChart: the sync packer only, without `new PNG()`.
  const image = { width: w, height: h, data, gamma: 0 } as unknown as PNG;
  return PNG.sync.write(image, {
    colorType: 2,
    inputHasAlpha: true,
    deflateLevel: 9,
    filterType: 1,
  });
}
