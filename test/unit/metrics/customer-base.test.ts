/**
 * Customer-base metrics (METRICS.md "Customer base") on hand-made rows. Every expected
 * value is worked out by hand in the comments, from the definitions:
 * active at t ⟺ started_at ≤ t < ended_at (subscriptions) or a positive order in
 * [t − window, t) (orders); acquisition = first activation; P = [start, end).
 */
import { describe, expect, it } from 'vitest';
import { parsePeriodKey } from '../../../functions/core/time/periods';
import { at, metric, order, run, sub } from './helpers';

/** The value of a metric, failing the test when it is null. */
function value(result: Awaited<ReturnType<typeof run>>, period: string, id: string): number {
  const mv = metric(result, period, id);
  if (mv.value === null) throw new Error(`${id} of ${period} is null: ${mv.reason}`);
  return mv.value;
}

// UTC ISO weeks of 2026 (1 Jan 2026 is a Thursday, so W01 starts Mon 29 Dec 2025):
// W09 = [Mon 23 Feb, Mon 2 Mar), W10 = [2 Mar, 9 Mar), W11 = [9 Mar, 16 Mar).
const SUBSCRIPTIONS = [
  // a: active throughout.
  sub('a1', 'a', '2026-01-01T00:00:00Z', undefined, 10),
  // b: ends inside W10.
  sub('b1', 'b', '2026-01-01T00:00:00Z', '2026-03-05T12:00:00Z', 20),
  // c: ends exactly at the end of W10 (not active at that instant).
  sub('c1', 'c', '2026-01-01T00:00:00Z', '2026-03-09T00:00:00Z', 30),
  // d: starts exactly at the start of W10 (active at that instant, new in W10).
  sub('d1', 'd', '2026-03-02T00:00:00Z', undefined, 40),
  // e: starts exactly at the end of W10 (active at W10's end, but new in W11).
  sub('e1', 'e', '2026-03-09T00:00:00Z', undefined, 50),
  // f: joins and leaves inside W10.
  sub('f1', 'f', '2026-03-03T00:00:00Z', '2026-03-04T00:00:00Z', 60),
  // g: churned in February, comes back in W10 (reactivated, not new).
  sub('g1', 'g', '2026-01-01T00:00:00Z', '2026-02-10T00:00:00Z', 70),
  sub('g2', 'g', '2026-03-04T00:00:00Z', undefined, 80),
  // h: a gap inside W10 between two subscriptions (active at both ends: not churned).
  sub('h1', 'h', '2026-01-01T00:00:00Z', '2026-03-04T00:00:00Z', 90),
  sub('h2', 'h', '2026-03-06T00:00:00Z', undefined, 100),
];

