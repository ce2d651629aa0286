/**
 * The Gamma-Gamma model of spend per transaction (Colombo & Jiang 1999, "A stochastic RFM
 * model", J. Interactive Marketing 13(3) 2–12; Fader, Hardie & Lee 2005, "RFM and CLV:
 * Using Iso-Value Curves for Customer Base Analysis", J. Marketing Research 42(4) 415–430;
 * Fader & Hardie 2013, "The Gamma-Gamma Model of Monetary Value").
 *
 * A customer's transaction amounts are Gamma(p, ν); across customers ν ~ Gamma(q, γ). Fitted
 * on repeat buyers only (x > 0), with zbar the mean amount of their x repeat purchases.
 */
import type { FitSummary } from '../snapshot';
import { ModelInputError } from './errors';
import { minimizeWithFallback } from './optimize';
import { digamma, lgamma } from './special';

export type GammaGammaParams = {
  p: number;
  q: number;
  gamma: number;
};

/** Repeat purchases x and their mean amount zbar. */
export interface SpendPoint {
  x: number;
  zbar: number;
}

export interface GammaGammaFit extends FitSummary<GammaGammaParams> {
  iterations: number;
  message: string;
}

export interface GammaGammaFitOptions {
  /** @default - p = 1, q = 1, γ = 1 */
  start?: GammaGammaParams;
  /** @default 500 */
  maxIterations?: number;
  /** On the gradient of the mean negative log-likelihood in log-parameters. @default 1e-8 */
  gradientTolerance?: number;
}

function assertParams(params: GammaGammaParams): void {
  for (const [name, v] of Object.entries(params)) {
    if (!(Number.isFinite(v) && v > 0)) {
      throw new ModelInputError(
        `Gamma-Gamma parameter ${name} must be a positive number, got ${v}`,
      );
    }
  }
}

function assertSpend(x: number, zbar: number, allowZero = false): void {
  if (!(Number.isInteger(x) && x > 0)) {
    throw new ModelInputError(`x must be a positive integer for the Gamma-Gamma model, got ${x}`);
  }
  if (!(Number.isFinite(zbar) && (zbar > 0 || (allowZero && zbar === 0)))) {
    throw new ModelInputError(
      `zbar (mean repeat spend) must be ${allowZero ? 'zero or positive' : 'positive'}, got ${zbar}`,
    );
  }
}

/**
 * Log-likelihood of one repeat buyer's mean spend zbar over x transactions (Fader & Hardie
 * 2013, eq. 4, the density of zbar with ν integrated out):
 *
 * ln f = ln Γ(px+q) − ln Γ(px) − ln Γ(q) + q ln γ + (px−1) ln zbar + px ln x
 *        − (px+q) ln(γ + x·zbar)
 */
export function gammaGammaLogLikelihood(params: GammaGammaParams, x: number, zbar: number): number {
  assertParams(params);
  assertSpend(x, zbar);
  const { p, q, gamma } = params;
  const px = p * x;
  return (
    lgamma(px + q) -
    lgamma(px) -
    lgamma(q) +
    q * Math.log(gamma) +
    (px - 1) * Math.log(zbar) +
    px * Math.log(x) -
    (px + q) * Math.log(gamma + x * zbar)
  );
}

/**
 * Repeat buyers grouped by x: the sums of ln zbar per x are fixed, so an evaluation needs
 * the gamma functions once per distinct x and one log per customer.
 *
 * Customers with x = 0 have no repeat spend and are skipped, as are repeat buyers whose repeat
 * purchases were all free (zbar = 0): a Gamma density is 0 at 0, so one of them would make the
 * whole likelihood 0. Their expected spend still follows from the fitted parameters.
 */
class SpendData {
  readonly n: number;
  readonly xs: Float64Array;
  readonly count: Float64Array;
  readonly sumLogZ: Float64Array;
  /** Per customer: index into xs, and x·zbar. */
  readonly xi: Int32Array;
  readonly xz: Float64Array;

  constructor(points: Iterable<SpendPoint>) {
    const index = new Map<number, number>();
    const xs: number[] = [];
    const count: number[] = [];
    const sumLogZ: number[] = [];
    const xi: number[] = [];
    const xz: number[] = [];
    for (const { x, zbar } of points) {
      if (x === 0) continue;
      assertSpend(x, zbar, true);
      if (zbar === 0) continue;
      let j = index.get(x);
      if (j === undefined) {
        j = xs.length;
        xs.push(x);
        count.push(0);
        sumLogZ.push(0);
        index.set(x, j);
      }
      count[j] = (count[j] as number) + 1;
      sumLogZ[j] = (sumLogZ[j] as number) + Math.log(zbar);
      xi.push(j);
      xz.push(x * zbar);
    }
    this.n = xi.length;
    this.xs = Float64Array.from(xs);
    this.count = Float64Array.from(count);
    this.sumLogZ = Float64Array.from(sumLogZ);
    this.xi = Int32Array.from(xi);
    this.xz = Float64Array.from(xz);
  }
}

/**
 * Total log-likelihood and, with `grad`, its gradient in (ln p, ln q, ln γ):
 *   ∂/∂p = Σ x·[ψ(px+q) − ψ(px) + ln zbar + ln x − ln(γ + x·zbar)]
 *   ∂/∂q = Σ [ψ(px+q) − ψ(q) + ln γ − ln(γ + x·zbar)]
 *   ∂/∂γ = Σ [q/γ − (px+q)/(γ + x·zbar)]
 */
