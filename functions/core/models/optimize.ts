/**
 * Unconstrained minimisers for the model fits: BFGS with a strong-Wolfe line search, and
 * Nelder–Mead with restarts. Both accept objectives that return a non-finite value outside
 * their domain (they treat it as "too far" and step back), and both report honestly whether
 * they met their tolerance.
 */

export type Objective = (x: Float64Array) => number;
/** Writes the gradient at x into `grad` and returns the objective value. */
export type ObjectiveWithGradient = (x: Float64Array, grad: Float64Array) => number;

export interface OptimizeResult {
  x: Float64Array;
  f: number;
  /** Met the tolerance within the iteration budget, with a finite minimum. */
  converged: boolean;
  iterations: number;
  evaluations: number;
  /** Why the optimiser stopped, in plain English. */
  message: string;
}

export interface BfgsOptions {
  /** Stop when every component of the gradient is at most this in absolute value. @default 1e-8 */
  gradientTolerance?: number;
  /** @default 500 */
  maxIterations?: number;
  /** Largest change of any coordinate in one step (keeps exp(θ) from overflowing). @default 10 */
  maxStep?: number;
}

const C1 = 1e-4;
const C2 = 0.9;

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] as number));
  return m;
}

/**
 * Central-difference gradient, step h = ε^(1/3) · max(1, |xᵢ|) (ε = machine epsilon), the
 * step that balances truncation and rounding error for a central difference
 * (Nocedal & Wright, Numerical Optimization, 2nd ed., §8.1).
 */
export function numericalGradient(f: Objective, x: Float64Array, grad: Float64Array): number {
  const fx = f(x);
  const probe = Float64Array.from(x);
  for (let i = 0; i < x.length; i++) {
    const xi = x[i] as number;
    const h = Math.cbrt(Number.EPSILON) * Math.max(1, Math.abs(xi));
    probe[i] = xi + h;
    const fPlus = f(probe);
    probe[i] = xi - h;
    const fMinus = f(probe);
    probe[i] = xi;
    grad[i] = (fPlus - fMinus) / (2 * h);
  }
  return fx;
}

/** Wraps a value-only objective with a central-difference gradient. */
export function withNumericalGradient(f: Objective): ObjectiveWithGradient {
  return (x, grad) => numericalGradient(f, x, grad);
}

interface LinePoint {
  alpha: number;
  f: number;
  /** Directional derivative g(x + αp) · p; NaN when f is not finite. */
  d: number;
  x: Float64Array;
  g: Float64Array;
}

/**
 * Line search satisfying the strong Wolfe conditions (Nocedal & Wright, Algorithms 3.5 and
 * 3.6), with safeguarded cubic interpolation in the zoom phase and bisection whenever a
 * trial point has a non-finite value. Returns null when no point with sufficient decrease
 * was found.
 */
