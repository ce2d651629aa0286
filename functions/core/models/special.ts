/**
 * Special functions the customer-base models need: log-gamma, digamma, the Gauss
 * hypergeometric series, and a stable log-sum-exp. Double precision, no dependencies.
 */
import { NumericalError } from './errors';

const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

// Lanczos approximation with g = 7, n = 9 (Godfrey's coefficients, as in Numerical Recipes
// 3rd ed. §6.1 and Press et al.); relative error of Γ below 2e-15 for Re(x) ≥ 0.5.
const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7,
] as const;

/**
 * Natural log of the absolute value of the gamma function, ln |Γ(x)|.
 *
 * Lanczos approximation (g = 7, 9 terms) for x ≥ 0.5; below that the reflection formula
 * Γ(x) Γ(1 − x) = π / sin(πx). Accurate to about 1e-15 relative (1e-14 absolute near the
 * zeros at x = 1 and x = 2). NaN at 0 and the negative integers (poles).
 *
 * Reference: C. Lanczos (1964), SIAM J. Numer. Anal. B 1, 86–96; Press et al., Numerical
 * Recipes, 3rd ed., §6.1.
 *
 * @example lgamma(10) // ln(9!) = ln(362880) = 12.801827480081469
 */
export function lgamma(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x === Number.POSITIVE_INFINITY) return Number.POSITIVE_INFINITY;
  if (x <= 0 && Number.isInteger(x)) return Number.NaN;
  if (x < 0.5) {
    // Reflection: ln|Γ(x)| = ln π − ln|sin(πx)| − ln Γ(1 − x).
    return Math.log(Math.PI) - Math.log(Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  }
  const y = x - 1;
  let series = LANCZOS[0];
  for (let i = 1; i < LANCZOS.length; i++) series += (LANCZOS[i] as number) / (y + i);
  const t = y + LANCZOS_G + 0.5;
  return HALF_LOG_TWO_PI + (y + 0.5) * Math.log(t) - t + Math.log(series);
}

/**
 * The digamma function ψ(x) = d/dx ln Γ(x).
 *
 * Recurrence ψ(x) = ψ(x + 1) − 1/x up to x ≥ 10, then the asymptotic series
 * ψ(x) ≈ ln x − 1/(2x) − Σ B₂ₖ / (2k x²ᵏ) (k = 1..6); reflection for x < 0.
 * Accurate to about 1e-15 absolute for x > 0.
 *
 * Reference: Abramowitz & Stegun 6.3.5 (recurrence), 6.3.18 (asymptotic), 6.3.7 (reflection).
 *
 * @example digamma(1) // −γ = −0.5772156649015329
 */
export function digamma(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x <= 0 && Number.isInteger(x)) return Number.NaN;
  if (x < 0) return digamma(1 - x) - Math.PI / Math.tan(Math.PI * x);
  let result = 0;
  let y = x;
  while (y < 10) {
    result -= 1 / y;
    y += 1;
  }
  const f = 1 / (y * y);
  // Bernoulli numbers B₂ₖ/(2k): 1/12, −1/120, 1/252, −1/240, 1/132, −691/32760.
  const tail =
    f *
    (1 / 12 - f * (1 / 120 - f * (1 / 252 - f * (1 / 240 - f * (1 / 132 - f * (691 / 32760))))));
  return result + Math.log(y) - 0.5 / y - tail;
}

/**
 * The Gauss hypergeometric function ₂F₁(a, b; c; z) by its power series, for |z| < 1.
 *
 * ₂F₁(a, b; c; z) = Σₙ (a)ₙ (b)ₙ / ((c)ₙ n!) zⁿ, with (q)ₙ the rising factorial.
 * Terms are summed until the next one and a geometric bound on the rest are below
 * `tolerance` relative to the sum. Converges slowly as |z| → 1; throws a NumericalError
 * after `maxTerms` terms rather than return an inaccurate value.
 *
 * Reference: Abramowitz & Stegun 15.1.1.
 *
 * @example hyp2f1(1, 1, 2, 0.5) // −ln(1 − 0.5) / 0.5 = 1.3862943611198906
 */
export function hyp2f1(
  a: number,
  b: number,
  c: number,
  z: number,
  tolerance = 1e-15,
  maxTerms = 1_000_000,
): number {
  if (!(Math.abs(z) < 1)) {
    throw new NumericalError(`hyp2f1 series needs |z| < 1, got z = ${z}`);
  }
  if (c <= 0 && Number.isInteger(c)) {
    throw new NumericalError(`hyp2f1 is undefined for c = ${c} (a non-positive integer)`);
  }
  let term = 1;
  let sum = 1;
  const absZ = Math.abs(z);
  for (let n = 0; n < maxTerms; n++) {
    const ratio = (((a + n) * (b + n)) / ((c + n) * (n + 1))) * z;
    term *= ratio;
    sum += term;
    if (term === 0) return sum;
    // The ratio of successive terms tends to z; once it is below 1 the rest of the series
    // is bounded by a geometric tail term · ρ / (1 − ρ).
    const rho = Math.max(Math.abs(ratio), absZ);
    if (rho < 1 && (Math.abs(term) * rho) / (1 - rho) <= tolerance * Math.abs(sum)) return sum;
  }
  throw new NumericalError(`hyp2f1(${a}, ${b}; ${c}; ${z}) did not converge in ${maxTerms} terms`);
}

/** ln(eᵃ + eᵇ) without overflow: max + ln(1 + e^(min − max)). */
export function logAddExp(a: number, b: number): number {
  if (a === Number.NEGATIVE_INFINITY) return b;
  if (b === Number.NEGATIVE_INFINITY) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}
