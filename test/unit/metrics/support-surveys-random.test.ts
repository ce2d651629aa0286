/**
 * Seeded random brute force of the Support and Surveys families (METRICS.md "Surveys",
 * "Support (tickets)", "Report filters", the `open_tickets` signal of "At-risk customers"):
 * a few hundred random rows go through the engine, and every value is recomputed here in
 * plain TypeScript from the catalogue's words — rows de-duplicated by id (the last row wins,
 * DATASETS.md), filtered by the period's instants `[start, end)`, written out by hand as
 * ISO strings with offsets (not by the engine's period code), then counted, averaged and
 * median'd directly.
 */
import { describe, expect, it } from 'vitest';
import type { ReportConfigInput } from '../../../functions/core/config';
import type {
  CustomerRow,
  SubscriptionRow,
  SurveyResponseRow,
  TicketRow,
} from '../../../functions/core/datasets/rows';
import { mulberry32 } from '../../../functions/core/models/simulate';
import type { MetricValue } from '../../../functions/core/snapshot';
import { at, type Data, lastById, metric, run, valueIn } from './helpers';

type Rand = () => number;
type Result = Record<string, Record<string, MetricValue>>;
type SurveyType = SurveyResponseRow['survey_type'];

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const WEEK = 7 * DAY;

const int = (r: Rand, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;

/** A period by its instants, written out by hand: `[start, end)`. */
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
const inP = (t: number, p: Bounds): boolean => t >= p.start && t < p.end;

/** The median: the middle value of the sorted sample, the mean of the two middle ones. */
function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 === 1
    ? (s[(n - 1) / 2] as number)
    : ((s[n / 2 - 1] as number) + (s[n / 2] as number)) / 2;
}
const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
/** Share of `xs` that `pred` holds for, in percent. */
const percent = (xs: readonly number[], pred: (x: number) => boolean): number =>
  (xs.filter(pred).length / xs.length) * 100;

/** A float metric: its value close to `expected`, or null with exactly `reason`. */
function expectFloat(
  result: Result,
  key: string,
  id: string,
  expected: number | null,
  reason: string,
): void {
  const mv = metric(result, key, id);
  if (expected === null) {
    expect(mv.value, `${id} of ${key}`).toBeNull();
    expect(mv.reason, `${id} of ${key}`).toBe(reason);
  } else {
    expect(mv.value, `${id} of ${key} (${mv.reason ?? ''})`).not.toBeNull();
    expect(mv.value as number, `${id} of ${key}`).toBeCloseTo(expected, 9);
  }
}

// ---- Surveys ------------------------------------------------------------------------------

const SCALE: Record<SurveyType, readonly [number, number]> = {
  nps: [0, 10],
  csat: [1, 5],
  ces: [1, 7],
};
const TYPES: readonly SurveyType[] = ['nps', 'csat', 'ces'];

/** A score of the type's scale; 3 in 10 at one of its two ends. */
function randomScore(r: Rand, type: SurveyType): number {
  const [lo, hi] = SCALE[type];
  const u = r();
  if (u < 0.15) return lo;
  if (u < 0.3) return hi;
  return int(r, lo, hi);
}

const response = (
  response_id: string,
  responded_at: number,
  survey_type: SurveyType,
  score: number,
  customer_id?: string,
): SurveyResponseRow => ({
  response_id,
  responded_at,
  survey_type,
  score,
  customer_id,
  touchpoint: undefined,
  comment: undefined,
});

/**
 * Every Surveys metric of period `p` recomputed from the (de-duplicated) rows; returns the
 * responses of the period per type, for the test's own checks on what the data covers.
 */
function expectSurveys(result: Result, p: Bounds, rows: readonly SurveyResponseRow[]) {
  const ofP = rows.filter((r) => inP(r.responded_at, p));
  const scores = (type: SurveyType) =>
    ofP.filter((r) => r.survey_type === type).map((r) => r.score);
  const nps = scores('nps');
  const csat = scores('csat');
  const ces = scores('ces');
  const none = (type: SurveyType) => `no ${type} responses in the period`;
  // nps: % promoters (9–10) − % detractors (0–6).
  expectFloat(
    result,
    p.key,
    'nps',
    nps.length === 0 ? null : percent(nps, (s) => s >= 9) - percent(nps, (s) => s <= 6),
    none('nps'),
  );
  // csat: responses scoring ≥ 4 / responses × 100; csat_avg: the mean score.
  expectFloat(
    result,
    p.key,
    'csat',
    csat.length === 0 ? null : percent(csat, (s) => s >= 4),
    none('csat'),
  );
  expectFloat(result, p.key, 'csat_avg', csat.length === 0 ? null : mean(csat), none('csat'));
  // ces: responses scoring ≥ 5 (of 7) / responses × 100; ces_avg: the mean score.
  expectFloat(
    result,
    p.key,
    'ces',
    ces.length === 0 ? null : percent(ces, (s) => s >= 5),
    none('ces'),
  );
  expectFloat(result, p.key, 'ces_avg', ces.length === 0 ? null : mean(ces), none('ces'));
  // survey_responses: a count (exact), by type.
  expect(valueIn(result, p.key, 'survey_responses'), `survey_responses of ${p.key}`).toBe(
    ofP.length,
  );
  expect(metric(result, p.key, 'survey_responses').breakdown, p.key).toEqual({
    nps: nps.length,
    csat: csat.length,
    ces: ces.length,
  });
  return { nps, csat, ces, rows: ofP };
}

