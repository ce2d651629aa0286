/**
 * Model-based customer lifetime value: BG/NBD for how many purchases, Gamma-Gamma for how
 * much each is worth, and the three model metrics of the report (`clv_bgnbd`,
 * `expected_purchases_next_period`, `at_risk_customers`) plus the at-risk list.
 */
import type { AtRiskCustomer, FitSummary, MetricValue, ModelsSummary } from '../snapshot';
import {
  type BgNbdParams,
  conditionalExpectedPurchases,
  expectedPurchasesIfAlive,
  fitBgNbd,
  probabilityAlive,
} from './bgnbd';
import { ModelError, ModelInputError } from './errors';
import {
  conditionalExpectedAverageSpend,
  fitGammaGamma,
  type GammaGammaParams,
} from './gamma-gamma';
import type { RfmSummaries, RfmSummary } from './rfm';

const WEEKS_PER_YEAR = 52;

/**
 * Discounted expected purchases over the next `horizonWeeks` weeks of a customer with
 * history (x, t_x, T):
 *
 * Σₖ₌₁..H [E(k) − E(k−1)] / (1 + d)^(k/52), E(k) = E[Y(k) | x, t_x, T] (BG/NBD, FHL 2005 eq. 10)
 *
 * Purchases expected in week k are the difference of the cumulative conditional expectation
 * at k and k−1 weeks, and are discounted to today at the annual rate d compounded to the end
 * of that week. This is the discrete scheme of the lifetimes package's
 * `customer_lifetime_value` (there with monthly steps and a monthly rate), here in weeks with
 * an annual rate.
 */
export function discountedExpectedPurchases(
  params: BgNbdParams,
  x: number,
  tx: number,
  T: number,
  horizonWeeks: number,
  annualDiscountRate: number,
): number {
  let total = 0;
  let previous = 0;
  for (let k = 1; k <= horizonWeeks; k++) {
    const cumulative = conditionalExpectedPurchases(params, k, x, tx, T);
    total += (cumulative - previous) / (1 + annualDiscountRate) ** (k / WEEKS_PER_YEAR);
    previous = cumulative;
  }
  return total;
}

export interface ClvOptions {
  /** @default 52 */
  horizonWeeks?: number;
  /** 0.10 = 10 % a year. @default 0.1 */
  annualDiscountRate?: number;
  /** Share of revenue kept as gross profit, in (0, 1]. @default 1 */
  grossMargin?: number;
}

/**
 * Predicted, discounted lifetime value of one customer over the horizon, in the currency of
 * the amounts:
 *
 * CLV = gross margin × E[M | x, zbar] × Σₖ₌₁..H [E(k) − E(k−1)] / (1 + d)^(k/52)
 *
 * with E[M | x, zbar] the Gamma-Gamma expected spend per purchase (Fader, Hardie & Lee 2005,
 * "RFM and CLV", eq. 5) and the sum as in discountedExpectedPurchases.
 */
export function customerLifetimeValue(
  bgnbd: BgNbdParams,
  gammaGamma: GammaGammaParams,
  customer: { x: number; tx: number; T: number; zbar: number },
  options: ClvOptions = {},
): number {
  const { horizonWeeks, annualDiscountRate, grossMargin } = clvDefaults(options);
  const spend = conditionalExpectedAverageSpend(gammaGamma, customer.x, customer.zbar);
  const purchases = discountedExpectedPurchases(
    bgnbd,
    customer.x,
    customer.tx,
    customer.T,
    horizonWeeks,
    annualDiscountRate,
  );
  return grossMargin * spend * purchases;
}

function clvDefaults(options: ClvOptions): Required<ClvOptions> {
  const horizonWeeks = options.horizonWeeks ?? 52;
  const annualDiscountRate = options.annualDiscountRate ?? 0.1;
  const grossMargin = options.grossMargin ?? 1;
  if (!(Number.isInteger(horizonWeeks) && horizonWeeks > 0)) {
    throw new ModelInputError(`horizonWeeks must be a positive whole number, got ${horizonWeeks}`);
  }
  if (!(annualDiscountRate >= 0 && annualDiscountRate < 1)) {
    throw new ModelInputError(
      `annualDiscountRate must be in [0, 1) (0.10 = 10 %), got ${annualDiscountRate}`,
    );
  }
  if (!(grossMargin > 0 && grossMargin <= 1)) {
    throw new ModelInputError(`grossMargin must be in (0, 1], got ${grossMargin}`);
  }
  return { horizonWeeks, annualDiscountRate, grossMargin };
}

/** A model metric before the engine adds unit, direction and deltas. */
export type ModelMetricValue = Pick<MetricValue, 'value' | 'reason'>;

