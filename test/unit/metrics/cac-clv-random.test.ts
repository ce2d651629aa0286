/**
 * Seeded random brute force of `arpc`, `aov`, `clv_predictive`, `cac` (blended and its
 * per-channel breakdown) and `ltv_cac_ratio` (METRICS.md "Revenue and lifetime value", the
 * customer base of "Customer base", amendments 5, 6, 11, 13, 19; DATASETS.md
 * de-duplication). Random customers, subscriptions, orders and marketing spend go through
 * the engine, and every value is recomputed here in plain TypeScript from the catalogue's
 * words:
 * - the rows that count are the last row of each id (files in order, then rows in file
 *   order); marketing spend has no id, so every spend row counts;
 * - active at t: a subscription with started_at ≤ t < ended_at (open: no ended_at), or in
 *   orders mode a positive order in [t − activeWindowDays calendar days, t); acquisition =
 *   the first activation (first start of a subscription covering some instant, or first
 *   positive order); N = |acquisition in [start, end)|, E = |active at end|;
 * - arpc = revenue / E; clv_predictive = arpc × clv.grossMargin × lifetime, lifetime = 1 /
 *   (Σ churned / Σ active at start over the clv.trailingPeriods periods ending with P),
 *   capped at clv.maxLifetimePeriods, the cap when nobody churned; cac = spend dated in P /
 *   N, per channel the channel's spend / its new customers (by the customers row's
 *   acquisition_channel), for the channels with spend in P; spend summed exactly (in cents
 *   here, every amount being whole cents); ltv_cac_ratio = clv_predictive / cac.
 * Period boundaries are local midnights: the reported periods are written out by hand as
 * ISO strings with offsets, the trailing ones are stepped on calendar dates, and a local
 * midnight becomes an instant by the offsets written down in `midnight` (no period code).
 */
import { describe, expect, it } from 'vitest';
import type { ReportConfigInput } from '../../../functions/core/config';
import type {
  CustomerRow,
  MarketingSpendRow,
  OrderRow,
  SubscriptionRow,
} from '../../../functions/core/datasets/rows';
import { mulberry32 } from '../../../functions/core/models/simulate';
import type { MetricValue } from '../../../functions/core/snapshot';
import { at, type Data, lastById, metric, run } from './helpers';

type Rand = () => number;
type Result = Record<string, Record<string, MetricValue>>;
type Zone = 'UTC' | 'Europe/Berlin';
type Outcome = { value: number } | { reason: string };

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

const int = (r: Rand, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;

// ---- Calendar dates and local midnights ---------------------------------------------------

/** The calendar date `n` days after `date` (YYYY-MM-DD; no time zone involved). */
const addDays = (date: string, n: number): string =>
  new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);

/** The first day of the month `n` months after the month of `date`. */
function addMonths(date: string, n: number): string {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7)) - 1 + n;
  return new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10);
}

/**
 * The instant of local midnight of `date`. Europe/Berlin is on CEST (+02:00) from 30 Mar to
 * 26 Oct 2025 and from 29 Mar to 25 Oct 2026 (the clocks change at 01:00Z, after local
 * midnight), so the midnights of 31 Mar … 26 Oct 2025 and 30 Mar … 25 Oct 2026 are +02:00,
 * the others +01:00.
 */
function midnight(zone: Zone, date: string): number {
  if (zone === 'UTC') return at(`${date}T00:00:00Z`);
  const summer =
    (date >= '2025-03-31' && date <= '2025-10-26') ||
    (date >= '2026-03-30' && date <= '2026-10-25');
  return at(`${date}T00:00:00${summer ? '+02:00' : '+01:00'}`);
}

/** `n + 1` Mondays from `first`: the boundaries of n ISO weeks. */
const weeks = (first: string, n: number): string[] =>
  Array.from({ length: n + 1 }, (_, k) => addDays(first, 7 * k));
/** `n + 1` firsts of months from `first`: the boundaries of n calendar months. */
const months = (first: string, n: number): string[] =>
  Array.from({ length: n + 1 }, (_, k) => addMonths(first, k));

/** A reported period by its instants, written out by hand: `[start, end)`. */
interface Bounds {
  key: string;
  start: number;
  end: number;
}
const bounds = (key: string, start: string, end: string): Bounds => ({
  key,
  start: at(start),
  end: at(end),
});
const inP = (t: number, p: { start: number; end: number }): boolean => t >= p.start && t < p.end;

