/**
 * Second, deliberately plain implementations of the model formulas, for checking the
 * production code: the equations as printed in the papers, no log space, no series
 * acceleration. They overflow for large x, which the tests avoid.
 */
import type { BgNbdParams } from '../../../functions/core/models/bgnbd';

/** ₂F₁ by its plain power series, summed until a term no longer changes the sum. */
export function naiveHyp2f1(a: number, b: number, c: number, z: number): number {
  let term = 1;
  let sum = 1;
  for (let n = 0; n < 1_000_000; n++) {
    term *= ((a + n) * (b + n) * z) / ((c + n) * (n + 1));
    if (sum + term === sum) return sum;
    sum += term;
  }
  throw new Error('naive series did not converge');
}

/**
 * BG/NBD likelihood, FHL 2005 eq. 6, for small whole x:
 * Γ(r+x)/Γ(r) = Π(r+k) and B(a, b+x)/B(a, b) = Π(b+k)/(a+b+k), k = 0..x−1.
 */
export function naiveLikelihood(p: BgNbdParams, x: number, tx: number, T: number): number {
  let gammaRatio = 1;
  let betaRatio = 1;
  for (let k = 0; k < x; k++) {
    gammaRatio *= p.r + k;
    betaRatio *= (p.b + k) / (p.a + p.b + k);
  }
  const bracket =
    (p.alpha + T) ** -(p.r + x) +
    (x > 0 ? (p.a / (p.b + x - 1)) * (p.alpha + tx) ** -(p.r + x) : 0);
  return gammaRatio * p.alpha ** p.r * betaRatio * bracket;
}

/** BG/NBD P(alive), FHL 2005 eq. 11 / FHL 2008, as printed. */
export function naiveProbabilityAlive(p: BgNbdParams, x: number, tx: number, T: number): number {
  if (x === 0) return 1;
  return 1 / (1 + (p.a / (p.b + x - 1)) * ((p.alpha + T) / (p.alpha + tx)) ** (p.r + x));
}

/** BG/NBD E[Y(t) | x, t_x, T], FHL 2005 eq. 10 as printed. */
export function naiveConditional(
  p: BgNbdParams,
  t: number,
  x: number,
  tx: number,
  T: number,
): number {
  const { r, alpha, a, b } = p;
  const z = t / (alpha + T + t);
  const numerator =
    ((a + b + x - 1) / (a - 1)) *
    (1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * naiveHyp2f1(r + x, b + x, a + b + x - 1, z));
  return numerator * naiveProbabilityAlive(p, x, tx, T);
}

/**
 * Discounted CLV of one customer: margin × Gamma-Gamma spend (FHL 2005 "RFM and CLV" eq. 5)
 * × Σ over weeks k = 1..H of the purchases expected in week k, E(k) − E(k−1), discounted by
 * (1 + d)^(k/52).
 */
export function naiveClv(
  bg: BgNbdParams,
  gg: { p: number; q: number; gamma: number },
  c: { x: number; tx: number; T: number; zbar: number },
  horizonWeeks: number,
  annualRate: number,
  margin: number,
): number {
  const spend = (gg.p * gg.gamma + gg.p * c.x * c.zbar) / (gg.p * c.x + gg.q - 1);
  let purchases = 0;
  let previous = 0;
  for (let k = 1; k <= horizonWeeks; k++) {
    const cumulative = naiveConditional(bg, k, c.x, c.tx, c.T);
    purchases += (cumulative - previous) / (1 + annualRate) ** (k / 52);
    previous = cumulative;
  }
  return margin * spend * purchases;
}
