/**
 * Movements (METRICS.md "Movements") on random data: for every period, the customer terms
 * add up exactly (integers) and the MRR terms add up exactly in cents, on the engine's
 * values and on the email's movement table as printed. Each term is also checked against
 * a brute-force model written from the definitions alone (a loop over customers and their
 * rows, no boundary bits, no SQL), so an identity that held by a shared mistake would fail.
 *
 * Data: a seeded generator (scripts/sample/prng.ts); starts, ends and orders fall on period
 * boundaries often, since the boundary instants are where the definitions differ.
 */
import { describe, expect, it } from 'vitest';
import type { OrderRow, SubscriptionRow } from '../../../functions/core/datasets/rows';
import { buildReportView } from '../../../functions/core/report/view';
import type { MetricValue } from '../../../functions/core/snapshot';
import { parsePeriodKey } from '../../../functions/core/time/periods';
import { Rng } from '../../../scripts/sample/prng';
import { fixtureConfig, fixtureSnapshot } from '../../fixtures/report-snapshot';
import { at, run } from './helpers';

const DAY = 86_400_000;
/** UTC ISO weeks W06 … W13 of 2026: Mon 2 Feb → Mon 30 Mar. */
const PERIODS = Array.from({ length: 8 }, (_, i) => `2026-W${String(6 + i).padStart(2, '0')}`);
const BOUNDARIES = PERIODS.map((key) => parsePeriodKey(key, 'UTC').start);
const FIRST = at('2026-01-05T00:00:00Z');
const LAST = at('2026-04-13T00:00:00Z');
const WINDOW_DAYS = 30;

/** An instant: on a period boundary a third of the time, else anywhere in [FIRST, LAST). */
function instant(rng: Rng): number {
  return rng.chance(1 / 3) ? rng.pick(BOUNDARIES) : FIRST + Math.floor(rng.next() * (LAST - FIRST));
}

/** MRR in whole cents (null: no mrr value); 0 now and then. */
function cents(rng: Rng): number | null {
  if (rng.chance(0.1)) return null;
  if (rng.chance(0.05)) return 0;
  return rng.int(1, 50_000);
}

interface Sub {
  customer: string;
  start: number;
  end: number | null;
  cents: number | null;
}

function randomSubscriptions(rng: Rng, customers: number): Sub[] {
  const subs: Sub[] = [];
  for (let c = 0; c < customers; c++) {
    const n = rng.int(1, 3);
    for (let j = 0; j < n; j++) {
      const start = instant(rng);
      const kind = rng.next();
      // Open, zero-length, ending on a boundary, or ending 1–40 days later.
      const end =
        kind < 0.3
          ? null
          : kind < 0.35
            ? start
            : kind < 0.55
              ? (BOUNDARIES.find((b) => b > start) ?? null)
              : start + rng.int(1, 40 * 24) * 3_600_000;
      subs.push({ customer: `c${c}`, start, end, cents: cents(rng) });
    }
  }
  return subs;
}

interface Terms {
  start: number;
  end: number;
  newAtEnd: number;
  reactivated: number;
  churned: number;
  mrrStart: number;
  mrrEnd: number;
  mrrNew: number;
  mrrReactivation: number;
  mrrExpansion: number;
  mrrContraction: number;
  mrrChurned: number;
}

/** A customer as the definitions see them: active at t, MRR at t (cents), acquisition time. */
interface ModelCustomer {
  active: (t: number) => boolean;
  mrr: (t: number) => number;
  acquired: number;
}

/**
 * The movement terms of [s, e) from the definitions, customer by customer: active(t) and
 * MRR(t) from the rows covering t, acquisition = first start (or first positive order).
 * MRR in cents.
 */
function model(customers: Map<string, ModelCustomer>, s: number, e: number): Terms {
  const t: Terms = {
    start: 0,
    end: 0,
    newAtEnd: 0,
    reactivated: 0,
    churned: 0,
    mrrStart: 0,
    mrrEnd: 0,
    mrrNew: 0,
    mrrReactivation: 0,
    mrrExpansion: 0,
    mrrContraction: 0,
    mrrChurned: 0,
  };
  for (const c of customers.values()) {
    const atStart = c.active(s);
    const atEnd = c.active(e);
    const ms = c.mrr(s);
    const me = c.mrr(e);
    t.mrrStart += ms;
    t.mrrEnd += me;
    if (atStart) t.start++;
    if (atEnd) t.end++;
    if (atStart && !atEnd) {
      t.churned++;
      t.mrrChurned += ms;
    } else if (!atStart && atEnd) {
      if (c.acquired >= s) {
        t.newAtEnd++;
        t.mrrNew += me;
      } else {
        t.reactivated++;
        t.mrrReactivation += me;
      }
    } else if (atStart && atEnd) {
      if (me > ms) t.mrrExpansion += me - ms;
      if (me < ms) t.mrrContraction += ms - me;
    }
  }
  return t;
}

