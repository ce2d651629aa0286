/**
 * Seeded random events (and customers) for the product-activity metrics of events
 * (METRICS.md "Product activity": `dau`, `wau`, `mau`, `stickiness`, `conversion_rate`,
 * `feature_usage` with its per-feature breakdown, `core_action_rate`, `first_week_engagement`,
 * and `pageviews` as the count of `page_view` events without a sessions export; amendments 1,
 * 3, 4, 7, 8, 18 and 22). The rows go through the engine, and every value or null reason is
 * worked out again here, in plain TypeScript, from the catalogue's words:
 * - days are local calendar days of the report's zone; `dau` is the mean over the days of P
 *   of the users with an event that day; `mau` counts the users with an event on the 30
 *   local calendar dates before P's end (`[end − 30 days, end)`, a local midnight, also
 *   across a daylight-saving change);
 * - the rates divide users with a configured event in P by users with any event in P;
 *   `feature_usage` is the share of users with any `events.feature` event, its breakdown the
 *   share per named feature (a feature event without a name counts for the value only);
 * - `first_week_engagement`: customers (last row of an id) created on the local dates
 *   `[start − 7 days, end − 7 days)`, onboarded strictly less than 7 × 24 h elapsed after
 *   `created_at` (earlier than `created_at` counts), from `onboarding_completed_at` when a
 *   customer row has it, else from the user's first `events.onboarding` event;
 * - of a repeated `event_id` the first row counts (files in order, then rows in order);
 *   events without an id all count.
 * Period bounds are written down here as local calendar dates; local dates of instants come
 * from hand-written UTC offsets (`offsetOf`, checked against Intl for every instant used), not
 * from the engine's period code. Europe/Berlin springs forward on 29 March 2026 (2026-W13,
 * 2026-03) and falls back on 25 October 2026 (2026-10); America/New_York springs forward on
 * 8 March 2026 (2026-W10, 2026-03) and falls back on 1 November 2026 (2026-W44, 2026-11).
 */
import { describe, expect, it } from 'vitest';
import type { CustomerRow, EventRow } from '../../../functions/core/datasets/rows';
import { mulberry32 } from '../../../functions/core/models/simulate';
import type { MetricValue } from '../../../functions/core/snapshot';
import { metric, reasonOf, run, valueIn } from './helpers';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
const WEEK_MS = 7 * 24 * HOUR_MS;

type Zone = 'Europe/Berlin' | 'America/New_York';
type Result = Record<string, Record<string, MetricValue>>;

// ---------------------------------------------------------------------------------------
// Calendar and offsets, written down by hand
// ---------------------------------------------------------------------------------------

/** Each period as its first local date and the local date after its last (ISO weeks start Monday). */
const CALENDAR: Record<string, [string, string]> = {
  '2026-W10': ['2026-03-02', '2026-03-09'],
  '2026-W11': ['2026-03-09', '2026-03-16'],
  '2026-W12': ['2026-03-16', '2026-03-23'],
  '2026-W13': ['2026-03-23', '2026-03-30'],
  '2026-W14': ['2026-03-30', '2026-04-06'],
  '2026-W20': ['2026-05-11', '2026-05-18'],
  '2026-W30': ['2026-07-20', '2026-07-27'],
  '2026-W44': ['2026-10-26', '2026-11-02'],
  '2026-02': ['2026-02-01', '2026-03-01'],
  '2026-03': ['2026-03-01', '2026-04-01'],
  '2026-04': ['2026-04-01', '2026-05-01'],
  '2026-05': ['2026-05-01', '2026-06-01'],
  '2026-06': ['2026-06-01', '2026-07-01'],
  '2026-08': ['2026-08-01', '2026-09-01'],
  '2026-10': ['2026-10-01', '2026-11-01'],
  '2026-11': ['2026-11-01', '2026-12-01'],
};

