/**
 * At-risk signals per customer at a period's end (METRICS.md "At-risk customers and their
 * reasons"), all in one SQL pass over every requested period:
 *
 * - `activity_drop`: the customer's events (user_id = customer_id) in the period against
 *   their own mean over the `atRisk.trailingPeriods` periods before it;
 * - `failed_payment`: an order in the period whose `status` is `failed` or `declined`;
 * - `downgrade`: MRR at the period end below MRR at its start (both over the customer's
 *   subscriptions covering that instant, as `mrr_contraction` counts it);
 * - `low_nps`: the customer's latest NPS answer in the period and its trailing periods is a
 *   detractor's (0–6);
 * - `open_tickets`: tickets created before the end and not resolved by it.
 *
 * The flagged customers of every period are kept in the table `at_risk_signals` of the
 * engine's database, so the model's at-risk list (fitted later, in TypeScript) can look its
 * customers up by id. `p_alive`, the model's own reason, is added where that list is made.
 */
import type { ReportConfig } from '../config';
import type { Duck } from '../duck/db';
import { fillTable } from '../duck/plan-tables';
import type { AtRiskReason, AtRiskSubscriber, ConsistencyIssue, Snapshot } from '../snapshot';
import { formatInstantWithOffset, shiftPeriod } from '../time/periods';
import type { PeriodPlan } from './plan';

const DAY_MS = 86_400_000;
/** Width of the buckets of `ar_hours`: shorter than any window (a window is whole days). */
const BUCKET_MS = 3_600_000;
/** `orders.status` values that mean the payment did not go through (DATASETS.md). */
export const FAILED_STATUSES = ['failed', 'declined'] as const;
/** NPS detractors answer 0–6 (METRICS.md "Surveys"). */
const NPS_DETRACTOR_MAX = 6;
/** MRR is summed in whole millionths, as the customer base does (METRICS.md, amendment 15). */
const MICROS = 1_000_000;
/**
 * `atRisk.activityDropPercent` and `minTrailingEvents` in whole millionths: config.ts allows
 * at most 6 decimal places, so `Math.round(x × 10⁶)` is x exactly.
 */
const SETTING_UNITS = 1_000_000;

export type AtRiskOptions = ReportConfig['atRisk'];

/** One flagged customer of one period, as the SQL returns it. */
type SignalRow = {
  i: number;
  customer_id: string;
  now_events: number | null;
  trailing_events: number | null;
  failed_orders: number | null;
  last_failed_at: number | null;
  mrr_start_micros: number | null;
  mrr_end_micros: number | null;
  active_end: boolean | null;
  nps_score: number | null;
  nps_at: number | null;
  open_tickets: number | null;
  oldest_open_at: number | null;
  activity_flag: boolean;
  failed_flag: boolean;
  downgrade_flag: boolean;
  nps_flag: boolean;
  tickets_flag: boolean;
};

/**
 * Per period i and customer: each signal's inputs and whether it is raised; only customers
 * with at least one raised signal are kept. The windows (`w`) hold, per period i, the period
 * itself (k = 0) and its trailing periods (k = 1 … N), computed by the period code; the
 * spans (`sp`) are [start of period i − N, end of period i). Consecutive periods share
 * windows, so events are counted once per distinct window (each event is in at most one,
 * the periods do not overlap; `ar_hours` finds it by an equi-join) and the counts then
 * summed per period, rather than joining every event to the N + 1 windows it belongs to.
 *
 * - Activity: `now × 100 × N ≤ trailing × (100 − drop%)` is "now ≤ average × (1 − drop%)"
 *   without a division, and `trailing ≥ min × N` is "average ≥ min"; both in whole
 *   numbers, the settings in millionths (`SETTING_UNITS`), so that a value equal to the
 *   bound counts. Periods before a customer's first event count as 0 in the average, and
 *   in `trailing_min` (a trailing window without events is absent from `per_window`).
 * - Open tickets are evaluated only when some ticket has a `resolved_at`: an export without
 *   resolutions would make every ticket ever opened look open.
 * - MRR: a subscription covers t when `started_at ≤ t < ended_at` (no `ended_at`: open); a
 *   missing `mrr` adds 0 (amendment 12).
 */
