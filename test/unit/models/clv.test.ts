import { beforeAll, describe, expect, it } from 'vitest';
import {
  type BgNbdParams,
  conditionalExpectedPurchases,
  probabilityAlive,
} from '../../../functions/core/models/bgnbd';
import {
  BgNbdPredictions,
  type ClvModelsResult,
  customerLifetimeValue,
  discountedExpectedPurchases,
  runClvModels,
} from '../../../functions/core/models/clv';
import { conditionalExpectedAverageSpend } from '../../../functions/core/models/gamma-gamma';
import type { RfmSummary } from '../../../functions/core/models/rfm';
import { simulatePurchases } from '../../../functions/core/models/simulate';
import { CALIBRATION_END_DAY, DAY_MS } from './cdnow';
import { naiveClv, naiveConditional, naiveProbabilityAlive } from './naive';
import { cdnowSummaries, type OrderDay, rfmOf } from './summaries';

const dayToIso = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);
const CLVTOOLS = { r: 0.2425945, alpha: 4.4136019, a: 0.7929199, b: 2.4258881 };
const GG = { p: 6.25, q: 3.74, gamma: 15.44 };

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
  beforeAll(async () => {
    const rfm = await cdnowSummaries();
    customers = rfm.summarize(CALIBRATION_END_DAY);
    result = runClvModels(rfm, {
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

describe('BgNbdPredictions (the memoised per-customer predictions of runClvModels)', () => {
  let customers: RfmSummary[];
  beforeAll(async () => {
    customers = (await cdnowSummaries()).summarize(CALIBRATION_END_DAY);
  });
  const options = {
    calibrationEndDay: CALIBRATION_END_DAY,
    horizonWeeks: 52,
    annualDiscountRate: 0.1,
    nextPeriodWeeks: 31 / 7,
  };

  it('gives every CDNOW customer exactly the values of the plain, uncached functions', () => {
    // Prepare: the CDNOW sample has 2,357 customers but far fewer distinct (x, t_x, T) and
    // (x, T), so most values below come from the caches.
    const pairs = new Set(customers.map((c) => `${c.x}|${c.T}`));
    const triples = new Set(customers.map((c) => `${c.x}|${c.tx}|${c.T}`));
    expect(pairs.size).toBeLessThan(triples.size);
    expect(triples.size).toBeLessThan(customers.length);
    const predictions = new BgNbdPredictions(CLVTOOLS, options);
    // Act + assess: bit for bit against the functions without any cache, customer by
    // customer (the uncached sum re-evaluates every week's hyp2f1 for every customer).
    for (const c of customers) {
      expect(predictions.probabilityAlive(c)).toBe(probabilityAlive(CLVTOOLS, c.x, c.tx, c.T));
      expect(predictions.expectedNextPeriod(c)).toBe(
        conditionalExpectedPurchases(CLVTOOLS, 31 / 7, c.x, c.tx, c.T),
      );
      expect(predictions.discountedPurchases(c)).toBe(
        discountedExpectedPurchases(CLVTOOLS, c.x, c.tx, c.T, 52, 0.1),
      );
    }
  });

  it('agrees with the printed formulas (naive.ts) for every distinct CDNOW customer', () => {
    const predictions = new BgNbdPredictions(CLVTOOLS, options);
    const seen = new Set<string>();
    // naiveClv with margin 1 is spend × discounted purchases: divide its spend factor out.
    for (const c of customers) {
      const key = `${c.x}|${c.tx}|${c.T}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const spend = (GG.p * GG.gamma + GG.p * c.x * c.zbar) / (GG.p * c.x + GG.q - 1);
      const purchases = naiveClv(CLVTOOLS, GG, c, 52, 0.1, 1) / spend;
      expect(predictions.discountedPurchases(c)).toBeCloseTo(purchases, 9);
      expect(predictions.expectedNextPeriod(c)).toBeCloseTo(
        naiveConditional(CLVTOOLS, 31 / 7, c.x, c.tx, c.T),
        9,
      );
      expect(predictions.probabilityAlive(c)).toBeCloseTo(
        naiveProbabilityAlive(CLVTOOLS, c.x, c.tx, c.T),
        12,
      );
    }
  });

  it('keeps customers with the same (x, T) but a different t_x apart, in any order', () => {
    // Prepare: two repeat buyers, both x = 2 and first purchase on day 100 (T = 50/7 weeks at
    // day 150), one last bought on day 110, the other on day 149; and a customer whose first
    // purchase lies 2¹⁷ days before the calibration end (the string-key fallback).
    const summary = (id: string, x: number, first: number, last: number, end: number) => ({
      customerId: id,
      x,
      tx: (last - first) / 7,
      T: (end - first) / 7,
      zbar: 10,
      historicValue: 30,
      firstPurchaseDay: first,
      lastPurchaseDay: last,
    });
    const early = summary('early', 2, 100, 110, 150);
    const late = summary('late', 2, 100, 149, 150);
    const ancient = summary('ancient', 3, 150 - 2 ** 17, 140, 150);
    const plain = (c: RfmSummary, p: BgNbdParams) => [
      probabilityAlive(p, c.x, c.tx, c.T),
      conditionalExpectedPurchases(p, 1, c.x, c.tx, c.T),
      discountedExpectedPurchases(p, c.x, c.tx, c.T, 52, 0.1),
    ];
    for (const order of [
      [early, late, ancient],
      [ancient, late, early],
    ]) {
      const predictions = new BgNbdPredictions(CLVTOOLS, {
        ...options,
        calibrationEndDay: 150,
        nextPeriodWeeks: 1,
      });
      // Act: the curve of (x = 2, T) is filled by whichever customer comes first.
      const got = order.map((c) => [
        predictions.probabilityAlive(c),
        predictions.expectedNextPeriod(c),
        predictions.discountedPurchases(c),
      ]);
      // Assess
      expect(got).toEqual(order.map((c) => plain(c, CLVTOOLS)));
    }
    // The two share (x, T) and nothing else: the later buyer is more likely alive.
    expect(probabilityAlive(CLVTOOLS, 2, late.tx, late.T)).toBeGreaterThan(
      probabilityAlive(CLVTOOLS, 2, early.tx, early.T),
    );
  });

  it('makes runClvModels give exactly the sums of the plain functions on CDNOW', async () => {
    // Prepare
    const rfm = await cdnowSummaries();
    const result = runClvModels(rfm, {
      calibrationEndDay: CALIBRATION_END_DAY,
      nextPeriodWeeks: 31 / 7,
      grossMargin: 0.3,
      dayToIso,
    });
    const bg = result.models.bgnbd?.params;
    const gg = result.models.gammaGamma?.params;
    if (!bg || !gg) throw new Error('CDNOW fits expected');
    // Act: the metric sums recomputed customer by customer, in the same order, uncached.
    let next = 0;
    let clv = 0;
    for (const c of customers) {
      next += conditionalExpectedPurchases(bg, 31 / 7, c.x, c.tx, c.T);
      clv +=
        0.3 *
        conditionalExpectedAverageSpend(gg, c.x, c.zbar) *
        discountedExpectedPurchases(bg, c.x, c.tx, c.T, 52, 0.1);
    }
    // Assess: bit for bit.
    expect(result.metrics.expected_purchases_next_period.value).toBe(next);
    expect(result.metrics.clv_bgnbd.value).toBe(clv / customers.length);
  });
});

describe('runClvModels refusals', () => {
  it('publishes nothing from a fit that did not converge, and says why', async () => {
    // One iteration per optimiser run cannot reach the CDNOW optimum.
    const result = runClvModels(await cdnowSummaries(), {
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

  it('refuses to fit with too few repeat buyers', async () => {
    // Prepare: 30 customers, only 3 of whom bought on a second day.
    const rows: OrderDay[] = [];
    for (let i = 0; i < 30; i++) rows.push([`c${i}`, 100 + i, 10]);
    for (let i = 0; i < 3; i++) rows.push([`c${i}`, 140, 10]);
    const rfm = await rfmOf(rows, [150]);
    // Act
    const result = runClvModels(rfm, { calibrationEndDay: 150, nextPeriodWeeks: 1, dayToIso });
    // Assess
    const reason =
      'only 3 of 30 customers bought again on a later day by 1970-05-31; ' +
      'the BG/NBD model needs at least 20 repeat buyers to be fitted reliably';
    expect(result.metrics.clv_bgnbd).toEqual({ value: null, reason });
    expect(result.metrics.expected_purchases_next_period).toEqual({ value: null, reason });
    expect(result.metrics.at_risk_customers).toEqual({ value: null, reason });
    expect(result.models).toEqual({ bgnbd: null, gammaGamma: null, reason });
  });

  it('refuses without purchases', async () => {
    const rfm = await rfmOf(
      [
        ['a', 10, -5],
        ['b', 200, 30],
      ],
      [150],
    );
    const result = runClvModels(rfm, { calibrationEndDay: 150, nextPeriodWeeks: 1, dayToIso });
    expect(result.metrics.clv_bgnbd.reason).toBe(
      'no orders with a positive amount on or before 1970-05-31',
    );
  });

  it('nulls only the CLV when the spend model cannot be fitted', async () => {
    // Prepare: 3,000 simulated customers whose every purchase is free (amount 0): purchase
    // counts are fine, spend has nothing to fit.
    const rows: OrderDay[] = [];
    simulatePurchases(
      CLVTOOLS,
      { customers: 3000, seed: 7, endDay: 1000, acquisitionDays: 84 },
      (id, day) => rows.push([id, day, 0]),
    );
    const rfm = await rfmOf(rows, [1000]);
    // Act
    const result = runClvModels(rfm, { calibrationEndDay: 1000, nextPeriodWeeks: 1, dayToIso });
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
