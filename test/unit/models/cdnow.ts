/**
 * The CDNOW sample (test/fixtures/cdnow/CDNOW_sample.txt): purchases of 2,357 customers who
 * first bought at CDNOW in Q1 1997, followed to 1998-06-30; the data set of the published
 * BG/NBD and Gamma-Gamma fits (Fader, Hardie & Lee 2005; Fader & Hardie 2013), copied from
 * the lifetimes repository (lifetimes/datasets/). Lines: master id, sample id, YYYYMMDD,
 * number of CDs, dollar amount, separated by runs of spaces, CRLF line ends.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { OrderRow } from '../../../functions/core/datasets/rows';

const FIXTURE = fileURLToPath(new URL('../../fixtures/cdnow/CDNOW_sample.txt', import.meta.url));

export const DAY_MS = 86_400_000;

/** Days since 1970-01-01 of a `YYYYMMDD` date. */
export const dayOf = (yyyymmdd: string): number =>
  Date.UTC(
    Number(yyyymmdd.slice(0, 4)),
    Number(yyyymmdd.slice(4, 6)) - 1,
    Number(yyyymmdd.slice(6, 8)),
  ) / DAY_MS;

/** The calibration end of every published figure: 1997-09-30, the 39th week. */
export const CALIBRATION_END_DAY = dayOf('19970930');
/** The end of the holdout: 1998-06-30, week 78. */
export const HOLDOUT_END_DAY = dayOf('19980630');

/** Each line as an `orders` row: ordered at UTC midnight of its date, id = line number. */
export function cdnowOrders(): OrderRow[] {
  const rows: OrderRow[] = [];
  const lines = readFileSync(FIXTURE, 'utf8').split(/\r?\n/);
  lines.forEach((line, i) => {
    const fields = line.trim().split(/\s+/);
    if (fields.length !== 5) return;
    const [, sampleId, date, , amount] = fields as [string, string, string, string, string];
    rows.push({
      order_id: `line-${i + 1}`,
      customer_id: sampleId,
      ordered_at: dayOf(date) * DAY_MS,
      amount: Number(amount),
      currency: undefined,
      status: undefined,
    });
  });
  return rows;
}
