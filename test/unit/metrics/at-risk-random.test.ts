/**
 * Seeded random brute force of the at-risk family (METRICS.md "At-risk customers and their
 * reasons", amendments 1, 15, 16 and 17, "Configuration defaults" `atRisk.*`): some tens of
 * customers get random subscriptions (plan changes, churn, late starts, several at once),
 * orders with statuses, events, NPS (and other) answers and tickets, and the engine's
 * `at_risk_subscribers`, its list of subscribers at risk and every customer's signals are
 * worked out again here, in plain TypeScript, from the catalogue's words:
 * - rows de-duplicated by id: the last row of an id wins (files in order, then rows), events
 *   keep the first row of an `event_id` (amendment 1), events without one all count;
 * - `activity_drop`: n = events in P, T = events in the N periods before P (a = T / N, a
 *   period without events is 0), raised when a ≥ min, n ≤ a × (1 − drop / 100) and n below
 *   every one of the N trailing counts — compared in whole numbers, the settings in
 *   millionths (amendment 16); the words: the fall rounded down, a to one decimal half up;
 * - `failed_payment`: orders of P with status failed / declined in any case;
 * - `downgrade`: active at the end, MRR (sum of the covering subscriptions' mrr, millionths)
 *   at the end below that at the start;
 * - `low_nps`: the latest NPS answer of the customer in [start of P − N periods, end) is 0–6;
 * - `open_tickets`: created before the end, not resolved before it, evaluated only when some
 *   ticket has a `resolved_at`; its age in whole days of 24 h to the end;
 * - the subscribers at risk: active at the end with a signal, most MRR at the end, then most
 *   signals, then id; the first `atRisk.listSize` listed, all counted; `null` when no signal
 *   has its input.
 * Period bounds are written down here by hand as instants with their offsets (Europe/Berlin
 * is +01:00 until 29 March 2026 01:00Z, +02:00 after), and local dates come from those
 * offsets, not from the engine's period code.
 */
import { describe, expect, it } from 'vitest';
import type { ReportConfigInput } from '../../../functions/core/config';
import type {
  EventRow,
  OrderRow,
  SubscriptionRow,
  SurveyResponseRow,
  TicketRow,
} from '../../../functions/core/datasets/rows';
import { mulberry32 } from '../../../functions/core/models/simulate';
import type { AtRiskReason, AtRiskSubscriber, MetricValue } from '../../../functions/core/snapshot';
import { at, type Data, lastById, metric, reasonOf, withComputed } from './helpers';

type Rand = () => number;
type Result = Record<string, Record<string, MetricValue>>;

const HOUR = 3_600_000;
const DAY = 86_400_000;
const MICROS = 1_000_000;

