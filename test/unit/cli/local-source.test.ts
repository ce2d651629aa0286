import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../../scripts/cli/io';
import { LocalExportSource } from '../../../scripts/cli/local-source';
import { terminalProgress } from '../../../scripts/cli/progress';
import { reportMain } from '../../../scripts/cli/report';

let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'local-source-'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('LocalExportSource', () => {
  it('lists dataset files and dataset folders, sorted by path, and skips the rest', async () => {
    const dir = join(root, 'exports');
    mkdirSync(join(dir, 'events', '2026', '11'), { recursive: true });
    mkdirSync(join(dir, 'misc'));
    mkdirSync(join(dir, '.git'));
    writeFileSync(join(dir, 'orders.csv.gz'), 'x');
    writeFileSync(join(dir, 'customers.jsonl'), '{}');
    writeFileSync(join(dir, 'events', '2026', '11', 'b.csv'), 'x');
    writeFileSync(join(dir, 'events', 'a.jsonl.gz'), 'x');
    writeFileSync(join(dir, 'events', 'README.txt'), 'not an export, but in a dataset folder');
    writeFileSync(join(dir, 'notes.csv'), 'x');
    writeFileSync(join(dir, 'orders.xlsx'), 'x');
    writeFileSync(join(dir, '.DS_Store'), 'x');
    writeFileSync(join(dir, '.git', 'orders.csv'), 'x');

    const source = new LocalExportSource(dir);
    const files = await source.list();

    expect(files.map((f) => [f.dataset, f.key])).toEqual([
      ['customers', join(dir, 'customers.jsonl')],
      ['events', join(dir, 'events', '2026', '11', 'b.csv')],
      ['events', join(dir, 'events', 'README.txt')],
      ['events', join(dir, 'events', 'a.jsonl.gz')],
      ['orders', join(dir, 'orders.csv.gz')],
    ]);
    expect(source.skipped.sort()).toEqual(['misc/', 'notes.csv', 'orders.xlsx']);
    expect(files.find((f) => f.dataset === 'customers')?.bytes).toBe(2);
  });

  it('lists a top-level Parquet export under its dataset', async () => {
    const dir = join(root, 'parquet');
    mkdirSync(dir);
    writeFileSync(join(dir, 'subscriptions.parquet'), 'PAR1');
    writeFileSync(join(dir, 'subscriptions.parquet.gz'), 'x');

    const source = new LocalExportSource(dir);
    const files = await source.list();

    expect(files.map((f) => [f.dataset, f.key])).toEqual([
      ['subscriptions', join(dir, 'subscriptions.parquet')],
    ]);
    expect(source.skipped).toEqual(['subscriptions.parquet.gz']);
  });

  it('opens a file as a stream of its bytes', async () => {
    const dir = join(root, 'one');
    mkdirSync(dir);
    writeFileSync(join(dir, 'tickets.csv'), 'ticket_id,created_at\n');
    const [file] = await new LocalExportSource(dir).list();
    const chunks: Buffer[] = [];
    for await (const chunk of await (file?.open() ?? Promise.reject(new Error('no file')))) {
      chunks.push(chunk as Buffer);
    }
    expect(Buffer.concat(chunks).toString()).toBe('ticket_id,created_at\n');
  });
});

function fakeIo(clock: { now: number }): CliIo & { err_: string[]; lines: string[] } {
  const err_: string[] = [];
  const lines: string[] = [];
  return {
    err_,
    lines,
    out: (line) => lines.push(line),
    err: (text) => err_.push(text),
    errIsTTY: false,
    now: () => clock.now,
  };
}

describe('terminalProgress', () => {
  it('rewrites one line at most every interval and clears it at the end', () => {
    const clock = { now: 0 };
    const io = fakeIo(clock);
    const progress = terminalProgress(io, 4 * 1024 * 1024, 250);
    progress.update('a.csv', 1024 * 1024, 4 * 1024 * 1024);
    clock.now = 100;
    progress.update('a.csv', 2 * 1024 * 1024, 4 * 1024 * 1024); // within 250 ms: not shown
    clock.now = 300;
    progress.fileDone(2 * 1024 * 1024, 1_500_000);
    progress.update('b.csv', 1024 * 1024, 2 * 1024 * 1024);
    progress.finish();
    expect(io.err_).toHaveLength(3);
    expect(io.err_[0]).toBe('\rreading a.csv · 1/4 MB (25 %) · 0 rows done');
    // 2 MB done in a.csv plus 1 MB of b.csv: 3 of 4 MB.
    expect(io.err_[1]).toMatch(/^\rreading b\.csv · 3\/4 MB \(75 %\) · 1\.5 M rows done/);
    expect(io.err_[2]).toMatch(/^\r +\r$/);
  });
});

describe('npm run report on files it cannot read', () => {
  it('reports a file without a required column and still computes the rest', async () => {
    const dir = join(root, 'partly');
    mkdirSync(join(dir, 'orders'), { recursive: true });
    writeFileSync(
      join(dir, 'orders', 'good.csv'),
      'order_id,customer_id,ordered_at,amount\no1,c1,2026-10-27T10:00:00Z,12.5\n',
    );
    writeFileSync(join(dir, 'orders', 'bad.csv'), 'order_id,customer_id,amount\no2,c2,99\n');
    writeFileSync(join(dir, 'stray.txt'), 'x');
    const io = fakeIo({ now: Date.UTC(2026, 10, 23) });
    const code = await reportMain(
      ['--data', dir, '--out', join(root, 'partly-out'), '--period', '2026-W44', '--progress'],
      io,
    );
    expect(code).toBe(0);
    const stdout = io.lines.join('\n');
    expect(stdout).toMatch(/File not read: .*bad\.csv: required column "ordered_at" is missing/);
    // The stray file is named in a warning; the progress line is drawn, then cleared.
    const stderr = io.err_.join('');
    expect(stderr).toContain(
      `report: skipping ${join(dir, 'stray.txt')}: not named after a dataset\n`,
    );
    expect(stderr).toMatch(/\rreading .*orders/);
    expect(stderr.endsWith('\r')).toBe(true);
  });
});
