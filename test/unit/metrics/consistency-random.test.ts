/**
 * Seeded random brute force of the cross-dataset checks (METRICS.md "Data quality (every
 * snapshot)", the "Across datasets" table, amendments 11, 13, 20 and 23; DATASETS.md for
 * de-duplication). Random customers, subscriptions, orders, tickets, survey answers, events,
 * sessions and marketing spend go through the engine (`computeMetrics`, as in
 * consistency.test.ts), and each period's findings are worked out again here, in plain
 * TypeScript, from the catalogue's words:
 *
 * - rows are de-duplicated first: the last row of an id wins (files in order, then rows in
 *   order); events with an `event_id` keep the first (amendment 1), events without one all
 *   count; marketing spend has no id (every row counts);
 * - P is `[start, end)`; its bounds are written down here by hand as instants with offsets
 *   (Europe/Berlin moves its clocks forward on 29 March 2026, inside 2026-W13 and 2026-03);
 * - `unknown_customer`: orders (`ordered_at` in P), subscriptions overlapping P, tickets
 *   (`created_at`), survey answers (`responded_at`) whose `customer_id` is set and has no
 *   customers row — only when the customers export has files (an export with files and no
 *   rows knows nobody; no export runs no check);
 * - `user_not_customer`: events (`occurred_at`) and sessions (`started_at`) in P whose
 *   `user_id` has no customers row, only when the customers export has files;
 * - `before_signup`: orders (`ordered_at` in P) and subscriptions (`started_at` in P) strictly
 *   before their customer's `created_at` (the customer's row that counts);
 * - `failed_order_in_revenue`: orders in P whose `status` is `failed` or `declined`, any case;
 * - `channel_without_spend`: the new customers of P (acquisition time — first activation —
 *   in P; amendment 20), in the report's activity mode (the first subscription start, or the
 *   first order with a positive amount, amendment 11), whose customers row has an
 *   `acquisition_channel` no `marketing_spend` row of any date names; only when the spend
 *   export has files and there is a customer base (the mode's export has rows);
 * - zero-length subscriptions (`ended_at = started_at`) are in no check (amendment 23) and
 *   acquire nobody (amendment 13);
 * - each check lists its rows, the distinct ids they reference (customers, users, or for
 *   `channel_without_spend` channels) and the first three in string order; a check with
 *   nothing to report is left out. Findings come in the catalogue's table order.
 */
import { describe, expect, it } from 'vitest';
import type { DatasetName, ReportConfigInput } from '../../../functions/core/config';
import type {
  CustomerRow,
  EventRow,
  MarketingSpendRow,
  OrderRow,
  RowOf,
  SessionRow,
  SubscriptionRow,
  SurveyResponseRow,
  TicketRow,
} from '../../../functions/core/datasets/rows';
import { mulberry32 } from '../../../functions/core/models/simulate';
import type { ConsistencyIssue } from '../../../functions/core/snapshot';
import { at, type Data, lastById, withComputed } from './helpers';

type Rand = () => number;
type Zone = 'UTC' | 'Europe/Berlin';

const MS = 1;
const HOUR = 3_600_000;
const DAY = 86_400_000;