export interface ClvModelsOptions extends ClvOptions {
  /** Last day (local calendar day number) of the calibration window, usually the period's last day. */
  calibrationEndDay: number;
  /** Length of the next report period in weeks: 1 for a week, days ÷ 7 for a month or quarter. */
  nextPeriodWeeks: number;
  /** Repeat buyers with P(alive) below this count as at risk. @default 0.5 */
  atRiskThreshold?: number;
  /** @default 10 */
  atRiskListSize?: number;
  /** Fewer repeat buyers than this and no model is fitted. @default 20 */
  minRepeatBuyers?: number;
  /** Iterations per optimiser run of each fit (fitBgNbd, fitGammaGamma). @default 500 */
  maxIterations?: number;
  /** Formats a day number as an ISO date, for the at-risk list and the reasons. */
  dayToIso: (day: number) => string;
}

export interface ClvModelsResult {
  metrics: {
    clv_bgnbd: ModelMetricValue;
    expected_purchases_next_period: ModelMetricValue;
    at_risk_customers: ModelMetricValue;
  };
  models: ModelsSummary;
  atRisk: AtRiskCustomer[];
}

/** The fit as stored in the snapshot (plain JSON, without the optimiser's message). */
const summaryOf = <P extends Record<string, number>>(
  fit: FitSummary<P> & { iterations: number },
): FitSummary<P> => ({
  params: { ...fit.params },
  logLikelihood: fit.logLikelihood,
  n: fit.n,
  converged: fit.converged,
  iterations: fit.iterations,
});

/** Predictions shared by every customer with the same (x, t_x, T); NaN until computed. */
interface TriplePredictions {
  pAlive: number;
  next: number;
  purchases: number;
}

// Day spans below 2¹⁷ days (358 years) pack a whole-day (x, t_x, T) or (x, T) into one exact
// number key (x ≤ T and t_x ≤ T in days, so the key stays below 2⁵¹); longer spans, which no
// real export has, fall back to a string key.
const SPAN = 2 ** 17;

/**
 * The BG/NBD predictions of one run for customers summarised in whole days, memoised:
 * customers with the same (x, t_x days, T days) share every prediction, and the expectation
 * as if alive, E[Y(t) | alive, x, T] — the hyp2f1 evaluations that dominate the cost — does
 * not depend on t_x, so it is computed once per (x, T) for each week of the horizon and for
 * the next period. Every value is the same, bit for bit, as the plain functions give
 * (probabilityAlive, conditionalExpectedPurchases, discountedExpectedPurchases): the same
 * operations on the same operands in the same order, only not repeated.
 *
 * The summaries must come from `RfmSummaries.summarize(calibrationEndDay)` with the same
 * calibration end: the keys are built from their purchase days, the values from their
 * t_x and T in weeks. Options are taken as given; runClvModels validates them.
 */
export class BgNbdPredictions {
  private readonly params: BgNbdParams;
  private readonly calibrationEndDay: number;
  private readonly horizonWeeks: number;
  private readonly nextPeriodWeeks: number;
  /** (1 + d)^(k/52) for k = 1..H at index k − 1. */
  private readonly discounts: Float64Array;
  private readonly triples = new Map<number | string, TriplePredictions>();
  /** Per (x, T): E[Y(k) | alive, x, T] for k = 1..H at index k − 1. */
  private readonly curves = new Map<number | string, Float64Array>();
  /** Per (x, T): E[Y(next period) | alive, x, T]. */
  private readonly nextIfAlive = new Map<number | string, number>();

  constructor(
    params: BgNbdParams,
    options: {
      calibrationEndDay: number;
      horizonWeeks: number;
      annualDiscountRate: number;
      nextPeriodWeeks: number;
    },
  ) {
    this.params = params;
    this.calibrationEndDay = options.calibrationEndDay;
    this.horizonWeeks = options.horizonWeeks;
    this.nextPeriodWeeks = options.nextPeriodWeeks;
    this.discounts = new Float64Array(options.horizonWeeks);
    for (let k = 1; k <= options.horizonWeeks; k++) {
      this.discounts[k - 1] = (1 + options.annualDiscountRate) ** (k / WEEKS_PER_YEAR);
    }
  }

  /** P(alive) of the customer (probabilityAlive). */
  probabilityAlive(c: RfmSummary): number {
    const t = this.triple(c);
    if (Number.isNaN(t.pAlive)) t.pAlive = probabilityAlive(this.params, c.x, c.tx, c.T);
    return t.pAlive;
  }

  /** E[Y(next period) | x, t_x, T] (conditionalExpectedPurchases over nextPeriodWeeks). */
  expectedNextPeriod(c: RfmSummary): number {
    const t = this.triple(c);
    if (Number.isNaN(t.next)) {
      const alive = this.probabilityAlive(c);
      t.next = alive === 0 ? 0 : alive * this.nextIfAliveOf(c);
    }
    return t.next;
  }