function totalLogLikelihood(
  data: SpendData,
  params: GammaGammaParams,
  grad?: Float64Array,
): number {
  const { p, q, gamma } = params;
  const { xs, count, sumLogZ, xi, xz, n } = data;
  const lnGamma = Math.log(gamma);
  const lgQ = lgamma(q);
  const psiQ = grad ? digamma(q) : 0;
  let ll = 0;
  // Neumaier compensation, as in the BG/NBD likelihood: keeps the sum accurate to the last
  // digits the optimiser compares near the optimum.
  let llComp = 0;
  let gp = 0;
  let gq = 0;
  let gg = 0;
  const nx = xs.length;
  const psiSum = new Float64Array(nx);
  for (let j = 0; j < nx; j++) {
    const x = xs[j] as number;
    const c = count[j] as number;
    const px = p * x;
    const lnX = Math.log(x);
    ll +=
      c * (lgamma(px + q) - lgamma(px) - lgQ + q * lnGamma + px * lnX) +
      (px - 1) * (sumLogZ[j] as number);
    if (grad) {
      const psiPQ = digamma(px + q);
      psiSum[j] = psiPQ;
      gp += x * (c * (psiPQ - digamma(px) + lnX) + (sumLogZ[j] as number));
      gq += c * (psiPQ - psiQ + lnGamma);
      gg += (c * q) / gamma;
    }
  }
  for (let i = 0; i < n; i++) {
    const j = xi[i] as number;
    const x = xs[j] as number;
    const pxq = p * x + q;
    const v = gamma + (xz[i] as number);
    const lnV = Math.log(v);
    const term = -pxq * lnV;
    const sum = ll + term;
    llComp += Math.abs(ll) >= Math.abs(term) ? ll - sum + term : term - sum + ll;
    ll = sum;
    if (grad) {
      gp -= x * lnV;
      gq -= lnV;
      gg -= pxq / v;
    }
  }
  if (grad) {
    grad[0] = p * gp;
    grad[1] = q * gq;
    grad[2] = gamma * gg;
  }
  return ll + llComp;
}

const fromLog = (theta: ArrayLike<number>): GammaGammaParams => ({
  p: Math.exp(theta[0] as number),
  q: Math.exp(theta[1] as number),
  gamma: Math.exp(theta[2] as number),
});

const validParams = (g: GammaGammaParams): boolean =>
  [g.p, g.q, g.gamma].every((v) => Number.isFinite(v) && v > 0);

/**
 * Maximum-likelihood fit of (p, q, γ) on the repeat buyers with a positive mean repeat spend
 * (customers with x = 0 or zbar = 0 are skipped, see SpendData): BFGS on log-parameters with the analytic gradient, Nelder–Mead with restarts and
 * a second BFGS run if the first does not meet its tolerance. `converged` as in fitBgNbd.
 */
export function fitGammaGamma(
  points: Iterable<SpendPoint>,
  options: GammaGammaFitOptions = {},
): GammaGammaFit {
  const data = new SpendData(points);
  const { n } = data;
  if (n === 0) {
    throw new ModelInputError(
      'cannot fit the Gamma-Gamma model without repeat buyers with a positive repeat spend',
    );
  }
  const start = options.start ?? { p: 1, q: 1, gamma: 1 };
  assertParams(start);
  const fg = (theta: Float64Array, grad: Float64Array): number => {
    const params = fromLog(theta);
    if (!validParams(params)) return Number.NaN;
    const ll = totalLogLikelihood(data, params, grad);
    for (let i = 0; i < 3; i++) grad[i] = -(grad[i] as number) / n;
    return -ll / n;
  };
  const f = (theta: Float64Array): number => {
    const params = fromLog(theta);
    return validParams(params) ? -totalLogLikelihood(data, params) / n : Number.NaN;
  };
  const run = minimizeWithFallback(fg, f, [start.p, start.q, start.gamma].map(Math.log), {
    gradientTolerance: options.gradientTolerance ?? 1e-8,
    maxIterations: options.maxIterations ?? 500,
  });
  const params = fromLog(run.x);
  return {
    params,
    logLikelihood: -run.f * n,
    n,
    converged: run.converged && validParams(params),
    iterations: run.iterations,
    message: run.message,
  };
}

/**
 * Expected mean transaction value of a customer given x repeat purchases with mean zbar
 * (Fader, Hardie & Lee 2005, "RFM and CLV", eq. 5):
 *
 * E[M | p, q, γ, x, zbar] = (p·γ + p·x·zbar) / (p·x + q − 1)
 *
 * a weighted mean of the population mean pγ/(q−1) and the customer's own zbar, with weight
 * px/(px+q−1) on zbar. With x = 0 it is the population mean; zbar = 0 (only free repeat
 * purchases) is allowed and pulls the estimate towards 0. Needs q > 1 (otherwise the
 * population mean spend is infinite).
 */
export function conditionalExpectedAverageSpend(
  params: GammaGammaParams,
  x: number,
  zbar: number,
): number {
  assertParams(params);
  if (!(params.q > 1)) {
    throw new ModelInputError(
      `the Gamma-Gamma mean spend needs q > 1 (finite population mean), got q = ${params.q}`,
    );
  }
  const { p, q, gamma } = params;
  if (x === 0) return (p * gamma) / (q - 1);
  assertSpend(x, zbar, true);
  return (p * gamma + p * x * zbar) / (p * x + q - 1);
}
