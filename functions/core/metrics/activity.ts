/**
 * Product events: `dau`, `wau`, `mau`, `stickiness`, `conversion_rate`, `feature_usage`,
 * `core_action_rate` and page views (when there are no sessions), in SQL over the
 * de-duplicated `events` view.
 *
 * Events are the big dataset, so they are read once: each event of the local-day grid of
 * the plan is mapped to its grid day and grouped into one row per user, day and feature
 * name (`act_user_day_feature`), with the bits of the roles its events had that day. Every
 * figure of every period is then an aggregate of that table (3–4 × fewer rows than the
 * events in the benchmark, scripts/bench-activity.ts) or of its roll-up to one row per user
 * and day.
 */
import { type Duck, sqlString } from '../duck/db';
import { EngineError, type PeriodPlan, upperBound } from './plan';

/** The `event_type` counted as one page view when `pageviews` falls back on events. */
export const PAGE_VIEW_EVENT = 'page_view';

export interface EventNames {
  conversion: readonly string[];
  coreActions: readonly string[];
  feature: string;
  /** Read by customers.ts (`first_week_engagement`), not here. */
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

/** Role bits of an event, OR-ed per user and day. */
const CONVERSION = 1;
const CORE_ACTION = 2;
const FEATURE = 4;

/** Width of the buckets of `act_hours`: shorter than any local day. */
const BUCKET_MS = 3_600_000;

/**
 * `act_hours(h, d0, split, d1)`: the grid day of an instant t without a time-zone call or a
 * sorted join. Bucket h = ⌊(t − grid start) / 1 h⌋ holds at most one day boundary (a local
 * day lasts 23 h or more); `split` is the first day start after the bucket's start: t is on
 * day d0 before it and on day d1 from it. Derived from `plan.dayStarts`, the same local
 * midnights as `plan_days`. (An ASOF join on `plan_days` gives the same days but sorts the
 * events: about 3 × slower.)
 */
async function createHourBuckets(db: Duck, plan: PeriodPlan): Promise<void> {
  const starts = plan.dayStarts;
  const gridStart = starts[0] as number;
  const gridEnd = starts[starts.length - 1] as number;
  await db.run(
    'CREATE OR REPLACE TEMP TABLE act_hours (h INTEGER, d0 INTEGER, split BIGINT, d1 INTEGER)',
  );
  const appender = await db.connection.createAppender('act_hours', 'main', 'temp');
  try {
    for (let h = 0, s = gridStart; s < gridEnd; h++, s += BUCKET_MS) {
      const d0 = upperBound(starts, s) - 1;
      // The next boundary; a day of zero length (a date skipped by a zone) is stepped over.
      const split = starts[d0 + 1] as number;
      const d1 = upperBound(starts, split) - 1;
      const after = starts[d1 + 1];
      if (split < s + BUCKET_MS && after !== undefined && after < s + BUCKET_MS) {
        throw new EngineError(
          `the local day starting at ${new Date(split).toISOString()} in ${plan.timezone} is shorter than an hour`,
        );
      }
      appender.appendInteger(h);
      appender.appendInteger(d0);
      appender.appendBigInt(BigInt(split));
      appender.appendInteger(d1);
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

/** `CASE WHEN event_type IN (names) THEN bit ELSE 0 END`, or 0 for no names. */
function roleBit(names: readonly string[], bit: number): string {
  if (names.length === 0) return '0';
  return `CASE WHEN e.event_type IN (${names.map(sqlString).join(', ')}) THEN ${bit} ELSE 0 END`;
}

/**
 * `act_user_day_feature`: one row per user, grid day and feature name (NULL for the events
 * that name no feature: a feature event without a name counts in `featureUsers` only),
 * with the OR of the role bits and the number of page_view events. Events outside the grid
 * (before the first MAU window, after the last period) are skipped.
 */
function userDayFeatureSql(names: EventNames): string {
  const flags = [
    roleBit(names.conversion, CONVERSION),
    roleBit(names.coreActions, CORE_ACTION),
    roleBit([names.feature], FEATURE),
  ].join(' | ');
  return `
    CREATE OR REPLACE TEMP TABLE act_user_day_feature AS
    SELECT user_id, d, feature, bit_or(flags) AS flags,
      count_if(page_view)::UINTEGER AS page_views
    FROM (
      SELECT e.user_id,
        CASE WHEN e.occurred_at < b.split THEN b.d0 ELSE b.d1 END AS d,
        CASE WHEN e.event_type = $feature THEN e.feature END AS feature,
        (${flags})::UTINYINT AS flags,
        e.event_type = $page_view AS page_view
      FROM events e JOIN act_hours b ON b.h = (e.occurred_at - $grid_start) // ${BUCKET_MS}
      WHERE e.occurred_at >= $grid_start AND e.occurred_at < $grid_end
    )
    GROUP BY ALL`;
}

/** `act_user_day`: the users active on each grid day (the roll-up of the features). */
const USER_DAY = `
  CREATE OR REPLACE TEMP TABLE act_user_day AS
  SELECT user_id, d, bit_or(flags) AS flags, sum(page_views) AS page_views
  FROM act_user_day_feature GROUP BY ALL`;

type PeriodRow = {
  i: number;
  user_days: number | null;
  active_users: number | null;
  converted: number | null;
  core_action: number | null;
  feature_users: number | null;
  page_view_events: number | null;
  mau: number | null;
  feature_names: string[] | null;
  feature_counts: number[] | null;
};

/**
 * Per requested period i (a row for every period of `plan_periods`):
 * - `dau` = user_days / days of P: user-days are the rows of `act_user_day` on the days of
 *   P, each day's distinct users;
 * - `wau`, and the denominator of the rates, = active_users: users with a day in P;
 * - `conversion_rate`, `core_action_rate`, `feature_usage` numerators: users with a day in
 *   P holding the role's bit; the `feature_usage` breakdown: distinct users per named
 *   feature on the days of P;
 * - `mau`: distinct users on the days of the `plan_mau` window, the 30 local days ending
 *   with P;
 * - `pageviews` (the fallback without sessions): page_view events on the days of P.
 */
const PERIODS = `
  WITH user_period AS (
    SELECT u.user_id, p.period AS i, count(*) AS days, bit_or(u.flags) AS flags,
      sum(u.page_views) AS page_views
    FROM act_user_day u JOIN plan_days p ON p.d = u.d
    WHERE p.period IS NOT NULL
    GROUP BY ALL
  ),
  per_period AS (
    SELECT i, sum(days) AS user_days, count(*) AS active_users,
      count_if(flags & ${CONVERSION} <> 0) AS converted,
      count_if(flags & ${CORE_ACTION} <> 0) AS core_action,
      count_if(flags & ${FEATURE} <> 0) AS feature_users,
      sum(page_views) AS page_view_events
    FROM user_period GROUP BY i
  ),
  mau_days AS (
    SELECT m.i, min(p.d) AS lo, max(p.d) + 1 AS hi
    FROM plan_mau m JOIN plan_days p ON p.start_ms >= m.start_ms AND p.end_ms <= m.end_ms
    GROUP BY m.i
  ),
  mau AS (
    SELECT w.i, count(DISTINCT u.user_id) AS mau
    FROM act_user_day u JOIN mau_days w ON u.d >= w.lo AND u.d < w.hi
    GROUP BY w.i
  ),
  feature_users AS (
    SELECT p.period AS i, f.feature, count(DISTINCT f.user_id) AS users
    FROM act_user_day_feature f JOIN plan_days p ON p.d = f.d
    WHERE f.feature IS NOT NULL AND p.period IS NOT NULL
    GROUP BY ALL
  ),
  features AS (
    SELECT i, list(feature ORDER BY feature) AS feature_names,
      list(users ORDER BY feature) AS feature_counts
    FROM feature_users GROUP BY i
  )
  SELECT pp.i, per_period.* EXCLUDE (i), mau.mau, features.* EXCLUDE (i)
  FROM plan_periods pp
    LEFT JOIN per_period USING (i) LEFT JOIN mau USING (i) LEFT JOIN features USING (i)
  ORDER BY pp.i`;

/** Reads the activity of every period of the plan; the plan tables must exist. */
export async function loadActivity(
  db: Duck,
  plan: PeriodPlan,
  names: EventNames,
): Promise<{ period(i: number): ActivityPeriod }> {
  await createHourBuckets(db, plan);
  let rows: PeriodRow[];
  try {
    await db.run(userDayFeatureSql(names), {
      feature: names.feature,
      page_view: PAGE_VIEW_EVENT,
      grid_start: plan.dayStarts[0] as number,
      grid_end: plan.dayStarts[plan.dayStarts.length - 1] as number,
    });
    await db.run(USER_DAY);
    rows = await db.all<PeriodRow>(PERIODS);
  } finally {
    await db.run(
      'DROP TABLE IF EXISTS act_user_day; DROP TABLE IF EXISTS act_user_day_feature; DROP TABLE IF EXISTS act_hours',
    );
  }
  const periods = rows.map((row): ActivityPeriod => {
    const days = plan.days[row.i];
    if (!days) throw new EngineError(`activity row for unknown period ${row.i}`);
    const featureNames = row.feature_names ?? [];
    const counts = row.feature_counts ?? [];
    return {
      dau: (row.user_days ?? 0) / days.count,
      activeUsers: row.active_users ?? 0,
      mau: row.mau ?? 0,
      converted: row.converted ?? 0,
      coreAction: row.core_action ?? 0,
      featureUsers: row.feature_users ?? 0,
      features: new Map(featureNames.map((name, k) => [name, counts[k] as number])),
      pageViewEvents: row.page_view_events ?? 0,
    };
  });
  return {
    period(i: number): ActivityPeriod {
      const p = periods[i];
      if (!p) throw new RangeError(`no period ${i}`);
      return p;
    },
  };
}
