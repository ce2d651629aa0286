import { describe, expect, it } from 'vitest';
import { NumericalError } from '../../../functions/core/models/errors';
import { digamma, hyp2f1, lgamma, logAddExp } from '../../../functions/core/models/special';

const EULER_GAMMA = 0.5772156649015329;

describe('lgamma', () => {
  it('gives ln((n−1)!) at whole numbers', () => {
    // Prepare: 9! = 362880; ln(99!) as a plain sum of logs.
    let lnFact99 = 0;
    for (let k = 2; k <= 99; k++) lnFact99 += Math.log(k);
    // Act / Assess
    expect(lgamma(10)).toBeCloseTo(Math.log(362880), 13);
    expect(lgamma(100)).toBeCloseTo(lnFact99, 10);
    expect(Math.abs(lgamma(1))).toBeLessThan(1e-14);
    expect(Math.abs(lgamma(2))).toBeLessThan(1e-14);
  });

  it('gives ln √π at ½ and ln(2√π) at −½ (reflection)', () => {
    expect(lgamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 14);
    // Γ(−½) = −2√π.
    expect(lgamma(-0.5)).toBeCloseTo(Math.log(2 * Math.sqrt(Math.PI)), 13);
    // Γ(3/2) = √π / 2.
    expect(lgamma(1.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI) / 2), 14);
  });

  it('follows ln Γ(x) ≈ −ln x − γx near 0 and is NaN at the poles', () => {
    const x = 1e-8;
    expect(lgamma(x)).toBeCloseTo(-Math.log(x) - EULER_GAMMA * x, 12);
    expect(lgamma(0)).toBeNaN();
    expect(lgamma(-3)).toBeNaN();
  });
});

describe('digamma', () => {
  it('gives −γ + H(n−1) at whole numbers', () => {
    // ψ(11) = −γ + (1 + 1/2 + … + 1/10).
    let harmonic = 0;
    for (let k = 1; k <= 10; k++) harmonic += 1 / k;
    expect(digamma(1)).toBeCloseTo(-EULER_GAMMA, 14);
    expect(digamma(11)).toBeCloseTo(-EULER_GAMMA + harmonic, 14);
  });

  it('gives −γ − 2 ln 2 at ½ and the same at −½ as at 3/2 (reflection)', () => {
    expect(digamma(0.5)).toBeCloseTo(-EULER_GAMMA - 2 * Math.LN2, 14);
    // ψ(1 − x) − ψ(x) = π cot(πx); at x = −½ the cotangent is 0, so ψ(−½) = ψ(3/2) = 2 − γ − 2 ln 2.
    expect(digamma(-0.5)).toBeCloseTo(2 - EULER_GAMMA - 2 * Math.LN2, 12);
  });

  it('is the derivative of lgamma', () => {
    const h = 1e-5;
    for (const x of [0.3, 2.7, 45]) {
      const slope = (lgamma(x + h) - lgamma(x - h)) / (2 * h);
      expect(digamma(x)).toBeCloseTo(slope, 8);
    }
  });
});

describe('hyp2f1', () => {
  it('matches closed forms', () => {
    // ₂F₁(1, 1; 2; z) = −ln(1 − z)/z (Abramowitz & Stegun 15.1.3).
    expect(hyp2f1(1, 1, 2, 0.5)).toBeCloseTo(-Math.log(0.5) / 0.5, 14);
    expect(hyp2f1(1, 1, 2, -0.9)).toBeCloseTo(-Math.log(1.9) / -0.9, 14);
    // ₂F₁(a, b; b; z) = (1 − z)^−a.
    expect(hyp2f1(2.5, 3, 3, 0.3)).toBeCloseTo(0.7 ** -2.5, 13);
    // ₂F₁(½, ½; 3/2; z²) = arcsin(z)/z (A&S 15.1.6).
    const z = 0.95;
    expect(hyp2f1(0.5, 0.5, 1.5, z * z)).toBeCloseTo(Math.asin(z) / z, 12);
    // A terminating series: ₂F₁(−2, b; c; z) = 1 − 2bz/c + b(b+1)z²/(c(c+1)).
    const b = 1.5;
    const c = 2.5;
    expect(hyp2f1(-2, b, c, 0.4)).toBeCloseTo(
      1 - (2 * b * 0.4) / c + (b * (b + 1) * 0.16) / (c * (c + 1)),
      14,
    );
  });

  it('refuses |z| ≥ 1 and a non-positive integer c', () => {
    expect(() => hyp2f1(1, 1, 2, 1)).toThrow(NumericalError);
    expect(() => hyp2f1(1, 1, -2, 0.5)).toThrow(NumericalError);
  });

  it('throws rather than return an unconverged value', () => {
    expect(() => hyp2f1(1, 1, 2, 0.999999, 1e-15, 100)).toThrow(/did not converge in 100 terms/);
  });
});

describe('logAddExp', () => {
  it('adds in log space without overflow', () => {
    expect(logAddExp(1000, 1000)).toBeCloseTo(1000 + Math.LN2, 12);
    expect(logAddExp(Math.log(2), Math.log(3))).toBeCloseTo(Math.log(5), 14);
    expect(logAddExp(Number.NEGATIVE_INFINITY, 3)).toBe(3);
    expect(logAddExp(-1e6, 0)).toBe(0);
  });
});
