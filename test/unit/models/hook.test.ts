import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../functions/core/config';
import type { OrderRow } from '../../../functions/core/datasets/rows';
import { ClvModelsHook } from '../../../functions/core/models/hook';
import type { Snapshot } from '../../../functions/core/snapshot';
import { type Period, parsePeriodKey, toPeriodInfo } from '../../../functions/core/time/periods';
import { cdnowOrders } from './cdnow';
import { naiveConditional, naiveProbabilityAlive } from './naive';
import { loadHook } from './summaries';

function emptySnapshot(period: Period): Snapshot {
  return {
    reportId: 'engagement',
    period: toPeriodInfo(period),
    currency: 'USD',
    computedAt: '2026-03-16T06:00:00.000Z',
    metrics: {},
    quality: {},
    inputFiles: [],
  };
}

let orderNo = 0;
const order = (customer: string, iso: string, amount: number): OrderRow => ({
  order_id: `o${++orderNo}`,
  customer_id: customer,
  ordered_at: Date.parse(iso),
  amount,
  currency: undefined,
  status: undefined,
});

describe('ClvModelsHook', () => {
  const config = parseConfig({ timezone: 'America/New_York' });
  const tz = 'America/New_York';
  // 2026-W10 is Mon 2 – Sun 8 March; New York moves to EDT on Sunday 8 March, so the week ends
  // at Mon 9 March 00:00 −04:00 = 04:00Z. 2026-W11 ends at Mon 16 March 00:00 −04:00.
  const w10 = parsePeriodKey('2026-W10', tz);
  const w11 = parsePeriodKey('2026-W11', tz);
  const rows = [
    // a: two orders on local 1 Feb (the second is 2 Feb in UTC), 15 Feb, and late on local
    //    8 March (9 March in UTC, still before the end of W10).
    order('a', '2026-02-01T10:00:00-05:00', 10),
    order('a', '2026-02-01T20:00:00-05:00', 5),
    order('a', '2026-02-15T12:00:00-05:00', 20),
    order('a', '2026-03-08T23:30:00-04:00', 30),
    // b: an order, its refund five days later, and an order just after the end of W10.
    order('b', '2026-02-20T09:00:00-05:00', 40),
    order('b', '2026-02-25T09:00:00-05:00', -40),
    order('b', '2026-03-09T00:30:00-04:00', 15),
    // c: an order, one refunded the same day, and a free order.
    order('c', '2026-03-01T12:00:00-05:00', 50),
    order('c', '2026-03-03T12:00:00-05:00', 30),
    order('c', '2026-03-03T18:00:00-05:00', -30),
    order('c', '2026-03-05T12:00:00-05:00', 0),
  ];

  it('builds each period’s RFM summary from its own orders, in local days', async () => {
    // Prepare
    const hook = new ClvModelsHook(config, [w10, w11]);
    expect(hook.fittedPeriods).toHaveLength(2);
    await loadHook(hook, [rows]);
    // Act
    const inW10 = new Map(hook.summaries('2026-W10').map((s) => [s.customerId, s]));
    const inW11 = new Map(hook.summaries('2026-W11').map((s) => [s.customerId, s]));
    // Assess, by hand. W10 ends with local 8 March.
    // a: local days 1 Feb (10 + 5), 15 Feb (20), 8 Mar (30): x = 2; t_x = 35 days = 5 weeks;
    //    T = 8 Mar − 1 Feb = 35 days = 5 weeks; zbar = (20 + 30)/2 = 25; historic 65.
    expect(inW10.get('a')).toMatchObject({ x: 2, tx: 5, T: 5, zbar: 25, historicValue: 65 });
    // b: 20 Feb only (the refund day is not a purchase; 9 March is after W10): x = 0,
    //    T = 8 Mar − 20 Feb = 16 days; historic 40 − 40 = 0.
    expect(inW10.get('b')).toMatchObject({ x: 0, tx: 0, T: 16 / 7, zbar: 0, historicValue: 0 });
    // c: 1 Mar (50), 3 Mar (30 − 30 = 0 with a refund: no purchase), 5 Mar (free: a purchase):
    //    x = 1, t_x = 4 days, T = 7 days = 1 week, zbar = 0, historic 50.
    expect(inW10.get('c')).toMatchObject({ x: 1, tx: 4 / 7, T: 1, zbar: 0, historicValue: 50 });
    // W11 ends with local 15 March: b now has 20 Feb and 9 Mar: x = 1, t_x = 17 days,
    // T = 23 days, zbar = 15, historic 15; a's T grows by a week.
    expect(inW11.get('b')).toMatchObject({
      x: 1,
      tx: 17 / 7,
      T: 23 / 7,
      zbar: 15,
      historicValue: 15,
    });
    expect(inW11.get('a')).toMatchObject({ x: 2, tx: 5, T: 6 });
  });

  it('writes null model metrics with the reason when there are too few repeat buyers', async () => {
    // Prepare
    const hook = new ClvModelsHook(config, [w10, w11]);
    await loadHook(hook, [rows]);
    const snapshot = emptySnapshot(w10);
    // Act
    hook.apply(snapshot);
    // Assess
    const reason =
      'only 2 of 3 customers bought again on a later day by 2026-03-08; ' +
      'the BG/NBD model needs at least 20 repeat buyers to be fitted reliably';
    expect(snapshot.metrics.clv_bgnbd).toEqual({
      value: null,
      unit: 'money',
      better: 'up',
      previous: null,
      delta: null,
      deltaKind: 'relative',
      reason,
    });
    expect(snapshot.metrics.expected_purchases_next_period?.reason).toBe(reason);
    expect(snapshot.metrics.at_risk_customers?.reason).toBe(reason);
    expect(snapshot.models).toEqual({ bgnbd: null, gammaGamma: null, reason });
    expect(snapshot.atRisk).toEqual([]);
  });

  it('says so when no orders arrived at all', () => {
    const hook = new ClvModelsHook(config, [w10]);
    const snapshot = emptySnapshot(w10);
    hook.apply(snapshot);
    expect(snapshot.metrics.clv_bgnbd?.value).toBeNull();
    expect(snapshot.metrics.clv_bgnbd?.reason).toBe('no orders export, or it has no accepted rows');
  });

  it('reads the de-duplicated orders view', async () => {
    // Prepare: the same rows in two files, the second repeating order o1 with a new amount
    // (a duplicate id keeps the last row, DATASETS.md).
    const hook = new ClvModelsHook(config, [w10]);
    const first = rows.slice(0, 6);
    const second = [...rows.slice(6), { ...(rows[0] as OrderRow), amount: 12 }];
    // Act
    await loadHook(hook, [first, second]);
    // Assess: a's first day is now 12 + 5 (o1 replaced), the rest as before.
    const a = hook.summaries('2026-W10').find((c) => c.customerId === 'a');
    expect(a).toMatchObject({ x: 2, tx: 5, T: 5, zbar: 25, historicValue: 67 });
    expect(hook.summaries('2026-W10')).toHaveLength(3);
  });

  it('refuses periods built in another time zone', () => {
    expect(() => new ClvModelsHook(config, [parsePeriodKey('2026-W10', 'UTC')])).toThrow(
      /period 2026-W10 is in UTC, the report in America\/New_York/,
    );
  });

  it('refuses a snapshot of a period it was not built for', () => {
    const hook = new ClvModelsHook(config, [w10]);
    expect(() => hook.apply(emptySnapshot(w11))).toThrow(
      /no model accumulator for period 2026-W11/,
    );
  });
});