function strongWolfe(
  fg: ObjectiveWithGradient,
  x0: Float64Array,
  f0: number,
  p: Float64Array,
  d0: number,
  alphaInit: number,
  alphaMax: number,
  counter: { evaluations: number },
): LinePoint | null {
  const n = x0.length;
  const evalAt = (alpha: number): LinePoint => {
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) x[i] = (x0[i] as number) + alpha * (p[i] as number);
    const g = new Float64Array(n);
    const f = fg(x, g);
    counter.evaluations++;
    const finite = Number.isFinite(f);
    return {
      alpha,
      f: finite ? f : Number.POSITIVE_INFINITY,
      d: finite ? dot(g, p) : Number.NaN,
      x,
      g,
    };
  };
  const armijoFails = (pt: LinePoint) => !(pt.f <= f0 + C1 * pt.alpha * d0);
  const curvatureHolds = (pt: LinePoint) => Math.abs(pt.d) <= -C2 * d0;
  let bestArmijo: LinePoint | null = null;

  const zoom = (loIn: LinePoint, hiIn: LinePoint): LinePoint | null => {
    let lo = loIn;
    let hi = hiIn;
    for (let j = 0; j < 60; j++) {
      const left = Math.min(lo.alpha, hi.alpha);
      const right = Math.max(lo.alpha, hi.alpha);
      const width = right - left;
      if (width <= 1e-16 * Math.max(1, right)) break;
      let alpha = Number.NaN;
      if (Number.isFinite(hi.f) && Number.isFinite(hi.d)) {
        // Minimiser of the cubic through (lo.f, lo.d) and (hi.f, hi.d).
        const d1 = lo.d + hi.d - (3 * (lo.f - hi.f)) / (lo.alpha - hi.alpha);
        const disc = d1 * d1 - lo.d * hi.d;
        if (disc >= 0) {
          const d2 = Math.sign(hi.alpha - lo.alpha) * Math.sqrt(disc);
          alpha = hi.alpha - (hi.alpha - lo.alpha) * ((hi.d + d2 - d1) / (hi.d - lo.d + 2 * d2));
        }
      } else if (Number.isFinite(hi.f)) {
        // Minimiser of the quadratic through (lo.f, lo.d) and hi.f.
        const da = hi.alpha - lo.alpha;
        const denom = 2 * (hi.f - lo.f - lo.d * da);
        if (denom > 0) alpha = lo.alpha - (lo.d * da * da) / denom;
      }
      // Keep the trial well inside the bracket; bisect when interpolation is unusable.
      if (!Number.isFinite(alpha) || alpha < left + 0.1 * width || alpha > right - 0.1 * width) {
        alpha = 0.5 * (left + right);
      }
      const pt = evalAt(alpha);
      if (armijoFails(pt) || pt.f >= lo.f) {
        hi = pt;
      } else {
        if (!bestArmijo || pt.f < bestArmijo.f) bestArmijo = pt;
        if (curvatureHolds(pt)) return pt;
        if (pt.d * (hi.alpha - lo.alpha) >= 0) hi = lo;
        lo = pt;
      }
    }
    return bestArmijo;
  };

  let prev: LinePoint = { alpha: 0, f: f0, d: d0, x: x0, g: new Float64Array(n) };
  let alpha = Math.min(alphaInit, alphaMax);
  for (let i = 0; i < 60; i++) {
    const pt = evalAt(alpha);
    if (armijoFails(pt) || (i > 0 && pt.f >= prev.f)) return zoom(prev, pt);
    bestArmijo = pt;
    if (curvatureHolds(pt)) return pt;
    if (pt.d >= 0) return zoom(pt, prev);
    if (alpha >= alphaMax) return pt;
    prev = pt;
    alpha = Math.min(2 * alpha, alphaMax);
  }
  return bestArmijo;
}

/**
 * Minimise a smooth function with BFGS (inverse-Hessian update, Nocedal & Wright,
 * Numerical Optimization, 2nd ed., Algorithm 6.1) and a strong-Wolfe line search.
 *
 * Converged means ‖∇f‖∞ ≤ gradientTolerance at a finite f within maxIterations. When the
 * line search cannot make progress the inverse Hessian is reset to the identity once; a
 * second failure stops the search, reported as not converged unless the gradient test holds.
 */
export function bfgs(
  fg: ObjectiveWithGradient,
  start: ArrayLike<number>,
  options: BfgsOptions = {},
): OptimizeResult {
  const gtol = options.gradientTolerance ?? 1e-8;
  const maxIterations = options.maxIterations ?? 500;
  const maxStep = options.maxStep ?? 10;
  const n = start.length;
  const counter = { evaluations: 0 };
  let x: Float64Array = Float64Array.from(start);
  let g: Float64Array = new Float64Array(n);
  let f = fg(x, g);
  counter.evaluations++;
  const result = (converged: boolean, iterations: number, message: string): OptimizeResult => ({
    x,
    f,
    converged: converged && Number.isFinite(f) && x.every(Number.isFinite),
    iterations,
    evaluations: counter.evaluations,
    message,
  });
  if (!Number.isFinite(f) || !g.every(Number.isFinite)) {
    return result(false, 0, 'the objective is not finite at the starting point');
  }
  // H approximates the inverse Hessian, row-major n × n; starts as the identity.
  const H = new Float64Array(n * n);
  const resetH = () => {
    H.fill(0);
    for (let i = 0; i < n; i++) H[i * n + i] = 1;
  };
  resetH();
  let freshH = true;
  const p = new Float64Array(n);
  const Hy = new Float64Array(n);
  for (let iter = 0; iter < maxIterations; iter++) {
    if (maxAbs(g) <= gtol) return result(true, iter, 'gradient below tolerance');
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s -= (H[i * n + j] as number) * (g[j] as number);
      p[i] = s;
    }
    let d0 = dot(g, p);
    if (!(d0 < 0)) {
      // Not a descent direction (H lost positive definiteness to rounding): steepest descent.
      resetH();
      freshH = true;
      for (let i = 0; i < n; i++) p[i] = -(g[i] as number);
      d0 = dot(g, p);
    }
    const pMax = maxAbs(p);
    const alphaMax = maxStep / pMax;
    // With H = I the step has no natural scale; start with a unit step in the largest coordinate.
    const alphaInit = freshH ? Math.min(1, 1 / pMax) : 1;
    const pt = strongWolfe(fg, x, f, p, d0, alphaInit, alphaMax, counter);
    if (!pt) {
      if (freshH) {
        const ok = maxAbs(g) <= gtol;
        return result(ok, iter, 'the line search found no lower point');
      }
      resetH();
      freshH = true;
      continue;
    }
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = (pt.x[i] as number) - (x[i] as number);
      y[i] = (pt.g[i] as number) - (g[i] as number);
    }
    x = pt.x;
    g = pt.g;
    f = pt.f;
    const ys = dot(y, s);
    // Skip the update when the curvature condition fails (keeps H positive definite).
    if (ys > 1e-12 * Math.sqrt(dot(y, y) * dot(s, s))) {
      if (freshH) {
        // Scale the initial identity by yᵀs / yᵀy before the first update (N&W eq. 6.20).
        const scale = ys / dot(y, y);
        for (let i = 0; i < n; i++) H[i * n + i] = scale;
        freshH = false;
      }
      const rho = 1 / ys;
      for (let i = 0; i < n; i++) {
        let v = 0;
        for (let j = 0; j < n; j++) v += (H[i * n + j] as number) * (y[j] as number);
        Hy[i] = v;
      }
      const yHy = dot(y, Hy);
      // H ← H − ρ(Hy sᵀ + s yᵀH) + (ρ² yᵀHy + ρ) s sᵀ (H symmetric).
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          const si = s[i] as number;
          const sj = s[j] as number;
          H[i * n + j] =
            (H[i * n + j] as number) -
            rho * ((Hy[i] as number) * sj + si * (Hy[j] as number)) +
            (rho * rho * yHy + rho) * si * sj;
        }
      }
    }
  }
  return result(maxAbs(g) <= gtol, maxIterations, 'reached the iteration limit');
}