const int = (r: Rand, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
const chance = (r: Rand, p: number): boolean => r() < p;

// ---------------------------------------------------------------------------------------
// Periods, written down by hand as instants with offsets
// ---------------------------------------------------------------------------------------

interface Bounds {
  key: string;
  start: number;
  end: number;
}

/** `[start, end)` of each period used here, per zone. */
const PERIODS: Record<Zone, Record<string, [string, string]>> = {
  UTC: {
    '2026-W11': ['2026-03-09T00:00:00Z', '2026-03-16T00:00:00Z'],
    '2026-W12': ['2026-03-16T00:00:00Z', '2026-03-23T00:00:00Z'],
    '2026-W13': ['2026-03-23T00:00:00Z', '2026-03-30T00:00:00Z'],
  },
  'Europe/Berlin': {
    '2026-W12': ['2026-03-16T00:00:00+01:00', '2026-03-23T00:00:00+01:00'],
    // 167 hours: the clocks go from 02:00 CET to 03:00 CEST on Sunday 29 March.
    '2026-W13': ['2026-03-23T00:00:00+01:00', '2026-03-30T00:00:00+02:00'],
    '2026-W14': ['2026-03-30T00:00:00+02:00', '2026-04-06T00:00:00+02:00'],
    '2026-02': ['2026-02-01T00:00:00+01:00', '2026-03-01T00:00:00+01:00'],
    '2026-03': ['2026-03-01T00:00:00+01:00', '2026-04-01T00:00:00+02:00'],
    '2026-04': ['2026-04-01T00:00:00+02:00', '2026-05-01T00:00:00+02:00'],
  },
};

const boundsOf = (zone: Zone, key: string): Bounds => {
  const b = PERIODS[zone][key];
  if (!b) throw new Error(`no bounds for ${key} in ${zone}`);
  return { key, start: at(b[0]), end: at(b[1]) };
};
const inP = (t: number, p: Bounds): boolean => t >= p.start && t < p.end;

// ---------------------------------------------------------------------------------------
// Random rows
// ---------------------------------------------------------------------------------------

/** Customer ids: `c10` sorts before `c2`, `C5` before `a1` before `c…` (string order). */
const CUSTOMER_POOL = ['c1', 'c2', 'c3', 'c9', 'c10', 'c11', 'c20', 'C5', 'a1', 'c_7', 'c100'];
/** Ids that orders and subscriptions reference but that may have no customers row. */
const STRANGERS = ['x1', 'x2', 'x10', 'x3'];
const VISITORS = ['visitor-1', 'visitor-10', 'visitor-2', 'anon'];
const CHANNELS = ['ads', 'seo', 'podcast', 'tiktok', 'Ads', 'referral', 'ads2'];
const SPEND_CHANNELS = ['ads', 'seo', 'referral', 'tv', 'podcast'];
const STATUSES = [
  undefined,
  'paid',
  'failed',
  'FAILED',
  'Failed',
  'declined',
  'DECLINED',
  'Declined',
  'refunded',
  'failure',
  'declined_card',
  'pending',
];

/** Instants around the periods, often exactly at a bound or next to one. */
function instantMaker(r: Rand, periods: readonly Bounds[]): () => number {
  const first = Math.min(...periods.map((p) => p.start));
  const last = Math.max(...periods.map((p) => p.end));
  const edges = [
    ...new Set(periods.flatMap((p) => [p.start, p.end])),
    at('2026-03-29T01:00:00Z'), // Berlin's clock change
  ];
  const nudges = [0, 0, -MS, MS, -HOUR, HOUR, -2 * HOUR, 2 * HOUR];
  return () =>
    chance(r, 0.35)
      ? pick(r, edges) + pick(r, nudges)
      : first - 8 * DAY + Math.floor(r() * (last - first + 16 * DAY));
}

/** Spreads rows over `files` files at random, keeping their order within each file. */
function spread<T>(r: Rand, rows: readonly T[], files: number): T[][] {
  const out: T[][] = Array.from({ length: files }, () => []);
  for (const row of rows) out[int(r, 0, files - 1)]?.push(row);
  return out;
}

type Presence = 'absent' | 'empty' | 'rows';

interface Shape {
  zone: Zone;
  periods: string[];
  /** `activity.mode` in the config; undefined takes the default. */
  mode?: 'subscriptions' | 'orders';
  customers: Presence;
  spend: Presence;
  subscriptions: Presence;
  orders: Presence;
}

interface Scenario {
  config: ReportConfigInput;
  zone: Zone;
  periods: Bounds[];
  data: Data;
}

function generate(seed: number, shape: Shape): Scenario {
  const r = mulberry32(seed);
  const periods = shape.periods.map((k) => boundsOf(shape.zone, k));
  const when = instantMaker(r, periods);
  const data: Data = {};
  const refs = [...CUSTOMER_POOL, ...STRANGERS];
  const files = () => int(r, 1, 3);

  const put = <D extends DatasetName>(d: D, presence: Presence, rows: RowOf[D][]) => {
    if (presence === 'absent') return;
    (data as Record<string, unknown>)[d] = presence === 'empty' ? [[]] : spread(r, rows, files());
  };
  const maybe = (): Presence => (chance(r, 0.85) ? 'rows' : chance(r, 0.5) ? 'empty' : 'absent');

  // Customers: most of the pool, some twice (the later row changes created_at and channel).
  const customers: CustomerRow[] = [];
  const makeCustomer = (id: string): CustomerRow => ({
    customer_id: id,
    created_at: when(),
    acquisition_channel: chance(r, 0.8) ? pick(r, CHANNELS) : undefined,
    segment: undefined,
    country: undefined,
    onboarding_completed_at: undefined,
  });
  for (const id of CUSTOMER_POOL) {
    if (chance(r, 0.25)) continue;
    customers.push(makeCustomer(id));
    if (chance(r, 0.35)) customers.push(makeCustomer(id));
  }
  // A few more rows for ids seen above, in random places.
  for (let k = int(r, 0, 3); k > 0 && customers.length > 0; k--) {
    customers.push(makeCustomer(pick(r, customers).customer_id));
  }
  put('customers', shape.customers, customers);

  const spendRows: MarketingSpendRow[] = [];
  for (let k = int(r, 1, 6); k > 0; k--) {
    spendRows.push({
      // Any date: a row far from P still means the channel has spend.
      date: at('2025-06-01T00:00:00Z') + int(r, 0, 400) * DAY,
      channel: pick(r, SPEND_CHANNELS),
      amount: pick(r, [0, 10, 125.5]),
      campaign: undefined,
      currency: undefined,
    });
  }
  put('marketing_spend', shape.spend, spendRows);

  const subs: SubscriptionRow[] = [];
  const nSubs = int(r, 4, 24);
  for (let k = 0; k < nSubs; k++) {
    const started = when();
    const kind = r();
    const ended =
      kind < 0.3
        ? undefined
        : kind < 0.45
          ? started
          : kind < 0.7
            ? Math.max(started + MS, when())
            : started + int(r, 1, 20 * 24) * HOUR;
    subs.push({
      subscription_id: `s${int(r, 1, Math.max(1, Math.ceil(nSubs * 0.8)))}`,
      customer_id: pick(r, refs),
      started_at: started,
      ended_at: ended,
      mrr: chance(r, 0.8) ? pick(r, [10, 49.99, 0]) : undefined,
      currency: undefined,
      plan: undefined,
    });
  }
  put('subscriptions', shape.subscriptions, subs);

  const orders: OrderRow[] = [];
  const nOrders = int(r, 4, 36);
  for (let k = 0; k < nOrders; k++) {
    orders.push({
      order_id: `o${int(r, 1, Math.max(1, Math.ceil(nOrders * 0.8)))}`,
      customer_id: pick(r, refs),
      ordered_at: when(),
      amount: pick(r, [10, 25.5, 0, -5, -10]),
      currency: undefined,
      status: pick(r, STATUSES),
    });
  }
  put('orders', shape.orders, orders);

  const tickets: TicketRow[] = [];
  const nTickets = int(r, 0, 14);
  for (let k = 0; k < nTickets; k++) {
    tickets.push({
      ticket_id: `t${int(r, 1, Math.max(1, nTickets))}`,
      created_at: when(),
      customer_id: chance(r, 0.8) ? pick(r, refs) : undefined,
      channel: undefined,
      first_response_at: undefined,
      resolved_at: undefined,
    });
  }
  put('tickets', maybe(), tickets);

  const answers: SurveyResponseRow[] = [];
  const nAnswers = int(r, 0, 14);
  for (let k = 0; k < nAnswers; k++) {
    answers.push({
      response_id: `r${int(r, 1, Math.max(1, nAnswers))}`,
      responded_at: when(),
      survey_type: 'nps',
      score: int(r, 0, 10),
      customer_id: chance(r, 0.8) ? pick(r, refs) : undefined,
      touchpoint: undefined,
      comment: undefined,
    });
  }
  put('survey_responses', maybe(), answers);

  const users = [...CUSTOMER_POOL, ...VISITORS, 'x1'];
  const events: EventRow[] = [];
  const nEvents = int(r, 4, 32);
  for (let k = 0; k < nEvents; k++) {
    events.push({
      user_id: pick(r, users),
      occurred_at: when(),
      event_type: 'app_open',
      event_id: chance(r, 0.6) ? `e${int(r, 1, 12)}` : undefined,
      feature: undefined,
      page: undefined,
      session_id: undefined,
    });
  }
  put('events', maybe(), events);

  const sessions: SessionRow[] = [];
  const nSessions = int(r, 0, 16);
  for (let k = 0; k < nSessions; k++) {
    sessions.push({
      session_id: `se${int(r, 1, Math.max(1, Math.ceil(nSessions * 0.8)))}`,
      user_id: pick(r, users),
      started_at: when(),
      duration_seconds: int(r, 0, 600),
      pageviews: int(r, 0, 5),
      landing_page: undefined,
      channel: undefined,
    });
  }
  put('sessions', maybe(), sessions);

  const config: ReportConfigInput = { timezone: shape.zone };
  if (shape.mode !== undefined) config.activity = { mode: shape.mode };
  return { config, zone: shape.zone, periods, data };
}

// ---------------------------------------------------------------------------------------
// The engine
// ---------------------------------------------------------------------------------------

function engine(s: Scenario): Promise<ConsistencyIssue[][]> {
  return withComputed(
    s.config,
    s.periods.map((p) => p.key),
    s.data,
    (c) => c.consistency,
  );
}

// ---------------------------------------------------------------------------------------
// The brute force, from the catalogue's words
// ---------------------------------------------------------------------------------------

/** Events: the first row of an `event_id` (amendment 1); rows without one all count. */
function firstEvents(files: readonly EventRow[][] | undefined): EventRow[] {
  const seen = new Set<string>();
  const out: EventRow[] = [];
  for (const file of files ?? []) {
    for (const e of file) {
      if (e.event_id !== undefined) {
        if (seen.has(e.event_id)) continue;
        seen.add(e.event_id);
      }
      out.push(e);
    }
  }
  return out;
}

/** String order, by UTF-16 code units (every id here is ASCII). */
const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function finding(
  check: ConsistencyIssue['check'],
  dataset: DatasetName,
  refs: readonly string[],
): ConsistencyIssue[] {
  if (refs.length === 0) return [];
  const distinct = [...new Set(refs)].sort(byString);
  return [
    { check, dataset, count: refs.length, ids: distinct.length, examples: distinct.slice(0, 3) },
  ];
}

const FAILED = new Set(['failed', 'declined']);
/** A subscription that covers some instant: not zero-length (amendments 13, 23). */
const coversAnInstant = (s: SubscriptionRow): boolean =>
  s.ended_at === undefined || s.ended_at > s.started_at;

function expected(s: Scenario): ConsistencyIssue[][] {
  const d = s.data;
  const customerRows = lastById(d.customers, (c) => c.customer_id);
  const customerById = new Map(customerRows.map((c) => [c.customer_id, c]));
  // Only a customers export with files knows who is not a customer.
  const knowsCustomers = d.customers !== undefined;
  const unknown = (id: string | undefined): boolean =>
    knowsCustomers && id !== undefined && !customerById.has(id);

  const orders = lastById(d.orders, (o) => o.order_id);
  const subs = lastById(d.subscriptions, (x) => x.subscription_id);
  const tickets = lastById(d.tickets, (t) => t.ticket_id);
  const answers = lastById(d.survey_responses, (a) => a.response_id);
  const events = firstEvents(d.events);
  const sessions = lastById(d.sessions, (x) => x.session_id);
  const spendChannels = new Set((d.marketing_spend ?? []).flat().map((m) => m.channel));

  // The customer base: the activity mode's export with rows; acquisition = first activation.
  const mode =
    s.config.activity?.mode ?? (d.subscriptions !== undefined ? 'subscriptions' : 'orders');
  const hasBase = mode === 'subscriptions' ? subs.length > 0 : orders.length > 0;
  const acquired = new Map<string, number>();
  const activate = (id: string, t: number) => {
    const was = acquired.get(id);
    if (was === undefined || t < was) acquired.set(id, t);
  };
  if (mode === 'subscriptions') {
    for (const x of subs) if (coversAnInstant(x)) activate(x.customer_id, x.started_at);
  } else {
    for (const o of orders) if (o.amount > 0) activate(o.customer_id, o.ordered_at);
  }
  const runCac = d.marketing_spend !== undefined && hasBase;

  return s.periods.map((p) => {
    const before = (id: string, t: number): boolean => {
      const c = customerById.get(id);
      return c !== undefined && t < c.created_at;
    };
    const newWithoutSpend: string[] = [];
    if (runCac) {
      for (const [id, t] of acquired) {
        const channel = customerById.get(id)?.acquisition_channel;
        if (inP(t, p) && channel !== undefined && !spendChannels.has(channel)) {
          newWithoutSpend.push(channel);
        }
      }
    }
    return [
      ...finding(
        'unknown_customer',
        'orders',
        orders
          .filter((o) => inP(o.ordered_at, p) && unknown(o.customer_id))
          .map((o) => o.customer_id),
      ),
      ...finding(
        'unknown_customer',
        'subscriptions',
        subs
          .filter(
            (x) =>
              coversAnInstant(x) &&
              x.started_at < p.end &&
              (x.ended_at === undefined || x.ended_at > p.start) &&
              unknown(x.customer_id),
          )
          .map((x) => x.customer_id),
      ),
      ...finding(
        'unknown_customer',
        'tickets',
        tickets
          .filter((t) => inP(t.created_at, p) && unknown(t.customer_id))
          .map((t) => t.customer_id as string),
      ),
      ...finding(
        'unknown_customer',
        'survey_responses',
        answers
          .filter((a) => inP(a.responded_at, p) && unknown(a.customer_id))
          .map((a) => a.customer_id as string),
      ),
      ...finding(
        'user_not_customer',
        'events',
        events.filter((e) => inP(e.occurred_at, p) && unknown(e.user_id)).map((e) => e.user_id),
      ),
      ...finding(
        'user_not_customer',
        'sessions',
        sessions.filter((x) => inP(x.started_at, p) && unknown(x.user_id)).map((x) => x.user_id),
      ),
      ...finding(
        'before_signup',
        'orders',
        orders
          .filter((o) => inP(o.ordered_at, p) && before(o.customer_id, o.ordered_at))
          .map((o) => o.customer_id),
      ),
      ...finding(
        'before_signup',
        'subscriptions',
        subs
          .filter(
            (x) =>
              coversAnInstant(x) && inP(x.started_at, p) && before(x.customer_id, x.started_at),
          )
          .map((x) => x.customer_id),
      ),
      ...finding(
        'failed_order_in_revenue',
        'orders',
        orders
          .filter((o) => inP(o.ordered_at, p) && FAILED.has((o.status ?? '').toLowerCase()))
          .map((o) => o.customer_id),
      ),
      ...finding('channel_without_spend', 'customers', newWithoutSpend),
    ];
  });
}

// ---------------------------------------------------------------------------------------
// Runs
// ---------------------------------------------------------------------------------------

/** What the random runs met, so that a run that tests nothing fails. */
interface Coverage {
  present: Map<string, number>;
  absent: Map<string, number>;
  truncated: number;
}
const newCoverage = (): Coverage => ({ present: new Map(), absent: new Map(), truncated: 0 });
const CHECK_KEYS = [
  'unknown_customer:orders',
  'unknown_customer:subscriptions',
  'unknown_customer:tickets',
  'unknown_customer:survey_responses',
  'user_not_customer:events',
  'user_not_customer:sessions',
  'before_signup:orders',
  'before_signup:subscriptions',
  'failed_order_in_revenue:orders',
  'channel_without_spend:customers',
];
const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);

