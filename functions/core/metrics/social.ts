/**
 * Social accounts: engagement and mentions in each period per platform, and the follower
 * count at the end of each period per platform — the count on the latest row dated on or
 * before the period's last day (on equal dates, the row read last).
 */
import type { Duck } from '../duck/db';
import type { PeriodPlan } from './plan';

export interface SocialPeriod {
  /** Σ likes + comments + shares + reposts in P, per platform. */
  engagement: Map<string, number>;
  mentions: number;
  /** Per platform, followers at the end of P (platforms with a row before the end only). */
  followers: Map<string, number>;
  /** Whether any row is dated in P: without one the export says nothing of P's activity. */
  rows: boolean;
}

/**
 * `social_engagement_rate` and `social_mentions`, one row per period i and platform.
 * The rows are first reduced to one per platform and date (`by_day`): its engagement and
 * mentions sums, the follower count of the row read last (highest file, then record — the
 * `social` view holds every row, there is no id), and whether any row has likes, comments,
 * shares or reposts, resp. mentions. Then:
 * - `engagement`, `mentions`: sums over the dates in [start, end) (NULL when the platform has
 *   no row in P);
 * - `followers`: the count on the platform's latest date before `end` — a date is a local
 *   midnight, so "on or before the last day of P" is date < end (an ASOF join);
 * - `has_engagement`, `has_mentions`: the same on every row, over all rows of the export. The
 *   flags row comes back even when no row lies before an end (then with a NULL i).
 */
const SOCIAL_SQL = `
  WITH by_day AS MATERIALIZED (
    SELECT platform, date,
      sum(coalesce(likes, 0) + coalesce(comments, 0) + coalesce(shares, 0)
        + coalesce(reposts, 0)) AS engagement,
      sum(coalesce(mentions, 0)) AS mentions,
      arg_max(followers, (_file, _rec)) AS followers,
      bool_or(likes IS NOT NULL OR comments IS NOT NULL OR shares IS NOT NULL
        OR reposts IS NOT NULL) AS has_engagement,
      bool_or(mentions IS NOT NULL) AS has_mentions
    FROM social
    GROUP BY platform, date
  ),
  in_period AS (
    SELECT p.i, d.platform, sum(d.engagement) AS engagement, sum(d.mentions) AS mentions
    FROM by_day d
    JOIN plan_periods p ON d.date >= p.start_ms AND d.date < p.end_ms
    GROUP BY p.i, d.platform
  ),
  at_end AS (
    SELECT e.i, d.platform, d.followers
    FROM (SELECT p.i, p.end_ms, q.platform
          FROM plan_periods p CROSS JOIN (SELECT DISTINCT platform FROM by_day) q) e
    ASOF JOIN by_day d ON e.platform = d.platform AND e.end_ms > d.date
  ),
  per_platform AS (
    SELECT coalesce(a.i, b.i) AS i, coalesce(a.platform, b.platform) AS platform,
      b.engagement, b.mentions, a.followers
    FROM at_end a FULL JOIN in_period b ON a.i = b.i AND a.platform = b.platform
  ),
  flags AS (
    SELECT bool_or(has_engagement) AS has_engagement, bool_or(has_mentions) AS has_mentions
    FROM by_day
  )
  SELECT flags.has_engagement, flags.has_mentions, per_platform.*
  FROM flags LEFT JOIN per_platform ON true`;

type SocialGroup = {
  has_engagement: boolean | null;
  has_mentions: boolean | null;
  i: number | null;
  platform: string;
  engagement: number | null;
  mentions: number | null;
  followers: number | null;
};

export async function loadSocial(
  db: Duck,
  plan: PeriodPlan,
): Promise<{ hasEngagement: boolean; hasMentions: boolean; period(i: number): SocialPeriod }> {
  const periods = plan.periods.map(
    (): SocialPeriod => ({ engagement: new Map(), mentions: 0, followers: new Map(), rows: false }),
  );
  const groups = await db.all<SocialGroup>(SOCIAL_SQL);
  for (const g of groups) {
    if (g.i === null) continue;
    const p = periods[g.i] as SocialPeriod;
    // engagement is NULL exactly when the platform has no row dated in P (in_period).
    if (g.engagement !== null) {
      p.engagement.set(g.platform, g.engagement);
      p.rows = true;
    }
    if (g.mentions !== null) p.mentions += g.mentions;
    if (g.followers !== null) p.followers.set(g.platform, g.followers);
  }
  return {
    hasEngagement: groups.some((g) => g.has_engagement === true),
    hasMentions: groups.some((g) => g.has_mentions === true),
    period: (i) => periods[i] as SocialPeriod,
  };
}
