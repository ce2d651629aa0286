/**
 * Edges of the customer base and the value metrics that no other test pinned (METRICS.md
 * "Customer base", "Cohorts", "Revenue and lifetime value", amendments 5, 11, 12, 13):
 * MRR rates with no MRR at the start, `clv_predictive` without any trailing start, the
 * default trailing periods and lifetime caps of months and quarters, orders-mode activity
 * and acquisition, more boundaries than one mask word holds, and the subscriptions-mode
 * cohort matrix across a DST change. Small cases are worked out by hand in the comments;
 * the random ones are checked against brute-force models written here from the
 * catalogue's definitions alone (loops over customers and rows: no bits, no SQL).
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../functions/core/config';
import type { OrderRow, SubscriptionRow } from '../../../functions/core/datasets/rows';
import { PeriodPlan } from '../../../functions/core/metrics/plan';
import { mulberry32 } from '../../../functions/core/models/simulate';
import type { CohortRow, MetricValue } from '../../../functions/core/snapshot';
import { parsePeriodKey } from '../../../functions/core/time/periods';
import { cohorts, type Data, order, reasonOf, run, spend, sub, valueIn } from './helpers';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

describe('revenue_churn_rate, net_revenue_retention with no MRR at the start', () => {
  // UTC week 2026-W10 = [Mon 2 Mar, Mon 9 Mar).
  const ZERO = 'MRR at the start of the period is 0 (division by zero)';

  it('are null with the reason when mrr_start is 0 but customers_start is not', async () => {
    // Prepare: a is active throughout with an mrr of 0; c is active at the start with no mrr
    // value and churns on 5 Mar; b joins on 4 Mar at 50 (so the export has mrr values).
    const result = await run({
      periods: ['2026-W10'],
      data: {
        subscriptions: [
          [
            sub('sa', 'a', '2026-01-01T00:00:00Z', undefined, 0),
            sub('sc', 'c', '2026-01-01T00:00:00Z', '2026-03-05T00:00:00Z'),
            sub('sb', 'b', '2026-03-04T00:00:00Z', undefined, 50),
          ],
        ],
      },
    });

    // Assess: S = {a, c} = 2, churned c → churn_rate 50 %; mrr_start = 0 + 0 = 0, mrr_end =
    // a 0 + b 50 = 50. Both MRR rates divide by mrr_start = 0: null, not 0, ∞ or NaN.
    expect(valueIn(result, '2026-W10', 'customers_start')).toBe(2);
    expect(valueIn(result, '2026-W10', 'churn_rate')).toBe(50);
    expect(valueIn(result, '2026-W10', 'mrr_start')).toBe(0);
    expect(valueIn(result, '2026-W10', 'mrr_end')).toBe(50);
    expect(reasonOf(result, '2026-W10', 'revenue_churn_rate')).toBe(ZERO);
    expect(reasonOf(result, '2026-W10', 'net_revenue_retention')).toBe(ZERO);
  });
});

describe('clv_predictive without any customer at a trailing start', () => {
  // a subscribes on Tue 3 Mar 2026, after the start of W10 and of March: nobody is active at
  // the start of W10 or of any earlier week or month. a orders 30 in W10 (and March).
  const DATA: Data = {
    subscriptions: [[sub('sa', 'a', '2026-03-03T00:00:00Z')]],
    orders: [[order('o1', 'a', '2026-03-04T00:00:00Z', 30)]],
    marketing_spend: [[spend('2026-03-05', 'ads', 60)]],
  };

  it('is null with its reason, which ltv_cac_ratio passes on (weeks: 12 periods)', async () => {
    // Act
    const result = await run({ periods: ['2026-W10'], data: DATA });

    // Assess: arpc = 30 / E (a) = 30 and cac = 60 / 1 new = 60 are known; the churn over
    // the 12 trailing weeks W51 … W10 is 0 / 0.
    expect(valueIn(result, '2026-W10', 'arpc')).toBe(30);
    expect(valueIn(result, '2026-W10', 'cac')).toBe(60);
    const reason = 'no customers at the start of any of the 12 trailing periods (churn unknown)';
    expect(reasonOf(result, '2026-W10', 'clv_predictive')).toBe(reason);
    expect(reasonOf(result, '2026-W10', 'ltv_cac_ratio')).toBe(`CLV is unknown: ${reason}`);
  });

  it('counts the default 6 trailing periods of a monthly report in the reason', async () => {
    // Act
    const result = await run({ config: { period: 'month' }, periods: ['2026-03'], data: DATA });

    // Assess: October … March, none with a customer at its start.
    const reason = 'no customers at the start of any of the 6 trailing periods (churn unknown)';
    expect(reasonOf(result, '2026-03', 'clv_predictive')).toBe(reason);
    expect(reasonOf(result, '2026-03', 'ltv_cac_ratio')).toBe(`CLV is unknown: ${reason}`);
  });
});

describe('clv_predictive: default trailing periods and lifetime caps', () => {
  it('pools the last 6 months and caps a month-lifetime at 60', async () => {
    // Prepare (UTC months): a, b, c, d from 1 Jun 2025, open; x from 1 Jun 2025 to
    // 20 Jan 2026 (churns in January, just before July's six-month window); y to 15 Mar 2026
    // (churns in March, inside it). Orders: b 60 in December, a 40 in July.
    const result = await run({
      config: { period: 'month' },
      periods: ['2025-12', '2026-07'],
      data: {
        subscriptions: [
          [
            ...['a', 'b', 'c', 'd'].map((id) => sub(`s${id}`, id, '2025-06-01T00:00:00Z')),
            sub('sx', 'x', '2025-06-01T00:00:00Z', '2026-01-20T00:00:00Z'),
            sub('sy', 'y', '2025-06-01T00:00:00Z', '2026-03-15T00:00:00Z'),
          ],
        ],
        orders: [
          [
            order('o1', 'b', '2025-12-10T00:00:00Z', 60),
            order('o2', 'a', '2026-07-10T00:00:00Z', 40),
          ],
        ],
      },
    });

    // Assess. 2026-07, trailing Feb … Jul 2026: at each start Feb 5 (a–d, y), Mar 5, Apr,
    // May, Jun, Jul 4 each = 26; churned y (March) = 1 → lifetime 26 months. arpc = 40 /
    // E (a–d at 1 Aug) = 10 → 10 × 1 × 26 = 260. (Seven months would add January, 6 at
    // start and x churned: 32 / 2 → 160; twelve, 62 / 2 → 310.)
    expect(valueIn(result, '2026-07', 'clv_predictive')).toBe(260);
    // 2025-12, trailing Jul … Dec 2025: 6 at each start, nobody churned → the cap, 60
    // months. arpc = 60 / E (all 6 at 1 Jan 2026) = 10 → 10 × 60 = 600 (a cap of 260
    // would give 2600).
    expect(valueIn(result, '2025-12', 'clv_predictive')).toBe(600);
  });

  it('pools the last 4 quarters and caps a quarter-lifetime at 20', async () => {
    // Prepare (UTC quarters): a, b from 1 Jan 2025, open; z from 1 Jan 2025 to 15 May 2025
    // (churns in 2025-Q2, the fifth quarter before 2026-Q2). a orders 30 in 2026-Q2.
    const result = await run({
      config: { period: 'quarter' },
      periods: ['2026-Q2'],
      data: {
        subscriptions: [
          [
            sub('sa', 'a', '2025-01-01T00:00:00Z'),
            sub('sb', 'b', '2025-01-01T00:00:00Z'),
            sub('sz', 'z', '2025-01-01T00:00:00Z', '2025-05-15T00:00:00Z'),
          ],
        ],
        orders: [[order('o1', 'a', '2026-05-10T00:00:00Z', 30)]],
      },
    });

    // Assess: trailing 2025-Q3 … 2026-Q2, 2 at each start, nobody churned → the cap, 20
    // quarters. arpc = 30 / E (a, b at 1 Jul 2026) = 15 → 15 × 20 = 300. (Five quarters
    // would count z's churn: 11 at start / 1 → 165; six, 14 / 1 → 210; a cap of 60 → 900.)
    expect(valueIn(result, '2026-Q2', 'clv_predictive')).toBe(300);
  });
});

describe('orders mode: $0 and failed orders (amendment 11)', async () => {
  // UTC weeks W10 = [2 Mar, 9 Mar), W11 = [9 Mar, 16 Mar); default window of 90 days.
  const withStatus = (row: OrderRow, status: string): OrderRow => ({ ...row, status });
  const result = await run({
    config: { activity: { mode: 'orders' } },
    periods: ['2026-W10', '2026-W11'],
    data: {
      orders: [
        [
          // z: a $0 order in W10, its first positive order in W11.
          order('z0', 'z', '2026-03-03T10:00:00Z', 0),
          order('z1', 'z', '2026-03-10T10:00:00Z', 5),
          // f: only a failed charge of 25.
          withStatus(order('f1', 'f', '2026-03-04T10:00:00Z', 25), 'failed'),
          // g: a paid order of 10 and a declined one of 15.
          withStatus(order('g1', 'g', '2026-03-05T10:00:00Z', 10), 'paid'),
          withStatus(order('g2', 'g', '2026-03-06T10:00:00Z', 15), 'declined'),
        ],
      ],
    },
  });

  it('does not activate or acquire anybody with a $0 order, nor count it as an order', () => {
    // W10: active at 9 Mar f, g (not z: its only W10 order is $0); new f, g; orders f1, g1,
    // g2 = 3 (not z0). W11: z is new at its first positive order (10 Mar); active at 16 Mar
    // f, g, z. (Were $0 an order, z would be new and active in W10 and W10 would have 4.)
    expect(valueIn(result, '2026-W10', 'customers_end')).toBe(2);
    expect(valueIn(result, '2026-W10', 'new_customers')).toBe(2);
    expect(valueIn(result, '2026-W10', 'orders')).toBe(3);
    expect(valueIn(result, '2026-W11', 'new_customers')).toBe(1);
    expect(valueIn(result, '2026-W11', 'customers_start')).toBe(2);
    expect(valueIn(result, '2026-W11', 'customers_end')).toBe(3);
  });

  it('counts a failed or declined positive order in activity, acquisition, revenue and CLV', () => {
    // W10 revenue 0 + 25 + 10 + 15 = 50 over 3 orders by 2 buyers (f, g): aov 50 / 3,
    // purchase_frequency 1.5, arpc 50 / E 2 = 25. clv_historic over the customers with a
    // positive order before 9 Mar, f 25 and g 25 (z has none) = 50 / 2 = 25; in W11 z joins
    // with 0 + 5: (25 + 25 + 5) / 3 = 55 / 3.
    expect(valueIn(result, '2026-W10', 'revenue')).toBe(50);
    expect(valueIn(result, '2026-W10', 'aov')).toBeCloseTo(50 / 3, 12);
    expect(valueIn(result, '2026-W10', 'purchase_frequency')).toBe(1.5);
    expect(valueIn(result, '2026-W10', 'arpc')).toBe(25);
    expect(valueIn(result, '2026-W10', 'clv_historic')).toBe(25);
    expect(valueIn(result, '2026-W11', 'revenue')).toBe(5);
    expect(valueIn(result, '2026-W11', 'orders')).toBe(1);
    expect(valueIn(result, '2026-W11', 'clv_historic')).toBeCloseTo(55 / 3, 12);
  });
});

// ---- More boundaries than one 62-bit mask word ------------------------------------------

/**
 * 70 UTC ISO weeks, 2025-W01 (Mon 30 Dec 2024; 1 Jan 2025 is a Wednesday) … 2026-W18, each
 * 7 × 24 h: week j starts at FIRST + j weeks. 2025 has 52 ISO weeks (it starts on a
 * Wednesday and is not a leap year), so week 52 is 2026-W01 (Mon 29 Dec 2025).
 */
