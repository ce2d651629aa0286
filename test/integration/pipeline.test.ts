/**
 * End to end on the local stand-ins: files dropped into s3rver's `incoming/` reach the
 * ingest handler as (URL-encoded) S3 notifications, the report handler sends through the
 * SES stand-in, and the state lives in DynamoDB Local. "Now" is pinned to the sample
 * data's last day, Monday 23 November 2026 in New York, so the last closed week is
 * 2026-W47 (16–22 November).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Event } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DatasetName, ReportConfigInput } from '../../functions/core/config';
import type { ReportResult } from '../../functions/core/jobs/report';
import { createIngestHandler, handler as ingestHandler } from '../../functions/ingest';
import { createReportHandler, handler as reportHandler } from '../../functions/report';
import { BAD_ROWS, generateSample, type SampleResult } from '../../scripts/sample/generate';
import { type Harness, startHarness } from '../support/harness';
import { bridgeS3Events, type S3EventBridge } from '../support/standins';

const NOW = Date.parse('2026-11-23T15:00:00Z');
const now = () => NOW;
const CONFIG: ReportConfigInput = {
  reportId: 'e2e',
  name: 'Brightloom weekly',
  timezone: 'America/New_York',
  currency: 'USD',
  period: 'week',
  email: { recipients: ['team@example.com'], trendPeriods: 4 },
};

/** Names with a space and non-ASCII characters, as people name their exports. */
function incomingKey(dataset: DatasetName): string {
  return `incoming/${dataset}/${dataset} export – nov é.csv`;
}

let sampleDir: string;
let sample: SampleResult;

beforeAll(async () => {
  sampleDir = mkdtempSync(join(tmpdir(), 'e2e-sample-'));
  sample = await generateSample({
    seed: 7,
    outDir: sampleDir,
    start: '2026-08-01',
    months: 4,
    until: '2026-11-23',
    customers: 150,
    scale: 0.3,
  });
});
afterAll(() => {
  rmSync(sampleDir, { recursive: true, force: true });
});

function sampleBytes(dataset: DatasetName): Buffer {
  const file = sample.files.find((f) => f.dataset === dataset);
  if (!file) throw new Error(`no sample file for ${dataset}`);
  return readFileSync(file.path);
}