function subscriptionModel(subs: Sub[]) {
  const covers = (x: Sub, t: number) => x.start <= t && (x.end === null || t < x.end);
  const byCustomer = new Map<string, Sub[]>();
  for (const x of subs) {
    // A zero-length subscription covers nothing and acquires nobody.
    if (x.end !== null && x.end <= x.start) continue;
    byCustomer.set(x.customer, [...(byCustomer.get(x.customer) ?? []), x]);
  }
  return new Map(
    [...byCustomer].map(([id, list]) => [
      id,
      {
        active: (t: number) => list.some((x) => covers(x, t)),
        mrr: (t: number) =>
          list.filter((x) => covers(x, t)).reduce((sum, x) => sum + (x.cents ?? 0), 0),
        acquired: Math.min(...list.map((x) => x.start)),
      },
    ]),
  );
}

const rowOf = (x: Sub, i: number): SubscriptionRow => ({
  subscription_id: `s${i}`,
  customer_id: x.customer,
  started_at: x.start,
  ended_at: x.end ?? undefined,
  mrr: x.cents === null ? undefined : x.cents / 100,
  currency: undefined,
  plan: undefined,
});

const valueFor = (metrics: Record<string, MetricValue>, id: string): number => {
  const v = metrics[id]?.value;
  if (v === null || v === undefined) throw new Error(`${id} is null: ${metrics[id]?.reason}`);
  return v;
};

/** A money value in cents, failing when it is not a whole number of cents (to 1e-9). */
function toCents(v: number): number {
  const c = Math.round(v * 100);
  expect(Math.abs(v * 100 - c)).toBeLessThan(1e-9 * Math.max(1, Math.abs(c)));
  return c;
}

/** The movement table the email prints, read back: row label → [customers, MRR] as numbers. */
function printedMovements(metrics: Record<string, MetricValue>): Map<string, number[]> {
  const snapshot = fixtureSnapshot();
  snapshot.metrics = metrics;
  const view = buildReportView({ snapshot, history: [], config: fixtureConfig() });
  const table = view.sections.flatMap((s) => s.tables).find((t) => t.title === 'Movements');
  if (!table) throw new Error('no movement table');
  const number = (cell: string) => (cell === '' ? 0 : Number(cell.replace(/[$,]/g, '')));
  return new Map(table.rows.map((r) => [r.cells[0] ?? '', r.cells.slice(1).map(number)]));
}

