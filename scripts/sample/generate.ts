/**
 * Sample exports for a fictional business, "Brightloom": a subscription SaaS for small
 * teams' reporting (plans Starter $29, Team $79, Business $199 a month) with a small shop
 * (template packs, workshops, merchandise). It launches on the first sample day and grows;
 * every one of the ten datasets of DATASETS.md is written with its canonical columns.
 *
 * Deterministic: the same options give the same bytes (a seeded sfc32 per dataset, no
 * clock, no `Math.random`). Events and sessions are written day by day as they are
 * generated, so their size does not depend on memory; the smaller datasets are generated
 * in memory and sorted by time before writing.
 *
 * What the data is made to show:
 * - acquisition by channel (organic, paid_search, social, referral, email) with weekday and
 *   seasonal patterns, tied to daily marketing spend per channel and campaign;
 * - monthly subscription churn of about 3–5 % (an exponential lifetime per plan, higher for
 *   less engaged customers), upgrades (one subscription ends the instant the next begins),
 *   and customers who churn and come back weeks later;
 * - shop orders with repeat purchases that stop (a BG/NBD-like buy-then-drop process) and a
 *   few refunds (negative amounts, order id `<original>-R`);
 * - NPS every ~90 days in the app, CES after onboarding, CSAT after a resolved ticket;
 * - product events with weekly seasonality (quiet weekends) and engagement that fades
 *   before a customer churns; sessions with bounces; tickets by channel with response and
 *   resolution times; a weekly email digest and a monthly product update; daily social
 *   stats per platform with growing followers.
 *
 * Timestamp forms are mixed as real exports are: billing, analytics and sessions use `Z`
 * instants; the help desk and the email tool write local time with an offset
 * (`2026-03-04T10:00:00-05:00`); some surveys and shop orders use offsets, a few shop
 * orders a local time with no offset; spend and social use bare dates.
 *
 * Deliberately bad rows (BAD_ROWS below) are added so that a report shows rejections.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DatasetName } from '../../functions/core/config';
import { DAY_MS, isoMillis, isoSeconds, LocalCalendar, type LocalDay, parseDate } from './calendar';
import { Rng } from './prng';
import { openRowWriter, type RowWriter, type SampleFormat } from './writer';

/** Canonical columns of every dataset, required then optional, as in DATASETS.md. */
export const SAMPLE_COLUMNS: Record<DatasetName, readonly string[]> = {
  customers: [
    'customer_id',
    'created_at',
    'acquisition_channel',
    'segment',
    'country',
    'onboarding_completed_at',
  ],
  subscriptions: [
    'subscription_id',
    'customer_id',
    'started_at',
    'ended_at',
    'mrr',
    'currency',
    'plan',
  ],
  orders: ['order_id', 'customer_id', 'ordered_at', 'amount', 'currency', 'status'],
  marketing_spend: ['date', 'channel', 'amount', 'campaign', 'currency'],
  survey_responses: [
    'response_id',
    'responded_at',
    'survey_type',
    'score',
    'customer_id',
    'touchpoint',
    'comment',
  ],
  events: ['user_id', 'occurred_at', 'event_type', 'event_id', 'feature', 'page', 'session_id'],
  sessions: [
    'session_id',
    'user_id',
    'started_at',
    'duration_seconds',
    'pageviews',
    'landing_page',
    'channel',
  ],
  tickets: [
    'ticket_id',
    'created_at',
    'customer_id',
    'channel',
    'first_response_at',
    'resolved_at',
  ],
  email_campaigns: [
    'campaign_id',
    'sent_at',
    'sent',
    'delivered',
    'unique_opens',
    'unique_clicks',
    'bounces',
    'unsubscribes',
    'name',
  ],
  social: [
    'date',
    'platform',
    'followers',
    'likes',
    'comments',
    'shares',
    'reposts',
    'mentions',
    'post_id',
  ],
};

/**
 * The rows written on purpose to be rejected (or, for tickets, de-duplicated), so that the
 * demo report shows its data-quality section at work. One each, placed about 60 % of the
 * way through the file.
 */
export const BAD_ROWS: readonly { dataset: DatasetName; column: string; problem: string }[] = [
  {
    dataset: 'customers',
    column: 'created_at',
    problem: 'a date that does not exist (30 February)',
  },
  { dataset: 'subscriptions', column: 'ended_at', problem: 'ended_at before started_at' },
  { dataset: 'orders', column: 'currency', problem: 'an order in EUR in a USD report' },
  { dataset: 'survey_responses', column: 'score', problem: 'an NPS score of 11 (scale 0–10)' },
  { dataset: 'email_campaigns', column: 'delivered', problem: '"n/a" where a count belongs' },
  { dataset: 'social', column: 'likes', problem: 'a negative like count' },
  {
    dataset: 'tickets',
    column: 'ticket_id',
    problem: 'a ticket exported twice (the later row, with its resolution, is kept)',
  },
];

export const SAMPLE_DEFAULTS = {
  start: '2025-07-01',
  months: 17,
  /** Data stops before this local day even if `months` reaches further (the sample's "today"). */
  until: '2026-11-23',
  timezone: 'America/New_York',
  format: 'csv' as SampleFormat,
  customers: 2000,
  scale: 1,
};

export interface SampleOptions {
  seed: number;
  outDir: string;
  /** First local day, `YYYY-MM-DD`. @default '2025-07-01' */
  start?: string;
  /** Months of data from `start`. @default 17 */
  months?: number;
  /** Exclusive last local day; the data ends at whichever of this and start + months is
   * earlier. @default '2026-11-23' */
  until?: string;
  /** Zone of the business's local days and business hours. @default 'America/New_York' */
  timezone?: string;
  /** @default 'csv' */
  format?: SampleFormat;
  /** Customers who sign up over the whole range. @default 2000 */
  customers?: number;
  /** Multiplies product activity (sessions and events per active customer-day). @default 1 */
  scale?: number;
  /** Called after each dataset file is closed. */
  onFile?: (file: SampleFile) => void;
}

export interface SampleFile {
  dataset: DatasetName;
  path: string;
  rows: number;
}

export interface SampleResult {
  files: SampleFile[];
  /** First local day and exclusive last local day of the data. */
  start: string;
  end: string;
  /** Exclusive end of the data as an instant (local midnight of `end`). */
  endInstant: number;
  timezone: string;
}

export class SampleError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SampleError';
  }
}

