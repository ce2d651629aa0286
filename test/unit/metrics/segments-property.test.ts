/**
 * Segment breakdowns (METRICS.md "Segments") on random data: for every column the rows'
 * counts add up exactly to the report's customers_start, customers_end, new_customers and
 * churned_customers, and every row (the "other" row included) matches a brute-force model
 * written from the definitions alone: a loop over customers and their rows, no boundary
 * bits, no SQL, its own ranking.
 *
 * Data: a seeded generator (scripts/sample/prng.ts); subscription starts and ends fall on
 * the period's boundaries often, since the boundary instants are where definitions differ.
 */
import { describe, expect, it } from 'vitest';
import type { SegmentColumn } from '../../../functions/core/config';
import type {
  CustomerRow,
  MarketingSpendRow,
  OrderRow,
  SubscriptionRow,
} from '../../../functions/core/datasets/rows';
import type { SegmentRow } from '../../../functions/core/snapshot';
import { parsePeriodKey } from '../../../functions/core/time/periods';
import { Rng } from '../../../scripts/sample/prng';
import { at } from './helpers';
import { runSegments } from './segments-helpers';

const FIRST = at('2026-01-05T00:00:00Z');
const LAST = at('2026-04-13T00:00:00Z');
const DAY = 86_400_000;
const SEGMENTS = ['a', 'b', 'c', 'd', '', undefined] as const;
const COUNTRIES = ['de', 'fr', 'it', 'nl', 'pl', 'us', undefined] as const;
const CHANNELS = ['ads', 'seo', 'tv', 'mail', undefined] as const;
const PLANS = ['basic', 'pro', 'team', undefined] as const;

interface World {
  customers: CustomerRow[];
  subscriptions: SubscriptionRow[];
  orders: OrderRow[];
  spend: MarketingSpendRow[];
}

/** Any item, `undefined` included (`Rng.pick` refuses it). */
const choose = <T>(rng: Rng, items: readonly T[]): T => items[rng.int(0, items.length - 1)] as T;

function randomWorld(rng: Rng, boundaries: number[]): World {
  const instant = () =>
    rng.chance(1 / 3) ? rng.pick(boundaries) : FIRST + Math.floor(rng.next() * (LAST - FIRST));
  const world: World = { customers: [], subscriptions: [], orders: [], spend: [] };
  for (let c = 0; c < 80; c++) {
    const id = `c${c}`;
    if (!rng.chance(0.1)) {
      world.customers.push({
        customer_id: id,
        created_at: FIRST,
        segment: choose(rng, SEGMENTS),
        country: choose(rng, COUNTRIES),
        acquisition_channel: choose(rng, CHANNELS),
        onboarding_completed_at: undefined,
      });
    }
    for (let j = 0, n = rng.int(0, 3); j < n; j++) {
      const start = instant();
      const kind = rng.next();
      const end =
        kind < 0.3
          ? undefined
          : kind < 0.35
            ? start
            : kind < 0.55
              ? (boundaries.find((b) => b > start) ?? undefined)
              : start + rng.int(1, 40 * 24) * 3_600_000;
      world.subscriptions.push({
        subscription_id: `s${c}-${j}`,
        customer_id: id,
        started_at: start,
        ended_at: end,
        mrr: 10,
        currency: undefined,
        plan: choose(rng, PLANS),
      });
    }
    for (let j = 0, n = rng.int(0, 3); j < n; j++) {
      world.orders.push({
        order_id: `o${c}-${j}`,
        customer_id: id,
        ordered_at: instant(),
        amount: rng.chance(0.15) ? -rng.int(1, 3000) / 100 : rng.int(0, 20_000) / 100,
        currency: undefined,
        status: undefined,
      });
    }
  }
  for (let d = FIRST; d < LAST; d += DAY) {
    for (const channel of ['ads', 'seo', 'radio']) {
      if (rng.chance(0.5)) {
        world.spend.push({
          date: d,
          channel,
          amount: rng.int(0, 10_000) / 100,
          campaign: undefined,
          currency: undefined,
        });
      }
    }
  }
  return world;
}

interface ModelGroup {
  start: number;
  end: number;
  new: number;
  churned: number;
  retained: number;
  revenue: number;
  historicCustomers: number;
  historicTotal: number;
  spend: number | null;
}

/** Each counted customer's value in `column` and their flags, from the definitions. */
function model(world: World, column: SegmentColumn, s: number, e: number) {
  const byId = new Map(world.customers.map((c) => [c.customer_id, c]));
  const ids = new Set([
    ...world.subscriptions.map((x) => x.customer_id),
    ...world.orders.map((x) => x.customer_id),
  ]);
  const groups = new Map<string | null, ModelGroup>();
  for (const id of ids) {
    // Zero-length subscriptions cover no instant (METRICS.md amendment 13).
    const subs = world.subscriptions.filter(
      (x) => x.customer_id === id && (x.ended_at === undefined || x.ended_at > x.started_at),
    );
    const covers = (x: SubscriptionRow, t: number) =>
      x.started_at <= t && (x.ended_at === undefined || t < x.ended_at);
    const active = (t: number) => subs.some((x) => covers(x, t));
    const acquired = Math.min(...subs.map((x) => x.started_at));
    const orders = world.orders.filter((o) => o.customer_id === id && o.ordered_at < e);
    const revenue = orders.filter((o) => o.ordered_at >= s).reduce((t, o) => t + o.amount, 0);
    const historic = orders.some((o) => o.amount > 0);
    const isNew = acquired >= s && acquired < e;
    if (!(active(s) || active(e) || isNew || historic || revenue !== 0)) continue;
    let value: string | null;
    if (column === 'plan') {
      // Covering the end instant first, then the latest start, then the larger id.
      const candidates = subs
        .filter((x) => x.started_at <= e)
        .sort(
          (x, y) =>
            Number(covers(y, e)) - Number(covers(x, e)) ||
            y.started_at - x.started_at ||
            (y.subscription_id > x.subscription_id ? 1 : -1),
        );
      value = candidates[0]?.plan || null;
    } else {
      value = byId.get(id)?.[column] || null;
    }
    const g = groups.get(value) ?? {
      start: 0,
      end: 0,
      new: 0,
      churned: 0,
      retained: 0,
      revenue: 0,
      historicCustomers: 0,
      historicTotal: 0,
      spend: null,
    };
    if (active(s)) g.start++;
    if (active(e)) g.end++;
    if (isNew) g.new++;
    if (active(s) && !active(e)) g.churned++;
    if (active(s) && active(e)) g.retained++;
    g.revenue += revenue;
    if (historic) {
      g.historicCustomers++;
      g.historicTotal += orders.reduce((t, o) => t + o.amount, 0);
    }
    groups.set(value, g);
  }
  if (column === 'acquisition_channel') {
    for (const [value, g] of groups) {
      const rows = world.spend.filter((x) => x.channel === value && x.date >= s && x.date < e);
      g.spend = rows.length === 0 ? null : rows.reduce((t, x) => t + x.amount, 0);
    }
  }
  return groups;
}