describe('movements over random subscriptions', () => {
  it.each([1, 2, 3, 4, 5])('add up exactly and match the definitions (seed %i)', async (seed) => {
    // Prepare
    const rng = new Rng(seed);
    const subs = randomSubscriptions(rng, 60);
    const customers = subscriptionModel(subs);

    // Act
    const result = await run({ periods: PERIODS, data: { subscriptions: [subs.map(rowOf)] } });

    // Assess
    for (const [i, key] of PERIODS.entries()) {
      const m = result[key] as Record<string, MetricValue>;
      const p = parsePeriodKey(key, 'UTC');
      const want = model(customers, p.start, p.end);
      const got: Terms = {
        start: valueFor(m, 'customers_start'),
        end: valueFor(m, 'customers_end'),
        newAtEnd: valueFor(m, 'customers_new_active_at_end'),
        reactivated: valueFor(m, 'reactivated_customers'),
        churned: valueFor(m, 'churned_customers'),
        mrrStart: toCents(valueFor(m, 'mrr_start')),
        mrrEnd: toCents(valueFor(m, 'mrr_end')),
        mrrNew: toCents(valueFor(m, 'mrr_new')),
        mrrReactivation: toCents(valueFor(m, 'mrr_reactivation')),
        mrrExpansion: toCents(valueFor(m, 'mrr_expansion')),
        mrrContraction: toCents(valueFor(m, 'mrr_contraction')),
        mrrChurned: toCents(valueFor(m, 'mrr_churned')),
      };
      expect(got, `${key} (period ${i})`).toEqual(want);
      // The identities, on the engine's values: counts exactly, MRR exactly in cents and
      // within 1e-9 relative as doubles.
      expect(got.start + got.newAtEnd + got.reactivated - got.churned).toBe(got.end);
      expect(
        got.mrrStart +
          got.mrrNew +
          got.mrrExpansion +
          got.mrrReactivation -
          got.mrrContraction -
          got.mrrChurned,
      ).toBe(got.mrrEnd);
      const sum =
        valueFor(m, 'mrr_start') +
        valueFor(m, 'mrr_new') +
        valueFor(m, 'mrr_expansion') +
        valueFor(m, 'mrr_reactivation') -
        valueFor(m, 'mrr_contraction') -
        valueFor(m, 'mrr_churned');
      expect(Math.abs(sum - valueFor(m, 'mrr_end'))).toBeLessThanOrEqual(
        1e-9 * Math.max(1, valueFor(m, 'mrr_end')),
      );

      // And on the page: the printed numbers add up, to the cent.
      const printed = printedMovements(m);
      for (const column of [0, 1]) {
        const cell = (label: string) => printed.get(label)?.[column] ?? Number.NaN;
        const total =
          Math.round(cell('Start') * 100) +
          Math.round(cell('+ New') * 100) +
          Math.round(cell('+ Reactivated') * 100) +
          Math.round(cell('+ Expansion') * 100) -
          Math.round(cell('− Contraction') * 100) -
          Math.round(cell('− Churned') * 100);
        expect(total, `${key}, column ${column}`).toBe(Math.round(cell('= End') * 100));
      }
    }
  });

  it.each([1, 2, 3, 4, 5])('exercises every term on the data of seed %i', (seed) => {
    // Guard against a generator that never produces, say, a reactivation or a contraction:
    // the identities above would then hold trivially for those terms.
    const customers = subscriptionModel(randomSubscriptions(new Rng(seed), 60));
    const totals = new Map<string, number>();
    for (const key of PERIODS) {
      const p = parsePeriodKey(key, 'UTC');
      for (const [k, v] of Object.entries(model(customers, p.start, p.end))) {
        totals.set(k, (totals.get(k) ?? 0) + v);
      }
    }
    for (const [k, total] of totals) expect(total, k).toBeGreaterThan(0);
  });
});

describe('movements over random orders (orders mode)', () => {
  it.each([1, 2, 3])('add up exactly and match the definitions (seed %i)', async (seed) => {
    // Prepare: 60 customers, 1–4 orders each, a refund now and then.
    const rng = new Rng(1000 + seed);
    const orders: OrderRow[] = [];
    for (let c = 0; c < 60; c++) {
      const n = rng.int(1, 4);
      for (let j = 0; j < n; j++) {
        orders.push({
          order_id: `o${c}-${j}`,
          customer_id: `c${c}`,
          ordered_at: instant(rng),
          amount: rng.chance(0.1) ? -5 : rng.int(1, 10_000) / 100,
          currency: undefined,
          status: undefined,
        });
      }
    }
    // Active at t: a positive order in [t − 30 days, t) (UTC: calendar days are 24 h).
    const positive = orders.filter((o) => o.amount > 0);
    const byCustomer = new Map<string, number[]>();
    for (const o of positive) {
      byCustomer.set(o.customer_id, [...(byCustomer.get(o.customer_id) ?? []), o.ordered_at]);
    }
    const customers = new Map(
      [...byCustomer].map(([id, times]) => [
        id,
        {
          active: (t: number) => times.some((o) => t - WINDOW_DAYS * DAY <= o && o < t),
          mrr: () => 0,
          acquired: Math.min(...times),
        },
      ]),
    );

    // Act
    const result = await run({
      config: { activity: { activeWindowDays: WINDOW_DAYS } },
      periods: PERIODS,
      data: { orders: [orders] },
    });

    // Assess
    let moved = 0;
    for (const key of PERIODS) {
      const m = result[key] as Record<string, MetricValue>;
      const p = parsePeriodKey(key, 'UTC');
      const want = model(customers, p.start, p.end);
      const got = {
        start: valueFor(m, 'customers_start'),
        end: valueFor(m, 'customers_end'),
        newAtEnd: valueFor(m, 'customers_new_active_at_end'),
        reactivated: valueFor(m, 'reactivated_customers'),
        churned: valueFor(m, 'churned_customers'),
      };
      expect(got, key).toEqual({
        start: want.start,
        end: want.end,
        newAtEnd: want.newAtEnd,
        reactivated: want.reactivated,
        churned: want.churned,
      });
      expect(got.start + got.newAtEnd + got.reactivated - got.churned).toBe(got.end);
      moved += got.reactivated;
    }
    expect(moved).toBeGreaterThan(0);
  });
});