describe('a drop into incoming/ followed by the weekly report', () => {
  let h: Harness;
  let bridge: S3EventBridge;

  beforeAll(async () => {
    h = await startHarness({ dynamodbEndpoint: inject('dynamodbEndpoint'), config: CONFIG });
    const ingest = createIngestHandler(() => h.runtime(), { now });
    bridge = bridgeS3Events(h.s3, ingest);
    for (const file of sample.files) {
      await h.putObject(incomingKey(file.dataset), readFileSync(file.path));
    }
    await bridge.idle();
  });
  afterAll(async () => {
    bridge?.stop();
    await h?.stop();
  });

  it('ingests every file without an error', () => {
    expect(bridge.errors).toEqual([]);
    expect(bridge.results).toHaveLength(10);
  });

  it('keeps each file byte for byte under exports/ and leaves the drop as it was', async () => {
    for (const file of sample.files) {
      const original = readFileSync(file.path).toString('utf8');
      const name = incomingKey(file.dataset).slice('incoming/'.length);
      expect(await h.getText(`exports/${name}`)).toBe(original);
      expect(await h.getText(incomingKey(file.dataset))).toBe(original);
    }
  });

  it('writes the planted bad rows to rejected/ with the failing column and a reason', async () => {
    const planted = BAD_ROWS.filter((b) => b.dataset !== 'tickets'); // a duplicate is not a reject
    for (const bad of planted) {
      const name = incomingKey(bad.dataset).slice('incoming/'.length);
      const body = await h.getText(`rejected/${name}.rejected.jsonl`);
      expect(body, bad.dataset).toBeDefined();
      const rows = (body ?? '')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { column: string | null; reason: string; line: number });
      const hit = rows.find((r) => r.column === bad.column);
      expect(hit, `${bad.dataset}.${bad.column}`).toBeDefined();
      expect(hit?.reason.length).toBeGreaterThan(5);
    }
    expect(
      await h.getText(`rejected/tickets/tickets export – nov é.csv.rejected.jsonl`),
    ).toBeUndefined();
  });

  it('stores a snapshot of the last closed week and none of the open one', async () => {
    const rt = h.runtime();
    const w47 = await rt.store.get('e2e', '2026-W47');
    expect(w47?.snapshot.period.start).toBe('2026-11-16T00:00:00-05:00');
    expect(w47?.snapshot.inputFiles).toHaveLength(10);
    expect(await rt.store.get('e2e', '2026-W48')).toBeUndefined();
  });

  it('sends the closed week once, however often the report is invoked', async () => {
    const report = createReportHandler(() => h.runtime(), { now });
    const first = (await report({})) as ReportResult;
    expect(first.period).toBe('2026-W47');
    expect(first.messageId).toBeDefined();
    expect(Object.keys(first.summary)).toEqual([
      'customers_end',
      'churn_rate',
      'retention_rate',
      'clv_predictive',
      'cac',
      'nps',
    ]);
    // The schedule and an operator naming the period are the same send.
    const second = (await report({ period: '2026-W47' })) as ReportResult;
    expect(second.skipped).toBe('already-sent');
    expect(second.messageId).toBeUndefined();

    const emails = await h.ses.emails();
    expect(emails).toHaveLength(1);
    expect(emails[0]?.messageId).toBe(first.messageId);
    expect(emails[0]?.destination.to).toEqual(['team@example.com']);
    expect(emails[0]?.subject).toBe(first.subject);
    expect(emails[0]?.body.html).toContain('Brightloom weekly');
    const [send] = await h.runtime().ledger.sendsFor('e2e', '2026-W47');
    expect(send?.state).toBe('sent');
    // A copy of the sent email is kept beside the exports.
    expect(first.stored?.html).toBe('reports/e2e/2026-W47/report.html');
    const kept = (await h.getText('reports/e2e/2026-W47/report.html')) ?? '';
    expect(kept).toContain('Brightloom weekly');
    // The charts are inside the copy (a presigned link opens one object): no cid: left, and
    // the customers trend decodes to a PNG.
    expect(kept).not.toContain('cid:');
    const png = /<img[^>]+alt="Customers, last[^"]*" src="data:image\/png;base64,([^"]+)"/.exec(
      kept,
    );
    expect(
      Buffer.from(png?.[1] ?? '', 'base64')
        .subarray(1, 4)
        .toString('latin1'),
    ).toBe('PNG');
  });

  it('previews with dryRun: returns the HTML and sends and records nothing', async () => {
    const report = createReportHandler(() => h.runtime(), { now });
    const before = (await h.ses.emails()).length;
    const result = (await report({ period: '2026-W46', dryRun: true })) as ReportResult;
    expect(result.period).toBe('2026-W46');
    expect(result.html).toContain('<html');
    expect(result.messageId).toBeUndefined();
    expect(await h.ses.emails()).toHaveLength(before);
    expect(await h.runtime().ledger.sendsFor('e2e', '2026-W46')).toEqual([]);
  });

  it('revises a sent week when a late file adds an order to it', async () => {
    const report = createReportHandler(() => h.runtime(), { now });
    await report({ period: '2026-W45' });
    const rt = h.runtime();
    const before = await rt.store.get('e2e', '2026-W45');
    const revenueBefore = before?.snapshot.metrics.revenue?.value;
    expect(typeof revenueBefore).toBe('number');

    // Wednesday 4 November 2026, 10:00 in New York: inside 2026-W45 (2–8 November).
    const late = [
      'order_id,customer_id,ordered_at,amount,currency,status',
      'late-0001,cus_00018,2026-11-04T10:00:00-05:00,123.45,USD,paid',
    ].join('\n');
    await h.putObject('incoming/orders/late orders.csv', `${late}\n`);
    await bridge.idle();
    expect(bridge.errors).toEqual([]);

    const after = await rt.store.get('e2e', '2026-W45');
    expect(after?.version).toBeGreaterThan(before?.version ?? 0);
    expect(after?.snapshot.revised).toBe(true);
    // Revenue is the sum of the week's order amounts: the late order adds its 123.45.
    expect(after?.snapshot.metrics.revenue?.value).toBeCloseTo(
      (revenueBefore as number) + 123.45,
      6,
    );
    expect(after?.snapshot.inputFiles.map((f) => f.key)).toContain(
      'exports/orders/late orders.csv',
    );
    // W44 ended before the order: untouched.
    expect((await rt.store.get('e2e', '2026-W44'))?.snapshot.revised).toBeUndefined();
  });

  it('emails the revision of W45 once to its recipient, listing the changed metrics', async () => {
    // The late order of the test above was ingested; the ingest sent the revised emails.
    const revised = (await h.ses.emails()).filter((e) => e.subject.startsWith('[Revised] '));
    const w45 = revised.filter((e) => e.subject.includes('Week 45'));
    expect(w45).toHaveLength(1);
    expect(w45[0]?.destination.to).toEqual(['team@example.com']);
    const records = await h.runtime().ledger.sendsFor('e2e', '2026-W45');
    expect(records.map((r) => [r.recipient, r.revision, r.state])).toEqual([
      ['team@example.com', 0, 'sent'],
      ['team@example.com', 1, 'sent'],
    ]);
    const [first, second] = await h.runtime().ledger.revisions('e2e', '2026-W45');
    const before = first?.metrics.revenue?.value as number;
    const after = second?.metrics.revenue?.value as number;
    expect(after).toBeCloseTo(before + 123.45, 6);
    // Old → new, formatted as the email shows money (en-US, USD).
    const usd = (v: number) =>
      new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(v);
    expect(w45[0]?.body.text).toContain(`Revenue: ${usd(before)} → ${usd(after)}`);
    expect(w45[0]?.body.html).toContain(`Revenue: ${usd(before)} → ${usd(after)}`);
    expect(w45[0]?.body.html).toContain('Revised: data for');
    // The revised email replaces the period's kept copy, and the index marks it revision 1.
    const kept = (await h.getText('reports/e2e/2026-W45/report.html')) ?? '';
    expect(kept).toContain('Revised: data for');
    expect(kept).toContain(`Revenue: ${usd(before)} → ${usd(after)}`);
    const index = JSON.parse((await h.getText('reports/e2e/index.json')) ?? '{}') as {
      entries: { periodKey: string; revision: number }[];
    };
    expect(index.entries.find((e) => e.periodKey === '2026-W45')?.revision).toBe(1);
  });

  it('sends exactly one revised email per recipient and revision for a late file', async () => {
    // Prepare: W44 sent to two people, then a late order in W44 (Wednesday 28 October).
    const report = createReportHandler(() => h.runtime(), { now });
    await report({ period: '2026-W44', recipients: ['team@example.com', 'cfo@example.com'] });
    await h.ses.clear();
    const late = [
      'order_id,customer_id,ordered_at,amount,currency,status',
      'late-0002,cus_00018,2026-10-28T10:00:00-04:00,99.00,USD,paid',
      'late-0003,cus_00018,2026-10-28T11:00:00-04:00,99.00,USD,paid',
    ].join('\n');

    // Act: the file arrives, then arrives again (S3 notifies twice; an operator re-drops).
    await h.putObject('incoming/orders/late october.csv', `${late}\n`);
    await bridge.idle();
    await h.putObject('incoming/orders/late october.csv', `${late}\n`);
    await bridge.idle();
    expect(bridge.errors).toEqual([]);

    // Assess: every (period, recipient) pair got at most one email per revision, and W44
    // reached both of its recipients once.
    const emails = await h.ses.emails();
    expect(emails.length).toBeGreaterThan(0);
    expect(emails.every((e) => e.subject.startsWith('[Revised] '))).toBe(true);
    const pairs = emails.map((e) => `${e.subject.split(':')[0]} → ${e.destination.to.join()}`);
    expect(new Set(pairs).size).toBe(pairs.length);
    const w44 = emails.filter((e) => e.subject.includes('Week 44'));
    expect(w44.map((e) => e.destination.to).sort()).toEqual([
      ['cfo@example.com'],
      ['team@example.com'],
    ]);
    expect(w44[0]?.body.text).toMatch(/Revenue: \$[\d,.]+ → \$[\d,.]+/);
    const records = await h.runtime().ledger.sendsFor('e2e', '2026-W44');
    expect(records.filter((r) => r.revision === 1 && r.state === 'sent')).toHaveLength(2);
  });

  it('runs the exported handlers from the environment, as Lambda does', async () => {
    const result = (await reportHandler({ period: '2026-W44', dryRun: true })) as ReportResult;
    expect(result.period).toBe('2026-W44');
    expect(result.html).toContain('<html');
    const event: S3Event = { Records: [] } as unknown as S3Event;
    await expect(ingestHandler(event)).rejects.toThrow(/no records/);
  });
});

