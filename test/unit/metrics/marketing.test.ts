/**
 * `cac` (blended and per acquisition channel) and `ltv_cac_ratio` (METRICS.md "Revenue and
 * lifetime value") on hand-made spend, subscriptions and customers. New customers are first
 * subscription starts in [start, end); expected values are worked out in the comments.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../functions/core/config';
import { withDuck } from '../../../functions/core/duck/db';
import { createPlanTables } from '../../../functions/core/duck/plan-tables';
import { appendRows, createDatasetTables } from '../../../functions/core/duck/tables';
import { loadMarketingSpend } from '../../../functions/core/metrics/marketing';
import { PeriodPlan } from '../../../functions/core/metrics/plan';
import { parsePeriodKey } from '../../../functions/core/time/periods';
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

/** `n` spend rows of `amount` on `channel`, dated on the days from `firstDay` (UTC), cycling every `days`. */
function spendRows(n: number, channel: string, amount: number, firstDay: string, days: number) {
  const first = Date.parse(firstDay);
  return Array.from({ length: n }, (_, k) =>
    spend(new Date(first + (k % days) * 86_400_000).toISOString(), channel, amount),
  );
}

describe('cac on many cent-valued spend rows', () => {
  it('is exact over a quarter of daily spend (2026-Q1: 90 days of 0.10)', async () => {
    // Prepare: one 0.10 row on ads for each of the 90 days of Q1 (31 + 28 + 31), and one
    // customer acquired on ads in February.
    const result = await run({
      config: { period: 'quarter' },
      periods: ['2026-Q1'],
      data: {
        subscriptions: [[sub('s', 'n', '2026-02-10T00:00:00Z')]],
        customers: [[customer('n', '2026-02-10T00:00:00Z', { channel: 'ads' })]],
        marketing_spend: [spendRows(90, 'ads', 0.1, '2026-01-01', 90)],
      },
    });

    // Assess: 90 × 0.10 = 9.00 over 1 new customer = 9, blended and for ads (summed as
    // doubles it was 8.99999999999998).
    expect(valueIn(result, '2026-Q1', 'cac')).toBe(9);
    expect(metric(result, '2026-Q1', 'cac').breakdown).toEqual({ ads: 9 });
  });

  it('is exact per channel and blended on thousands of rows (2026-W10)', async () => {
    // Prepare: in W10 [2 Mar, 9 Mar), 1,000 rows of 0.10 on ads, 2,000 of 0.01 on email and
    // 0.10 + 0.20 on seo, spread over the week's 7 days; new customers: 2 on ads, 2 on
    // email, 1 on seo.
    const ids = ['a1', 'a2', 'e1', 'e2', 's1'];
    const channelOf = (id: string) => ({ a: 'ads', e: 'email', s: 'seo' })[id[0] as 'a'];
    const result = await run({
      periods: ['2026-W10'],
      data: {
        subscriptions: [ids.map((id) => sub(`sub-${id}`, id, '2026-03-04T00:00:00Z'))],
        customers: [
          ids.map((id) => customer(id, '2026-03-04T00:00:00Z', { channel: channelOf(id) })),
        ],
        marketing_spend: [
          [
            ...spendRows(1000, 'ads', 0.1, '2026-03-02', 7),
            ...spendRows(2000, 'email', 0.01, '2026-03-02', 7),
            spend('2026-03-03', 'seo', 0.1),
            spend('2026-03-08', 'seo', 0.2),
          ],
        ],
      },
    });

    // Assess: ads 1,000 × 0.10 = 100 / 2 = 50; email 2,000 × 0.01 = 20 / 2 = 10;
    // seo 0.30 / 1 = 0.3; blended (100 + 20 + 0.30) / 5 = 120.30 / 5 = 24.06.
    expect(metric(result, '2026-W10', 'cac').breakdown).toEqual({ ads: 50, email: 10, seo: 0.3 });
    expect(valueIn(result, '2026-W10', 'cac')).toBe(24.06);
  });

  it('gives a blended total that is the sum of the channel totals exactly', async () => {
    // The loader itself, before the metric value's rounding to 15 digits (which would hide
    // a last-bit drift): its total is what the blended CAC divides. UTC weeks W10 and W11.
    const config = parseConfig({});
    const plan = new PeriodPlan(
      ['2026-W10', '2026-W11'].map((k) => parsePeriodKey(k, 'UTC')),
      config,
    );
    const rows = [
      // W10 as in the test above.
      ...spendRows(1000, 'ads', 0.1, '2026-03-02', 7),
      ...spendRows(2000, 'email', 0.01, '2026-03-02', 7),
      // W11: two channels whose totals add to 0.30000000000000004 as doubles.
      spend('2026-03-10', 'x', 0.1),
      spend('2026-03-11', 'y', 0.2),
      spend('2026-03-16', 'ads', 5), // W12: outside the plan
    ];

    // Act
    const [w10, w11] = await withDuck(async (db) => {
      await createDatasetTables(db);
      await appendRows(db, 'marketing_spend', 0, rows);
      await createPlanTables(db, plan);
      const spendOf = await loadMarketingSpend(db, plan);
      return [spendOf.period(0), spendOf.period(1)];
    });

    // Assess: W10 ads 1,000 × 0.10 = 100, email 2,000 × 0.01 = 20, total 120; W11 x 0.1,
    // y 0.2, total 0.3 (the double nearest 0.3, as 300,000 millionths / 10^6).
    expect([...(w10?.byChannel ?? [])]).toEqual([
      ['ads', 100],
      ['email', 20],
    ]);
    expect(w10?.total).toBe(120);
    expect([...(w11?.byChannel ?? [])]).toEqual([
      ['x', 0.1],
      ['y', 0.2],
    ]);
    expect(w11?.total).toBe(0.3);
  });
});