/**
 * UTC offset of an instant. Berlin: CET (+01:00) until 29 March 2026 01:00Z, CEST (+02:00)
 * until 25 October 2026 01:00Z, then CET. New York: EST (−05:00) until 8 March 2026 07:00Z,
 * EDT (−04:00) until 1 November 2026 06:00Z, then EST. Outside Nov 2025 – Feb 2027: no entry.
 */
function offsetOf(t: number, zone: Zone): number {
  if (t < Date.UTC(2025, 10, 10) || t >= Date.UTC(2027, 1, 1)) {
    throw new Error(`no offset written down for ${new Date(t).toISOString()}`);
  }
  if (zone === 'Europe/Berlin') {
    const summer = t >= Date.UTC(2026, 2, 29, 1) && t < Date.UTC(2026, 9, 25, 1);
    return (summer ? 2 : 1) * HOUR_MS;
  }
  const summer = t >= Date.UTC(2026, 2, 8, 7) && t < Date.UTC(2026, 10, 1, 6);
  return (summer ? -4 : -5) * HOUR_MS;
}

const FORMATS = new Map<Zone, Intl.DateTimeFormat>();

/** Local wall time of an instant as `YYYY-MM-DD HH:mm:ss`, by Intl. */
function wallTime(t: number, zone: Zone): string {
  let format = FORMATS.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    FORMATS.set(zone, format);
  }
  const parts = format.formatToParts(t);
  const part = (type: string) => parts.find((p) => p.type === type)?.value;
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}:${part('second')}`;
}

/** Local calendar date of an instant, from the hand-written offset (checked against Intl). */
function localDate(t: number, zone: Zone): string {
  const wall = new Date(t + offsetOf(t, zone)).toISOString();
  const date = wall.slice(0, 10);
  if (wallTime(t, zone) !== `${date} ${wall.slice(11, 19)}`) {
    throw new Error(`${new Date(t).toISOString()} in ${zone}: wrong offset`);
  }
  return date;
}

/** A calendar date `n` days later (plain date arithmetic, no zone). */
function addDays(date: string, n: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/**
 * The instant a local date starts. Both zones change their clocks after midnight (Berlin at
 * 02:00/03:00, New York at 02:00), so a change day's midnight has the offset of the day before.
 */
function localMidnight(date: string, zone: Zone): number {
  const summer =
    zone === 'Europe/Berlin'
      ? date >= '2026-03-30' && date <= '2026-10-25'
      : date >= '2026-03-09' && date <= '2026-11-01';
  const offset =
    zone === 'Europe/Berlin' ? (summer ? '+02:00' : '+01:00') : summer ? '-04:00' : '-05:00';
  const t = Date.parse(`${date}T00:00:00${offset}`);
  if (wallTime(t, zone) !== `${date} 00:00:00` || localDate(t - 1, zone) !== addDays(date, -1)) {
    throw new Error(`${date} in ${zone}: wrong midnight`);
  }
  return t;
}

/** The clock changes of 2026, as instants (each with the millisecond before it). */
const CLOCK_CHANGES: Record<Zone, number[]> = {
  'Europe/Berlin': [Date.UTC(2026, 2, 29, 1), Date.UTC(2026, 9, 25, 1)],
  'America/New_York': [Date.UTC(2026, 2, 8, 7), Date.UTC(2026, 10, 1, 6)],
};

interface Bounds {
  key: string;
  firstDay: string;
  /** The local date after P's last. */
  nextDay: string;
  days: string[];
  start: number;
  end: number;
  /** Start of the MAU window: the local midnight 30 calendar dates before the end. */
  mauStart: number;
  /** The first-week cohort: created on the local dates [firstDay − 7, nextDay − 7). */
  cohortStart: number;
  cohortEnd: number;
}

function bounds(key: string, zone: Zone): Bounds {
  const entry = CALENDAR[key];
  if (!entry) throw new Error(`no calendar entry for ${key}`);
  const [firstDay, nextDay] = entry;
  const days: string[] = [];
  for (let d = firstDay; d < nextDay; d = addDays(d, 1)) days.push(d);
  return {
    key,
    firstDay,
    nextDay,
    days,
    start: localMidnight(firstDay, zone),
    end: localMidnight(nextDay, zone),
    mauStart: localMidnight(addDays(nextDay, -30), zone),
    cohortStart: localMidnight(addDays(firstDay, -7), zone),
    cohortEnd: localMidnight(addDays(nextDay, -7), zone),
  };
}

// ---------------------------------------------------------------------------------------
// Scenarios
// ---------------------------------------------------------------------------------------

interface Names {
  conversion: string[];
  coreActions: string[];
  feature: string;
  onboarding: string;
}

const DEFAULT_NAMES: Names = {
  conversion: ['purchase'],
  coreActions: [],
  feature: 'feature_used',
  onboarding: 'onboarding_completed',
};

interface Scenario {
  zone: Zone;
  kind: 'week' | 'month';
  /** Periods the random rows are spread over (oldest first). */
  busy: string[];
  /** A period whose only events fall on its first local day (monthly: outside its MAU window). */
  sparse?: string;
  /** A period no row comes near. */
  empty: string;
  seed: number;
  /** The `events` config (omitted keys take the defaults). */
  events: Partial<Names>;
  /** Where first-week onboarding comes from: the customers column or onboarding events. */
  onboarding: 'column' | 'events';
  /** Other config, which must not change these metrics. */
  extra?: Record<string, unknown>;
}

const SCENARIOS: Scenario[] = [
  {
    zone: 'Europe/Berlin',
    kind: 'week',
    busy: ['2026-W12', '2026-W13', '2026-W14'],
    empty: '2026-W30',
    seed: 20260329,
    events: {
      conversion: ['purchase', 'upgrade', 'trial_converted'],
      coreActions: ['report_created', 'invite_sent'],
    },
    onboarding: 'column',
  },
  {
    zone: 'Europe/Berlin',
    kind: 'month',
    busy: ['2026-03', '2026-04', '2026-10'],
    sparse: '2026-08',
    empty: '2026-06',
    seed: 20261025,
    events: {},
    onboarding: 'events',
    extra: { activity: { activeWindowDays: 30 } },
  },
  {
    zone: 'America/New_York',
    kind: 'week',
    busy: ['2026-W10', '2026-W11', '2026-W44'],
    empty: '2026-W30',
    seed: 20260308,
    events: {
      conversion: ['upgrade', 'purchase'],
      coreActions: ['report_created'],
      feature: 'tool_used',
      onboarding: 'setup_done',
    },
    onboarding: 'events',
  },
  {
    zone: 'America/New_York',
    kind: 'month',
    busy: ['2026-02', '2026-03', '2026-11'],
    sparse: '2026-05',
    empty: '2026-08',
    seed: 20261101,
    events: { conversion: [], coreActions: ['invite_sent', 'report_created', 'purchase'] },
    onboarding: 'column',
  },
];

// ---------------------------------------------------------------------------------------
// Random rows
// ---------------------------------------------------------------------------------------

interface EventSource {
  user: string;
  t: number;
  type: string;
  id?: string;
  feature?: string;
}

interface CustomerSource {
  id: string;
  created: number;
  onboarded?: number;
}

const FEATURES = ['export', 'search', 'dashboards', 'alerts'];

/** Event types with their weights; feature-type events may name a feature. */
const TYPES: [string, number][] = [
  ['page_view', 22],
  ['app_open', 22],
  ['feature_used', 14],
  ['tool_used', 8],
  ['purchase', 5],
  ['upgrade', 4],
  ['trial_converted', 3],
  ['report_created', 6],
  ['invite_sent', 4],
  ['onboarding_completed', 4],
  ['setup_done', 3],
];
const TYPE_WEIGHT = TYPES.reduce((a, [, w]) => a + w, 0);

function randomType(random: () => number): string {
  let r = random() * TYPE_WEIGHT;
  for (const [type, w] of TYPES) {
    r -= w;
    if (r < 0) return type;
  }
  return 'app_open';
}

const pick = <T>(random: () => number, xs: readonly T[]): T =>
  xs[Math.floor(random() * xs.length)] as T;

const USERS = 300;

/** Heavy users and many light ones: user k with density ∝ 1/√k. */
const randomUser = (random: () => number): string => `u${Math.floor(random() ** 2 * USERS)}`;

/** Instants where a wrong day, window or offset would show: bounds, midnights, clock changes. */
function specialInstants(p: Bounds, zone: Zone): number[] {
  const out = [p.start, p.start - 1, p.end, p.end - 1, p.mauStart, p.mauStart - 1];
  for (const day of p.days) {
    const midnight = localMidnight(day, zone);
    out.push(midnight, midnight - 1, midnight + 30 * MINUTE_MS, midnight - 30 * MINUTE_MS);
  }
  // Days of 24 h counted from the start: not local midnights after a clock change.
  for (let k = 1; k <= p.days.length; k++) out.push(p.start + k * DAY_MS, p.start + k * DAY_MS - 1);
  // MAU windows of 30 × 24 h: not the local midnight after a clock change.
  out.push(p.end - 30 * DAY_MS, p.end - 30 * DAY_MS - 1);
  for (const change of CLOCK_CHANGES[zone]) {
    if (change >= p.mauStart && change < p.end) {
      out.push(change, change - 1, change + 30 * MINUTE_MS, change - 30 * MINUTE_MS);
    }
  }
  return out;
}

function randomEvent(random: () => number, user: string, t: number): EventSource {
  const type = randomType(random);
  const isFeature = type === 'feature_used' || type === 'tool_used';
  // Feature events mostly name a feature; other events sometimes carry one (not a use).
  const feature =
    isFeature && random() < 0.85
      ? pick(random, FEATURES)
      : !isFeature && random() < 0.1
        ? pick(random, FEATURES)
        : undefined;
  return { user, t, type, feature };
}

function shuffle<T>(random: () => number, xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [xs[i], xs[j]] = [xs[j] as T, xs[i] as T];
  }
  return xs;
}

/** An onboarding time relative to `created`: around the 7 × 24 h limit, before, or far after. */
function onboardingOffset(random: () => number): number | undefined {
  const r = random();
  if (r < 0.15) return undefined;
  if (r < 0.25) return WEEK_MS; // exactly 7 × 24 h: too late
  if (r < 0.35) return WEEK_MS - 1; // just in time
  if (r < 0.4) return WEEK_MS + 1;
  if (r < 0.45) return WEEK_MS - HOUR_MS; // the wall-clock week across a change, minus an hour
  if (r < 0.55) return -Math.floor(random() * 2 * DAY_MS); // before created_at: counts
  return Math.floor(random() * 14 * DAY_MS);
}

interface Generated {
  files: EventSource[][];
  customerFiles: CustomerSource[][];
}

function generate(scenario: Scenario, periods: Bounds[], random: () => number): Generated {
  const { zone } = scenario;
  const busy = periods.filter((p) => scenario.busy.includes(p.key));
  const rows: EventSource[] = [];
  // Special instants, half of them for a user of their own (whose one event decides whether
  // that user counts), half for a random user.
  for (const p of busy) {
    for (const t of specialInstants(p, zone)) {
      const user = random() < 0.5 ? `edge${rows.length}` : randomUser(random);
      rows.push(randomEvent(random, user, t));
    }
  }
  // 1,400 random events around the busy periods: 1 in 6 within 2 h of a local midnight.
  for (let k = 0; k < 1400; k++) {
    const p = pick(random, busy);
    let t: number;
    if (random() < 1 / 6) {
      const day = pick(random, [...p.days, p.nextDay, addDays(p.nextDay, -30)]);
      t = localMidnight(day, zone) + Math.floor((random() * 4 - 2) * HOUR_MS);
    } else {
      const from = p.mauStart - 2 * DAY_MS;
      t = from + Math.floor(random() * (p.end + 2 * DAY_MS - from));
    }
    rows.push(randomEvent(random, randomUser(random), t));
  }
  // In each busy period a few feature events that name no feature (for the value only).
  for (const p of busy) {
    for (let k = 0; k < 8; k++) {
      const t = p.start + Math.floor(random() * (p.end - p.start));
      const type = k % 2 === 0 ? 'feature_used' : 'tool_used';
      rows.push({ user: randomUser(random), t, type });
    }
  }
  // Users with events only outside every busy period: in the first one's MAU window before it
  // starts, and after the last one ends.
  const first = busy[0] as Bounds;
  const last = busy.at(-1) as Bounds;
  for (let k = 0; k < 10; k++) {
    for (let n = 0; n < 3; n++) {
      const t = first.mauStart + Math.floor(random() * (first.start - first.mauStart));
      rows.push(randomEvent(random, `before${k}`, t));
      rows.push(randomEvent(random, `after${k}`, last.end + Math.floor(random() * DAY_MS)));
    }
  }
  // The sparse period: events on its first local day only.
  if (scenario.sparse) {
    const p = periods.find((b) => b.key === scenario.sparse) as Bounds;
    const dayEnd = localMidnight(addDays(p.firstDay, 1), zone);
    for (let k = 0; k < 40; k++) {
      const t =
        k === 0
          ? p.start
          : k === 1
            ? dayEnd - 1
            : p.start + Math.floor(random() * (dayEnd - p.start));
      rows.push(randomEvent(random, `s${Math.floor(random() * 15)}`, t));
    }
  }

  // Customers: created around each busy period's cohort, some on its bounds; some rows repeat
  // an earlier id later (the last row counts), moving it or changing its onboarding.
  const customers: CustomerSource[] = [];
  let next = 0;
  const newCustomer = (created: number): CustomerSource => {
    const offset = onboardingOffset(random);
    return {
      id: `u${next++ % USERS}`,
      created,
      onboarded: offset === undefined ? undefined : created + offset,
    };
  };
  for (const p of busy) {
    for (const t of [p.cohortStart, p.cohortStart - 1, p.cohortEnd, p.cohortEnd - 1]) {
      customers.push(newCustomer(t));
    }
    for (let k = 0; k < 70; k++) {
      const from = p.cohortStart - 2 * DAY_MS;
      customers.push(newCustomer(from + Math.floor(random() * (p.cohortEnd + 2 * DAY_MS - from))));
    }
  }
  const repeats = Array.from({ length: 40 }, () => {
    const original = pick(random, customers);
    const moved = random() < 0.5;
    const offset = onboardingOffset(random);
    const created = moved
      ? original.created + Math.floor((random() * 4 - 2) * DAY_MS)
      : original.created;
    return {
      id: original.id,
      created,
      onboarded: offset === undefined ? undefined : created + offset,
    };
  });
  // Onboarding events of the customers (for the events source), up to three each.
  for (const c of [...customers, ...repeats]) {
    const n = Math.floor(random() * 4);
    for (let k = 0; k < n; k++) {
      const offset = onboardingOffset(random) ?? 20 * DAY_MS;
      const type =
        random() < 0.8 ? pick(random, ['onboarding_completed', 'setup_done']) : 'app_open';
      rows.push({ user: c.id, t: c.created + offset, type });
    }
  }

  // Ids: 7 in 10 rows have one; 1 in 6 of those repeats an earlier id, as a re-delivery that
  // differs (a later time, another user or type): the first row counts.
  shuffle(random, rows);
  const ids: string[] = [];
  const withIds: EventSource[] = [];
  for (const [k, row] of rows.entries()) {
    if (random() >= 0.7) {
      withIds.push(row);
      continue;
    }
    const repeat = ids.length > 20 && random() < 1 / 6;
    const id = repeat ? pick(random, ids) : `e${k}`;
    if (!repeat) ids.push(id);
    withIds.push({ ...row, id });
  }
  // Extra re-deliveries of earlier rows with an id, moved by up to 10 days or given to another
  // user or type, spread over the later files.
  const delivered = withIds.filter((r) => r.id !== undefined);
  for (let k = 0; k < 200; k++) {
    const original = pick(random, delivered);
    const r = random();
    const copy: EventSource =
      r < 0.4
        ? { ...original, t: original.t + Math.floor((random() * 20 - 10) * DAY_MS) }
        : r < 0.7
          ? { ...original, user: randomUser(random) }
          : { ...original, type: randomType(random) };
    withIds.splice(withIds.indexOf(original) + 1 + Math.floor(random() * 400), 0, copy);
  }
  const third = Math.ceil(withIds.length / 3);
  return {
    files: [withIds.slice(0, third), withIds.slice(third, 2 * third), withIds.slice(2 * third)],
    customerFiles: [shuffle(random, customers), repeats],
  };
}

const toEventRow = (e: EventSource): EventRow => ({
  user_id: e.user,
  occurred_at: e.t,
  event_type: e.type,
  event_id: e.id,
  feature: e.feature,
  page: undefined,
  session_id: undefined,
});

const toCustomerRow = (c: CustomerSource, column: boolean): CustomerRow => ({
  customer_id: c.id,
  created_at: c.created,
  acquisition_channel: undefined,
  segment: undefined,
  country: undefined,
  onboarding_completed_at: column ? c.onboarded : undefined,
});

// ---------------------------------------------------------------------------------------
// Expected values, from the catalogue's words
// ---------------------------------------------------------------------------------------

/** The first row of each event_id (files in order, rows in order); rows without an id all count. */
function keptEvents(files: EventSource[][]): EventSource[] {
  const seen = new Set<string>();
  const kept: EventSource[] = [];
  for (const row of files.flat()) {
    if (row.id !== undefined) {
      if (seen.has(row.id)) continue;
      seen.add(row.id);
    }
    kept.push(row);
  }
  return kept;
}

/** The last row of each customer_id. */
function keptCustomers(files: CustomerSource[][]): CustomerSource[] {
  const last = new Map<string, CustomerSource>();
  for (const row of files.flat()) last.set(row.id, row);
  return [...last.values()];
}

type Expected = { value: number } | { reason: string };

const NO_USERS = 'no users with an event in the period (division by zero)';
const NO_MAU = 'no users with an event in the 30 days ending with the period (division by zero)';
const NO_COHORT = 'no customers whose first week ended in the period';

function share(numerator: number, denominator: number, reason: string): Expected {
  return denominator === 0 ? { reason } : { value: (numerator / denominator) * 100 };
}

interface Day {
  date: string;
  event: EventSource;
}

function expectedActivity(
  dated: Day[],
  p: Bounds,
  scenario: Scenario,
  names: Names,
): { values: Record<string, Expected>; breakdown: Record<string, number> } {
  const inP = dated.filter((d) => d.date >= p.firstDay && d.date < p.nextDay);
  const mauFrom = addDays(p.nextDay, -30);
  const inMau = dated.filter((d) => d.date >= mauFrom && d.date < p.nextDay);
  const usersOn = (date: string) =>
    new Set(inP.filter((d) => d.date === date).map((d) => d.event.user)).size;
  const userDays = p.days.reduce((a, date) => a + usersOn(date), 0);
  const dau = userDays / p.days.length;
  const users = new Set(inP.map((d) => d.event.user));
  const mau = new Set(inMau.map((d) => d.event.user)).size;
  const usersWith = (keep: (e: EventSource) => boolean) =>
    new Set(inP.filter((d) => keep(d.event)).map((d) => d.event.user)).size;
  const featureEvents = inP.filter((d) => d.event.type === names.feature);
  const breakdown: Record<string, number> = {};
  for (const name of new Set(featureEvents.flatMap((d) => d.event.feature ?? []))) {
    const n = new Set(
      featureEvents.filter((d) => d.event.feature === name).map((d) => d.event.user),
    );
    breakdown[name] = (n.size / users.size) * 100;
  }
  return {
    values: {
      dau: { value: dau },
      wau:
        scenario.kind === 'week'
          ? { value: users.size }
          : { reason: 'WAU is defined for weekly reports; this report is monthly' },
      mau: { value: mau },
      stickiness: mau === 0 ? { reason: NO_MAU } : { value: (dau / mau) * 100 },
      conversion_rate:
        names.conversion.length === 0
          ? { reason: 'no conversion events configured (events.conversion)' }
          : share(
              usersWith((e) => names.conversion.includes(e.type)),
              users.size,
              NO_USERS,
            ),
      feature_usage: share(
        new Set(featureEvents.map((d) => d.event.user)).size,
        users.size,
        NO_USERS,
      ),
      core_action_rate:
        names.coreActions.length === 0
          ? { reason: 'no core actions configured (events.coreActions)' }
          : share(
              usersWith((e) => names.coreActions.includes(e.type)),
              users.size,
              NO_USERS,
            ),
      pageviews: { value: inP.filter((d) => d.event.type === 'page_view').length },
    },
    breakdown,
  };
}

function expectedFirstWeek(
  customers: CustomerSource[],
  onboardedAt: (c: CustomerSource) => number | undefined,
  p: Bounds,
  zone: Zone,
): Expected {
  const from = addDays(p.firstDay, -7);
  const to = addDays(p.nextDay, -7);
  const cohort = customers.filter((c) => {
    const date = localDate(c.created, zone);
    return date >= from && date < to;
  });
  const onboarded = cohort.filter((c) => {
    const t = onboardedAt(c);
    return t !== undefined && t < c.created + 7 * 24 * HOUR_MS;
  });
  return share(onboarded.length, cohort.length, NO_COHORT);
}

const EXACT = new Set(['wau', 'mau', 'pageviews']);

/** Counts compare exactly, everything else to 9 decimals; a null compares by its reason. */
function compare(result: Result, key: string, id: string, expected: Expected) {
  const label = `${key} ${id}`;
  if ('reason' in expected) expect(reasonOf(result, key, id), label).toBe(expected.reason);
  else if (EXACT.has(id)) expect(valueIn(result, key, id), label).toBe(expected.value);
  else expect(valueIn(result, key, id), label).toBeCloseTo(expected.value, 9);
}

// ---------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------

describe('activity metrics of events on seeded random rows', () => {
  for (const scenario of SCENARIOS) {
    const { zone, kind, seed } = scenario;
    const keys = [...scenario.busy, ...(scenario.sparse ? [scenario.sparse] : []), scenario.empty];
    it(`match a brute force over ${keys.join(', ')} in ${zone} (seed ${seed}, onboarding from ${scenario.onboarding})`, async () => {
      // Prepare: about 2,500 events of 300 users (plus users only outside the periods) in
      // three files, 7 in 10 with an event_id and about 1 in 6 of those a differing repeat;
      // 300 customers in two files with 40 repeated ids.
      const random = mulberry32(seed);
      const periods = keys.map((key) => bounds(key, zone));
      const { files, customerFiles } = generate(scenario, periods, random);
      const names: Names = { ...DEFAULT_NAMES, ...scenario.events };
      const column = scenario.onboarding === 'column';

      // Act
      const result = await run({
        config: { timezone: zone, period: kind, events: scenario.events, ...scenario.extra },
        periods: keys,
        data: {
          events: files.map((file) => file.map(toEventRow)),
          customers: customerFiles.map((file) => file.map((c) => toCustomerRow(c, column))),
        },
      });

      // Assess: every metric of every period from the first row of each event_id.
      const kept = keptEvents(files);
      const all = files.flat();
      expect(all.length - kept.length).toBeGreaterThan(300); // repeats were dropped
      expect(kept.filter((e) => e.id === undefined).length).toBeGreaterThan(400);
      const dated = kept.map((event) => ({ date: localDate(event.t, zone), event }));
      const customers = keptCustomers(customerFiles);
      const firstOnboarding = new Map<string, number>();
      for (const e of kept) {
        if (e.type !== names.onboarding) continue;
        const seen = firstOnboarding.get(e.user);
        if (seen === undefined || e.t < seen) firstOnboarding.set(e.user, e.t);
      }
      const onboardedAt = column
        ? (c: CustomerSource) => c.onboarded
        : (c: CustomerSource) => firstOnboarding.get(c.id);

      const reasons: string[] = [];
      for (const p of periods) {
        const { values, breakdown } = expectedActivity(dated, p, scenario, names);
        values.first_week_engagement = expectedFirstWeek(customers, onboardedAt, p, zone);
        for (const [id, expected] of Object.entries(values)) {
          compare(result, p.key, id, expected);
          if ('reason' in expected) reasons.push(`${p.key} ${id}: ${expected.reason}`);
        }
        const got = metric(result, p.key, 'feature_usage').breakdown ?? {};
        expect(Object.keys(got).sort(), `${p.key} features`).toEqual(Object.keys(breakdown).sort());
        for (const [name, value] of Object.entries(breakdown)) {
          expect(got[name], `${p.key} feature ${name}`).toBeCloseTo(value, 9);
        }
      }

      // The edges were reached. In every busy period: features named and unnamed, a cohort with
      // customers onboarded in time and not; in a week someone active in its MAU window but not
      // in it, in a 31-day month someone active on its first day only (no date of the window).
      for (const p of periods.filter((b) => scenario.busy.includes(b.key))) {
        const { values } = expectedActivity(dated, p, scenario, names);
        const mauFrom = addDays(p.nextDay, -30);
        const usersIn = (from: string, to: string) =>
          new Set(dated.filter((d) => d.date >= from && d.date < to).map((d) => d.event.user));
        const inP = usersIn(p.firstDay, p.nextDay);
        const inMau = usersIn(mauFrom, p.nextDay);
        if (kind === 'week') {
          expect(
            [...inMau].some((u) => !inP.has(u)),
            p.key,
          ).toBe(true);
        }
        if (p.days.length === 31) {
          expect(
            [...inP].some((u) => !inMau.has(u)),
            p.key,
          ).toBe(true);
        }
        expect(values.feature_usage, p.key).not.toHaveProperty('reason');
        const features = dated.filter(
          (d) => d.date >= p.firstDay && d.date < p.nextDay && d.event.type === names.feature,
        );
        expect(
          features.some((d) => d.event.feature === undefined),
          p.key,
        ).toBe(true);
        const fw = expectedFirstWeek(customers, onboardedAt, p, zone);
        expect('value' in fw && fw.value > 0 && fw.value < 100, p.key).toBe(true);
      }
      const exactWeek = customers.filter((c) => onboardedAt(c) === c.created + WEEK_MS);
      expect(exactWeek.length).toBeGreaterThan(3);
      const empty = periods.at(-1) as Bounds;
      expect(reasons).toContain(`${empty.key} stickiness: ${NO_MAU}`);
      expect(reasons).toContain(`${empty.key} feature_usage: ${NO_USERS}`);
      expect(reasons).toContain(`${empty.key} first_week_engagement: ${NO_COHORT}`);
      expect(valueIn(result, empty.key, 'dau')).toBe(0);
      if (scenario.sparse && kind === 'month') {
        // Its events lie on its first day, which is no date of its MAU window: mau 0, dau > 0.
        expect(reasons).toContain(`${scenario.sparse} stickiness: ${NO_MAU}`);
        expect(valueIn(result, scenario.sparse, 'dau')).toBeGreaterThan(0);
      }
    });
  }
});