describe('customer base (subscriptions mode)', async () => {
  const result = await run({
    periods: ['2026-W09', '2026-W10', '2026-W11'],
    data: { subscriptions: [SUBSCRIPTIONS] },
  });

  describe('customers_start', async () => {
    it('counts customers active at the start instant, including a start exactly on it', async () => {
      // W10 start 2 Mar 00:00: a, b, c, d (starts at that instant), h1 → 5.
      // g ended 10 Feb; e and f start later.
      expect(value(result, '2026-W10', 'customers_start')).toBe(5);
      // W09 start 23 Feb: a, b, c, h → 4.
      expect(value(result, '2026-W09', 'customers_start')).toBe(4);
    });
  });

  describe('customers_end', async () => {
    it('counts customers active at the end instant; a subscription ending on it is not', async () => {
      // W10 end 9 Mar 00:00: a, d, e (starts at that instant), g2, h2 → 5.
      // b ended 5 Mar, c ends exactly at 9 Mar 00:00 (not covered), f ended 4 Mar.
      expect(value(result, '2026-W10', 'customers_end')).toBe(5);
      // W09 end 2 Mar 00:00: a, b, c, d (starts at that instant), h → 5.
      expect(value(result, '2026-W09', 'customers_end')).toBe(5);
    });
  });

  describe('new_customers', async () => {
    it('counts first activations in [start, end)', () => {
      // W10: d (2 Mar 00:00, the start is included), f (3 Mar) → 2.
      // e starts at the excluded end; g's first subscription started in January.
      expect(value(result, '2026-W10', 'new_customers')).toBe(2);
      // W09: none (d starts at W09's excluded end).
      expect(value(result, '2026-W09', 'new_customers')).toBe(0);
      // W11: e (9 Mar 00:00) → 1.
      expect(value(result, '2026-W11', 'new_customers')).toBe(1);
    });

    it('does not count a reactivated customer as new', async () => {
      // Only g in the data: subscription Jan → 10 Feb, then again from 4 Mar.
      const g = await run({
        periods: ['2026-W10'],
        data: { subscriptions: [SUBSCRIPTIONS.filter((r) => r.customer_id === 'g')] },
      });
      // Not active at 2 Mar, active at 9 Mar, acquired 1 Jan.
      expect(value(g, '2026-W10', 'customers_start')).toBe(0);
      expect(value(g, '2026-W10', 'customers_end')).toBe(1);
      expect(value(g, '2026-W10', 'new_customers')).toBe(0);
    });
  });

  describe('churned_customers', async () => {
    it('counts customers active at start and not at end; a gap inside P is not churn', async () => {
      // Active at start {a, b, c, d, h}; of those not active at end: b, c → 2.
      // h had no subscription from 4 to 6 Mar but is active at both ends.
      expect(value(result, '2026-W10', 'churned_customers')).toBe(2);
      expect(value(result, '2026-W11', 'churned_customers')).toBe(0);
    });
  });

  describe('churn_rate', async () => {
    it('is churned / customers at start × 100', async () => {
      // W10: 2 / 5 × 100 = 40 %.
      expect(value(result, '2026-W10', 'churn_rate')).toBe(40);
      // W11: start {a, d, e, g, h} = 5, all still active at 16 Mar: 0 / 5 = 0 %.
      expect(value(result, '2026-W11', 'churn_rate')).toBe(0);
    });

    it('is null with a reason when nobody is active at the start', async () => {
      // Only f (3 → 4 Mar): S = 0, so the rate is undefined, not 0.
      const f = await run({
        periods: ['2026-W10'],
        data: { subscriptions: [SUBSCRIPTIONS.filter((r) => r.customer_id === 'f')] },
      });
      const churn = metric(f, '2026-W10', 'churn_rate');
      expect(churn.value).toBeNull();
      expect(churn.reason).toMatch(/no customers at the start/);
      expect(metric(f, '2026-W10', 'retention_rate').value).toBeNull();
      expect(value(f, '2026-W10', 'new_customers')).toBe(1);
    });
  });

  describe('retention_rate', async () => {
    it('is the cohort form |active at start and end| / S × 100 and adds up with churn', async () => {
      // W10: {a, d, h} of the 5 at start → 3 / 5 × 100 = 60 %; 60 + 40 = 100.
      expect(value(result, '2026-W10', 'retention_rate')).toBe(60);
      expect(
        value(result, '2026-W10', 'retention_rate') + value(result, '2026-W10', 'churn_rate'),
      ).toBe(100);
    });

    it('differs from the articles’ (E − N) / S when joiners leave inside P', async () => {
      // Customers: k active throughout, m churns in W10, n1..n3 join and leave in W10.
      const rows = [
        sub('k', 'k', '2026-01-01T00:00:00Z'),
        sub('m', 'm', '2026-01-01T00:00:00Z', '2026-03-05T00:00:00Z'),
        sub('n1', 'n1', '2026-03-03T00:00:00Z', '2026-03-04T00:00:00Z'),
        sub('n2', 'n2', '2026-03-03T00:00:00Z', '2026-03-04T00:00:00Z'),
        sub('n3', 'n3', '2026-03-03T00:00:00Z', '2026-03-04T00:00:00Z'),
      ];
      const r = await run({ periods: ['2026-W10'], data: { subscriptions: [rows] } });
      // S = 2 (k, m), E = 1 (k), N = 3. Cohort: 1 / 2 × 100 = 50 %.
      // The articles' (E − N) / S = (1 − 3) / 2 × 100 = −100 %, which is not a rate.
      expect(value(r, '2026-W10', 'retention_rate')).toBe(50);
      expect(value(r, '2026-W10', 'churn_rate')).toBe(50);
    });
  });

  describe('mrr_start, mrr_end, revenue_churn_rate, net_revenue_retention', async () => {
    it('sums the MRR of the subscriptions active at each boundary', async () => {
      // At 2 Mar: a 10 + b 20 + c 30 + d 40 + h1 90 = 190.
      expect(value(result, '2026-W10', 'mrr_start')).toBe(190);
      // At 9 Mar: a 10 + d 40 + e 50 + g2 80 + h2 100 = 280.
      expect(value(result, '2026-W10', 'mrr_end')).toBe(280);
    });

    it('revenue_churn_rate is the start MRR of the churned over mrr_start', async () => {
      // Churned b, c: (20 + 30) / 190 × 100 = 26.315789473684…
      expect(value(result, '2026-W10', 'revenue_churn_rate')).toBeCloseTo((50 / 190) * 100, 10);
    });

    it('net_revenue_retention is the end MRR of the start cohort over mrr_start', async () => {
      // Start cohort {a, b, c, d, h} at 9 Mar: a 10 + d 40 + h2 100 = 150 (e and g2 are not in
      // the cohort): 150 / 190 × 100 = 78.947368421…
      expect(value(result, '2026-W10', 'net_revenue_retention')).toBeCloseTo((150 / 190) * 100, 10);
    });

    it('is null with a reason when no subscription has an mrr value', async () => {
      const r = await run({
        periods: ['2026-W10'],
        data: { subscriptions: [[sub('a', 'a', '2026-01-01T00:00:00Z')]] },
      });
      expect(metric(r, '2026-W10', 'mrr_start').value).toBeNull();
      expect(metric(r, '2026-W10', 'mrr_start').reason).toMatch(/no mrr values/);
      // The customer base itself does not need mrr.
      expect(value(r, '2026-W10', 'customers_end')).toBe(1);
    });
  });
});

