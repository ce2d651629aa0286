/**
 * `cac` (blended and per acquisition channel) and `ltv_cac_ratio` (METRICS.md "Revenue and
 * lifetime value") on hand-made spend, subscriptions and customers. New customers are first
 * subscription starts in [start, end); expected values are worked out in the comments.
 */
import { describe, expect, it } from 'vitest';
import { customer, metric, order, reasonOf, run, spend, sub, valueIn } from './helpers';

// UTC ISO weeks of 2026: W09 = [23 Feb, 2 Mar), W10 = [2 Mar, 9 Mar), W11 = [9 Mar, 16 Mar).
const SUBSCRIPTIONS = [
  sub('sa', 'a', '2026-01-01T00:00:00Z'), // old customer
  sub('sa2', 'a2', '2026-01-01T00:00:00Z', '2026-03-03T00:00:00Z'), // churns in W10
  sub('s1', 'n1', '2026-03-02T00:00:00Z'), // new in W10 (on its start)
  sub('s2', 'n2', '2026-03-04T00:00:00Z'), // new in W10
  sub('s3', 'n3', '2026-03-06T00:00:00Z'), // new in W10
  sub('s4', 'n4', '2026-03-09T00:00:00Z'), // on W10's end: new in W11
];
// New customers: W09 none; W10 n1, n2, n3 = 3; W11 n4 = 1.

const CUSTOMERS = [
  customer('a', '2025-12-01T00:00:00Z', { channel: 'ads' }),
  customer('a2', '2025-12-01T00:00:00Z', { channel: 'ads' }),
  customer('n1', '2026-03-02T00:00:00Z', { channel: 'ads' }),
  customer('n2', '2026-03-04T00:00:00Z', { channel: 'ads' }),
  customer('n3', '2026-03-06T00:00:00Z', { channel: 'seo' }),
  customer('n4', '2026-03-09T00:00:00Z', { channel: 'ads' }),
];

const SPEND = [
  spend('2026-03-01T00:00:00Z', 'seo', 999), // W09
  spend('2026-03-02T00:00:00Z', 'ads', 100), // W10 (its first day)
  spend('2026-03-05T00:00:00Z', 'ads', 50), // W10
  spend('2026-03-08T00:00:00Z', 'email', 30), // W10 (its last day)
  spend('2026-03-09T00:00:00Z', 'ads', 70), // W11 (W10's end)
];

const PERIODS = ['2026-W09', '2026-W10', '2026-W11'];

describe('cac', async () => {
  const result = await run({
    periods: PERIODS,
    data: { subscriptions: [SUBSCRIPTIONS], customers: [CUSTOMERS], marketing_spend: [SPEND] },
  });

  it('is spend in the period / new customers (blended)', async () => {
    // W10: 100 + 50 + 30 = 180 over n1, n2, n3 → 60.
    expect(valueIn(result, '2026-W10', 'cac')).toBe(60);
    // W11: 70 over n4 → 70.
    expect(valueIn(result, '2026-W11', 'cac')).toBe(70);
  });

  it('breaks down by channel: channel spend / its new customers, null when it has none', async () => {
    // W10: ads 150 / (n1, n2) = 75; email 30 / 0 → null. seo has new customer n3 but no
    // spend row in W10, so no entry; n3 still counts in the blended denominator.
    expect(metric(result, '2026-W10', 'cac').breakdown).toEqual({ ads: 75, email: null });
    // W11: ads 70 / n4 = 70.
    expect(metric(result, '2026-W11', 'cac').breakdown).toEqual({ ads: 70 });
  });

  it('is null with a reason when the period has no new customer, keeping the breakdown', async () => {
    // W09: 999 of seo spend, nobody new.
    expect(reasonOf(result, '2026-W09', 'cac')).toBe(
      'no new customers in the period (division by zero)',
    );
    expect(metric(result, '2026-W09', 'cac').breakdown).toEqual({ seo: null });
  });

  it('is 0 when there are new customers but no spend in the period', async () => {
    const noSpend = await run({
      periods: ['2026-W10'],
      data: {
        subscriptions: [SUBSCRIPTIONS],
        customers: [CUSTOMERS],
        marketing_spend: [[spend('2026-02-01T00:00:00Z', 'ads', 10)]],
      },
    });
    // 0 spend / 3 new customers = 0; no spend row in W10 → empty breakdown.
    expect(valueIn(noSpend, '2026-W10', 'cac')).toBe(0);
    expect(metric(noSpend, '2026-W10', 'cac').breakdown).toEqual({});
  });

  it('is null with a reason without a marketing_spend export, or with an empty one', async () => {
    const absent = await run({ periods: ['2026-W10'], data: { subscriptions: [SUBSCRIPTIONS] } });
    expect(reasonOf(absent, '2026-W10', 'cac')).toBe('no marketing_spend export');
    const empty = await run({
      periods: ['2026-W10'],
      data: { subscriptions: [SUBSCRIPTIONS], marketing_spend: [[]] },
    });
    expect(reasonOf(empty, '2026-W10', 'cac')).toBe(
      'the marketing_spend export has no accepted rows',
    );
  });

  it('is null with a reason without a customer base', async () => {
    const result = await run({ periods: ['2026-W10'], data: { marketing_spend: [SPEND] } });
    expect(reasonOf(result, '2026-W10', 'cac')).toBe('no subscriptions or orders export');
  });

  it('has a blended value but null channel entries without a customers export', async () => {
    const result = await run({
      periods: ['2026-W10'],
      data: { subscriptions: [SUBSCRIPTIONS], marketing_spend: [SPEND] },
    });
    // 180 / 3 = 60; no acquisition channels known → ads 150 / 0 and email 30 / 0 → null.
    expect(valueIn(result, '2026-W10', 'cac')).toBe(60);
    expect(metric(result, '2026-W10', 'cac').breakdown).toEqual({ ads: null, email: null });
  });

  it('places spend dates and new customers in the report time zone', async () => {
    // America/New_York: W10 = [2 Mar 00:00 EST = 05:00Z, 9 Mar 00:00 EDT = 04:00Z).
    const tz = 'America/New_York';
    const result = await run({
      config: { timezone: tz },
      periods: ['2026-W10'],
      data: {
        subscriptions: [
          [
            // 8 Mar 23:30 EDT = 9 Mar 03:30Z: in New York's W10 (in UTC it would be W11).
            sub('s', 'n', '2026-03-08T23:30:00-04:00'),
            // 1 Mar 23:00 EST: W09.
            sub('t', 'm', '2026-03-01T23:00:00-05:00'),
          ],
        ],
        marketing_spend: [
          [
            spend('2026-03-02T00:00:00-05:00', 'ads', 40), // first local day of W10
            spend('2026-03-08T00:00:00-05:00', 'ads', 20), // last local day of W10
            spend('2026-03-09T00:00:00-04:00', 'ads', 1000), // W11
            spend('2026-03-01T00:00:00-05:00', 'ads', 500), // W09
          ],
        ],
      },
    });
    // (40 + 20) / 1 new customer (n) = 60.
    expect(valueIn(result, '2026-W10', 'cac')).toBe(60);
  });
});

