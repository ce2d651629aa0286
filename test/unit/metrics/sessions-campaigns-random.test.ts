/**
 * Seeded random rows for the session metrics (METRICS.md "Product activity": `sessions`,
 * `avg_session_duration`, `bounce_rate`, `pageviews`, `visits_per_user`) and the campaign
 * families (METRICS.md "Campaigns": the four email rates, `social_engagement_rate` with its
 * per-platform breakdown, `social_mentions`; amendments 8, 10 and 21). The rows go through the
 * engine, and every value or null reason is worked out again here, in plain TypeScript, from
 * the catalogue's words and DATASETS.md's rows:
 * - sessions and campaigns count when their instant lies in P = [start, end); the last row of
 *   an id wins (files in order, then rows in order);
 * - social rows have no id (every row counts) and count by their local date; followers at the
 *   end of P are, per platform, the count of its latest row dated on or before P's last day
 *   (on one date, the row read last), summed.
 * Period bounds are written down here as local calendar dates, and their midnights come from
 * the hand-written offsets of `localMidnight` (checked against Intl), not from the engine's
 * period code. Europe/Berlin moves its clocks forward on Sunday 29 March 2026, inside 2026-W13
 * (a 167-hour week) and 2026-03.
 */
import { describe, expect, it } from 'vitest';
import type {
  EmailCampaignRow,
  SessionRow,
  SocialRow,
} from '../../../functions/core/datasets/rows';
import { mulberry32 } from '../../../functions/core/models/simulate';
import type { MetricValue } from '../../../functions/core/snapshot';
import { at, campaign, lastById, metric, reasonOf, run, session, valueIn } from './helpers';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

type Zone = 'UTC' | 'Europe/Berlin';
type Result = Record<string, Record<string, MetricValue>>;

// ---------------------------------------------------------------------------------------
// Calendar, written down by hand
// ---------------------------------------------------------------------------------------

/** Each period as its first local date and the local date after its last (ISO weeks start Monday). */
const CALENDAR: Record<string, [string, string]> = {
  '2026-W07': ['2026-02-09', '2026-02-16'],
  '2026-W08': ['2026-02-16', '2026-02-23'],
  '2026-W12': ['2026-03-16', '2026-03-23'],
  '2026-W13': ['2026-03-23', '2026-03-30'],
  '2026-W14': ['2026-03-30', '2026-04-06'],
  '2026-W16': ['2026-04-13', '2026-04-20'],
  '2026-W17': ['2026-04-20', '2026-04-27'],
  '2026-W18': ['2026-04-27', '2026-05-04'],
  '2026-W20': ['2026-05-11', '2026-05-18'],
  '2026-01': ['2026-01-01', '2026-02-01'],
  '2026-02': ['2026-02-01', '2026-03-01'],
  '2026-03': ['2026-03-01', '2026-04-01'],
  '2026-04': ['2026-04-01', '2026-05-01'],
  '2026-06': ['2026-06-01', '2026-07-01'],
};