describe('customer base (orders mode)', async () => {
  // Window 30 days. W10 start 2 Mar → window [31 Jan, 2 Mar); end 9 Mar → [7 Feb, 9 Mar).
  const rows = [
    order('p', 'p', '2026-02-01T10:00:00Z', 25), // in the start window only: churned
    order('q', 'q', '2026-01-31T00:00:00Z', 25), // exactly at the start window's first instant
    order('r', 'r', '2026-01-30T23:59:59Z', 25), // one second before it: never active in W10
    order('s', 's', '2026-02-20T00:00:00Z', 25), // in both windows: retained
    order('t', 't', '2026-03-02T00:00:00Z', 25), // at the start instant: not yet active, new
    order('u', 'u', '2026-03-09T00:00:00Z', 25), // at the end instant: not active, not new
    order('v', 'v', '2026-03-03T00:00:00Z', -20), // a refund: neither activates nor acquires
    order('w1', 'w', '2026-01-10T00:00:00Z', 25), // w bought long ago …
    order('w2', 'w', '2026-03-05T00:00:00Z', 25), // … and comes back: reactivated, not new
    order('x', 'x', '2026-02-07T00:00:00Z', 25), // exactly at the end window's first instant
  ];
  const result = await run({
    config: { activity: { activeWindowDays: 30 } },
    periods: ['2026-W10'],
    data: { orders: [rows] },
  });

  it('defaults to orders mode without a subscriptions export', async () => {
    // S: p, q, s, x → 4 (t's order is at 2 Mar, not before it).
    expect(value(result, '2026-W10', 'customers_start')).toBe(4);
    // E: s, t, w (w2), x → 4 (u's order is at 9 Mar, not before it).
    expect(value(result, '2026-W10', 'customers_end')).toBe(4);
  });

  it('counts churn and retention over the active window', async () => {
    // Churned: p, q → 2; churn 2 / 4 × 100 = 50 %; retained s, x → 50 %.
    expect(value(result, '2026-W10', 'churned_customers')).toBe(2);
    expect(value(result, '2026-W10', 'churn_rate')).toBe(50);
    expect(value(result, '2026-W10', 'retention_rate')).toBe(50);
  });

  it('takes the first positive order as acquisition', async () => {
    // New in [2 Mar, 9 Mar): t only (w first ordered in January, v only refunded, u at 9 Mar).
    expect(value(result, '2026-W10', 'new_customers')).toBe(1);
  });

  it('uses the default window of 90 days', async () => {
    // 90 days before 2 Mar 2026 is 2 Dec 2025 (Dec 30 + Jan 31 + Feb 28 + 1 = 90).
    const r = await run({
      periods: ['2026-W10'],
      data: {
        orders: [
          [
            order('in', 'in', '2025-12-02T00:00:00Z', 5),
            order('out', 'out', '2025-12-01T23:59:59Z', 5),
          ],
        ],
      },
    });
    expect(value(r, '2026-W10', 'customers_start')).toBe(1);
  });

  it('counts the window in calendar days of the report zone across a DST change', async () => {
    // New York, W44 ends Mon 2 Nov 2026 00:00 EST = 05:00Z. 30 calendar days earlier is
    // Sat 3 Oct 00:00 EDT = 04:00Z (30 × 24 h would give 05:00Z, an hour later).
    const r = await run({
      config: { timezone: 'America/New_York', activity: { activeWindowDays: 30 } },
      periods: ['2026-W44'],
      data: {
        orders: [
          [
            order('inside', 'in', '2026-10-03T04:30:00Z', 5), // 3 Oct 00:30 EDT: in the window
            order('outside', 'out', '2026-10-03T03:30:00Z', 5), // 2 Oct 23:30 EDT: not
          ],
        ],
      },
    });
    expect(value(r, '2026-W44', 'customers_end')).toBe(1);
  });

  it('does not use the subscriptions export when activity.mode is "orders"', async () => {
    const r = await run({
      config: { activity: { mode: 'orders', activeWindowDays: 30 } },
      periods: ['2026-W10'],
      data: {
        orders: [rows],
        subscriptions: [[sub('z', 'z', '2026-01-01T00:00:00Z', undefined, 7)]],
      },
    });
    // Same base as above (z is not a customer in orders mode) …
    expect(value(r, '2026-W10', 'customers_start')).toBe(4);
    // … but the MRR metrics still come from subscriptions.
    expect(value(r, '2026-W10', 'mrr_start')).toBe(7);
  });
});

