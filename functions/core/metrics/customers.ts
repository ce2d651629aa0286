/**
 * The customers dataset's own metric, `first_week_engagement`: of the customers whose first
 * week ended in the period, the share that onboarded within it. (Its acquisition channel
 * feeds `cac` per channel, joined in customer-base.ts.)
 */
import type { Duck } from '../duck/db';
import { FIRST_WEEK_DAYS, type PeriodPlan } from './plan';

const FIRST_WEEK_MS = FIRST_WEEK_DAYS * 24 * 3_600_000;

export interface FirstWeekState {
  /** Whether any customers row has onboarding_completed_at (then that column is the source). */
  readonly hasOnboardingColumn: boolean;
  /**
   * `first_week_engagement` of period i: customers created in `plan_first_week` i, and how
   * many of them onboarded within 7 × 24 h of created_at.
   */
  cohort(i: number): { customers: number; onboarded: number };
}

const HAS_COLUMN_SQL = `
  SELECT coalesce(bool_or(onboarding_completed_at IS NOT NULL), false) AS has_column
  FROM customers`;

/**
 * Where the onboarding time comes from. Choice (see assemble.ts `firstWeekEngagement`):
 * `customers.onboarding_completed_at` when any row has a value in that column (an empty
 * cell then means "not onboarded"); otherwise the user's first event of type
 * `events.onboarding` (user_id = customer_id).
 */
const ONBOARDED_AT = {
  column: 'SELECT customer_id, onboarding_completed_at AS t FROM customers',
  events: `
    SELECT user_id AS customer_id, min(occurred_at) AS t FROM events
    WHERE event_type = $onboarding GROUP BY user_id`,
};

/**
 * `first_week_engagement`: per period i, the customers created in [start − 7 days,
 * end − 7 days) (`plan_first_week`: their first week ended in P), and those of them who
 * onboarded less than 7 × 24 h (elapsed) after created_at. An onboarding time before
 * created_at (clock skew between systems) counts as onboarded.
 */
const cohortSql = (onboardedAt: string) => `
  WITH onboarded_at AS (${onboardedAt})
  SELECT w.i, count(*) AS customers,
    count(*) FILTER (WHERE o.t - c.created_at < $firstWeekMs) AS onboarded
  FROM customers c
  JOIN plan_first_week w ON c.created_at >= w.start_ms AND c.created_at < w.end_ms
  LEFT JOIN onboarded_at o ON o.customer_id = c.customer_id
  GROUP BY w.i`;

type CohortRow = { i: number; customers: number; onboarded: number };

export async function loadFirstWeek(
  db: Duck,
  plan: PeriodPlan,
  onboardingEvent: string,
): Promise<FirstWeekState> {
  const { has_column: hasOnboardingColumn } = await db.one<{ has_column: boolean }>(HAS_COLUMN_SQL);
  const rows = hasOnboardingColumn
    ? await db.all<CohortRow>(cohortSql(ONBOARDED_AT.column), { firstWeekMs: FIRST_WEEK_MS })
    : await db.all<CohortRow>(cohortSql(ONBOARDED_AT.events), {
        firstWeekMs: FIRST_WEEK_MS,
        onboarding: onboardingEvent,
      });
  const cohorts = plan.periods.map(() => ({ customers: 0, onboarded: 0 }));
  for (const r of rows) cohorts[r.i] = { customers: r.customers, onboarded: r.onboarded };
  return {
    hasOnboardingColumn,
    cohort: (i) => {
      const c = cohorts[i];
      if (!c) throw new RangeError(`no period ${i}`);
      return c;
    },
  };
}
