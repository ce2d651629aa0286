/**
 * Plugs the customer-base models into the engine: `load` computes, in one SQL query over
 * the de-duplicated orders, the RFM summary of every period the models are fitted for, and
 * `apply` fits the models and writes `clv_bgnbd`, `expected_purchases_next_period`,
 * `at_risk_customers`, `snapshot.models` and `snapshot.atRisk` into the finished snapshot of
 * the period.
 */
import type { ReportConfig } from '../config';
import type { Duck } from '../duck/db';
import { known, missing } from '../metrics/values';
import type { Snapshot } from '../snapshot';
import { daysInPeriod, localDayNumber, nextPeriod, type Period } from '../time/periods';
import { zoneOffsetMs } from '../time/timestamps';
import { type ClvModelsResult, runClvModels } from './clv';
import { ModelError, ModelInputError } from './errors';
import { RfmSummaries, type RfmSummary, summarizeOrders } from './rfm';

const DAY_MS = 86_400_000;

/** A local day number as its calendar date, `YYYY-MM-DD` (day numbers count local dates). */
const dayToIso = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

/**
 * The last day of a period's calibration window: the day before its (exclusive) end. A
 * period ends at a local midnight, so `ordered_at < end` ⟺ local day ≤ this day.
 */
const calibrationEndDay = (period: Period): number =>
  localDayNumber(period.end, period.timezone) - 1;

/**
 * The zone's offset over the UTC days that have orders, as [from_ms, offset_ms] intervals
 * sorted by from_ms (a few a year): an order at t is on local day ⌊(t + offset) / 1 day⌋,
 * `localDayNumber`'s own formula, with the offset of the last interval starting at or
 * before t. Days without an order need no interval; a day whose offset changes inside it (a
 * DST change; at most one per UTC day, as the zone cache of time/timestamps.ts assumes too)
 * gets one from the exact instant of the change.
 */
function offsetIntervals(utcDays: readonly number[], timezone: string): [number, number][] {
  const intervals: [number, number][] = [];
  let current = Number.NaN;
  for (const d of utcDays) {
    const start = d * DAY_MS;
    const before = zoneOffsetMs(start, timezone);
    const after = zoneOffsetMs(start + DAY_MS, timezone);
    if (before !== current) intervals.push([start, before]);
    current = before;
    if (after === before) continue;
    // The first millisecond with the new offset.
    let lo = start;
    let hi = start + DAY_MS;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (zoneOffsetMs(mid, timezone) === before) lo = mid;
      else hi = mid;
    }
    intervals.push([hi, after]);
    current = after;
  }
  return intervals;
}

/** The UTC days that have orders before `end`: those that need an offset interval. */
const ORDER_DAYS_SQL = `
  SELECT DISTINCT fdiv(ordered_at, ${DAY_MS})::BIGINT AS d FROM orders
  WHERE ordered_at < $end ORDER BY d`;

/**
 * The orders of the calibration windows: every row with `ordered_at` before the last
 * fitted period's end, on its local calendar day in the report's time zone. Refunds
 * (negative amounts) are kept: the RFM summary nets them into their own day, where a day
 * with a refund counts as a purchase only if its net amount stays positive, and they lower
 * the customer's historic value. A day of free (zero-amount) orders is a purchase day.
 * rfm.ts gives the reasons for both rules.
 */
const ordersByLocalDay = (intervals: readonly [number, number][]) => {
  // The offset of the last interval starting at or before ordered_at: a CASE from the latest
  // interval down, several times faster than an ASOF join against the intervals (recent
  // orders, the many, match the first branches).
  const offset = `CASE ${[...intervals]
    .reverse()
    .map(([from, offsetMs]) => `WHEN o.ordered_at >= ${from} THEN ${offsetMs}`)
    .join(' ')} END`;
  return `
  SELECT o.customer_id, fdiv(o.ordered_at + ${offset}, ${DAY_MS})::BIGINT AS day, o.amount
  FROM orders o
  WHERE o.ordered_at < $end`;
};

const MODEL_METRICS = ['clv_bgnbd', 'expected_purchases_next_period', 'at_risk_customers'] as const;

/**
 * The model-based CLV of each requested period (METRICS.md "Revenue and lifetime value";
 * formulas in clv.ts). Each fitted period is calibrated on its own history: the orders
 * before its end.
 */
export class ClvModelsHook {
  /** The periods the models are fitted for: every period, or those of `modelPeriods`. */
  readonly fittedPeriods: readonly Period[];
  private readonly config: ReportConfig;
  private readonly periods: readonly Period[];
  /** The fitted periods' RFM summaries; null until `load` found usable orders. */
  private rfm: RfmSummaries | null = null;