describe('customer base across daylight-saving changes', async () => {
  it('uses local midnights in America/New_York (2026-W44 has 169 hours)', async () => {
    // Prepare: W44 = [Mon 26 Oct 00:00 EDT, Mon 2 Nov 00:00 EST) = [04:00Z, 05:00Z):
    // 7 × 24 h + 1 h, as clocks fall back on Sun 1 Nov.
    const w44 = parsePeriodKey('2026-W44', 'America/New_York');
    expect(w44.start).toBe(at('2026-10-26T04:00:00Z'));
    expect(w44.end).toBe(at('2026-11-02T05:00:00Z'));
    expect((w44.end - w44.start) / 3_600_000).toBe(169);
    const rows = [
      // Sun 25 Oct 23:30 EDT: W43 → active at W44's start, not new in W44.
      sub('s1', 'before-start', '2026-10-26T03:30:00Z'),
      // Mon 26 Oct 00:00 EDT: new in W44.
      sub('s2', 'at-start', '2026-10-26T04:00:00Z'),
      // Sun 1 Nov 23:30 EST (04:30Z, after 168 h): still W44.
      sub('s3', 'last-hour', '2026-11-02T04:30:00Z'),
      // Mon 2 Nov 00:00 EST: W45.
      sub('s4', 'at-end', '2026-11-02T05:00:00Z'),
      // Active from before, ends Sun 1 Nov 23:30 EST: churned in W44.
      sub('s5', 'leaves', '2026-09-01T04:00:00Z', '2026-11-02T04:30:00Z'),
    ];
    // Act
    const r = await run({
      config: { timezone: 'America/New_York' },
      periods: ['2026-W44', '2026-W45'],
      data: { subscriptions: [rows] },
    });
    // Assess: W44 start (04:00Z): before-start, at-start (starts at that instant), leaves → 3.
    expect(value(r, '2026-W44', 'customers_start')).toBe(3);
    // New in W44: at-start, last-hour → 2; W45: at-end → 1.
    expect(value(r, '2026-W44', 'new_customers')).toBe(2);
    expect(value(r, '2026-W45', 'new_customers')).toBe(1);
    // End (05:00Z): before-start, at-start, last-hour, at-end → 4; leaves churned → 1 of 3.
    expect(value(r, '2026-W44', 'customers_end')).toBe(4);
    expect(value(r, '2026-W44', 'churned_customers')).toBe(1);
    expect(value(r, '2026-W44', 'churn_rate')).toBeCloseTo((1 / 3) * 100, 12);
  });

  it('uses local midnights in Europe/Berlin (2026-W43 ends on the Sunday of the change)', async () => {
    // Prepare: W43 = [Mon 19 Oct 00:00 CEST, Mon 26 Oct 00:00 CET) = [18 Oct 22:00Z,
    // 25 Oct 23:00Z); clocks fall back on Sun 25 Oct at 03:00 CEST (01:00Z).
    const w43 = parsePeriodKey('2026-W43', 'Europe/Berlin');
    expect(w43.start).toBe(at('2026-10-18T22:00:00Z'));
    expect(w43.end).toBe(at('2026-10-25T23:00:00Z'));
    const rows = [
      // Sun 18 Oct 23:59 CEST: W42.
      sub('b1', 'w42', '2026-10-18T21:59:00Z'),
      // Mon 19 Oct 00:00 CEST: W43.
      sub('b2', 'w43-first', '2026-10-18T22:00:00Z'),
      // Sun 25 Oct 23:30 CET (22:30Z; in UTC or at +02:00 this would already be Monday): W43.
      sub('b3', 'w43-last', '2026-10-25T22:30:00Z'),
      // Mon 26 Oct 00:00 CET: W44.
      sub('b4', 'w44', '2026-10-25T23:00:00Z'),
      // Ends Sun 25 Oct 23:30 CET: churned in W43.
      sub('b5', 'leaves', '2026-09-01T00:00:00Z', '2026-10-25T22:30:00Z'),
    ];
    // Act
    const r = await run({
      config: { timezone: 'Europe/Berlin' },
      periods: ['2026-W42', '2026-W43', '2026-W44'],
      data: { subscriptions: [rows] },
    });
    // Assess
    expect(value(r, '2026-W42', 'new_customers')).toBe(1); // w42
    expect(value(r, '2026-W43', 'new_customers')).toBe(2); // w43-first, w43-last
    expect(value(r, '2026-W44', 'new_customers')).toBe(1); // w44
    // W43 start (18 Oct 22:00Z): w42, w43-first (starts at that instant), leaves → 3;
    // end (25 Oct 23:00Z): w42, w43-first, w43-last, w44 → 4; churned: leaves → 1.
    expect(value(r, '2026-W43', 'customers_start')).toBe(3);
    expect(value(r, '2026-W43', 'customers_end')).toBe(4);
    expect(value(r, '2026-W43', 'churned_customers')).toBe(1);
  });
});

