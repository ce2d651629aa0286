/** Marketing spend per period, in total and per channel, for `cac`. */
import type { Duck } from '../duck/db';
import type { PeriodPlan } from './plan';

export interface SpendPeriod {
  /** Σ spend of every channel; exactly the sum of the `byChannel` amounts (in millionths). */
  total: number;
  /** Per channel, in the order the channels first appear in the export. */
  byChannel: Map<string, number>;
}

/**
 * Spend is summed in whole millionths of the currency unit, as MRR is (customer-base.ts,
 * METRICS.md amendment 15): each row's `amount` is rounded to 10⁻⁶ once, and every sum
 * after that (per channel in SQL, the blended total here) is of integers, which a double
 * holds exactly below 2^53 (9 × 10⁹ currency units). So 90 days of 0.10 make 9, not
 * 8.99999999999998, the blended total is the channel totals' sum exactly, and no total
 * depends on the order in which DuckDB's threads meet the rows. Kept as DOUBLE (not
 * HUGEINT) so that an absurd amount cannot overflow and fail the report; it only loses
 * exactness.
 */
const MICRO_PER_UNIT = 1_000_000;

/**
 * `cac` (numerator): per period i and channel, Σ amount of the spend rows dated in
 * [start, end), in millionths. Rows come in file order (`_file`, `_rec`), so a channel's
 * first row fixes its place in the breakdown, as the rows were read.
 */
const SPEND_SQL = `
  SELECT p.i, m.channel, sum(round(m.amount * ${MICRO_PER_UNIT}))::DOUBLE AS micro
  FROM marketing_spend m
  JOIN plan_periods p ON m.date >= p.start_ms AND m.date < p.end_ms
  GROUP BY p.i, m.channel
  ORDER BY p.i, min({'file': m._file, 'rec': m._rec})`;

type SpendGroup = { i: number; channel: string; micro: number };

export async function loadMarketingSpend(
  db: Duck,
  plan: PeriodPlan,
): Promise<{ period(i: number): SpendPeriod }> {
  const totalMicro = new Array<number>(plan.size).fill(0);
  const byChannel = plan.periods.map(() => new Map<string, number>());
  for (const g of await db.all<SpendGroup>(SPEND_SQL)) {
    totalMicro[g.i] = (totalMicro[g.i] as number) + g.micro;
    // Millionths back to currency units: one correctly rounded division per sum.
    (byChannel[g.i] as Map<string, number>).set(g.channel, g.micro / MICRO_PER_UNIT);
  }
  const spend = plan.periods.map(
    (_, i): SpendPeriod => ({
      total: (totalMicro[i] as number) / MICRO_PER_UNIT,
      byChannel: byChannel[i] as Map<string, number>,
    }),
  );
  return { period: (i) => spend[i] as SpendPeriod };
}
