/**
 * The BG/NBD model of repeat purchasing in a non-contractual setting (Fader, Hardie & Lee
 * 2005, "Counting Your Customers the Easy Way: An Alternative to the Pareto/NBD Model",
 * Marketing Science 24(2) 275–284; "FHL 2005" below).
 *
 * While alive, a customer buys at Poisson rate λ ~ Gamma(r, α); after each repeat purchase
 * they drop out with probability p ~ Beta(a, b). Times are in weeks throughout.
 */
import type { FitSummary } from '../snapshot';
import { ModelInputError } from './errors';
import { minimizeWithFallback } from './optimize';
import { digamma, hyp2f1, lgamma, logAddExp } from './special';

export type BgNbdParams = {
  r: number;
  alpha: number;
  a: number;
  b: number;
};

/** The per-customer inputs: repeat purchases x, recency t_x and age T (weeks). */
export interface RfmPoint {
  x: number;
  tx: number;
  T: number;
}

export interface BgNbdFit extends FitSummary<BgNbdParams> {
  iterations: number;
  /** How the optimiser stopped, in plain English. */
  message: string;
}

export interface BgNbdFitOptions {
  /** @default - r = 1, α = 1, a = 1, b = 1 */
  start?: BgNbdParams;
  /** Iterations per optimiser run. @default 500 */
  maxIterations?: number;
  /** On the gradient of the mean negative log-likelihood in log-parameters. @default 1e-8 */
  gradientTolerance?: number;
}

function assertParams(p: BgNbdParams): void {
  for (const [name, v] of Object.entries(p)) {
    if (!(Number.isFinite(v) && v > 0)) {
      throw new ModelInputError(`BG/NBD parameter ${name} must be a positive number, got ${v}`);
    }
  }
}

function assertPoint(x: number, tx: number, T: number): void {
  if (!(Number.isInteger(x) && x >= 0)) {
    throw new ModelInputError(`x (repeat purchases) must be a non-negative integer, got ${x}`);
  }
  if (!(Number.isFinite(tx) && Number.isFinite(T) && tx >= 0 && tx <= T)) {
    throw new ModelInputError(`need 0 ≤ t_x ≤ T (weeks), got t_x = ${tx}, T = ${T}`);
  }
}

/**
 * Log-likelihood of one customer's (x, t_x, T) under the BG/NBD model (FHL 2005, eq. 6),
 * evaluated in log space so that it neither overflows nor underflows for large x:
 *
 * ln L = ln Γ(r+x) − ln Γ(r) + r ln α + ln B(a, b+x) − ln B(a, b)
 *        + ln[ (α+T)^−(r+x) + δ(x>0) · a/(b+x−1) · (α+t_x)^−(r+x) ]
 *
 * with the bracket by log-sum-exp (Hardie, "A Note on Implementing the BG/NBD Model in
 * Excel", note 027, solution 2).
 *
 * @example bgnbdLogLikelihood({ r: 0.25, alpha: 4, a: 0.8, b: 2.5 }, 0, 0, 40) // −0.59947382
 */
export function bgnbdLogLikelihood(params: BgNbdParams, x: number, tx: number, T: number): number {
  assertParams(params);
  assertPoint(x, tx, T);
  const { r, alpha, a, b } = params;
  const gammaPart = lgamma(r + x) - lgamma(r) + r * Math.log(alpha);
  const betaPart = lgamma(a + b) + lgamma(b + x) - lgamma(b) - lgamma(a + b + x);
  const alive = -(r + x) * Math.log(alpha + T);
  const dropped =
    x > 0
      ? Math.log(a) - Math.log(b + x - 1) - (r + x) * Math.log(alpha + tx)
      : Number.NEGATIVE_INFINITY;
  return gammaPart + betaPart + logAddExp(alive, dropped);
}

/**
 * Customers grouped for the likelihood: identical (x, t_x, T) triples are counted once with a
 * weight, and every quantity that depends only on x or only on a time value is computed
 * once per distinct value per evaluation. With whole-day data that leaves one exp and one
 * log1p per distinct triple.
 */
class BgNbdData {
  readonly n: number;
  readonly totalX: number;
  readonly totalT: number;
  /** Distinct x values and the total weight of each. */
  readonly xs: Float64Array;
  readonly weightX: Float64Array;
  /** Distinct t_x and T values. */
  readonly times: Float64Array;
  /** Per distinct triple: weight, index into xs, index into times of t_x and of T. */
  readonly w: Float64Array;
  readonly xi: Int32Array;
  readonly txi: Int32Array;
  readonly Ti: Int32Array;