async function compare(seed: number, shape: Shape, coverage: Coverage): Promise<void> {
  const s = generate(seed, shape);
  const want = expected(s);
  const got = await engine(s);
  s.periods.forEach((p, i) => {
    const label = `seed ${seed}, ${shape.zone} ${p.key}`;
    expect(got[i], label).toEqual(want[i]);
    const keys = new Set((want[i] ?? []).map((f) => `${f.check}:${f.dataset}`));
    for (const k of CHECK_KEYS) bump(keys.has(k) ? coverage.present : coverage.absent, k);
    coverage.truncated += (want[i] ?? []).filter((f) => f.ids > 3).length;
  });
}

const SEEDS = (from: number, n: number): number[] => Array.from({ length: n }, (_, k) => from + k);

/**
 * The customers and spend exports of the n-th seed of a run: one seed each with an export
 * whose file has no rows, one each without the export, the others with rows.
 */
function shapeFor(n: number, base: Omit<Shape, 'customers' | 'spend'>): Shape {
  const customers: Presence = n === 0 ? 'empty' : n === 1 ? 'absent' : 'rows';
  const spend: Presence = n === 2 ? 'empty' : n === 3 ? 'absent' : 'rows';
  return { ...base, customers, spend };
}

function expectCovered(coverage: Coverage): void {
  for (const k of CHECK_KEYS) {
    expect(coverage.present.get(k) ?? 0, `${k} found somewhere`).toBeGreaterThan(0);
    expect(coverage.absent.get(k) ?? 0, `${k} absent somewhere`).toBeGreaterThan(0);
  }
  expect(coverage.truncated, 'a finding with more than three ids').toBeGreaterThan(0);
}

