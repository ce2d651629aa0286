/**
 * Plugs the customer-base models into the metric pass: one order accumulator per requested
 * period collects that period's RFM history during the pass, and `apply` fits the models and
 * writes `clv_bgnbd`, `expected_purchases_next_period`, `at_risk_customers`,
 * `snapshot.models` and `snapshot.atRisk` into the finished snapshot of the period.
 */
import type { ReportConfig } from '../config';
import type { OrderRow } from '../datasets/rows';
import type { RowAccumulator } from '../metrics/pass';
import { known, missing } from '../metrics/values';
import type { Snapshot } from '../snapshot';
import { daysInPeriod, localDayNumber, nextPeriod, type Period } from '../time/periods';
import { type ClvModelsResult, runClvModels } from './clv';
import { ModelError, ModelInputError } from './errors';
import { RfmAccumulator, type RfmSummary } from './rfm';

const DAY_MS = 86_400_000;

/** A local day number as its calendar date, `YYYY-MM-DD` (day numbers count local dates). */
const dayToIso = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

/**
 * The orders of one period's calibration window: every row with `ordered_at` before the
 * period's (exclusive) end, bucketed by local calendar day in the report's time zone.
 * Refunds (negative amounts) are kept: RfmAccumulator nets them into their own day, where a
 * day with a refund counts as a purchase only if its net amount stays positive, and they
 * lower the customer's historic value. A day of free (zero-amount) orders is a purchase day.
 * RfmAccumulator gives the reasons for both rules.
 */
class PeriodOrders implements RowAccumulator<'orders'> {
  readonly dataset = 'orders' as const;
  readonly rfm = new RfmAccumulator();
  /** Rows received, including those after the window. */
  rows = 0;
  /** Last day included in the window: the day before the period's end. */
  readonly calibrationEndDay: number;
  private readonly end: number;
  private readonly dayOf: (instantMs: number) => number;

  constructor(period: Period, dayOf: (instantMs: number) => number) {
    this.end = period.end;
    this.dayOf = dayOf;
    // A period ends at a local midnight, so `ordered_at < end` ⟺ local day ≤ this day.
    this.calibrationEndDay = localDayNumber(period.end, period.timezone) - 1;
  }

  add(row: OrderRow): void {
    this.rows++;
    if (row.ordered_at >= this.end) return;
    this.rfm.add(row.customer_id, this.dayOf(row.ordered_at), row.amount);
  }
}

const MODEL_METRICS = ['clv_bgnbd', 'expected_purchases_next_period', 'at_risk_customers'] as const;

/**
 * The model-based CLV of each requested period (METRICS.md "Revenue and lifetime value";
 * formulas in clv.ts). Holds one RFM accumulator per period rather than one for all, so each
 * only keeps the order days its own calibration window needs.
 */
export class ClvModelsHook {
  readonly accumulators: RowAccumulator<'orders'>[];
  private readonly config: ReportConfig;
  private readonly periods: readonly Period[];
  private readonly windows: PeriodOrders[];

  /** Keys of the periods the models are fitted for; null: all of them. */
  private readonly fitted: ReadonlySet<string> | null;

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
    // Every accumulator receives the same row in turn: remember the last instant's day so the
    // time-zone conversion runs once per row, not once per period.
    let lastInstant = Number.NaN;
    let lastDay = 0;
    const dayOf = (instantMs: number): number => {
      if (instantMs !== lastInstant) {
        lastInstant = instantMs;
        lastDay = localDayNumber(instantMs, config.timezone);
      }
      return lastDay;
    };
    this.fitted = modelPeriods ? new Set(modelPeriods) : null;
    this.windows = periods.map((p) => new PeriodOrders(p, dayOf));
    this.accumulators = this.windows.filter((_, i) => this.isFitted(periods[i] as Period));
  }

  /**
   * The RFM summaries of a period's calibration window as the models see them (for checks
   * and debugging; `apply` computes them again).
   */
  summaries(periodKey: string): RfmSummary[] {
    const window = this.windows[this.periods.findIndex((p) => p.key === periodKey)];
    if (!window) throw new ModelInputError(`no model accumulator for period ${periodKey}`);
    return window.rfm.summarize(window.calibrationEndDay);
  }

  /**
   * Fits the models on the history up to the snapshot's period end and writes the results
   * into the snapshot. A period without usable orders or with a fit that did not converge
   * gets null metrics with the reason, never a number from an unconverged fit.
   */
  apply(snapshot: Snapshot): void {
    const index = this.periods.findIndex((p) => p.key === snapshot.period.key);
    const period = this.periods[index];
    const window = this.windows[index];
    if (!period || !window) {
      throw new ModelInputError(
        `no model accumulator for period ${snapshot.period.key}; the hook was built for ` +
          `${this.periods.map((p) => p.key).join(', ') || 'no periods'}`,
      );
    }
    const result = this.isFitted(period)
      ? this.run(period, window)
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
    return this.fitted === null || this.fitted.has(period.key);
  }

  private run(period: Period, window: PeriodOrders): ClvModelsResult | { reason: string } {
    if (window.rows === 0) {
      return { reason: 'no orders export, or it has no accepted rows' };
    }
    const clv = this.config.clv;
    try {
      return runClvModels(window.rfm, {
        calibrationEndDay: window.calibrationEndDay,
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
