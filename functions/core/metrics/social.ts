/**
 * Social accounts: engagement and mentions in each period per platform, and the follower
 * count at the end of each period per platform — the count on the latest row dated on or
 * before the period's last day (on equal dates, the row read last).
 */
import type { SocialRow } from '../datasets/rows';
import type { PeriodPlan } from './plan';

export interface SocialPeriod {
  /** Σ likes + comments + shares + reposts in P, per platform. */
  engagement: Map<string, number>;
  mentions: number;
  /** Per platform, followers at the end of P (platforms with a row before the end only). */
  followers: Map<string, number>;
}

interface Latest {
  date: number;
  followers: number;
}

export class Social {
  rows = 0;
  /** Whether any row has likes, comments, shares or reposts. */
  hasEngagement = false;
  hasMentions = false;
  private readonly plan: PeriodPlan;
  private readonly engagement: Map<string, number>[];
  private readonly mentions: Float64Array;
  /**
   * latest[j] per platform: the latest row dated in [end(j−1), end(j)) — "bucket" j. The
   * follower count at end(i) is the latest over buckets 0..i, found at result time.
   */
  private readonly latest: Map<string, Latest>[];

  constructor(plan: PeriodPlan) {
    this.plan = plan;
    this.engagement = plan.periods.map(() => new Map<string, number>());
    this.mentions = new Float64Array(plan.size);
    this.latest = plan.periods.map(() => new Map<string, Latest>());
  }

  add(row: SocialRow): void {
    this.rows++;
    const parts = [row.likes, row.comments, row.shares, row.reposts];
    if (parts.some((v) => v !== undefined)) this.hasEngagement = true;
    if (row.mentions !== undefined) this.hasMentions = true;
    // A date is a local midnight; "on or before the last day of P" is date < end.
    const bucket = this.plan.firstEndAfter(row.date);
    if (bucket < this.plan.size) {
      const latest = this.latest[bucket] as Map<string, Latest>;
      const cur = latest.get(row.platform);
      if (!cur || row.date >= cur.date) {
        latest.set(row.platform, { date: row.date, followers: row.followers });
      }
    }
    const p = this.plan.locate(row.date);
    if (p < 0) return;
    const engaged = parts.reduce<number>((sum, v) => sum + (v ?? 0), 0);
    const byPlatform = this.engagement[p] as Map<string, number>;
    byPlatform.set(row.platform, (byPlatform.get(row.platform) ?? 0) + engaged);
    this.mentions[p] = (this.mentions[p] as number) + (row.mentions ?? 0);
  }

  period(i: number): SocialPeriod {
    const best = new Map<string, Latest>();
    for (let j = 0; j <= i; j++) {
      for (const [platform, row] of this.latest[j] as Map<string, Latest>) {
        const cur = best.get(platform);
        // Later buckets hold later dates, so a later bucket wins ties too.
        if (!cur || row.date >= cur.date) best.set(platform, row);
      }
    }
    const followers = new Map<string, number>();
    for (const [platform, row] of best) followers.set(platform, row.followers);
    return {
      engagement: this.engagement[i] as Map<string, number>,
      mentions: this.mentions[i] as number,
      followers,
    };
  }
}