describe('consistency checks against a brute force of the catalogue', () => {
  it('UTC weeks, subscriptions mode: every check of every period (seeds 1001–1008)', async () => {
    const coverage = newCoverage();
    for (const seed of SEEDS(1001, 8)) {
      await compare(
        seed,
        shapeFor(seed % 8, {
          zone: 'UTC',
          periods: ['2026-W11', '2026-W12', '2026-W13'],
          subscriptions: 'rows',
          orders: 'rows',
        }),
        coverage,
      );
    }
    expectCovered(coverage);
  });

  it('Europe/Berlin weeks and months across the clock change (seeds 2001–2008)', async () => {
    const coverage = newCoverage();
    for (const seed of SEEDS(2001, 8)) {
      const periods =
        seed % 2 === 0 ? ['2026-W12', '2026-W13', '2026-W14'] : ['2026-02', '2026-03', '2026-04'];
      await compare(
        seed,
        shapeFor(seed % 8, {
          zone: 'Europe/Berlin',
          periods,
          subscriptions: 'rows',
          orders: 'rows',
        }),
        coverage,
      );
    }
    expectCovered(coverage);
  });

  it('orders mode: acquisition by the first order with a positive amount (seeds 3001–3008)', async () => {
    const coverage = newCoverage();
    for (const seed of SEEDS(3001, 8)) {
      // Without a subscriptions export (the default mode is then orders), or with one and
      // `activity.mode: "orders"`.
      const explicit = seed % 2 === 0;
      await compare(
        seed,
        shapeFor(seed % 8, {
          zone: seed % 3 === 0 ? 'Europe/Berlin' : 'UTC',
          periods: seed % 3 === 0 ? ['2026-W12', '2026-W13', '2026-W14'] : ['2026-W11', '2026-W12'],
          ...(explicit ? { mode: 'orders' as const } : {}),
          subscriptions: explicit ? 'rows' : 'absent',
          orders: 'rows',
        }),
        coverage,
      );
    }
    expectCovered(coverage);
  });
});