  constructor(points: Iterable<RfmPoint>) {
    const xIndex = new Map<number, number>();
    const timeIndex = new Map<number, number>();
    const tripleIndex = new Map<string, number>();
    const xs: number[] = [];
    const weightX: number[] = [];
    const times: number[] = [];
    const w: number[] = [];
    const xi: number[] = [];
    const txi: number[] = [];
    const Ti: number[] = [];
    let n = 0;
    let totalX = 0;
    let totalT = 0;
    const timeAt = (t: number): number => {
      let k = timeIndex.get(t);
      if (k === undefined) {
        k = times.length;
        times.push(t);
        timeIndex.set(t, k);
      }
      return k;
    };
    for (const { x, tx, T } of points) {
      assertPoint(x, tx, T);
      n++;
      totalX += x;
      totalT += T;
      // t_x does not enter the likelihood when x = 0.
      const txUsed = x > 0 ? tx : 0;
      const key = `${x}|${txUsed}|${T}`;
      const k = tripleIndex.get(key);
      if (k !== undefined) {
        w[k] = (w[k] as number) + 1;
      } else {
        let j = xIndex.get(x);
        if (j === undefined) {
          j = xs.length;
          xs.push(x);
          weightX.push(0);
          xIndex.set(x, j);
        }
        tripleIndex.set(key, w.length);
        w.push(1);
        xi.push(j);
        txi.push(timeAt(txUsed));
        Ti.push(timeAt(T));
      }
      const j = xIndex.get(x) as number;
      weightX[j] = (weightX[j] as number) + 1;
    }
    this.n = n;
    this.totalX = totalX;
    this.totalT = totalT;
    this.xs = Float64Array.from(xs);
    this.weightX = Float64Array.from(weightX);
    this.times = Float64Array.from(times);
    this.w = Float64Array.from(w);
    this.xi = Int32Array.from(xi);
    this.txi = Int32Array.from(txi);
    this.Ti = Int32Array.from(Ti);
  }
}

/**
 * Total log-likelihood of the grouped data and, when `grad` is given, its gradient with
 * respect to the log-parameters (ln r, ln α, ln a, ln b). Derivatives (ψ = digamma):
 *   ∂/∂r = ψ(r+x) − ψ(r) + ln α − (1−w)·ln(α+T) − w·ln(α+t_x)
 *   ∂/∂α = r/α − (r+x)·[(1−w)/(α+T) + w/(α+t_x)]
 *   ∂/∂a = ψ(a+b) − ψ(a+b+x) + w/a
 *   ∂/∂b = ψ(a+b) + ψ(b+x) − ψ(b) − ψ(a+b+x) − w/(b+x−1)
 * where w is the share of the "dropped out after t_x" term in the bracket of ln L.
 */
