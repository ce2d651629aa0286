/** Marketing spend per period, in total and per channel, for `cac`. */
import type { Duck } from '../duck/db';
import type { PeriodPlan } from './plan';

export interface SpendPeriod {
  total: number;
  /** Per channel, in the order the channels first appear in the export. */
  byChannel: Map<string, number>;
}

/**
 * `cac` (numerator): per period i and channel, Σ amount of the spend rows dated in
 * [start, end). Rows come in file order (`_file`, `_rec`), so a channel's first row fixes its
 * place in the breakdown, as the rows were read.
 */
const SPEND_SQL = `
  SELECT p.i, m.channel, sum(m.amount) AS amount
  FROM marketing_spend m
  JOIN plan_periods p ON m.date >= p.start_ms AND m.date < p.end_ms
  GROUP BY p.i, m.channel
  ORDER BY p.i, min({'file': m._file, 'rec': m._rec})`;

type SpendGroup = { i: number; channel: string; amount: number };

export async function loadMarketingSpend(
  db: Duck,
  plan: PeriodPlan,
): Promise<{ period(i: number): SpendPeriod }> {
  const spend = plan.periods.map((): SpendPeriod => ({ total: 0, byChannel: new Map() }));
  for (const g of await db.all<SpendGroup>(SPEND_SQL)) {
    const s = spend[g.i] as SpendPeriod;
    s.total += g.amount;
    s.byChannel.set(g.channel, g.amount);
  }
  return { period: (i) => spend[i] as SpendPeriod };
}