export interface NelderMeadOptions {
  /** Initial simplex edge along each coordinate. @default 0.1 · max(1, |xᵢ|) */
  initialStep?: number;
  /** Converged when the simplex's values span at most ftolAbs + ftolRel·|f_best|. @default 1e-10 */
  ftolRel?: number;
  /** @default 1e-12 */
  ftolAbs?: number;
  /** …and every vertex is within xtol of the best (∞-norm). @default 1e-8 */
  xtol?: number;
  /** Iterations summed over all restarts. @default 20000 */
  maxIterations?: number;
  /** Restarts from the best point after a converged run. @default 10 */
  maxRestarts?: number;
}

/**
 * Minimise f with the Nelder–Mead simplex method (Lagarias et al., SIAM J. Optim. 9 (1998)
 * 112–147: reflection 1, expansion 2, contractions ½, shrink ½), restarted from the best
 * point with a fresh simplex until a restart no longer lowers f by more than the function
 * tolerance (restarts guard against the simplex collapsing away from the minimum).
 *
 * Converged means the last run met both the function and the simplex-size tolerance and the
 * last restart brought no improvement, within maxIterations.
 */
export function nelderMead(
  f: Objective,
  start: ArrayLike<number>,
  options: NelderMeadOptions = {},
): OptimizeResult {
  const ftolRel = options.ftolRel ?? 1e-10;
  const ftolAbs = options.ftolAbs ?? 1e-12;
  const xtol = options.xtol ?? 1e-8;
  const maxIterations = options.maxIterations ?? 20_000;
  const maxRestarts = options.maxRestarts ?? 10;
  let evaluations = 0;
  const evalF = (x: Float64Array): number => {
    evaluations++;
    const v = f(x);
    return Number.isFinite(v) ? v : Number.POSITIVE_INFINITY;
  };

  let best: Float64Array = Float64Array.from(start);
  let fBest = evalF(best);
  let iterations = 0;
  let lastRunConverged = false;
  for (let restart = 0; restart <= maxRestarts; restart++) {
    const run = nelderMeadRun(
      evalF,
      best,
      fBest,
      options.initialStep,
      ftolRel,
      ftolAbs,
      xtol,
      maxIterations - iterations,
    );
    iterations += run.iterations;
    const improvement = fBest - run.f;
    const tol = ftolAbs + ftolRel * Math.abs(run.f);
    if (run.f <= fBest) {
      best = run.x;
      fBest = run.f;
    }
    lastRunConverged = run.converged;
    if (!run.converged) break;
    if (restart > 0 && improvement <= tol) {
      return {
        x: best,
        f: fBest,
        converged: Number.isFinite(fBest),
        iterations,
        evaluations,
        message: 'simplex converged and a restart did not improve',
      };
    }
  }
  return {
    x: best,
    f: fBest,
    converged: false,
    iterations,
    evaluations,
    message: lastRunConverged ? 'restarts kept improving' : 'reached the iteration limit',
  };
}