const FIRST = Date.UTC(2024, 11, 30);
const WEEKS = 70;
const WEEK_KEYS = Array.from({ length: WEEKS }, (_, j) =>
  j < 52 ? `2025-W${String(j + 1).padStart(2, '0')}` : `2026-W${String(j - 51).padStart(2, '0')}`,
);
/** Every week boundary from 11 weeks before the first (its trailing periods) to the last end. */
const WEEK_BOUNDARIES = Array.from({ length: WEEKS + 12 }, (_, j) => FIRST + (j - 11) * WEEK);

/** A whole-minute instant: on or a minute before a week boundary a third of the time. */
function randomInstant(random: () => number): number {
  if (random() < 1 / 3) {
    const b = WEEK_BOUNDARIES[Math.floor(random() * WEEK_BOUNDARIES.length)] as number;
    return random() < 0.75 ? b : b - 60_000;
  }
  const from = FIRST - 14 * WEEK;
  const minutes = (WEEKS + 16) * 7 * 24 * 60;
  return from + Math.floor(random() * minutes) * 60_000;
}

interface BaseTerms {
  customers_start: number;
  customers_end: number;
  churned_customers: number;
  new_customers: number;
  customers_new_active_at_end: number;
  reactivated_customers: number;
}

/** A customer as the definitions see them: active at t, and their acquisition time. */
interface Modelled {
  active: (t: number) => boolean;
  acquired: number;
}

