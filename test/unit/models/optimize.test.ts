import { describe, expect, it } from 'vitest';
import {
  bfgs,
  nelderMead,
  numericalGradient,
  type ObjectiveWithGradient,
  withNumericalGradient,
} from '../../../functions/core/models/optimize';

/** Rosenbrock's function, minimum 0 at (1, 1), and its gradient. */
const rosenbrock: ObjectiveWithGradient = (v, g) => {
  const x = v[0] as number;
  const y = v[1] as number;
  g[0] = -2 * (1 - x) - 400 * x * (y - x * x);
  g[1] = 200 * (y - x * x);
  return (1 - x) ** 2 + 100 * (y - x * x) ** 2;
};
const rosenbrockValue = (v: Float64Array) => rosenbrock(v, new Float64Array(2));

describe('bfgs', () => {
  it('finds the minimum of Rosenbrock’s function from (−1.2, 1)', () => {
    // Act
    const result = bfgs(rosenbrock, [-1.2, 1]);
    // Assess: the minimum is (1, 1) with value 0.
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 7);
    expect(result.x[1]).toBeCloseTo(1, 7);
    expect(result.f).toBeLessThan(1e-14);
  });

  it('finds the centre of an ill-scaled quadratic', () => {
    // f = (x − 3)² + 1000 (y + 2)²: minimum at (3, −2).
    const f: ObjectiveWithGradient = (v, g) => {
      const dx = (v[0] as number) - 3;
      const dy = (v[1] as number) + 2;
      g[0] = 2 * dx;
      g[1] = 2000 * dy;
      return dx * dx + 1000 * dy * dy;
    };
    const result = bfgs(f, [0, 0]);
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(3, 8);
    expect(result.x[1]).toBeCloseTo(-2, 8);
  });

  it('steps back from points where the objective is not defined', () => {
    // f = x − ln x is NaN for x ≤ 0, minimum 1 at x = 1; a unit step from 5 overshoots to < 0.
    const f: ObjectiveWithGradient = (v, g) => {
      const x = v[0] as number;
      g[0] = 1 - 1 / x;
      return x > 0 ? x - Math.log(x) : Number.NaN;
    };
    const result = bfgs(f, [5]);
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 8);
    expect(result.f).toBeCloseTo(1, 14);
  });

  it('reports no convergence when the iteration budget runs out', () => {
    const result = bfgs(rosenbrock, [-1.2, 1], { maxIterations: 3 });
    expect(result.converged).toBe(false);
    expect(result.iterations).toBe(3);
    expect(result.message).toBe('reached the iteration limit');
  });

  it('reports no convergence when the start is outside the domain', () => {
    const result = bfgs(() => Number.NaN, [1, 2]);
    expect(result.converged).toBe(false);
    expect(result.message).toMatch(/not finite at the starting point/);
  });

  it('works with a central-difference gradient', () => {
    const result = bfgs(withNumericalGradient(rosenbrockValue), [-1.2, 1], {
      gradientTolerance: 1e-6,
    });
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 4);
    expect(result.x[1]).toBeCloseTo(1, 4);
  });
});

describe('numericalGradient', () => {
  it('agrees with the analytic gradient', () => {
    const x = Float64Array.from([0.3, -0.7]);
    const analytic = new Float64Array(2);
    rosenbrock(x, analytic);
    const numeric = new Float64Array(2);
    const fx = numericalGradient(rosenbrockValue, x, numeric);
    // f(0.3, −0.7) = 0.7² + 100 (−0.7 − 0.09)² = 0.49 + 62.41 = 62.9.
    expect(fx).toBeCloseTo(62.9, 12);
    expect(numeric[0]).toBeCloseTo(analytic[0] as number, 6);
    expect(numeric[1]).toBeCloseTo(analytic[1] as number, 6);
  });
});

describe('nelderMead', () => {
  it('finds the minimum of Rosenbrock’s function from (−1.2, 1)', () => {
    const result = nelderMead(rosenbrockValue, [-1.2, 1]);
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 5);
    expect(result.x[1]).toBeCloseTo(1, 5);
    expect(result.message).toBe('simplex converged and a restart did not improve');
  });

  it('treats a non-finite value as too far and still finds the minimum', () => {
    // Minimum of x − ln x + (y − 2)² at (1, 2); NaN for x ≤ 0.
    const f = (v: Float64Array) => {
      const x = v[0] as number;
      return x > 0 ? x - Math.log(x) + ((v[1] as number) - 2) ** 2 : Number.NaN;
    };
    const result = nelderMead(f, [0.05, 0], { initialStep: 1 });
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 5);
    expect(result.x[1]).toBeCloseTo(2, 5);
  });

  it('reports no convergence when the iteration budget runs out', () => {
    const result = nelderMead(rosenbrockValue, [-1.2, 1], { maxIterations: 20 });
    expect(result.converged).toBe(false);
    expect(result.message).toBe('reached the iteration limit');
  });
});