// ---------------------------------------------------------------------------------------
// Hand-made cases: each compared with the brute force and with values worked out by hand
// ---------------------------------------------------------------------------------------

const cust = (id: string, created: string, channel?: string): CustomerRow => ({
  customer_id: id,
  created_at: at(created),
  acquisition_channel: channel,
  segment: undefined,
  country: undefined,
  onboarding_completed_at: undefined,
});
const ord = (id: string, customerId: string, when: string, status?: string): OrderRow => ({
  order_id: id,
  customer_id: customerId,
  ordered_at: at(when),
  amount: 10,
  currency: undefined,
  status,
});
const subscription = (
  id: string,
  customerId: string,
  started: string,
  ended?: string,
): SubscriptionRow => ({
  subscription_id: id,
  customer_id: customerId,
  started_at: at(started),
  ended_at: ended === undefined ? undefined : at(ended),
  mrr: 10,
  currency: undefined,
  plan: undefined,
});
const spendOn = (date: string, channel: string): MarketingSpendRow => ({
  date: at(date),
  channel,
  amount: 100,
  campaign: undefined,
  currency: undefined,
});
const ev = (userId: string, when: string, eventId?: string): EventRow => ({
  user_id: userId,
  occurred_at: at(when),
  event_type: 'app_open',
  event_id: eventId,
  feature: undefined,
  page: undefined,
  session_id: undefined,
});
const tick = (id: string, customerId: string | undefined, when: string): TicketRow => ({
  ticket_id: id,
  created_at: at(when),
  customer_id: customerId,
  channel: undefined,
  first_response_at: undefined,
  resolved_at: undefined,
});