function totalLogLikelihood(data: BgNbdData, params: BgNbdParams, grad?: Float64Array): number {
  const { r, alpha, a, b } = params;
  const { xs, weightX, times, w, xi, txi, Ti } = data;
  const nt = times.length;
  const lnAT = new Float64Array(nt);
  const invAT = new Float64Array(nt);
  for (let k = 0; k < nt; k++) {
    const v = alpha + (times[k] as number);
    lnAT[k] = Math.log(v);
    invAT[k] = 1 / v;
  }
  const lnAlpha = Math.log(alpha);
  const lgR = lgamma(r);
  const lgAB = lgamma(a + b);
  const lgB = lgamma(b);
  const lnA = Math.log(a);
  const nx = xs.length;
  const lnDrop = new Float64Array(nx);
  const invBx1 = new Float64Array(nx);
  let ll = 0;
  // Compensation term of a Neumaier sum over the triples: near the optimum the optimiser
  // compares values that differ in the 15th digit, which plain summation of 10⁵ terms blurs.
  let llComp = 0;
  let gr = 0;
  let gAlpha = 0;
  let ga = 0;
  let gb = 0;
  const psiR = grad ? digamma(r) : 0;
  const psiAB = grad ? digamma(a + b) : 0;
  const psiB = grad ? digamma(b) : 0;
  for (let j = 0; j < nx; j++) {
    const x = xs[j] as number;
    const wx = weightX[j] as number;
    ll += wx * (lgamma(r + x) - lgR + r * lnAlpha + lgAB + lgamma(b + x) - lgB - lgamma(a + b + x));
    if (x > 0) {
      lnDrop[j] = lnA - Math.log(b + x - 1);
      invBx1[j] = 1 / (b + x - 1);
    }
    if (grad) {
      const psiABX = digamma(a + b + x);
      gr += wx * (digamma(r + x) - psiR + lnAlpha);
      gAlpha += (wx * r) / alpha;
      ga += wx * (psiAB - psiABX);
      gb += wx * (psiAB + digamma(b + x) - psiB - psiABX);
    }
  }
  const m = w.length;
  for (let k = 0; k < m; k++) {
    const j = xi[k] as number;
    const x = xs[j] as number;
    const wk = w[k] as number;
    const rx = r + x;
    const iT = Ti[k] as number;
    const aliveTerm = -rx * (lnAT[iT] as number);
    if (x === 0) {
      const term = wk * aliveTerm;
      const sum = ll + term;
      llComp += Math.abs(ll) >= Math.abs(term) ? ll - sum + term : term - sum + ll;
      ll = sum;
      if (grad) {
        gr -= wk * (lnAT[iT] as number);
        gAlpha -= wk * rx * (invAT[iT] as number);
      }
      continue;
    }
    const itx = txi[k] as number;
    const dropTerm = (lnDrop[j] as number) - rx * (lnAT[itx] as number);
    let lse: number;
    let share: number;
    if (aliveTerm >= dropTerm) {
      const e = Math.exp(dropTerm - aliveTerm);
      lse = aliveTerm + Math.log1p(e);
      share = e / (1 + e);
    } else {
      const e = Math.exp(aliveTerm - dropTerm);
      lse = dropTerm + Math.log1p(e);
      share = 1 / (1 + e);
    }
    const term = wk * lse;
    const sum = ll + term;
    llComp += Math.abs(ll) >= Math.abs(term) ? ll - sum + term : term - sum + ll;
    ll = sum;
    if (grad) {
      const keep = 1 - share;
      gr -= wk * (keep * (lnAT[iT] as number) + share * (lnAT[itx] as number));
      gAlpha -= wk * rx * (keep * (invAT[iT] as number) + share * (invAT[itx] as number));
      ga += (wk * share) / a;
      gb -= wk * share * (invBx1[j] as number);
    }
  }
  if (grad) {
    // Chain rule to log-parameters: ∂/∂ln θ = θ · ∂/∂θ.
    grad[0] = r * gr;
    grad[1] = alpha * gAlpha;
    grad[2] = a * ga;
    grad[3] = b * gb;
  }
  return ll + llComp;
}

const fromLog = (theta: ArrayLike<number>): BgNbdParams => ({
  r: Math.exp(theta[0] as number),
  alpha: Math.exp(theta[1] as number),
  a: Math.exp(theta[2] as number),
  b: Math.exp(theta[3] as number),
});

const validParams = (p: BgNbdParams): boolean =>
  [p.r, p.alpha, p.a, p.b].every((v) => Number.isFinite(v) && v > 0);

/**
 * Maximum-likelihood fit of the BG/NBD parameters (r, α, a, b).
 *
 * Optimises the mean negative log-likelihood over log-parameters (so every parameter stays
 * positive) with BFGS and the analytic gradient; if that does not meet its tolerance,
 * Nelder–Mead with restarts from the best point, then BFGS again from there.
 * `converged` is true only when the run that produced the returned point met its tolerance
 * and the parameters are finite and positive: callers must not publish a fit without it.
 */