/** The file written by `generateSample` last, beside the datasets; dot-named so that the
 * local runner does not take it for an export. */
export const SAMPLE_MANIFEST = '.sample.json';

// ---------------------------------------------------------------------------------------
// The business's parameters
// ---------------------------------------------------------------------------------------

const MONTH_DAYS = 30.44;

type Plan = 'starter' | 'team' | 'business';
const PLAN_PRICE: Record<Plan, number> = { starter: 29, team: 79, business: 199 };
/** Monthly cancellation hazard per plan: lifetime ~ Exponential(mean 1 / hazard months). */
const PLAN_HAZARD: Record<Plan, number> = { starter: 0.052, team: 0.037, business: 0.026 };
const NEXT_PLAN: Record<Plan, Plan> = { starter: 'team', team: 'business', business: 'business' };

const CHANNELS = [
  ['organic', 34],
  ['paid_search', 26],
  ['social', 14],
  ['referral', 14],
  ['email', 12],
] as const;
const SEGMENTS = [
  ['smb', 62],
  ['mid_market', 28],
  ['enterprise', 10],
] as const;
const COUNTRIES = [
  ['US', 46],
  ['CA', 9],
  ['GB', 11],
  ['DE', 7],
  ['AU', 6],
  ['FR', 4],
  ['NL', 4],
  ['IE', 3],
  ['SE', 3],
  ['BR', 3],
  ['IN', 4],
] as const;
const PLAN_BY_SEGMENT: Record<string, readonly (readonly [Plan, number])[]> = {
  smb: [
    ['starter', 60],
    ['team', 35],
    ['business', 5],
  ],
  mid_market: [
    ['starter', 20],
    ['team', 55],
    ['business', 25],
  ],
  enterprise: [
    ['team', 30],
    ['business', 70],
  ],
};

/** Relative activity by local hour, a B2B working day in the business's zone. */
const HOUR_WEIGHTS = [
  0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1.2, 2.5, 4, 4.5, 4.3, 3.6, 4.2, 4.4, 4, 3.4, 2.4, 1.6, 1.3,
  1.2, 1, 0.7, 0.4,
].map((w, hour) => [hour, w] as const);
/** Monday … Sunday. */
const SIGNUP_BY_WEEKDAY = [1.1, 1.15, 1.1, 1.05, 0.9, 0.5, 0.45];
const ACTIVE_BY_WEEKDAY = [1.0, 1.05, 1.05, 1.0, 0.85, 0.3, 0.25];
/** January … December: a summer lull, a January rush, a quiet December. */
const SIGNUP_BY_MONTH = [1.2, 1.1, 1.05, 1, 1, 0.95, 0.85, 0.85, 1.05, 1.05, 1.1, 0.8];

const PRODUCTS = [
  ['template-pack', 19, 30],
  ['template-bundle', 49, 20],
  ['sticker-pack', 9, 15],
  ['hoodie', 65, 10],
  ['workshop-seat', 149, 8],
  ['setup-package', 299, 4],
] as const;

const FEATURES = [
  ['dashboards', 30],
  ['reports', 24],
  ['automations', 14],
  ['integrations', 8],
  ['exports', 10],
  ['comments', 9],
  ['api', 5],
] as const;
const PAGES = [
  ['/dashboard', 34],
  ['/reports', 22],
  ['/automations', 10],
  ['/integrations', 6],
  ['/settings', 8],
  ['/billing', 3],
  ['/team', 5],
  ['/help', 4],
  ['/templates', 8],
] as const;
const LANDING_PAGES = [
  ['/dashboard', 50],
  ['/login', 20],
  ['/reports', 15],
  ['/', 10],
  ['/templates', 5],
] as const;
const SESSION_CHANNELS = [
  ['direct', 58],
  ['email', 13],
  ['organic', 15],
  ['paid_search', 5],
  ['social', 6],
  ['referral', 3],
] as const;
const TICKET_CHANNELS = [
  ['email', 45],
  ['chat', 30],
  ['web_form', 15],
  ['phone', 10],
] as const;
/** Median minutes to a first response, by ticket channel. */
const FIRST_RESPONSE_MEDIAN: Record<string, number> = {
  email: 150,
  chat: 6,
  web_form: 240,
  phone: 1,
};

/**
 * NPS score weights 0…10: 13 % detractors, 28 % passives, 58 % promoters (NPS about 45) for
 * engaged customers; less engaged ones give detractor scores twice as often (NPS about 29),
 * so the blend lands in the 30s to 40s typical of B2B SaaS.
 */
const NPS_WEIGHTS = [1, 0.5, 1, 1, 1.5, 3, 5, 10, 18, 28, 30];
const CSAT_WEIGHTS_FAST = [3, 4, 8, 30, 55];
const CSAT_WEIGHTS_SLOW = [10, 12, 18, 30, 30];
const CES_WEIGHTS = [2, 3, 6, 12, 22, 30, 25];

const COMMENTS_GOOD = [
  'Love the dashboards',
  'Setup took ten minutes, great docs',
  'The weekly report saves me an hour, every Monday',
  'Support answered in minutes. Thank you!',
  'Exactly what our team needed',
];
const COMMENTS_BAD = [
  'Exports are slow, and the CSV "date" column confuses Excel',
  'Too expensive for a team of 3',
  'Integrations break, every time Salesforce changes something',
  'Missing a dark mode\nand keyboard shortcuts',
  'Hard to find the billing page',
];

interface SocialPlatform {
  name: string;
  idPrefix: string;
  followers: number;
  /** New followers a day at launch (doubles-ish by the end). */
  growth: number;
  postWeekday: number;
  postWeekend: number;
  /** Likes per follower on a post day. */
  engagement: number;
  mentions: number;
  shares: boolean;
  reposts: boolean;
}
const SOCIAL_PLATFORMS: readonly SocialPlatform[] = [
  {
    name: 'linkedin',
    idPrefix: 'li',
    followers: 380,
    growth: 3.2,
    postWeekday: 0.7,
    postWeekend: 0.05,
    engagement: 0.035,
    mentions: 1.2,
    shares: true,
    reposts: true,
  },
  {
    name: 'instagram',
    idPrefix: 'ig',
    followers: 950,
    growth: 2.4,
    postWeekday: 0.5,
    postWeekend: 0.4,
    engagement: 0.045,
    mentions: 0.6,
    shares: true,
    reposts: false,
  },
  {
    name: 'x',
    idPrefix: 'x',
    followers: 1400,
    growth: 1.8,
    postWeekday: 0.9,
    postWeekend: 0.5,
    engagement: 0.012,
    mentions: 2.5,
    shares: false,
    reposts: true,
  },
  {
    name: 'youtube',
    idPrefix: 'yt',
    followers: 120,
    growth: 0.9,
    postWeekday: 0.12,
    postWeekend: 0,
    engagement: 0.06,
    mentions: 0.2,
    shares: true,
    reposts: false,
  },
];