  /** The discounted expected purchases over the horizon (discountedExpectedPurchases). */
  discountedPurchases(c: RfmSummary): number {
    const t = this.triple(c);
    if (Number.isNaN(t.purchases)) {
      const alive = this.probabilityAlive(c);
      const curve = this.curveOf(c);
      // As discountedExpectedPurchases, with E(k) = P(alive) × E(k | alive) as in
      // conditionalExpectedPurchases.
      let total = 0;
      let previous = 0;
      for (let k = 0; k < this.horizonWeeks; k++) {
        const cumulative = alive === 0 ? 0 : alive * (curve[k] as number);
        total += (cumulative - previous) / (this.discounts[k] as number);
        previous = cumulative;
      }
      t.purchases = total;
    }
    return t.purchases;
  }

  private triple(c: RfmSummary): TriplePredictions {
    const first = c.firstPurchaseDay;
    const tDays = this.calibrationEndDay - first;
    const key =
      tDays < SPAN
        ? (c.x * SPAN + (c.lastPurchaseDay - first)) * SPAN + tDays
        : `${c.x}|${c.lastPurchaseDay - first}|${tDays}`;
    let t = this.triples.get(key);
    if (t === undefined) {
      t = { pAlive: Number.NaN, next: Number.NaN, purchases: Number.NaN };
      this.triples.set(key, t);
    }
    return t;
  }

  private pairKey(c: RfmSummary): number | string {
    const tDays = this.calibrationEndDay - c.firstPurchaseDay;
    return tDays < SPAN ? c.x * SPAN + tDays : `${c.x}|${tDays}`;
  }

  private curveOf(c: RfmSummary): Float64Array {
    const key = this.pairKey(c);
    let curve = this.curves.get(key);
    if (curve === undefined) {
      curve = new Float64Array(this.horizonWeeks);
      for (let k = 1; k <= this.horizonWeeks; k++) {
        curve[k - 1] = expectedPurchasesIfAlive(this.params, k, c.x, c.T);
      }
      this.curves.set(key, curve);
    }
    return curve;
  }

  private nextIfAliveOf(c: RfmSummary): number {
    const key = this.pairKey(c);
    let v = this.nextIfAlive.get(key);
    if (v === undefined) {
      v = expectedPurchasesIfAlive(this.params, this.nextPeriodWeeks, c.x, c.T);
      this.nextIfAlive.set(key, v);
    }
    return v;
  }
}

const describe = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Fits BG/NBD and Gamma-Gamma on the customers' history up to `calibrationEndDay` and
 * computes the model metrics:
 * - `clv_bgnbd`: mean predicted CLV (customerLifetimeValue) over every customer with a
 *   purchase on or before the calibration end;
 * - `expected_purchases_next_period`: Σ over those customers of E[Y(next period) | x, t_x, T];
 * - `at_risk_customers`: repeat buyers (x > 0) with P(alive) below the threshold;
 * - `atRisk`: those customers, most expected value lost first, where expected value lost =
 *   historic value × (1 − P(alive)); ids and figures only.
 *
 * A metric is null with a plain-English reason when there are no purchases, fewer than
 * `minRepeatBuyers` repeat buyers, or a fit that did not converge — a number from an
 * unconverged fit is never published. Gamma-Gamma failing only nulls `clv_bgnbd`.
 */
