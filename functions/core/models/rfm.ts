/**
 * The recency–frequency–monetary summary the customer-base models are fitted on, built in
 * one streaming pass over order rows that may arrive in any order across files.
 */
import { ModelInputError } from './errors';

/** One customer's calibration summary, times in weeks (whole days ÷ 7). */
export interface RfmSummary {
  customerId: string;
  /** Repeat purchases: purchase days − 1. */
  x: number;
  /** Recency t_x: last − first purchase day, in weeks. */
  tx: number;
  /** Age T: calibration end − first purchase day, in weeks. */
  T: number;
  /** Mean net amount of the repeat purchase days (first day excluded); 0 when x = 0. May be 0
   *  for a repeat buyer whose repeat purchases were all free (zero-amount orders). */
  zbar: number;
  /** Net total of every amount (refunds included) on days up to the calibration end. */
  historicValue: number;
  firstPurchaseDay: number;
  lastPurchaseDay: number;
}

// A day's net at or below a millionth of a major unit is treated as zero: no currency has a
// minor unit that small, and it absorbs floating-point residue such as 10.1 + 5.2 − 15.3.
const ZERO_NET = 1e-6;

interface CustomerDays {
  /** Day numbers, unsorted until compacted. */
  days: number[];
  /** Net amount (orders plus refunds) of the day at the same index. */
  amounts: number[];
  /** Whether the day at the same index has a refund (a negative amount): 1 or 0. */
  refunded: number[];
  /** Length at which the arrays are next sorted and merged. */
  compactAt: number;
}

/** Sorts a customer's (day, amount) pairs by day and merges equal days (amounts summed). */
function compact(c: CustomerDays): void {
  const n = c.days.length;
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((i, j) => (c.days[i] as number) - (c.days[j] as number));
  const days: number[] = [];
  const amounts: number[] = [];
  const refunded: number[] = [];
  for (const i of order) {
    const day = c.days[i] as number;
    const amount = c.amounts[i] as number;
    const refund = c.refunded[i] as number;
    const last = days.length - 1;
    if (last >= 0 && days[last] === day) {
      amounts[last] = (amounts[last] as number) + amount;
      refunded[last] = Math.max(refunded[last] as number, refund);
    } else {
      days.push(day);
      amounts.push(amount);
      refunded.push(refund);
    }
  }
  c.days = days;
  c.amounts = amounts;
  c.refunded = refunded;
  c.compactAt = Math.max(8, 2 * days.length);
}

/**
 * Streams order rows into per-customer purchase days, then summarises them for a
 * calibration end.
 *
 * Memory: per customer, three small arrays of (day, net amount, refund flag) — one entry per distinct order
 * day once merged. Files need not be sorted, so a customer's days cannot be reduced to
 * running first/last/count as they arrive (a later file may add an earlier day, or a refund
 * on a day already counted). Rows for the day just added are merged on the spot (sorted
 * exports cost nothing extra); otherwise the arrays are sorted and merged whenever they
 * double in length, so they stay within twice the number of distinct order days.
 *
 * Refunds (METRICS.md: a row with a negative amount; not an order) are netted into their own
 * day. A day with a refund counts as a purchase day only if its net amount is still positive:
 * a refund-only day is not a purchase, and an order fully refunded on its own day did not
 * happen. A refund on a later day lowers the historic value but not zbar, since an order row
 * does not say which earlier order a refund belongs to.
 *
 * A day of zero-amount orders and no refund (a free item) IS a purchase day, unlike the
 * `orders` metric, which counts positive amounts only: the models count transactions as
 * evidence that a customer is alive, and the CDNOW benchmark, on which every published fit
 * rests, counts its eight $0.00 purchases as transactions (dropping them moves its customer
 * count from 2,357 to 2,349). Such days enter zbar with their amount of 0.
 */
export class RfmAccumulator {
  private readonly customers = new Map<string, CustomerDays>();

  /** Number of customers seen (with any amount, on any day). */
  get size(): number {
    return this.customers.size;
  }

  /**
   * @param day local calendar day number (e.g. days since 1970-01-01 of the order's date in
   *   the report's time zone); must be an integer.
   * @param amount order amount in the report currency, negative for a refund.
   */
  add(customerId: string, day: number, amount: number): void {
    if (!Number.isInteger(day)) {
      throw new ModelInputError(`day must be an integer day number, got ${day} for ${customerId}`);
    }
    if (!Number.isFinite(amount)) {
      throw new ModelInputError(`amount must be a finite number, got ${amount} for ${customerId}`);
    }
    const refund = amount < 0 ? 1 : 0;
    const c = this.customers.get(customerId);
    if (!c) {
      this.customers.set(customerId, {
        days: [day],
        amounts: [amount],
        refunded: [refund],
        compactAt: 8,
      });
      return;
    }
    const last = c.days.length - 1;
    if (c.days[last] === day) {
      c.amounts[last] = (c.amounts[last] as number) + amount;
      c.refunded[last] = Math.max(c.refunded[last] as number, refund);
      return;
    }
    c.days.push(day);
    c.amounts.push(amount);
    c.refunded.push(refund);
    if (c.days.length >= c.compactAt) compact(c);
  }

  /**
   * One summary per customer with at least one purchase day on or before
   * `calibrationEndDay` (the last day included); later days are ignored.
   */
  summarize(calibrationEndDay: number): RfmSummary[] {
    if (!Number.isInteger(calibrationEndDay)) {
      throw new ModelInputError(`calibrationEndDay must be an integer, got ${calibrationEndDay}`);
    }
    const out: RfmSummary[] = [];
    for (const [customerId, c] of this.customers) {
      if (c.days.length > 1) compact(c);
      let first = -1;
      let last = -1;
      let purchaseDays = 0;
      let repeatSum = 0;
      let historicValue = 0;
      for (let i = 0; i < c.days.length; i++) {
        const day = c.days[i] as number;
        if (day > calibrationEndDay) break;
        const amount = c.amounts[i] as number;
        historicValue += amount;
        if (c.refunded[i] === 1 && amount <= ZERO_NET) continue;
        if (purchaseDays === 0) first = day;
        else repeatSum += amount;
        last = day;
        purchaseDays++;
      }
      if (purchaseDays === 0) continue;
      const x = purchaseDays - 1;
      out.push({
        customerId,
        x,
        tx: (last - first) / 7,
        T: (calibrationEndDay - first) / 7,
        zbar: x > 0 ? repeatSum / x : 0,
        historicValue,
        firstPurchaseDay: first,
        lastPurchaseDay: last,
      });
    }
    return out;
  }
}