// ---------------------------------------------------------------------------------------
// The simulated business, in memory (everything but events and sessions)
// ---------------------------------------------------------------------------------------

interface Customer {
  index: number;
  id: string;
  createdAt: number;
  channel: string;
  segment: string;
  country: string;
  onboardedAt: number | undefined;
  /** Mean-1 propensity to use the product; drives activity, churn and survey mood. */
  engagement: number;
  /** Subscription intervals, merged where one ends the instant the next starts. */
  active: [number, number][];
}

interface Subscription {
  customer: Customer;
  start: number;
  end: number | undefined;
  plan: Plan;
  mrr: number;
}

interface Order {
  customer: Customer;
  at: number;
  amount: number;
  id: string;
  parent: Order | undefined;
  timeForm: 'z' | 'offset' | 'local';
  /** @default - `refunded` for a refund, else `paid` */
  status?: string;
}

interface SurveyResponse {
  at: number;
  type: 'nps' | 'csat' | 'ces';
  score: number;
  customer: Customer;
  touchpoint: string;
  comment: string | undefined;
  withOffset: boolean;
}

interface Ticket {
  customer: Customer;
  createdAt: number;
  channel: string;
  firstResponseAt: number | undefined;
  resolvedAt: number | undefined;
}

interface World {
  rng: Rng;
  cal: LocalCalendar;
  days: LocalDay[];
  dataStart: number;
  dataEnd: number;
  customers: Customer[];
  subscriptions: Subscription[];
  orders: Order[];
  surveys: SurveyResponse[];
  tickets: Ticket[];
  scale: number;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function money(amount: number): string {
  return amount.toFixed(2);
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

/** An instant on a local day at a random time, weighted toward working hours. */
function timeOnDay(rng: Rng, day: LocalDay): number {
  const hour = rng.weighted(HOUR_WEIGHTS);
  const ms = Math.floor((hour + rng.next()) * 3_600_000);
  return Math.min(day.start + ms, day.end - 1000);
}

function dayIndexOf(world: World, instant: number): number {
  return Math.floor((instant - world.dataStart) / DAY_MS);
}

function isActiveAt(customer: Customer, t: number): boolean {
  for (const [a, b] of customer.active) if (a <= t && t < b) return true;
  return false;
}

function createCustomers(world: World, count: number): void {
  const rng = world.rng.fork('customers');
  const { days } = world;
  const weights = days.map((day) => {
    const growth = 0.55 + (0.9 * day.index) / Math.max(1, days.length - 1);
    return growth * (SIGNUP_BY_WEEKDAY[day.weekday] ?? 1) * (SIGNUP_BY_MONTH[day.month - 1] ?? 1);
  });
  const cdf: number[] = [];
  let total = 0;
  for (const w of weights) {
    total += w;
    cdf.push(total);
  }
  const perDay = new Array<number>(days.length).fill(0);
  for (let i = 0; i < count; i++) {
    const u = rng.next() * total;
    let lo = 0;
    let hi = cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cdf[mid] ?? 0) > u) hi = mid;
      else lo = mid + 1;
    }
    perDay[lo] = (perDay[lo] ?? 0) + 1;
  }
  for (const day of days) {
    const times: number[] = [];
    for (let k = 0; k < (perDay[day.index] ?? 0); k++) times.push(timeOnDay(rng, day));
    times.sort((a, b) => a - b);
    for (const createdAt of times) {
      const index = world.customers.length;
      const onboarded = rng.chance(0.78)
        ? createdAt + Math.round(rng.logNormal(20, 1.3) * 3_600_000)
        : undefined;
      world.customers.push({
        index,
        id: `cus_${pad(index + 1, 5)}`,
        createdAt,
        channel: rng.weighted(CHANNELS),
        segment: rng.weighted(SEGMENTS),
        country: rng.weighted(COUNTRIES),
        onboardedAt: onboarded !== undefined && onboarded < world.dataEnd ? onboarded : undefined,
        engagement: rng.gamma(2.5, 0.4),
        active: [],
      });
    }
  }
}

function createSubscriptions(world: World): void {
  const rng = world.rng.fork('subscriptions');
  const subs: Subscription[] = [];
  const mrrOf = (customer: Customer, plan: Plan, annual: boolean): number => {
    const seats = customer.segment === 'enterprise' && plan === 'business' ? rng.int(1, 4) : 1;
    return PLAN_PRICE[plan] * seats * (annual ? 0.8 : 1);
  };
  for (const customer of world.customers) {
    // A few sign up only to buy from the shop.
    if (rng.chance(0.07)) continue;
    const annual = rng.chance(0.25);
    let plan = rng.weighted(PLAN_BY_SEGMENT[customer.segment] ?? PLAN_BY_SEGMENT.smb ?? []);
    let t = customer.createdAt + rng.int(2, 40) * 60_000;
    // Less engaged customers cancel sooner; the factor averages about 1 over customers.
    const mood = clamp(1.5 - 0.5 * customer.engagement, 0.6, 1.6);
    for (let comebacks = 0; t < world.dataEnd; comebacks++) {
      const lifetimeMs = rng.exponential(MONTH_DAYS / (PLAN_HAZARD[plan] * mood)) * DAY_MS;
      const end = Math.round(t + lifetimeMs);
      if (plan !== 'business' && rng.chance(0.15)) {
        const upgradeAt = Math.round(t + rng.uniform(0.1, 0.9) * (end - t));
        if (upgradeAt < world.dataEnd) {
          subs.push({
            customer,
            start: t,
            end: upgradeAt,
            plan,
            mrr: mrrOf(customer, plan, annual),
          });
          plan = NEXT_PLAN[plan];
          t = upgradeAt;
        }
      }
      const open = end >= world.dataEnd;
      subs.push({
        customer,
        start: t,
        end: open ? undefined : end,
        plan,
        mrr: mrrOf(customer, plan, annual),
      });
      if (open || comebacks >= 2 || !rng.chance(0.2)) break;
      t = end + Math.round(Math.max(14, rng.exponential(70)) * DAY_MS);
      if (plan !== 'starter' && rng.chance(0.3)) plan = plan === 'business' ? 'team' : 'starter';
    }
  }
  subs.sort((a, b) => a.start - b.start || a.customer.index - b.customer.index);
  world.subscriptions = subs;
  for (const s of subs) {
    const interval: [number, number] = [s.start, s.end ?? Number.POSITIVE_INFINITY];
    const last = s.customer.active[s.customer.active.length - 1];
    if (last && last[1] === s.start) last[1] = interval[1];
    else s.customer.active.push(interval);
  }
}