describe('customer base without usable inputs', async () => {
  const ids = [
    'customers_start',
    'customers_end',
    'new_customers',
    'churned_customers',
    'churn_rate',
    'retention_rate',
  ];

  it('is null with a reason when the subscriptions export has no rows', async () => {
    // One subscriptions file with no rows: subscriptions mode (it has files), nothing in it.
    const r = await run({ periods: ['2026-W10'], data: { subscriptions: [[]] } });
    for (const id of ids) {
      const mv = metric(r, '2026-W10', id);
      expect(mv.value, id).toBeNull();
      expect(mv.reason, id).toBe('the subscriptions export has no accepted rows');
    }
    expect(metric(r, '2026-W10', 'mrr_start').reason).toBe(
      'the subscriptions export has no accepted rows',
    );
  });

  it('is null with a reason when there is neither a subscriptions nor an orders export', async () => {
    const r = await run({ periods: ['2026-W10'], data: {} });
    for (const id of ids) {
      const mv = metric(r, '2026-W10', id);
      expect(mv.value, id).toBeNull();
      expect(mv.reason, id).toBe('no subscriptions or orders export');
    }
    expect(metric(r, '2026-W10', 'mrr_end').reason).toBe('no subscriptions export');
  });

  it('says which export is missing when the mode is configured', async () => {
    const r = await run({
      config: { activity: { mode: 'subscriptions' } },
      periods: ['2026-W10'],
      data: { orders: [[order('o', 'c', '2026-03-03T00:00:00Z', 5)]] },
    });
    expect(metric(r, '2026-W10', 'customers_end').reason).toBe(
      'no subscriptions export (activity.mode is "subscriptions")',
    );
  });

  it('is null with a reason when the orders export has no rows in orders mode', async () => {
    const r = await run({ periods: ['2026-W10'], data: { orders: [[]] } });
    expect(metric(r, '2026-W10', 'churn_rate').reason).toBe(
      'the orders export has no accepted rows',
    );
  });

  it('never reports 0 for a missing input', async () => {
    const r = await run({ periods: ['2026-W10'], data: {} });
    for (const id of ids) expect(metric(r, '2026-W10', id).value, id).not.toBe(0);
  });
});