const SIGNALS_SQL = (windows: string, spans: string) => `
  CREATE OR REPLACE TABLE at_risk_signals AS
  WITH w(i, k, start_ms, end_ms) AS (VALUES ${windows}),
  sp(i, start_ms, end_ms) AS (VALUES ${spans}),
  per_window AS (
    SELECT start_ms, user_id, count(*) AS events
    FROM (
      SELECT CASE WHEN e.occurred_at < b.split THEN b.w0 ELSE b.w1 END AS start_ms, e.user_id
      FROM events e JOIN ar_hours b ON b.h = (e.occurred_at - $hours_start) // ${BUCKET_MS}
      WHERE e.occurred_at >= $hours_start AND e.occurred_at < $hours_end
    )
    WHERE start_ms IS NOT NULL
    GROUP BY ALL
  ),
  act AS (
    SELECT w.i, pw.user_id AS customer_id,
      coalesce(sum(pw.events) FILTER (WHERE w.k = 0), 0)::BIGINT AS now_events,
      coalesce(sum(pw.events) FILTER (WHERE w.k > 0), 0)::BIGINT AS trailing_events,
      CASE WHEN count(*) FILTER (WHERE w.k > 0) < $n THEN 0
        ELSE min(pw.events) FILTER (WHERE w.k > 0) END AS trailing_min
    FROM per_window pw JOIN w ON w.start_ms = pw.start_ms
    GROUP BY ALL
  ),
  failed AS (
    SELECT w.i, o.customer_id, count(*) AS failed_orders, max(o.ordered_at) AS last_failed_at
    FROM orders o JOIN w ON w.k = 0 AND o.ordered_at >= w.start_ms AND o.ordered_at < w.end_ms
    WHERE lower(o.status) IN (${FAILED_STATUSES.map((s) => `'${s}'`).join(', ')})
    GROUP BY ALL
  ),
  mrr AS (
    SELECT w.i, s.customer_id,
      coalesce(sum(round(coalesce(s.mrr, 0) * ${MICROS})::BIGINT) FILTER (
        WHERE s.started_at <= w.start_ms AND (s.ended_at IS NULL OR s.ended_at > w.start_ms)), 0)
        AS mrr_start_micros,
      coalesce(sum(round(coalesce(s.mrr, 0) * ${MICROS})::BIGINT) FILTER (
        WHERE s.started_at <= w.end_ms AND (s.ended_at IS NULL OR s.ended_at > w.end_ms)), 0)
        AS mrr_end_micros,
      bool_or(s.started_at <= w.end_ms AND (s.ended_at IS NULL OR s.ended_at > w.end_ms))
        AS active_end
    FROM subscriptions s JOIN w ON w.k = 0
      AND s.started_at <= w.end_ms AND (s.ended_at IS NULL OR s.ended_at > w.start_ms)
    GROUP BY ALL
  ),
  nps AS (
    SELECT sp.i, r.customer_id,
      first(r.score ORDER BY r.responded_at DESC, r.response_id DESC) AS nps_score,
      max(r.responded_at) AS nps_at
    FROM survey_responses r
    JOIN sp ON r.responded_at >= sp.start_ms AND r.responded_at < sp.end_ms
    WHERE r.survey_type = 'nps' AND r.customer_id IS NOT NULL
    GROUP BY ALL
  ),
  open AS (
    SELECT sp.i, t.customer_id, count(*) AS open_tickets, min(t.created_at) AS oldest_open_at
    FROM tickets t
    JOIN sp ON t.created_at < sp.end_ms AND (t.resolved_at IS NULL OR t.resolved_at >= sp.end_ms)
    WHERE t.customer_id IS NOT NULL
      AND (SELECT count(resolved_at) FROM tickets) > 0
    GROUP BY ALL
  ),
  keys AS (
    SELECT i, customer_id FROM act UNION SELECT i, customer_id FROM failed
    UNION SELECT i, customer_id FROM mrr UNION SELECT i, customer_id FROM nps
    UNION SELECT i, customer_id FROM open
  ),
  joined AS (
    SELECT keys.i, keys.customer_id,
      act.now_events, act.trailing_events,
      failed.failed_orders, failed.last_failed_at,
      mrr.mrr_start_micros, mrr.mrr_end_micros, mrr.active_end,
      nps.nps_score, nps.nps_at,
      open.open_tickets, open.oldest_open_at,
      coalesce(act.trailing_events::HUGEINT * ${SETTING_UNITS} >= $minTrailing::HUGEINT * $n::HUGEINT
        AND act.now_events::HUGEINT * ${100 * SETTING_UNITS} * $n::HUGEINT
          <= act.trailing_events::HUGEINT * $keptShare::HUGEINT
        AND act.now_events < act.trailing_min, false)
        AS activity_flag,
      coalesce(failed.failed_orders > 0, false) AS failed_flag,
      coalesce(mrr.active_end AND mrr.mrr_end_micros < mrr.mrr_start_micros, false)
        AS downgrade_flag,
      coalesce(nps.nps_score <= ${NPS_DETRACTOR_MAX}, false) AS nps_flag,
      coalesce(open.open_tickets > 0, false) AS tickets_flag
    FROM keys
    LEFT JOIN act USING (i, customer_id)
    LEFT JOIN failed USING (i, customer_id)
    LEFT JOIN mrr USING (i, customer_id)
    LEFT JOIN nps USING (i, customer_id)
    LEFT JOIN open USING (i, customer_id)
  )
  SELECT *,
    activity_flag::INT + failed_flag::INT + downgrade_flag::INT + nps_flag::INT
      + tickets_flag::INT AS signals
  FROM joined
  WHERE activity_flag OR failed_flag OR downgrade_flag OR nps_flag OR tickets_flag`;