function createOrders(world: World): void {
  const rng = world.rng.fork('orders');
  const orders: Order[] = [];
  for (const customer of world.customers) {
    const shopOnly = customer.active.length === 0;
    const perMonth = shopOnly ? rng.gamma(1.2, 0.8) : rng.gamma(0.6, 0.45);
    const dropout = rng.beta(1, 5);
    const gapDays = () => rng.exponential(MONTH_DAYS / Math.max(perMonth, 0.01));
    let t = customer.createdAt + (shopOnly ? rng.uniform(0, 2) * 3_600_000 : gapDays() * DAY_MS);
    for (let n = 0; n < 60 && t < world.dataEnd; n++) {
      const [, price] = rng.weighted(PRODUCTS.map((p) => [p, p[2]] as const));
      const quantity = rng.weighted([
        [1, 85],
        [2, 12],
        [3, 3],
      ] as const);
      const discount = rng.chance(0.15) ? 0.9 : 1;
      const amount = Math.round(price * quantity * discount * 100) / 100;
      const at = Math.round(t);
      const form = rng.weighted([
        ['z', 85],
        ['offset', 10],
        ['local', 5],
      ] as const);
      const order: Order = { customer, at, amount, id: '', parent: undefined, timeForm: form };
      orders.push(order);
      if (rng.chance(0.04)) {
        const refundAt = Math.round(at + rng.uniform(1, 20) * DAY_MS);
        if (refundAt < world.dataEnd) {
          const share = rng.chance(0.8) ? 1 : 0.5;
          orders.push({
            customer,
            at: refundAt,
            amount: -Math.round(amount * share * 100) / 100,
            id: '',
            parent: order,
            timeForm: 'z',
          });
        }
      }
      if (rng.chance(dropout)) break;
      t += gapDays() * DAY_MS;
    }
  }
  orders.sort((a, b) => a.at - b.at || a.customer.index - b.customer.index);
  let next = 1;
  for (const order of orders) {
    order.id = order.parent ? `${order.parent.id}-R` : `ord_${pad(next++, 6)}`;
  }
  world.orders = orders;
}

/**
 * What the at-risk reasons and the cross-dataset checks of a report are made to find
 * (METRICS.md): over the last twelve weeks, a few customers a week downgrade (one
 * subscription ends the instant a cheaper one begins) and a few have a card declined (an
 * order with status `failed` or `declined`, its amount still in the export, as billing tools
 * list charge attempts); and the shop and help desk hold a few rows of customers that the
 * customers export no longer has (deleted accounts). Low NPS answers, open tickets and
 * fading activity come from the simulation itself. Run after everything else, on its own
 * random stream, so the rest of the sample is unchanged.
 */
function addAtRiskExamples(world: World): void {
  const rng = world.rng.fork('at-risk');
  const WEEK_MS = 7 * DAY_MS;
  const cheaper: Record<Plan, Plan | undefined> = {
    starter: undefined,
    team: 'starter',
    business: 'team',
  };
  for (let week = 12; week >= 1; week--) {
    const from = world.dataEnd - week * WEEK_MS;
    const within = () => Math.round(from + rng.uniform(0.05, 0.95) * WEEK_MS);
    // Open subscriptions older than the week, on a plan with a cheaper one below it.
    const candidates = world.subscriptions.filter(
      (s) => s.end === undefined && s.start < from && cheaper[s.plan] !== undefined,
    );
    for (let n = 0; n < 3 && candidates.length > 0; n++) {
      const s = candidates.splice(rng.int(0, candidates.length - 1), 1)[0] as Subscription;
      const plan = cheaper[s.plan] as Plan;
      const at = within();
      s.end = at;
      world.subscriptions.push({
        customer: s.customer,
        start: at,
        end: undefined,
        plan,
        mrr: Math.round(s.mrr * (PLAN_PRICE[plan] / PLAN_PRICE[s.plan]) * 100) / 100,
      });
    }
    const payers = world.subscriptions.filter((s) => s.end === undefined && s.start < from);
    for (let n = 0; n < 4 && payers.length > 0; n++) {
      const s = payers.splice(rng.int(0, payers.length - 1), 1)[0] as Subscription;
      world.orders.push({
        customer: s.customer,
        at: within(),
        amount: s.mrr,
        id: '',
        parent: undefined,
        timeForm: 'z',
        status: rng.chance(0.5) ? 'failed' : 'declined',
      });
    }
  }
  // In the last week two of the largest accounts, so that the report's short list shows these
  // reasons too: one has a card declined and cuts a quarter of its seats, one a failed payment.
  const lastWeek = world.dataEnd - WEEK_MS;
  const largest = world.subscriptions
    .filter((s) => s.end === undefined && s.start < lastWeek)
    .sort((a, b) => b.mrr - a.mrr || a.customer.index - b.customer.index)
    .slice(0, 2);
  for (const [k, s] of largest.entries()) {
    const at = Math.round(lastWeek + (2 + k) * DAY_MS + 10 * 3_600_000);
    world.orders.push({
      customer: s.customer,
      at,
      amount: s.mrr,
      id: '',
      parent: undefined,
      timeForm: 'z',
      status: k === 0 ? 'declined' : 'failed',
    });
    if (k === 0) {
      s.end = at + DAY_MS;
      world.subscriptions.push({
        customer: s.customer,
        start: at + DAY_MS,
        end: undefined,
        plan: s.plan,
        mrr: Math.round(s.mrr * 75) / 100,
      });
    }
  }
  // Deleted accounts: their orders and tickets stay in the shop's and help desk's exports.
  const ghosts: Customer[] = [1, 2, 3].map((k) => ({
    index: world.customers.length + 100 + k,
    id: `cus_${pad(90_000 + k, 5)}`,
    createdAt: world.dataStart,
    channel: 'organic',
    segment: 'smb',
    country: 'US',
    onboardedAt: undefined,
    engagement: 1,
    active: [],
  }));
  for (const [k, ghost] of ghosts.entries()) {
    for (let week = 4; week >= 1; week--) {
      const at = Math.round(world.dataEnd - week * WEEK_MS + rng.uniform(0.1, 0.9) * WEEK_MS);
      world.orders.push({
        customer: ghost,
        at,
        amount: 19,
        id: '',
        parent: undefined,
        timeForm: 'z',
      });
    }
    const createdAt = Math.round(world.dataEnd - (k + 1) * 2 * DAY_MS - 6 * 3_600_000);
    world.tickets.push({
      customer: ghost,
      createdAt,
      channel: 'email',
      firstResponseAt: createdAt + 3_600_000,
      resolvedAt: undefined,
    });
  }
  world.subscriptions.sort((a, b) => a.start - b.start || a.customer.index - b.customer.index);
  world.orders.sort((a, b) => a.at - b.at || a.customer.index - b.customer.index);
  // New rows get ids after the simulated ones, in time order, so those keep theirs.
  let next = world.orders.filter((o) => o.id !== '' && !o.parent).length + 1;
  for (const order of world.orders) {
    if (order.id === '')
      order.id = order.status ? `pay_${pad(next++, 6)}` : `ord_${pad(next++, 6)}`;
  }
}

