/** Marketing spend per period, in total and per channel, for `cac`. */
import type { MarketingSpendRow } from '../datasets/rows';
import type { PeriodPlan } from './plan';

export interface SpendPeriod {
  total: number;
  byChannel: Map<string, number>;
}

export class MarketingSpend {
  rows = 0;
  private readonly plan: PeriodPlan;
  private readonly spend: SpendPeriod[];

  constructor(plan: PeriodPlan) {
    this.plan = plan;
    this.spend = plan.periods.map(() => ({ total: 0, byChannel: new Map<string, number>() }));
  }

  add(row: MarketingSpendRow): void {
    this.rows++;
    const p = this.plan.locate(row.date);
    if (p < 0) return;
    const s = this.spend[p] as SpendPeriod;
    s.total += row.amount;
    s.byChannel.set(row.channel, (s.byChannel.get(row.channel) ?? 0) + row.amount);
  }

  period(i: number): SpendPeriod {
    return this.spend[i] as SpendPeriod;
  }
}
