import { beforeAll, describe, expect, it } from 'vitest';
import {
  bgnbdLogLikelihood,
  conditionalExpectedPurchases,
  expectedPurchasesIfAlive,
  expectedPurchasesUnconditional,
  fitBgNbd,
  probabilityAlive,
} from '../../../functions/core/models/bgnbd';
import { ModelInputError } from '../../../functions/core/models/errors';
import type { RfmSummary } from '../../../functions/core/models/rfm';
import { CALIBRATION_END_DAY, cdnowOrders, DAY_MS, HOLDOUT_END_DAY } from './cdnow';
import { naiveConditional, naiveHyp2f1, naiveLikelihood } from './naive';
import { cdnowSummaries } from './summaries';

/** CLVTools, tests/testthat/test_correctness_bgnbd.R: the CDNOW fit through 1997-09-30. */
const CLVTOOLS = { r: 0.2425945, alpha: 4.4136019, a: 0.7929199, b: 2.4258881 };
const CLVTOOLS_LL = -9582.429;

describe('bgnbdLogLikelihood', () => {
  const p = { r: 0.25, alpha: 4, a: 0.8, b: 2.5 };

  it('gives r·ln(α/(α+T)) for a customer without repeat purchases', () => {
    // Prepare: x = 0 leaves ln L = r ln α − r ln(α + T) = 0.25 · ln(4/44) = −0.599473818…,
    // the −0.59947382 of pymc-marketing's test_numerically_stable_logp (after Hardie, note 027).
    const byHand = 0.25 * Math.log(4 / 44);
    // Act
    const ll = bgnbdLogLikelihood(p, 0, 0, 40);
    // Assess
    expect(ll).toBeCloseTo(byHand, 12);
    expect(ll).toBeCloseTo(-0.59947382, 8);
  });

  it('stays finite for x = 200 and matches the published log-likelihood', () => {
    // The published value is the log-likelihood itself, with its sign (a density of 200
    // purchase times can exceed 1): +100.7957 in pymc-marketing's test_numerically_stable_logp
    // and in the btyd tests, both after Hardie, note 027, solution 2. A direct evaluation
    // overflows here: (α + T)^(r+x) = 44^200.25.
    const ll = bgnbdLogLikelihood(p, 200, 38, 40);
    expect(Number.isFinite(ll)).toBe(true);
    expect(ll).toBeCloseTo(100.7957, 4);
  });

  it('agrees with a direct evaluation where that does not overflow', () => {
    for (const [x, tx, T] of [
      [1, 5, 40],
      [2, 30.43, 38.86],
      [7, 35, 39],
      [12, 0.5, 1],
    ] as const) {
      expect(bgnbdLogLikelihood(p, x, tx, T)).toBeCloseTo(
        Math.log(naiveLikelihood(p, x, tx, T)),
        11,
      );
    }
  });

  it('refuses impossible inputs', () => {
    expect(() => bgnbdLogLikelihood(p, 1.5, 1, 2)).toThrow(ModelInputError);
    expect(() => bgnbdLogLikelihood(p, 1, 3, 2)).toThrow(/t_x ≤ T/);
    expect(() => bgnbdLogLikelihood({ ...p, r: 0 }, 1, 1, 2)).toThrow(/parameter r/);
  });
});