// ---- Tickets and the customer base ----------------------------------------------------------

const CHANNELS = ['email', 'chat', 'phone', 'web', undefined] as const;

const ticketRow = (
  ticket_id: string,
  created_at: number,
  extra: Partial<Omit<TicketRow, 'ticket_id' | 'created_at'>> = {},
): TicketRow => ({
  ticket_id,
  created_at,
  customer_id: extra.customer_id,
  channel: extra.channel,
  first_response_at: extra.first_response_at,
  resolved_at: extra.resolved_at,
});

const subscriptionRow = (
  subscription_id: string,
  customer_id: string,
  started_at: number,
  ended_at?: number,
): SubscriptionRow => ({
  subscription_id,
  customer_id,
  started_at,
  ended_at,
  mrr: undefined,
  currency: undefined,
  plan: undefined,
});

/** E: customers with a subscription covering the instant (`started_at ≤ t < ended_at`). */
function activeAt(subs: readonly SubscriptionRow[], t: number): number {
  const active = subs.filter(
    (s) => s.started_at <= t && (s.ended_at === undefined || t < s.ended_at),
  );
  return new Set(active.map((s) => s.customer_id)).size;
}

/**
 * Every Support metric of period `p` recomputed from the (de-duplicated) tickets and
 * subscriptions (`null`: no subscriptions export); returns the period's tickets and their
 * response minutes for the test's own checks.
 */
function expectSupport(
  result: Result,
  p: Bounds,
  tickets: readonly TicketRow[],
  subs: readonly SubscriptionRow[] | null,
) {
  const ofP = tickets.filter((t) => inP(t.created_at, p));
  // ticket_volume: tickets created in P, by channel (no channel: "unknown", amendment 9).
  expect(valueIn(result, p.key, 'ticket_volume'), `ticket_volume of ${p.key}`).toBe(ofP.length);
  const byChannel: Record<string, number> = {};
  for (const t of ofP) {
    const c = t.channel ?? 'unknown';
    byChannel[c] = (byChannel[c] ?? 0) + 1;
  }
  expect(metric(result, p.key, 'ticket_volume').breakdown, p.key).toEqual(byChannel);
  // tickets_per_100_customers: ticket_volume / E × 100, E = |active at end|.
  const e = subs === null ? null : activeAt(subs, p.end);
  expectFloat(
    result,
    p.key,
    'tickets_per_100_customers',
    e === null || e === 0 ? null : (ofP.length / e) * 100,
    e === null
      ? 'no subscriptions or orders export'
      : 'no customers active at the end of the period (division by zero)',
  );
  // first_response_time_p50: median of first_response_at − created_at in minutes (elapsed
  // time) over the tickets created in P that have a first response.
  const minutes = ofP
    .filter((t) => t.first_response_at !== undefined)
    .map((t) => ((t.first_response_at as number) - t.created_at) / MINUTE);
  expectFloat(
    result,
    p.key,
    'first_response_time_p50',
    minutes.length === 0 ? null : median(minutes),
    'no ticket created in the period has a first response',
  );
  return { tickets: ofP, minutes, e };
}

/** Random subscriptions of `customers` customers, starting and ending near `anchors`. */
function randomSubscriptions(
  r: Rand,
  count: number,
  customers: number,
  anchors: readonly number[],
  latestEnd: number,
): SubscriptionRow[] {
  return Array.from({ length: count }, (_, k) => {
    const customer = `c${int(r, 0, customers - 1)}`;
    const u = r();
    // 1 in 10 starts on an anchor exactly, the others up to 40 days before one.
    const started = u < 0.1 ? pick(r, anchors) : pick(r, anchors) - Math.floor(r() * 40 * DAY);
    const v = r();
    let ended: number | undefined;
    if (v < 0.1)
      ended = pick(r, anchors); // ends on a boundary: not active at it
    else if (v < 0.15)
      ended = started; // zero-length: covers no instant (amendment 13)
    else if (v < 0.5) ended = started + Math.floor(r() * 30 * DAY);
    else ended = undefined;
    if (ended !== undefined && ended < started) ended = started + Math.floor(r() * 10 * DAY);
    if (ended !== undefined && ended > latestEnd) ended = latestEnd;
    if (ended === undefined && latestEnd < Number.POSITIVE_INFINITY) ended = latestEnd;
    return subscriptionRow(`s${k}`, customer, started, ended);
  });
}

// ---- A runner with the report filter (as the engine applies it, duck/filter.ts) -------------

function runFiltered(config: ReportConfigInput, periods: string[], data: Data) {
  return run({ config, periods, data, filter: true });
}