function comment(rng: Rng, happy: boolean): string | undefined {
  if (!rng.chance(0.18)) return undefined;
  return rng.pick(happy ? COMMENTS_GOOD : COMMENTS_BAD);
}

function score(rng: Rng, weights: readonly number[], offset: number): number {
  return rng.weighted(weights.map((w, i) => [i + offset, w] as const));
}

function createSurveysAndTickets(world: World): void {
  const surveyRng = world.rng.fork('survey_responses');
  const ticketRng = world.rng.fork('tickets');
  const { dataEnd } = world;
  for (const customer of world.customers) {
    // NPS in the app about every 90 days while subscribed.
    let t = customer.createdAt + (30 + surveyRng.uniform(0, 10)) * DAY_MS;
    while (t < dataEnd) {
      if (isActiveAt(customer, t) && surveyRng.chance(0.32)) {
        // Unhappy (less engaged) customers give more low scores.
        const weights = NPS_WEIGHTS.map((w, s) =>
          s <= 6 && customer.engagement < 0.6 ? w * 2 : w,
        );
        const value = score(surveyRng, weights, 0);
        world.surveys.push({
          at: Math.round(t),
          type: 'nps',
          score: value,
          customer,
          touchpoint: 'in_app',
          comment: comment(surveyRng, value >= 8),
          withOffset: surveyRng.chance(0.15),
        });
      }
      t += (90 + surveyRng.uniform(-7, 7)) * DAY_MS;
    }
    // CES right after onboarding.
    if (customer.onboardedAt !== undefined && surveyRng.chance(0.4)) {
      const at = Math.round(customer.onboardedAt + surveyRng.uniform(0.1, 48) * 3_600_000);
      if (at < dataEnd) {
        const value = score(surveyRng, CES_WEIGHTS, 1);
        world.surveys.push({
          at,
          type: 'ces',
          score: value,
          customer,
          touchpoint: 'onboarding',
          comment: comment(surveyRng, value >= 5),
          withOffset: surveyRng.chance(0.15),
        });
      }
    }
    // Tickets: a steady trickle while subscribed, more in the first two weeks.
    for (const [from, to] of customer.active) {
      const until = Math.min(to, dataEnd);
      const months = (until - from) / (MONTH_DAYS * DAY_MS);
      const windows: [number, number, number][] = [
        [from, until, ticketRng.poisson(0.12 * months)],
        [from, Math.min(until, from + 14 * DAY_MS), ticketRng.poisson(0.35)],
      ];
      for (const [a, b, n] of windows) {
        for (let k = 0; k < n; k++) {
          const dayIndex = dayIndexOf(world, a + ticketRng.next() * (b - a));
          const day = world.days[clamp(dayIndex, 0, world.days.length - 1)];
          if (!day) continue;
          const createdAt = timeOnDay(ticketRng, day);
          if (createdAt < a || createdAt >= b) continue;
          world.tickets.push(createTicket(world, ticketRng, customer, createdAt, day));
        }
      }
    }
  }
}

function createTicket(
  world: World,
  rng: Rng,
  customer: Customer,
  createdAt: number,
  day: LocalDay,
): Ticket {
  const channel = rng.weighted(TICKET_CHANNELS);
  const localHour = (createdAt - day.start) / 3_600_000;
  const offHours = day.weekday >= 5 || localHour < 9 || localHour >= 18;
  let minutes = rng.logNormal(FIRST_RESPONSE_MEDIAN[channel] ?? 60, channel === 'phone' ? 0.5 : 1);
  if (offHours && (channel === 'email' || channel === 'web_form'))
    minutes += rng.logNormal(600, 0.5);
  const first = Math.round(createdAt + minutes * 60_000);
  const resolved = Math.round(first + rng.logNormal(16, 1.3) * 3_600_000);
  const ticket: Ticket = {
    customer,
    createdAt,
    channel,
    firstResponseAt: first < world.dataEnd ? first : undefined,
    resolvedAt: first < world.dataEnd && resolved < world.dataEnd ? resolved : undefined,
  };
  if (ticket.resolvedAt !== undefined && rng.chance(0.45)) {
    const at = Math.round(ticket.resolvedAt + rng.uniform(0.1, 24) * 3_600_000);
    if (at < world.dataEnd) {
      const slow = ticket.resolvedAt - createdAt > 48 * 3_600_000;
      const value = score(rng, slow ? CSAT_WEIGHTS_SLOW : CSAT_WEIGHTS_FAST, 1);
      world.surveys.push({
        at,
        type: 'csat',
        score: value,
        customer,
        touchpoint: 'support',
        comment: comment(rng, value >= 4),
        withOffset: rng.chance(0.15),
      });
    }
  }
  return ticket;
}

// ---------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------

type Writers = Record<DatasetName, RowWriter>;

/** Index at which a dataset's bad row goes: about 60 % of the way through. */
function badRowAt(length: number): number {
  return Math.floor(length * 0.6);
}

