/**
 * Product events: `dau`, `wau`, `mau`, `stickiness`, `conversion_rate`, `feature_usage`,
 * `core_action_rate`, page views (when there are no sessions) and each user's first
 * onboarding event (for `first_week_engagement`).
 *
 * Events are the big dataset, so the per-row path does no allocation and no time-zone work:
 * one Map lookup for the user, one for the event type, a binary search over the local-day
 * grid of the plan (skipped when the row falls in the same day as the previous one), and a
 * bit set. Per user the state is one bit per grid day (about 100 days for 12 weekly
 * periods) and the first onboarding time; DAU per day is counted when a bit first flips, and
 * the distinct users of a period or a MAU window are read off the bits at result time.
 */
import type { EventRow } from '../datasets/rows';
import type { PeriodPlan } from './plan';
import { upperBound } from './plan';

const CONVERSION = 1;
const CORE_ACTION = 2;
const FEATURE = 4;
const PAGE_VIEW = 8;
const ONBOARDING = 16;

/** The `event_type` counted as one page view when `pageviews` falls back on events. */
export const PAGE_VIEW_EVENT = 'page_view';

export interface EventNames {
  conversion: readonly string[];
  coreActions: readonly string[];
  feature: string;
  onboarding: string;
}

export interface ActivityPeriod {
  /** Mean over the days of P of the users with an event that day. */
  dau: number;
  /** Users with an event in P. */
  activeUsers: number;
  /** Users with an event in [end − 30 days, end). */
  mau: number;
  converted: number;
  coreAction: number;
  /** Users with any feature event. */
  featureUsers: number;
  /** Users per named feature. */
  features: Map<string, number>;
  pageViewEvents: number;
}

export class EventActivity {
  rows = 0;
  private readonly roles = new Map<string, number>();
  private readonly m: number;
  private readonly plan: PeriodPlan;
  private readonly dayStarts: Float64Array;
  private readonly gridStart: number;
  private readonly gridEnd: number;
  private readonly dayPeriod: Int32Array;
  /** Distinct users per grid day. */
  private readonly dayUsers: Float64Array;
  /** Words of day bits per user. */
  private readonly words: number;
  private readonly userIndex = new Map<string, number>();
  private count = 0;
  private capacity = 1024;
  private dayBits: Uint32Array;
  private firstOnboarding: Float64Array;
  private readonly converted: Set<number>[];
  private readonly coreAction: Set<number>[];
  private readonly featureAny: Set<number>[];
  private readonly features = new Map<string, Set<number>[]>();
  private readonly pageViews: Float64Array;
  private lastDay = 0;
  /** The user of the last row that needed one, and its index. */
  private lastUserId: string | undefined = undefined;
  private lastUser = -1;

  constructor(plan: PeriodPlan, names: EventNames) {
    this.plan = plan;
    this.m = plan.size;
    const role = (name: string, bit: number) =>
      this.roles.set(name, (this.roles.get(name) ?? 0) | bit);
    for (const name of names.conversion) role(name, CONVERSION);
    for (const name of names.coreActions) role(name, CORE_ACTION);
    role(names.feature, FEATURE);
    role(PAGE_VIEW_EVENT, PAGE_VIEW);
    role(names.onboarding, ONBOARDING);
    this.dayStarts = plan.dayStarts;
    this.gridStart = plan.dayStarts[0] as number;
    this.gridEnd = plan.dayStarts[plan.dayStarts.length - 1] as number;
    this.dayPeriod = plan.dayPeriod;
    const days = plan.dayPeriod.length;
    this.dayUsers = new Float64Array(days);
    this.words = Math.max(1, Math.ceil(days / 32));
    this.dayBits = new Uint32Array(this.capacity * this.words);
    this.firstOnboarding = new Float64Array(this.capacity).fill(Number.POSITIVE_INFINITY);
    this.converted = plan.periods.map(() => new Set<number>());
    this.coreAction = plan.periods.map(() => new Set<number>());
    this.featureAny = plan.periods.map(() => new Set<number>());
    this.pageViews = new Float64Array(this.m);
  }

  private user(id: string): number {
    // Exports grouped by session or user repeat the user of the row before: one string
    // comparison then saves hashing the id.
    if (id === this.lastUserId) return this.lastUser;
    let u = this.userIndex.get(id);
    if (u !== undefined) {
      this.lastUserId = id;
      this.lastUser = u;
      return u;
    }
    u = this.count++;
    if (u === this.capacity) this.grow();
    this.userIndex.set(id, u);
    this.lastUserId = id;
    this.lastUser = u;
    return u;
  }

