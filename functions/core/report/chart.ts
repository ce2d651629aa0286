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
