import { beforeAll, describe, expect, it } from 'vitest';
import { ModelInputError } from '../../../functions/core/models/errors';
import {
  conditionalExpectedAverageSpend,
  fitGammaGamma,
  gammaGammaLogLikelihood,
} from '../../../functions/core/models/gamma-gamma';
import type { RfmSummary } from '../../../functions/core/models/rfm';
import { CALIBRATION_END_DAY } from './cdnow';
import { cdnowSummaries } from './summaries';

/** Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary Value": CDNOW, 946 repeat buyers. */
const PUBLISHED = { p: 6.25, q: 3.74, gamma: 15.44 };
const PUBLISHED_LL = -4055.92;

describe('gammaGammaLogLikelihood', () => {
  it('equals the log of the mixture density integrated numerically', () => {
    // Prepare: p = 2, q = 3, γ = 10, x = 3, zbar = 4.5, so px = 6, Γ(6) = 120, Γ(3) = 2.
    // zbar | ν ~ Gamma(shape px, rate νx), ν ~ Gamma(q, γ):
    // f(zbar) = ∫ (νx)^6 zbar^5 e^(−νx·zbar)/120 · 10³ ν² e^(−10ν)/2 dν, by Simpson's rule.
    const x = 3;
    const zbar = 4.5;
    const integrand = (nu: number) =>
      (((nu * x) ** 6 * zbar ** 5 * Math.exp(-nu * x * zbar)) / 120) *
      ((1000 * nu * nu * Math.exp(-10 * nu)) / 2);
    const steps = 20_000;
    const upper = 10;
    const h = upper / steps;
    let sum = integrand(0) + integrand(upper);
    for (let i = 1; i < steps; i++) sum += (i % 2 === 1 ? 4 : 2) * integrand(i * h);
    const density = (sum * h) / 3;
    // Act
    const ll = gammaGammaLogLikelihood({ p: 2, q: 3, gamma: 10 }, x, zbar);
    // Assess
    expect(ll).toBeCloseTo(Math.log(density), 9);
  });

  it('refuses a customer without repeat purchases or with a non-positive mean spend', () => {
    const params = { p: 2, q: 3, gamma: 10 };
    expect(() => gammaGammaLogLikelihood(params, 0, 10)).toThrow(ModelInputError);
    expect(() => gammaGammaLogLikelihood(params, 2, 0)).toThrow(/must be positive/);
  });
});

describe('fitGammaGamma on the CDNOW sample', () => {
  let customers: RfmSummary[];
  beforeAll(async () => {
    customers = (await cdnowSummaries()).summarize(CALIBRATION_END_DAY);
  });

  it('recovers the published parameters and log-likelihood on the 946 repeat buyers', () => {
    // Act
    const fit = fitGammaGamma(customers);
    // Assess: within 1 % of Fader & Hardie (2013); the LL also to its 2 published decimals.
    expect(fit.converged).toBe(true);
    expect(fit.n).toBe(946);
    for (const key of ['p', 'q', 'gamma'] as const) {
      expect(Math.abs(fit.params[key] / PUBLISHED[key] - 1)).toBeLessThan(0.01);
    }
    expect(Math.abs(fit.logLikelihood / PUBLISHED_LL - 1)).toBeLessThan(0.01);
    expect(Math.abs(fit.logLikelihood - PUBLISHED_LL)).toBeLessThan(0.005);
  });

  it('skips repeat buyers whose repeat purchases were all free', () => {
    // A zbar of 0 has density 0 under the model; it must not take the likelihood to −∞.
    const withFree = [...customers, { x: 3, zbar: 0 }];
    const fit = fitGammaGamma(withFree);
    expect(fit.n).toBe(946);
    expect(fit.converged).toBe(true);
    expect(Math.abs(fit.logLikelihood - PUBLISHED_LL)).toBeLessThan(0.005);
  });

  it('reports a fit that ran out of iterations as not converged', () => {
    const fit = fitGammaGamma(customers, { maxIterations: 1 });
    expect(fit.converged).toBe(false);
  });

  it('refuses data without a repeat buyer', () => {
    expect(() => fitGammaGamma([{ x: 0, zbar: 0 }])).toThrow(/without repeat buyers/);
    expect(() => fitGammaGamma([{ x: 2, zbar: -5 }])).toThrow(ModelInputError);
  });
});

describe('conditionalExpectedAverageSpend', () => {
  it('weighs the population mean against the customer’s own mean (FHL 2005, eq. 5)', () => {
    // CDNOW customer 1: x = 2, zbar = 22.35. (pγ + p·x·zbar)/(px + q − 1)
    // = (6.25·15.44 + 6.25·2·22.35)/(12.5 + 2.74) = (96.5 + 279.375)/15.24 = 24.663714.
    expect(conditionalExpectedAverageSpend(PUBLISHED, 2, 22.35)).toBeCloseTo(24.663714, 6);
    // Without repeat purchases: the population mean pγ/(q − 1) = 96.5/2.74 = 35.218978.
    expect(conditionalExpectedAverageSpend(PUBLISHED, 0, 0)).toBeCloseTo(35.218978, 6);
    // Only free repeat purchases: 96.5/15.24 = 6.332021.
    expect(conditionalExpectedAverageSpend(PUBLISHED, 2, 0)).toBeCloseTo(6.332021, 6);
  });

  it('needs q > 1 for a finite mean', () => {
    expect(() => conditionalExpectedAverageSpend({ p: 1, q: 0.9, gamma: 1 }, 1, 5)).toThrow(
      /q > 1/,
    );
  });
});
