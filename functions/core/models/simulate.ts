/**
 * Synthetic purchase histories drawn from the BG/NBD and Gamma-Gamma models with known
 * parameters, from a seeded generator: for checking that the fits recover what generated the
 * data, and for benchmarks. Not used by the report itself.
 */
import type { BgNbdParams } from './bgnbd';
import type { GammaGammaParams } from './gamma-gamma';

/** A seeded uniform generator on [0, 1) (mulberry32: 32-bit state, period 2³²). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal by the Box–Muller transform. */
function normal(rand: () => number): number {
  const u = 1 - rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/**
 * Gamma(shape, rate) variate: Marsaglia & Tsang (2000), ACM TOMS 26(3) 363–372, with the
 * boost Gamma(k) = Gamma(k + 1) · U^(1/k) for shape k < 1.
 */
export function gammaVariate(rand: () => number, shape: number, rate: number): number {
  if (shape < 1) return gammaVariate(rand, shape + 1, rate) * (1 - rand()) ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let z: number;
    let v: number;
    do {
      z = normal(rand);
      v = 1 + c * z;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rand();
    if (Math.log(u) < 0.5 * z * z + d - d * v + d * Math.log(v)) return (d * v) / rate;
  }
}

export interface SimulationOptions {
  customers: number;
  seed: number;
  /** Day number of the calibration end (the last day observed). */
  endDay: number;
  /** First purchases are spread uniformly over this many days up to endDay. */
  acquisitionDays: number;
  /** Spend per purchase; without it every purchase is worth 1. */
  spend?: GammaGammaParams;
}

/**
 * Calls `emit(customerId, day, amount)` for every simulated purchase day. Each customer makes
 * a first purchase on a uniform day in the acquisition window, then buys at Poisson rate
 * λ ~ Gamma(r, α) per week and, after each repeat purchase, drops out with probability
 * p ~ Beta(a, b) (FHL 2005, §3); days are whole, so purchases on the same day merge.
 * Amounts are Gamma(p, ν) with ν ~ Gamma(q, γ) per customer (Fader & Hardie 2013).
 */
export function simulatePurchases(
  params: BgNbdParams,
  options: SimulationOptions,
  emit: (customerId: string, day: number, amount: number) => void,
): void {
  const rand = mulberry32(options.seed);
  const { r, alpha, a, b } = params;
  const spend = options.spend;
  for (let i = 0; i < options.customers; i++) {
    const id = `c${i}`;
    const firstDay = options.endDay - Math.floor(rand() * options.acquisitionDays);
    const lambda = gammaVariate(rand, r, alpha);
    const ga = gammaVariate(rand, a, 1);
    const dropout = ga / (ga + gammaVariate(rand, b, 1));
    const nu = spend ? gammaVariate(rand, spend.q, spend.gamma) : 0;
    const amount = () => (spend ? gammaVariate(rand, spend.p, nu) : 1);
    emit(id, firstDay, amount());
    const horizonWeeks = (options.endDay - firstDay + 1) / 7;
    let t = 0;
    for (;;) {
      t += -Math.log(1 - rand()) / lambda;
      if (!(t < horizonWeeks)) break;
      emit(id, firstDay + Math.floor(t * 7), amount());
      if (rand() < dropout) break;
    }
  }
}