/** A calendar date `n` days later (plain date arithmetic, no zone). */
function addDays(date: string, n: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/** Local wall time of an instant as `YYYY-MM-DD HH:mm`, by Intl. */
function wallTime(t: number, zone: Zone): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(t);
  const part = (type: string) => parts.find((p) => p.type === type)?.value;
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}`;
}

/**
 * The instant a local date starts. Berlin is +01:00 (CET) at the midnights up to 29 March
 * 2026 (that day's clocks jump at 02:00, after its midnight) and +02:00 (CEST) from 30 March
 * until 25 October 2026.
 */
function localMidnight(date: string, zone: Zone): number {
  let t: number;
  if (zone === 'UTC') t = at(`${date}T00:00:00Z`);
  else {
    if (date < '2025-11-01' || date > '2026-10-24') throw new Error(`no offset for ${date}`);
    t = at(`${date}T00:00:00${date <= '2026-03-29' ? '+01:00' : '+02:00'}`);
  }
  if (wallTime(t, zone) !== `${date} 00:00`) throw new Error(`${date} in ${zone}: wrong offset`);
  return t;
}

interface Bounds {
  key: string;
  /** First and last local date of P. */
  firstDay: string;
  lastDay: string;
  /** P = [start, end) as instants. */
  start: number;
  end: number;
}

function bounds(key: string, zone: Zone): Bounds {
  const days = CALENDAR[key];
  if (!days) throw new Error(`no calendar entry for ${key}`);
  const [firstDay, nextDay] = days;
  return {
    key,
    firstDay,
    lastDay: addDays(nextDay, -1),
    start: localMidnight(firstDay, zone),
    end: localMidnight(nextDay, zone),
  };
}

/**
 * A random instant: 1 in 10 exactly on a bound of one of `periods` (start, end, a ms either
 * side), 1 in 10 within 3 h of one (where a wrong offset would misplace it), otherwise uniform
 * from 3 days before the first period to 3 days after the last.
 */
function randomInstant(random: () => number, periods: Bounds[]): number {
  const r = random();
  const p = periods[Math.floor(random() * periods.length)] as Bounds;
  if (r < 0.1) {
    const edges = [p.start, p.start - 1, p.end, p.end - 1];
    return edges[Math.floor(random() * edges.length)] as number;
  }
  if (r < 0.2) {
    const edge = random() < 0.5 ? p.start : p.end;
    return edge + Math.floor((random() * 2 - 1) * 3 * 3600) * 1000;
  }
  const from = Math.min(...periods.map((b) => b.start)) - 3 * DAY_MS;
  const to = Math.max(...periods.map((b) => b.end)) + 3 * DAY_MS;
  return from + Math.floor(random() * (to - from));
}

/** Forced rows on every period's bounds: start, its last ms, and half an hour either side. */
function boundaryInstants(periods: Bounds[]): number[] {
  return periods.flatMap((p) => [
    p.start,
    p.start + 30 * MINUTE_MS,
    p.start - 30 * MINUTE_MS,
    p.end - 1,
  ]);
}

// ---------------------------------------------------------------------------------------
// Expected values and how they are compared
// ---------------------------------------------------------------------------------------

type Expected = { value: number } | { reason: string };

/** numerator / denominator × scale, or the reason when the denominator is 0. */
function quotient(numerator: number, denominator: number, scale: number, reason: string): Expected {
  return denominator === 0 ? { reason } : { value: (numerator / denominator) * scale };
}

const sum = (xs: number[]): number => xs.reduce((a, x) => a + x, 0);

/** Counts compare exactly, everything else to 9 decimals; a null compares by its reason. */
function compare(result: Result, key: string, id: string, expected: Expected, exact: boolean) {
  const label = `${key} ${id}`;
  if ('reason' in expected) expect(reasonOf(result, key, id), label).toBe(expected.reason);
  else if (exact) expect(valueIn(result, key, id), label).toBe(expected.value);
  else expect(valueIn(result, key, id), label).toBeCloseTo(expected.value, 9);
}

interface Scenario {
  zone: Zone;
  /** Periods the random rows are spread over. */
  busy: string[];
  /** A period no row comes near. */
  empty: string;
  seed: number;
}

// ---------------------------------------------------------------------------------------
// Sessions
// ---------------------------------------------------------------------------------------

interface SessionSource {
  id: string;
  user: string;
  t: number;
  /** duration_seconds in hundredths, so that the expected totals are whole numbers. */
  centiseconds: number;
  pageviews: number;
}

const NO_SESSIONS = 'no sessions in the period (division by zero)';

/** The catalogue's session rows, from the sessions started in P = [start, end). */
function expectedSessions(kept: SessionSource[], p: Bounds) {
  const inP = kept.filter((s) => s.t >= p.start && s.t < p.end);
  const n = inP.length;
  const users = new Set(inP.map((s) => s.user)).size;
  return {
    sessions: { value: n },
    avg_session_duration: quotient(sum(inP.map((s) => s.centiseconds)) / 100, n, 1, NO_SESSIONS),
    bounce_rate: quotient(inP.filter((s) => s.pageviews === 1).length, n, 100, NO_SESSIONS),
    pageviews: { value: sum(inP.map((s) => s.pageviews)) },
    visits_per_user: quotient(n, users, 1, NO_SESSIONS),
  } satisfies Record<string, Expected>;
}

const SESSION_SCENARIOS: Scenario[] = [
  {
    zone: 'Europe/Berlin',
    busy: ['2026-W12', '2026-W13', '2026-W14'],
    empty: '2026-W20',
    seed: 20260329,
  },
  { zone: 'Europe/Berlin', busy: ['2026-03', '2026-04'], empty: '2026-06', seed: 20260330 },
  { zone: 'UTC', busy: ['2026-W12', '2026-W13', '2026-W14'], empty: '2026-W20', seed: 20260331 },
];

describe('session metrics on seeded random sessions', () => {
  for (const scenario of SESSION_SCENARIOS) {
    const { zone, busy, empty, seed } = scenario;
    it(`match a brute force over ${[...busy, empty].join(', ')} in ${zone} (seed ${seed})`, async () => {
      // Prepare: 400 sessions of 60 users in two files, 1 in 5 repeating an earlier id (so a
      // session can move to another period or change its pageviews); 3 in 10 bounces, 1 in 10
      // without a pageview, 1 in 20 of 0 s; many on or next to a period's bounds.
      const random = mulberry32(seed);
      const periods = [...busy, empty].map((key) => bounds(key, zone));
      const busyBounds = periods.slice(0, busy.length);
      const instants = [
        ...boundaryInstants(busyBounds),
        ...Array.from({ length: 400 - 4 * busyBounds.length }, () =>
          randomInstant(random, busyBounds),
        ),
      ];
      const ids: string[] = [];
      const rows: SessionSource[] = instants.map((t, k) => {
        const repeat = ids.length > 20 && random() < 0.2;
        const id = repeat ? (ids[Math.floor(random() * ids.length)] as string) : `s${k}`;
        if (!repeat) ids.push(id);
        const r = random();
        const pageviews = r < 0.3 ? 1 : r < 0.4 ? 0 : 2 + Math.floor(random() * 20);
        const centiseconds = random() < 0.05 ? 0 : Math.floor(random() * 360_000);
        return { id, user: `u${Math.floor(random() * 60)}`, t, centiseconds, pageviews };
      });
      const files = [rows.slice(0, 250), rows.slice(250)];
      const toRow = (s: SessionSource): SessionRow =>
        session(s.id, s.user, new Date(s.t).toISOString(), s.centiseconds / 100, s.pageviews);

      // Act
      const result = await run({
        config: { timezone: zone },
        periods: periods.map((p) => p.key),
        data: { sessions: files.map((file) => file.map(toRow)) },
      });

      // Assess: every metric of every period from the last row of each session id.
      const kept = lastById(files, (s) => s.id);
      expect(kept.length).toBeLessThan(files.flat().length - 40); // duplicates were dropped
      for (const p of periods) {
        for (const [id, expected] of Object.entries(expectedSessions(kept, p))) {
          compare(result, p.key, id, expected, id === 'sessions' || id === 'pageviews');
        }
      }
      // The empty period is a count of 0 and rates without a value.
      expect(expectedSessions(kept, periods.at(-1) as Bounds).bounce_rate).toEqual({
        reason: NO_SESSIONS,
      });
    });
  }
});

// ---------------------------------------------------------------------------------------
// Email campaigns
// ---------------------------------------------------------------------------------------

interface CampaignSource {
  id: string;
  t: number;
  sent: number;
  delivered: number;
  opens: number;
  clicks: number;
  bounces: number | undefined;
}

const NO_CAMPAIGNS = 'no email campaigns sent in the period';
const NO_DELIVERED = 'no emails delivered in the period (division by zero)';
const NO_OPENS = 'no unique opens in the period (division by zero)';
const NO_BOUNCES_IN_P = 'no campaign sent in the period has a bounces value';
const NO_BOUNCES_AT_ALL = 'no bounces values in the email_campaigns export';
const NO_SENT = 'no emails sent in the period (division by zero)';

/**
 * The catalogue's email rates over the campaigns sent in P; the bounce rate over those that
 * report bounces only (amendment 10), null when none in P does or the export never does.
 */
function expectedEmail(kept: CampaignSource[], p: Bounds): Record<string, Expected> {
  const inP = kept.filter((c) => c.t >= p.start && c.t < p.end);
  const ids = ['email_open_rate', 'email_ctr', 'email_click_to_open', 'email_bounce_rate'];
  if (inP.length === 0) return Object.fromEntries(ids.map((id) => [id, { reason: NO_CAMPAIGNS }]));
  const delivered = sum(inP.map((c) => c.delivered));
  const opens = sum(inP.map((c) => c.opens));
  const clicks = sum(inP.map((c) => c.clicks));
  const withBounces = inP.filter((c) => c.bounces !== undefined);
  const bounceRate: Expected = !kept.some((c) => c.bounces !== undefined)
    ? { reason: NO_BOUNCES_AT_ALL }
    : withBounces.length === 0
      ? { reason: NO_BOUNCES_IN_P }
      : quotient(
          sum(withBounces.map((c) => c.bounces ?? 0)),
          sum(withBounces.map((c) => c.sent)),
          100,
          NO_SENT,
        );
  return {
    email_open_rate: quotient(opens, delivered, 100, NO_DELIVERED),
    email_ctr: quotient(clicks, delivered, 100, NO_DELIVERED),
    email_click_to_open: quotient(clicks, opens, 100, NO_OPENS),
    email_bounce_rate: bounceRate,
  };
}

/** A campaign with plausible counters: delivered = sent − bounced, clicks ≤ opens ≤ delivered. */
function randomCampaign(random: () => number, id: string, t: number): CampaignSource {
  const sent = random() < 0.05 ? 0 : 1 + Math.floor(random() * 5000);
  const bounced = Math.floor(random() * 0.1 * sent);
  const delivered = sent - bounced;
  const opens = Math.floor(random() * 0.6 * (delivered + 1));
  const clicks = Math.floor(random() * 0.5 * (opens + 1));
  const bounces = random() < 0.75 ? bounced : undefined;
  return { id, t, sent, delivered, opens, clicks, bounces };
}

/**
 * Weeks holding only made-up edge campaigns (5 each, one on the week's start): W16 nothing
 * delivered, everything bounced; W17 delivered but never opened, no bounces value; W18
 * nothing sent at all, 0 bounces reported.
 */
function edgeCampaigns(random: () => number, zone: Zone): CampaignSource[] {
  const kinds: [string, (k: number) => Omit<CampaignSource, 'id' | 't'>][] = [
    ['2026-W16', (k) => ({ sent: 10 + k, delivered: 0, opens: 0, clicks: 0, bounces: 10 + k })],
    [
      '2026-W17',
      (k) => ({ sent: 50 + k, delivered: 40 + k, opens: 0, clicks: 0, bounces: undefined }),
    ],
    ['2026-W18', () => ({ sent: 0, delivered: 0, opens: 0, clicks: 0, bounces: 0 })],
  ];
  return kinds.flatMap(([key, counters]) => {
    const p = bounds(key, zone);
    return Array.from({ length: 5 }, (_, k) => ({
      id: `${key}-e${k}`,
      t: k === 0 ? p.start : p.start + Math.floor(random() * (p.end - p.start)),
      ...counters(k),
    }));
  });
}

const toCampaignRow = (c: CampaignSource): EmailCampaignRow => ({
  ...campaign(c.id, new Date(c.t).toISOString(), {
    sent: c.sent,
    delivered: c.delivered,
    opens: c.opens,
    clicks: c.clicks,
  }),
  bounces: c.bounces,
});

const EMAIL_SCENARIOS: (Scenario & { edges: boolean })[] = [
  {
    zone: 'Europe/Berlin',
    busy: ['2026-W12', '2026-W13', '2026-W14'],
    empty: '2026-W20',
    seed: 7_2026_0329,
    edges: true,
  },
  {
    zone: 'Europe/Berlin',
    busy: ['2026-03', '2026-04'],
    empty: '2026-06',
    seed: 7_2026_0330,
    edges: false,
  },
  {
    zone: 'UTC',
    busy: ['2026-W12', '2026-W13', '2026-W14'],
    empty: '2026-W20',
    seed: 7_2026_0331,
    edges: true,
  },
];

describe('email metrics on seeded random campaigns', () => {
  for (const scenario of EMAIL_SCENARIOS) {
    const { zone, busy, empty, seed, edges } = scenario;
    const edgeKeys = edges ? ['2026-W16', '2026-W17', '2026-W18'] : [];
    const keys = [...busy, ...edgeKeys, empty];
    it(`match a brute force over ${keys.join(', ')} in ${zone} (seed ${seed})`, async () => {
      // Prepare: 300 random campaigns in two files, 1 in 5 repeating an earlier id (its counters
      // and send time updated), 1 in 4 without a bounces value, 1 in 20 sent to nobody; the edge
      // weeks' campaigns come last, with ids of their own.
      const random = mulberry32(seed);
      const periods = keys.map((key) => bounds(key, zone));
      const busyBounds = periods.slice(0, busy.length);
      const instants = [
        ...boundaryInstants(busyBounds),
        ...Array.from({ length: 300 - 4 * busyBounds.length }, () =>
          randomInstant(random, busyBounds),
        ),
      ];
      const ids: string[] = [];
      const rows = instants.map((t, k) => {
        const repeat = ids.length > 20 && random() < 0.2;
        const id = repeat ? (ids[Math.floor(random() * ids.length)] as string) : `c${k}`;
        if (!repeat) ids.push(id);
        return randomCampaign(random, id, t);
      });
      const files = [
        rows.slice(0, 180),
        [...rows.slice(180), ...(edges ? edgeCampaigns(random, zone) : [])],
      ];

      // Act: as exported, and once more with no bounces column at all.
      const result = await run({
        config: { timezone: zone },
        periods: keys,
        data: { email_campaigns: files.map((file) => file.map(toCampaignRow)) },
      });
      const unbounced = files.map((file) => file.map((c) => ({ ...c, bounces: undefined })));
      const withoutBounces = await run({
        config: { timezone: zone },
        periods: keys,
        data: { email_campaigns: unbounced.map((file) => file.map(toCampaignRow)) },
      });

      // Assess
      const kept = lastById(files, (c) => c.id);
      const keptUnbounced = lastById(unbounced, (c) => c.id);
      expect(kept.length).toBeLessThan(files.flat().length - 30); // duplicates were dropped
      for (const p of periods) {
        for (const [id, expected] of Object.entries(expectedEmail(kept, p))) {
          compare(result, p.key, id, expected, false);
        }
        for (const [id, expected] of Object.entries(expectedEmail(keptUnbounced, p))) {
          compare(withoutBounces, p.key, id, expected, false);
        }
      }
      // The edges were reached: each null reason of the catalogue's rows occurs.
      const reasons = periods.flatMap((p) =>
        Object.values(expectedEmail(kept, p)).flatMap((e) => ('reason' in e ? [e.reason] : [])),
      );
      expect(reasons).toContain(NO_CAMPAIGNS);
      if (edges) {
        for (const reason of [NO_DELIVERED, NO_OPENS, NO_BOUNCES_IN_P, NO_SENT]) {
          expect(reasons).toContain(reason);
        }
      }
    });
  }
});

// ---------------------------------------------------------------------------------------
// Social
// ---------------------------------------------------------------------------------------

interface SocialSource {
  /** Local calendar date. */
  date: string;
  platform: string;
  followers: number;
  likes: number | undefined;
  comments: number | undefined;
  shares: number | undefined;
  reposts: number | undefined;
  mentions: number | undefined;
  post_id: string | undefined;
}

const NO_SOCIAL_ROWS = 'no social rows dated in the period';
const NO_FOLLOWERS = 'no follower count on or before the end of the period (division by zero)';
const ZERO_FOLLOWERS = 'the follower counts at the end of the period are 0 (division by zero)';
const NO_ENGAGEMENT_AT_ALL = 'no likes, comments, shares or reposts values in the social export';
const NO_MENTIONS_AT_ALL = 'no mentions values in the social export';

interface SocialExpected {
  rate: Expected;
  breakdown: Record<string, number | null>;
  mentions: Expected;
}

/**
 * The catalogue's social rows: Σ (likes + comments + shares + reposts) of the rows dated in P
 * over the summed followers at the end of P, each platform's count taken from its latest row
 * dated on or before P's last day (on one date the row read last); Σ mentions of the rows dated
 * in P. Amendment 21: a period without a row dated in it has neither, unless no follower count
 * exists yet (then the division by zero).
 */
function expectedSocial(read: SocialSource[], p: Bounds): SocialExpected {
  const inP = read.filter((r) => r.date >= p.firstDay && r.date <= p.lastDay);
  const latest = new Map<string, SocialSource>();
  for (const r of read) {
    const current = latest.get(r.platform);
    if (r.date <= p.lastDay && (!current || r.date >= current.date)) latest.set(r.platform, r);
  }
  const engagementOf = (platform: string) =>
    sum(
      inP
        .filter((r) => r.platform === platform)
        .map((r) => (r.likes ?? 0) + (r.comments ?? 0) + (r.shares ?? 0) + (r.reposts ?? 0)),
    );
  const breakdown: Record<string, number | null> = {};
  let engagement = 0;
  let followers = 0;
  for (const [platform, row] of latest) {
    engagement += engagementOf(platform);
    followers += row.followers;
    breakdown[platform] =
      row.followers === 0 ? null : (engagementOf(platform) / row.followers) * 100;
  }
  const hasEngagement = read.some(
    (r) =>
      r.likes !== undefined ||
      r.comments !== undefined ||
      r.shares !== undefined ||
      r.reposts !== undefined,
  );
  const rate: Expected = !hasEngagement
    ? { reason: NO_ENGAGEMENT_AT_ALL }
    : inP.length === 0 && latest.size > 0
      ? { reason: NO_SOCIAL_ROWS }
      : quotient(engagement, followers, 100, latest.size === 0 ? NO_FOLLOWERS : ZERO_FOLLOWERS);
  const mentions: Expected = !read.some((r) => r.mentions !== undefined)
    ? { reason: NO_MENTIONS_AT_ALL }
    : inP.length === 0
      ? { reason: NO_SOCIAL_ROWS }
      : { value: sum(inP.map((r) => r.mentions ?? 0)) };
  return { rate, breakdown, mentions };
}

/**
 * Platforms and the dates they have rows on: mastodon from 16 Feb with 0 followers (the only
 * platform before 2 March), linkedin stops on 20 March, tiktok starts on 25 March.
 */
const PLATFORMS: [string, string, string][] = [
  ['mastodon', '2026-02-16', '2026-04-08'],
  ['x', '2026-03-02', '2026-04-08'],
  ['instagram', '2026-03-02', '2026-04-08'],
  ['linkedin', '2026-03-02', '2026-03-20'],
  ['tiktok', '2026-03-25', '2026-04-08'],
];

const maybe = (random: () => number, p: number, max: number): number | undefined =>
  random() < p ? Math.floor(random() * max) : undefined;

function randomSocial(random: () => number, platform: string, date: string): SocialSource {
  return {
    date,
    platform,
    followers: platform === 'mastodon' ? 0 : 500 + Math.floor(random() * 50_000),
    likes: maybe(random, 0.8, 300),
    comments: maybe(random, 0.8, 60),
    shares: maybe(random, 0.8, 40),
    reposts: maybe(random, 0.8, 40),
    mentions: maybe(random, 0.7, 20),
    post_id: random() < 0.5 ? `p${Math.floor(random() * 30)}` : undefined,
  };
}

const toSocialRow =
  (zone: Zone) =>
  (r: SocialSource): SocialRow => ({
    date: localMidnight(r.date, zone),
    platform: r.platform,
    followers: r.followers,
    likes: r.likes,
    comments: r.comments,
    shares: r.shares,
    reposts: r.reposts,
    mentions: r.mentions,
    post_id: r.post_id,
  });

const SOCIAL_SCENARIOS: { zone: Zone; periods: string[]; seed: number }[] = [
  // W07: before any row; W08: mastodon only (0 followers); W12–W14 (W13: DST); W20: after.
  {
    zone: 'Europe/Berlin',
    periods: ['2026-W07', '2026-W08', '2026-W12', '2026-W13', '2026-W14', '2026-W20'],
    seed: 5_2026_0329,
  },
  {
    zone: 'Europe/Berlin',
    periods: ['2026-01', '2026-02', '2026-03', '2026-04', '2026-06'],
    seed: 5_2026_0330,
  },
  {
    zone: 'UTC',
    periods: ['2026-W07', '2026-W08', '2026-W12', '2026-W13', '2026-W14', '2026-W20'],
    seed: 5_2026_0331,
  },
];

describe('social metrics on seeded random social rows', () => {
  for (const { zone, periods: keys, seed } of SOCIAL_SCENARIOS) {
    it(`match a brute force over ${keys.join(', ')} in ${zone} (seed ${seed})`, async () => {
      // Prepare: 260 random rows in two files (many platform-dates twice, some post_ids
      // repeated: social has no id, so every row counts), plus one row on the first and on the
      // last day of every period with rows.
      const random = mulberry32(seed);
      const periods = keys.map((key) => bounds(key, zone));
      const randomRows = Array.from({ length: 260 }, () => {
        const [platform, from, to] = PLATFORMS[Math.floor(random() * PLATFORMS.length)] as [
          string,
          string,
          string,
        ];
        const span = (Date.parse(to) - Date.parse(from)) / DAY_MS;
        return randomSocial(random, platform, addDays(from, Math.floor(random() * (span + 1))));
      });
      const edgeRows = periods
        .filter((p) => p.firstDay >= '2026-02-16' && p.lastDay <= '2026-04-30')
        .flatMap((p) => [p.firstDay, p.lastDay])
        .map((date) => randomSocial(random, date < '2026-03-02' ? 'mastodon' : 'x', date));
      const files = [randomRows.slice(0, 150), [...randomRows.slice(150), ...edgeRows]];
      const read = files.flat();
      const stripped = files.map((file) =>
        file.map((r) => ({
          ...r,
          likes: undefined,
          comments: undefined,
          shares: undefined,
          reposts: undefined,
          mentions: undefined,
        })),
      );

      // Act: as exported, and once more without any engagement or mentions values.
      const result = await run({
        config: { timezone: zone },
        periods: keys,
        data: { social: files.map((file) => file.map(toSocialRow(zone))) },
      });
      const bare = await run({
        config: { timezone: zone },
        periods: keys,
        data: { social: stripped.map((file) => file.map(toSocialRow(zone))) },
      });

      // Assess
      for (const p of periods) {
        const expected = expectedSocial(read, p);
        compare(result, p.key, 'social_engagement_rate', expected.rate, false);
        compare(result, p.key, 'social_mentions', expected.mentions, true);
        if ('value' in expected.rate) {
          const breakdown = metric(result, p.key, 'social_engagement_rate').breakdown ?? {};
          expect(Object.keys(breakdown).sort(), p.key).toEqual(
            Object.keys(expected.breakdown).sort(),
          );
          for (const [platform, value] of Object.entries(expected.breakdown)) {
            const label = `${p.key} ${platform}`;
            if (value === null) expect(breakdown[platform], label).toBeNull();
            else expect(breakdown[platform], label).toBeCloseTo(value, 9);
          }
        }
        const bareExpected = expectedSocial(stripped.flat(), p);
        compare(bare, p.key, 'social_engagement_rate', bareExpected.rate, false);
        compare(bare, p.key, 'social_mentions', bareExpected.mentions, true);
      }
      // The edges were reached: no row yet, only 0 followers, no row dated in P, a platform
      // with 0 followers in a breakdown, and one platform-date read twice.
      const all = periods.map((p) => expectedSocial(read, p));
      expect(all.map((e) => e.rate)).toContainEqual({ reason: NO_FOLLOWERS });
      expect(all.map((e) => e.rate)).toContainEqual({ reason: ZERO_FOLLOWERS });
      expect(all.map((e) => e.mentions)).toContainEqual({ reason: NO_SOCIAL_ROWS });
      expect(all.map((e) => e.rate)).toContainEqual({ reason: NO_SOCIAL_ROWS });
      expect(all.some((e) => 'value' in e.rate && e.breakdown.mastodon === null)).toBe(true);
      const platformDates = read.map((r) => `${r.platform} ${r.date}`);
      expect(new Set(platformDates).size).toBeLessThan(platformDates.length);
    });
  }
});

// Sanity of the hand-written calendar: Berlin's W13 is 167 hours long, March 743.
it('writes down a 167-hour Berlin week and a 743-hour Berlin March', () => {
  const w13 = bounds('2026-W13', 'Europe/Berlin');
  const march = bounds('2026-03', 'Europe/Berlin');
  expect((w13.end - w13.start) / HOUR_MS).toBe(167);
  expect((march.end - march.start) / HOUR_MS).toBe(743);
});
