/**
 * Sessions per period (`sessions`, `avg_session_duration`, `bounce_rate`, `pageviews`,
 * `visits_per_user`), in SQL over the de-duplicated `sessions` view.
 */
import type { Duck } from '../duck/db';
import type { PeriodPlan } from './plan';

export interface SessionTally {
  sessions: number;
  seconds: number;
  /** Sessions with exactly one pageview. */
  bounces: number;
  pageviews: number;
  users: number;
}

/**
 * Per requested period i, the sessions started in [start, end): their count, total
 * seconds, bounces (exactly one pageview), pageviews and distinct users. `fsum` sums the
 * seconds without depending on the order the threads add them in.
 */
const TALLY = `
  SELECT p.i, count(*) AS sessions, fsum(s.duration_seconds) AS seconds,
    count_if(s.pageviews = 1) AS bounces, sum(s.pageviews) AS pageviews,
    count(DISTINCT s.user_id) AS users
  FROM sessions s JOIN plan_periods p ON s.started_at >= p.start_ms AND s.started_at < p.end_ms
  GROUP BY p.i`;

/** A type literal, not the interface: query rows must be plain records. */
type TallyRow = {
  i: number;
  sessions: number;
  seconds: number;
  bounces: number;
  pageviews: number;
  users: number;
};

/** Reads the session tallies of every period of the plan; the plan tables must exist. */
export async function loadSessions(
  db: Duck,
  plan: PeriodPlan,
): Promise<{ period(i: number): SessionTally }> {
  const tallies: SessionTally[] = plan.periods.map(() => ({
    sessions: 0,
    seconds: 0,
    bounces: 0,
    pageviews: 0,
    users: 0,
  }));
  for (const { i, ...tally } of await db.all<TallyRow>(TALLY)) tallies[i] = tally;
  return {
    period(i: number): SessionTally {
      const t = tallies[i];
      if (!t) throw new RangeError(`no period ${i}`);
      return t;
    },
  };
}