/**
 * Movements (METRICS.md "Movements"): start + new + reactivated − churned = end, and MRR
 * start + new + expansion + reactivation − contraction − churned = end. The expected values
 * are worked out by hand from the customers of SUBSCRIPTIONS above and of the rows below.
 */
describe('customers_new_active_at_end, reactivated_customers', async () => {
  const result = await run({
    periods: ['2026-W09', '2026-W10', '2026-W11'],
    data: { subscriptions: [SUBSCRIPTIONS] },
  });

  it('splits the customers active at end and not at start by whether they were active before', () => {
    // W10: S {a, b, c, d, h}, E {a, d, e, g, h}. At end and not at start: e (first
    // subscription at 9 Mar, after the start: new) and g (active in January: reactivated).
    expect(value(result, '2026-W10', 'customers_new_active_at_end')).toBe(1);
    expect(value(result, '2026-W10', 'reactivated_customers')).toBe(1);
    // 5 + 1 + 1 − 2 churned (b, c) = 5 = E.
    expect(value(result, '2026-W10', 'customers_start') + 1 + 1 - 2).toBe(
      value(result, '2026-W10', 'customers_end'),
    );
  });

  it('differs from new_customers at the boundary instants and for joiners who left', () => {
    // W10: new_customers {d, f} = 2, but d starts at the start instant (already in S) and f
    // left on 4 Mar; e, which starts at the end instant, is new in W11 but in W10's E.
    expect(value(result, '2026-W10', 'new_customers')).toBe(2);
    // W09 [23 Feb, 2 Mar): S {a, b, c, h}; E adds d (starts at the end instant). d has never
    // been active before: new in the movement, though new_customers of W09 is 0.
    expect(value(result, '2026-W09', 'new_customers')).toBe(0);
    expect(value(result, '2026-W09', 'customers_new_active_at_end')).toBe(1);
    expect(value(result, '2026-W09', 'reactivated_customers')).toBe(0);
    // W11 [9 Mar, 16 Mar): e starts at the start instant, so it is in S: new_customers 1,
    // no movement. S = E = {a, d, e, g, h}.
    expect(value(result, '2026-W11', 'new_customers')).toBe(1);
    expect(value(result, '2026-W11', 'customers_new_active_at_end')).toBe(0);
    expect(value(result, '2026-W11', 'reactivated_customers')).toBe(0);
  });

  it('counts nobody for joiners who leave inside the period', async () => {
    // k throughout, m churns, n1..n3 join and leave in W10: S 2, E 1, N 3.
    const rows = [
      sub('k', 'k', '2026-01-01T00:00:00Z'),
      sub('m', 'm', '2026-01-01T00:00:00Z', '2026-03-05T00:00:00Z'),
      sub('n1', 'n1', '2026-03-03T00:00:00Z', '2026-03-04T00:00:00Z'),
      sub('n2', 'n2', '2026-03-03T00:00:00Z', '2026-03-04T00:00:00Z'),
      sub('n3', 'n3', '2026-03-03T00:00:00Z', '2026-03-04T00:00:00Z'),
    ];
    const r = await run({ periods: ['2026-W10'], data: { subscriptions: [rows] } });
    // 2 + 0 + 0 − 1 = 1: the movement adds up where "start + new − churned" gives 4.
    expect(value(r, '2026-W10', 'new_customers')).toBe(3);
    expect(value(r, '2026-W10', 'customers_new_active_at_end')).toBe(0);
    expect(value(r, '2026-W10', 'reactivated_customers')).toBe(0);
  });

  it('uses order activity in orders mode', async () => {
    // Window 30 days (the orders-mode rows of "customer base (orders mode)"): S {p, q, s, x},
    // E {s, t, w, x}. t's first order is at the start instant, active only after it: new;
    // w ordered on 10 Jan (active then), lapsed, back on 5 Mar: reactivated.
    const rows = [
      order('p', 'p', '2026-02-01T10:00:00Z', 25),
      order('q', 'q', '2026-01-31T00:00:00Z', 25),
      order('s', 's', '2026-02-20T00:00:00Z', 25),
      order('t', 't', '2026-03-02T00:00:00Z', 25),
      order('u', 'u', '2026-03-09T00:00:00Z', 25),
      order('w1', 'w', '2026-01-10T00:00:00Z', 25),
      order('w2', 'w', '2026-03-05T00:00:00Z', 25),
      order('x', 'x', '2026-02-07T00:00:00Z', 25),
    ];
    const r = await run({
      config: { activity: { activeWindowDays: 30 } },
      periods: ['2026-W10'],
      data: { orders: [rows] },
    });
    expect(value(r, '2026-W10', 'customers_new_active_at_end')).toBe(1);
    expect(value(r, '2026-W10', 'reactivated_customers')).toBe(1);
    // 4 + 1 + 1 − 2 (p, q) = 4 = E. MRR movements need subscriptions.
    expect(value(r, '2026-W10', 'churned_customers')).toBe(2);
    expect(value(r, '2026-W10', 'customers_end')).toBe(4);
    expect(metric(r, '2026-W10', 'mrr_new').reason).toBe('no subscriptions export');
  });

  it('is null with the customer base’s reason when there is no base', async () => {
    const r = await run({ periods: ['2026-W10'], data: {} });
    for (const id of ['customers_new_active_at_end', 'reactivated_customers']) {
      expect(metric(r, '2026-W10', id).value, id).toBeNull();
      expect(metric(r, '2026-W10', id).reason, id).toBe('no subscriptions or orders export');
    }
  });
});

