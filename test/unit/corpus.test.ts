/**
 * The bad-input corpus (test/corpus/cases.ts) through the engine: each broken or hostile
 * file, alone in its dataset, through `computeSnapshots` for 2026-W44. Each case checks the
 * whole-file reason or every rejected row (line, column, reason), the accepted count and
 * the metrics of the good rows; a per-case timeout catches a hang, and the 100 MB lines
 * check that memory stays bounded.
 */

import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/core/config';
import { computeSnapshots } from '../../functions/core/engine';
import type { ExportFile, RejectedRow } from '../../functions/core/sources';
import { parsePeriodKey } from '../../functions/core/time/periods';
import { CASES, type CorpusCase, PERIOD, type Reject } from '../corpus/cases';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'corpus-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes the case's file to its own folder and returns its path. */
async function materialize(c: CorpusCase, root: string, n: number): Promise<string> {
  const folder = join(root, String(n));
  await mkdir(folder, { recursive: true });
  const path = join(folder, c.file);
  if (c.generate) await c.generate(path);
  else await writeFile(path, c.bytes ?? '');
  return path;
}

interface Outcome {
  fileError?: string | RegExp;
  rejects?: Reject[];
  accepted: number;
  duplicates: number;
  metrics?: Record<string, number | null>;
  reasons?: Record<string, string>;
}

async function run(
  c: CorpusCase,
  path: string,
): Promise<{ outcome: Outcome; rows: RejectedRow[] }> {
  const key = `incoming/${c.dataset}/${c.file}`;
  const file: ExportFile = {
    dataset: c.dataset,
    key,
    path,
    open: async () => createReadStream(path),
  };
  const rows: RejectedRow[] = [];
  const config = parseConfig({});
  const { snapshots } = await computeSnapshots({
    files: [file],
    config,
    periods: [parsePeriodKey(PERIOD, config.timezone)],
    onReject: (row) => rows.push(row),
    modelPeriods: [],
  });
  const snapshot = snapshots[0];
  if (!snapshot) throw new Error('no snapshot');
  const q = snapshot.quality[c.dataset];
  if (!q) throw new Error('no quality');
  const outcome: Outcome = { accepted: q.rowsAccepted, duplicates: q.duplicatesDropped };
  if (q.filesRejected.length > 0) {
    expect(q.filesRejected.map((f) => f.key)).toEqual([key]);
    outcome.fileError = q.filesRejected[0]?.reason as string;
  } else {
    outcome.rejects = rows.map((r) => [r.line, r.column, r.reason] as const);
    expect(q.rowsRejected).toBe(rows.length);
  }
  if (c.metrics) {
    outcome.metrics = {};
    for (const id of Object.keys(c.metrics)) {
      outcome.metrics[id] = snapshot.metrics[id]?.value ?? null;
    }
  }
  if (c.reasons) {
    outcome.reasons = {};
    for (const id of Object.keys(c.reasons)) {
      outcome.reasons[id] = snapshot.metrics[id]?.reason ?? '';
    }
  }
  return { outcome, rows };
}

describe('bad-input corpus through computeSnapshots', () => {
  it('has at least 40 cases with distinct names', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  CASES.forEach((c, n) => {
    it(`${c.name} (${c.dataset}, ${c.file})`, async () => {
      const path = await materialize(c, dir, n);
      // Memory of a hostile size: the process's resident set, sampled while the file is
      // read, grows by less than 300 MB over a 100 MB line (the reader stops at 16 MiB).
      const before = process.memoryUsage.rss();
      let peak = before;
      const sampler = setInterval(() => {
        peak = Math.max(peak, process.memoryUsage.rss());
      }, 10);
      const { outcome, rows } = await run(c, path).finally(() => clearInterval(sampler));
      peak = Math.max(peak, process.memoryUsage.rss());
      if (process.env.CORPUS_DUMP) console.log(JSON.stringify({ name: c.name, outcome }));
      const expected: Outcome = { accepted: c.accepted, duplicates: c.duplicates ?? 0 };
      if (c.fileError instanceof RegExp) {
        expect(outcome.fileError).toMatch(c.fileError);
        expected.fileError = outcome.fileError;
      } else if (c.fileError !== undefined) expected.fileError = c.fileError;
      else expected.rejects = [...(c.rejects ?? [])];
      if (c.metrics) expected.metrics = { ...c.metrics };
      if (c.reasons) expected.reasons = { ...c.reasons };
      expect(outcome).toEqual(expected);
      if (c.generate) expect(peak - before).toBeLessThan(300 * 1024 * 1024);
      for (const row of rows) {
        expect(row.file).toBe(`incoming/${c.dataset}/${c.file}`);
        expect(row.dataset).toBe(c.dataset);
      }
      if (c.generate) await rm(path, { force: true });
    }, 20_000);
  });
});