// ---- Scenarios ------------------------------------------------------------------------------

interface Scenario {
  zone: Zone;
  mode: 'subscriptions' | 'orders';
  /** Every boundary (local dates), oldest first: the trailing starts to the last end. */
  boundaries: readonly string[];
  periods: readonly Bounds[];
  /** The clv settings the brute force uses (the catalogue's defaults unless configured). */
  trailing: number;
  cap: number;
  margin: number;
  /** activity.activeWindowDays (orders mode). */
  windowDays: number;
  /** The report config besides timezone and period. */
  config: ReportConfigInput;
  kind: 'week' | 'month';
  customers: number;
  /** No subscription starts in it: nobody is acquired in it. */
  quiet?: Bounds;
  /** Every subscription starts after this instant. */
  firstStart?: number;
  /** Every subscription that covers an instant ends after this instant, or never. */
  calm?: number;
  /** No spend row is dated in it. */
  noSpendIn?: Bounds;
  /** Flags (below) the data must have produced, so that each case is really exercised. */
  mustSee: readonly string[];
}

interface Generated {
  customers: CustomerRow[][];
  subscriptions: SubscriptionRow[][];
  orders: OrderRow[][];
  spend: MarketingSpendRow[][];
}

const CUSTOMER_CHANNELS = ['ads', 'seo', 'email', 'social', undefined] as const;
/** `tv` has customers rows but none of them is ever active; `radio` has no customers row. */
const SPEND_CHANNELS = ['ads', 'seo', 'email', 'tv', 'radio'] as const;
/** Spend amounts in cents: 0.10, 0.20, 0.30 … whose double sums drift. */
const SPEND_CENTS = [10, 10, 10, 20, 20, 30, 70, 1, 110, 1999, 5, 333] as const;