/** The customer terms of [s, e), customer by customer, from METRICS.md "Customer base". */
function baseTerms(customers: readonly Modelled[], s: number, e: number): BaseTerms {
  const t: BaseTerms = {
    customers_start: 0,
    customers_end: 0,
    churned_customers: 0,
    new_customers: 0,
    customers_new_active_at_end: 0,
    reactivated_customers: 0,
  };
  for (const c of customers) {
    const atStart = c.active(s);
    const atEnd = c.active(e);
    if (atStart) t.customers_start++;
    if (atEnd) t.customers_end++;
    if (atStart && !atEnd) t.churned_customers++;
    if (c.acquired >= s && c.acquired < e) t.new_customers++;
    if (!atStart && atEnd && c.acquired >= s) t.customers_new_active_at_end++;
    if (!atStart && atEnd && c.acquired < s) t.reactivated_customers++;
  }
  return t;
}

const valueFor = (m: Record<string, MetricValue> | undefined, id: string): number => {
  const v = m?.[id]?.value;
  if (v === null || v === undefined) throw new Error(`${id} is null: ${m?.[id]?.reason}`);
  return v;
};

/** Σ of each term over the weeks whose start or end is past the first mask word. */
function termsPastFirstWord(perWeek: readonly BaseTerms[]): BaseTerms {
  // Boundary k = 62 (the first bit of the second word) is the start of week 51.
  const sum = { ...(perWeek[0] as BaseTerms) };
  for (const key of Object.keys(sum) as (keyof BaseTerms)[]) sum[key] = 0;
  for (const terms of perWeek.slice(50)) {
    for (const key of Object.keys(sum) as (keyof BaseTerms)[]) sum[key] += terms[key];
  }
  return sum;
}