describe('mrr_new, mrr_expansion, mrr_reactivation, mrr_contraction, mrr_churned', async () => {
  it('takes each customer’s MRR at start and at end (SUBSCRIPTIONS, W10)', async () => {
    const result = await run({
      periods: ['2026-W10'],
      data: { subscriptions: [SUBSCRIPTIONS] },
    });
    // Start 190 (a 10, b 20, c 30, d 40, h1 90), end 280 (a 10, d 40, e 50, g2 80, h2 100).
    // New: e 50. Reactivation: g 80. Expansion: h 90 → 100 = 10 (a, d unchanged).
    // Contraction: none. Churned: b 20 + c 30 = 50. 190 + 50 + 10 + 80 − 0 − 50 = 280.
    expect(value(result, '2026-W10', 'mrr_new')).toBe(50);
    expect(value(result, '2026-W10', 'mrr_reactivation')).toBe(80);
    expect(value(result, '2026-W10', 'mrr_expansion')).toBe(10);
    expect(value(result, '2026-W10', 'mrr_contraction')).toBe(0);
    expect(value(result, '2026-W10', 'mrr_churned')).toBe(50);
  });

  it('handles plan changes, MRR-less subscriptions, gaps and cents', async () => {
    // W10 = [2 Mar, 9 Mar).
    const rows = [
      // k: downgrade 100 → 60 on 5 Mar: contraction 40.
      sub('k1', 'k', '2026-01-01T00:00:00Z', '2026-03-05T00:00:00Z', 100),
      sub('k2', 'k', '2026-03-05T00:00:00Z', undefined, 60),
      // z: active at start through a subscription without mrr (MRR 0), adds 25 on 4 Mar:
      // active at both ends, so expansion 25, not new.
      sub('z1', 'z', '2026-01-01T00:00:00Z'),
      sub('z2', 'z', '2026-03-04T00:00:00Z', undefined, 25),
      // u: two subscriptions at start (30 + 20), one left at end: contraction 20.
      sub('u1', 'u', '2026-01-01T00:00:00Z', undefined, 30),
      sub('u2', 'u', '2026-01-01T00:00:00Z', '2026-03-06T00:00:00Z', 20),
      // v: away 3 → 7 Mar at the same MRR: in no movement.
      sub('v1', 'v', '2026-01-01T00:00:00Z', '2026-03-03T00:00:00Z', 45),
      sub('v2', 'v', '2026-03-07T00:00:00Z', undefined, 45),
      // r: left on 1 Feb, back on 8 Mar at 35: reactivation 35.
      sub('r1', 'r', '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z', 15),
      sub('r2', 'r', '2026-03-08T00:00:00Z', undefined, 35),
      // n: first subscription on 3 Mar at 12.50: new 12.5.
      sub('n1', 'n', '2026-03-03T00:00:00Z', undefined, 12.5),
      // x: ends 6 Mar at 70: churned 70.
      sub('x1', 'x', '2026-01-01T00:00:00Z', '2026-03-06T00:00:00Z', 70),
      // y: 0.10 + 0.20 at start, one subscription of 0.30 at end: the same MRR, in no
      // movement (in binary floating point 0.1 + 0.2 − 0.3 is 5.6e-17, not 0).
      sub('y1', 'y', '2026-01-01T00:00:00Z', '2026-03-05T00:00:00Z', 0.1),
      sub('y2', 'y', '2026-01-01T00:00:00Z', '2026-03-05T00:00:00Z', 0.2),
      sub('y3', 'y', '2026-03-05T00:00:00Z', undefined, 0.3),
    ];
    const r = await run({ periods: ['2026-W10'], data: { subscriptions: [rows] } });
    // Start: k 100 + z 0 + u 50 + v 45 + x 70 + y 0.30 = 265.30.
    // End: k 60 + z 25 + u 30 + v 45 + r 35 + n 12.50 + y 0.30 = 207.80.
    expect(value(r, '2026-W10', 'mrr_start')).toBe(265.3);
    expect(value(r, '2026-W10', 'mrr_end')).toBe(207.8);
    expect(value(r, '2026-W10', 'mrr_new')).toBe(12.5);
    expect(value(r, '2026-W10', 'mrr_expansion')).toBe(25);
    expect(value(r, '2026-W10', 'mrr_reactivation')).toBe(35);
    expect(value(r, '2026-W10', 'mrr_contraction')).toBe(60);
    expect(value(r, '2026-W10', 'mrr_churned')).toBe(70);
    // 265.30 + 12.50 + 25 + 35 − 60 − 70 = 207.80. Customers: S {k, z, u, v, x, y} 6,
    // E {k, z, u, v, r, n, y} 7: 6 + 1 (n) + 1 (r) − 1 (x) = 7.
    expect(value(r, '2026-W10', 'customers_start')).toBe(6);
    expect(value(r, '2026-W10', 'customers_end')).toBe(7);
    expect(value(r, '2026-W10', 'customers_new_active_at_end')).toBe(1);
    expect(value(r, '2026-W10', 'reactivated_customers')).toBe(1);
    expect(value(r, '2026-W10', 'churned_customers')).toBe(1);
  });

  it('shows no movement of 1e-17 for an MRR that is the same in other cents', async () => {
    // Only y: 0.10 + 0.20 at start, 0.30 at end. Summed as doubles, start would be
    // 0.30000000000000004 and contraction 5.6e-17; in millionths both are exact.
    const r = await run({
      periods: ['2026-W10'],
      data: {
        subscriptions: [
          [
            sub('y1', 'y', '2026-01-01T00:00:00Z', '2026-03-05T00:00:00Z', 0.1),
            sub('y2', 'y', '2026-01-01T00:00:00Z', '2026-03-05T00:00:00Z', 0.2),
            sub('y3', 'y', '2026-03-05T00:00:00Z', undefined, 0.3),
          ],
        ],
      },
    });
    expect(value(r, '2026-W10', 'mrr_start')).toBe(0.3);
    expect(value(r, '2026-W10', 'mrr_contraction')).toBe(0);
    expect(value(r, '2026-W10', 'mrr_expansion')).toBe(0);
  });

  it('is null with the MRR reason when no subscription has an mrr value', async () => {
    const r = await run({
      periods: ['2026-W10'],
      data: { subscriptions: [[sub('a', 'a', '2026-01-01T00:00:00Z')]] },
    });
    for (const id of ['mrr_new', 'mrr_expansion', 'mrr_reactivation', 'mrr_contraction']) {
      expect(metric(r, '2026-W10', id).reason, id).toMatch(/no mrr values/);
    }
    expect(metric(r, '2026-W10', 'mrr_churned').value).toBeNull();
  });
});
