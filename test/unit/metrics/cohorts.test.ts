/**
 * The cohort retention matrix (METRICS.md "Cohorts") on hand-made rows. Every expected cell
 * is worked out by hand in the comments, from the definitions alone: acquisition = first
 * activation; active at t ⟺ started_at ≤ t < ended_at (subscriptions) or a positive order
 * in [t − window, t) (orders); cell (cohort c, age k) = members active at the end of period
 * c + k / members × 100; revenue = their MRR there / their MRR at the end of period c × 100.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../functions/core/config';
import { computeSnapshots } from '../../../functions/core/engine';
import { mulberry32 } from '../../../functions/core/models/simulate';
import type { ExportFile } from '../../../functions/core/sources';
import { parsePeriodKey } from '../../../functions/core/time/periods';
import { cohorts, order, sub } from './helpers';

// Months in UTC; the matrix of 2026-04 has the cohorts 2025-05 … 2026-04. The end instants
// of the ages below: Jan → 1 Feb, Feb → 1 Mar, Mar → 1 Apr, Apr → 1 May.
const MONTHLY = { period: 'month', timezone: 'UTC' } as const;

const SUBSCRIPTIONS = [
  // z: acquired 2025-03, before the oldest cohort; a later subscription does not make it new.
  sub('z1', 'z', '2025-03-01T00:00:00Z', undefined, 999),
  sub('z2', 'z', '2026-01-15T00:00:00Z', undefined, 999),
  // Cohort 2026-01: a, b, c, d (size 4).
  // a: 100 until 15 Apr, then upgraded to 150.
  sub('a1', 'a', '2026-01-05T00:00:00Z', '2026-04-15T00:00:00Z', 100),
  sub('a2', 'a', '2026-04-15T00:00:00Z', undefined, 150),
  // b: 50 from 10 Jan to 15 Feb, back on 10 Mar at 80 (reactivated).
  sub('b1', 'b', '2026-01-10T00:00:00Z', '2026-02-15T00:00:00Z', 50),
  sub('b2', 'b', '2026-03-10T00:00:00Z', undefined, 80),
  // c: joins and leaves inside January.
  sub('c1', 'c', '2026-01-20T00:00:00Z', '2026-01-25T00:00:00Z', 30),
  // d: 70 from 31 Jan ending exactly at 1 Mar (not active at that instant), plus 20 from
  // 1 Feb 00:00 (covers the instant 1 Feb), open.
  sub('d1', 'd', '2026-01-31T00:00:00Z', '2026-03-01T00:00:00Z', 70),
  sub('d2', 'd', '2026-02-01T00:00:00Z', undefined, 20),
  // Cohort 2026-02: nobody.
  // Cohort 2026-03: e, f (size 2).
  // e: starts exactly at 1 Mar 00:00 (acquired in March), no mrr value (MRR 0).
  sub('e1', 'e', '2026-03-01T00:00:00Z', undefined),
  // f: 15 Mar → exactly 1 Apr (not active at 1 Apr), back on 20 Apr at 60.
  sub('f1', 'f', '2026-03-15T00:00:00Z', '2026-04-01T00:00:00Z', 40),
  sub('f2', 'f', '2026-04-20T00:00:00Z', undefined, 60),
  // Cohort 2026-04: g, h, i (size 3).
  // g: starts exactly at 1 Apr 00:00 (April, not March), 10.
  sub('g1', 'g', '2026-04-01T00:00:00Z', undefined, 10),
  // h: a zero-length subscription covers no instant and acquires nobody; acquired 10 Apr by
  // the next one, which ends exactly at 1 May.
  sub('h0', 'h', '2026-04-05T00:00:00Z', '2026-04-05T00:00:00Z', 25),
  sub('h1', 'h', '2026-04-10T00:00:00Z', '2026-05-01T00:00:00Z', 25),
  // i: one hour before the end of April, 5.
  sub('i1', 'i', '2026-04-30T23:00:00Z', undefined, 5),
  // j: only a zero-length subscription: never acquired.
  sub('j0', 'j', '2026-04-12T00:00:00Z', '2026-04-12T00:00:00Z', 5),
  // k: starts exactly at 1 May: acquired after the reported period.
  sub('k1', 'k', '2026-05-01T00:00:00Z', undefined, 5),
];

describe('cohorts', () => {
  it('computes customer and revenue retention per cohort and age (subscriptions)', async () => {
    // Act
    const matrices = await cohorts(MONTHLY, ['2026-03', '2026-04'], {
      subscriptions: [SUBSCRIPTIONS],
    });

    // Assess: only the latest requested period gets a matrix.
    expect([...matrices.keys()]).toEqual(['2026-04']);
    const m = matrices.get('2026-04');
    expect(m?.kind).toBe('month');
    expect(m?.mode).toBe('subscriptions');
    // Cohorts 2025-05 … 2025-12 and 2026-02 have no members: left out.
    expect(m?.cohorts.map((c) => c.key)).toEqual(['2026-01', '2026-03', '2026-04']);
    const [jan, mar, apr] = m?.cohorts ?? [];

    // 2026-01, size 4 (a, b, c, d), ages 0–3 (Jan … Apr: 12 − 8 periods ended).
    // 1 Feb: a, b, d (c left on 25 Jan) → 3/4 = 75 %.
    //        MRR a 100 + b 50 + d 70 + 20 = 240.
    // 1 Mar: a, d (b left 15 Feb; d1 ends at 1 Mar, d2 still covers it) → 2/4 = 50 %.
    //        MRR a 100 + d 20 = 120 → 120/240 = 50 %.
    // 1 Apr: a, b (back 10 Mar), d → 75 %. MRR 100 + 80 + 20 = 200 → 200/240 = 83.33 %.
    // 1 May: a, b, d → 75 %. MRR a 150 + 80 + 20 = 250 → 250/240 = 104.17 %.
    expect(jan?.size).toBe(4);
    expect(jan?.customer).toEqual([75, 50, 75, 75]);
    expect(jan?.revenue?.map((v) => (v === null ? null : Number(v.toFixed(6))))).toEqual([
      100, 50, 83.333333, 104.166667,
    ]);

    // 2026-03, size 2 (e, f), ages 0–1.
    // 1 Apr: e (f ended exactly then) → 1/2 = 50 %; MRR e 0: no base, revenue null.
    // 1 May: e, f (back 20 Apr) → 100 %; revenue null (base 0).
    expect(mar?.size).toBe(2);
    expect(mar?.customer).toEqual([50, 100]);
    expect(mar?.revenue).toEqual([null, null]);

    // 2026-04, size 3 (g, h, i), age 0. 1 May: g, i (h ended exactly then) → 2/3.
    // MRR g 10 + i 5 = 15 → 100 %.
    expect(apr?.size).toBe(3);
    expect(apr?.customer).toHaveLength(1);
    expect(apr?.customer[0]).toBeCloseTo(200 / 3, 10);
    expect(apr?.revenue).toEqual([100]);
  });

  it('uses order activity and acquisition in orders mode, without revenue', async () => {
    // Prepare: a 30-day window. Window starts: 1 Feb − 30 d = 2 Jan; 1 Mar − 30 d = 30 Jan
    // (February 2026 has 28 days); 1 Apr − 30 d = 2 Mar; 1 May − 30 d = 1 Apr.
    const orders = [
      // p: acquired 10 Jan; orders again 20 Feb and exactly at 1 Apr 00:00.
      order('p1', 'p', '2026-01-10T12:00:00Z', 20),
      order('p2', 'p', '2026-02-20T12:00:00Z', 20),
      order('p3', 'p', '2026-04-01T00:00:00Z', 20),
      // q: a refund on 5 Jan is not an order; acquired 31 Jan.
      order('q0', 'q', '2026-01-05T12:00:00Z', -10),
      order('q1', 'q', '2026-01-31T12:00:00Z', 15),
      // r: exactly at 1 Feb 00:00 (February), again 31 Mar.
      order('r1', 'r', '2026-02-01T00:00:00Z', 5),
      order('r2', 'r', '2026-03-31T12:00:00Z', 5),
      // s: 30 Apr. u: exactly at 1 May, after the reported period.
      order('s1', 's', '2026-04-30T12:00:00Z', 9),
      order('u1', 'u', '2026-05-01T00:00:00Z', 9),
    ];

    // Act
    const m = (
      await cohorts(
        { ...MONTHLY, activity: { mode: 'orders', activeWindowDays: 30 } },
        ['2026-04'],
        { orders: [orders] },
      )
    ).get('2026-04');

    // Assess
    expect(m?.mode).toBe('orders');
    // 2026-01 {p, q}: 1 Feb [2 Jan, 1 Feb): p, q → 100; 1 Mar [30 Jan, 1 Mar): p (20 Feb),
    // q (31 Jan) → 100; 1 Apr [2 Mar, 1 Apr): nobody → 0; 1 May [1 Apr, 1 May): p → 50.
    // 2026-02 {r}: 1 Mar: r (1 Feb) → 100; 1 Apr: r (31 Mar) → 100; 1 May: none → 0.
    // 2026-03: nobody, left out. 2026-04 {s}: 1 May: s → 100.
    expect(m?.cohorts).toEqual([
      { key: '2026-01', size: 2, customer: [100, 100, 0, 50] },
      { key: '2026-02', size: 1, customer: [100, 100, 0] },
      { key: '2026-04', size: 1, customer: [100] },
    ]);
  });

  it('matches a brute-force count in orders mode on seeded random orders', async () => {
    // Prepare: 80 customers with 0–12 orders each (some refunds) over 24 UTC weeks ending
    // with the reported week 2026-W20; the matrix holds W09 … W20, the window is 30 days.
    const random = mulberry32(20261204);
    const WEEK_MS = 7 * 86_400_000;
    const W20 = parsePeriodKey('2026-W20', 'UTC');
    const starts = Array.from({ length: 12 }, (_, j) => W20.start - (11 - j) * WEEK_MS);
    const firstDay = W20.end - 24 * WEEK_MS;
    const orders = [];
    for (let c = 0; c < 80; c++) {
      // Each customer's orders start in a random week of the 24, so cohorts are spread.
      const from = firstDay + Math.floor(random() * 24) * WEEK_MS;
      const minutes = (W20.end - from) / 60_000;
      const count = Math.floor(random() * 13);
      for (let k = 0; k < count; k++) {
        // Whole minutes, and sometimes exactly on a week boundary or a minute before one.
        const t =
          random() < 0.1
            ? Math.max(
                from,
                (starts[Math.floor(random() * 12)] as number) - (random() < 0.5 ? 0 : 60_000),
              )
            : from + Math.floor(random() * minutes) * 60_000;
        const amount = random() < 0.15 ? -5 : 10;
        orders.push(order(`o${c}_${k}`, `c${c}`, new Date(t).toISOString(), amount));
      }
    }
    // Brute force, from the definitions: acquired at the first positive order; active at
    // instant e with a positive order in [e − 30 d, e).
    const positive = orders.filter((o) => o.amount > 0);
    const acquired = new Map<string, number>();
    for (const o of positive) {
      acquired.set(o.customer_id, Math.min(acquired.get(o.customer_id) ?? Infinity, o.ordered_at));
    }
    const activeAt = (id: string, e: number) =>
      positive.some(
        (o) => o.customer_id === id && o.ordered_at >= e - 30 * 86_400_000 && o.ordered_at < e,
      );
    const expected = [];
    for (let j = 0; j < 12; j++) {
      const start = starts[j] as number;
      const members = [...acquired].filter(([, t]) => t >= start && t < start + WEEK_MS);
      if (members.length === 0) continue;
      const customer = [];
      for (let q = j; q < 12; q++) {
        const end = (starts[q] as number) + WEEK_MS;
        const active = members.filter(([id]) => activeAt(id, end)).length;
        customer.push((active / members.length) * 100);
      }
      const week = String(9 + j).padStart(2, '0');
      expected.push({ key: `2026-W${week}`, size: members.length, customer });
    }

    // Act
    const m = (
      await cohorts(
        { timezone: 'UTC', activity: { mode: 'orders', activeWindowDays: 30 } },
        ['2026-W20'],
        { orders: [orders] },
      )
    ).get('2026-W20');

    // Assess
    expect(expected.length).toBeGreaterThan(6);
    expect(m?.cohorts).toEqual(expected);
  });

  it('caps the matrix at the last 12 cohorts and 12 ages', async () => {
    // Prepare: one customer acquired on the Monday of each UTC week W01 … W15 of 2026 (W01
    // starts Mon 29 Dec 2025), each with an open subscription: always active after.
    const monday = (w: number) => new Date(Date.UTC(2025, 11, 29 + 7 * (w - 1))).toISOString();
    const subs = Array.from({ length: 15 }, (_, i) =>
      sub(`s${i + 1}`, `c${i + 1}`, monday(i + 1), undefined, 10),
    );

    // Act
    const m = (await cohorts({ timezone: 'UTC' }, ['2026-W15'], { subscriptions: [subs] })).get(
      '2026-W15',
    );

    // Assess: W04 … W15, the oldest with 12 ages, the newest with 1; all 100 %.
    const keys = Array.from({ length: 12 }, (_, i) => `2026-W${String(4 + i).padStart(2, '0')}`);
    expect(m?.kind).toBe('week');
    expect(m?.cohorts.map((c) => c.key)).toEqual(keys);
    m?.cohorts.forEach((c, j) => {
      expect(c.size).toBe(1);
      expect(c.customer).toEqual(new Array(12 - j).fill(100));
      expect(c.revenue).toEqual(new Array(12 - j).fill(100));
    });
  });

  it('gives a matrix to the periods asked for, and none without the base dataset', async () => {
    // Act
    const both = await cohorts(
      MONTHLY,
      ['2026-03', '2026-04'],
      { subscriptions: [SUBSCRIPTIONS] },
      ['2026-03', '2026-04'],
    );
    const none = await cohorts(MONTHLY, ['2026-04'], {
      orders: [[order('o1', 'x', '2026-04-02T00:00:00Z', 5)]],
    });

    // Assess: for 2026-03 the newest cohort is 2026-03 with one age (1 Apr: e → 50 %), and
    // 2026-01 has ages Jan … Mar (75, 50, 75 as above).
    const mar = both.get('2026-03');
    expect(mar?.cohorts.map((c) => [c.key, c.customer])).toEqual([
      ['2026-01', [75, 50, 75]],
      ['2026-03', [50]],
    ]);
    // The mode defaults to subscriptions only when that dataset has files; here it is
    // orders, and the orders export has the row: x, acquired in April.
    expect(none.get('2026-04')?.cohorts).toEqual([{ key: '2026-04', size: 1, customer: [100] }]);
    const absent = await cohorts({ ...MONTHLY, activity: { mode: 'subscriptions' } }, ['2026-04'], {
      orders: [[order('o1', 'x', '2026-04-02T00:00:00Z', 5)]],
    });
    expect(absent.size).toBe(0);
  });

  it('cuts cohorts at local midnights of the report’s zone, across a DST change', async () => {
    // Prepare: New York week 44 of 2026 is [Mon 26 Oct 00:00 EDT, Mon 2 Nov 00:00 EST) =
    // [26 Oct 04:00Z, 2 Nov 05:00Z): DST ends on Sun 1 Nov, so the week is 169 h long.
    // x starts at 2 Nov 04:30Z = Sun 1 Nov 23:30 EST: still week 44 there (in UTC it would
    // be a Monday of week 45). y starts exactly at 2 Nov 05:00Z, the first instant of W45.
    const subs = [
      sub('x1', 'x', '2026-11-02T04:30:00Z', undefined, 10),
      sub('y1', 'y', '2026-11-02T05:00:00Z', undefined, 10),
    ];

    // Act
    const m = (
      await cohorts({ timezone: 'America/New_York' }, ['2026-W45'], { subscriptions: [subs] })
    ).get('2026-W45');

    // Assess: W44 {x}: active at 2 Nov 05:00Z and at 9 Nov 05:00Z → 100, 100. W45 {y}: 100.
    expect(m?.cohorts.map((c) => [c.key, c.size, c.customer])).toEqual([
      ['2026-W44', 1, [100, 100]],
      ['2026-W45', 1, [100]],
    ]);
  });

  it('is written into the reported period’s snapshot from de-duplicated exports', async () => {
    // Prepare: UTC weeks W10 = [2 Mar, 9 Mar), W11 = [9 Mar, 16 Mar). a and b start in W10;
    // a later file ends b's subscription on 12 Mar (the later file of an id wins).
    const csv = (...lines: string[]) => `${lines.join('\n')}\n`;
    const file = (key: string, body: string): ExportFile => ({
      dataset: 'subscriptions',
      key,
      open: async () => Readable.from(Buffer.from(body, 'utf8')),
    });
    const header = 'subscription_id,customer_id,started_at,ended_at,mrr';
    const files = [
      file(
        'subscriptions/2026-03-01.csv',
        csv(header, 's1,a,2026-03-03T00:00:00Z,,10', 's2,b,2026-03-04T00:00:00Z,,20'),
      ),
      file(
        'subscriptions/2026-03-20.csv',
        csv(header, 's2,b,2026-03-04T00:00:00Z,2026-03-12T00:00:00Z,20'),
      ),
    ];
    const config = parseConfig({ timezone: 'UTC' });
    const periods = ['2026-W10', '2026-W11'].map((k) => parsePeriodKey(k, 'UTC'));

    // Act
    const { snapshots } = await computeSnapshots({ files, config, periods, onReject: () => {} });
    const both = await computeSnapshots({
      files,
      config,
      periods,
      onReject: () => {},
      cohortPeriods: ['2026-W10', '2026-W11'],
    });

    // Assess: W10 {a, b}: 9 Mar both → 100 %, MRR 30; 16 Mar a only (b ended 12 Mar) → 50 %,
    // MRR 10 → 10/30 = 33.3 %. W11 has nobody: left out. The earlier period has no matrix
    // unless asked for; then it has the W10 cohort at age 0 only.
    expect(snapshots[0]?.cohorts).toBeUndefined();
    const w11 = snapshots[1]?.cohorts;
    expect(w11?.cohorts).toHaveLength(1);
    expect(w11?.cohorts[0]?.key).toBe('2026-W10');
    expect(w11?.cohorts[0]?.size).toBe(2);
    expect(w11?.cohorts[0]?.customer).toEqual([100, 50]);
    expect(w11?.cohorts[0]?.revenue?.[0]).toBe(100);
    expect(w11?.cohorts[0]?.revenue?.[1]).toBeCloseTo(100 / 3, 10);
    expect(both.snapshots[0]?.cohorts?.cohorts).toEqual([
      { key: '2026-W10', size: 2, customer: [100], revenue: [100] },
    ]);
  });
});