async function writeCustomers(world: World, w: RowWriter): Promise<void> {
  const bad = badRowAt(world.customers.length);
  for (const c of world.customers) {
    await w.write([
      c.id,
      isoSeconds(c.createdAt),
      c.channel,
      c.segment,
      c.country,
      c.onboardedAt === undefined ? '' : isoSeconds(c.onboardedAt),
    ]);
    if (c.index === bad) {
      await w.write([
        `cus_${pad(world.customers.length + 1, 5)}`,
        '2026-02-30T14:05:00Z',
        'organic',
        'smb',
        'US',
        '',
      ]);
    }
  }
}

async function writeSubscriptions(world: World, w: RowWriter): Promise<void> {
  const bad = badRowAt(world.subscriptions.length);
  let i = 0;
  for (const s of world.subscriptions) {
    i++;
    await w.write([
      `sub_${pad(i, 5)}`,
      s.customer.id,
      isoSeconds(s.start),
      s.end === undefined ? '' : isoSeconds(s.end),
      money(s.mrr),
      'USD',
      s.plan,
    ]);
    if (i - 1 === bad) {
      i++;
      // Keyed the wrong way round in the billing tool: it ends a day before it starts.
      await w.write([
        `sub_${pad(i, 5)}`,
        s.customer.id,
        isoSeconds(s.start),
        isoSeconds(s.start - DAY_MS),
        money(s.mrr),
        'USD',
        s.plan,
      ]);
    }
  }
}

async function writeOrders(world: World, w: RowWriter): Promise<void> {
  const bad = badRowAt(world.orders.length);
  let i = 0;
  for (const o of world.orders) {
    const at =
      o.timeForm === 'z'
        ? isoSeconds(o.at)
        : o.timeForm === 'offset'
          ? world.cal.withOffset(o.at)
          : world.cal.localWallTime(o.at);
    await w.write([
      o.id,
      o.customer.id,
      at,
      money(o.amount),
      'USD',
      o.status ?? (o.parent ? 'refunded' : 'paid'),
    ]);
    if (i++ === bad) {
      await w.write([
        `${o.id}-EU`,
        o.customer.id,
        isoSeconds(o.at + 60_000),
        '49.00',
        'EUR',
        'paid',
      ]);
    }
  }
}

async function writeSurveys(world: World, w: RowWriter): Promise<void> {
  world.surveys.sort((a, b) => a.at - b.at || a.customer.index - b.customer.index);
  const bad = badRowAt(world.surveys.length);
  let i = 0;
  for (const s of world.surveys) {
    i++;
    const at = s.withOffset ? world.cal.withOffset(s.at) : isoSeconds(s.at);
    await w.write([
      `rsp_${pad(i, 6)}`,
      at,
      s.type,
      s.score,
      s.customer.id,
      s.touchpoint,
      s.comment,
    ]);
    if (i - 1 === bad) {
      i++;
      await w.write([
        `rsp_${pad(i, 6)}`,
        isoSeconds(s.at + 90_000),
        'nps',
        11,
        s.customer.id,
        'in_app',
        '',
      ]);
    }
  }
}

async function writeTickets(world: World, w: RowWriter): Promise<void> {
  world.tickets.sort((a, b) => a.createdAt - b.createdAt || a.customer.index - b.customer.index);
  const bad = badRowAt(world.tickets.length);
  const { cal } = world;
  let i = 0;
  for (const t of world.tickets) {
    i++;
    const id = `tkt_${pad(i, 5)}`;
    const opt = (x: number | undefined) => (x === undefined ? '' : cal.withOffset(x));
    if (i - 1 === bad) {
      // The help desk exported this ticket once while open and again once resolved.
      await w.write([
        id,
        cal.withOffset(t.createdAt),
        t.customer.id,
        t.channel,
        opt(t.firstResponseAt),
        '',
      ]);
    }
    await w.write([
      id,
      cal.withOffset(t.createdAt),
      t.customer.id,
      t.channel,
      opt(t.firstResponseAt),
      opt(t.resolvedAt),
    ]);
  }
}

async function writeMarketingSpend(world: World, w: RowWriter): Promise<void> {
  const rng = world.rng.fork('marketing_spend');
  const n = world.days.length;
  const referralSignups = new Array<number>(n).fill(0);
  for (const c of world.customers) {
    if (c.channel === 'referral') {
      const d = dayIndexOf(world, c.createdAt);
      referralSignups[d] = (referralSignups[d] ?? 0) + 1;
    }
  }
  for (const day of world.days) {
    const growth = 1 + (0.6 * day.index) / Math.max(1, n - 1);
    const weekday = day.weekday >= 5 ? 0.8 : 1;
    const season = day.month === 11 ? 1.3 : day.month === 12 ? 0.8 : 1;
    const budget = (base: number) => base * growth * weekday * season * rng.logNormal(1, 0.15);
    const quarter = `${day.year}-q${Math.ceil(day.month / 3)}`;
    const rows: [string, number, string][] = [
      ['paid_search', budget(45), 'search-brand'],
      ['paid_search', budget(100), 'search-generic'],
      ['social', budget(70), `social-${quarter}`],
      ['email', budget(18), 'sponsored-newsletters'],
      // Referral spend is the $25 credit paid for each referred signup.
      ['referral', 25 * (referralSignups[day.index] ?? 0), 'refer-a-friend'],
    ];
    for (const [channel, amount, campaign] of rows) {
      await w.write([day.date, channel, money(amount), campaign, 'USD']);
    }
  }
}

