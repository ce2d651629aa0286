/** Email campaigns sent in each period: summed counters for the four rates. */
import type { EmailCampaignRow } from '../datasets/rows';
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

export class EmailCampaigns {
  rows = 0;
  /** Whether any row has a `bounces` value; without one `email_bounce_rate` is unknown, not 0. */
  hasBounces = false;
  private readonly plan: PeriodPlan;
  private readonly tallies: EmailTally[];

  constructor(plan: PeriodPlan) {
    this.plan = plan;
    this.tallies = plan.periods.map(() => ({
      campaigns: 0,
      sent: 0,
      delivered: 0,
      uniqueOpens: 0,
      uniqueClicks: 0,
      bounces: 0,
      sentWithBounces: 0,
      campaignsWithBounces: 0,
    }));
  }

  add(row: EmailCampaignRow): void {
    this.rows++;
    if (row.bounces !== undefined) this.hasBounces = true;
    const p = this.plan.locate(row.sent_at);
    if (p < 0) return;
    const t = this.tallies[p] as EmailTally;
    t.campaigns++;
    t.sent += row.sent;
    t.delivered += row.delivered;
    t.uniqueOpens += row.unique_opens;
    t.uniqueClicks += row.unique_clicks;
    if (row.bounces !== undefined) {
      t.bounces += row.bounces;
      t.sentWithBounces += row.sent;
      t.campaignsWithBounces++;
    }
  }

  period(i: number): EmailTally {
    return this.tallies[i] as EmailTally;
  }
}