  /**
   * @param modelPeriods keys of the periods to fit the models for (@default - every period).
   *   The others get the model metrics null with a reason. A fit costs about a second per
   *   period on a large orders export, and a run that computes twelve trend periods only to
   *   draw the charts of other metrics need not pay it twelve times.
   */
  constructor(config: ReportConfig, periods: readonly Period[], modelPeriods?: readonly string[]) {
    const foreign = periods.find((p) => p.timezone !== config.timezone);
    if (foreign) {
      throw new ModelInputError(
        `period ${foreign.key} is in ${foreign.timezone}, the report in ${config.timezone}; ` +
          'build the periods in the report time zone',
      );
    }
    this.config = config;
    this.periods = periods;
    const fitted = modelPeriods ? new Set(modelPeriods) : null;
    this.fittedPeriods = periods.filter((p) => fitted === null || fitted.has(p.key));
  }

  /**
   * Computes the RFM summaries of the fitted periods from the `orders` view of `db`, all in
   * one query. `ordersUsable`: whether the orders export has accepted rows; without, the
   * model metrics say so and `db` is not read.
   */
  async load(db: Duck, ordersUsable: boolean): Promise<void> {
    this.rfm = null;
    if (!ordersUsable || this.fittedPeriods.length === 0) return;
    const end = Math.max(...this.fittedPeriods.map((p) => p.end));
    const ends = this.fittedPeriods.map(calibrationEndDay);
    const days = await db.all<{ d: number }>(ORDER_DAYS_SQL, { end });
    const intervals = offsetIntervals(
      days.map((r) => r.d),
      this.config.timezone,
    );
    this.rfm =
      intervals.length === 0 // no order before the end: every summary is empty
        ? new RfmSummaries(new Map(ends.map((day) => [day, []])))
        : await summarizeOrders(db, ordersByLocalDay(intervals), ends, { end });
  }

  /**
   * The RFM summaries of a period's calibration window as the models see them (for checks
   * and debugging); empty for a period that is not fitted or before `load`.
   */
  summaries(periodKey: string): RfmSummary[] {
    const period = this.periods.find((p) => p.key === periodKey);
    if (!period) throw new ModelInputError(`no model accumulator for period ${periodKey}`);
    if (!this.rfm || !this.isFitted(period)) return [];
    return this.rfm.summarize(calibrationEndDay(period));
  }

  /**
   * Fits the models on the history up to the snapshot's period end and writes the results
   * into the snapshot. A period without usable orders or with a fit that did not converge
   * gets null metrics with the reason, never a number from an unconverged fit.
   */
  apply(snapshot: Snapshot): void {
    const period = this.periods.find((p) => p.key === snapshot.period.key);
    if (!period) {
      throw new ModelInputError(
        `no model accumulator for period ${snapshot.period.key}; the hook was built for ` +
          `${this.periods.map((p) => p.key).join(', ') || 'no periods'}`,
      );
    }
    const result = this.isFitted(period)
      ? this.run(period)
      : {
          reason:
            'the customer-base models were fitted only for the reported periods of this run ' +
            '(add the metric to email.headline to chart it)',
        };
    if ('reason' in result) {
      for (const id of MODEL_METRICS) snapshot.metrics[id] = missing(id, result.reason);
      snapshot.models = { bgnbd: null, gammaGamma: null, reason: result.reason };
      snapshot.atRisk = [];
      return;
    }
    for (const id of MODEL_METRICS) {
      const { value, reason } = result.metrics[id];
      snapshot.metrics[id] = value === null ? missing(id, reason ?? 'no value') : known(id, value);
    }
    snapshot.models = result.models;
    snapshot.atRisk = result.atRisk;
  }

  private isFitted(period: Period): boolean {
    return this.fittedPeriods.includes(period);
  }

  private run(period: Period): ClvModelsResult | { reason: string } {
    if (!this.rfm) {
      return { reason: 'no orders export, or it has no accepted rows' };
    }
    const clv = this.config.clv;
    try {
      return runClvModels(this.rfm, {
        calibrationEndDay: calibrationEndDay(period),
        nextPeriodWeeks: daysInPeriod(nextPeriod(period)) / 7,
        horizonWeeks: clv.horizonWeeks,
        annualDiscountRate: clv.annualDiscountRate,
        grossMargin: clv.grossMargin,
        atRiskThreshold: clv.atRiskThreshold,
        atRiskListSize: clv.atRiskListSize,
        dayToIso,
      });
    } catch (err) {
      // A model that cannot be computed must not take the rest of the report down with it.
      if (err instanceof ModelError) {
        return { reason: `the customer-base models could not be computed: ${err.message}` };
      }
      throw err;
    }
  }
}
