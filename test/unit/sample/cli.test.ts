import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../../scripts/cli/io';
import { parseSampleArgs, sampleMain } from '../../../scripts/sample/cli';

const root = mkdtempSync(join(tmpdir(), 'sample-cli-'));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

function fakeIo(): CliIo & { lines: string[]; errs: string[] } {
  const lines: string[] = [];
  const errs: string[] = [];
  return {
    lines,
    errs,
    out: (line) => lines.push(line),
    err: (text) => errs.push(text),
    errIsTTY: false,
    now: () => 0,
  };
}

describe('npm run sample', () => {
  it('writes every dataset and lists each file with its rows', async () => {
    const out = join(root, 'small');
    const io = fakeIo();
    const code = await sampleMain(
      ['--out', out, '--seed', '5', '--start', '2026-09-01', '--months', '2', '--customers', '60'],
      io,
    );
    expect(io.errs).toEqual([]);
    expect(code).toBe(0);
    expect(readdirSync(out).filter((n) => n.endsWith('.csv'))).toHaveLength(10);
    // 60 customers plus the planted 30 February.
    expect(io.lines).toContain(`${join(out, 'customers.csv')}  61 rows`);
    expect(io.lines[io.lines.length - 1]).toMatch(/from 2026-09-01 to 2026-11-01 \(exclusive\)/);
  });

  const bad: [string, string[], RegExp][] = [
    ['an unknown flag', ['--out', root, '--rows', '5'], /--rows/],
    ['no --out', ['--seed', '1'], /--out <dir> is required/],
    [
      'a seed that is no integer',
      ['--out', root, '--seed', '1.5'],
      /--seed must be a whole number/,
    ],
    ['an unknown format', ['--out', root, '--format', 'xml'], /--format must be csv or jsonl/],
    ['zero months', ['--out', root, '--months', '0'], /--months must be a whole number ≥ 1/],
    ['an impossible start day', ['--out', join(root, 'x'), '--start', '2026-02-30'], /2026-02-30/],
    ['an unknown time zone', ['--out', join(root, 'y'), '--timezone', 'Nowhere/City'], /Nowhere/],
  ];
  for (const [what, argv, message] of bad) {
    it(`exits 2 with one line on stderr for ${what}`, async () => {
      const io = fakeIo();
      expect(await sampleMain(argv, io)).toBe(2);
      expect(io.errs).toHaveLength(1);
      expect(io.errs[0]).toMatch(/^sample: [^\n]*\n$/);
      expect(io.errs[0]).toMatch(message);
    });
  }

  it('parses the options it is given and defaults the seed to 42', () => {
    expect(parseSampleArgs(['--out', 'o', '--format', 'jsonl', '--scale', '0.5'])).toEqual({
      seed: 42,
      outDir: 'o',
      format: 'jsonl',
      scale: 0.5,
    });
  });
});