/**
 * `ar_hours(h, w0, split, w1)`: the window (by its start) an instant t is in, without a range
 * join (which was a sixth of the engine's time on 5 M events). Bucket h = ⌊(t − start) / 1 h⌋
 * holds at most one window boundary (windows are whole local days); t is in window w0 before
 * `split` and in w1 from it, NULL for a gap between windows. As `act_hours` (activity.ts).
 */
async function createWindowHours(
  db: Duck,
  windows: readonly { start: number; end: number }[],
): Promise<{ start: number; end: number }> {
  const startOf = new Map<number, number>();
  for (const w of windows) startOf.set(w.start, w.end);
  // Segments between consecutive boundaries: a window (its start) or a gap (null).
  const bounds = [...new Set(windows.flatMap((w) => [w.start, w.end]))].sort((a, b) => a - b);
  const segment = (k: number) => {
    const from = bounds[k] as number;
    return startOf.get(from) === bounds[k + 1] ? from : null;
  };
  const start = bounds[0] ?? 0;
  const end = bounds[bounds.length - 1] ?? 0;
  const rows: (number | null)[][] = [];
  let k = 0;
  for (let h = 0, t = start; t < end; h++, t += BUCKET_MS) {
    while ((bounds[k + 1] as number) <= t) k++;
    const next = bounds[k + 1] as number;
    const inside = next < t + BUCKET_MS && next < end;
    const w0 = segment(k);
    rows.push([h, w0, inside ? next : t + BUCKET_MS, inside ? segment(k + 1) : w0]);
  }
  await fillTable(db, 'ar_hours', 'h BIGINT, w0 BIGINT, split BIGINT, w1 BIGINT', rows);
  return { start, end };
}

/** Per period: the subscribers at risk (active at the end with a signal). */
const SUBSCRIBER_COUNTS_SQL = `
  SELECT i, count(*) AS total FROM at_risk_signals WHERE active_end GROUP BY i`;

/** Per period: the first `listSize` subscribers at risk by MRR at the end, then signals, id. */
const SUBSCRIBERS_SQL = `
  SELECT *
  FROM at_risk_signals
  WHERE active_end
  QUALIFY row_number() OVER (
    PARTITION BY i ORDER BY mrr_end_micros DESC, signals DESC, customer_id) <= $listSize
  ORDER BY i, mrr_end_micros DESC, signals DESC, customer_id`;

/** `99`, `49.5` → `49.50`: whole amounts without decimals, others with two. */
function amount(micros: number): string {
  const v = micros / MICROS;
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}

/**
 * The activity drop (a − n) / a × 100 as a whole percent, rounded down so that the words
 * never overstate it (62.5 % → 62; a drop of exactly the threshold shows the threshold),
 * and the average a = T / N to one decimal, half up: both from the whole numbers n, T
 * (the trailing events) and N, so that no double decides a digit (1.15 → 1.2).
 */
function activityWords(now: number, trailing: number, n: number): string {
  const drop = Math.floor((100 * (trailing - now * n)) / trailing);
  const tenths = Math.floor((20 * trailing + n) / (2 * n));
  return `activity −${drop} % vs its ${n}-period average (${now} vs ${Math.floor(tenths / 10)}.${tenths % 10})`;
}