const scenario = (zone: Zone, keys: string[], data: Data, config: ReportConfigInput = {}) => ({
  config: { timezone: zone, ...config },
  zone,
  periods: keys.map((k) => boundsOf(zone, k)),
  data,
});

/** The engine's findings, checked against the brute force, then returned for literals. */
async function checked(s: Scenario): Promise<ConsistencyIssue[][]> {
  const got = await engine(s);
  expect(got).toEqual(expected(s));
  return got;
}

describe('consistency checks on hand-made rows', () => {
  it('orders ids as strings, shows three, leaves quiet checks out, keeps the last row', async () => {
    // UTC: W11 = [9 Mar, 16 Mar), W12 = [16 Mar, 23 Mar).
    const s = scenario('UTC', ['2026-W11', '2026-W12'], {
      customers: [
        [
          cust('c2', '2026-01-01T00:00:00Z', 'ads'),
          cust('c10', '2026-03-20T00:00:00Z', 'podcast'),
          cust('c1', '2026-01-01T00:00:00Z'),
        ],
        // The later file's rows win: c10 signed up on 1 Jan from tv, c1 on 18 Mar from podcast.
        [cust('c10', '2026-01-01T00:00:00Z', 'tv'), cust('c1', '2026-03-18T00:00:00Z', 'podcast')],
      ],
      marketing_spend: [[spendOn('2025-07-01', 'ads')]],
      subscriptions: [
        [
          // c10 is acquired in W12 (from tv, without spend).
          subscription('s1', 'c10', '2026-03-17T00:00:00Z'),
          // Zero-length: no unknown customer (x5), no sign-up (c1 signed up on 18 Mar), no
          // acquisition (c1's podcast would otherwise be a channel without spend).
          subscription('z1', 'x5', '2026-03-17T00:00:00Z', '2026-03-17T00:00:00Z'),
          subscription('z2', 'c1', '2026-03-17T00:00:00Z', '2026-03-17T00:00:00Z'),
          // c2 (ads, with spend) is acquired in W11: nothing to report there.
          subscription('s2', 'c2', '2026-03-10T00:00:00Z'),
        ],
      ],
      orders: [
        [
          ord('o1', 'x9', '2026-03-17T10:00:00Z'),
          ord('o2', 'x2', '2026-03-17T10:00:00Z'),
          ord('o3', 'x10', '2026-03-17T10:00:00Z'),
          ord('o4', 'c3', '2026-03-18T10:00:00Z'),
          ord('o5', 'c20', '2026-03-18T10:00:00Z'),
        ],
        [
          // o1 is c2's after all (the last row of the id).
          ord('o1', 'c2', '2026-03-17T10:00:00Z'),
          ord('o6', 'x1', '2026-03-19T10:00:00Z'),
          ord('o7', 'x2', '2026-03-19T10:00:00Z'),
          // Before c1's sign-up on 18 Mar (its last row), and declined.
          ord('o8', 'c1', '2026-03-17T10:00:00Z', 'DECLINED'),
          // Not before c10's sign-up (1 Jan, its last row).
          ord('o9', 'c10', '2026-03-17T10:00:00Z', 'paid'),
        ],
      ],
      events: [
        [ev('visitor-3', '2026-03-17T10:00:00Z', 'e1'), ev('visitor-2', '2026-03-17T11:00:00Z')],
        // e1 again: events keep the first row, so c10's copy is no event.
        [ev('c10', '2026-03-17T12:00:00Z', 'e1'), ev('visitor-10', '2026-03-18T10:00:00Z')],
      ],
    });
    const [w11, w12] = await checked(s);
    expect(w11).toEqual([]);
    expect(w12).toEqual([
      // x2 twice; c3 and c20 have no customers row: c20 < c3 < x1 < x10 < x2.
      {
        check: 'unknown_customer',
        dataset: 'orders',
        count: 6,
        ids: 5,
        examples: ['c20', 'c3', 'x1'],
      },
      {
        check: 'user_not_customer',
        dataset: 'events',
        count: 3,
        ids: 3,
        examples: ['visitor-10', 'visitor-2', 'visitor-3'],
      },
      { check: 'before_signup', dataset: 'orders', count: 1, ids: 1, examples: ['c1'] },
      { check: 'failed_order_in_revenue', dataset: 'orders', count: 1, ids: 1, examples: ['c1'] },
      { check: 'channel_without_spend', dataset: 'customers', count: 1, ids: 1, examples: ['tv'] },
    ]);
  });

  it('tells a customers export without files from one with files but not this id', async () => {
    const rest: Data = {
      orders: [[ord('o1', 'x1', '2026-03-17T10:00:00Z', 'Failed')]],
      tickets: [
        [tick('t1', 'x1', '2026-03-17T10:00:00Z'), tick('t2', undefined, '2026-03-17T10:00:00Z')],
      ],
      events: [[ev('u1', '2026-03-18T10:00:00Z')]],
    };
    const failed = {
      check: 'failed_order_in_revenue',
      dataset: 'orders',
      count: 1,
      ids: 1,
      examples: ['x1'],
    };
    const unknownX1 = [
      { check: 'unknown_customer', dataset: 'orders', count: 1, ids: 1, examples: ['x1'] },
      { check: 'unknown_customer', dataset: 'tickets', count: 1, ids: 1, examples: ['x1'] },
    ];
    const notCustomer = {
      check: 'user_not_customer',
      dataset: 'events',
      count: 1,
      ids: 1,
      examples: ['u1'],
    };
    // No customers export: nobody is known to be unknown.
    expect(await checked(scenario('UTC', ['2026-W12'], rest))).toEqual([[failed]]);
    // A customers export whose file has no rows: every id is unknown.
    expect(await checked(scenario('UTC', ['2026-W12'], { ...rest, customers: [[]] }))).toEqual([
      [...unknownX1, notCustomer, failed],
    ]);
    // Rows, but none for x1 or u1.
    const c1 = [[cust('c1', '2026-01-01T00:00:00Z')]];
    expect(await checked(scenario('UTC', ['2026-W12'], { ...rest, customers: c1 }))).toEqual([
      [...unknownX1, notCustomer, failed],
    ]);
    // x1 has a row (signed up before its order): only u1 and the failed charge remain.
    const x1 = [[cust('x1', '2026-01-01T00:00:00Z')]];
    expect(await checked(scenario('UTC', ['2026-W12'], { ...rest, customers: x1 }))).toEqual([
      [notCustomer, failed],
    ]);
  });

  it('runs the channel check with spend files, even without rows, and spend of any date', async () => {
    const base: Data = {
      customers: [[cust('c1', '2026-01-01T00:00:00Z', 'ads')]],
      subscriptions: [[subscription('s1', 'c1', '2026-03-17T00:00:00Z')]],
    };
    const adsWithout = {
      check: 'channel_without_spend',
      dataset: 'customers',
      count: 1,
      ids: 1,
      examples: ['ads'],
    };
    expect(await checked(scenario('UTC', ['2026-W12'], base))).toEqual([[]]);
    expect(
      await checked(scenario('UTC', ['2026-W12'], { ...base, marketing_spend: [[]] })),
    ).toEqual([[adsWithout]]);
    // Spend on ads two years before: the channel has spend.
    const old = [[spendOn('2024-03-01', 'ads')]];
    expect(await checked(scenario('UTC', ['2026-W12'], { ...base, marketing_spend: old }))).toEqual(
      [[]],
    );
    // Channels compare exactly: spend on "Ads" is not spend on "ads".
    const other = [[spendOn('2026-03-17', 'Ads')]];
    expect(
      await checked(scenario('UTC', ['2026-W12'], { ...base, marketing_spend: other })),
    ).toEqual([[adsWithout]]);
  });

  it('reads P in Europe/Berlin: W13 is [22 Mar 23:00Z, 29 Mar 22:00Z) across the clock change', async () => {
    const s = scenario('Europe/Berlin', ['2026-W13', '2026-W14'], {
      customers: [[cust('c1', '2026-01-01T00:00:00Z')]],
      orders: [
        [
          ord('o1', 'xa', '2026-03-22T23:00:00Z'), // W13's first instant (00:00 CET)
          ord('o2', 'xb', '2026-03-22T22:59:59.999Z'), // still W12
          ord('o3', 'xc', '2026-03-29T21:59:59.999Z'), // W13's last millisecond (23:59 CEST)
          ord('o4', 'xd', '2026-03-29T22:00:00Z'), // W14's first instant (00:00 CEST)
          ord('o5', 'xe', '2026-03-29T23:00:00Z'), // W14 here, W13 in UTC
          ord('o6', 'xf', '2026-03-29T01:00:00Z'), // the clock change itself: W13
        ],
      ],
      subscriptions: [
        [
          // Ends at W13's first instant: overlaps no instant of W13.
          subscription('s1', 'xs1', '2026-03-10T00:00:00Z', '2026-03-22T23:00:00Z'),
          // Ends a millisecond later: overlaps W13.
          subscription('s2', 'xs2', '2026-03-10T00:00:00Z', '2026-03-22T23:00:00.001Z'),
          // Starts at W14's first instant.
          subscription('s3', 'xs3', '2026-03-29T22:00:00Z'),
        ],
      ],
    });
    const [w13, w14] = await checked(s);
    expect(w13).toEqual([
      {
        check: 'unknown_customer',
        dataset: 'orders',
        count: 3,
        ids: 3,
        examples: ['xa', 'xc', 'xf'],
      },
      { check: 'unknown_customer', dataset: 'subscriptions', count: 1, ids: 1, examples: ['xs2'] },
    ]);
    expect(w14).toEqual([
      { check: 'unknown_customer', dataset: 'orders', count: 2, ids: 2, examples: ['xd', 'xe'] },
      { check: 'unknown_customer', dataset: 'subscriptions', count: 1, ids: 1, examples: ['xs3'] },
    ]);
  });
});
