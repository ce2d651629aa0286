/**
 * A small seeded pseudo-random generator and the few distributions the sample data needs.
 * Output must be byte-for-byte reproducible for a seed, so nothing here may touch
 * `Math.random`, the clock or the iteration order of a hash map.
 */

/**
 * splitmix32: turns any 32-bit integer into a well-mixed one. Used to seed sfc32, whose
 * state must not start at small or correlated values.
 */
function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** FNV-1a over a string, so that named sub-streams (`rng.fork('events')`) get stable seeds. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const cumulativeWeights = new WeakMap<readonly unknown[], number[]>();

/**
 * sfc32 (Chris Doty-Humphrey's Small Fast Chaotic generator, from PractRand): 128 bits of
 * state, passes PractRand to several terabytes, and is four additions and shifts per draw.
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spareNormal: number | null = null;
  private readonly seed: number;

  constructor(seed: number) {
    this.seed = seed >>> 0;
    const mix = splitmix32(seed);
    this.a = mix();
    this.b = mix();
    this.c = mix();
    this.d = mix();
    // The first outputs of a freshly seeded sfc32 are still close to its seed; discard them.
    for (let i = 0; i < 12; i++) this.next();
  }

  /**
   * An independent generator for a named part of the data (one per dataset), derived from
   * the seed and the name only, so that changing how one dataset is generated leaves the
   * others' bytes unchanged.
   */
  fork(name: string): Rng {
    return new Rng(fnv1a(`${this.seed}:${name}`));
  }

  /** A uniform integer in [0, 2³²). */
  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** A uniform number in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** A uniform number in [min, max). */
  uniform(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** A uniform integer in [min, max] (both included). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new RangeError('cannot pick from an empty list');
    return item;
  }

  /**
   * One of `items`, with probability proportional to its weight. The cumulative weights of
   * a list are computed once and kept (keyed by the list), since the same constant tables
   * are drawn from for every row.
   */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let cdf = cumulativeWeights.get(items);
    if (!cdf) {
      cdf = [];
      let total = 0;
      for (const [, w] of items) {
        total += w;
        cdf.push(total);
      }
      cumulativeWeights.set(items, cdf);
    }
    const u = this.next() * (cdf[cdf.length - 1] ?? 0);
    let lo = 0;
    let hi = cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cdf[mid] ?? 0) > u) hi = mid;
      else lo = mid + 1;
    }
    const item = items[lo];
    if (item === undefined) throw new RangeError('cannot pick from an empty list');
    return item[0];
  }

  /** Standard normal, Marsaglia's polar method (two draws per pair, the spare kept). */
  normal(mean = 0, sd = 1): number {
    if (this.spareNormal !== null) {
      const z = this.spareNormal;
      this.spareNormal = null;
      return mean + sd * z;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.next() - 1;
      v = 2 * this.next() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * f;
    return mean + sd * u * f;
  }

  /** Log-normal with the given median and log-scale spread σ. */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** Exponential with the given mean. */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }

  /** Poisson(λ): Knuth's product method for small λ, a rounded normal above 30. */
  poisson(lambda: number): number {
    if (lambda <= 0) return 0;
    if (lambda > 30) return Math.max(0, Math.round(this.normal(lambda, Math.sqrt(lambda))));
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k++;
      p *= this.next();
    }
    return k;
  }

  /** Gamma(shape, scale), Marsaglia–Tsang (2000); shape < 1 by the boost u^(1/shape). */
  gamma(shape: number, scale: number): number {
    if (shape < 1) return this.gamma(shape + 1, scale) * this.next() ** (1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.next();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v * scale;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v * scale;
    }
  }

  /** Beta(a, b) from two gammas. */
  beta(a: number, b: number): number {
    const x = this.gamma(a, 1);
    const y = this.gamma(b, 1);
    return x / (x + y);
  }
}
