import { describe, expect, it } from 'vitest';
import type { Unit } from '../../../functions/core/metrics/catalogue';
import { computeDelta, withDeltas } from '../../../functions/core/metrics/deltas';
import type { MetricValue, Snapshot } from '../../../functions/core/snapshot';

function metric(value: number | null, unit: Unit, extra: Partial<MetricValue> = {}): MetricValue {
  return {
    value,
    unit,
    better: 'up',
    previous: null,
    delta: null,
    // Deliberately wrong, so a test sees withDeltas set it from the unit.
    deltaKind: 'absolute',
    ...extra,
  };
}

function snapshot(periodKey: string, metrics: Record<string, MetricValue>): Snapshot {
  return {
    reportId: 'engagement',
    period: {
      key: periodKey,
      kind: 'week',
      start: '2026-10-26T00:00:00-04:00',
      end: '2026-11-02T00:00:00-05:00',
      timezone: 'America/New_York',
    },
    currency: 'USD',
    computedAt: '2026-11-02T06:00:00.000Z',
    metrics,
    quality: {},
    inputFiles: [{ dataset: 'orders', key: 'exports/orders/a.csv', etag: '"abc"' }],
  };
}

describe('computeDelta', () => {
  it('gives percentage points for percentages as a plain difference', () => {
    // Prepare: churn went from 5 % to 4.5 %.
    // Act
    const delta = computeDelta('pp', 4.5, 5);
    // Assess: 4.5 − 5 = −0.5 pp (not the relative −10 %).
    expect(delta).toBe(-0.5);
  });

  it('gives the absolute difference for scores and NPS, also across zero', () => {
    // NPS −10 → 25: 25 − (−10) = 35 points.
    expect(computeDelta('absolute', 25, -10)).toBe(35);
    // CSAT average 4.2 → 3.9: 3.9 − 4.2 = −0.3 (floating point: compare closely).
    expect(computeDelta('absolute', 3.9, 4.2)).toBeCloseTo(-0.3, 12);
  });

  it('gives the relative change in percent for counts and money', () => {
    // 100 → 120: (120 − 100) / 100 × 100 = 20 %.
    expect(computeDelta('relative', 120, 100)).toBe(20);
    // 80 → 60: (60 − 80) / 80 × 100 = −25 %.
    expect(computeDelta('relative', 60, 80)).toBe(-25);
  });

  it('divides by |previous| so a rise from a negative value is positive', () => {
    // Revenue −50 → 100: (100 − (−50)) / |−50| × 100 = 150 / 50 × 100 = +300 %.
    expect(computeDelta('relative', 100, -50)).toBe(300);
    // Revenue −50 → −100: (−100 − (−50)) / 50 × 100 = −100 %: it got worse.
    expect(computeDelta('relative', -100, -50)).toBe(-100);
  });

  it('is null for a relative change from zero, and 0 when both are zero', () => {
    expect(computeDelta('relative', 5, 0)).toBeNull();
    expect(computeDelta('relative', -5, 0)).toBeNull();
    expect(computeDelta('relative', 0, 0)).toBe(0);
  });

  it('gives a difference from zero for pp and absolute kinds', () => {
    // 0 % → 3 %: 3 − 0 = 3 pp; a score 0 → −2: −2 − 0 = −2.
    expect(computeDelta('pp', 3, 0)).toBe(3);
    expect(computeDelta('absolute', -2, 0)).toBe(-2);
  });

  it('is null when either value is null, for every kind', () => {
    for (const kind of ['pp', 'absolute', 'relative'] as const) {
      expect(computeDelta(kind, null, 10)).toBeNull();
      expect(computeDelta(kind, 10, null)).toBeNull();
      expect(computeDelta(kind, null, null)).toBeNull();
    }
  });

  it('is null rather than Infinity or NaN for non-finite inputs', () => {
    expect(computeDelta('relative', Number.POSITIVE_INFINITY, 10)).toBeNull();
    expect(computeDelta('absolute', 10, Number.NaN)).toBeNull();
  });
});

