import { beforeAll, describe, expect, it } from 'vitest';
import {
  type ClvModelsResult,
  customerLifetimeValue,
  runClvModels,
} from '../../../functions/core/models/clv';
import { RfmAccumulator, type RfmSummary } from '../../../functions/core/models/rfm';
import { simulatePurchases } from '../../../functions/core/models/simulate';
import { CALIBRATION_END_DAY, cdnowOrders, DAY_MS } from './cdnow';
import { naiveClv, naiveConditional, naiveProbabilityAlive } from './naive';

const dayToIso = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);
const CLVTOOLS = { r: 0.2425945, alpha: 4.4136019, a: 0.7929199, b: 2.4258881 };
const GG = { p: 6.25, q: 3.74, gamma: 15.44 };

function cdnowAccumulator(): RfmAccumulator {
  const acc = new RfmAccumulator();
  for (const row of cdnowOrders()) acc.add(row.customer_id, row.ordered_at / DAY_MS, row.amount);
  return acc;
}

describe('customerLifetimeValue', () => {
  it('is margin × spend × E[Y(H)] without discounting (the weekly sum telescopes)', () => {
    // Prepare: CDNOW customer 1 (x = 2, t_x = 30.43, T = 38.86, zbar = 22.35), 52 weeks, 60 %.
    const customer = { x: 2, tx: 30.43, T: 38.86, zbar: 22.35 };
    // Spend (FHL 2005 eq. 5) = 375.875/15.24 = 24.663714 (see gamma-gamma.test.ts).
    const byHand = 0.6 * (375.875 / 15.24) * naiveConditional(CLVTOOLS, 52, 2, 30.43, 38.86);
    // Act
    const clv = customerLifetimeValue(CLVTOOLS, GG, customer, {
      horizonWeeks: 52,
      annualDiscountRate: 0,
      grossMargin: 0.6,
    });
    // Assess
    expect(clv).toBeCloseTo(byHand, 9);
  });

  it('discounts each week’s expected purchases to today', () => {
    const customer = { x: 5, tx: 20, T: 30, zbar: 40 };
    const clv = customerLifetimeValue(CLVTOOLS, GG, customer);
    // Defaults: 52 weeks, 10 % a year, margin 1.
    expect(clv).toBeCloseTo(naiveClv(CLVTOOLS, GG, customer, 52, 0.1, 1), 9);
    // Every week is discounted by between 1 and 1.1, so the value lies between the two bounds.
    const undiscounted = customerLifetimeValue(CLVTOOLS, GG, customer, { annualDiscountRate: 0 });
    expect(clv).toBeLessThan(undiscounted);
    expect(clv).toBeGreaterThan(undiscounted / 1.1);
  });

  it('refuses settings outside their range', () => {
    const c = { x: 1, tx: 1, T: 2, zbar: 3 };
    expect(() => customerLifetimeValue(CLVTOOLS, GG, c, { horizonWeeks: 0 })).toThrow(
      /horizonWeeks/,
    );
    expect(() => customerLifetimeValue(CLVTOOLS, GG, c, { annualDiscountRate: 1 })).toThrow(
      /annualDiscountRate/,
    );
    expect(() => customerLifetimeValue(CLVTOOLS, GG, c, { grossMargin: 0 })).toThrow(/grossMargin/);
  });
});

describe('runClvModels on the CDNOW sample', () => {
  let customers: RfmSummary[];
  let result: ClvModelsResult;
  beforeAll(() => {
    const acc = cdnowAccumulator();
    customers = acc.summarize(CALIBRATION_END_DAY);
    result = runClvModels(acc, {
      calibrationEndDay: CALIBRATION_END_DAY,
      nextPeriodWeeks: 39,
      grossMargin: 0.3,
      dayToIso,
    });
  });

  it('stores both converged fits', () => {
    const { bgnbd, gammaGamma } = result.models;
    expect(bgnbd?.converged).toBe(true);
    expect(bgnbd?.n).toBe(2357);
    expect(Math.abs((bgnbd?.logLikelihood ?? 0) - -9582.429)).toBeLessThan(0.005);
    expect(gammaGamma?.converged).toBe(true);
    expect(gammaGamma?.n).toBe(946);
    expect(Math.abs((gammaGamma?.logLikelihood ?? 0) - -4055.92)).toBeLessThan(0.005);
    expect(result.models.reason).toBeUndefined();
  });

  it('sums the expected purchases of every customer over the next period', () => {
    const bg = result.models.bgnbd?.params ?? CLVTOOLS;
    let byHand = 0;
    for (const c of customers) byHand += naiveConditional(bg, 39, c.x, c.tx, c.T);
    expect(result.metrics.expected_purchases_next_period.value).toBeCloseTo(byHand, 6);
  });

  it('counts the repeat buyers with P(alive) below 0.5 and lists the top 10 by value lost', () => {
    // Prepare: P(alive) by the printed formula, for the repeat buyers only.
    const bg = result.models.bgnbd?.params ?? CLVTOOLS;
    const atRisk = customers
      .filter((c) => c.x > 0)
      .map((c) => ({ c, pAlive: naiveProbabilityAlive(bg, c.x, c.tx, c.T) }))
      .filter(({ pAlive }) => pAlive < 0.5)
      .map(({ c, pAlive }) => ({ id: c.customerId, lost: c.historicValue * (1 - pAlive) }))
      .sort((u, v) => v.lost - u.lost);
    // Assess
    expect(result.metrics.at_risk_customers.value).toBe(atRisk.length);
    expect(result.atRisk.map((r) => r.customerId)).toEqual(atRisk.slice(0, 10).map((r) => r.id));
    for (const [i, r] of result.atRisk.entries()) {
      expect(r.expectedValueLost).toBeCloseTo(atRisk[i]?.lost ?? Number.NaN, 9);
      expect(r.expectedValueLost).toBeCloseTo(r.historicValue * (1 - r.pAlive), 12);
      expect(r.lastPurchase).toMatch(/^1997-\d\d-\d\d$/);
    }
  });

  it('gives the mean discounted CLV over every customer', () => {
    // Prepare: the plain implementation, once per distinct (x, t_x, T, zbar).
    const bg = result.models.bgnbd?.params ?? CLVTOOLS;
    const gg = result.models.gammaGamma?.params ?? GG;
    const memo = new Map<string, number>();
    let total = 0;
    for (const c of customers) {
      const key = `${c.x}|${c.tx}|${c.T}|${c.zbar}`;
      let v = memo.get(key);
      if (v === undefined) {
        v = naiveClv(bg, gg, c, 52, 0.1, 0.3);
        memo.set(key, v);
      }
      total += v;
    }
    expect(result.metrics.clv_bgnbd.value).toBeCloseTo(total / customers.length, 8);
  });
});