// UTC ISO weeks of 2026: W09 = [23 Feb, 2 Mar), W10 = [2 Mar, 9 Mar), W11 = [9 Mar, 16 Mar),
// W12 = [16 Mar, 23 Mar), W13 = [23 Mar, 30 Mar), W14 = [30 Mar, 6 Apr).
const UTC_WEEKS = [
  bounds('2026-W10', '2026-03-02T00:00:00Z', '2026-03-09T00:00:00Z'),
  bounds('2026-W11', '2026-03-09T00:00:00Z', '2026-03-16T00:00:00Z'),
  bounds('2026-W12', '2026-03-16T00:00:00Z', '2026-03-23T00:00:00Z'),
  bounds('2026-W13', '2026-03-23T00:00:00Z', '2026-03-30T00:00:00Z'),
  bounds('2026-W14', '2026-03-30T00:00:00Z', '2026-04-06T00:00:00Z'),
];
const W = (key: string): Bounds => UTC_WEEKS.find((p) => p.key === key) as Bounds;

describe('surveys on seeded random responses', () => {
  it('matches a brute force of every survey metric over UTC weeks, one without ces, one empty', async () => {
    // Prepare: 420 responses from W09 to W14, 1 in 10 on a week boundary exactly and 1 in
    // 20 a millisecond before one; 3 in 10 scores at a scale end. W12 gets no ces answer,
    // W13 none at all (a response at W13's end instant belongs to W14). 1 in 20 rows
    // repeats an earlier id in the same file, and a second file rewrites 70 ids (type,
    // time, score) and adds 10: the last row wins.
    const random = mulberry32(20260302);
    const from = at('2026-02-23T00:00:00Z');
    const w13 = W('2026-W13');
    const boundaries = [from, ...UTC_WEEKS.map((p) => p.start), w13.end];
    const draw = (id: string): SurveyResponseRow => {
      let t: number;
      for (;;) {
        const u = random();
        if (u < 0.1) t = pick(random, boundaries);
        else if (u < 0.15) t = pick(random, boundaries) - 1;
        else t = from + Math.floor(random() * (w13.start - from));
        if (!inP(t, w13)) break;
      }
      const inW12 = inP(t, W('2026-W12'));
      const type = inW12 ? pick(random, ['nps', 'csat'] as const) : pick(random, TYPES);
      return response(id, t, type, randomScore(random, type));
    };
    const first: SurveyResponseRow[] = [];
    for (let k = 0; k < 420; k++) {
      const id = k > 0 && random() < 0.05 ? `r${int(random, 0, k - 1)}` : `r${k}`;
      first.push(draw(id));
    }
    const second = [
      ...Array.from({ length: 70 }, () => draw(`r${int(random, 0, 419)}`)),
      ...Array.from({ length: 10 }, (_, k) => draw(`n${k}`)),
    ];
    const files = [first, second];

    // Act
    const result = await run({
      periods: UTC_WEEKS.map((p) => p.key),
      data: { survey_responses: files },
    });

    // Assess: each week recomputed from the rows that survive de-duplication.
    const rows = lastById(files, (r) => r.response_id);
    const seen = UTC_WEEKS.map((p) => expectSurveys(result, p, rows));
    // The data covers what the test claims: full weeks, scale ends, boundary instants, a
    // week without ces, an empty week, and a row that a later one replaced.
    const [w10, w11, w12, w13Seen, w14] = seen;
    for (const s of [w10, w11]) {
      for (const type of TYPES) {
        expect(s?.[type].length).toBeGreaterThan(20);
        expect(s?.[type]).toContain(SCALE[type][0]);
        expect(s?.[type]).toContain(SCALE[type][1]);
      }
    }
    expect(w12?.ces).toEqual([]);
    expect(w12?.nps.length).toBeGreaterThan(0);
    expect(w13Seen?.rows).toEqual([]);
    expect(w14?.rows.length).toBeGreaterThan(0); // on W13's end instant, all of them
    expect(rows.some((r) => r.responded_at === W('2026-W11').start)).toBe(true);
    expect(rows.some((r) => r.responded_at === W('2026-W11').end - 1)).toBe(true);
    expect(rows.length).toBeLessThan(first.length + second.length);
  });

  it('matches the brute force in Europe/Berlin, weeks and months around both DST changes', async () => {
    // Europe/Berlin: CET (+01:00) until 29 Mar 2026 02:00, CEST (+02:00) until 25 Oct 03:00.
    // W13 is 167 h long, W43 169 h; March is 743 h, October 745 h.
    const weeks = [
      bounds('2026-W12', '2026-03-16T00:00:00+01:00', '2026-03-23T00:00:00+01:00'),
      bounds('2026-W13', '2026-03-23T00:00:00+01:00', '2026-03-30T00:00:00+02:00'),
      bounds('2026-W43', '2026-10-19T00:00:00+02:00', '2026-10-26T00:00:00+01:00'),
    ];
    const months = [
      bounds('2026-03', '2026-03-01T00:00:00+01:00', '2026-04-01T00:00:00+02:00'),
      bounds('2026-10', '2026-10-01T00:00:00+02:00', '2026-11-01T00:00:00+01:00'),
    ];
    expect(weeks.map((p) => (p.end - p.start) / HOUR)).toEqual([168, 167, 169]);
    expect(months.map((p) => (p.end - p.start) / HOUR)).toEqual([743, 745]);

    // Prepare: 400 responses within 4 h of a local boundary, of the UTC midnight beside it
    // or of a DST change (1 in 7 on a local boundary exactly, 1 in 20 a millisecond before
    // one), and 1 in 5 anywhere in March or October; a second file rewrites 40 ids.
    const random = mulberry32(20260329);
    const local = [...weeks, ...months].flatMap((p) => [p.start, p.end]);
    const anchors = [
      ...local,
      ...local.map((t) => Math.round(t / DAY) * DAY), // the UTC midnight beside each
      at('2026-03-29T01:00:00Z'),
      at('2026-10-25T01:00:00Z'),
    ];
    const draw = (id: string): SurveyResponseRow => {
      const u = random();
      let t: number;
      if (u < 0.14) t = pick(random, local);
      else if (u < 0.19) t = pick(random, local) - 1;
      else if (u < 0.8) t = pick(random, anchors) + Math.floor((random() * 2 - 1) * 4 * HOUR);
      else {
        const m = pick(random, months);
        t = m.start + Math.floor(random() * (m.end - m.start));
      }
      const type = pick(random, TYPES);
      return response(id, t, type, randomScore(random, type));
    };
    const first = Array.from({ length: 400 }, (_, k) => draw(`b${k}`));
    const second = Array.from({ length: 40 }, () => draw(`b${int(random, 0, 399)}`));
    const files = [first, second];
    const rows = lastById(files, (r) => r.response_id);

    // Act
    const weekly = await run({
      config: { timezone: 'Europe/Berlin', period: 'week' },
      periods: weeks.map((p) => p.key),
      data: { survey_responses: files },
    });
    const monthly = await run({
      config: { timezone: 'Europe/Berlin', period: 'month' },
      periods: months.map((p) => p.key),
      data: { survey_responses: files },
    });

    // Assess
    for (const p of weeks) {
      const s = expectSurveys(weekly, p, rows);
      expect(s.rows.length).toBeGreaterThan(15);
    }
    for (const p of months) expectSurveys(monthly, p, rows);
    // Rows that a UTC reading would put in another period are really there.
    const w13 = weeks[1] as Bounds;
    expect(
      rows.some(
        (r) => inP(r.responded_at, w13) && r.responded_at >= at('2026-03-29T22:00:00Z') - 2 * HOUR,
      ),
    ).toBe(true);
    expect(
      rows.some((r) => r.responded_at >= w13.end && r.responded_at < at('2026-03-30T00:00:00Z')),
    ).toBe(true);
  });
});

