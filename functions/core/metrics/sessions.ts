/** Sessions per period: count, seconds, bounces, pageviews and distinct users. */
import type { SessionRow } from '../datasets/rows';
import type { PeriodPlan } from './plan';

export interface SessionTally {
  sessions: number;
  seconds: number;
  /** Sessions with exactly one pageview. */
  bounces: number;
  pageviews: number;
  users: number;
}

export class Sessions {
  rows = 0;
  private readonly plan: PeriodPlan;
  private readonly tallies: SessionTally[];
  private readonly users: Set<string>[];

  constructor(plan: PeriodPlan) {
    this.plan = plan;
    this.tallies = plan.periods.map(() => ({
      sessions: 0,
      seconds: 0,
      bounces: 0,
      pageviews: 0,
      users: 0,
    }));
    this.users = plan.periods.map(() => new Set<string>());
  }

  add(row: SessionRow): void {
    this.rows++;
    const p = this.plan.locate(row.started_at);
    if (p < 0) return;
    const t = this.tallies[p] as SessionTally;
    t.sessions++;
    t.seconds += row.duration_seconds;
    t.pageviews += row.pageviews;
    if (row.pageviews === 1) t.bounces++;
    const users = this.users[p] as Set<string>;
    if (!users.has(row.user_id)) {
      users.add(row.user_id);
      t.users++;
    }
  }

  period(i: number): SessionTally {
    return this.tallies[i] as SessionTally;
  }
}