const int = (r: Rand, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;

// ---- Periods, written down by hand ----------------------------------------------------------

interface Bounds {
  key: string;
  start: number;
  end: number;
}
/** Consecutive periods from `[key, start]` pairs and the end of the last one. */
function periods(starts: readonly [string, string][], lastEnd: string): Bounds[] {
  return starts.map(([key, start], i) => ({
    key,
    start: at(start),
    end: at(i + 1 < starts.length ? (starts[i + 1] as [string, string])[1] : lastEnd),
  }));
}
const inP = (t: number, p: { start: number; end: number }): boolean => t >= p.start && t < p.end;

// UTC ISO weeks of 2026 (Monday starts): W07 = [9 Feb, 16 Feb) … W15 = [6 Apr, 13 Apr).
const UTC_WEEKS = periods(
  [
    ['2026-W07', '2026-02-09T00:00:00Z'],
    ['2026-W08', '2026-02-16T00:00:00Z'],
    ['2026-W09', '2026-02-23T00:00:00Z'],
    ['2026-W10', '2026-03-02T00:00:00Z'],
    ['2026-W11', '2026-03-09T00:00:00Z'],
    ['2026-W12', '2026-03-16T00:00:00Z'],
    ['2026-W13', '2026-03-23T00:00:00Z'],
    ['2026-W14', '2026-03-30T00:00:00Z'],
    ['2026-W15', '2026-04-06T00:00:00Z'],
  ],
  '2026-04-13T00:00:00Z',
);
// UTC ISO weeks W04 = [19 Jan, 26 Jan) … W12 = [16 Mar, 23 Mar), for 5 trailing weeks.
const UTC_WEEKS_LONG = periods(
  [
    ['2026-W04', '2026-01-19T00:00:00Z'],
    ['2026-W05', '2026-01-26T00:00:00Z'],
    ['2026-W06', '2026-02-02T00:00:00Z'],
    ['2026-W07', '2026-02-09T00:00:00Z'],
    ['2026-W08', '2026-02-16T00:00:00Z'],
    ['2026-W09', '2026-02-23T00:00:00Z'],
    ['2026-W10', '2026-03-02T00:00:00Z'],
    ['2026-W11', '2026-03-09T00:00:00Z'],
    ['2026-W12', '2026-03-16T00:00:00Z'],
  ],
  '2026-03-23T00:00:00Z',
);
// UTC ISO weeks 2025-W36 = [1 Sep 2025, 8 Sep) … 2026-W12 = [16 Mar, 23 Mar), for 25 trailing
// weeks (2025 has 52 ISO weeks; 2026-W01 starts on Monday 29 December 2025).
const UTC_WEEKS_25 = periods(
  [
    ['2025-W36', '2025-09-01T00:00:00Z'],
    ['2025-W37', '2025-09-08T00:00:00Z'],
    ['2025-W38', '2025-09-15T00:00:00Z'],
    ['2025-W39', '2025-09-22T00:00:00Z'],
    ['2025-W40', '2025-09-29T00:00:00Z'],
    ['2025-W41', '2025-10-06T00:00:00Z'],
    ['2025-W42', '2025-10-13T00:00:00Z'],
    ['2025-W43', '2025-10-20T00:00:00Z'],
    ['2025-W44', '2025-10-27T00:00:00Z'],
    ['2025-W45', '2025-11-03T00:00:00Z'],
    ['2025-W46', '2025-11-10T00:00:00Z'],
    ['2025-W47', '2025-11-17T00:00:00Z'],
    ['2025-W48', '2025-11-24T00:00:00Z'],
    ['2025-W49', '2025-12-01T00:00:00Z'],
    ['2025-W50', '2025-12-08T00:00:00Z'],
    ['2025-W51', '2025-12-15T00:00:00Z'],
    ['2025-W52', '2025-12-22T00:00:00Z'],
    ['2026-W01', '2025-12-29T00:00:00Z'],
    ['2026-W02', '2026-01-05T00:00:00Z'],
    ['2026-W03', '2026-01-12T00:00:00Z'],
    ['2026-W04', '2026-01-19T00:00:00Z'],
    ['2026-W05', '2026-01-26T00:00:00Z'],
    ['2026-W06', '2026-02-02T00:00:00Z'],
    ['2026-W07', '2026-02-09T00:00:00Z'],
    ['2026-W08', '2026-02-16T00:00:00Z'],
    ['2026-W09', '2026-02-23T00:00:00Z'],
    ['2026-W10', '2026-03-02T00:00:00Z'],
    ['2026-W11', '2026-03-09T00:00:00Z'],
    ['2026-W12', '2026-03-16T00:00:00Z'],
  ],
  '2026-03-23T00:00:00Z',
);
// UTC months November 2025 … May 2026 (30, 31, 31, 28, 31, 30, 31 days).
const UTC_MONTHS = periods(
  [
    ['2025-11', '2025-11-01T00:00:00Z'],
    ['2025-12', '2025-12-01T00:00:00Z'],
    ['2026-01', '2026-01-01T00:00:00Z'],
    ['2026-02', '2026-02-01T00:00:00Z'],
    ['2026-03', '2026-03-01T00:00:00Z'],
    ['2026-04', '2026-04-01T00:00:00Z'],
    ['2026-05', '2026-05-01T00:00:00Z'],
  ],
  '2026-06-01T00:00:00Z',
);
// Europe/Berlin ISO weeks: CET (+01:00) until Sunday 29 March 2026 02:00 local, then CEST
// (+02:00): W13 = [23 Mar 00:00+01:00, 30 Mar 00:00+02:00) is 167 h long.
const BERLIN_WEEKS = periods(
  [
    ['2026-W08', '2026-02-16T00:00:00+01:00'],
    ['2026-W09', '2026-02-23T00:00:00+01:00'],
    ['2026-W10', '2026-03-02T00:00:00+01:00'],
    ['2026-W11', '2026-03-09T00:00:00+01:00'],
    ['2026-W12', '2026-03-16T00:00:00+01:00'],
    ['2026-W13', '2026-03-23T00:00:00+01:00'],
    ['2026-W14', '2026-03-30T00:00:00+02:00'],
    ['2026-W15', '2026-04-06T00:00:00+02:00'],
    ['2026-W16', '2026-04-13T00:00:00+02:00'],
  ],
  '2026-04-20T00:00:00+02:00',
);
// Europe/Berlin months November 2025 … May 2026; March is 743 h long.
const BERLIN_MONTHS = periods(
  [
    ['2025-11', '2025-11-01T00:00:00+01:00'],
    ['2025-12', '2025-12-01T00:00:00+01:00'],
    ['2026-01', '2026-01-01T00:00:00+01:00'],
    ['2026-02', '2026-02-01T00:00:00+01:00'],
    ['2026-03', '2026-03-01T00:00:00+01:00'],
    ['2026-04', '2026-04-01T00:00:00+02:00'],
    ['2026-05', '2026-05-01T00:00:00+02:00'],
  ],
  '2026-06-01T00:00:00+02:00',
);

/** The local calendar date of an instant. */
type LocalDate = (t: number) => string;
const utcDate: LocalDate = (t) => new Date(t).toISOString().slice(0, 10);
/** Europe/Berlin between the DST end of 2025 and that of 2026: +01:00, from 29 Mar 01:00Z +02:00. */
const berlinDate: LocalDate = (t) => {
  if (t < at('2025-10-26T01:00:00Z') || t >= at('2026-10-25T01:00:00Z')) {
    throw new Error(`no hand-written Berlin offset for ${new Date(t).toISOString()}`);
  }
  const offset = t < at('2026-03-29T01:00:00Z') ? HOUR : 2 * HOUR;
  return new Date(t + offset).toISOString().slice(0, 10);
};

// ---- The brute force --------------------------------------------------------------------------

/** The at-risk settings as the rule reads them: whole millionths. */
interface Settings {
  trailing: number;
  dropMicros: number;
  minMicros: number;
  listSize: number;
}
/** The `atRisk` config as the report gives it. */
interface AtRiskInput {
  trailingPeriods: number;
  activityDropPercent: number;
  minTrailingEvents: number;
  listSize: number;
}
/** "Configuration defaults": 4 periods, 50 %, 3 events a period, 10 listed. */
const DEFAULTS: AtRiskInput = {
  trailingPeriods: 4,
  activityDropPercent: 50,
  minTrailingEvents: 3,
  listSize: 10,
};
const settings = (c: AtRiskInput): Settings => ({
  trailing: c.trailingPeriods,
  dropMicros: Math.round(c.activityDropPercent * MICROS),
  minMicros: Math.round(c.minTrailingEvents * MICROS),
  listSize: c.listSize,
});

interface Scenario {
  /** Consecutive periods, oldest first; the reported ones have N periods before them. */
  seq: Bounds[];
  reported: number[];
  settings: Settings;
  localDate: LocalDate;
}

interface Files {
  subscriptions: SubscriptionRow[][];
  orders: OrderRow[][];
  events: EventRow[][];
  survey_responses: SurveyResponseRow[][];
  tickets: TicketRow[][];
}
interface Rows {
  subscriptions: SubscriptionRow[];
  orders: OrderRow[];
  events: EventRow[];
  survey_responses: SurveyResponseRow[];
  tickets: TicketRow[];
}

/** Events: the first row of an `event_id` wins (amendment 1); rows without one all count. */
function firstEvents(files: readonly EventRow[][]): EventRow[] {
  const seen = new Set<string>();
  const out: EventRow[] = [];
  for (const file of files) {
    for (const row of file) {
      if (row.event_id !== undefined) {
        if (seen.has(row.event_id)) continue;
        seen.add(row.event_id);
      }
      out.push(row);
    }
  }
  return out;
}
function dedupe(files: Files): Rows {
  return {
    subscriptions: lastById(files.subscriptions, (s) => s.subscription_id),
    orders: lastById(files.orders, (o) => o.order_id),
    events: firstEvents(files.events),
    survey_responses: lastById(files.survey_responses, (r) => r.response_id),
    tickets: lastById(files.tickets, (t) => t.ticket_id),
  };
}

const covers = (s: SubscriptionRow, t: number): boolean =>
  s.started_at <= t && (s.ended_at === undefined || t < s.ended_at);
/** A customer's MRR at t in millionths: each covering subscription's mrr rounded, summed. */
const mrrMicrosAt = (subs: readonly SubscriptionRow[], t: number): number =>
  subs.filter((s) => covers(s, t)).reduce((sum, s) => sum + Math.round((s.mrr ?? 0) * MICROS), 0);
/** `99` for whole amounts, `49.50` otherwise (the test's amounts have at most 2 decimals). */
function money(micros: number): string {
  if (micros % MICROS === 0) return String(micros / MICROS);
  const cents = Math.round(micros / 10_000);
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}
const days = (d: number): string => `${d} day${d === 1 ? '' : 's'}`;

/** What happened at the activity rule's edges, for the test's checks on its data. */
interface Edges {
  dropExactFlagged: number;
  dropJustMissed: number;
  minEdgeFlagged: number;
  minJustMissed: number;
  atOwnMinimum: number;
  belowOwnMinimumFlagged: number;
  zeroTrailingPeriod: number;
}

interface Expected {
  /** Every customer's signals (customers without any: absent). */
  signals: Map<string, AtRiskReason[]>;
  /** The subscribers at risk, all of them, in the list's order. */
  atRisk: AtRiskSubscriber[];
  count: number | null;
  edges: Edges;
}

const NO_INPUT =
  'no at-risk signal can be evaluated: no events, no order with a status, no subscription with an mrr, no NPS answer with a customer_id, no ticket with a customer_id and a resolved_at in the export';

/** The at-risk signals and subscribers of the reported period `seq[j]`, from the catalogue. */
function expectedAt(sc: Scenario, rows: Rows, j: number): Expected {
  const { trailing: N, dropMicros, minMicros } = sc.settings;
  const P = sc.seq[j] as Bounds;
  const trailingWindows = Array.from({ length: N }, (_, k) => sc.seq[j - 1 - k] as Bounds);
  if (trailingWindows.some((w) => w === undefined)) throw new Error('too few periods before P');
  const npsWindow = { start: (sc.seq[j - N] as Bounds).start, end: P.end };
  const keptMicros = 100 * MICROS - dropMicros;
  const edges: Edges = {
    dropExactFlagged: 0,
    dropJustMissed: 0,
    minEdgeFlagged: 0,
    minJustMissed: 0,
    atOwnMinimum: 0,
    belowOwnMinimumFlagged: 0,
    zeroTrailingPeriod: 0,
  };
  const anyResolved = rows.tickets.some((t) => t.resolved_at !== undefined);
  const ids = new Set<string>();
  for (const s of rows.subscriptions) ids.add(s.customer_id);
  for (const o of rows.orders) ids.add(o.customer_id);
  for (const e of rows.events) ids.add(e.user_id);
  for (const r of rows.survey_responses) if (r.customer_id) ids.add(r.customer_id);
  for (const t of rows.tickets) if (t.customer_id) ids.add(t.customer_id);

  const signals = new Map<string, AtRiskReason[]>();
  const atRisk: AtRiskSubscriber[] = [];
  for (const id of ids) {
    const reasons: AtRiskReason[] = [];
    // activity_drop
    const mine = rows.events.filter((e) => e.user_id === id);
    if (mine.length > 0) {
      const n = mine.filter((e) => inP(e.occurred_at, P)).length;
      const counts = trailingWindows.map((w) => mine.filter((e) => inP(e.occurred_at, w)).length);
      const T = counts.reduce((a, b) => a + b, 0);
      const lowest = Math.min(...counts);
      const enough = T * MICROS >= minMicros * N; // a ≥ min
      const dropped = n * N * 100 * MICROS <= T * keptMicros; // n ≤ a × (1 − drop / 100)
      const below = n < lowest;
      if (enough && dropped && below) {
        const percent = Math.floor(((T - n * N) * 100) / T);
        const tenths = Math.floor((20 * T + N) / (2 * N)); // 10 × T / N, half up
        reasons.push({
          kind: 'activity_drop',
          detail: `activity −${percent} % vs its ${N}-period average (${n} vs ${Math.floor(tenths / 10)}.${tenths % 10})`,
        });
        if (n * N * 100 * MICROS === T * keptMicros) edges.dropExactFlagged++;
        if ((T - 1) * MICROS < minMicros * N) edges.minEdgeFlagged++; // the fewest that pass
        if (n === lowest - 1) edges.belowOwnMinimumFlagged++;
      } else {
        if (enough && below && (n - 1) * N * 100 * MICROS <= T * keptMicros) edges.dropJustMissed++;
        if (dropped && below && (T + 1) * MICROS >= minMicros * N) edges.minJustMissed++;
        if (enough && dropped && n === lowest) edges.atOwnMinimum++;
        if (enough && dropped && lowest === 0 && T > 0) edges.zeroTrailingPeriod++;
      }
    }
    // failed_payment
    const failed = rows.orders.filter(
      (o) =>
        o.customer_id === id &&
        inP(o.ordered_at, P) &&
        o.status !== undefined &&
        ['failed', 'declined'].includes(o.status.toLowerCase()),
    );
    if (failed.length > 0) {
      const last = sc.localDate(Math.max(...failed.map((o) => o.ordered_at)));
      reasons.push({
        kind: 'failed_payment',
        detail:
          failed.length === 1
            ? `payment failed on ${last}`
            : `${failed.length} failed payments, last on ${last}`,
      });
    }
    // downgrade
    const subs = rows.subscriptions.filter((s) => s.customer_id === id);
    const activeAtEnd = subs.some((s) => covers(s, P.end));
    const mrrStart = mrrMicrosAt(subs, P.start);
    const mrrEnd = mrrMicrosAt(subs, P.end);
    if (activeAtEnd && mrrEnd < mrrStart) {
      reasons.push({ kind: 'downgrade', detail: `MRR ${money(mrrStart)} → ${money(mrrEnd)}` });
    }
    // low_nps
    const answers = rows.survey_responses
      .filter(
        (r) => r.customer_id === id && r.survey_type === 'nps' && inP(r.responded_at, npsWindow),
      )
      .sort((a, b) => a.responded_at - b.responded_at);
    const latest = answers[answers.length - 1];
    if (latest !== undefined) {
      const tied = answers.filter((r) => r.responded_at === latest.responded_at);
      if (tied.length > 1) throw new Error(`two latest NPS answers of ${id}: change the data`);
      if (latest.score <= 6) {
        reasons.push({
          kind: 'low_nps',
          detail: `NPS ${latest.score} on ${sc.localDate(latest.responded_at)}`,
        });
      }
    }
    // open_tickets
    if (anyResolved) {
      const open = rows.tickets.filter(
        (t) =>
          t.customer_id === id &&
          t.created_at < P.end &&
          (t.resolved_at === undefined || t.resolved_at >= P.end),
      );
      if (open.length > 0) {
        const age = Math.floor((P.end - Math.min(...open.map((t) => t.created_at))) / DAY);
        reasons.push({
          kind: 'open_tickets',
          detail:
            open.length === 1
              ? `1 open ticket, ${days(age)} old`
              : `${open.length} open tickets, oldest ${days(age)}`,
        });
      }
    }
    if (reasons.length === 0) continue;
    signals.set(id, reasons);
    if (activeAtEnd) atRisk.push({ customerId: id, mrr: mrrEnd / MICROS, reasons });
  }
  atRisk.sort(
    (a, b) =>
      b.mrr - a.mrr ||
      b.reasons.length - a.reasons.length ||
      (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0),
  );
  const inputs =
    rows.events.length > 0 ||
    rows.orders.some((o) => o.status !== undefined) ||
    rows.subscriptions.some((s) => s.mrr !== undefined) ||
    rows.survey_responses.some((r) => r.survey_type === 'nps' && r.customer_id !== undefined) ||
    (rows.tickets.some((t) => t.customer_id !== undefined) && anyResolved);
  return { signals, atRisk, count: inputs ? atRisk.length : null, edges };
}

// ---- The engine -------------------------------------------------------------------------------

interface Engine {
  metrics: Result;
  lists: Record<string, AtRiskSubscriber[]>;
  signals: Record<string, Map<string, AtRiskReason[]>>;
}

/** Runs the engine on `data` and reads, per period, the metrics, the list and the signals of `ids`. */
async function runEngine(
  config: ReportConfigInput,
  keys: string[],
  data: Data,
  ids: string[],
): Promise<Engine> {
  return withComputed(config, keys, data, async (computed) => {
    const out: Engine = { metrics: {}, lists: {}, signals: {} };
    for (const [n, key] of keys.entries()) {
      out.metrics[key] = computed.metrics[n] as Record<string, MetricValue>;
      const i = computed.plan.periods.findIndex((p) => p.key === key);
      out.lists[key] = computed.atRisk.period(i).list;
      out.signals[key] = await computed.atRisk.reasonsFor(i, ids);
    }
    return out;
  });
}

/** The engine's count, list and signals of every reported period against the brute force. */
function compare(sc: Scenario, engine: Engine, rows: Rows): Expected[] {
  return sc.reported.map((j) => {
    const key = (sc.seq[j] as Bounds).key;
    const want = expectedAt(sc, rows, j);
    const mv = metric(engine.metrics, key, 'at_risk_subscribers');
    if (want.count === null) {
      expect(reasonOf(engine.metrics, key, 'at_risk_subscribers'), key).toBe(NO_INPUT);
    } else {
      expect(mv.value, `at_risk_subscribers of ${key} (${mv.reason ?? ''})`).toBe(want.count);
    }
    const got = engine.lists[key] ?? [];
    const listed = want.atRisk.slice(0, sc.settings.listSize);
    expect(
      got.map((s) => s.customerId),
      `list of ${key}`,
    ).toEqual(listed.map((s) => s.customerId));
    for (const [k, s] of listed.entries()) {
      expect(got[k]?.mrr, `mrr of ${s.customerId} in ${key}`).toBeCloseTo(s.mrr, 9);
      expect(got[k]?.reasons, `reasons of ${s.customerId} in ${key}`).toEqual(s.reasons);
    }
    expect(Object.fromEntries(engine.signals[key] ?? []), `signals of ${key}`).toEqual(
      Object.fromEntries(want.signals),
    );
    return want;
  });
}

// ---- Random rows --------------------------------------------------------------------------------

const MRRS = [0, 9, 29, 49, 49.5, 99, 10.25, 19.99, 199, 0.5, 79] as const;
const STATUSES = ['failed', 'declined', 'FAILED', 'Declined', 'paid', 'refunded', undefined];
const NPS_SCORES = [0, 3, 5, 6, 6, 7, 7, 8, 9, 10] as const;

const subscriptionRow = (
  subscription_id: string,
  customer_id: string,
  started_at: number,
  ended_at: number | undefined,
  mrr: number | undefined,
): SubscriptionRow => ({
  subscription_id,
  customer_id,
  started_at,
  ended_at,
  mrr,
  currency: undefined,
  plan: mrr === undefined ? undefined : `plan-${mrr}`,
});
const orderRow = (
  order_id: string,
  customer_id: string,
  ordered_at: number,
  status: string | undefined,
): OrderRow => ({
  order_id,
  customer_id,
  ordered_at,
  amount: 10,
  currency: undefined,
  status,
});
const eventRow = (user_id: string, occurred_at: number, event_id?: string): EventRow => ({
  user_id,
  occurred_at,
  event_type: 'app_open',
  event_id,
  feature: undefined,
  page: undefined,
  session_id: undefined,
});
const surveyRow = (
  response_id: string,
  responded_at: number,
  survey_type: SurveyResponseRow['survey_type'],
  score: number,
  customer_id: string | undefined,
): SurveyResponseRow => ({
  response_id,
  responded_at,
  survey_type,
  score,
  customer_id,
  touchpoint: undefined,
  comment: undefined,
});
const ticketRow = (
  ticket_id: string,
  created_at: number,
  customer_id: string | undefined,
  resolved_at: number | undefined,
): TicketRow => ({
  ticket_id,
  created_at,
  customer_id,
  channel: undefined,
  first_response_at: undefined,
  resolved_at,
});

/** An instant of `p`: 1 in 8 its first millisecond, 1 in 8 its last, 1 in 6 in its first 2 h. */
function timeIn(r: Rand, p: { start: number; end: number }): number {
  const u = r();
  if (u < 0.125) return p.start;
  if (u < 0.25) return p.end - 1;
  if (u < 0.42) return p.start + Math.floor(r() * 2 * HOUR);
  return p.start + Math.floor(r() * (p.end - p.start));
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** `total` events over `n` periods, each at least `lo`, at random. */
function spread(r: Rand, total: number, n: number, lo: number): number[] {
  const counts = Array<number>(n).fill(lo);
  for (let k = 0; k < total - n * lo; k++) {
    const i = int(r, 0, n - 1);
    counts[i] = (counts[i] as number) + 1;
  }
  return counts;
}

/**
 * The trailing counts (most recent first) and the count of P for a customer aimed at one of
 * the activity rule's edges under `st`: a drop exactly at the setting or one event over, an
 * average exactly at the minimum or one event under, the count at or one below the
 * customer's lowest trailing period, a newcomer with empty trailing periods.
 */
function edgeCase(r: Rand, st: Settings): { trailing: number[]; now: number } {
  const N = st.trailing;
  const kept = 100 * MICROS - st.dropMicros;
  const family = r();
  if (family < 0.25) {
    // n × N × 100 = T × (100 − drop): n = kept / g × m, T = N × 100 / g × m.
    const g = gcd(N * 100 * MICROS, kept);
    const n0 = kept / g;
    const t0 = (N * 100 * MICROS) / g;
    let m = 1;
    while (t0 * m < N * (n0 * m + 1) || t0 * m * MICROS < st.minMicros * N) m++;
    if (t0 * m <= 2000) {
      m += r() < 0.3 && t0 * (m + 1) <= 2000 ? 1 : 0;
      const n = n0 * m;
      const T = t0 * m;
      const v = r();
      if (v < 0.5) return { trailing: spread(r, T, N, n + 1), now: n };
      if (v < 0.75) return { trailing: spread(r, T, N, n + 2), now: n + 1 };
      return { trailing: spread(r, T - 1, N, n + 1), now: n };
    }
  }
  if (family < 0.5) {
    // a = min exactly when min × N is whole, else the whole numbers around it; none now.
    const exact = (st.minMicros * N) / MICROS;
    const T = r() < 0.5 ? Math.ceil(exact) : Math.ceil(exact) - 1;
    if (T >= N) return { trailing: spread(r, T, N, 1), now: 0 };
  }
  if (family < 0.8) {
    // Busy periods and one quiet one: now at the quiet count or one below it.
    const quiet = int(r, 1, 4);
    const trailing = Array.from({ length: N }, () => int(r, 8, 14));
    trailing[int(r, 0, N - 1)] = quiet;
    return { trailing, now: r() < 0.5 ? quiet : quiet - 1 };
  }
  // A newcomer: nothing in the oldest trailing periods (they count as 0), none or one now.
  const empty = int(r, 1, Math.max(1, N - 1));
  const trailing = Array.from({ length: N }, (_, k) => (k >= N - empty ? 0 : int(r, 8, 14)));
  return { trailing, now: int(r, 0, 1) };
}

interface Plan {
  customers: number;
  /** Extra rows by second file: subscriptions, orders, events, surveys, tickets rewritten. */
  rewrites: number;
}

/** Random rows of `plan.customers` customers c0, c1, … over the scenario's periods. */
function generate(r: Rand, sc: Scenario, plan: Plan): Files {
  const { seq, reported } = sc;
  const from = (seq[0] as Bounds).start;
  const to = (seq[seq.length - 1] as Bounds).end;
  const early = from - 40 * DAY;
  const R = reported.map((j) => seq[j] as Bounds);
  /** A moment in a reported period, or one of its bounds exactly. */
  const change = (): number => {
    const p = pick(r, R);
    const u = r();
    return u < 0.2
      ? p.start
      : u < 0.4
        ? p.end
        : p.start + 1 + Math.floor(r() * (p.end - p.start - 1));
  };
  const mrr = (): number | undefined => (r() < 0.1 ? undefined : pick(r, MRRS));
  const anywhere = (): number => timeIn(r, pick(r, seq));

  const subs: SubscriptionRow[] = [];
  const orders: OrderRow[] = [];
  const events: EventRow[] = [];
  const surveys: SurveyResponseRow[] = [];
  const tickets: TicketRow[] = [];
  let eventIds = 0;
  const npsTimes = new Map<string, Set<number>>();
  /** An NPS instant of `id` not used by another of its answers (no tie for the latest). */
  const npsTime = (id: string, t0: () => number): number => {
    const used = npsTimes.get(id) ?? new Set<number>();
    npsTimes.set(id, used);
    let t = t0();
    while (used.has(t)) t = t0() + int(r, 1, 1000);
    used.add(t);
    return t;
  };
  const npsWindowStarts = reported.map((j) => (seq[j - sc.settings.trailing] as Bounds).start);

  for (let c = 0; c < plan.customers; c++) {
    const id = `c${c}`;
    // Subscriptions.
    const kind = r();
    const s = (start: number, end: number | undefined, m: number | undefined) =>
      subs.push(subscriptionRow(`s${subs.length}`, id, start, end, m));
    if (kind < 0.12) {
      // no subscription: signals, but never listed
    } else if (kind < 0.35) {
      s(early - int(r, 0, 30) * DAY, undefined, mrr());
    } else if (kind < 0.6) {
      // A plan change: one subscription ends as the next begins (cheaper, dearer or equal).
      const t = change();
      const m1 = pick(r, MRRS);
      const m2 = r() < 0.6 ? pick(r, MRRS.filter((x) => x < m1).concat([0])) : pick(r, MRRS);
      s(early, t, m1);
      s(t, r() < 0.1 ? change() + 30 * DAY : undefined, r() < 0.1 ? undefined : m2);
    } else if (kind < 0.72) {
      s(early, change(), mrr()); // churns in a reported period or on one of its bounds
    } else if (kind < 0.82) {
      s(change(), undefined, mrr()); // starts in a reported period or on one of its bounds
    } else {
      // Several at once, one of them ending (a smaller bill) or another starting.
      s(early, undefined, pick(r, MRRS));
      s(early, change(), pick(r, MRRS));
      if (r() < 0.4) s(change(), undefined, mrr());
    }
    if (r() < 0.06) {
      const t = change();
      s(t, t, 500); // zero-length: covers no instant (amendment 13)
    }

    // Orders.
    for (let k = int(r, 0, 3); k > 0; k--) {
      orders.push(orderRow(`o${orders.length}`, id, anywhere(), pick(r, STATUSES)));
    }

    // NPS answers (and others that are no NPS).
    for (let k = int(r, 0, 3); k > 0; k--) {
      const u = r();
      const t = npsTime(id, () =>
        u < 0.2 ? pick(r, npsWindowStarts) - (r() < 0.5 ? 1 : 0) : anywhere(),
      );
      surveys.push(surveyRow(`r${surveys.length}`, t, 'nps', pick(r, NPS_SCORES), id));
    }
    if (r() < 0.2) {
      surveys.push(surveyRow(`r${surveys.length}`, anywhere(), 'csat', 1, id));
    }

    // Tickets.
    for (let k = int(r, 0, 2); k > 0; k--) {
      const u = r();
      const created =
        u < 0.15 ? pick(r, R).end : u < 0.3 ? early + Math.floor(r() * 40 * DAY) : anywhere();
      const v = r();
      let resolved: number | undefined;
      if (v < 0.35) resolved = undefined;
      else if (v < 0.5) resolved = pick(r, R).end;
      else if (v < 0.55) resolved = created;
      else resolved = created + Math.floor(r() * 20 * DAY);
      if (resolved !== undefined && resolved < created) resolved = created;
      tickets.push(ticketRow(`t${tickets.length}`, created, r() < 0.1 ? undefined : id, resolved));
    }

    // Events: a count per period, then each event at a random instant of its period.
    const u = r();
    let counts: number[];
    if (u < 0.12) counts = seq.map(() => 0);
    else if (u < 0.45) {
      const level = int(r, 0, 8);
      const first = r() < 0.3 ? int(r, 0, seq.length - 1) : 0;
      counts = seq.map((_, k) => (k < first ? 0 : Math.max(0, level + int(r, -3, 3))));
    } else {
      counts = seq.map(() => int(r, 0, 6));
      const j = pick(r, reported);
      const edge = edgeCase(r, sc.settings);
      counts[j] = edge.now;
      for (const [k, n] of edge.trailing.entries()) counts[j - 1 - k] = n;
    }
    for (const [k, n] of counts.entries()) {
      for (let e = 0; e < n; e++) {
        const eventId = r() < 0.7 ? `e${eventIds++}` : undefined;
        events.push(eventRow(id, timeIn(r, seq[k] as Bounds), eventId));
      }
    }
    // Events outside every window: before the first period, on the last one's end.
    if (r() < 0.2) events.push(eventRow(id, from - 1 - Math.floor(r() * 5 * DAY)));
    if (r() < 0.2) events.push(eventRow(id, to));
  }
  // Duplicate event ids in the first file (another user, another time): the first row wins.
  for (let k = 0; k < plan.customers; k++) {
    events.push(
      eventRow(`c${int(r, 0, plan.customers - 1)}`, anywhere(), `e${int(r, 0, eventIds - 1)}`),
    );
  }
  // Answers and tickets that are nobody's.
  for (let k = 0; k < 5; k++) {
    surveys.push(surveyRow(`r${surveys.length}`, anywhere(), 'nps', 0, undefined));
    tickets.push(ticketRow(`t${tickets.length}`, anywhere(), undefined, undefined));
  }

  // A second file of each dataset rewrites some ids (the last row wins; events: the first).
  const n = plan.rewrites;
  const subs2 = Array.from({ length: n }, () => {
    const old = pick(r, subs);
    return r() < 0.5
      ? { ...old, mrr: mrr() }
      : { ...old, ended_at: r() < 0.5 ? change() : undefined };
  });
  const orders2 = Array.from({ length: n }, () => ({
    ...pick(r, orders),
    status: pick(r, STATUSES),
  }));
  const events2 = [
    ...Array.from({ length: n }, () => {
      const old = pick(
        r,
        events.filter((e) => e.event_id !== undefined),
      );
      return { ...old, occurred_at: anywhere() };
    }),
    ...Array.from({ length: n }, () =>
      eventRow(`c${int(r, 0, plan.customers - 1)}`, anywhere(), `x${int(r, 0, 1e9)}`),
    ),
  ];
  const surveys2 = Array.from({ length: n }, () => {
    const old = pick(r, surveys);
    return { ...old, score: pick(r, NPS_SCORES) };
  });
  const tickets2 = Array.from({ length: n }, () => {
    const old = pick(r, tickets);
    const resolved = r() < 0.5 ? undefined : old.created_at + Math.floor(r() * 10 * DAY);
    return { ...old, resolved_at: resolved };
  });
  return {
    subscriptions: [subs, subs2],
    orders: [orders, orders2],
    events: [events, events2],
    survey_responses: [surveys, surveys2],
    tickets: [tickets, tickets2],
  };
}

/** Ids of every customer in the rows (for the engine's signals). */
function allIds(rows: Rows): string[] {
  const ids = new Set<string>();
  for (const s of rows.subscriptions) ids.add(s.customer_id);
  for (const e of rows.events) ids.add(e.user_id);
  for (const o of rows.orders) ids.add(o.customer_id);
  for (const r of rows.survey_responses) if (r.customer_id) ids.add(r.customer_id);
  for (const t of rows.tickets) if (t.customer_id) ids.add(t.customer_id);
  return [...ids].sort();
}

/** Sums of the edges over the reported periods, and the kinds of signal seen alone / together. */
function coverage(seen: Expected[]) {
  const edges = seen.reduce(
    (sum, e) => {
      for (const k of Object.keys(sum) as (keyof Edges)[]) sum[k] += e.edges[k];
      return sum;
    },
    {
      dropExactFlagged: 0,
      dropJustMissed: 0,
      minEdgeFlagged: 0,
      minJustMissed: 0,
      atOwnMinimum: 0,
      belowOwnMinimumFlagged: 0,
      zeroTrailingPeriod: 0,
    } satisfies Edges,
  );
  const alone = new Set<string>();
  let combined = 0;
  let cut = 0;
  let byId = 0;
  let bySignals = 0;
  for (const e of seen) {
    for (const s of e.atRisk) {
      if (s.reasons.length === 1) alone.add((s.reasons[0] as AtRiskReason).kind);
      if (s.reasons.length >= 3) combined++;
    }
    cut = Math.max(cut, e.atRisk.length);
    // Neighbours in the list with the same MRR: ordered by their signals, or by their ids.
    for (const [k, s] of e.atRisk.entries()) {
      const next = e.atRisk[k + 1];
      if (next === undefined || next.mrr !== s.mrr) continue;
      if (next.reasons.length === s.reasons.length) byId++;
      else bySignals++;
    }
  }
  return { edges, alone, combined, longest: cut, byId, bySignals };
}

async function brute(sc: Scenario, config: ReportConfigInput, seed: number, plan: Plan) {
  const files = generate(mulberry32(seed), sc, plan);
  const rows = dedupe(files);
  const keys = sc.reported.map((j) => (sc.seq[j] as Bounds).key);
  const engine = await runEngine(config, keys, files, allIds(rows));
  const seen = compare(sc, engine, rows);
  return { files, rows, seen, engine, ...coverage(seen) };
}

const ALL_KINDS = ['activity_drop', 'failed_payment', 'downgrade', 'low_nps', 'open_tickets'];

describe('at-risk subscribers on seeded random rows', () => {
  it('matches the brute force over UTC weeks with the default settings', async () => {
    // Prepare: 45 customers over W07–W15, reported W12–W14 (trailing W08–W11 … W10–W13, the
    // NPS window of W12 from 16 Feb); W07 and W15 only hold events outside the windows.
    // Defaults: 4 trailing weeks, a 50 % drop, 3 events a week, 10 listed.
    const sc: Scenario = {
      seq: UTC_WEEKS,
      reported: [5, 6, 7],
      settings: settings(DEFAULTS),
      localDate: utcDate,
    };
    expect(UTC_WEEKS.map((p) => (p.end - p.start) / HOUR)).toEqual(Array(9).fill(168));

    // Act
    const got = await brute(sc, {}, 20260316, { customers: 45, rewrites: 12 });

    // Assess (the comparisons are in `compare`); the data covers what the test claims:
    // every signal alone, three or more together, lists longer than 10, the rule's edges.
    expect([...got.alone].sort()).toEqual([...ALL_KINDS].sort());
    expect(got.combined).toBeGreaterThan(0);
    expect(got.longest).toBeGreaterThan(10);
    expect(got.edges.dropExactFlagged).toBeGreaterThan(0);
    expect(got.edges.dropJustMissed).toBeGreaterThan(0);
    expect(got.edges.minEdgeFlagged).toBeGreaterThan(0);
    expect(got.edges.minJustMissed).toBeGreaterThan(0);
    expect(got.edges.atOwnMinimum).toBeGreaterThan(0);
    expect(got.edges.belowOwnMinimumFlagged).toBeGreaterThan(0);
    expect(got.edges.zeroTrailingPeriod).toBeGreaterThan(0);
    expect(got.byId).toBeGreaterThan(0);
    expect(got.bySignals).toBeGreaterThan(0);
    // Rows on the windows' edges: events on the first millisecond of the oldest trailing week
    // and on the last one before it; NPS answers on the first millisecond of the NPS window
    // and just before it.
    const oldest = sc.reported.map((j) => (sc.seq[j - 4] as Bounds).start);
    expect(got.rows.events.some((e) => oldest.includes(e.occurred_at))).toBe(true);
    expect(got.rows.events.some((e) => oldest.includes(e.occurred_at + 1))).toBe(true);
    const nps = got.rows.survey_responses.filter((r) => r.survey_type === 'nps' && r.customer_id);
    expect(nps.some((r) => oldest.includes(r.responded_at))).toBe(true);
    expect(nps.some((r) => oldest.includes(r.responded_at + 1))).toBe(true);
    // Duplicates: event rows dropped (the first wins), other rows replaced (the last wins).
    expect(got.rows.events.length).toBeLessThan(got.files.events.flat().length);
    expect(got.rows.orders.length).toBeLessThan(got.files.orders.flat().length);
    expect(got.rows.tickets.length).toBeLessThan(got.files.tickets.flat().length);
  });

  it('matches the brute force with 5 trailing weeks, a 64.4 % drop and 2.2 events, exactly at the edges', async () => {
    // Prepare: W04–W12, reported W10–W12 (trailing W05–W09 … W07–W11). A 64.4 % drop is
    // met exactly by 89 events after 1,250 over 5 weeks (89 × 5 × 100 = 1,250 × 35.6; in
    // doubles 100 − 64.4 is 35.599999999999994), the minimum exactly by 11 events (2.2 × 5).
    const atRisk = {
      trailingPeriods: 5,
      activityDropPercent: 64.4,
      minTrailingEvents: 2.2,
      listSize: 7,
    };
    const sc: Scenario = {
      seq: UTC_WEEKS_LONG,
      reported: [6, 7, 8],
      settings: settings(atRisk),
      localDate: utcDate,
    };
    const config = { atRisk };

    // Act
    const got = await brute(sc, config, 20260302, { customers: 40, rewrites: 10 });

    // Assess
    expect(got.edges.dropExactFlagged).toBeGreaterThan(0);
    expect(got.edges.dropJustMissed).toBeGreaterThan(0);
    expect(got.edges.minEdgeFlagged).toBeGreaterThan(0);
    expect(got.edges.minJustMissed).toBeGreaterThan(0);
    expect(got.edges.atOwnMinimum).toBeGreaterThan(0);
    expect(got.edges.belowOwnMinimumFlagged).toBeGreaterThan(0);
    expect(got.edges.zeroTrailingPeriod).toBeGreaterThan(0);
    expect(got.longest).toBeGreaterThan(7);
    expect(got.combined).toBeGreaterThan(0);
  });

  it('matches the brute force with 25 trailing weeks and 2.2 events, whose product is no double', async () => {
    // Prepare: 2025-W36 – 2026-W12, reported W10–W12 of 2026 (trailing 2025-W37 – 2026-W09
    // … 2025-W39 – 2026-W11), a 60 % drop. The minimum is met exactly by 55 trailing events
    // (2.2 × 25; in doubles 55.00000000000001), a drop exactly by 2 events after 125.
    const atRisk = {
      trailingPeriods: 25,
      activityDropPercent: 60,
      minTrailingEvents: 2.2,
      listSize: 10,
    };
    const sc: Scenario = {
      seq: UTC_WEEKS_25,
      reported: [26, 27, 28],
      settings: settings(atRisk),
      localDate: utcDate,
    };
    expect(UTC_WEEKS_25.map((p) => (p.end - p.start) / DAY)).toEqual(Array(29).fill(7));

    // Act
    const got = await brute(sc, { atRisk }, 20250909, { customers: 30, rewrites: 8 });

    // Assess
    expect(got.edges.minEdgeFlagged).toBeGreaterThan(0);
    expect(got.edges.minJustMissed).toBeGreaterThan(0);
    expect(got.edges.dropExactFlagged).toBeGreaterThan(0);
    expect(got.edges.dropJustMissed).toBeGreaterThan(0);
    expect(got.edges.belowOwnMinimumFlagged).toBeGreaterThan(0);
  });

  it('matches the brute force over UTC months with 2 trailing months, 37.5 % and 1.5 events', async () => {
    // Prepare: November 2025 – May 2026, reported February, March and April (trailing
    // December–January … February–March; months of 28, 30 and 31 days). A 37.5 % drop is met
    // exactly by 5 events after 16 (5 × 2 × 100 = 16 × 62.5); the minimum 1.5 × 2 = 3 events.
    const atRisk = {
      trailingPeriods: 2,
      activityDropPercent: 37.5,
      minTrailingEvents: 1.5,
      listSize: 4,
    };
    const sc: Scenario = {
      seq: UTC_MONTHS,
      reported: [3, 4, 5],
      settings: settings(atRisk),
      localDate: utcDate,
    };
    const config = { period: 'month' as const, atRisk };

    // Act
    const got = await brute(sc, config, 20260201, { customers: 40, rewrites: 10 });

    // Assess
    expect(got.edges.dropExactFlagged).toBeGreaterThan(0);
    expect(got.edges.dropJustMissed).toBeGreaterThan(0);
    expect(got.edges.minEdgeFlagged).toBeGreaterThan(0);
    expect(got.edges.minJustMissed).toBeGreaterThan(0);
    expect(got.edges.atOwnMinimum).toBeGreaterThan(0);
    expect(got.edges.belowOwnMinimumFlagged).toBeGreaterThan(0);
    expect(got.longest).toBeGreaterThan(4);
    expect([...got.alone].sort()).toEqual([...ALL_KINDS].sort());
  });

  it('matches the brute force in Europe/Berlin weeks with the 29 March DST change in the trailing window', async () => {
    // Prepare: W08–W16, reported W13 (the 167-hour week itself), W14 and W15 (W13 among their
    // trailing weeks); defaults but all subscribers at risk listed (listSize 100).
    const sc: Scenario = {
      seq: BERLIN_WEEKS,
      reported: [5, 6, 7],
      settings: settings({ ...DEFAULTS, listSize: 100 }),
      localDate: berlinDate,
    };
    expect(BERLIN_WEEKS.map((p) => (p.end - p.start) / HOUR)).toEqual([
      168, 168, 168, 168, 168, 167, 168, 168, 168,
    ]);

    // Act
    const got = await brute(
      sc,
      { timezone: 'Europe/Berlin', atRisk: { listSize: 100 } },
      20260329,
      { customers: 45, rewrites: 12 },
    );

    // Assess: rows that a UTC or a 168-hour W13 would put elsewhere are really there.
    const w14 = BERLIN_WEEKS[6] as Bounds;
    expect(
      got.rows.events.some((e) => e.occurred_at >= w14.start && e.occurred_at < w14.start + HOUR),
    ).toBe(true);
    expect(
      got.rows.events.some(
        (e) => inP(e.occurred_at, BERLIN_WEEKS[5] as Bounds) && e.occurred_at >= w14.start - HOUR,
      ),
    ).toBe(true);
    const listed = got.seen.flatMap((e) => e.atRisk.flatMap((s) => s.reasons));
    const utcDay = (t: number) => utcDate(t) !== berlinDate(t);
    expect(
      got.rows.orders.some(
        (o) =>
          sc.reported.some((j) => inP(o.ordered_at, sc.seq[j] as Bounds)) &&
          utcDay(o.ordered_at) &&
          ['failed', 'declined'].includes((o.status ?? '').toLowerCase()),
      ),
    ).toBe(true);
    expect(
      got.rows.survey_responses.some(
        (r) =>
          r.survey_type === 'nps' &&
          r.customer_id !== undefined &&
          r.score <= 6 &&
          utcDay(r.responded_at),
      ),
    ).toBe(true);
    // An open ticket whose age in 24-hour days differs from its count of calendar days.
    const end14 = w14.end;
    expect(
      got.rows.tickets.some(
        (t) =>
          t.customer_id !== undefined &&
          t.created_at < at('2026-03-29T01:00:00Z') &&
          (t.resolved_at === undefined || t.resolved_at >= end14) &&
          Math.floor((end14 - t.created_at) / DAY) !==
            Math.floor((end14 + HOUR - t.created_at) / DAY),
      ),
    ).toBe(true);
    expect(listed.some((r) => r.kind === 'activity_drop')).toBe(true);
    expect([...got.alone].sort()).toEqual([...ALL_KINDS].sort());
    expect(got.edges.dropExactFlagged + got.edges.minEdgeFlagged).toBeGreaterThan(0);
  });

  it('matches the brute force in Europe/Berlin months, March (743 h) trailing April', async () => {
    // Prepare: November 2025 – May 2026, reported March and April (trailing December–
    // February and January–March); 3 trailing months, a 62.5 % drop, 1.333333 events a month
    // (4 trailing events pass: 4 × 10⁶ ≥ 3 × 1,333,333; 3 do not).
    const atRisk = {
      trailingPeriods: 3,
      activityDropPercent: 62.5,
      minTrailingEvents: 1.333333,
      listSize: 5,
    };
    const sc: Scenario = {
      seq: BERLIN_MONTHS,
      reported: [4, 5],
      settings: settings(atRisk),
      localDate: berlinDate,
    };
    expect(BERLIN_MONTHS.map((p) => (p.end - p.start) / HOUR)).toEqual([
      720, 744, 744, 672, 743, 720, 744,
    ]);
    const config = { timezone: 'Europe/Berlin', period: 'month' as const, atRisk };

    // Act
    const got = await brute(sc, config, 20260401, { customers: 40, rewrites: 10 });

    // Assess
    expect(got.edges.dropExactFlagged).toBeGreaterThan(0);
    expect(got.edges.minEdgeFlagged).toBeGreaterThan(0);
    expect(got.edges.minJustMissed).toBeGreaterThan(0);
    expect(got.edges.belowOwnMinimumFlagged).toBeGreaterThan(0);
    expect(got.longest).toBeGreaterThan(5);
    const april = BERLIN_MONTHS[5] as Bounds;
    expect(
      got.rows.events.some(
        (e) => e.occurred_at >= april.start && e.occurred_at < april.start + HOUR,
      ),
    ).toBe(true);
  });
});

describe('at_risk_subscribers when no signal can be evaluated', () => {
  it('is null with its reason in random exports without any signal input, and counts once one is there', async () => {
    // Prepare: UTC W07–W15, reported W12–W14. Three random exports of 30 customers whose rows
    // feed no signal: subscriptions without mrr, orders without status, NPS answers without
    // customer_id (and CSAT / CES answers with one), tickets either without any resolved_at
    // or without any customer_id, events absent or an empty file. Then each of the five
    // inputs is added to one of them by one row (an event, a status — any, even "paid" —,
    // an mrr, an NPS answer of a customer, a resolution or a customer on a ticket).
    const random = mulberry32(20260317);
    const sc: Scenario = {
      seq: UTC_WEEKS,
      reported: [5, 6, 7],
      settings: settings(DEFAULTS),
      localDate: utcDate,
    };
    const keys = ['2026-W12', '2026-W13', '2026-W14'];
    const anywhere = () => timeIn(random, pick(random, UTC_WEEKS));
    const bare = (variant: number): Files & { hasEvents: boolean } => {
      const files = generate(random, sc, { customers: 30, rewrites: 5 });
      const ticketsHaveCustomers = variant % 2 === 0;
      const strip = <T>(f: T[][], change: (row: T) => T): T[][] =>
        f.map((rows) => rows.map(change));
      return {
        subscriptions: strip(files.subscriptions, (s) => ({ ...s, mrr: undefined })),
        orders: strip(files.orders, (o) => ({ ...o, status: undefined })),
        events: [[]],
        survey_responses: strip(files.survey_responses, (r) =>
          r.survey_type === 'nps' ? { ...r, customer_id: undefined } : r,
        ).map((rows, k) =>
          k === 0
            ? [
                ...rows,
                surveyRow('csat-low', anywhere(), 'csat', 1, 'c1'),
                surveyRow('ces-low', anywhere(), 'ces', 1, 'c2'),
              ]
            : rows,
        ),
        tickets: strip(files.tickets, (t) =>
          ticketsHaveCustomers
            ? { ...t, resolved_at: undefined }
            : { ...t, customer_id: undefined, resolved_at: t.resolved_at ?? t.created_at },
        ),
        hasEvents: variant % 3 !== 0,
      };
    };
    const check = async (files: Files, withEvents: boolean) => {
      const data: Data = {
        subscriptions: files.subscriptions,
        orders: files.orders,
        survey_responses: files.survey_responses,
        tickets: files.tickets,
        ...(withEvents ? { events: files.events } : {}),
      };
      const rows = dedupe(files);
      const engine = await runEngine({}, keys, data, allIds(rows));
      return compare(sc, engine, rows);
    };

    for (let variant = 0; variant < 3; variant++) {
      const files = bare(variant);
      // Act, Assess: null with the reason in every period, nobody listed.
      const seen = await check(files, files.hasEvents);
      for (const e of seen) {
        expect(e.count).toBeNull();
        expect(e.signals.size).toBe(0);
      }
      // One input more: a count (the brute force's), no longer null.
      const subscriber = (files.subscriptions[0] as SubscriptionRow[])[0] as SubscriptionRow;
      const who = subscriber.customer_id;
      const w13 = UTC_WEEKS[6] as Bounds;
      const withInput: Files[] = [
        { ...files, events: [[eventRow(who, w13.start)]] },
        {
          ...files,
          orders: [[...(files.orders[0] ?? []), orderRow('o-paid', who, w13.start, 'paid')]],
        },
        {
          ...files,
          subscriptions: [
            [
              ...(files.subscriptions[0] ?? []),
              subscriptionRow('s-mrr', who, w13.start, undefined, 5),
            ],
          ],
        },
        {
          ...files,
          survey_responses: [
            [...(files.survey_responses[0] ?? []), surveyRow('r-nps', w13.start, 'nps', 9, who)],
          ],
        },
        {
          ...files,
          tickets:
            variant % 2 === 0
              ? [
                  [
                    ...(files.tickets[0] ?? []),
                    ticketRow('t-res', w13.start, 'nobody', w13.start + HOUR),
                  ],
                ]
              : [[...(files.tickets[0] ?? []), ticketRow('t-cus', w13.start, who, undefined)]],
        },
      ];
      for (const [k, f] of withInput.entries()) {
        const counted = await check(f, k === 0 || files.hasEvents);
        for (const e of counted) expect(e.count, `input ${k} of variant ${variant}`).not.toBeNull();
      }
    }
  });
});