describe('support on seeded random tickets', () => {
  it('matches a brute force of every support metric over UTC weeks, with boundary answers', async () => {
    // Prepare: 70 customers' subscriptions, all over by W13's end (some end on a boundary,
    // some are zero-length), and one that starts in W14, so E of W13 is 0 and E of W14 is 1.
    // 420 tickets from W09 to W13 (1 in 10 created on a week boundary exactly), by channel or
    // without one; 3 in 4 of W09–W12 answered — 1 in 10 of those at once (0 min), 1 in 10
    // exactly at the end of the week it was created in, 1 in 5 after a round 5, 10, 30 or
    // 60 min (ties), the rest after a random number of milliseconds up to 3 days. Tickets of
    // W13 have no answer, W14 has no ticket (one sits on W14's end). Duplicates: 1 in 20 ids
    // repeat in the first file; a second file rewrites 60 (channel, times, answer) and adds 10.
    // A customers export knows c0–c39 only: tickets of other customers still count.
    const random = mulberry32(20260309);
    const from = at('2026-02-23T00:00:00Z');
    const w13 = W('2026-W13');
    const w14 = W('2026-W14');
    const weekEnds = [from, ...UTC_WEEKS.map((p) => p.end)];
    const subs = [
      ...randomSubscriptions(random, 110, 70, weekEnds.slice(0, 5), w13.end),
      subscriptionRow('s_late', 'c_late', w14.start + DAY),
    ];
    const subsSecond = Array.from({ length: 10 }, () => {
      const old = pick(random, subs.slice(0, 110));
      return { ...old, ended_at: random() < 0.5 ? old.started_at : w13.end };
    });
    const weekOf = (t: number): Bounds =>
      [{ key: 'W09', start: from, end: UTC_WEEKS[0]?.start as number }, ...UTC_WEEKS].find((p) =>
        inP(t, p),
      ) as Bounds;
    const draw = (id: string): TicketRow => {
      const created =
        random() < 0.1
          ? pick(random, [from, ...UTC_WEEKS.slice(0, 4).map((p) => p.start)])
          : from + Math.floor(random() * (w13.end - from));
      const u = random();
      let response: number | undefined;
      if (inP(created, w13) || u < 0.25) response = undefined;
      else if (u < 0.325) response = created;
      else if (u < 0.4) response = weekOf(created).end;
      else if (u < 0.55) response = created + pick(random, [5, 10, 30, 60]) * MINUTE;
      else response = created + Math.floor(random() * 3 * DAY);
      const v = random();
      const after = response ?? created;
      const resolved =
        v < 0.3
          ? undefined
          : v < 0.4
            ? weekOf(created).end
            : after + Math.floor(random() * 5 * DAY);
      return ticketRow(id, created, {
        channel: pick(random, CHANNELS),
        customer_id: random() < 0.1 ? undefined : `c${int(random, 0, 79)}`,
        first_response_at: response,
        resolved_at: resolved,
      });
    };
    const first: TicketRow[] = [];
    for (let k = 0; k < 420; k++) {
      const id = k > 0 && random() < 0.05 ? `t${int(random, 0, k - 1)}` : `t${k}`;
      first.push(draw(id));
    }
    // One more answered ticket in W12 (7.5 min), so that W12's count of answers is odd.
    const w12 = W('2026-W12').start + HOUR;
    first.push(ticketRow('t_odd', w12, { channel: 'chat', first_response_at: w12 + 7.5 * MINUTE }));
    first.push(ticketRow('t_next', w14.end, { channel: 'email', first_response_at: w14.end }));
    const second = [
      ...Array.from({ length: 60 }, () => draw(`t${int(random, 0, 419)}`)),
      ...Array.from({ length: 10 }, (_, k) => draw(`u${k}`)),
    ];
    const files = [first, second];
    const customers: CustomerRow[] = Array.from({ length: 40 }, (_, k) => ({
      customer_id: `c${k}`,
      created_at: from - 60 * DAY,
      acquisition_channel: undefined,
      segment: undefined,
      country: undefined,
      onboarding_completed_at: undefined,
    }));

    // Act
    const result = await run({
      periods: UTC_WEEKS.map((p) => p.key),
      data: {
        tickets: files,
        subscriptions: [subs, subsSecond],
        customers: [customers],
      },
    });

    // Assess
    const tickets = lastById(files, (t) => t.ticket_id);
    const base = lastById([subs, subsSecond], (s) => s.subscription_id);
    const seen = UTC_WEEKS.map((p) => expectSupport(result, p, tickets, base));
    const [w10, w11, , w13Seen, w14Seen] = seen;
    // What the data covers: many answered tickets, instant and boundary answers, ties,
    // E = 0 at W13's end with tickets, an empty W14 with E = 1.
    for (const s of [w10, w11]) {
      expect(s?.minutes.length).toBeGreaterThan(40);
      expect(s?.minutes).toContain(0);
      expect(s?.e).toBeGreaterThan(5);
      expect(s?.tickets.some((t) => t.channel === undefined)).toBe(true);
    }
    expect(
      tickets.some(
        (t) =>
          t.first_response_at !== undefined && t.first_response_at === weekOf(t.created_at).end,
      ),
    ).toBe(true);
    expect(tickets.some((t) => t.created_at === W('2026-W11').start)).toBe(true);
    // Both median cases (an even count: the mean of the two middle values), with ties and
    // minutes that are no whole number.
    const counts = seen.map((s) => s.minutes.length).filter((n) => n > 0);
    expect(counts.some((n) => n % 2 === 0)).toBe(true);
    expect(counts.some((n) => n % 2 === 1)).toBe(true);
    expect(
      seen.some((s) => [5, 10, 30, 60].some((m) => s.minutes.filter((x) => x === m).length > 1)),
    ).toBe(true);
    expect(w10?.minutes.some((m) => !Number.isInteger(m))).toBe(true);
    expect(w13Seen?.tickets.length).toBeGreaterThan(0);
    expect(w13Seen?.minutes).toEqual([]);
    expect(w13Seen?.e).toBe(0);
    expect(w14Seen?.tickets).toEqual([]);
    expect(w14Seen?.e).toBe(1);
    expect(tickets.length).toBeLessThan(first.length + second.length);
  });

  it('matches the brute force in America/New_York, weeks and months around both DST changes', async () => {
    // America/New_York: EST (−05:00) until 8 Mar 2026 02:00, EDT (−04:00) until 1 Nov 02:00.
    // W10 is 167 h long, W44 169 h; March 743 h, November 721 h.
    const weeks = [
      bounds('2026-W10', '2026-03-02T00:00:00-05:00', '2026-03-09T00:00:00-04:00'),
      bounds('2026-W11', '2026-03-09T00:00:00-04:00', '2026-03-16T00:00:00-04:00'),
      bounds('2026-W44', '2026-10-26T00:00:00-04:00', '2026-11-02T00:00:00-05:00'),
    ];
    const months = [
      bounds('2026-03', '2026-03-01T00:00:00-05:00', '2026-04-01T00:00:00-04:00'),
      bounds('2026-11', '2026-11-01T00:00:00-04:00', '2026-12-01T00:00:00-05:00'),
    ];
    expect(weeks.map((p) => (p.end - p.start) / HOUR)).toEqual([167, 168, 169]);
    expect(months.map((p) => (p.end - p.start) / HOUR)).toEqual([743, 721]);

    // Prepare: 360 tickets within 6 h of a local boundary, of the UTC midnight beside it, or
    // of a DST change (1 in 7 on a local boundary exactly), answered 2 in 3 times after up
    // to 5 h (across the change for some); 1 in 5 anywhere in March or November.
    // Subscriptions start and end near the same instants, so E depends on the zone too.
    const random = mulberry32(20261101);
    const local = [...weeks, ...months].flatMap((p) => [p.start, p.end]);
    const dst = [at('2026-03-08T07:00:00Z'), at('2026-11-01T06:00:00Z')];
    const anchors = [...local, ...local.map((t) => Math.round(t / DAY) * DAY), ...dst];
    const near = () => pick(random, anchors) + Math.floor((random() * 2 - 1) * 6 * HOUR);
    const draw = (id: string): TicketRow => {
      const u = random();
      let created: number;
      if (u < 0.14) created = pick(random, local);
      else if (u < 0.8) created = near();
      else {
        const m = pick(random, months);
        created = m.start + Math.floor(random() * (m.end - m.start));
      }
      const v = random();
      const response =
        v < 0.33 ? undefined : v < 0.4 ? created : created + Math.floor(random() * 5 * HOUR);
      return ticketRow(id, created, {
        channel: pick(random, CHANNELS),
        customer_id: `c${int(random, 0, 29)}`,
        first_response_at: response,
        resolved_at: response === undefined ? undefined : response + HOUR,
      });
    };
    const first = Array.from({ length: 360 }, (_, k) => draw(`n${k}`));
    const second = Array.from({ length: 40 }, () => draw(`n${int(random, 0, 359)}`));
    const files = [first, second];
    const subs = Array.from({ length: 60 }, (_, k) => {
      const started =
        random() < 0.2 ? pick(random, local) : near() - Math.floor(random() * 20 * DAY);
      const w = random();
      const ended = w < 0.2 ? pick(random, local) : w < 0.6 ? near() : undefined;
      return subscriptionRow(
        `s${k}`,
        `c${int(random, 0, 29)}`,
        started,
        ended !== undefined && ended < started ? undefined : ended,
      );
    });

    // Act
    const data: Data = { tickets: files, subscriptions: [subs] };
    const weekly = await run({
      config: { timezone: 'America/New_York', period: 'week' },
      periods: weeks.map((p) => p.key),
      data,
    });
    const monthly = await run({
      config: { timezone: 'America/New_York', period: 'month' },
      periods: months.map((p) => p.key),
      data,
    });

    // Assess
    const tickets = lastById(files, (t) => t.ticket_id);
    for (const p of weeks) {
      const s = expectSupport(weekly, p, tickets, subs);
      expect(s.minutes.length).toBeGreaterThan(10);
      expect(s.e).toBeGreaterThan(0);
    }
    for (const p of months) expectSupport(monthly, p, tickets, subs);
    // Some responses straddle a DST change (wall-clock and elapsed minutes differ).
    expect(
      tickets.some(
        (t) =>
          t.first_response_at !== undefined &&
          dst.some((d) => t.created_at < d && (t.first_response_at as number) > d),
      ),
    ).toBe(true);
  });
});

