/**
 * Two readers of one CSV file must agree: DuckDB's CSV reader (with the SQL rules and the
 * second look at rows it marks) and csv.ts, the exact JavaScript scanner the load falls back
 * to. A header with a tab after a closing quote sends a file to csv.ts alone (DuckDB would
 * read no row after it), so the same rows under the two headers must give the same rows,
 * lines and reasons. The rows are seeded random mixes of what exports get wrong: quotes,
 * blanks around them, commas, doubled quotes and line breaks inside cells, bad dates and
 * numbers, fields too many or too few. Three files in four hold only cells DuckDB splits
 * as csv.ts does (`MILD`): with this seed 30 of the 40 files are read by DuckDB, with
 * csv.ts looking only at the rows the rules mark, so their rows are DuckDB's. The fourth
 * holds cells that make DuckDB give up or skip records (`HOSTILE`), where csv.ts decides.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../functions/core/models/simulate';
import { memoryFile, readAll } from './helpers';

/** Cells DuckDB's reader splits as csv.ts does, good and bad values alike. */
const MILD: Record<string, readonly string[]> = {
  order_id: ['o1', 'o2', 'o3', ' o4 ', '"o5"', ' "o6" ', '"o,7"', '"o""8"', '', '"o\n9"'],
  customer_id: ['c1', 'c2', '"c3"', ' c4', '"c 5" ', '"c,6"', ''],
  ordered_at: [
    '2026-11-02T10:00:00Z',
    '2026-11-02',
    '"2026-11-02 10:00"',
    ' 2026-11-02T10:00:00+01:00 ',
    'never',
    '2026-02-30',
    '',
  ],
  amount: ['12.50', '-3', '"1,5"', ' "7.00" ', '1e3', 'abc', '0', '"2.5"  ', ''],
  currency: ['EUR', 'eur', 'USD', '"EUR"', ''],
  status: ['paid', '"failed"', 'Declined', '"a ""quoted"" note"', '', '"two\nlines"'],
};
/** Cells that make DuckDB's reader give up or skip records: csv.ts then decides. */
const HOSTILE: Record<string, readonly string[]> = {
  order_id: ['o"10', '"o11"x'],
  customer_id: ['  "c6"', '\t"c7"'],
  ordered_at: ['"2026-11-02"\t', '"2026-11-02'],
  amount: ['"2.5"x'],
  currency: ['"EUR"\t'],
  status: ['"two\r\nlines"', 'a\rb'],
};
const NAMES = Object.keys(MILD);

function randomFile(random: () => number, rows: number, hostile: boolean): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const lines: string[] = [];
  for (let r = 0; r < rows; r++) {
    let cells = NAMES.map((name) =>
      pick((hostile && random() < 0.1 ? HOSTILE : MILD)[name] as readonly string[]),
    );
    // Now and then a field too many or too few.
    const shape = random();
    if (shape < 0.03) cells = [...cells, 'extra'];
    else if (shape < 0.06) cells = cells.slice(0, -1);
    lines.push(cells.join(','));
  }
  return `${lines.join('\n')}\n`;
}

describe('the CSV readers agree', () => {
  it('gives the same rows, lines and reasons from DuckDB and from csv.ts alone', async () => {
    const random = mulberry32(20261204);
    let compared = 0;
    let rejected = 0;
    for (let f = 0; f < 40; f++) {
      const body = randomFile(random, 25, f % 4 === 3);
      const duck = await readAll(memoryFile('orders', 'o.csv', `${NAMES.join(',')}\n${body}`));
      const tabbed = [...NAMES.slice(0, -1), `"${NAMES.at(-1)}"\t`].join(',');
      const scanner = await readAll(memoryFile('orders', 'o.csv', `${tabbed}\n${body}`));

      const view = (result: typeof duck) => ({
        rows: result.rows.map((r) => [r.line, r.row]),
        rejects: result.rejects.map((r) => [r.line, r.column, r.reason]),
      });
      expect([f, view(duck)]).toEqual([f, view(scanner)]);
      compared += duck.rows.length + duck.rejects.length;
      rejected += duck.rejects.length;
    }
    // The mix is hostile enough to reject rows, and mild enough to keep some.
    expect(rejected).toBeGreaterThan(100);
    expect(compared - rejected).toBeGreaterThan(50);
  });
});