/**
 * The raised signals of one row in words, in a fixed order (the model's `p_alive` comes
 * first where it is added). Dates are local calendar dates in the report's zone; ages of
 * tickets whole days of 24 h up to the period end.
 */
function reasonsOf(row: SignalRow, end: number, timezone: string, n: number): AtRiskReason[] {
  const localDate = (t: number) => formatInstantWithOffset(t, timezone).slice(0, 10);
  const reasons: AtRiskReason[] = [];
  if (row.activity_flag) {
    reasons.push({
      kind: 'activity_drop',
      detail: activityWords(row.now_events ?? 0, row.trailing_events ?? 0, n),
    });
  }
  if (row.failed_flag) {
    const count = row.failed_orders ?? 0;
    const last = localDate(row.last_failed_at ?? end);
    reasons.push({
      kind: 'failed_payment',
      detail:
        count === 1 ? `payment failed on ${last}` : `${count} failed payments, last on ${last}`,
    });
  }
  if (row.downgrade_flag) {
    reasons.push({
      kind: 'downgrade',
      detail: `MRR ${amount(row.mrr_start_micros ?? 0)} → ${amount(row.mrr_end_micros ?? 0)}`,
    });
  }
  if (row.nps_flag) {
    reasons.push({
      kind: 'low_nps',
      detail: `NPS ${row.nps_score} on ${localDate(row.nps_at ?? end)}`,
    });
  }
  if (row.tickets_flag) {
    const count = row.open_tickets ?? 0;
    const days = Math.floor((end - (row.oldest_open_at ?? end)) / DAY_MS);
    const age = `${days} day${days === 1 ? '' : 's'}`;
    reasons.push({
      kind: 'open_tickets',
      detail: count === 1 ? `1 open ticket, ${age} old` : `${count} open tickets, oldest ${age}`,
    });
  }
  return reasons;
}

/** `P(alive) 31 %`: the model's reason, as a whole percent. */
export function pAliveReason(pAlive: number): AtRiskReason {
  return { kind: 'p_alive', detail: `P(alive) ${Math.round(pAlive * 100)} %` };
}

export interface AtRiskPeriod {
  /** Customers with a subscription active at the end and at least one signal. */
  subscribers: number;
  /** The first `atRisk.listSize` of them, most MRR at the end first (then most signals, id). */
  list: AtRiskSubscriber[];
}

export interface AtRiskState {
  period(i: number): AtRiskPeriod;
  /**
   * Why no signal can be raised at all, or null: every signal's input is missing (no
   * events, no order with a status, no subscription with an mrr, no NPS answer of a
   * customer, no ticket with a customer and some ticket resolved). A count of 0 would then
   * say "nobody at risk" where nothing was looked at.
   */
  unavailable: string | null;
  /** The signals of the given customers at the end of period i (those without any: absent). */
  reasonsFor(i: number, customerIds: readonly string[]): Promise<Map<string, AtRiskReason[]>>;
}

/** Per signal, whether its input is there (as the signal SQL reads it), and the words if not. */
const INPUTS_SQL = `
  SELECT
    EXISTS (SELECT 1 FROM events) AS activity_drop,
    EXISTS (SELECT 1 FROM orders WHERE status IS NOT NULL) AS failed_payment,
    EXISTS (SELECT 1 FROM subscriptions WHERE mrr IS NOT NULL) AS downgrade,
    EXISTS (SELECT 1 FROM survey_responses
      WHERE survey_type = 'nps' AND customer_id IS NOT NULL) AS low_nps,
    EXISTS (SELECT 1 FROM tickets WHERE customer_id IS NOT NULL)
      AND EXISTS (SELECT 1 FROM tickets WHERE resolved_at IS NOT NULL) AS open_tickets`;
const MISSING_INPUT = {
  activity_drop: 'no events',
  failed_payment: 'no order with a status',
  downgrade: 'no subscription with an mrr',
  low_nps: 'no NPS answer with a customer_id',
  open_tickets: 'no ticket with a customer_id and a resolved_at in the export',
} as const;

/**
 * Computes the signals of every period of the plan into `at_risk_signals` and reads the
 * subscribers at risk of each. `db` must stay open for `reasonsFor`.
 */
