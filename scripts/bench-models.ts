/**
 * Benchmark of the customer-base models: simulates customers from a BG/NBD + Gamma-Gamma
 * model with known parameters (seeded), then times the RFM summary, both fits, the BG/NBD
 * predictions of every customer (memoised per distinct (x, t_x, T) and (x, T)) and the full
 * runClvModels (the work the report does per period), prints the recovered parameters next
 * to the true ones, and the process's peak resident memory.
 *
 *   npx tsx scripts/bench-models.ts [customers=100000] [seed=42]
 */

import { withDuck } from '../functions/core/duck/db';
import { fitBgNbd } from '../functions/core/models/bgnbd';
import { BgNbdPredictions, runClvModels } from '../functions/core/models/clv';
import { fitGammaGamma } from '../functions/core/models/gamma-gamma';
import { summarizeOrderDays } from '../functions/core/models/rfm';
import { simulatePurchases } from '../functions/core/models/simulate';

const customers = Number(process.argv[2] ?? 100_000);
const seed = Number(process.argv[3] ?? 42);
if (!(Number.isInteger(customers) && customers > 0) || !Number.isInteger(seed)) {
  console.error('usage: tsx scripts/bench-models.ts [customers] [seed]');
  process.exit(1);
}

// Close to the CDNOW estimates (Fader, Hardie & Lee 2005; Fader & Hardie 2013).
const trueBg = { r: 0.25, alpha: 4.5, a: 0.8, b: 2.5 };
const trueGg = { p: 6, q: 4, gamma: 15 };
const endDay = 20_000;
const acquisitionDays = 365;

const seconds = (t0: number) => `${((performance.now() - t0) / 1000).toFixed(2)} s`;
const fmt = (p: Record<string, number>) =>
  Object.entries(p)
    .map(([k, v]) => `${k}=${v.toPrecision(5)}`)
    .join(' ');
// resourceUsage().maxRSS is in kilobytes on Linux and macOS.
const peakRss = () => `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`;

const total0 = performance.now();
let t0 = performance.now();
const purchases: [string, number, number][] = [];
simulatePurchases(
  trueBg,
  { customers, seed, endDay, acquisitionDays, spend: trueGg },
  (id, d, a) => {
    purchases.push([id, d, a]);
  },
);
console.log(`simulated ${customers} customers, ${purchases.length} purchase rows: ${seconds(t0)}`);

t0 = performance.now();
const acc = await withDuck((db) => summarizeOrderDays(db, purchases, [endDay]));
const summaries = acc.summarize(endDay);
console.log(
  `RFM summary: ${seconds(t0)} (${summaries.filter((s) => s.x > 0).length} repeat buyers)`,
);

t0 = performance.now();
const bg = fitBgNbd(summaries);
console.log(
  `BG/NBD fit: ${seconds(t0)}, ${bg.iterations} iterations, converged=${bg.converged}, LL=${bg.logLikelihood.toFixed(2)}`,
);
console.log(`  true      ${fmt(trueBg)}`);
console.log(`  recovered ${fmt(bg.params)}`);

t0 = performance.now();
const gg = fitGammaGamma(summaries);
console.log(
  `Gamma-Gamma fit: ${seconds(t0)}, ${gg.iterations} iterations, converged=${gg.converged}, n=${gg.n}, LL=${gg.logLikelihood.toFixed(2)}`,
);
console.log(`  true      ${fmt(trueGg)}`);
console.log(`  recovered ${fmt(gg.params)}`);

t0 = performance.now();
const result = runClvModels(acc, {
  calibrationEndDay: endDay,
  nextPeriodWeeks: 1,
  dayToIso: (day) => new Date(day * 86_400_000).toISOString().slice(0, 10),
});
console.log(`runClvModels (RFM summary, both fits, 52-week CLV, at-risk list): ${seconds(t0)}`);
for (const [id, m] of Object.entries(result.metrics)) {
  console.log(`  ${id} = ${m.value ?? `null (${m.reason})`}`);
}
// The same predictions on their own, after runClvModels so that its time is that of a cold
// run (as in the report), not one the JIT has already warmed up.
t0 = performance.now();
const predictions = new BgNbdPredictions(bg.params, {
  calibrationEndDay: endDay,
  horizonWeeks: 52,
  annualDiscountRate: 0.1,
  nextPeriodWeeks: 1,
});
let checksum = 0;
for (const c of summaries) {
  checksum += predictions.expectedNextPeriod(c) + predictions.discountedPurchases(c);
  if (c.x > 0) checksum += predictions.probabilityAlive(c);
}
const triples = new Set(summaries.map((c) => `${c.x}|${c.tx}|${c.T}`)).size;
const pairs = new Set(summaries.map((c) => `${c.x}|${c.T}`)).size;
console.log(
  `BG/NBD predictions again, JIT warm (next week, P(alive), 52-week discounted purchases): ${seconds(t0)}, ` +
    `${triples} distinct (x, t_x, T), ${pairs} distinct (x, T) (checksum ${checksum.toFixed(6)})`,
);

console.log(`total ${seconds(total0)}, peak RSS ${peakRss()}`);
