/**
 * Everything the accumulators need to route a row in O(log n) without a time-zone call:
 * the requested periods sorted by start, every period boundary the customer base must know
 * (including the trailing periods of `clv_predictive`), and a grid of local days covering
 * the periods and their MAU windows. All boundaries are computed once, here, with the zone
 * helpers; a row only ever meets sorted arrays of instants.
 */
import { clvPeriodDefaults, type PeriodKind, type ReportConfig } from '../config';
import {
  addLocalDays,
  localDayNumber,
  type Period,
  shiftPeriod,
  startOfLocalDayNumber,
} from '../time/periods';

export class EngineError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EngineError';
  }
}

/** MAU counts users over the 30 calendar days ending with the period (METRICS.md). */
export const MAU_WINDOW_DAYS = 30;
/** `first_week_engagement`: the first week is 7 calendar days, onboarding within 7 × 24 h. */
export const FIRST_WEEK_DAYS = 7;

/** First index i with a[i] > x (a sorted ascending); a.length when none. */
export function upperBound(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((a[mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index i with a[i] ≥ x (a sorted ascending); a.length when none. */
export function lowerBound(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((a[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A period known by the indexes of its two boundaries in `PeriodPlan.boundaries`. */
export interface BoundaryPair {
  readonly start: number;
  readonly end: number;
  readonly startK: number;
  readonly endK: number;
}

/** Per requested period: its local days and its MAU window as indexes into the day grid. */
export interface DayRanges {
  /** Days of the period: [lo, hi). */
  readonly lo: number;
  readonly hi: number;
  /**
   * How many of those days exist: a date the zone skips (Pacific/Apia left out
   * 30 Dec 2011) is a day of no length in the grid, and no day of the period.
   */
  readonly count: number;
  /** The 30 days ending with the period: [mauLo, mauHi). */
  readonly mauLo: number;
  readonly mauHi: number;
}

export class PeriodPlan {
  readonly timezone: string;
  readonly kind: PeriodKind;
  /** Requested periods sorted by start; index i is "period i" for every accumulator. */
  readonly periods: readonly Period[];
  /** `periods[i]` is the caller's `inputIndex[i]`-th period. */
  readonly inputIndex: readonly number[];
  readonly starts: Float64Array;
  readonly ends: Float64Array;
  /** Every instant at which the customer base is evaluated, sorted, unique. */
  readonly boundaries: Float64Array;
  /** Per requested period: its own boundary pair. */
  readonly own: readonly BoundaryPair[];
  /** Per requested period: the trailing periods of `clv_predictive`, ending with it. */
  readonly trailing: readonly (readonly BoundaryPair[])[];
  readonly maxLifetimePeriods: number;
  /** Local-midnight instants: day d of the grid is [dayStarts[d], dayStarts[d + 1]). */
  readonly dayStarts: Float64Array;
  /** Requested period holding each grid day, −1 for none (days only in a MAU window). */
  readonly dayPeriod: Int32Array;
  readonly days: readonly DayRanges[];
  /** `first_week_engagement` cohort per period: created_at in [start − 7 d, end − 7 d). */
  readonly firstWeek: readonly { readonly start: number; readonly end: number }[];

  constructor(requested: readonly Period[], config: ReportConfig) {
    if (requested.length === 0) throw new EngineError('no period to compute: pass at least one');
    const first = requested[0] as Period;
    const tz = first.timezone;
    this.timezone = tz;
    this.kind = first.kind;
    for (const p of requested) {
      if (p.timezone !== tz || p.kind !== first.kind) {
        throw new EngineError(
          `periods must share one kind and time zone: "${first.key}" is a ${first.kind} in ${tz}, "${p.key}" a ${p.kind} in ${p.timezone}`,
        );
      }
    }
    if (tz !== config.timezone) {
      throw new EngineError(
        `period "${first.key}" is in ${tz} but the report's time zone is ${config.timezone}`,
      );
    }
    const startOf = (i: number) => (requested[i] as Period).start;
    const order = requested.map((_, i) => i).sort((a, b) => startOf(a) - startOf(b));
    this.inputIndex = order;
    this.periods = order.map((i) => requested[i] as Period);
    for (let i = 1; i < this.periods.length; i++) {
      const prev = this.periods[i - 1] as Period;
      const cur = this.periods[i] as Period;
      if (cur.start < prev.end) {
        throw new EngineError(`periods "${prev.key}" and "${cur.key}" overlap or repeat`);
      }
    }
    this.starts = Float64Array.from(this.periods, (p) => p.start);
    this.ends = Float64Array.from(this.periods, (p) => p.end);

    const clv = clvPeriodDefaults({ ...config, period: this.kind });
    this.maxLifetimePeriods = clv.maxLifetimePeriods;
    const trailingPeriods = this.periods.map((p) =>
      Array.from({ length: clv.trailingPeriods }, (_, j) => (j === 0 ? p : shiftPeriod(p, -j))),
    );
    const instants = new Set<number>();
    for (const list of trailingPeriods) {
      for (const p of list) {
        instants.add(p.start);
        instants.add(p.end);
      }
    }
    this.boundaries = Float64Array.from([...instants].sort((a, b) => a - b));
    const pair = (p: Period): BoundaryPair => ({
      start: p.start,
      end: p.end,
      startK: lowerBound(this.boundaries, p.start),
      endK: lowerBound(this.boundaries, p.end),
    });
    this.own = this.periods.map(pair);
    this.trailing = trailingPeriods.map((list) => list.map(pair));

    // The day grid spans every requested period and every MAU window.
    const dayOf = (t: number) => localDayNumber(t, tz);
    let gridFirst = Number.POSITIVE_INFINITY;
    let gridEnd = Number.NEGATIVE_INFINITY;
    for (const p of this.periods) {
      gridFirst = Math.min(gridFirst, dayOf(p.start), dayOf(p.end) - MAU_WINDOW_DAYS);
      gridEnd = Math.max(gridEnd, dayOf(p.end));
    }
    const n = gridEnd - gridFirst;
    this.dayStarts = new Float64Array(n + 1);
    for (let d = 0; d <= n; d++) this.dayStarts[d] = startOfLocalDayNumber(gridFirst + d, tz);
    this.dayPeriod = new Int32Array(n).fill(-1);
    this.days = this.periods.map((p, i) => {
      const lo = dayOf(p.start) - gridFirst;
      const hi = dayOf(p.end) - gridFirst;
      this.dayPeriod.fill(i, lo, hi);
      let count = 0;
      for (let d = lo; d < hi; d++) {
        if ((this.dayStarts[d + 1] as number) > (this.dayStarts[d] as number)) count++;
      }
      return { lo, hi, count, mauLo: hi - MAU_WINDOW_DAYS, mauHi: hi };
    });
    this.firstWeek = this.periods.map((p) => ({
      start: addLocalDays(p.start, -FIRST_WEEK_DAYS, tz),
      end: addLocalDays(p.end, -FIRST_WEEK_DAYS, tz),
    }));
  }

  get size(): number {
    return this.periods.length;
  }

  /** Index of the requested period holding instant t, or −1. */
  locate(t: number): number {
    const i = upperBound(this.starts, t) - 1;
    return i >= 0 && t < (this.ends[i] as number) ? i : -1;
  }

  /**
   * Index of the first requested period whose end is after t (the periods for which t lies
   * "before the end"), or `size` when t is at or after every end.
   */
  firstEndAfter(t: number): number {
    return upperBound(this.ends, t);
  }
}
