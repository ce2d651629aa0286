import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATASET_NAMES, parseConfig } from '../../../functions/core/config';
import { computeSnapshots } from '../../../functions/core/engine';
import type { ExportFile, RejectedRow } from '../../../functions/core/sources';
import { parsePeriodKey } from '../../../functions/core/time/periods';
import { LocalExportSource } from '../../../scripts/cli/local-source';
import {
  BAD_ROWS,
  generateSample,
  SAMPLE_MANIFEST,
  type SampleOptions,
  type SampleResult,
} from '../../../scripts/sample/generate';

const DAY_MS = 86_400_000;

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'sample-'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

function digests(result: SampleResult): Record<string, string> {
  return Object.fromEntries(
    result.files.map((f) => [
      f.dataset,
      createHash('sha256').update(readFileSync(f.path)).digest('hex'),
    ]),
  );
}

function records(path: string): Record<string, string>[] {
  return parse(readFileSync(path), { columns: true, skip_empty_lines: true });
}

/** Calendar days from `start` up to (not including) `end`, both `YYYY-MM-DD`. */
function daysBetween(start: string, end: string): number {
  return Math.round((Date.parse(`${end}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / DAY_MS);
}

describe('generateSample determinism', () => {
  const small = (outDir: string, seed: number): SampleOptions => ({
    seed,
    outDir,
    start: '2026-03-01',
    months: 3,
    customers: 150,
    scale: 0.5,
  });

  it('writes the same bytes for the same seed, and other bytes for another seed', async () => {
    const a = await generateSample(small(join(root, 'a'), 7));
    const b = await generateSample(small(join(root, 'b'), 7));
    const c = await generateSample(small(join(root, 'c'), 8));
    expect(a.files.map((f) => f.dataset).sort()).toEqual([...DATASET_NAMES].sort());
    expect(digests(b)).toEqual(digests(a));
    expect(digests(c).customers).not.toBe(digests(a).customers);
    expect(readFileSync(join(root, 'b', SAMPLE_MANIFEST), 'utf8')).toBe(
      readFileSync(join(root, 'a', SAMPLE_MANIFEST), 'utf8'),
    );
  });

  it('writes the same records as JSON Lines as it does as CSV', async () => {
    const csv = await generateSample(small(join(root, 'csv'), 3));
    const jsonl = await generateSample({ ...small(join(root, 'jsonl'), 3), format: 'jsonl' });
    expect(jsonl.files.map((f) => [f.dataset, f.rows])).toEqual(
      csv.files.map((f) => [f.dataset, f.rows]),
    );
    const firstCsv = records(join(root, 'csv', 'orders.csv'))[0];
    const firstJson = JSON.parse(
      readFileSync(join(root, 'jsonl', 'orders.jsonl'), 'utf8').split('\n')[0] ?? '',
    );
    expect(String(firstJson.order_id)).toBe(firstCsv?.order_id);
    expect(String(firstJson.ordered_at)).toBe(firstCsv?.ordered_at);
  });
});

describe('the default sample (seed 42)', () => {
  let dir: string;
  let result: SampleResult;
  let seconds: number;

  beforeAll(async () => {
    dir = join(root, 'default');
    const started = performance.now();
    result = await generateSample({ seed: 42, outDir: dir });
    seconds = (performance.now() - started) / 1000;
  });

  it('writes all ten datasets within the time the demo allows', () => {
    expect(result.files.map((f) => f.dataset).sort()).toEqual([...DATASET_NAMES].sort());
    // The demo budget is 20 s for everything; a loaded CI machine is slower than a laptop.
    expect(seconds).toBeLessThan(15);
  });

  it('covers 2025-07-01 up to and including 2026-11-22 in New York time', () => {
    expect(result.start).toBe('2025-07-01');
    expect(result.end).toBe('2026-11-23');
    expect(result.timezone).toBe('America/New_York');
    // Local midnight of 23 Nov 2026 in New York (EST, UTC−5) is 05:00 UTC.
    expect(result.endInstant).toBe(Date.UTC(2026, 10, 23, 5));
    // At least 15 months: 1 Jul 2025 → 23 Nov 2026 is 510 days.
    expect(daysBetween(result.start, result.end)).toBe(510);
    const events = readFileSync(join(dir, 'events.csv'), 'utf8').trimEnd().split('\n');
    const firstAt = Date.parse(events[1]?.split(',')[1] ?? '');
    const lastAt = Date.parse(events[events.length - 1]?.split(',')[1] ?? '');
    expect(firstAt).toBeGreaterThanOrEqual(Date.UTC(2025, 6, 1, 4)); // 1 Jul 00:00 EDT
    expect(lastAt).toBeLessThan(result.endInstant);
    expect(lastAt).toBeGreaterThanOrEqual(Date.UTC(2026, 10, 22, 5)); // 22 Nov 00:00 EST
  });

  it('reports row counts that match the records in each file', () => {
    const days = 510;
    const counts = Object.fromEntries(result.files.map((f) => [f.dataset, f.rows]));
    // 2,000 customers and one planted bad row (a 30 February).
    expect(counts.customers).toBe(2001);
    // Five spend lines a day: two search campaigns, social, email newsletters, referrals.
    expect(counts.marketing_spend).toBe(5 * days);
    // One line a day per platform (linkedin, instagram, x, youtube).
    expect(counts.social).toBe(4 * days);
    // The small files parsed with a CSV parser (comments hold commas, quotes, newlines).
    for (const dataset of [
      'customers',
      'subscriptions',
      'orders',
      'marketing_spend',
      'survey_responses',
      'tickets',
      'email_campaigns',
      'social',
    ] as const) {
      expect(records(join(dir, `${dataset}.csv`)), dataset).toHaveLength(counts[dataset] ?? -1);
    }
    // Product activity dwarfs the rest, as in real exports.
    expect(counts.events).toBeGreaterThan(300_000);
    expect(counts.sessions).toBeGreaterThan(50_000);
    const manifest = JSON.parse(readFileSync(join(dir, SAMPLE_MANIFEST), 'utf8'));
    expect(manifest.files).toEqual(result.files.map((f) => ({ dataset: f.dataset, rows: f.rows })));
  });

  it('has a monthly churn of a few percent (computed here from the subscriptions)', () => {
    const subs = records(join(dir, 'subscriptions.csv'))
      .map((r) => ({
        customer: r.customer_id as string,
        start: Date.parse(r.started_at as string),
        end: r.ended_at ? Date.parse(r.ended_at) : Number.POSITIVE_INFINITY,
      }))
      .filter((s) => !(s.end < s.start)); // the planted row ends before it starts
    const activeAt = (t: number) =>
      new Set(subs.filter((s) => s.start <= t && t < s.end).map((s) => s.customer));
    const rates: number[] = [];
    // Dec 2025 … Oct 2026, UTC month boundaries (a few hours off New York's; churn does not
    // care).
    for (let m = 11; m < 22; m++) {
      const start = activeAt(Date.UTC(2025, m, 1));
      const end = activeAt(Date.UTC(2025, m + 1, 1));
      const churned = [...start].filter((c) => !end.has(c)).length;
      rates.push((churned / start.size) * 100);
    }
    const mean = rates.reduce((a, b) => a + b, 0) / rates.length;
    expect(mean).toBeGreaterThan(2);
    expect(mean).toBeLessThan(7);
    for (const rate of rates) expect(rate).toBeLessThan(10);
  });

  it('has an NPS in the 30s to 40s (computed here from the responses)', () => {
    const scores = records(join(dir, 'survey_responses.csv'))
      .filter((r) => r.survey_type === 'nps')
      .map((r) => Number(r.score))
      .filter((s) => s >= 0 && s <= 10);
    const promoters = scores.filter((s) => s >= 9).length;
    const detractors = scores.filter((s) => s <= 6).length;
    const nps = ((promoters - detractors) / scores.length) * 100;
    expect(scores.length).toBeGreaterThan(1000);
    expect(nps).toBeGreaterThan(30);
    expect(nps).toBeLessThan(50);
  });

  it('plants bad rows that the engine rejects for the reason they were made for', async () => {
    const files = (await new LocalExportSource(dir).list()) as ExportFile[];
    const rejected: RejectedRow[] = [];
    const config = parseConfig({ timezone: 'America/New_York' });
    const { snapshots } = await computeSnapshots({
      files,
      config,
      periods: [parsePeriodKey('2026-W47', config.timezone)],
      onReject: (row) => rejected.push(row),
    });
    const planted = BAD_ROWS.filter((b) => b.dataset !== 'tickets').map(
      (b) => `${b.dataset}.${b.column}`,
    );
    expect(rejected.map((r) => `${r.dataset}.${r.column}`).sort()).toEqual(planted.sort());
    // The ticket exported twice is a duplicate id, dropped rather than rejected.
    expect(snapshots[0]?.quality.tickets?.duplicatesDropped).toBe(1);
    for (const q of Object.values(snapshots[0]?.quality ?? {})) {
      expect(q.filesRejected).toEqual([]);
    }
  });
});