function generate(s: Scenario, seed: number): Generated {
  const r = mulberry32(seed);
  const b = s.boundaries.map((d) => midnight(s.zone, d));
  const first = b[0] as number;
  const last = b[b.length - 1] as number;
  const lo =
    s.mode === 'orders'
      ? midnight(s.zone, addDays(s.boundaries[0] as string, -s.windowDays - 20))
      : first - 60 * DAY;
  const hi = last + 2 * WEEK;
  // Instants a rule could get wrong by one: the boundaries, and in orders mode the window
  // starts (calendar days before a boundary: 23 or 25 h days around a DST change).
  const edges: number[] = [];
  for (const [k, t] of b.entries()) {
    edges.push(t, t - MINUTE, t + MINUTE);
    if (s.mode === 'orders') {
      const w = midnight(s.zone, addDays(s.boundaries[k] as string, -s.windowDays));
      edges.push(w, w - MINUTE, w - 30 * MINUTE, w + 30 * MINUTE, w - HOUR, w + HOUR);
    }
  }
  if (s.zone === 'Europe/Berlin') {
    edges.push(at('2026-03-29T01:00:00Z'), at('2026-03-29T00:59:00Z'), at('2025-10-26T01:00:00Z'));
  }
  const instant = (): number =>
    r() < 0.3 ? pick(r, edges) : lo + Math.floor((r() * (hi - lo)) / MINUTE) * MINUTE;
  const span = s.kind === 'week' ? 10 * WEEK : 240 * DAY;

  // Subscriptions (subscriptions mode): 1–3 per customer, open, zero-length, ending on a
  // boundary or some time later; an mrr or none (it does not matter here).
  const subscriptions: SubscriptionRow[][] = [[], []];
  const subStart = (): number => {
    for (;;) {
      const t = instant();
      if (s.quiet && inP(t, s.quiet)) continue;
      if (s.firstStart !== undefined && t <= s.firstStart) continue;
      return t;
    }
  };
  const subEnd = (start: number): number | undefined => {
    const k = r();
    let end =
      k < 0.3
        ? undefined
        : k < 0.35
          ? start
          : k < 0.55
            ? b.find((t) => t > start)
            : start + HOUR + Math.floor((r() * span) / MINUTE) * MINUTE;
    if (s.calm !== undefined && end !== undefined && end > start && end <= s.calm) {
      end = s.calm + MINUTE + Math.floor((r() * span) / MINUTE) * MINUTE;
    }
    return end;
  };
  const subRow = (id: string, customer: string): SubscriptionRow => {
    const started_at = subStart();
    return {
      subscription_id: id,
      customer_id: customer,
      started_at,
      ended_at: subEnd(started_at),
      mrr: r() < 0.3 ? undefined : int(r, 0, 9999) / 100,
      currency: undefined,
      plan: undefined,
    };
  };
  if (s.mode === 'subscriptions') {
    for (let c = 0; c < s.customers; c++) {
      for (let j = int(r, 1, 3); j > 0; j--) {
        const id = `s${c}_${j}`;
        subscriptions[0]?.push(subRow(id, `c${c}`));
        // A later row of the same id in the same file, or in the next file, replaces it.
        if (r() < 0.05) subscriptions[0]?.push(subRow(id, `c${c}`));
        if (r() < 0.15) subscriptions[1]?.push(subRow(id, `c${c}`));
      }
    }
  }

  // Orders: amounts in whole cents, 15 % refunds, a few $0; also by customers without any
  // subscription. In orders mode a customer's orders follow a joining time of their own
  // (within 150 days), so that some customers are acquired in every period. Re-exported
  // now and then with another amount, time or customer.
  const orders: OrderRow[][] = [[], []];
  const joined = Array.from({ length: s.customers + 10 }, () => instant());
  const orderRow = (id: string, c: number): OrderRow => {
    const a = r();
    const cents = a < 0.15 ? -int(r, 1, 5000) : a < 0.18 ? 0 : int(r, 1, 30_000);
    const ordered_at =
      s.mode === 'subscriptions' || r() < 0.3
        ? instant()
        : (joined[c] as number) + Math.floor((r() * 150 * DAY) / MINUTE) * MINUTE;
    return {
      order_id: id,
      customer_id: `c${c}`,
      ordered_at,
      amount: cents / 100,
      currency: undefined,
      status: undefined,
    };
  };
  const orderCount = s.mode === 'orders' ? s.customers * 5 : s.customers * 3;
  for (let k = 0; k < orderCount; k++) {
    const c = int(r, 0, s.customers + 9);
    orders[0]?.push(orderRow(`o${k}`, c));
    if (r() < 0.04) orders[0]?.push(orderRow(`o${k}`, c));
    if (r() < 0.1) orders[1]?.push(orderRow(`o${k}`, r() < 0.8 ? c : k % 7));
  }

  // Customers rows: most customers, with a channel or none; re-exported with another one
  // (the last row wins, also one without a channel); `tv` prospects who never subscribe.
  const customers: CustomerRow[][] = [[], []];
  const customerRow = (id: string, channel: string | undefined): CustomerRow => ({
    customer_id: id,
    created_at: instant(),
    acquisition_channel: channel,
    segment: undefined,
    country: undefined,
    onboarding_completed_at: undefined,
  });
  for (let c = 0; c < s.customers + 10; c++) {
    if (r() < 0.2) continue;
    const id = `c${c}`;
    customers[0]?.push(customerRow(id, pick(r, CUSTOMER_CHANNELS)));
    if (r() < 0.05) customers[0]?.push(customerRow(id, pick(r, CUSTOMER_CHANNELS)));
    if (r() < 0.2) customers[1]?.push(customerRow(id, pick(r, CUSTOMER_CHANNELS)));
  }
  for (let g = 0; g < 5; g++) customers[0]?.push(customerRow(`prospect${g}`, 'tv'));

  // Spend: on each local day around the reported periods, up to 120 (weeks) or 30 (months)
  // rows of random channels, about 400 a period so that double sums of them drift (a few on the
  // same channel and day, identical rows included: spend has no id, all of them count).
  const spend: MarketingSpendRow[][] = [[], []];
  const firstReported = s.periods[0] as Bounds;
  const lastReported = s.periods[s.periods.length - 1] as Bounds;
  const perDay = s.kind === 'week' ? 120 : 30;
  for (let day = addDays(s.boundaries[0] as string, 0); ; day = addDays(day, 1)) {
    const t = midnight(s.zone, day);
    if (t >= lastReported.end + 10 * DAY) break;
    if (t < firstReported.start - 10 * DAY) continue;
    if (s.noSpendIn && inP(t, s.noSpendIn)) continue;
    for (let k = int(r, 0, perDay); k > 0; k--) {
      const row: MarketingSpendRow = {
        date: t,
        channel: pick(r, SPEND_CHANNELS),
        amount: pick(r, SPEND_CENTS) / 100,
        campaign: undefined,
        currency: undefined,
      };
      (r() < 0.8 ? spend[0] : spend[1])?.push(row);
      if (r() < 0.03) spend[1]?.push({ ...row });
    }
  }
  return { customers, subscriptions, orders, spend };
}