const rate = (n: number, d: number, scale: number) => (d === 0 ? null : (n / d) * scale);

function expectRow(row: SegmentRow, parts: ModelGroup[], column: SegmentColumn): void {
  const sum = (f: (g: ModelGroup) => number) => parts.reduce((t, g) => t + f(g), 0);
  const g = {
    start: sum((x) => x.start),
    end: sum((x) => x.end),
    new: sum((x) => x.new),
    churned: sum((x) => x.churned),
    retained: sum((x) => x.retained),
    revenue: sum((x) => x.revenue),
    historicCustomers: sum((x) => x.historicCustomers),
    historicTotal: sum((x) => x.historicTotal),
  };
  expect(row.customers_start).toBe(g.start);
  expect(row.customers_end).toBe(g.end);
  expect(row.new_customers).toBe(g.new);
  expect(row.churned_customers).toBe(g.churned);
  const close = (actual: number | null, expected: number | null) => {
    if (expected === null) expect(actual).toBeNull();
    else expect(actual).toBeCloseTo(expected, 9);
  };
  close(row.churn_rate, rate(g.churned, g.start, 100));
  close(row.retention_rate, rate(g.retained, g.start, 100));
  close(row.arpc, rate(g.revenue, g.end, 1));
  close(row.clv_historic, rate(g.historicTotal, g.historicCustomers, 1));
  const spends = parts.flatMap((x) => (x.spend === null ? [] : [x.spend]));
  close(
    row.cac,
    column === 'acquisition_channel' && spends.length > 0
      ? rate(
          spends.reduce((t, x) => t + x, 0),
          g.new,
          1,
        )
      : null,
  );
}

describe('segment breakdowns over random data', () => {
  it.each([1, 2, 3, 4, 5, 6])(
    'add up to the totals and match the definitions (seed %i)',
    async (seed) => {
      // Prepare
      const rng = new Rng(seed);
      const weeks = ['2026-W06', '2026-W08', '2026-W10', '2026-W12'];
      const boundaries = weeks.flatMap((w) => {
        const p = parsePeriodKey(w, 'UTC');
        return [p.start, p.end];
      });
      const world = randomWorld(rng, boundaries);
      const week = weeks[seed % weeks.length] as string;
      const top = 1 + (seed % 4);
      const period = parsePeriodKey(week, 'UTC');

      // Act
      const { metrics, segments } = await runSegments(
        {
          customers: [world.customers],
          subscriptions: [world.subscriptions],
          orders: [world.orders],
          marketing_spend: [world.spend],
        },
        week,
        { segments: { top } },
      );

      // Assess
      expect(segments).toHaveLength(4);
      for (const b of segments ?? []) {
        const column = b.column as SegmentColumn;
        const total = (f: (r: SegmentRow) => number) => b.rows.reduce((t, r) => t + f(r), 0);
        expect(total((r) => r.customers_start)).toBe(metrics.customers_start?.value);
        expect(total((r) => r.customers_end)).toBe(metrics.customers_end?.value);
        expect(total((r) => r.new_customers)).toBe(metrics.new_customers?.value);
        expect(total((r) => r.churned_customers)).toBe(metrics.churned_customers?.value);

        const groups = model(world, column, period.start, period.end);
        // The model's own ranking: end, start, new descending, then named before (none), by name.
        const ranked = [...groups.entries()].sort(
          ([va, a], [vb, b]) =>
            b.end - a.end ||
            b.start - a.start ||
            b.new - a.new ||
            (va === null ? 1 : vb === null ? -1 : va < vb ? -1 : 1),
        );
        const shown = ranked.length <= top + 1 ? ranked : ranked.slice(0, top);
        const rest = ranked.slice(shown.length);
        expect(b.values).toBe(groups.size);
        expect(b.rows.map((r) => (r.other === undefined ? r.value : 'other'))).toEqual([
          ...shown.map(([v]) => v),
          ...(rest.length > 0 ? ['other'] : []),
        ]);
        for (const [i, [, g]] of shown.entries()) expectRow(b.rows[i] as SegmentRow, [g], column);
        if (rest.length > 0) {
          const other = b.rows.at(-1) as SegmentRow;
          expect(other.other).toBe(rest.length);
          expectRow(
            other,
            rest.map(([, g]) => g),
            column,
          );
        }
      }
    },
  );
});