describe('ClvModelsHook on the CDNOW sample', () => {
  // Monthly report in UTC: the September 1997 snapshot calibrates through 1997-09-30, the
  // calibration of every published CDNOW figure; the next period (October) is 31 days.
  const config = parseConfig({
    timezone: 'UTC',
    period: 'month',
    clv: { atRiskListSize: 5, grossMargin: 0.5 },
  });
  const august = parsePeriodKey('1997-08', 'UTC');
  const september = parsePeriodKey('1997-09', 'UTC');
  const snapshots = { august: emptySnapshot(august), september: emptySnapshot(september) };
  let hook: ClvModelsHook;
  beforeAll(async () => {
    hook = new ClvModelsHook(config, [august, september]);
    await loadHook(hook, [cdnowOrders()]);
    hook.apply(snapshots.september);
    hook.apply(snapshots.august);
  });

  it('stores the published fits in snapshot.models', () => {
    const models = snapshots.september.models;
    const bg = models?.bgnbd;
    expect(bg?.converged).toBe(true);
    expect(bg?.n).toBe(2357);
    expect(Math.abs((bg?.params.r ?? 0) / 0.2425945 - 1)).toBeLessThan(1e-3);
    expect(Math.abs((bg?.params.alpha ?? 0) / 4.4136019 - 1)).toBeLessThan(1e-3);
    expect(Math.abs((bg?.params.a ?? 0) / 0.7929199 - 1)).toBeLessThan(1e-3);
    expect(Math.abs((bg?.params.b ?? 0) / 2.4258881 - 1)).toBeLessThan(1e-3);
    expect(Math.abs((bg?.logLikelihood ?? 0) - -9582.429)).toBeLessThan(0.005);
    const gg = models?.gammaGamma;
    expect(gg?.converged).toBe(true);
    expect(gg?.n).toBe(946);
    expect(Math.abs((gg?.logLikelihood ?? 0) - -4055.92)).toBeLessThan(0.005);
  });

  it('fits each period on its own history', () => {
    // Through August the customers have fewer repeat purchases than through September.
    const bg = snapshots.august.models?.bgnbd;
    expect(bg?.converged).toBe(true);
    expect(bg?.n).toBe(2357);
    const repeatsThroughAugust = hook.summaries('1997-08').reduce((s, c) => s + c.x, 0);
    expect(repeatsThroughAugust).toBeLessThan(2457);
    expect(bg?.logLikelihood).not.toBeCloseTo(-9582.429, 0);
  });

  it('writes the three metrics with their catalogue unit and direction', () => {
    const m = snapshots.september.metrics;
    const params = snapshots.september.models?.bgnbd?.params;
    if (!params) throw new Error('no BG/NBD fit');
    // Expected purchases in October (31 days = 31/7 weeks) by the printed eq. 10; the at-risk
    // count by the printed P(alive).
    let expected = 0;
    let atRisk = 0;
    for (const c of hook.summaries('1997-09')) {
      expected += naiveConditional(params, 31 / 7, c.x, c.tx, c.T);
      if (c.x > 0 && naiveProbabilityAlive(params, c.x, c.tx, c.T) < 0.5) atRisk++;
    }
    expect(m.expected_purchases_next_period?.value).toBeCloseTo(expected, 6);
    expect(m.expected_purchases_next_period).toMatchObject({ unit: 'count', better: 'up' });
    expect(m.at_risk_customers?.value).toBe(atRisk);
    expect(m.at_risk_customers).toMatchObject({ unit: 'count', better: 'down' });
    expect(m.clv_bgnbd).toMatchObject({ unit: 'money', better: 'up', deltaKind: 'relative' });
    expect(m.clv_bgnbd?.value).toBeGreaterThan(0);
  });

  it('lists the configured number of at-risk customers, most value lost first', () => {
    const list = snapshots.september.atRisk ?? [];
    expect(list).toHaveLength(5);
    for (let i = 1; i < list.length; i++) {
      expect(list[i - 1]?.expectedValueLost).toBeGreaterThanOrEqual(
        list[i]?.expectedValueLost ?? 0,
      );
    }
    for (const r of list) {
      expect(r.pAlive).toBeLessThan(0.5);
      expect(r.lastPurchase <= '1997-09-30').toBe(true);
    }
  });
});

describe('ClvModelsHook with modelPeriods', () => {
  const config = parseConfig({ timezone: 'UTC', period: 'month' });
  const august = parsePeriodKey('1997-08', 'UTC');
  const september = parsePeriodKey('1997-09', 'UTC');

  it('fits only the listed periods and says why the others are empty', async () => {
    const hook = new ClvModelsHook(config, [august, september], ['1997-09']);
    // One fitted period: the unfitted August window is not summarised.
    expect(hook.fittedPeriods).toHaveLength(1);
    await loadHook(hook, [cdnowOrders()]);
    const aug = emptySnapshot(august);
    const sep = emptySnapshot(september);
    hook.apply(aug);
    hook.apply(sep);
    expect(sep.models?.bgnbd?.n).toBe(2357);
    expect(sep.metrics.clv_bgnbd?.value).toBeGreaterThan(0);
    expect(aug.models?.bgnbd).toBeNull();
    for (const id of ['clv_bgnbd', 'expected_purchases_next_period', 'at_risk_customers']) {
      expect(aug.metrics[id]?.value).toBeNull();
      expect(aug.metrics[id]?.reason).toMatch(/fitted only for the reported periods/);
    }
  });
});