// ---- The brute force --------------------------------------------------------------------

interface Expected {
  arpc: Outcome;
  aov: Outcome;
  clv: Outcome;
  cac: Outcome;
  breakdown: Record<string, number | null>;
  ltv: Outcome;
}

const NO_END = 'no customers active at the end of the period (division by zero)';
const NO_ORDERS = 'no orders in the period (division by zero)';
const NO_NEW = 'no new customers in the period (division by zero)';
const CAC_ZERO = 'CAC is 0: no marketing spend in the period';

/** A customer of the base: active at a boundary (a local date), and acquisition time. */
interface Member {
  id: string;
  acquired: number;
  activeAt: (date: string) => boolean;
}

function members(s: Scenario, g: Generated): Member[] {
  if (s.mode === 'subscriptions') {
    const subs = lastById(g.subscriptions, (x) => x.subscription_id).filter(
      // A zero-length subscription covers no instant and acquires nobody (amendment 13).
      (x) => x.ended_at === undefined || x.ended_at > x.started_at,
    );
    return [...new Set(subs.map((x) => x.customer_id))].map((id) => {
      const own = subs.filter((x) => x.customer_id === id);
      return {
        id,
        acquired: Math.min(...own.map((x) => x.started_at)),
        activeAt: (date) => {
          const t = midnight(s.zone, date);
          return own.some((x) => x.started_at <= t && (x.ended_at === undefined || t < x.ended_at));
        },
      };
    });
  }
  // Orders mode: positive orders only (amendment 11); the window is calendar days.
  const positive = lastById(g.orders, (o) => o.order_id).filter((o) => o.amount > 0);
  return [...new Set(positive.map((o) => o.customer_id))].map((id) => {
    const times = positive.filter((o) => o.customer_id === id).map((o) => o.ordered_at);
    return {
      id,
      acquired: Math.min(...times),
      activeAt: (date) => {
        const from = midnight(s.zone, addDays(date, -s.windowDays));
        const to = midnight(s.zone, date);
        return times.some((t) => from <= t && t < to);
      },
    };
  });
}

