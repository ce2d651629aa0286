import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../functions/core/config';
import {
  computeFlags,
  median,
  medianAbsoluteDeviation,
  robustScale,
  sampleSize,
  smallSample,
} from '../../../functions/core/report/flags';
import type { Snapshot } from '../../../functions/core/snapshot';
import { metric, weekPeriod } from '../../fixtures/report-snapshot';

/** A bare weekly snapshot with the given metric values (previous values left out). */
function snap(week: number, values: Record<string, number | null>, extra = {}): Snapshot {
  return {
    reportId: 'engagement',
    period: weekPeriod(week),
    currency: 'USD',
    computedAt: '2026-11-02T11:05:00.000Z',
    metrics: Object.fromEntries(
      Object.entries(values).map(([id, v]) => [id, metric(id, v, null, extra)]),
    ),
    quality: {},
    inputFiles: [],
  };
}

/** Earlier weeks W33… with one metric's values, oldest first. */
function series(id: string, values: (number | null)[]): Snapshot[] {
  return values.map((v, i) => snap(33 + i, { [id]: v }));
}

describe('median', () => {
  it('takes the middle value, or the mean of the two middle values', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([3, 1, 2, 10])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});

describe('medianAbsoluteDeviation', () => {
  it('is the median distance from the median, unscaled', () => {
    // By hand: median 3, distances 2, 1, 0, 1, 97 → sorted 0, 1, 1, 2, 97 → 1.
    expect(medianAbsoluteDeviation([1, 2, 3, 4, 100])).toBe(1);
    // By hand: median (20 + 30) / 2 = 25, distances 15, 5, 5, 15 → 10.
    expect(medianAbsoluteDeviation([10, 20, 30, 40])).toBe(10);
  });
});

describe('robustScale', () => {
  it('is 1.4826 · MAD when the MAD is not 0', () => {
    expect(robustScale([10, 20, 30, 40])).toBeCloseTo(14.826, 10);
  });

  it('falls back to 1.2533 · mean absolute deviation when more than half the values are equal', () => {
    // By hand: median 10, MAD 0; distances 0, 0, 0, 0, 4 → mean 0.8 → 1.2533 × 0.8.
    expect(robustScale([10, 10, 10, 10, 14])).toBeCloseTo(1.00264, 10);
    expect(robustScale([7, 7, 7])).toBe(0);
  });
});

describe('sampleSize', () => {
  it('reads each rate’s denominator from the same snapshot', () => {
    const s = snap(44, { churn_rate: 2, customers_start: 120, nps: 40, bounce_rate: 30 });
    s.metrics.survey_responses = metric('survey_responses', 20, null, {
      breakdown: { nps: 12, csat: 5, ces: 3 },
    });
    expect(sampleSize(s, 'churn_rate')).toBe(120);
    expect(sampleSize(s, 'nps')).toBe(12);
    expect(sampleSize(s, 'ces_avg')).toBe(3);
    // No sessions metric in the snapshot: unknown, not zero.
    expect(sampleSize(s, 'bounce_rate')).toBeNull();
    // Not a rate with a stored denominator.
    expect(sampleSize(s, 'revenue')).toBeNull();
  });

  it('marks 29 observations as a small sample and 30 not, with the default minimum of 30', () => {
    const config = parseConfig({});
    const with29 = snap(44, { churn_rate: 3.4, customers_start: 29 });
    const with30 = snap(44, { churn_rate: 3.3, customers_start: 30 });
    expect(smallSample(with29, 'churn_rate', config)).toBe(29);
    expect(smallSample(with30, 'churn_rate', config)).toBeNull();
    expect(smallSample(with29, 'churn_rate', parseConfig({ flags: { minSample: 0 } }))).toBeNull();
  });
});

describe('computeFlags thresholds', () => {
  const config = parseConfig({
    flags: { thresholds: { churn_rate: { above: 5 }, revenue: { below: 3000 } } },
  });
  const flagsFor = (values: Record<string, number | null>) =>
    computeFlags(snap(44, { customers_start: 500, ...values }), [], config);

  it('flags a value strictly beyond its threshold, in the metric’s own unit', () => {
    expect(flagsFor({ churn_rate: 6.2, revenue: 1200 })).toEqual([
      { kind: 'threshold', id: 'churn_rate', value: 6.2, side: 'above', threshold: 5 },
      { kind: 'threshold', id: 'revenue', value: 1200, side: 'below', threshold: 3000 },
    ]);
  });

  it('does not flag a value equal to its threshold, or a null value', () => {
    expect(flagsFor({ churn_rate: 5, revenue: 3000 })).toEqual([]);
    expect(flagsFor({ churn_rate: null, revenue: null })).toEqual([]);
  });
});

describe('computeFlags anomalies', () => {
  // Eight trailing weeks, by hand: sorted 3000 3100 3200 3300 3500 3600 3700 4100, median
  // (3300 + 3500) / 2 = 3400; distances 400 300 200 100 100 200 300 700 → MAD
  // (200 + 300) / 2 = 250 → scale 1.4826 × 250 = 370.65; k = 3: 3400 ± 1111.95.
  const trailing = [3300, 3000, 3600, 3100, 4100, 3500, 3700, 3200];
  const config = parseConfig({});

  it('flags a value outside median ± k · 1.4826 · MAD of the trailing periods', () => {
    const flags = computeFlags(snap(44, { revenue: 1200 }), series('revenue', trailing), config);
    expect(flags).toHaveLength(1);
    const flag = flags[0];
    expect(flag).toMatchObject({ kind: 'anomaly', id: 'revenue', side: 'below', median: 3400 });
    if (flag?.kind !== 'anomaly') throw new Error('expected an anomaly');
    expect(flag.low).toBeCloseTo(2288.05, 6);
    expect(flag.high).toBeCloseTo(4511.95, 6);
    expect([flag.used, flag.window]).toEqual([8, 8]);
  });

  it('does not flag a value inside the band, nor one from too few trailing values', () => {
    expect(computeFlags(snap(44, { revenue: 2300 }), series('revenue', trailing), config)).toEqual(
      [],
    );
    expect(computeFlags(snap(44, { revenue: 4500 }), series('revenue', trailing), config)).toEqual(
      [],
    );
    // Five values and three gaps in the last eight weeks: fewer than minPeriods (6).
    const gappy = series('revenue', [3300, null, 3600, null, 4100, 3500, null, 3200]);
    expect(computeFlags(snap(44, { revenue: 100 }), gappy, config)).toEqual([]);
  });

  it('looks only at the last `periods` weeks and counts the gaps among them', () => {
    // Twelve weeks: the four oldest (huge) fall outside the eight-week window.
    const history = series('revenue', [9e9, 9e9, 9e9, 9e9, ...trailing.slice(0, 7), null]);
    const flags = computeFlags(snap(44, { revenue: 1200 }), history, config);
    expect(flags).toMatchObject([{ id: 'revenue', used: 7, window: 8 }]);
  });

  it('with all trailing values equal, flags any other value and not the same one', () => {
    const flat = series('social_mentions', [0, 0, 0, 0, 0, 0, 0, 0]);
    expect(computeFlags(snap(44, { social_mentions: 0 }), flat, config)).toEqual([]);
    expect(computeFlags(snap(44, { social_mentions: 2 }), flat, config)).toMatchObject([
      { id: 'social_mentions', side: 'above', low: 0, high: 0 },
    ]);
  });

  it('uses the configured k and can be turned off', () => {
    // k = 5: 3400 ± 5 × 370.65 = 1546.75 … 5253.25, so 1600 is inside, 1500 outside.
    const wide = parseConfig({ flags: { anomaly: { k: 5 } } });
    const history = series('revenue', trailing);
    expect(computeFlags(snap(44, { revenue: 1600 }), history, wide)).toEqual([]);
    expect(computeFlags(snap(44, { revenue: 1500 }), history, wide)).toHaveLength(1);
    const off = parseConfig({ flags: { anomaly: { enabled: false } } });
    expect(computeFlags(snap(44, { revenue: 1 }), history, off)).toEqual([]);
  });

  it('gives no anomaly flag to a rate from a small sample', () => {
    const history = series('churn_rate', [2, 2.2, 2.1, 1.9, 2, 2.1, 2.2, 2]);
    const few = snap(44, { churn_rate: 12.5, customers_start: 8 });
    const many = snap(44, { churn_rate: 12.5, customers_start: 800 });
    expect(computeFlags(few, history, config)).toEqual([]);
    expect(computeFlags(many, history, config)).toMatchObject([{ id: 'churn_rate' }]);
  });
});
