/**
 * The report archive end to end: the report function keeps each sent report under
 * `reports/<id>/<period>/` in s3rver and lists it in `reports/<id>/index.json|html`;
 * `npm run report -- --list --bucket` reads that index and prints a presigned link per
 * period that opens the kept HTML. The local runner keeps the same layout under --out, and
 * `--list --out` prints the file of each period.
 *
 * s3rver ignores If-Match / If-None-Match on PutObject, so this shows the layout and the
 * links; the conditional-write rule is shown in test/unit/jobs/archive.test.ts and
 * test/unit/adapters/s3-archive.test.ts.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ReportConfigInput } from '../../functions/core/config';
import type { ReportResult } from '../../functions/core/jobs/report';
import { parseArchiveIndex } from '../../functions/core/report/archive';
import { createReportHandler } from '../../functions/report';
import { listMain } from '../../scripts/cli/archive';
import type { CliIo } from '../../scripts/cli/io';
import { reportMain } from '../../scripts/cli/report';
import { type Harness, startHarness } from '../support/harness';

const NOW = Date.parse('2026-11-24T12:00:00Z');
const CONFIG: ReportConfigInput = {
  reportId: 'archived',
  name: 'Archived weekly',
  timezone: 'UTC',
  period: 'week',
  email: {
    recipients: ['team@example.com'],
    trendPeriods: 2,
    headline: ['customers_end'],
    attachCsv: false,
  },
};

/** Four subscribers since 1 October; c4 ends on 18 November (week 47). */
const SUBSCRIPTIONS = [
  'subscription_id,customer_id,started_at,ended_at,mrr',
  's1,c1,2026-10-01T00:00:00Z,,10',
  's2,c2,2026-10-01T00:00:00Z,,10',
  's3,c3,2026-10-01T00:00:00Z,,10',
  's4,c4,2026-10-01T00:00:00Z,2026-11-18T10:00:00Z,10',
].join('\n');

function fakeIo(): CliIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return {
    lines,
    errors,
    out: (line) => lines.push(line),
    err: (text) => errors.push(text),
    errIsTTY: false,
    now: () => NOW,
  };
}

describe('the archive in S3 and --list --bucket', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ dynamodbEndpoint: inject('dynamodbEndpoint'), config: CONFIG });
    await h.putObject('exports/subscriptions/subscriptions.csv', SUBSCRIPTIONS);
    const report = createReportHandler(() => h.runtime(), { now: () => NOW });
    for (const period of ['2026-W46', '2026-W47']) {
      const result = (await report({ period })) as ReportResult;
      expect(result.stored?.html).toBe(`reports/archived/${period}/report.html`);
    }
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('lists each sent period once, newest first, with its headline number', async () => {
    const index = parseArchiveIndex((await h.getText('reports/archived/index.json')) ?? '');
    expect(index.name).toBe('Archived weekly');
    expect(index.entries.map((e) => [e.periodKey, e.revision, e.sentAt])).toEqual([
      ['2026-W47', 0, '2026-11-24T12:00:00.000Z'],
      ['2026-W46', 0, '2026-11-24T12:00:00.000Z'],
    ]);
    // Week 47 ends with 3 of the 4 subscribers (c4 left on the 18th): (3 − 4) / 4 = −25.0 %.
    expect(index.entries[0]?.headline).toEqual([
      { label: 'Customers', value: '3', delta: '▼ -25.0 %' },
    ]);
    expect(index.entries[0]?.label).toBe('Week 47, Nov 16–22 2026');
    const page = (await h.getText('reports/archived/index.html')) ?? '';
    expect(page).toContain('href="2026-W47/report.html"');
    expect(page).toContain('href="2026-W46/report.html"');
  });

  it('prints a presigned link per period that opens the kept report', async () => {
    const io = fakeIo();
    const code = await listMain(
      ['--list', '--bucket', h.bucket, '--report', 'archived'],
      io,
      h.runtime().clients.s3,
    );
    expect(io.errors.join('')).toBe('');
    expect(code).toBe(0);
    expect(io.lines[0]).toBe('Archived weekly (archived): 2 periods');
    expect(io.lines).toContain(
      '  2026-W47 · Week 47, Nov 16–22 2026 · sent 2026-11-24T12:00:00.000Z',
    );
    expect(io.lines).toContain('    Customers: 3  ▼ -25.0 %');
    const links = io.lines.map((l) => l.trim()).filter((l) => l.startsWith('http'));
    expect(links).toHaveLength(2);
    const w47 = links.find((l) => l.includes('/reports/archived/2026-W47/report.html?'));
    expect(w47).toMatch(/X-Amz-Expires=604800/);
    const response = await fetch(w47 as string);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(await h.getText('reports/archived/2026-W47/report.html'));
  });

  it('finds the reports without --report, and says so when a bucket holds none', async () => {
    const io = fakeIo();
    expect(await listMain(['--list', '--bucket', h.bucket], io, h.runtime().clients.s3)).toBe(0);
    expect(io.lines[0]).toBe('Archived weekly (archived): 2 periods');
    const none = fakeIo();
    const code = await listMain(
      ['--list', '--bucket', h.bucket, '--report', 'other'],
      none,
      h.runtime().clients.s3,
    );
    expect(code).toBe(2);
    expect(none.errors.join('')).toMatch(/holds no archive of report "other"/);
  });
});