function expectedOf(s: Scenario, g: Generated, flags: Set<string>): Map<string, Expected> {
  const base = members(s, g);
  const orders = lastById(g.orders, (o) => o.order_id);
  const channelOf = new Map(
    lastById(g.customers, (c) => c.customer_id).map((c) => [c.customer_id, c.acquisition_channel]),
  );
  const spendRows = g.spend.flat();
  const out = new Map<string, Expected>();
  for (const p of s.periods) {
    const k = s.boundaries.findIndex((d) => midnight(s.zone, d) === p.start);
    // The hand-written bounds are the stepped calendar dates' midnights.
    expect(k, `${p.key} start`).toBeGreaterThanOrEqual(s.trailing - 1);
    expect(midnight(s.zone, s.boundaries[k + 1] as string), `${p.key} end`).toBe(p.end);
    const endDate = s.boundaries[k + 1] as string;

    // arpc = revenue / E; aov = revenue / orders (rows with a positive amount).
    const ofP = orders.filter((o) => inP(o.ordered_at, p));
    const revenue = ofP.reduce((sum, o) => sum + Math.round(o.amount * 100), 0) / 100;
    const placed = ofP.filter((o) => o.amount > 0).length;
    const e = base.filter((m) => m.activeAt(endDate)).length;
    const arpc: Outcome = e === 0 ? { reason: NO_END } : { value: revenue / e };
    const aov: Outcome = placed === 0 ? { reason: NO_ORDERS } : { value: revenue / placed };

    // clv_predictive: churn pooled over the trailing periods k − T + 1 … k.
    let clv: Outcome;
    if ('reason' in arpc) clv = { reason: `revenue per customer is unknown: ${arpc.reason}` };
    else {
      let atStart = 0;
      let churned = 0;
      for (let j = k - s.trailing + 1; j <= k; j++) {
        const from = s.boundaries[j] as string;
        const to = s.boundaries[j + 1] as string;
        for (const m of base) {
          if (!m.activeAt(from)) continue;
          atStart++;
          if (!m.activeAt(to)) churned++;
        }
      }
      if (atStart === 0) {
        flags.add('clv null: nobody at a trailing start');
        clv = {
          reason: `no customers at the start of any of the ${s.trailing} trailing periods (churn unknown)`,
        };
      } else {
        let lifetime: number;
        if (churned === 0) {
          flags.add('lifetime: the cap, no churn');
          lifetime = s.cap;
        } else if (atStart / churned > s.cap) {
          flags.add('lifetime: the cap, 1 / churn above it');
          lifetime = s.cap;
        } else {
          flags.add('lifetime: 1 / churn');
          lifetime = 1 / (churned / atStart);
        }
        clv = { value: arpc.value * s.margin * lifetime };
      }
    }

    // cac: spend in whole cents, per channel and in total.
    const newcomers = base.filter((m) => inP(m.acquired, p));
    const centsBy = new Map<string, number>();
    let doubleTotal = 0;
    for (const row of spendRows) {
      if (!inP(row.date, p)) continue;
      centsBy.set(row.channel, (centsBy.get(row.channel) ?? 0) + Math.round(row.amount * 100));
      doubleTotal += row.amount;
    }
    const totalCents = [...centsBy.values()].reduce((a, x) => a + x, 0);
    const breakdown: Record<string, number | null> = {};
    for (const [channel, cents] of centsBy) {
      const n = newcomers.filter((m) => channelOf.get(m.id) === channel).length;
      if (n === 0) flags.add('breakdown: a channel with spend and no new customer');
      breakdown[channel] = n === 0 ? null : cents / 100 / n;
      const doubled = spendRows
        .filter((row) => inP(row.date, p) && row.channel === channel)
        .reduce((sum, row) => sum + row.amount, 0);
      if (n > 0 && fifteen(doubled / n) !== fifteen(cents / 100 / n)) {
        flags.add('cac: a double sum of the spend would differ');
      }
    }
    if (newcomers.some((m) => !centsBy.has(channelOf.get(m.id) ?? ''))) {
      flags.add('cac: new customers of no channel with spend');
    }
    let cac: Outcome;
    if (newcomers.length === 0) {
      flags.add('cac null: no new customers');
      cac = { reason: NO_NEW };
    } else {
      cac = { value: totalCents / 100 / newcomers.length };
      if (fifteen(doubleTotal / newcomers.length) !== fifteen(cac.value)) {
        flags.add('cac: a double sum of the spend would differ');
      }
    }

    let ltv: Outcome;
    if ('reason' in clv) ltv = { reason: `CLV is unknown: ${clv.reason}` };
    else if ('reason' in cac) ltv = { reason: `CAC is unknown: ${cac.reason}` };
    else if (cac.value === 0) {
      flags.add('ltv null: CAC is 0');
      ltv = { reason: CAC_ZERO };
    } else ltv = { value: clv.value / cac.value };
    out.set(p.key, { arpc, aov, clv, cac, breakdown, ltv });
  }
  return out;
}

/**
 * A value to the 15 significant digits a stored metric value keeps (values.ts `tidy`). The
 * exact spend (amendment 19) over N, so rounded, is the stored `cac` to the last digit; the
 * double sum of ~400 rows of 0.10, 0.20 … drifts in the 14th–15th digit and would not be
 * (the flag 'cac: a double sum of the spend would differ' checks the data shows it).
 */
const fifteen = (x: number): number => (x === 0 ? 0 : Number(x.toPrecision(15)));

/**
 * A metric against its expected outcome: the value to 9 decimals, or null with exactly the
 * reason. `exact`: a quotient of exact sums, equal to its 15 significant digits.
 */
function expectOutcome(result: Result, key: string, id: string, want: Outcome, exact = false) {
  const mv = metric(result, key, id);
  const label = `${id} of ${key}`;
  if ('reason' in want) {
    expect(mv.value, label).toBeNull();
    expect(mv.reason, label).toBe(want.reason);
    return;
  }
  expect(mv.value, `${label} (${mv.reason ?? ''})`).not.toBeNull();
  expect(mv.value as number, label).toBeCloseTo(want.value, 9);
  if (exact) expect(mv.value, label).toBe(fifteen(want.value));
}