function nelderMeadRun(
  evalF: (x: Float64Array) => number,
  start: Float64Array,
  fStart: number,
  initialStep: number | undefined,
  ftolRel: number,
  ftolAbs: number,
  xtol: number,
  maxIterations: number,
): { x: Float64Array; f: number; converged: boolean; iterations: number } {
  const n = start.length;
  const vertices: Float64Array[] = [Float64Array.from(start)];
  const values: number[] = [fStart];
  for (let i = 0; i < n; i++) {
    const v = Float64Array.from(start);
    const xi = v[i] as number;
    v[i] = xi + (initialStep ?? 0.1 * Math.max(1, Math.abs(xi)));
    vertices.push(v);
    values.push(evalF(v));
  }
  const order = Array.from({ length: n + 1 }, (_, i) => i);
  const centroid = new Float64Array(n);
  const along = (coef: number): Float64Array => {
    // centroid + coef · (centroid − worst)
    const worst = vertices[order[n] as number] as Float64Array;
    const out = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      const c = centroid[j] as number;
      out[j] = c + coef * (c - (worst[j] as number));
    }
    return out;
  };
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    order.sort((i, j) => (values[i] as number) - (values[j] as number));
    const bestIdx = order[0] as number;
    const fLow = values[bestIdx] as number;
    const fHigh = values[order[n] as number] as number;
    let spread = 0;
    const bestV = vertices[bestIdx] as Float64Array;
    for (const idx of order) {
      const v = vertices[idx] as Float64Array;
      for (let j = 0; j < n; j++) {
        spread = Math.max(spread, Math.abs((v[j] as number) - (bestV[j] as number)));
      }
    }
    if (fHigh - fLow <= ftolAbs + ftolRel * Math.abs(fLow) && spread <= xtol) {
      return { x: Float64Array.from(bestV), f: fLow, converged: Number.isFinite(fLow), iterations };
    }
    centroid.fill(0);
    for (let k = 0; k < n; k++) {
      const v = vertices[order[k] as number] as Float64Array;
      for (let j = 0; j < n; j++) centroid[j] = (centroid[j] as number) + (v[j] as number) / n;
    }
    const worstIdx = order[n] as number;
    const fSecond = values[order[n - 1] as number] as number;
    const xr = along(1);
    const fr = evalF(xr);
    if (fr < fLow) {
      const xe = along(2);
      const fe = evalF(xe);
      if (fe < fr) {
        vertices[worstIdx] = xe;
        values[worstIdx] = fe;
      } else {
        vertices[worstIdx] = xr;
        values[worstIdx] = fr;
      }
      continue;
    }
    if (fr < fSecond) {
      vertices[worstIdx] = xr;
      values[worstIdx] = fr;
      continue;
    }
    // Outside contraction when the reflection beat the worst point, inside otherwise.
    const outside = fr < fHigh;
    const xc = along(outside ? 0.5 : -0.5);
    const fc = evalF(xc);
    if (outside ? fc <= fr : fc < fHigh) {
      vertices[worstIdx] = xc;
      values[worstIdx] = fc;
      continue;
    }
    // Shrink every vertex halfway towards the best one.
    for (let k = 1; k <= n; k++) {
      const idx = order[k] as number;
      const v = vertices[idx] as Float64Array;
      for (let j = 0; j < n; j++) {
        v[j] = (bestV[j] as number) + 0.5 * ((v[j] as number) - (bestV[j] as number));
      }
      values[idx] = evalF(v);
    }
  }
  order.sort((i, j) => (values[i] as number) - (values[j] as number));
  const b = order[0] as number;
  return {
    x: Float64Array.from(vertices[b] as Float64Array),
    f: values[b] as number,
    converged: false,
    iterations,
  };
}

/**
 * BFGS from `start`; when it does not converge (a flat ridge, a poor start), Nelder-Mead from
 * where it stopped and BFGS again from there, keeping the best finite result, a converged one
 * first. The model fitters' strategy: BFGS is fast near the optimum, Nelder-Mead needs no
 * gradient to get out of where BFGS stalls. `iterations` is the total over all runs.
 */
export function minimizeWithFallback(
  fg: ObjectiveWithGradient,
  f: Objective,
  start: ArrayLike<number>,
  options: BfgsOptions = {},
): OptimizeResult {
  const first = bfgs(fg, start, options);
  if (first.converged) return first;
  const nm = nelderMead(f, first.x, { maxIterations: 20 * (options.maxIterations ?? 500) });
  const polish = bfgs(fg, nm.x, options);
  const candidates = [first, nm, polish].filter((c) => Number.isFinite(c.f));
  candidates.sort((c1, c2) => Number(c2.converged) - Number(c1.converged) || c1.f - c2.f);
  const best = candidates[0] ?? polish;
  return { ...best, iterations: first.iterations + nm.iterations + polish.iterations };
}