export async function loadAtRisk(
  db: Duck,
  plan: PeriodPlan,
  options: AtRiskOptions,
): Promise<AtRiskState> {
  const n = options.trailingPeriods;
  const windows: string[] = [];
  const spans: string[] = [];
  const shifted: { start: number; end: number }[] = [];
  plan.periods.forEach((period, i) => {
    for (let k = 0; k <= n; k++) {
      const p = k === 0 ? period : shiftPeriod(period, -k);
      shifted.push(p);
      windows.push(`(${i}, ${k}, ${p.start}, ${p.end})`);
      if (k === n) spans.push(`(${i}, ${p.start}, ${period.end})`);
    }
  });
  const hours = await createWindowHours(db, shifted);
  await db.run(SIGNALS_SQL(windows.join(', '), spans.join(', ')), {
    hours_start: hours.start,
    hours_end: hours.end,
    n,
    minTrailing: Math.round(options.minTrailingEvents * SETTING_UNITS),
    keptShare: 100 * SETTING_UNITS - Math.round(options.activityDropPercent * SETTING_UNITS),
  });
  const periods = plan.periods.map((): AtRiskPeriod => ({ subscribers: 0, list: [] }));
  for (const c of await db.all<{ i: number; total: number }>(SUBSCRIBER_COUNTS_SQL)) {
    (periods[c.i] as AtRiskPeriod).subscribers = c.total;
  }
  const rows = await db.all<SignalRow>(SUBSCRIBERS_SQL, { listSize: options.listSize });
  for (const row of rows) {
    const period = plan.periods[row.i];
    if (!period) continue;
    (periods[row.i] as AtRiskPeriod).list.push({
      customerId: row.customer_id,
      mrr: (row.mrr_end_micros ?? 0) / MICROS,
      reasons: reasonsOf(row, period.end, plan.timezone, n),
    });
  }
  const inputs = await db.one<Record<keyof typeof MISSING_INPUT, boolean>>(INPUTS_SQL);
  const kinds = Object.keys(MISSING_INPUT) as (keyof typeof MISSING_INPUT)[];
  const unavailable = kinds.some((kind) => inputs[kind])
    ? null
    : `no at-risk signal can be evaluated: ${kinds.map((kind) => MISSING_INPUT[kind]).join(', ')}`;
  return {
    period: (i) => periods[i] as AtRiskPeriod,
    unavailable,
    async reasonsFor(i, customerIds) {
      const out = new Map<string, AtRiskReason[]>();
      const period = plan.periods[i];
      if (!period || customerIds.length === 0) return out;
      // At most `clv.atRiskListSize` (100) ids, as SQL string literals (quotes doubled).
      const ids = customerIds.map((id) => `'${id.replaceAll("'", "''")}'`).join(', ');
      const found = await db.all<SignalRow>(
        `SELECT * FROM at_risk_signals WHERE i = $i AND customer_id IN (${ids})`,
        { i },
      );
      for (const row of found) {
        out.set(row.customer_id, reasonsOf(row, period.end, plan.timezone, n));
      }
      return out;
    },
  };
}

/** What `explainAtRisk` reads of the computed metrics (metrics/compute.ts). */
interface ComputedAtRisk {
  plan: PeriodPlan;
  mode: 'subscriptions' | 'orders';
  atRisk: AtRiskState;
  subscriptionsUsable: boolean;
  consistency: ConsistencyIssue[][];
}

/**
 * Completes a snapshot whose model results are in (`ClvModelsHook.apply`): each customer of
 * the model's list gets P(alive) and their other signals as reasons; in subscriptions mode
 * the snapshot gets the subscribers at risk; and every snapshot its consistency findings.
 * `index` is the snapshot's position in the caller's `periods`.
 */
export async function explainAtRisk(
  snapshot: Snapshot,
  computed: ComputedAtRisk,
  index: number,
): Promise<void> {
  const i = computed.plan.periods.findIndex((p) => p.key === snapshot.period.key);
  if (i < 0) return;
  const list = snapshot.atRisk ?? [];
  if (list.length > 0) {
    const signals = await computed.atRisk.reasonsFor(
      i,
      list.map((c) => c.customerId),
    );
    for (const c of list)
      c.reasons = [pAliveReason(c.pAlive), ...(signals.get(c.customerId) ?? [])];
  }
  if (computed.mode === 'subscriptions' && computed.subscriptionsUsable) {
    snapshot.atRiskSubscribers = structuredClone(computed.atRisk.period(i).list);
  }
  const issues = computed.consistency[index] ?? [];
  if (issues.length > 0) snapshot.consistency = structuredClone(issues);
}