describe('the local archive and --list --out', () => {
  const root = mkdtempSync(join(tmpdir(), 'archive-cli-'));
  const data = join(root, 'data');
  const out = join(root, 'out');
  const config = join(root, 'config.json');
  beforeAll(async () => {
    mkdirSync(data);
    writeFileSync(join(data, 'subscriptions.csv'), SUBSCRIPTIONS);
    const { email, ...rest } = CONFIG;
    writeFileSync(config, JSON.stringify({ ...rest, email: { ...email, recipients: [] } }));
    for (const period of ['2026-W46', '2026-W47', '2026-W46']) {
      const io = fakeIo();
      const code = await reportMain(
        ['--data', data, '--out', out, '--config', config, '--period', period],
        io,
      );
      expect(io.errors.join(''), period).toBe('');
      expect(code).toBe(0);
    }
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('keeps each period next to its charts and prints the file of each', async () => {
    const io = fakeIo();
    expect(await reportMain(['--list', '--out', out], io)).toBe(0);
    const w47 = join(out, 'reports', 'archived', '2026-W47', 'report.html');
    const w46 = join(out, 'reports', 'archived', '2026-W46', 'report.html');
    // W46 run twice: one entry, newest period first.
    expect(io.lines).toEqual([
      'Archived weekly (archived): 2 periods',
      '  2026-W47 · Week 47, Nov 16–22 2026 · sent 2026-11-24T12:00:00.000Z',
      '    Customers: 3  ▼ -25.0 %',
      `    ${w47}`,
      '  2026-W46 · Week 46, Nov 9–15 2026 · sent 2026-11-24T12:00:00.000Z',
      // Nobody left in week 46 (and its week before): 4 → 4, unchanged.
      expect.stringMatching(/^ {4}Customers: 4( {2}= .*)?$/),
      `    ${w46}`,
      `  Index: ${join(out, 'reports', 'archived', 'index.html')}`,
    ]);
    const html = readFileSync(w47, 'utf8');
    const chart = /src="(trend-[^"]+\.png)"/.exec(html)?.[1];
    expect(chart).toBeDefined();
    expect(
      readFileSync(join(out, 'reports', 'archived', '2026-W47', chart as string)).length,
    ).toBeGreaterThan(0);
  });

  it('documents --list in --help and refuses --list without a place to read', async () => {
    const help = fakeIo();
    expect(await reportMain(['--help'], help)).toBe(0);
    expect(help.lines.join('\n')).toContain('npm run report -- --list --bucket <name>');
    const listHelp = fakeIo();
    expect(await reportMain(['--list', '--help'], listHelp)).toBe(0);
    expect(listHelp.lines.join('\n')).toContain('presigned link');
    const neither = fakeIo();
    expect(await reportMain(['--list'], neither)).toBe(2);
    expect(neither.errors.join('')).toMatch(/either a local folder \(--out <dir>\) or a bucket/);
  });
});