async function writeEmailCampaigns(world: World, w: RowWriter): Promise<void> {
  const rng = world.rng.fork('email_campaigns');
  const n = world.days.length;
  const monthNames = [
    'January',
    'February',
    'March',
    'April',
    'May',
    'June',
    'July',
    'August',
    'September',
    'October',
    'November',
    'December',
  ];
  const activeAt = (t: number) => world.customers.filter((c) => isActiveAt(c, t)).length;
  const campaigns: { at: number; name: string; open: number; click: number; day: LocalDay }[] = [];
  let digest = 0;
  for (const day of world.days) {
    if (day.weekday === 1) {
      digest++;
      campaigns.push({
        at: day.start + 10 * 3_600_000,
        name: `Weekly digest #${digest}`,
        open: 0.37,
        click: 0.042,
        day,
      });
    }
    // The product update goes out on the first Thursday of each month.
    if (day.weekday === 3 && day.day <= 7) {
      const name = `Product update — ${monthNames[day.month - 1]} ${day.year}`;
      campaigns.push({ at: day.start + 14 * 3_600_000, name, open: 0.45, click: 0.07, day });
    }
  }
  const bad = badRowAt(campaigns.length);
  let i = 0;
  for (const c of campaigns) {
    i++;
    const leads = Math.round(1200 + (7000 * c.day.index) / Math.max(1, n - 1));
    const sent = activeAt(c.at) + leads;
    const bounces = Math.round(sent * rng.uniform(0.006, 0.018));
    const delivered = sent - bounces;
    const opens = Math.round(delivered * clamp(rng.normal(c.open, 0.03), 0.05, 0.9));
    const clicks = Math.round(delivered * clamp(rng.normal(c.click, 0.008), 0.002, 0.3));
    const unsubscribes = Math.round(delivered * rng.uniform(0.001, 0.004));
    await w.write([
      `cmp_${pad(i, 4)}`,
      world.cal.withOffset(c.at),
      sent,
      delivered,
      opens,
      clicks,
      bounces,
      unsubscribes,
      c.name,
    ]);
    if (i - 1 === bad) {
      i++;
      await w.write([
        `cmp_${pad(i, 4)}`,
        world.cal.withOffset(c.at + 3_600_000),
        12,
        'n/a',
        9,
        3,
        0,
        0,
        'Test send (internal)',
      ]);
    }
  }
}

async function writeSocial(world: World, w: RowWriter): Promise<void> {
  const rng = world.rng.fork('social');
  const n = world.days.length;
  const followers = SOCIAL_PLATFORMS.map((p) => p.followers);
  const badDay = badRowAt(n);
  for (const day of world.days) {
    const ramp = 0.6 + (1.2 * day.index) / Math.max(1, n - 1);
    for (const [k, p] of SOCIAL_PLATFORMS.entries()) {
      const posted = rng.chance(day.weekday >= 5 ? p.postWeekend : p.postWeekday);
      const gained = rng.poisson(p.growth * ramp * (posted ? 1.5 : 1));
      const lost = rng.poisson(p.growth * 0.25);
      const count = Math.max(0, (followers[k] ?? 0) + gained - lost);
      followers[k] = count;
      const likes = posted
        ? Math.round(count * p.engagement * rng.logNormal(1, 0.5))
        : rng.poisson(count * p.engagement * 0.08);
      const comments = rng.poisson(likes * 0.08);
      const shares = p.shares ? rng.poisson(likes * 0.05) : '';
      const reposts = p.reposts ? rng.poisson(likes * (p.name === 'x' ? 0.15 : 0.04)) : '';
      const mentions = rng.poisson(p.mentions * (posted ? 1.5 : 1));
      const postId = posted ? `${p.idPrefix}_${day.date.replaceAll('-', '')}` : '';
      const shownLikes = day.index === badDay && k === 0 ? -4 : likes;
      await w.write([
        day.date,
        p.name,
        count,
        shownLikes,
        comments,
        shares,
        reposts,
        mentions,
        postId,
      ]);
    }
  }
}

interface SessionRow {
  id: string;
  user: string;
  start: number;
  duration: number;
  pageviews: number;
  landing: string;
  channel: string;
}

interface EventRowOut {
  at: number;
  user: string;
  type: string;
  feature: string;
  page: string;
  session: string;
}

/**
 * Product activity, one local day at a time: which subscribers use the product that day
 * (weekday pattern × their engagement, fading in the three weeks before they cancel), their
 * sessions, and the page views, feature uses and other events inside each session; plus
 * the onboarding and purchase events of the day. Each day's rows are sorted by time and
 * written before the next day is generated.
 */
async function writeActivity(world: World, events: RowWriter, sessions: RowWriter): Promise<void> {
  const rng = world.rng.fork('events');
  const ordersByDay = new Map<number, Order[]>();
  for (const o of world.orders) {
    if (o.parent) continue;
    const d = dayIndexOf(world, o.at);
    const list = ordersByDay.get(d);
    if (list) list.push(o);
    else ordersByDay.set(d, [o]);
  }
  let sessionCount = 0;
  let eventCount = 0;
  let created = 0;
  const pageChoices = PAGES;
  for (const day of world.days) {
    while (
      created < world.customers.length &&
      (world.customers[created]?.createdAt ?? 0) < day.end
    ) {
      created++;
    }
    const daySessions: SessionRow[] = [];
    const dayEvents: EventRowOut[] = [];
    for (let ci = 0; ci < created; ci++) {
      const c = world.customers[ci];
      if (!c) continue;
      if (c.onboardedAt !== undefined && c.onboardedAt >= day.start && c.onboardedAt < day.end) {
        dayEvents.push({
          at: c.onboardedAt,
          user: c.id,
          type: 'onboarding_completed',
          feature: '',
          page: '',
          session: '',
        });
      }
      const interval = c.active.find(([a, b]) => a < day.end && b > day.start);
      if (!interval) continue;
      const tenureDays = (day.start - c.createdAt) / DAY_MS;
      const daysLeft = (interval[1] - day.start) / DAY_MS;
      let p = clamp(0.3 * c.engagement, 0.02, 0.9) * (ACTIVE_BY_WEEKDAY[day.weekday] ?? 1);
      if (tenureDays < 7) p = Math.max(p, 0.8);
      if (daysLeft < 21) p *= 0.5;
      if (!rng.chance(p)) continue;
      const count = rng.poisson((0.8 + 0.3 * Math.min(c.engagement, 3)) * world.scale);
      for (let s = 0; s < count; s++) {
        const start = Math.max(timeOnDay(rng, day), interval[0]);
        if (start >= interval[1] || start >= day.end) continue;
        const bounced = rng.chance(0.22);
        const pageviews = bounced ? 1 : 2 + rng.poisson(1.2 * Math.min(c.engagement, 3));
        const duration = bounced ? rng.int(3, 40) : Math.round(rng.logNormal(420, 0.9));
        sessionCount++;
        const id = `ses_${sessionCount.toString(36).padStart(7, '0')}`;
        const landing = rng.weighted(LANDING_PAGES);
        daySessions.push({
          id,
          user: c.id,
          start,
          duration,
          pageviews,
          landing,
          channel: rng.weighted(SESSION_CHANNELS),
        });
        const within = () => start + Math.floor(rng.next() * duration * 1000);
        if (rng.chance(0.35))
          dayEvents.push({
            at: start,
            user: c.id,
            type: 'login',
            feature: '',
            page: '',
            session: id,
          });
        for (let v = 0; v < pageviews; v++) {
          const page = v === 0 ? landing : rng.weighted(pageChoices);
          dayEvents.push({
            at: v === 0 ? start : within(),
            user: c.id,
            type: 'page_view',
            feature: '',
            page,
            session: id,
          });
        }
        if (!bounced) {
          const uses = rng.poisson(0.8 * Math.min(c.engagement, 3));
          for (let f = 0; f < uses; f++) {
            dayEvents.push({
              at: within(),
              user: c.id,
              type: 'feature_used',
              feature: rng.weighted(FEATURES),
              page: '',
              session: id,
            });
          }
          for (const [type, chance] of [
            ['report_shared', 0.06],
            ['export_created', 0.05],
            ['invite_sent', 0.02],
            ['integration_connected', 0.01],
          ] as const) {
            if (rng.chance(chance))
              dayEvents.push({
                at: within(),
                user: c.id,
                type,
                feature: '',
                page: '',
                session: id,
              });
          }
        }
      }
    }
    for (const o of ordersByDay.get(day.index) ?? []) {
      dayEvents.push({
        at: o.at,
        user: o.customer.id,
        type: 'purchase',
        feature: '',
        page: '/checkout',
        session: '',
      });
    }
    daySessions.sort((a, b) => a.start - b.start);
    dayEvents.sort((a, b) => a.at - b.at);
    // Awaiting only when a chunk was flushed keeps a microtask per row off the hot path.
    for (const s of daySessions) {
      const cells = [
        s.id,
        s.user,
        isoSeconds(s.start),
        s.duration,
        s.pageviews,
        s.landing,
        s.channel,
      ];
      const flushed = sessions.write(cells);
      if (flushed) await flushed;
    }
    for (const e of dayEvents) {
      eventCount++;
      const id = `evt_${pad(eventCount, 8)}`;
      const flushed = events.write([
        e.user,
        isoMillis(e.at),
        e.type,
        id,
        e.feature,
        e.page,
        e.session,
      ]);
      if (flushed) await flushed;
    }
  }
}

