/**
 * Two readers of one JSON Lines file must agree: DuckDB's (the one-statement load, with
 * JavaScript's JSON.parse looking only at the lines it marks) and JavaScript's alone, which
 * reads every line when DuckDB's reader skipped one. One line whose ignored key holds a byte
 * that is not UTF-8 makes DuckDB skip it, so the same lines followed by that line are read
 * by JavaScript alone; the rows and rejections of the lines before it must be the same.
 * The lines are seeded random mixes of what JSON exports hold: escapes, unicode, nested
 * values in ignored keys, numbers and booleans in text columns, nulls, missing keys, and
 * what a lenient parser takes (NaN, trailing commas, a lone surrogate). With this seed all
 * 30 files are read by DuckDB with JavaScript's look agreeing, and their copies by
 * JavaScript alone; the test fails when the load stops marking what JSON does not allow
 * (`NaN` in an ignored key was a kept row to DuckDB and a rejected one to JSON.parse).
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../functions/core/models/simulate';
import { memoryFile, readAll } from './helpers';

const VALUES: Record<string, readonly string[]> = {
  user_id: ['"u1"', '"u2"', '" u3 "', '"u\\u00e9"', '"😀"', '42', 'true', 'null', '""', '["u"]'],
  occurred_at: [
    '"2026-11-02T10:00:00Z"',
    '"2026-11-02"',
    '"2026-11-02 10:00"',
    '"never"',
    '"2026-02-30"',
    'null',
    '20261102',
  ],
  event_type: [
    '"login"',
    '"purchase"',
    '"a \\"quoted\\" type"',
    '"tab\\there"',
    'false',
    '{"k":1}',
  ],
  feature: ['"export"', '""', 'null', '"\\ud83d\\ude00"', '1.50'],
  notes: ['"x"', '{"deep":[1,{"a":null}]}', '[1,2,3]', '"NaN, inf,]"', '"\\ud800"', 'NaN', '1e400'],
};
const KEYS = Object.keys(VALUES);

function randomLine(random: () => number): string {
  const pick = (list: readonly string[]) => list[Math.floor(random() * list.length)] as string;
  const parts = KEYS.flatMap((key) =>
    random() < 0.1 ? [] : [`"${key}":${pick(VALUES[key] as readonly string[])}`],
  );
  const shape = random();
  if (shape < 0.03) return `{${parts.join(',')},}`;
  if (shape < 0.05) return `[${parts.length}]`;
  if (shape < 0.07) return `{${parts.join(',')}`;
  return `{${parts.join(random() < 0.2 ? ' , ' : ',')}}`;
}

describe('the JSON Lines readers agree', () => {
  it('gives the same rows, lines and reasons from DuckDB and from JavaScript alone', async () => {
    const random = mulberry32(20261205);
    // The first object names every key (it is the header of a JSON Lines file).
    const first =
      '{"user_id":"u0","occurred_at":"2026-11-02T09:00:00Z","event_type":"login","feature":"export","notes":"x"}';
    const forcing = Buffer.from(
      '{"user_id":"zz","occurred_at":"2026-11-02T09:00:00Z","event_type":"login","notes":"\xff"}\n',
      'latin1',
    );
    let rejected = 0;
    let kept = 0;
    for (let f = 0; f < 30; f++) {
      const lines = [first, ...Array.from({ length: 30 }, () => randomLine(random))];
      const body = Buffer.from(`${lines.join('\n')}\n`);
      const duck = await readAll(memoryFile('events', 'e.jsonl', body));
      const alone = await readAll(memoryFile('events', 'e.jsonl', Buffer.concat([body, forcing])));

      const view = (result: typeof duck) => ({
        rows: result.rows.map((r) => [r.line, r.row]),
        rejects: result.rejects.map((r) => [r.line, r.column, r.reason]),
      });
      const last = lines.length + 1;
      const aloneView = view(alone);
      expect(aloneView.rows.at(-1)?.[0]).toBe(last);
      expect([f, view(duck)]).toEqual([
        f,
        { rows: aloneView.rows.slice(0, -1), rejects: aloneView.rejects },
      ]);
      rejected += duck.rejects.length;
      kept += duck.rows.length;
    }
    expect(rejected).toBeGreaterThan(100);
    expect(kept).toBeGreaterThan(50);
  });
});