describe('fitBgNbd on the CDNOW sample', () => {
  let customers: RfmSummary[];
  let holdoutPurchases: Map<string, number>;
  beforeAll(async () => {
    const holdoutDays = new Map<string, Set<number>>();
    for (const row of cdnowOrders()) {
      const day = row.ordered_at / DAY_MS;
      if (day > CALIBRATION_END_DAY && day <= HOLDOUT_END_DAY) {
        const days = holdoutDays.get(row.customer_id) ?? new Set<number>();
        days.add(day);
        holdoutDays.set(row.customer_id, days);
      }
    }
    customers = (await cdnowSummaries()).summarize(CALIBRATION_END_DAY);
    holdoutPurchases = new Map([...holdoutDays].map(([id, days]) => [id, days.size]));
  });

  it('summarises the sample as the published calibration data', () => {
    // CDNOW README: 2,357 customers, 946 with x > 0, Σx = 2,457.
    expect(customers).toHaveLength(2357);
    expect(customers.filter((c) => c.x > 0)).toHaveLength(946);
    expect(customers.reduce((s, c) => s + c.x, 0)).toBe(2457);
  });

  it('recovers the published parameters and log-likelihood', () => {
    // Act
    const fit = fitBgNbd(customers);
    // Assess: within 0.1 % of CLVTools; the LL also to the 3 decimals published.
    expect(fit.converged).toBe(true);
    expect(fit.n).toBe(2357);
    for (const key of ['r', 'alpha', 'a', 'b'] as const) {
      expect(Math.abs(fit.params[key] / CLVTOOLS[key] - 1)).toBeLessThan(1e-3);
    }
    expect(Math.abs(fit.logLikelihood / CLVTOOLS_LL - 1)).toBeLessThan(1e-3);
    expect(Math.abs(fit.logLikelihood - CLVTOOLS_LL)).toBeLessThan(0.005);
  });

  it('reaches the same optimum from the CLVTools start values', () => {
    const fit = fitBgNbd(customers, { start: { r: 1, alpha: 3, a: 1, b: 3 } });
    expect(fit.converged).toBe(true);
    expect(Math.abs(fit.logLikelihood - CLVTOOLS_LL)).toBeLessThan(0.005);
    expect(Math.abs(fit.params.r / CLVTOOLS.r - 1)).toBeLessThan(1e-3);
  });

  it('reports a fit that ran out of iterations as not converged', () => {
    const fit = fitBgNbd(customers, { maxIterations: 2 });
    expect(fit.converged).toBe(false);
    expect(fit.message).toBe('reached the iteration limit');
  });

  it('predicts the holdout purchases (weeks 40–78) within 15 %', () => {
    // Prepare: 1997-10-01 … 1998-06-30 is 273 days = 39 weeks.
    expect((HOLDOUT_END_DAY - CALIBRATION_END_DAY) / 7).toBe(39);
    const fit = fitBgNbd(customers);
    // Act
    let predicted = 0;
    for (const c of customers)
      predicted += conditionalExpectedPurchases(fit.params, 39, c.x, c.tx, c.T);
    let actual = 0;
    for (const n of holdoutPurchases.values()) actual += n;
    // Assess: purchase days of the 2,357 customers in the holdout.
    expect(actual).toBe(1882);
    expect(Math.abs(predicted / actual - 1)).toBeLessThan(0.15);
  });
});

describe('conditionalExpectedPurchases', () => {
  it('gives 1.226 for x = 2, t_x = 30.43, T = 38.86 over 39 weeks (FHL 2005, §5)', () => {
    const value = conditionalExpectedPurchases(CLVTOOLS, 39, 2, 30.43, 38.86);
    expect(Math.abs(value - 1.226)).toBeLessThan(5e-4);
  });

  it('agrees with eq. 10 as printed, evaluated with a plain series', () => {
    for (const [t, x, tx, T] of [
      [39, 2, 30.43, 38.86],
      [1, 0, 0, 20],
      [52, 5, 10, 38],
      [4.43, 14, 37.5, 38.5],
    ] as const) {
      expect(conditionalExpectedPurchases(CLVTOOLS, t, x, tx, T)).toBeCloseTo(
        naiveConditional(CLVTOOLS, t, x, tx, T),
        10,
      );
    }
  });

  it('stays finite for a heavy buyer, where eq. 10 as printed overflows', () => {
    // x = 2000 repeat purchases in 39 weeks, the last on the last day. As printed, eq. 10 has
    // (43.41/95.41)^2000.24 (underflows to 0) times ₂F₁(2000.24, 2002.43; 2002.22; 0.545)
    // (overflows): 0 · ∞. The Euler-transformed form has no such factors.
    const value = conditionalExpectedPurchases(CLVTOOLS, 52, 2000, 39, 39);
    expect(Number.isFinite(value)).toBe(true);
    // Posterior mean rate (r+x)/(α+T) = 2000.24/43.41 = 46.08 a week, so at most
    // 46.08 · 52 = 2396 purchases if alive throughout. Dropout chance per purchase ≈
    // a/(a+b+x) = 0.79/2003.2 = 0.0004, about 1 in 2,500: most of that rate survives the year,
    // so more than half of 2396.
    expect(value).toBeLessThan(46.08 * 52);
    expect(value).toBeGreaterThan(0.5 * 46.08 * 52);
  });

  it('is 0 over a horizon of 0 weeks', () => {
    expect(conditionalExpectedPurchases(CLVTOOLS, 0, 3, 10, 20)).toBe(0);
  });

  it('handles a = 1, where eq. 10 is 0/0', () => {
    const p = { ...CLVTOOLS, a: 1 };
    const left = naiveConditional({ ...p, a: 1 - 1e-4 }, 10, 3, 10, 20);
    const right = naiveConditional({ ...p, a: 1 + 1e-4 }, 10, 3, 10, 20);
    expect(conditionalExpectedPurchases(p, 10, 3, 10, 20)).toBeCloseTo((left + right) / 2, 6);
  });
});