describe('withDeltas', () => {
  it('fills previous, delta and deltaKind of every metric from its unit', () => {
    // Prepare
    const previous = snapshot('2026-W43', {
      customers_end: metric(200, 'count'),
      churn_rate: metric(5, 'percent'),
      nps: metric(30, 'nps'),
      revenue: metric(-50, 'money'),
    });
    const current = snapshot('2026-W44', {
      customers_end: metric(210, 'count'),
      churn_rate: metric(4, 'percent'),
      nps: metric(22, 'nps'),
      revenue: metric(100, 'money'),
    });

    // Act
    const result = withDeltas(current, previous);

    // Assess
    // customers_end: (210 − 200) / 200 × 100 = 5 %.
    expect(result.metrics.customers_end).toMatchObject({
      value: 210,
      previous: 200,
      delta: 5,
      deltaKind: 'relative',
    });
    // churn_rate: 4 − 5 = −1 pp.
    expect(result.metrics.churn_rate).toMatchObject({ previous: 5, delta: -1, deltaKind: 'pp' });
    // nps: 22 − 30 = −8 points.
    expect(result.metrics.nps).toMatchObject({ previous: 30, delta: -8, deltaKind: 'absolute' });
    // revenue: (100 + 50) / |−50| × 100 = 300 %.
    expect(result.metrics.revenue).toMatchObject({
      previous: -50,
      delta: 300,
      deltaKind: 'relative',
    });
  });

  it('leaves previous and delta null for a metric new in this period or null in either', () => {
    // Prepare
    const previous = snapshot('2026-W43', {
      csat: metric(null, 'percent', { reason: 'no survey responses' }),
      orders: metric(40, 'count'),
    });
    const current = snapshot('2026-W44', {
      csat: metric(80, 'percent'),
      orders: metric(null, 'count', { reason: 'no orders export' }),
      cac: metric(12.5, 'money'),
    });

    // Act
    const result = withDeltas(current, previous);

    // Assess
    expect(result.metrics.csat).toMatchObject({ previous: null, delta: null, deltaKind: 'pp' });
    expect(result.metrics.orders).toMatchObject({ value: null, previous: 40, delta: null });
    expect(result.metrics.cac).toMatchObject({
      previous: null,
      delta: null,
      deltaKind: 'relative',
    });
  });

  it('sets every previous and delta to null when there is no previous snapshot', () => {
    // Prepare: stale values in the input must not survive.
    const current = snapshot('2026-W44', {
      customers_end: metric(210, 'count', { previous: 1, delta: 2 }),
      churn_rate: metric(4, 'percent', { previous: 3, delta: 1 }),
    });

    // Act
    const result = withDeltas(current, undefined);

    // Assess
    for (const id of ['customers_end', 'churn_rate']) {
      expect(result.metrics[id]?.previous).toBeNull();
      expect(result.metrics[id]?.delta).toBeNull();
    }
    expect(result.metrics.churn_rate?.deltaKind).toBe('pp');
  });

  it('ignores metrics only the previous snapshot has', () => {
    const previous = snapshot('2026-W43', { wau: metric(50, 'users') });
    const current = snapshot('2026-W44', { mau: metric(300, 'users') });

    const result = withDeltas(current, previous);

    expect(Object.keys(result.metrics)).toEqual(['mau']);
  });

  it('returns a copy and modifies neither input', () => {
    // Prepare
    const previous = snapshot('2026-W43', { orders: metric(40, 'count') });
    const current = snapshot('2026-W44', {
      orders: metric(50, 'count', { breakdown: { web: 30, store: 20 } }),
    });
    const currentBefore = structuredClone(current);
    const previousBefore = structuredClone(previous);

    // Act
    const result = withDeltas(current, previous);

    // Assess: (50 − 40) / 40 × 100 = 25 %; everything else is carried over unchanged.
    expect(result.metrics.orders?.delta).toBe(25);
    expect(result.metrics.orders?.breakdown).toEqual({ web: 30, store: 20 });
    expect(result.period).toEqual(current.period);
    expect(result.inputFiles).toEqual(current.inputFiles);
    expect(current).toEqual(currentBefore);
    expect(previous).toEqual(previousBefore);
    expect(result.metrics.orders?.breakdown).not.toBe(current.metrics.orders?.breakdown);
  });
});
