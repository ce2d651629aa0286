/**
 * Revenue metrics (METRICS.md "Revenue and lifetime value"): `revenue`, `orders`, `aov`,
 * `purchase_frequency`, `arpc`, `clv_historic`, `clv_predictive`, on hand-made orders fed
 * through the engine's pass. Expected values are worked out by hand in the comments.
 * (`cac` and `ltv_cac_ratio` are in marketing.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../functions/core/models/simulate';
import { metric, order, reasonOf, run, sub, valueIn } from './helpers';

// UTC ISO weeks of 2026: W09 = [Mon 23 Feb, Mon 2 Mar), W10 = [2 Mar, 9 Mar),
// W11 = [9 Mar, 16 Mar), W12 = [16 Mar, 23 Mar).
const SUBSCRIPTIONS = [
  sub('sa', 'a', '2026-01-01T00:00:00Z'),
  sub('sb', 'b', '2026-01-01T00:00:00Z'),
  sub('sc', 'c', '2026-01-01T00:00:00Z'),
  // d churns inside W10.
  sub('sd', 'd', '2026-01-01T00:00:00Z', '2026-03-05T12:00:00Z'),
];
// Customers active at the end: W09 (2 Mar) a, b, c, d = 4; W10 (9 Mar) a, b, c = 3;
// W11 and W12 a, b, c = 3.

const ORDERS = [
  // e has only a refund (before every period): never a customer with a positive order.
  order('re', 'e', '2026-01-10T00:00:00Z', -5),
  order('o1', 'a', '2026-02-25T10:00:00Z', 100), // W09
  order('o2', 'a', '2026-03-02T00:00:00Z', 50), // exactly W10's start: W10
  order('o3', 'b', '2026-03-04T10:00:00Z', 30), // W10
  order('o4', 'b', '2026-03-05T10:00:00Z', 20), // W10
  order('r1', 'b', '2026-03-06T10:00:00Z', -10), // W10 refund
  order('o5', 'c', '2026-03-09T00:00:00Z', 40), // exactly W10's end: W11
  order('r2', 'a', '2026-03-10T10:00:00Z', -50), // W11 refund of o2
  order('r3', 'b', '2026-03-18T10:00:00Z', -5), // W12: a refund only
];

const CONFIG = { clv: { trailingPeriods: 4, grossMargin: 0.5 } };
const PERIODS = ['2026-W09', '2026-W10', '2026-W11', '2026-W12'];

describe('revenue family', async () => {
  const result = await run({
    config: CONFIG,
    periods: PERIODS,
    data: { subscriptions: [SUBSCRIPTIONS], orders: [ORDERS] },
  });

  describe('revenue', async () => {
    it('sums amounts in [start, end) net of refunds', () => {
      // W10: o2 50 (on the start) + o3 30 + o4 20 − r1 10 = 90; o5 on the end is not in.
      expect(valueIn(result, '2026-W10', 'revenue')).toBe(90);
      // W09: o1 100.
      expect(valueIn(result, '2026-W09', 'revenue')).toBe(100);
      // W11: o5 40 − r2 50 = −10 (a refund of an earlier order can make revenue negative).
      expect(valueIn(result, '2026-W11', 'revenue')).toBe(-10);
      // W12: only r3 → −5.
      expect(valueIn(result, '2026-W12', 'revenue')).toBe(-5);
    });
  });

  describe('orders', async () => {
    it('counts rows with a positive amount; refunds are not orders', async () => {
      // W10: o2, o3, o4 = 3 (r1 excluded).
      expect(valueIn(result, '2026-W10', 'orders')).toBe(3);
      // W11: o5 = 1 (r2 excluded); W12: 0.
      expect(valueIn(result, '2026-W11', 'orders')).toBe(1);
      expect(valueIn(result, '2026-W12', 'orders')).toBe(0);
    });
  });

  describe('aov', async () => {
    it('is revenue / orders', async () => {
      // W10: 90 / 3 = 30; W09: 100 / 1 = 100; W11: −10 / 1 = −10.
      expect(valueIn(result, '2026-W10', 'aov')).toBe(30);
      expect(valueIn(result, '2026-W09', 'aov')).toBe(100);
      expect(valueIn(result, '2026-W11', 'aov')).toBe(-10);
    });

    it('is null with a reason when the period has no orders (only a refund)', async () => {
      expect(reasonOf(result, '2026-W12', 'aov')).toBe(
        'no orders in the period (division by zero)',
      );
    });
  });

  describe('purchase_frequency', async () => {
    it('is orders / customers with a positive order in the period', async () => {
      // W10: 3 orders by a (o2) and b (o3, o4) → 3 / 2 = 1.5. b's refund does not matter.
      expect(valueIn(result, '2026-W10', 'purchase_frequency')).toBe(1.5);
      // W11: 1 order by c → 1.
      expect(valueIn(result, '2026-W11', 'purchase_frequency')).toBe(1);
    });

    it('is null with a reason without orders', async () => {
      expect(reasonOf(result, '2026-W12', 'purchase_frequency')).toBe(
        'no orders in the period (division by zero)',
      );
    });
  });

  describe('arpc', async () => {
    it('is revenue / customers active at the end', async () => {
      // W09: 100 / 4 = 25; W10: 90 / 3 = 30; W11: −10 / 3; W12: −5 / 3.
      expect(valueIn(result, '2026-W09', 'arpc')).toBe(25);
      expect(valueIn(result, '2026-W10', 'arpc')).toBe(30);
      expect(valueIn(result, '2026-W11', 'arpc')).toBeCloseTo(-10 / 3, 12);
      expect(valueIn(result, '2026-W12', 'arpc')).toBeCloseTo(-5 / 3, 12);
    });
  });

  describe('clv_historic', async () => {
    it('is the mean net total before the end over customers with a positive order before it', async () => {
      // End of W09 (2 Mar): only a has a positive order before it (o1 100) → 100 / 1.
      // e's refund does not make e a customer.
      expect(valueIn(result, '2026-W09', 'clv_historic')).toBe(100);
      // End of W10 (9 Mar): a 100 + 50 = 150, b 30 + 20 − 10 = 40; c's o5 is at the end
      // instant, not before it → (150 + 40) / 2 = 95.
      expect(valueIn(result, '2026-W10', 'clv_historic')).toBe(95);
      // End of W11: a 150 − 50 = 100, b 40, c 40 → 180 / 3 = 60.
      expect(valueIn(result, '2026-W11', 'clv_historic')).toBe(60);
      // End of W12: a 100, b 40 − 5 = 35, c 40 → 175 / 3.
      expect(valueIn(result, '2026-W12', 'clv_historic')).toBeCloseTo(175 / 3, 12);
    });
  });

  describe('clv_predictive', async () => {
    it('is arpc × gross margin × 1 / pooled trailing churn', async () => {
      // Trailing 4 weeks of W10: W07..W10, 4 customers at each start = 16, 1 churned (d in
      // W10) → churn 1/16, lifetime 16. 30 × 0.5 × 16 = 240.
      expect(valueIn(result, '2026-W10', 'clv_predictive')).toBe(240);
      // W11: W08..W11, starts 4 + 4 + 4 + 3 = 15, 1 churned → lifetime 15.
      // (−10 / 3) × 0.5 × 15 = −25.
      expect(valueIn(result, '2026-W11', 'clv_predictive')).toBeCloseTo(-25, 12);
    });

    it('uses the lifetime cap when nobody churned in the trailing periods', async () => {
      // W09: W06..W09 without a churn → cap 260 weeks. 25 × 0.5 × 260 = 3250.
      expect(valueIn(result, '2026-W09', 'clv_predictive')).toBe(3250);
    });

    it('caps the lifetime at clv.maxLifetimePeriods', async () => {
      const capped = await run({
        config: { clv: { trailingPeriods: 4, grossMargin: 0.5, maxLifetimePeriods: 10 } },
        periods: ['2026-W10'],
        data: { subscriptions: [SUBSCRIPTIONS], orders: [ORDERS] },
      });
      // Lifetime min(16, 10) = 10 → 30 × 0.5 × 10 = 150.
      expect(valueIn(capped, '2026-W10', 'clv_predictive')).toBe(150);
    });
  });

  it('gives the same values whatever the order of the requested periods', async () => {
    const shuffled = await run({
      config: CONFIG,
      periods: ['2026-W11', '2026-W09', '2026-W12', '2026-W10'],
      data: { subscriptions: [SUBSCRIPTIONS], orders: [ORDERS] },
    });
    for (const id of ['revenue', 'orders', 'arpc', 'clv_historic', 'clv_predictive']) {
      for (const p of PERIODS) expect(metric(shuffled, p, id)).toEqual(metric(result, p, id));
    }
  });
});

describe('revenue family: re-exported orders', async () => {
  it('counts an order id once, with the amount of the last file', async () => {
    const result = await run({
      config: CONFIG,
      periods: ['2026-W10'],
      data: {
        subscriptions: [SUBSCRIPTIONS],
        orders: [ORDERS, [order('o3', 'b', '2026-03-04T10:00:00Z', 35)]],
      },
    });
    // W10: 50 + 35 (o3 corrected) + 20 − 10 = 95, still 3 orders.
    expect(valueIn(result, '2026-W10', 'revenue')).toBe(95);
    expect(valueIn(result, '2026-W10', 'orders')).toBe(3);
  });
});

describe('revenue family in orders mode', async () => {
  it('divides arpc by the customers with a positive order in the 90 days before the end', async () => {
    const result = await run({ periods: ['2026-W10'], data: { orders: [ORDERS] } });
    // Active at 9 Mar = a positive order in [9 Dec, 9 Mar): a (o1, o2), b (o3, o4) = 2; e has
    // only a refund, c's o5 is at the end instant. arpc = 90 / 2 = 45.
    expect(valueIn(result, '2026-W10', 'arpc')).toBe(45);
  });
});

describe('revenue family with missing inputs', async () => {
  it('is null with a reason when there is no orders export', async () => {
    const result = await run({ periods: ['2026-W10'], data: { subscriptions: [SUBSCRIPTIONS] } });
    for (const id of ['revenue', 'orders', 'aov', 'purchase_frequency', 'arpc', 'clv_historic']) {
      expect(reasonOf(result, '2026-W10', id)).toBe('no orders export');
    }
    expect(reasonOf(result, '2026-W10', 'clv_predictive')).toBe(
      'revenue per customer is unknown: no orders export',
    );
  });

  it('is null with a reason when the orders export has no accepted rows', async () => {
    const result = await run({
      periods: ['2026-W10'],
      data: { subscriptions: [SUBSCRIPTIONS], orders: [[]] },
    });
    expect(reasonOf(result, '2026-W10', 'revenue')).toBe('the orders export has no accepted rows');
    expect(reasonOf(result, '2026-W10', 'orders')).toBe('the orders export has no accepted rows');
  });

  it('keeps revenue but not arpc when the configured customer base has no data', async () => {
    const result = await run({
      config: { activity: { mode: 'subscriptions' } },
      periods: ['2026-W10'],
      data: { orders: [ORDERS] },
    });
    expect(valueIn(result, '2026-W10', 'revenue')).toBe(90);
    expect(reasonOf(result, '2026-W10', 'arpc')).toBe(
      'no subscriptions export (activity.mode is "subscriptions")',
    );
    expect(reasonOf(result, '2026-W10', 'clv_predictive')).toBe(
      'revenue per customer is unknown: no subscriptions export (activity.mode is "subscriptions")',
    );
  });

  it('gives reasons for zero denominators: no customer at the end, none with an order', async () => {
    const result = await run({
      periods: ['2026-W09', '2026-W10'],
      data: {
        // The only subscription ends before W10's end.
        subscriptions: [[sub('s', 'x', '2026-01-01T00:00:00Z', '2026-03-03T00:00:00Z')]],
        orders: [[order('o', 'x', '2026-03-02T10:00:00Z', 12)]],
      },
    });
    expect(valueIn(result, '2026-W10', 'revenue')).toBe(12);
    expect(reasonOf(result, '2026-W10', 'arpc')).toBe(
      'no customers active at the end of the period (division by zero)',
    );
    expect(reasonOf(result, '2026-W10', 'clv_predictive')).toBe(
      'revenue per customer is unknown: no customers active at the end of the period (division by zero)',
    );
    // Before W09's end nobody had ordered yet.
    expect(reasonOf(result, '2026-W09', 'clv_historic')).toBe(
      'no customer has an order before the end of the period',
    );
    expect(valueIn(result, '2026-W09', 'revenue')).toBe(0);
  });
});

describe('revenue family in a non-UTC time zone', async () => {
  // America/New_York: W10 = [2 Mar 00:00 EST = 05:00Z, 9 Mar 00:00 EDT = 04:00Z); daylight
  // saving starts inside it (8 Mar).
  const rows = [
    order('x1', 'a', '2026-03-02T04:59:59Z', 1), // 1 Mar 23:59:59 EST: W09
    order('x2', 'a', '2026-03-02T00:00:00-05:00', 10), // W10's start: W10
    order('x3', 'a', '2026-03-08T23:30:00-04:00', 100), // 9 Mar 03:30Z: still W10 in New York
    order('x4', 'a', '2026-03-09T00:00:00-04:00', 1000), // W10's end: W11
  ];
  const periods = ['2026-W09', '2026-W10', '2026-W11'];

  it('places orders in the report time zone', async () => {
    const ny = await run({
      config: { timezone: 'America/New_York' },
      periods,
      data: { orders: [rows] },
    });
    // W09: x1 = 1; W10: x2 + x3 = 110; W11: x4 = 1000.
    expect(valueIn(ny, '2026-W09', 'revenue')).toBe(1);
    expect(valueIn(ny, '2026-W10', 'revenue')).toBe(110);
    expect(valueIn(ny, '2026-W11', 'revenue')).toBe(1000);
    expect(valueIn(ny, '2026-W10', 'orders')).toBe(2);
  });

  it('places the same instants differently in UTC', async () => {
    const utc = await run({ periods, data: { orders: [rows] } });
    // UTC W10 = [2 Mar 00:00Z, 9 Mar 00:00Z): x1 (04:59Z) + x2 (05:00Z) = 11; x3 (9 Mar
    // 03:30Z) and x4 (04:00Z) are in W11 = 1100.
    expect(valueIn(utc, '2026-W10', 'revenue')).toBe(11);
    expect(valueIn(utc, '2026-W11', 'revenue')).toBe(1100);
  });
});

describe('revenue family on seeded random orders', () => {
  it('matches a brute-force count in whole cents: revenue, orders, frequency, clv_historic', async () => {
    // Prepare: 200 customers, 800 orders from W05 to past W12 (UTC), 1 in 5 a refund, some
    // on a period's start instant exactly; so some customers refund before their first
    // order, and some only refund.
    const random = mulberry32(20261204);
    const periods = ['2026-W09', '2026-W10', '2026-W11', '2026-W12'];
    const starts = periods.map((_, i) => Date.UTC(2026, 1, 23 + 7 * i));
    const ends = starts.map((s) => s + 7 * 86_400_000);
    const from = Date.UTC(2026, 0, 26);
    const to = Date.UTC(2026, 2, 30);
    const rows = Array.from({ length: 800 }, (_, k) => {
      const t =
        random() < 0.05
          ? (starts[Math.floor(random() * 4)] as number)
          : from + Math.floor(random() * (to - from));
      const cents = (random() < 0.2 ? -1 : 1) * (1 + Math.floor(random() * 50_000));
      return { id: `o${k}`, customer: `c${Math.floor(random() * 200)}`, t, cents };
    });

    // Act
    const result = await run({
      periods,
      data: {
        orders: [
          rows.map((r) => order(r.id, r.customer, new Date(r.t).toISOString(), r.cents / 100)),
        ],
      },
    });

    // Assess: every number recomputed here from the rows, in integer cents.
    periods.forEach((key, i) => {
      const start = starts[i] as number;
      const end = ends[i] as number;
      const inPeriod = rows.filter((r) => r.t >= start && r.t < end);
      const placed = inPeriod.filter((r) => r.cents > 0);
      const buyers = new Set(placed.map((r) => r.customer)).size;
      const cents = inPeriod.reduce((a, r) => a + r.cents, 0);
      const before = rows.filter((r) => r.t < end);
      const customers = new Set(before.filter((r) => r.cents > 0).map((r) => r.customer));
      const historic = before
        .filter((r) => customers.has(r.customer))
        .reduce((a, r) => a + r.cents, 0);
      expect(valueIn(result, key, 'revenue'), key).toBeCloseTo(cents / 100, 9);
      expect(valueIn(result, key, 'orders'), key).toBe(placed.length);
      expect(valueIn(result, key, 'purchase_frequency'), key).toBeCloseTo(
        placed.length / buyers,
        12,
      );
      expect(valueIn(result, key, 'clv_historic'), key).toBeCloseTo(
        historic / 100 / customers.size,
        9,
      );
    });
  });
});