describe('two ingests at the same time', () => {
  const datasets: DatasetName[] = ['customers', 'subscriptions', 'orders', 'events'];

  async function run(concurrent: boolean) {
    const h = await startHarness({
      dynamodbEndpoint: inject('dynamodbEndpoint'),
      config: CONFIG,
      setProcessEnv: false,
    });
    // Each invocation gets its own runtime and clients, as separate Lambda containers would.
    const ingest = createIngestHandler(() => h.runtime(), { now });
    const bridge = bridgeS3Events(h.s3, ingest);
    try {
      if (concurrent) {
        await Promise.all(datasets.map((d) => h.putObject(incomingKey(d), sampleBytes(d))));
        await bridge.idle();
      } else {
        for (const d of datasets) {
          await h.putObject(incomingKey(d), sampleBytes(d));
          await bridge.idle();
        }
      }
      expect(bridge.errors).toEqual([]);
      const rt = h.runtime();
      const weeks: Record<string, unknown> = {};
      for (let week = 31; week <= 47; week++) {
        const stored = await rt.store.get('e2e', `2026-W${week}`);
        weeks[`2026-W${week}`] = stored && {
          metrics: stored.snapshot.metrics,
          quality: stored.snapshot.quality,
          inputFiles: stored.snapshot.inputFiles.map((f) => f.key).sort(),
        };
      }
      return weeks;
    } finally {
      bridge.stop();
      await h.stop();
    }
  }

  it('converge to the snapshots a serial run stores', async () => {
    const serial = await run(false);
    const concurrent = await run(true);
    expect(Object.values(serial).filter(Boolean).length).toBeGreaterThan(10);
    expect(concurrent).toEqual(serial);
  });
});
