/** Email campaigns sent in each period: summed counters for the four rates. */
import type { Duck } from '../duck/db';
import type { PeriodPlan } from './plan';

export interface EmailTally {
  campaigns: number;
  sent: number;
  delivered: number;
  uniqueOpens: number;
  uniqueClicks: number;
  /** Σ bounces over the campaigns with a `bounces` value. */
  bounces: number;
  /**
   * Σ sent over the same campaigns: the bounce rate's denominator. A campaign without a
   * bounces value is left out of both sums rather than counted as 0 bounces, which would
   * pull the rate down with numbers nobody reported.
   */
  sentWithBounces: number;
  /** Campaigns with a `bounces` value. */
  campaignsWithBounces: number;
}

/**
 * `email_open_rate`, `email_ctr`, `email_click_to_open`, `email_bounce_rate`: per period i,
 * the campaigns with `sent_at` in [start, end) and their summed counters; and whether any
 * campaign, in a period or not, has a `bounces` value (without one the bounce rate is
 * unknown, not 0). The flags row comes back even when no campaign lies in a period (then
 * with a NULL i). `e` is materialized so that the de-duplicating view is computed once.
 */
const EMAIL_SQL = `
  WITH e AS MATERIALIZED (
    SELECT sent_at, sent, delivered, unique_opens, unique_clicks, bounces FROM email_campaigns
  ),
  per_period AS (
    SELECT p.i,
      count(*) AS campaigns,
      sum(e.sent) AS sent,
      sum(e.delivered) AS delivered,
      sum(e.unique_opens) AS unique_opens,
      sum(e.unique_clicks) AS unique_clicks,
      coalesce(sum(e.bounces), 0) AS bounces,
      coalesce(sum(e.sent) FILTER (WHERE e.bounces IS NOT NULL), 0) AS sent_with_bounces,
      count(e.bounces) AS campaigns_with_bounces
    FROM e
    JOIN plan_periods p ON e.sent_at >= p.start_ms AND e.sent_at < p.end_ms
    GROUP BY p.i
  ),
  flags AS (SELECT count(bounces) > 0 AS has_bounces FROM e)
  SELECT flags.has_bounces, per_period.* FROM flags LEFT JOIN per_period ON true`;

type EmailGroup = {
  has_bounces: boolean;
  i: number | null;
  campaigns: number;
  sent: number;
  delivered: number;
  unique_opens: number;
  unique_clicks: number;
  bounces: number;
  sent_with_bounces: number;
  campaigns_with_bounces: number;
};

function emptyTally(): EmailTally {
  return {
    campaigns: 0,
    sent: 0,
    delivered: 0,
    uniqueOpens: 0,
    uniqueClicks: 0,
    bounces: 0,
    sentWithBounces: 0,
    campaignsWithBounces: 0,
  };
}

export async function loadEmailCampaigns(
  db: Duck,
  plan: PeriodPlan,
): Promise<{ hasBounces: boolean; period(i: number): EmailTally }> {
  const tallies = plan.periods.map(emptyTally);
  const groups = await db.all<EmailGroup>(EMAIL_SQL);
  for (const g of groups) {
    if (g.i === null) continue;
    tallies[g.i] = {
      campaigns: g.campaigns,
      sent: g.sent,
      delivered: g.delivered,
      uniqueOpens: g.unique_opens,
      uniqueClicks: g.unique_clicks,
      bounces: g.bounces,
      sentWithBounces: g.sent_with_bounces,
      campaignsWithBounces: g.campaigns_with_bounces,
    };
  }
  const hasBounces = groups.some((g) => g.has_bounces);
  return { hasBounces, period: (i) => tallies[i] as EmailTally };
}
