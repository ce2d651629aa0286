/**
 * Orders: `revenue`, `orders`, `aov`, `purchase_frequency` per period, and per customer the
 * net order total before each period end for `clv_historic`.
 *
 * Per-customer state: the time of the first positive order and one net sum per "bucket"
 * between consecutive period ends (bucket j holds orders in [end(j−1), end(j))), so the total
 * before end(j) is a prefix sum at result time. Orders after the last end are not kept.
 */
import type { OrderRow } from '../datasets/rows';
import type { PeriodPlan } from './plan';

export interface RevenuePeriod {
  /** Σ amount in P, refunds (negative amounts) included. */
  revenue: number;
  /** Rows with a positive amount in P. */
  orders: number;
  /** Customers with a positive order in P. */
  buyers: number;
}

export interface HistoricValue {
  /** Customers with ≥ 1 positive order before the period end. */
  customers: number;
  /** Σ of their net order totals before the period end. */
  total: number;
}

export class Revenue {
  rows = 0;
  private readonly plan: PeriodPlan;
  private readonly m: number;
  private readonly revenue: Float64Array;
  private readonly orders: Float64Array;
  private readonly buyers: Float64Array;
  private readonly index = new Map<string, number>();
  private capacity = 256;
  private count = 0;
  private firstPositive: Float64Array;
  private net: Float64Array;
  /** buyerSeen[c × m + i] = 1 once customer c is counted as a buyer of period i. */
  private buyerSeen: Uint8Array;

  constructor(plan: PeriodPlan) {
    this.plan = plan;
    this.m = plan.size;
    this.revenue = new Float64Array(this.m);
    this.orders = new Float64Array(this.m);
    this.buyers = new Float64Array(this.m);
    this.firstPositive = new Float64Array(this.capacity).fill(Number.POSITIVE_INFINITY);
    this.net = new Float64Array(this.capacity * this.m);
    this.buyerSeen = new Uint8Array(this.capacity * this.m);
  }

  private customer(id: string): number {
    let c = this.index.get(id);
    if (c !== undefined) return c;
    c = this.count++;
    if (c === this.capacity) this.grow();
    this.index.set(id, c);
    return c;
  }

  private grow(): void {
    const capacity = this.capacity * 2;
    const firstPositive = new Float64Array(capacity).fill(Number.POSITIVE_INFINITY);
    firstPositive.set(this.firstPositive);
    const net = new Float64Array(capacity * this.m);
    net.set(this.net);
    const seen = new Uint8Array(capacity * this.m);
    seen.set(this.buyerSeen);
    this.firstPositive = firstPositive;
    this.net = net;
    this.buyerSeen = seen;
    this.capacity = capacity;
  }

  add(row: OrderRow): void {
    this.rows++;
    const t = row.ordered_at;
    const bucket = this.plan.firstEndAfter(t);
    if (bucket === this.m) return; // after every period end: no metric of these periods sees it
    const c = this.customer(row.customer_id);
    const positive = row.amount > 0;
    if (positive && t < (this.firstPositive[c] as number)) this.firstPositive[c] = t;
    this.net[c * this.m + bucket] = (this.net[c * this.m + bucket] as number) + row.amount;
    const p = this.plan.locate(t);
    if (p < 0) return;
    this.revenue[p] = (this.revenue[p] as number) + row.amount;
    if (!positive) return; // a refund lowers revenue but is not an order
    this.orders[p] = (this.orders[p] as number) + 1;
    const seen = c * this.m + p;
    if (this.buyerSeen[seen] === 0) {
      this.buyerSeen[seen] = 1;
      this.buyers[p] = (this.buyers[p] as number) + 1;
    }
  }

  period(i: number): RevenuePeriod {
    return {
      revenue: this.revenue[i] as number,
      orders: this.orders[i] as number,
      buyers: this.buyers[i] as number,
    };
  }

  /**
   * `clv_historic` inputs for period i: customers with a positive order before its end, and
   * the sum of their net totals (orders minus refunds) before its end.
   */
  historic(i: number): HistoricValue {
    const end = this.plan.ends[i] as number;
    let customers = 0;
    let total = 0;
    for (let c = 0; c < this.count; c++) {
      if (!((this.firstPositive[c] as number) < end)) continue;
      customers++;
      const base = c * this.m;
      for (let j = 0; j <= i; j++) total += this.net[base + j] as number;
    }
    return { customers, total };
  }
}