async function check(s: Scenario, seed: number): Promise<void> {
  // Prepare
  const g = generate(s, seed);
  const data: Data = {
    customers: g.customers,
    orders: g.orders,
    marketing_spend: g.spend,
    ...(s.mode === 'subscriptions' ? { subscriptions: g.subscriptions } : {}),
  };

  // Act
  const result = await run({
    config: { timezone: s.zone, period: s.kind, ...s.config },
    periods: s.periods.map((p) => p.key),
    data,
  });

  // Assess
  const flags = new Set<string>();
  for (const [key, want] of expectedOf(s, g, flags)) {
    expectOutcome(result, key, 'arpc', want.arpc);
    expectOutcome(result, key, 'aov', want.aov);
    expectOutcome(result, key, 'clv_predictive', want.clv);
    expectOutcome(result, key, 'cac', want.cac, true);
    const got = metric(result, key, 'cac').breakdown ?? {};
    expect(Object.keys(got).sort(), `cac channels of ${key}`).toEqual(
      Object.keys(want.breakdown).sort(),
    );
    for (const [channel, value] of Object.entries(want.breakdown)) {
      const label = `cac of ${channel} in ${key}`;
      if (value === null) expect(got[channel], label).toBeNull();
      else {
        expect(got[channel] ?? null, label).not.toBeNull();
        expect(got[channel] as number, label).toBeCloseTo(value, 9);
        expect(got[channel], label).toBe(fifteen(value));
      }
    }
    expectOutcome(result, key, 'ltv_cac_ratio', want.ltv);
  }
  for (const flag of s.mustSee) expect([...flags], `seed ${seed}`).toContain(flag);
}

// ---- The cases --------------------------------------------------------------------------

const USUAL = [
  'lifetime: 1 / churn',
  'breakdown: a channel with spend and no new customer',
  'cac: new customers of no channel with spend',
  'cac: a double sum of the spend would differ',
];