describe('support and surveys of a filtered report, on seeded random rows', () => {
  it("counts only the report's customers' tickets and responses (rows without a customer dropped)", async () => {
    // Prepare: 50 customers, segment smb, " smb " (spaces: the same after trimming), mid,
    // enterprise or none; a second customers file re-segments 15 of them (the last row wins).
    // Filter { segment: [smb, mid] }. 300 tickets and 300 responses in Feb–Mar 2026 (UTC
    // months), of customers c0–c59 (c50–c59 are unknown) or of nobody (1 in 8).
    const random = mulberry32(20260201);
    const feb = bounds('2026-02', '2026-02-01T00:00:00Z', '2026-03-01T00:00:00Z');
    const mar = bounds('2026-03', '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z');
    const segments = ['smb', ' smb ', 'mid', 'enterprise', undefined] as const;
    const customerRow = (k: number): CustomerRow => ({
      customer_id: `c${k}`,
      created_at: at('2025-12-01T00:00:00Z'),
      acquisition_channel: undefined,
      segment: pick(random, segments),
      country: undefined,
      onboarding_completed_at: undefined,
    });
    const customers = [
      Array.from({ length: 50 }, (_, k) => customerRow(k)),
      Array.from({ length: 15 }, () => customerRow(int(random, 0, 49))),
    ];
    const who = () => (random() < 0.125 ? undefined : `c${int(random, 0, 59)}`);
    const anyTime = () =>
      random() < 0.1
        ? pick(random, [feb.start, mar.start, mar.end])
        : feb.start + Math.floor(random() * (mar.end - feb.start));
    const tickets = Array.from({ length: 300 }, (_, k) => {
      const created = anyTime();
      const v = random();
      return ticketRow(`t${k}`, created, {
        channel: pick(random, CHANNELS),
        customer_id: who(),
        first_response_at: v < 0.3 ? undefined : created + Math.floor(random() * 2 * DAY),
      });
    });
    const responses = Array.from({ length: 300 }, (_, k) => {
      const type = pick(random, TYPES);
      return response(`r${k}`, anyTime(), type, randomScore(random, type), who());
    });
    const subs = randomSubscriptions(random, 80, 60, [feb.end, mar.end], Number.POSITIVE_INFINITY);

    // Act
    const result = await runFiltered(
      { period: 'month', filter: { segment: ['smb', 'mid'] } },
      [feb.key, mar.key],
      {
        customers,
        tickets: [tickets],
        survey_responses: [responses],
        subscriptions: [subs],
      },
    );

    // Assess: the report's customers by the de-duplicated customers rows, trimmed segment.
    const kept = new Set(
      lastById(customers, (c) => c.customer_id)
        .filter((c) => c.segment !== undefined && ['smb', 'mid'].includes(c.segment.trim()))
        .map((c) => c.customer_id),
    );
    const mine = <T extends { customer_id?: string | undefined }>(rows: readonly T[]) =>
      rows.filter((r) => r.customer_id !== undefined && kept.has(r.customer_id));
    for (const p of [feb, mar]) {
      const t = expectSupport(result, p, mine(tickets), mine(subs));
      const s = expectSurveys(result, p, mine(responses));
      expect(t.tickets.length).toBeGreaterThan(20);
      expect(t.e).toBeGreaterThan(0);
      expect(s.rows.length).toBeGreaterThan(20);
    }
    // The filter really narrows, and the spaced segment is among the kept.
    expect(kept.size).toBeGreaterThan(5);
    expect(kept.size).toBeLessThan(50);
    expect(
      lastById(customers, (c) => c.customer_id).some(
        (c) => c.segment === ' smb ' && kept.has(c.customer_id),
      ),
    ).toBe(true);
  });
});