describe('runClvModels refusals', () => {
  it('publishes nothing from a fit that did not converge, and says why', () => {
    // One iteration per optimiser run cannot reach the CDNOW optimum.
    const result = runClvModels(cdnowAccumulator(), {
      calibrationEndDay: CALIBRATION_END_DAY,
      nextPeriodWeeks: 1,
      maxIterations: 1,
      dayToIso,
    });
    for (const m of Object.values(result.metrics)) {
      expect(m.value).toBeNull();
      expect(m.reason).toMatch(/^the BG\/NBD model fit did not converge/);
    }
    expect(result.models.bgnbd?.converged).toBe(false);
    expect(result.models.gammaGamma).toBeNull();
    expect(result.models.reason).toMatch(/so no model-based figures are published$/);
    expect(result.atRisk).toEqual([]);
  });

  it('refuses to fit with too few repeat buyers', () => {
    // Prepare: 30 customers, only 3 of whom bought on a second day.
    const acc = new RfmAccumulator();
    for (let i = 0; i < 30; i++) acc.add(`c${i}`, 100 + i, 10);
    for (let i = 0; i < 3; i++) acc.add(`c${i}`, 140, 10);
    // Act
    const result = runClvModels(acc, { calibrationEndDay: 150, nextPeriodWeeks: 1, dayToIso });
    // Assess
    const reason =
      'only 3 of 30 customers bought again on a later day by 1970-05-31; ' +
      'the BG/NBD model needs at least 20 repeat buyers to be fitted reliably';
    expect(result.metrics.clv_bgnbd).toEqual({ value: null, reason });
    expect(result.metrics.expected_purchases_next_period).toEqual({ value: null, reason });
    expect(result.metrics.at_risk_customers).toEqual({ value: null, reason });
    expect(result.models).toEqual({ bgnbd: null, gammaGamma: null, reason });
  });

  it('refuses without purchases', () => {
    const acc = new RfmAccumulator();
    acc.add('a', 10, -5);
    acc.add('b', 200, 30);
    const result = runClvModels(acc, { calibrationEndDay: 150, nextPeriodWeeks: 1, dayToIso });
    expect(result.metrics.clv_bgnbd.reason).toBe(
      'no orders with a positive amount on or before 1970-05-31',
    );
  });

  it('nulls only the CLV when the spend model cannot be fitted', () => {
    // Prepare: 3,000 simulated customers whose every purchase is free (amount 0): purchase
    // counts are fine, spend has nothing to fit.
    const acc = new RfmAccumulator();
    simulatePurchases(
      CLVTOOLS,
      { customers: 3000, seed: 7, endDay: 1000, acquisitionDays: 84 },
      (id, day) => acc.add(id, day, 0),
    );
    // Act
    const result = runClvModels(acc, { calibrationEndDay: 1000, nextPeriodWeeks: 1, dayToIso });
    // Assess
    expect(result.models.bgnbd?.converged).toBe(true);
    expect(result.models.gammaGamma).toBeNull();
    expect(result.metrics.clv_bgnbd.value).toBeNull();
    expect(result.metrics.clv_bgnbd.reason).toBe(
      'the Gamma-Gamma spend model cannot be fitted: cannot fit the Gamma-Gamma model ' +
        'without repeat buyers with a positive repeat spend',
    );
    expect(result.metrics.expected_purchases_next_period.value).toBeGreaterThan(0);
    expect(result.metrics.at_risk_customers.value).toBeGreaterThanOrEqual(0);
  });
});