describe('expectedPurchasesIfAlive', () => {
  it('is the eq. 10 bracket: E[Y(t) | x, t_x, T] divided by P(alive), whatever t_x', () => {
    // Prepare: x = 2, T = 38.86, t = 39 with two recencies; eq. 10 as printed divided by
    // eq. 11 as printed leaves the same bracket for both.
    for (const tx of [5, 30.43]) {
      const alive =
        1 /
        (1 +
          (CLVTOOLS.a / (CLVTOOLS.b + 1)) *
            ((CLVTOOLS.alpha + 38.86) / (CLVTOOLS.alpha + tx)) ** (CLVTOOLS.r + 2));
      const byHand = naiveConditional(CLVTOOLS, 39, 2, tx, 38.86) / alive;
      // Act + assess
      expect(expectedPurchasesIfAlive(CLVTOOLS, 39, 2, 38.86)).toBeCloseTo(byHand, 10);
    }
    // P(alive) × it is conditionalExpectedPurchases, bit for bit.
    expect(
      probabilityAlive(CLVTOOLS, 2, 30.43, 38.86) *
        expectedPurchasesIfAlive(CLVTOOLS, 39, 2, 38.86),
    ).toBe(conditionalExpectedPurchases(CLVTOOLS, 39, 2, 30.43, 38.86));
  });

  it('refuses a negative horizon or age', () => {
    expect(() => expectedPurchasesIfAlive(CLVTOOLS, -1, 2, 10)).toThrow(ModelInputError);
    expect(() => expectedPurchasesIfAlive(CLVTOOLS, 1, 2, -1)).toThrow(ModelInputError);
  });
});

describe('expectedPurchasesUnconditional', () => {
  it('agrees with eq. 9 evaluated with a plain series', () => {
    const { r, alpha, a, b } = CLVTOOLS;
    for (const t of [1, 39, 78]) {
      const byHand =
        ((a + b - 1) / (a - 1)) *
        (1 - (alpha / (alpha + t)) ** r * naiveHyp2f1(r, b, a + b - 1, t / (alpha + t)));
      expect(expectedPurchasesUnconditional(CLVTOOLS, t)).toBeCloseTo(byHand, 10);
    }
  });

  it('starts at the mean purchase rate r/α', () => {
    // Everyone is alive right after the first purchase: E[X(t)] ≈ E[λ]·t = (r/α)·t for small t.
    const t = 1e-6;
    expect(expectedPurchasesUnconditional(CLVTOOLS, t) / t).toBeCloseTo(
      CLVTOOLS.r / CLVTOOLS.alpha,
      8,
    );
  });
});

describe('probabilityAlive', () => {
  it('is 1 without repeat purchases and follows FHL 2008 otherwise', () => {
    expect(probabilityAlive(CLVTOOLS, 0, 0, 30)).toBe(1);
    // x = 2, t_x = 30.43, T = 38.86: odds of having dropped out
    // = a/(b+1) · ((α+T)/(α+t_x))^(r+2) = 0.7929199/3.4258881 · (43.2736019/34.8436019)^2.2425945
    // = 0.231449 · 1.241938^2.2425945 = 0.231449 · e^(2.2425945 · 0.216673) = 0.231449 · 1.625654
    // = 0.376257, so P(alive) = 1/1.376257 = 0.72661.
    expect(probabilityAlive(CLVTOOLS, 2, 30.43, 38.86)).toBeCloseTo(0.72661, 5);
  });

  it('falls the longer a repeat buyer has been silent', () => {
    // Five repeat purchases, the last 1 day, 1 week or 34 weeks before T = 39.
    const values = [39 - 1 / 7, 38, 5].map((tx) => probabilityAlive(CLVTOOLS, 5, tx, 39));
    expect(values[0]).toBeGreaterThan(values[1] as number);
    expect(values[1]).toBeGreaterThan(values[2] as number);
    // 34 silent weeks for someone who bought 6 times in 5: ((α+39)/(α+5))^5.24 ≈ 3,023,
    // times a/(b+4) = 0.123, odds ≈ 373 → P(alive) ≈ 1/374, below 1 %.
    expect(values[2]).toBeLessThan(0.01);
  });
});