describe('ltv_cac_ratio', async () => {
  // One trailing period, so churn is W10's own: at its start a, a2 and n1 (it starts on the
  // start instant) = 3, a2 churned → 1/3, lifetime 3 weeks.
  // Active at W10's end (9 Mar): a, n1, n2, n3, n4 (starts on the end instant) = 5.
  const CONFIG = { clv: { trailingPeriods: 1 } };
  const ORDERS = [
    order('o1', 'n1', '2026-03-03T00:00:00Z', 120),
    order('o2', 'a', '2026-03-04T00:00:00Z', 80),
  ];

  it('is clv_predictive / cac', async () => {
    const result = await run({
      config: CONFIG,
      periods: ['2026-W10'],
      data: {
        subscriptions: [SUBSCRIPTIONS],
        customers: [CUSTOMERS],
        marketing_spend: [SPEND],
        orders: [ORDERS],
      },
    });
    // arpc = 200 / 5 = 40; clv = 40 × 1 × 3 = 120; cac = 60 → 120 / 60 = 2.
    expect(valueIn(result, '2026-W10', 'clv_predictive')).toBe(120);
    expect(valueIn(result, '2026-W10', 'ltv_cac_ratio')).toBe(2);
  });

  it('is null with a reason when CAC is 0', async () => {
    const result = await run({
      config: CONFIG,
      periods: ['2026-W10'],
      data: {
        subscriptions: [SUBSCRIPTIONS],
        marketing_spend: [[spend('2026-02-01T00:00:00Z', 'ads', 10)]],
        orders: [ORDERS],
      },
    });
    expect(reasonOf(result, '2026-W10', 'ltv_cac_ratio')).toBe(
      'CAC is 0: no marketing spend in the period',
    );
  });

  it('is null with the reason of whichever side is unknown', async () => {
    const noSpend = await run({
      config: CONFIG,
      periods: ['2026-W10'],
      data: { subscriptions: [SUBSCRIPTIONS], orders: [ORDERS] },
    });
    expect(reasonOf(noSpend, '2026-W10', 'ltv_cac_ratio')).toBe(
      'CAC is unknown: no marketing_spend export',
    );
    const noOrders = await run({
      config: CONFIG,
      periods: ['2026-W10'],
      data: { subscriptions: [SUBSCRIPTIONS], marketing_spend: [SPEND] },
    });
    expect(reasonOf(noOrders, '2026-W10', 'ltv_cac_ratio')).toBe(
      'CLV is unknown: revenue per customer is unknown: no orders export',
    );
  });
});