describe('cac, clv_predictive, ltv_cac_ratio on seeded random data', () => {
  it.each([1, 2])(
    'weekly, subscriptions mode, defaults (12 trailing weeks, cap 260), W11 without new customers (seed %i)',
    async (seed) => {
      // UTC ISO weeks: W10 = [2 Mar, 9 Mar), W11 = [9 Mar, 16 Mar), W12 = [16 Mar, 23 Mar);
      // the 12 trailing weeks of W10 start at W51 of 2025 (Mon 15 Dec 2025).
      const w11 = bounds('2026-W11', '2026-03-09T00:00:00Z', '2026-03-16T00:00:00Z');
      await check(
        {
          zone: 'UTC',
          mode: 'subscriptions',
          kind: 'week',
          boundaries: weeks('2025-12-15', 14),
          periods: [
            bounds('2026-W10', '2026-03-02T00:00:00Z', '2026-03-09T00:00:00Z'),
            w11,
            bounds('2026-W12', '2026-03-16T00:00:00Z', '2026-03-23T00:00:00Z'),
          ],
          trailing: 12,
          cap: 260,
          margin: 1,
          windowDays: 90,
          config: {},
          customers: 150,
          quiet: w11,
          mustSee: [...USUAL, 'cac null: no new customers'],
        },
        20260400 + seed,
      );
    },
  );

  it.each([1, 2])(
    'monthly, subscriptions mode, defaults (6 trailing months, cap 60), February without spend (seed %i)',
    async (seed) => {
      // UTC months 2026-01 … 2026-03; the 6 trailing months of January start on 1 Aug 2025.
      const feb = bounds('2026-02', '2026-02-01T00:00:00Z', '2026-03-01T00:00:00Z');
      await check(
        {
          zone: 'UTC',
          mode: 'subscriptions',
          kind: 'month',
          boundaries: months('2025-08-01', 8),
          periods: [
            bounds('2026-01', '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z'),
            feb,
            bounds('2026-03', '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z'),
          ],
          trailing: 6,
          cap: 60,
          margin: 1,
          windowDays: 90,
          config: {},
          customers: 150,
          noSpendIn: feb,
          mustSee: [...USUAL, 'ltv null: CAC is 0'],
        },
        20260500 + seed,
      );
    },
  );

  it.each([1, 2])(
    'weekly with clv settings (margin 0.35, 3 trailing weeks, cap 9): no start, no churn, churn (seed %i)',
    async (seed) => {
      // UTC weeks W03 = [12 Jan, 19 Jan), W06 = [2 Feb, 9 Feb), W09 = [23 Feb, 2 Mar). Every
      // subscription starts after 12 Jan 00:00 (nobody at W01 … W03's starts: churn unknown)
      // and none ends before 9 Feb 00:01 (no churn in W04 … W06: the cap).
      await check(
        {
          zone: 'UTC',
          mode: 'subscriptions',
          kind: 'week',
          boundaries: weeks('2025-12-29', 9),
          periods: [
            bounds('2026-W03', '2026-01-12T00:00:00Z', '2026-01-19T00:00:00Z'),
            bounds('2026-W06', '2026-02-02T00:00:00Z', '2026-02-09T00:00:00Z'),
            bounds('2026-W09', '2026-02-23T00:00:00Z', '2026-03-02T00:00:00Z'),
          ],
          trailing: 3,
          cap: 9,
          margin: 0.35,
          windowDays: 90,
          config: { clv: { grossMargin: 0.35, trailingPeriods: 3, maxLifetimePeriods: 9 } },
          customers: 150,
          firstStart: at('2026-01-12T00:00:00Z'),
          calm: at('2026-02-09T00:00:00Z'),
          mustSee: [
            'clv null: nobody at a trailing start',
            'lifetime: the cap, no churn',
            'lifetime: the cap, 1 / churn above it',
            'breakdown: a channel with spend and no new customer',
            'cac: a double sum of the spend would differ',
          ],
        },
        20260600 + seed,
      );
    },
  );

  it.each([1, 2])(
    'weekly, orders mode (no subscriptions export, 90-day window), defaults (seed %i)',
    async (seed) => {
      await check(
        {
          zone: 'UTC',
          mode: 'orders',
          kind: 'week',
          boundaries: weeks('2025-12-15', 14),
          periods: [
            bounds('2026-W10', '2026-03-02T00:00:00Z', '2026-03-09T00:00:00Z'),
            bounds('2026-W11', '2026-03-09T00:00:00Z', '2026-03-16T00:00:00Z'),
            bounds('2026-W12', '2026-03-16T00:00:00Z', '2026-03-23T00:00:00Z'),
          ],
          trailing: 12,
          cap: 260,
          margin: 1,
          windowDays: 90,
          config: {},
          customers: 150,
          mustSee: USUAL,
        },
        20260700 + seed,
      );
    },
  );

  it.each([1, 2])(
    'Europe/Berlin weeks around the DST change of 29 Mar 2026, subscriptions mode (seed %i)',
    async (seed) => {
      // W13 = [Mon 23 Mar 00:00 CET, Mon 30 Mar 00:00 CEST) is 167 h long; the 12 trailing
      // weeks of W12 start on Mon 29 Dec 2025.
      await check(
        {
          zone: 'Europe/Berlin',
          mode: 'subscriptions',
          kind: 'week',
          boundaries: weeks('2025-12-29', 14),
          periods: [
            bounds('2026-W12', '2026-03-16T00:00:00+01:00', '2026-03-23T00:00:00+01:00'),
            bounds('2026-W13', '2026-03-23T00:00:00+01:00', '2026-03-30T00:00:00+02:00'),
            bounds('2026-W14', '2026-03-30T00:00:00+02:00', '2026-04-06T00:00:00+02:00'),
          ],
          trailing: 12,
          cap: 260,
          margin: 1,
          windowDays: 90,
          config: {},
          customers: 150,
          mustSee: USUAL,
        },
        20260800 + seed,
      );
    },
  );

  it.each([1, 2])(
    'Europe/Berlin months, orders mode: 90 calendar days across both DST changes (seed %i)',
    async (seed) => {
      // March 2026 = [1 Mar 00:00 CET, 1 Apr 00:00 CEST); the 6 trailing months of February
      // start on 1 Sep 2025 (CEST); the windows of 90 days reach back into June 2025.
      await check(
        {
          zone: 'Europe/Berlin',
          mode: 'orders',
          kind: 'month',
          boundaries: months('2025-09-01', 8),
          periods: [
            bounds('2026-02', '2026-02-01T00:00:00+01:00', '2026-03-01T00:00:00+01:00'),
            bounds('2026-03', '2026-03-01T00:00:00+01:00', '2026-04-01T00:00:00+02:00'),
            bounds('2026-04', '2026-04-01T00:00:00+02:00', '2026-05-01T00:00:00+02:00'),
          ],
          trailing: 6,
          cap: 60,
          margin: 1,
          windowDays: 90,
          config: {},
          customers: 150,
          mustSee: USUAL,
        },
        20260900 + seed,
      );
    },
  );
});