  private grow(): void {
    const capacity = this.capacity * 2;
    const bits = new Uint32Array(capacity * this.words);
    bits.set(this.dayBits);
    const onboarding = new Float64Array(capacity).fill(Number.POSITIVE_INFINITY);
    onboarding.set(this.firstOnboarding);
    this.dayBits = bits;
    this.firstOnboarding = onboarding;
    this.capacity = capacity;
  }

  add(row: EventRow): void {
    this.rows++;
    const t = row.occurred_at;
    const role = this.roles.get(row.event_type) ?? 0;
    const inGrid = t >= this.gridStart && t < this.gridEnd;
    if (!inGrid && (role & ONBOARDING) === 0) return;
    const u = this.user(row.user_id);
    if ((role & ONBOARDING) !== 0 && t < (this.firstOnboarding[u] as number)) {
      this.firstOnboarding[u] = t;
    }
    if (!inGrid) return;
    let g = this.lastDay;
    if (!(t >= (this.dayStarts[g] as number) && t < (this.dayStarts[g + 1] as number))) {
      g = upperBound(this.dayStarts, t) - 1;
      this.lastDay = g;
    }
    const w = u * this.words + (g >>> 5);
    const bit = 1 << (g & 31);
    const word = this.dayBits[w] as number;
    if ((word & bit) === 0) {
      this.dayBits[w] = word | bit;
      this.dayUsers[g] = (this.dayUsers[g] as number) + 1;
    }
    if (role === 0) return;
    const p = this.dayPeriod[g] as number;
    if (p < 0) return;
    if ((role & CONVERSION) !== 0) (this.converted[p] as Set<number>).add(u);
    if ((role & CORE_ACTION) !== 0) (this.coreAction[p] as Set<number>).add(u);
    if ((role & PAGE_VIEW) !== 0) this.pageViews[p] = (this.pageViews[p] as number) + 1;
    if ((role & FEATURE) !== 0) {
      (this.featureAny[p] as Set<number>).add(u);
      // An event without a feature name counts as "used a feature" but names none.
      if (row.feature !== undefined) {
        let perPeriod = this.features.get(row.feature);
        if (!perPeriod) {
          perPeriod = this.plan.periods.map(() => new Set<number>());
          this.features.set(row.feature, perPeriod);
        }
        (perPeriod[p] as Set<number>).add(u);
      }
    }
  }

  /** Users with at least one event on a grid day in [lo, hi). */
  private distinctUsers(lo: number, hi: number): number {
    if (hi <= lo) return 0;
    const masks: { word: number; mask: number }[] = [];
    for (let word = lo >>> 5; word <= (hi - 1) >>> 5; word++) {
      const from = Math.max(lo, word * 32) - word * 32;
      const to = Math.min(hi, word * 32 + 32) - word * 32; // exclusive, 1..32
      const mask = to - from === 32 ? 0xffffffff : ((1 << (to - from)) - 1) << from;
      masks.push({ word, mask: mask | 0 });
    }
    let users = 0;
    for (let u = 0; u < this.count; u++) {
      const base = u * this.words;
      for (const { word, mask } of masks) {
        if (((this.dayBits[base + word] as number) & mask) !== 0) {
          users++;
          break;
        }
      }
    }
    return users;
  }

  period(i: number): ActivityPeriod {
    const days = this.plan.days[i];
    if (!days) throw new RangeError(`no period ${i}`);
    let daySum = 0;
    for (let d = days.lo; d < days.hi; d++) daySum += this.dayUsers[d] as number;
    const features = new Map<string, number>();
    for (const [name, perPeriod] of this.features) {
      const users = (perPeriod[i] as Set<number>).size;
      if (users > 0) features.set(name, users);
    }
    return {
      dau: daySum / (days.hi - days.lo),
      activeUsers: this.distinctUsers(days.lo, days.hi),
      mau: this.distinctUsers(days.mauLo, days.mauHi),
      converted: (this.converted[i] as Set<number>).size,
      coreAction: (this.coreAction[i] as Set<number>).size,
      featureUsers: (this.featureAny[i] as Set<number>).size,
      features,
      pageViewEvents: this.pageViews[i] as number,
    };
  }

  /** Time of the user's first onboarding event (any date), or undefined. */
  firstOnboardingOf(userId: string): number | undefined {
    const u = this.userIndex.get(userId);
    if (u === undefined) return undefined;
    const t = this.firstOnboarding[u] as number;
    return Number.isFinite(t) ? t : undefined;
  }
}