// ---------------------------------------------------------------------------------------
// Entry point
// ---------------------------------------------------------------------------------------

function endDate(start: string, months: number, until: string): string {
  const [y, m, d] = parseDate(start);
  const byMonths = new Date(Date.UTC(y, m - 1 + months, d)).toISOString().slice(0, 10);
  return byMonths < until ? byMonths : until;
}

/**
 * Writes `<outDir>/<dataset>.<csv|jsonl>` for all ten datasets and a `.sample.json`
 * manifest, replacing earlier sample files of either format. Resolves with the files
 * written, their row counts (header excluded) and the data's date range.
 */
export async function generateSample(options: SampleOptions): Promise<SampleResult> {
  const o = { ...SAMPLE_DEFAULTS, ...options };
  if (!Number.isInteger(o.seed)) throw new SampleError(`seed must be an integer, got ${o.seed}`);
  if (!Number.isInteger(o.months) || o.months < 1) {
    throw new SampleError(`months must be a whole number ≥ 1, got ${o.months}`);
  }
  if (!Number.isInteger(o.customers) || o.customers < 1) {
    throw new SampleError(`customers must be a whole number ≥ 1, got ${o.customers}`);
  }
  if (!(o.scale > 0)) throw new SampleError(`scale must be a positive number, got ${o.scale}`);
  let end: string;
  let cal: LocalCalendar;
  try {
    end = endDate(o.start, o.months, o.until);
    cal = new LocalCalendar(o.timezone);
  } catch (error) {
    throw new SampleError(error instanceof Error ? error.message : String(error), { cause: error });
  }
  const days = cal.days(o.start, end);
  const first = days[0];
  const last = days[days.length - 1];
  if (!first || !last) throw new SampleError(`no days between ${o.start} and ${end}`);

  const world: World = {
    rng: new Rng(o.seed),
    cal,
    days,
    dataStart: first.start,
    dataEnd: last.end,
    customers: [],
    subscriptions: [],
    orders: [],
    surveys: [],
    tickets: [],
    scale: o.scale,
  };
  createCustomers(world, o.customers);
  createSubscriptions(world);
  createOrders(world);
  createSurveysAndTickets(world);
  addAtRiskExamples(world);

  await mkdir(o.outDir, { recursive: true });
  const names = Object.keys(SAMPLE_COLUMNS) as DatasetName[];
  await rm(join(o.outDir, SAMPLE_MANIFEST), { force: true });
  for (const name of names) {
    for (const ext of ['csv', 'csv.gz', 'jsonl', 'jsonl.gz']) {
      await rm(join(o.outDir, `${name}.${ext}`), { force: true });
    }
  }
  const writers = Object.fromEntries(
    names.map((name) => [
      name,
      openRowWriter(join(o.outDir, `${name}.${o.format}`), SAMPLE_COLUMNS[name], o.format),
    ]),
  ) as Writers;

  const files: SampleFile[] = [];
  const finish = async (...datasets: DatasetName[]) => {
    for (const dataset of datasets) {
      const w = writers[dataset];
      await w.close();
      const file = { dataset, path: w.path, rows: w.rows };
      files.push(file);
      o.onFile?.(file);
    }
  };
  await writeCustomers(world, writers.customers);
  await writeSubscriptions(world, writers.subscriptions);
  await writeOrders(world, writers.orders);
  await writeMarketingSpend(world, writers.marketing_spend);
  await writeSurveys(world, writers.survey_responses);
  await finish('customers', 'subscriptions', 'orders', 'marketing_spend', 'survey_responses');
  await writeActivity(world, writers.events, writers.sessions);
  await finish('events', 'sessions');
  await writeTickets(world, writers.tickets);
  await writeEmailCampaigns(world, writers.email_campaigns);
  await writeSocial(world, writers.social);
  await finish('tickets', 'email_campaigns', 'social');

  const result: SampleResult = {
    files,
    start: o.start,
    end,
    endInstant: world.dataEnd,
    timezone: o.timezone,
  };
  const manifest = {
    seed: o.seed,
    start: o.start,
    end,
    timezone: o.timezone,
    format: o.format,
    customers: o.customers,
    scale: o.scale,
    files: files.map((f) => ({ dataset: f.dataset, rows: f.rows })),
  };
  await writeFile(join(o.outDir, SAMPLE_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return result;
}