describe('customer base over more than 62 boundaries', () => {
  it('has 82 boundaries, the 63rd being the start of week 51 (a second mask word)', () => {
    // The test data below relies on it: 11 trailing starts before the first week (12
    // trailing weeks by default) and the 71 boundaries of the 70 weeks.
    const periods = WEEK_KEYS.map((k) => parsePeriodKey(k, 'UTC'));
    expect(periods.map((p) => p.start)).toEqual(WEEK_BOUNDARIES.slice(11, 11 + WEEKS));
    const plan = new PeriodPlan(periods, parseConfig({}));
    expect(Array.from(plan.boundaries)).toEqual(WEEK_BOUNDARIES);
    expect(plan.boundaries[62]).toBe(periods[51]?.start);
  });

  it.each([1, 2])(
    'matches the definitions per week in subscriptions mode (seed %i)',
    async (seed) => {
      // Prepare: 150 customers with 1–3 subscriptions: open, zero-length, ending on a
      // boundary or 1 h – 20 weeks later; mrr in whole cents, none or 0 now and then.
      const random = mulberry32(20260700 + seed);
      const rows: SubscriptionRow[] = [];
      for (let c = 0; c < 150; c++) {
        const n = 1 + Math.floor(random() * 3);
        for (let j = 0; j < n; j++) {
          const start = randomInstant(random);
          const kind = random();
          const end =
            kind < 0.25
              ? undefined
              : kind < 0.3
                ? start
                : kind < 0.5
                  ? (WEEK_BOUNDARIES.find((b) => b > start) ?? start + WEEK)
                  : start + (1 + Math.floor(random() * 20 * 7 * 24)) * HOUR;
          const m = random();
          const cents = m < 0.1 ? null : m < 0.15 ? 0 : 1 + Math.floor(random() * 50_000);
          rows.push({
            subscription_id: `s${c}_${j}`,
            customer_id: `c${c}`,
            started_at: start,
            ended_at: end,
            mrr: cents === null ? undefined : cents / 100,
            currency: undefined,
            plan: undefined,
          });
        }
      }
      // The model: active at t ⟺ some subscription has started_at ≤ t < ended_at; one with
      // ended_at ≤ started_at covers nothing and acquires nobody (amendment 13); acquisition
      // = the earliest start of the others; MRR at t = Σ mrr of the covering ones, in cents.
      const covers = (r: SubscriptionRow, t: number) =>
        r.started_at <= t && (r.ended_at === undefined || t < r.ended_at);
      const covering = rows.filter((r) => r.ended_at === undefined || r.ended_at > r.started_at);
      const customers = [...new Set(covering.map((r) => r.customer_id))].map((id) => {
        const own = covering.filter((r) => r.customer_id === id);
        return {
          active: (t: number) => own.some((r) => covers(r, t)),
          acquired: Math.min(...own.map((r) => r.started_at)),
        };
      });
      const mrrCents = (t: number) =>
        covering
          .filter((r) => covers(r, t))
          .reduce((sum, r) => sum + Math.round((r.mrr ?? 0) * 100), 0);

      // Act
      const result = await run({ periods: WEEK_KEYS, data: { subscriptions: [rows] } });

      // Assess: every week's terms, and its MRR to the cent (cents / 100 is the double the
      // engine's whole millionths give back).
      const perWeek: BaseTerms[] = [];
      for (const [j, key] of WEEK_KEYS.entries()) {
        const s = WEEK_BOUNDARIES[11 + j] as number;
        const e = s + WEEK;
        const m = result[key];
        const want = baseTerms(customers, s, e);
        const got = { ...want };
        for (const id of Object.keys(got) as (keyof BaseTerms)[]) got[id] = valueFor(m, id);
        expect(got, key).toEqual(want);
        expect(valueFor(m, 'mrr_start'), `${key} mrr_start`).toBe(mrrCents(s) / 100);
        expect(valueFor(m, 'mrr_end'), `${key} mrr_end`).toBe(mrrCents(e) / 100);
        perWeek.push(want);
      }
      // The weeks past the first mask word see every kind of customer.
      for (const [term, total] of Object.entries(termsPastFirstWord(perWeek))) {
        expect(total, term).toBeGreaterThan(0);
      }
    },
  );

  it.each([1, 2])('matches the definitions per week in orders mode (seed %i)', async (seed) => {
    // Prepare: 150 customers with 1–6 orders: a refund or a $0 order now and then.
    const random = mulberry32(20260800 + seed);
    const rows: OrderRow[] = [];
    for (let c = 0; c < 150; c++) {
      const n = 1 + Math.floor(random() * 6);
      for (let j = 0; j < n; j++) {
        const a = random();
        rows.push(
          order(
            `o${c}_${j}`,
            `c${c}`,
            new Date(randomInstant(random)).toISOString(),
            a < 0.1 ? -5 : a < 0.15 ? 0 : (1 + Math.floor(random() * 10_000)) / 100,
          ),
        );
      }
    }
    // The model: active at t ⟺ a positive order in [t − 30 days, t) (UTC: a calendar day
    // is 24 h); acquisition = the first positive order (amendment 11).
    const positive = rows.filter((o) => o.amount > 0);
    const customers = [...new Set(positive.map((o) => o.customer_id))].map((id) => {
      const times = positive.filter((o) => o.customer_id === id).map((o) => o.ordered_at);
      return {
        active: (t: number) => times.some((o) => t - 30 * DAY <= o && o < t),
        acquired: Math.min(...times),
      };
    });

    // Act
    const result = await run({
      config: { activity: { mode: 'orders', activeWindowDays: 30 } },
      periods: WEEK_KEYS,
      data: { orders: [rows] },
    });

    // Assess
    const perWeek: BaseTerms[] = [];
    for (const [j, key] of WEEK_KEYS.entries()) {
      const s = WEEK_BOUNDARIES[11 + j] as number;
      const want = baseTerms(customers, s, s + WEEK);
      const m = result[key];
      const got = { ...want };
      for (const id of Object.keys(got) as (keyof BaseTerms)[]) got[id] = valueFor(m, id);
      expect(got, key).toEqual(want);
      perWeek.push(want);
    }
    for (const [term, total] of Object.entries(termsPastFirstWord(perWeek))) {
      expect(total, term).toBeGreaterThan(0);
    }
  });
});