export function runClvModels(acc: RfmSummaries, options: ClvModelsOptions): ClvModelsResult {
  const { horizonWeeks, annualDiscountRate, grossMargin } = clvDefaults(options);
  const {
    calibrationEndDay,
    nextPeriodWeeks,
    atRiskThreshold = 0.5,
    atRiskListSize = 10,
    minRepeatBuyers = 20,
    dayToIso,
  } = options;
  const fitOptions =
    options.maxIterations === undefined ? {} : { maxIterations: options.maxIterations };
  if (!(Number.isFinite(nextPeriodWeeks) && nextPeriodWeeks > 0)) {
    throw new ModelInputError(`nextPeriodWeeks must be a positive number, got ${nextPeriodWeeks}`);
  }
  if (!(atRiskThreshold > 0 && atRiskThreshold < 1)) {
    throw new ModelInputError(`atRiskThreshold must be in (0, 1), got ${atRiskThreshold}`);
  }
  if (!(Number.isInteger(atRiskListSize) && atRiskListSize >= 0)) {
    throw new ModelInputError(`atRiskListSize must be a whole number ≥ 0, got ${atRiskListSize}`);
  }

  const endIso = dayToIso(calibrationEndDay);
  const refuse = (reason: string, models: ModelsSummary): ClvModelsResult => ({
    metrics: {
      clv_bgnbd: { value: null, reason },
      expected_purchases_next_period: { value: null, reason },
      at_risk_customers: { value: null, reason },
    },
    models: { ...models, reason },
    atRisk: [],
  });

  const customers = acc.summarize(calibrationEndDay);
  if (customers.length === 0) {
    return refuse(`no orders with a positive amount on or before ${endIso}`, {
      bgnbd: null,
      gammaGamma: null,
    });
  }
  const repeatBuyers = customers.reduce((n, c) => n + (c.x > 0 ? 1 : 0), 0);
  if (repeatBuyers < minRepeatBuyers) {
    return refuse(
      `only ${repeatBuyers} of ${customers.length} customers bought again on a later day by ${endIso}; ` +
        `the BG/NBD model needs at least ${minRepeatBuyers} repeat buyers to be fitted reliably`,
      { bgnbd: null, gammaGamma: null },
    );
  }

  const bgFit = fitBgNbd(customers, fitOptions);
  const bgnbd = summaryOf(bgFit);
  if (!bgFit.converged) {
    return refuse(
      `the BG/NBD model fit did not converge (${bgFit.message} after ${bgFit.iterations} iterations), ` +
        'so no model-based figures are published',
      { bgnbd, gammaGamma: null },
    );
  }
  const bg = bgFit.params;

  const predictions = new BgNbdPredictions(bg, {
    calibrationEndDay,
    horizonWeeks,
    annualDiscountRate,
    nextPeriodWeeks,
  });
  let expectedNext = 0;
  let atRiskCount = 0;
  const atRiskAll: AtRiskCustomer[] = [];
  try {
    for (const c of customers) {
      expectedNext += predictions.expectedNextPeriod(c);
      if (c.x === 0) continue;
      const pAlive = predictions.probabilityAlive(c);
      if (pAlive >= atRiskThreshold) continue;
      atRiskCount++;
      atRiskAll.push({
        customerId: c.customerId,
        pAlive,
        historicValue: c.historicValue,
        expectedValueLost: c.historicValue * (1 - pAlive),
        lastPurchase: dayToIso(c.lastPurchaseDay),
      });
    }
  } catch (err) {
    if (!(err instanceof ModelError)) throw err;
    return refuse(`the BG/NBD predictions could not be computed: ${describe(err)}`, {
      bgnbd,
      gammaGamma: null,
    });
  }
  atRiskAll.sort(
    (u, v) =>
      v.expectedValueLost - u.expectedValueLost ||
      (u.customerId < v.customerId ? -1 : u.customerId > v.customerId ? 1 : 0),
  );
  const atRisk = atRiskAll.slice(0, atRiskListSize);

  const clv = clvMetric(customers, predictions, grossMargin, fitOptions);
  return {
    metrics: {
      clv_bgnbd: clv.metric,
      expected_purchases_next_period: { value: expectedNext },
      at_risk_customers: { value: atRiskCount },
    },
    models: clv.metric.reason
      ? { bgnbd, gammaGamma: clv.gammaGamma, reason: clv.metric.reason }
      : { bgnbd, gammaGamma: clv.gammaGamma },
    atRisk,
  };
}

function clvMetric(
  customers: readonly RfmSummary[],
  predictions: BgNbdPredictions,
  grossMargin: number,
  fitOptions: { maxIterations?: number },
): { metric: ModelMetricValue; gammaGamma: ModelsSummary['gammaGamma'] } {
  let ggFit: ReturnType<typeof fitGammaGamma>;
  try {
    ggFit = fitGammaGamma(customers, fitOptions);
  } catch (err) {
    if (!(err instanceof ModelError)) throw err;
    return {
      metric: {
        value: null,
        reason: `the Gamma-Gamma spend model cannot be fitted: ${describe(err)}`,
      },
      gammaGamma: null,
    };
  }
  const gammaGamma = summaryOf(ggFit);
  if (!ggFit.converged) {
    return {
      metric: {
        value: null,
        reason:
          `the Gamma-Gamma spend model fit did not converge (${ggFit.message} after ` +
          `${ggFit.iterations} iterations), so no model CLV is published`,
      },
      gammaGamma,
    };
  }
  const gg = ggFit.params;
  if (!(gg.q > 1)) {
    return {
      metric: {
        value: null,
        reason:
          `the Gamma-Gamma spend model has q = ${gg.q.toFixed(3)} ≤ 1, which implies an infinite ` +
          'mean spend per purchase (spend is too heavy-tailed for the model), so no model CLV is published',
      },
      gammaGamma,
    };
  }
  let total = 0;
  try {
    for (const c of customers) {
      const purchases = predictions.discountedPurchases(c);
      total += grossMargin * conditionalExpectedAverageSpend(gg, c.x, c.zbar) * purchases;
    }
  } catch (err) {
    if (!(err instanceof ModelError)) throw err;
    return {
      metric: { value: null, reason: `the model CLV could not be computed: ${describe(err)}` },
      gammaGamma,
    };
  }
  return { metric: { value: total / customers.length }, gammaGamma };
}