export function fitBgNbd(points: Iterable<RfmPoint>, options: BgNbdFitOptions = {}): BgNbdFit {
  const data = new BgNbdData(points);
  const { n } = data;
  if (n === 0) throw new ModelInputError('cannot fit the BG/NBD model to zero customers');
  const start = options.start ?? { r: 1, alpha: 1, a: 1, b: 1 };
  assertParams(start);
  const fg = (theta: Float64Array, grad: Float64Array): number => {
    const p = fromLog(theta);
    if (!validParams(p)) return Number.NaN;
    const ll = totalLogLikelihood(data, p, grad);
    for (let i = 0; i < 4; i++) grad[i] = -(grad[i] as number) / n;
    return -ll / n;
  };
  const f = (theta: Float64Array): number => {
    const p = fromLog(theta);
    return validParams(p) ? -totalLogLikelihood(data, p) / n : Number.NaN;
  };
  const theta0 = [start.r, start.alpha, start.a, start.b].map(Math.log);
  const run = minimizeWithFallback(fg, f, theta0, {
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
 * Probability that a customer with history (x, t_x, T) is still alive at T
 * (FHL 2005, eq. 11; Fader, Hardie & Lee, "Computing P(alive) Using the BG/NBD Model", 2008):
 *
 * P(alive) = 1 / (1 + δ(x>0) · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x))
 *
 * Equal to 1 when x = 0: in the BG/NBD model a customer can only drop out right after a
 * repeat purchase. The odds term is computed in log space.
 */
export function probabilityAlive(params: BgNbdParams, x: number, tx: number, T: number): number {
  assertParams(params);
  assertPoint(x, tx, T);
  if (x === 0) return 1;
  const { r, alpha, a, b } = params;
  const logOdds =
    Math.log(a) - Math.log(b + x - 1) + (r + x) * (Math.log(alpha + T) - Math.log(alpha + tx));
  return 1 / (1 + Math.exp(logOdds));
}

/**
 * The bracketed part of FHL 2005 eq. 10 for a customer of age T with x repeat purchases,
 * over the next t weeks, as if alive:
 *
 * (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) · ₂F₁(r+x, b+x; a+b+x−1; z)],
 * z = t/(α+T+t).
 *
 * Euler's transformation ₂F₁(A, B; C; z) = (1−z)^(C−A−B) ₂F₁(C−A, C−B; C; z)
 * (Abramowitz & Stegun 15.3.3) turns the product into (1−z)^(a−1) · ₂F₁(a+b−1−r, a−1;
 * a+b+x−1; z): the same value, but the x-dependent exponent cancels, so nothing overflows for
 * large x and the series converges faster (its terms decay like n^(a−r−x−2) zⁿ).
 */
function expectedIfAlive(p: BgNbdParams, t: number, x: number, T: number): number {
  const { r, alpha, a, b } = p;
  if (t === 0) return 0;
  if (Math.abs(a - 1) < 1e-7) {
    // a = 1 is a removable singularity (0/0); the function is smooth in a, so average the
    // values just either side.
    const h = 1e-5;
    return (
      0.5 *
      (expectedIfAlive({ ...p, a: 1 - h }, t, x, T) + expectedIfAlive({ ...p, a: 1 + h }, t, x, T))
    );
  }
  const logOneMinusZ = Math.log(alpha + T) - Math.log(alpha + T + t);
  const z = t / (alpha + T + t);
  const f = hyp2f1(a + b - 1 - r, a - 1, a + b + x - 1, z);
  const bracket = -Math.expm1((a - 1) * logOneMinusZ) - Math.exp((a - 1) * logOneMinusZ) * (f - 1);
  return ((a + b + x - 1) / (a - 1)) * bracket;
}

/**
 * Expected number of purchases in the next t weeks of a customer with x repeat purchases and
 * age T, given that they are still alive at T: the bracketed part of FHL 2005 eq. 10, which
 * does not depend on t_x. conditionalExpectedPurchases(params, t, x, t_x, T) is exactly
 * (bit for bit) probabilityAlive(params, x, t_x, T) × this value, or 0 when P(alive) is 0;
 * callers that evaluate many customers of the same (x, T) compute it once for all of them.
 */
export function expectedPurchasesIfAlive(
  params: BgNbdParams,
  t: number,
  x: number,
  T: number,
): number {
  assertParams(params);
  assertPoint(x, 0, T);
  if (!(Number.isFinite(t) && t >= 0)) {
    throw new ModelInputError(`the horizon t must be a non-negative number of weeks, got ${t}`);
  }
  return expectedIfAlive(params, t, x, T);
}

/**
 * Expected number of purchases in the next t weeks of a customer with history (x, t_x, T)
 * (FHL 2005, eq. 10):
 *
 * E[Y(t) | x, t_x, T] = (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) ₂F₁(r+x, b+x; a+b+x−1;
 * t/(α+T+t))] / [1 + δ(x>0) · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x)]
 *
 * The denominator is 1/P(alive), so this is P(alive) × the expectation as if alive.
 *
 * @example conditionalExpectedPurchases({ r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }, 39, 2, 30.43, 38.86) // ≈ 1.226 (FHL 2005, §5)
 */
export function conditionalExpectedPurchases(
  params: BgNbdParams,
  t: number,
  x: number,
  tx: number,
  T: number,
): number {
  if (!(Number.isFinite(t) && t >= 0)) {
    throw new ModelInputError(`the horizon t must be a non-negative number of weeks, got ${t}`);
  }
  const alive = probabilityAlive(params, x, tx, T);
  if (alive === 0) return 0;
  return alive * expectedIfAlive(params, t, x, T);
}

/**
 * Expected number of repeat purchases in (0, t] of a customer who has just made their first
 * purchase (FHL 2005, eq. 9):
 *
 * E[X(t)] = (a+b−1)/(a−1) · [1 − (α/(α+t))^r · ₂F₁(r, b; a+b−1; t/(α+t))]
 */
export function expectedPurchasesUnconditional(params: BgNbdParams, t: number): number {
  assertParams(params);
  if (!(Number.isFinite(t) && t >= 0)) {
    throw new ModelInputError(`t must be a non-negative number of weeks, got ${t}`);
  }
  return expectedIfAlive(params, t, 0, 0);
}