describe('open tickets and NPS detractors at the period end, on seeded random rows', () => {
  it('counts the subscribers at risk by the open_tickets and low_nps signals', async () => {
    // Prepare (UTC weeks W10–W12; subscriptions without mrr, no events or orders, so only
    // open_tickets and low_nps have their inputs): 40 customers with subscriptions near the
    // week ends; 120 tickets of c0–c49 created from 1 Feb to past W12 (1 in 10 on a week
    // boundary exactly), unresolved 1 in 12, resolved exactly on a week end 1 in 6 (open at
    // that end: resolved_at ≥ end), else within 2 days; a second file resolves 20 of them
    // (the last row wins). 200 NPS answers of c0–c49 at distinct instants from 1 Feb (1 in
    // 10 on a window's start or a period's end exactly), scores at the ends often.
    // N = atRisk.trailingPeriods = 4 weeks, so W12's window is [16 Feb, 23 Mar).
    // Edge customers, subscribed throughout, each on one rule:
    // e1: only answer a 3 at 16 Feb 00:00, W12's window start (in it): low in W10–W12;
    // e2: 2 on 20 Feb, then 9 on 5 Mar: the latest counts, never low;
    // e3: 10 on 1 Mar, 0 at 16 Mar 00:00 (W11's end: outside W11, inside W12): low in W12;
    // e4: a ticket created at 9 Mar 00:00 (W10's end), unresolved: open at W11's end only on;
    // e5: a ticket of 1 Mar resolved at 9 Mar 00:00: open at W10's end (resolved_at ≥ end).
    const random = mulberry32(20260316);
    const periods = UTC_WEEKS.slice(0, 3);
    const from = at('2026-02-01T00:00:00Z');
    const to = W('2026-W13').end;
    const ends = periods.map((p) => p.end);
    const windowStarts = periods.map((p) => p.start - 4 * WEEK);
    const subs = [
      ...randomSubscriptions(random, 60, 40, ends, Number.POSITIVE_INFINITY),
      ...['e1', 'e2', 'e3', 'e4', 'e5'].map((c) =>
        subscriptionRow(`s_${c}`, c, at('2026-01-01T00:00:00Z')),
      ),
    ];
    const draw = (id: string): TicketRow => {
      const created =
        random() < 0.1
          ? pick(random, [...periods.map((p) => p.start), ...ends])
          : from + Math.floor(random() * (to - from));
      const v = random();
      const resolved =
        v < 1 / 12
          ? undefined
          : v < 0.25
            ? Math.max(created, pick(random, ends))
            : v < 0.3
              ? created
              : created + Math.floor(random() * 2 * DAY);
      return ticketRow(id, created, {
        customer_id: `c${int(random, 0, 49)}`,
        resolved_at: resolved,
      });
    };
    const first = [
      ...Array.from({ length: 120 }, (_, k) => draw(`t${k}`)),
      ticketRow('t_e4', W('2026-W10').end, { customer_id: 'e4' }),
      ticketRow('t_e5', at('2026-03-01T00:00:00Z'), {
        customer_id: 'e5',
        resolved_at: W('2026-W10').end,
      }),
    ];
    const second = Array.from({ length: 20 }, () => {
      const old = pick(random, first);
      return { ...old, resolved_at: old.created_at + Math.floor(random() * 3 * DAY) };
    });
    const answers: SurveyResponseRow[] = [
      response('x1', at('2026-02-16T00:00:00Z'), 'nps', 3, 'e1'),
      response('x2', at('2026-02-20T00:00:00Z'), 'nps', 2, 'e2'),
      response('x3', at('2026-03-05T00:00:00Z'), 'nps', 9, 'e2'),
      response('x4', at('2026-03-01T00:00:00Z'), 'nps', 10, 'e3'),
      response('x5', at('2026-03-16T00:00:00Z'), 'nps', 0, 'e3'),
    ];
    const used = new Set<number>(answers.map((a) => a.responded_at));
    while (answers.length < 205) {
      const t =
        random() < 0.1
          ? pick(random, [...windowStarts, ...ends])
          : from + Math.floor(random() * (to - from));
      if (used.has(t)) continue;
      used.add(t);
      answers.push(
        response(
          `a${answers.length}`,
          t,
          'nps',
          randomScore(random, 'nps'),
          `c${int(random, 0, 49)}`,
        ),
      );
    }

    // Act
    const result = await run({
      periods: periods.map((p) => p.key),
      data: { subscriptions: [subs], tickets: [first, second], survey_responses: [answers] },
    });

    // Assess: |active at end with ≥ 1 open ticket or a latest NPS answer of 0–6|.
    const tickets = lastById([first, second], (t) => t.ticket_id);
    for (const [i, p] of periods.entries()) {
      const active = new Set(
        subs
          .filter((s) => s.started_at <= p.end && (s.ended_at === undefined || p.end < s.ended_at))
          .map((s) => s.customer_id),
      );
      // open_tickets: created_at < end and no resolved_at before end (none, or ≥ end).
      const open = new Set(
        tickets
          .filter(
            (t) => t.created_at < p.end && (t.resolved_at === undefined || t.resolved_at >= p.end),
          )
          .map((t) => t.customer_id as string),
      );
      // low_nps: the latest answer in [start − 4 periods, end) is 0–6.
      const latest = new Map<string, SurveyResponseRow>();
      for (const a of answers) {
        if (a.responded_at < (windowStarts[i] as number) || a.responded_at >= p.end) continue;
        const c = a.customer_id as string;
        const prev = latest.get(c);
        if (prev === undefined || a.responded_at > prev.responded_at) latest.set(c, a);
      }
      const low = new Set([...latest].filter(([, a]) => a.score <= 6).map(([c]) => c));
      const atRisk = [...active].filter((c) => open.has(c) || low.has(c));
      expect(valueIn(result, p.key, 'at_risk_subscribers'), p.key).toBe(atRisk.length);
      // Both signals matter, and not for the same customers only.
      expect([...active].filter((c) => open.has(c) && !low.has(c)).length, p.key).toBeGreaterThan(
        0,
      );
      expect([...active].filter((c) => low.has(c) && !open.has(c)).length, p.key).toBeGreaterThan(
        0,
      );
      expect(atRisk.length).toBeLessThan(active.size);
    }
    // Tickets resolved exactly at a period's end (open at it) are among the rows.
    expect(
      tickets.some(
        (t) =>
          t.resolved_at !== undefined &&
          ends.includes(t.resolved_at) &&
          t.created_at < t.resolved_at,
      ),
    ).toBe(true);
  });

  it('has no open_tickets input without any resolved_at, nor low_nps without a customer_id', async () => {
    const random = mulberry32(7);
    const tickets = Array.from({ length: 50 }, (_, k) =>
      ticketRow(`t${k}`, at('2026-03-01T00:00:00Z') + Math.floor(random() * 10 * DAY), {
        customer_id: `c${int(random, 0, 9)}`,
      }),
    );
    const answers = Array.from({ length: 50 }, (_, k) =>
      response(`a${k}`, at('2026-03-01T00:00:00Z') + Math.floor(random() * 10 * DAY), 'nps', 0),
    );
    const subs = Array.from({ length: 10 }, (_, k) =>
      subscriptionRow(`s${k}`, `c${k}`, at('2026-01-01T00:00:00Z')),
    );
    const result = await run({
      periods: ['2026-W10'],
      data: { subscriptions: [subs], tickets: [tickets], survey_responses: [answers] },
    });
    const mv = metric(result, '2026-W10', 'at_risk_subscribers');
    expect(mv.value).toBeNull();
    expect(mv.reason).toContain('no NPS answer with a customer_id');
    expect(mv.reason).toContain('no ticket with a customer_id and a resolved_at');
    // One resolved ticket is enough for a count: every ticket of an active customer created
    // before the end and unresolved by it is open (c0–c9 are all active).
    const resolvedOne = tickets.map((t, k) =>
      k === 0 ? { ...t, resolved_at: t.created_at + HOUR } : t,
    );
    const counted = await run({
      periods: ['2026-W10'],
      data: { subscriptions: [subs], tickets: [resolvedOne], survey_responses: [answers] },
    });
    const end = W('2026-W10').end;
    const open = new Set(
      resolvedOne
        .filter((t) => t.created_at < end && (t.resolved_at === undefined || t.resolved_at >= end))
        .map((t) => t.customer_id),
    );
    expect(valueIn(counted, '2026-W10', 'at_risk_subscribers')).toBe(open.size);
    expect(open.size).toBeGreaterThan(3);
  });
});
