/**
 * Benchmark of the report email: renders the full fixture report (every metric, every
 * breakdown, 10 at-risk customers, 6 trend charts over 12 weeks) N times and prints the
 * cold first render (mjml import included, as in a Lambda cold start), the warm mean and
 * p95, the time spent drawing the PNG charts, the sizes, and the peak resident memory.
 *
 *   npx tsx scripts/bench-render.ts [renders=50]
 */
import { renderTrendChart } from '../functions/core/report/chart';
import { buildMimeMessage } from '../functions/core/report/mime';
import { renderReport } from '../functions/core/report/render';
import { buildReportView, type ReportInput } from '../functions/core/report/view';
import { fixtureConfig, fixtureHistory, fixtureSnapshot } from '../test/fixtures/report-snapshot';

const renders = Number(process.argv[2] ?? 50);
if (!(Number.isInteger(renders) && renders > 0)) {
  console.error('usage: tsx scripts/bench-render.ts [renders]');
  process.exit(1);
}

const input: ReportInput = {
  snapshot: fixtureSnapshot(),
  history: fixtureHistory(),
  config: fixtureConfig(),
  rejectedLocation: 's3://acme-reports/rejected/',
};

const ms = (v: number) => `${v.toFixed(1)} ms`;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
// resourceUsage().maxRSS is in kilobytes on Linux and macOS.
const peakRss = () => `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`;

/** The value below which p % of the sorted samples fall (nearest rank). */
function percentile(sorted: number[], p: number): number {
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.max(0, rank - 1)] ?? Number.NaN;
}

const rssBefore = peakRss();
let t0 = performance.now();
const first = await renderReport(input);
const cold = performance.now() - t0;
// What one report costs, as in a Lambda invocation; the peak after N renders also counts
// garbage (chart pixel buffers are external memory) that the collector had not yet freed.
const rssAfterOne = peakRss();

const samples: number[] = [];
for (let i = 0; i < renders; i++) {
  t0 = performance.now();
  await renderReport(input);
  samples.push(performance.now() - t0);
}
samples.sort((a, b) => a - b);
const mean = samples.reduce((a, b) => a + b, 0) / samples.length;

// The charts alone, to see their share of a render.
const trends = buildReportView(input).trends;
t0 = performance.now();
for (let i = 0; i < renders; i++) for (const t of trends) renderTrendChart(t.values);
const chartsPerRender = (performance.now() - t0) / renders;

const mime = buildMimeMessage({
  from: 'reports@example.com',
  to: ['ops@example.com'],
  subject: first.subject,
  html: first.html,
  text: first.text,
  images: first.images,
});

console.log(`renders            ${renders} (+1 cold)`);
console.log(`cold first render  ${ms(cold)} (includes importing mjml)`);
console.log(`warm mean          ${ms(mean)}`);
console.log(`warm p95           ${ms(percentile(samples, 95))}`);
console.log(`warm min / max     ${ms(samples[0] ?? 0)} / ${ms(samples.at(-1) ?? 0)}`);
console.log(`of which charts    ${ms(chartsPerRender)} (${trends.length} PNGs)`);
console.log(
  `html / text        ${kib(Buffer.byteLength(first.html))} / ${kib(Buffer.byteLength(first.text))}`,
);
console.log(
  `charts             ${kib(first.images.reduce((a, i) => a + i.content.length, 0))} in ${first.images.length} PNGs`,
);
console.log(`whole MIME         ${kib(Buffer.byteLength(mime))}`);
console.log(`peak RSS           ${rssBefore} before rendering, ${rssAfterOne} after one render,`);
console.log(`                   ${peakRss()} after all ${renders + 1}`);