// ---- Subscriptions-mode cohort matrix, Europe/Berlin across the change to summer time ----

/**
 * Berlin's Monday midnights of the matrix of 2026-W18: week W07 + j starts on Monday
 * 9 Feb + 7j days at 00:00 local, which is 23:00Z on the Sunday before in winter time
 * (UTC+1) and 22:00Z from Monday 30 Mar on (summer time, UTC+2, from Sunday 29 Mar
 * 01:00Z). So W13 = [22 Mar 23:00Z, 29 Mar 22:00Z) is 167 h long. j runs from −3 (three
 * weeks before the oldest cohort) to 13 (a week after the end of W18, boundary 12 =
 * 4 May); BERLIN[j + 3] is boundary j.
 */
const BERLIN = Array.from(
  { length: 17 },
  (_, i) => Date.UTC(2026, 1, 9 + 7 * (i - 3)) - (i - 3 >= 7 ? 2 : 1) * HOUR,
);
const boundary = (j: number) => BERLIN[j + 3] as number;

describe('cohorts (subscriptions mode) on seeded random subscriptions', () => {
  it('has the hand-made Berlin boundaries the brute force uses', () => {
    const keys = Array.from({ length: 12 }, (_, j) => `2026-W${String(7 + j).padStart(2, '0')}`);
    const periods = keys.map((k) => parsePeriodKey(k, 'Europe/Berlin'));
    expect(periods.map((p) => [p.start, p.end])).toEqual(
      keys.map((_, j) => [boundary(j), boundary(j + 1)]),
    );
    expect(boundary(7) - boundary(6)).toBe(167 * HOUR);
  });

  it.each([1, 2, 3])('matches a brute-force matrix (seed %i)', async (seed) => {
    // Prepare: 120 customers with 1–3 subscriptions. Starts and ends on a Berlin boundary
    // (or the UTC midnight of that Monday, an hour or two into the week) a third of the
    // time, else anywhere from three weeks before the oldest cohort to a week after the
    // reported one; ends open, zero-length, on a boundary, or 1 min – 6 weeks later; mrr
    // in whole cents, none or 0 now and then.
    const random = mulberry32(20261300 + seed);
    const pickBoundary = () => BERLIN[Math.floor(random() * BERLIN.length)] as number;
    const onBoundary = () => {
      const b = pickBoundary();
      return random() < 0.8 ? b : b + (b % DAY === 0 ? 0 : DAY - (b % DAY));
    };
    const span = boundary(13) - boundary(-3);
    const rows: SubscriptionRow[] = [];
    for (let c = 0; c < 120; c++) {
      const n = 1 + Math.floor(random() * 3);
      for (let j = 0; j < n; j++) {
        const start =
          random() < 1 / 3
            ? onBoundary()
            : boundary(-3) + Math.floor((random() * span) / 60_000) * 60_000;
        const kind = random();
        const end =
          kind < 0.3
            ? undefined
            : kind < 0.4
              ? start
              : kind < 0.6
                ? (BERLIN.find((b) => b > start) ?? start + WEEK)
                : start + (1 + Math.floor(random() * 6 * 7 * 24 * 60)) * 60_000;
        const m = random();
        const cents = m < 0.1 ? null : m < 0.17 ? 0 : 1 + Math.floor(random() * 50_000);
        rows.push({
          subscription_id: `s${c}_${j}`,
          customer_id: `c${c}`,
          started_at: start,
          ended_at: end,
          mrr: cents === null ? undefined : cents / 100,
          currency: undefined,
          plan: undefined,
        });
      }
    }
    // The brute force, from METRICS.md "Cohorts": acquisition = the earliest start of a
    // subscription that covers some instant; cohort j = acquired in [boundary j, boundary
    // j + 1); customer[k] = members active at the end of week j + k (started_at ≤ t <
    // ended_at) / size × 100; revenue[k] = their MRR there (Σ mrr of the covering
    // subscriptions, none = 0) / their MRR at the end of week j × 100, null when that is 0.
    const covers = (r: SubscriptionRow, t: number) =>
      r.started_at <= t && (r.ended_at === undefined || t < r.ended_at);
    const covering = rows.filter((r) => r.ended_at === undefined || r.ended_at > r.started_at);
    const acquired = new Map<string, number>();
    for (const r of covering) {
      acquired.set(r.customer_id, Math.min(acquired.get(r.customer_id) ?? Infinity, r.started_at));
    }
    const cents = (ids: readonly string[], t: number) =>
      covering
        .filter((r) => ids.includes(r.customer_id) && covers(r, t))
        .reduce((sum, r) => sum + Math.round((r.mrr ?? 0) * 100), 0);
    const activeAt = (id: string, t: number) =>
      covering.some((r) => r.customer_id === id && covers(r, t));
    const expected: CohortRow[] = [];
    for (let j = 0; j < 12; j++) {
      const members = [...acquired]
        .filter(([, t]) => t >= boundary(j) && t < boundary(j + 1))
        .map(([id]) => id);
      if (members.length === 0) continue;
      const ends = Array.from({ length: 12 - j }, (_, k) => boundary(j + k + 1));
      const base = cents(members, boundary(j + 1));
      expected.push({
        key: `2026-W${String(7 + j).padStart(2, '0')}`,
        size: members.length,
        customer: ends.map(
          (t) => (members.filter((id) => activeAt(id, t)).length / members.length) * 100,
        ),
        revenue: ends.map((t) => (base === 0 ? null : (cents(members, t) / base) * 100)),
      });
    }

    // Act
    const m = (
      await cohorts({ timezone: 'Europe/Berlin' }, ['2026-W18'], { subscriptions: [rows] })
    ).get('2026-W18');

    // Assess: the data has what the test is about, then the whole matrix.
    expect(rows.some((r) => r.ended_at === r.started_at)).toBe(true);
    expect(rows.some((r) => r.mrr === undefined) && rows.some((r) => r.mrr === 0)).toBe(true);
    expect(rows.filter((r) => BERLIN.includes(r.started_at)).length).toBeGreaterThan(20);
    expect(rows.filter((r) => BERLIN.includes(r.ended_at ?? -1)).length).toBeGreaterThan(20);
    // Cohorts on both sides of the change, and acquisitions before the oldest cohort.
    const keys = expected.map((c) => c.key);
    expect(keys).toContain('2026-W13');
    expect(keys.some((k) => k < '2026-W13') && keys.some((k) => k > '2026-W13')).toBe(true);
    expect([...acquired.values()].some((t) => t < boundary(0))).toBe(true);
    expect(m?.mode).toBe('subscriptions');
    expect(m?.cohorts).toEqual(expected);
  });
});
