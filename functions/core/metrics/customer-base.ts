/**
 * The customer base (METRICS.md "Customer base"): who is active at each period boundary,
 * their MRR there, and when each customer was first activated.
 *
 * State is per customer, never per row: for every boundary of the plan (the requested
 * periods and the trailing periods of `clv_predictive`) one activity flag and one MRR sum.
 * So the churn of any of those periods is available at result time without a second pass.
 */
import type { OrderRow, SubscriptionRow } from '../datasets/rows';
import { addLocalDays } from '../time/periods';
import { type BoundaryPair, lowerBound, type PeriodPlan, upperBound } from './plan';

export type ActivityMode = 'subscriptions' | 'orders';

/** Counts of one period [start, end) of the customer base. */
export interface BaseCounts {
  /** S: active at start. */
  start: number;
  /** E: active at end. */
  end: number;
  /** Active at start and not at end. */
  churned: number;
  /** Active at start and at end. */
  retained: number;
  mrrStart: number;
  mrrEnd: number;
  /** MRR at start of the churned customers. */
  mrrChurned: number;
  /** MRR at end of the customers active at start (`net_revenue_retention`). */
  mrrEndOfStartCohort: number;
}

export class CustomerBase {
  readonly mode: ActivityMode;
  /** Rows fed (subscriptions, or orders with a positive amount). */
  rows = 0;
  /** Whether any subscription row had an `mrr` value. */
  hasMrr = false;
  private readonly boundaries: Float64Array;
  /** Orders mode: boundary k counts orders at or after windowStart[k] (and before boundary k). */
  private readonly windowStart: Float64Array;
  private readonly k: number;
  private readonly index = new Map<string, number>();
  private readonly customerIds: string[] = [];
  private capacity = 256;
  private active: Uint8Array;
  private mrr: Float64Array;
  private acquired: Float64Array;

  constructor(plan: PeriodPlan, mode: ActivityMode, activeWindowDays: number) {
    this.mode = mode;
    this.boundaries = plan.boundaries;
    this.k = plan.boundaries.length;
    // "t − 90 days" is calendar days in the report's zone: the local midnight 90 days before
    // the boundary, not 90 × 24 h (they differ by an hour across a DST change).
    this.windowStart = this.boundaries.map((b) =>
      addLocalDays(b, -activeWindowDays, plan.timezone),
    );
    this.active = new Uint8Array(this.capacity * this.k);
    this.mrr = new Float64Array(mode === 'subscriptions' ? this.capacity * this.k : 0);
    this.acquired = new Float64Array(this.capacity).fill(Number.POSITIVE_INFINITY);
  }

  private customer(id: string): number {
    let c = this.index.get(id);
    if (c !== undefined) return c;
    c = this.customerIds.length;
    if (c === this.capacity) this.grow();
    this.index.set(id, c);
    this.customerIds.push(id);
    return c;
  }

  private grow(): void {
    const capacity = this.capacity * 2;
    const active = new Uint8Array(capacity * this.k);
    active.set(this.active);
    this.active = active;
    if (this.mrr.length > 0) {
      const mrr = new Float64Array(capacity * this.k);
      mrr.set(this.mrr);
      this.mrr = mrr;
    }
    const acquired = new Float64Array(capacity).fill(Number.POSITIVE_INFINITY);
    acquired.set(this.acquired);
    this.acquired = acquired;
    this.capacity = capacity;
  }

  /**
   * A subscription covers [started_at, ended_at): active at boundary b when
   * started_at ≤ b < ended_at, so a subscription starting exactly at a period's start is
   * active at that start, and one ending exactly at its end is not active at that end.
   */
  addSubscription(row: SubscriptionRow): void {
    const ended = row.ended_at ?? Number.POSITIVE_INFINITY;
    // A subscription that ends where it starts covers no instant: it activates nobody.
    if (!(ended > row.started_at)) return;
    this.rows++;
    const c = this.customer(row.customer_id);
    if (row.started_at < (this.acquired[c] as number)) this.acquired[c] = row.started_at;
    // Choice: a subscription without an mrr value contributes 0 to MRR (it still activates).
    const mrr = row.mrr ?? 0;
    if (row.mrr !== undefined) this.hasMrr = true;
    const base = c * this.k;
    for (let k = lowerBound(this.boundaries, row.started_at); k < this.k; k++) {
      if ((this.boundaries[k] as number) >= ended) break;
      this.active[base + k] = 1;
      this.mrr[base + k] = (this.mrr[base + k] as number) + mrr;
    }
  }

  /**
   * Orders mode: active at boundary b when a positive order lies in [b − window, b). A
   * refund (amount ≤ 0) is not an order: it neither activates nor acquires a customer.
   */
  addOrder(row: OrderRow): void {
    if (!(row.amount > 0)) return;
    this.rows++;
    const t = row.ordered_at;
    const c = this.customer(row.customer_id);
    if (t < (this.acquired[c] as number)) this.acquired[c] = t;
    const base = c * this.k;
    for (let k = upperBound(this.boundaries, t); k < this.k; k++) {
      if ((this.windowStart[k] as number) > t) break;
      this.active[base + k] = 1;
    }
  }

  /**
   * Start and end counts of one period. A customer who leaves and comes back inside the
   * period is active at both ends, so not churned; one who churned earlier and returns in
   * the period is active at the end (and not new: acquisition is their first activation).
   */
  counts(pair: BoundaryPair): BaseCounts {
    const { startK, endK } = pair;
    const out: BaseCounts = {
      start: 0,
      end: 0,
      churned: 0,
      retained: 0,
      mrrStart: 0,
      mrrEnd: 0,
      mrrChurned: 0,
      mrrEndOfStartCohort: 0,
    };
    const withMrr = this.mrr.length > 0;
    const n = this.customerIds.length;
    for (let c = 0; c < n; c++) {
      const base = c * this.k;
      const atStart = this.active[base + startK] === 1;
      const atEnd = this.active[base + endK] === 1;
      const mrrStart = withMrr ? (this.mrr[base + startK] as number) : 0;
      const mrrEnd = withMrr ? (this.mrr[base + endK] as number) : 0;
      if (atStart) out.start++;
      if (atEnd) out.end++;
      out.mrrStart += mrrStart;
      out.mrrEnd += mrrEnd;
      if (atStart) {
        out.mrrEndOfStartCohort += mrrEnd;
        if (atEnd) out.retained++;
        else {
          out.churned++;
          out.mrrChurned += mrrStart;
        }
      }
    }
    return out;
  }

  /** Ids of the customers whose acquisition time (first activation, all history) is in [start, end). */
  acquiredIn(start: number, end: number): string[] {
    const ids: string[] = [];
    for (let c = 0; c < this.customerIds.length; c++) {
      const t = this.acquired[c] as number;
      if (t >= start && t < end) ids.push(this.customerIds[c] as string);
    }
    return ids;
  }
}
