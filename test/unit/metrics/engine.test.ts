/**
 * `computeSnapshots` end to end on in-memory export files: reading, de-duplication across
 * files, whole-file rejections, data quality and the snapshot envelope. Expected values are
 * worked out by hand in the comments.
 */
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { type DatasetName, parseConfig } from '../../../functions/core/config';
import { computeSnapshots } from '../../../functions/core/engine';
import { METRIC_IDS } from '../../../functions/core/metrics/catalogue';
import { withDeltas } from '../../../functions/core/metrics/deltas';
import { EngineError } from '../../../functions/core/metrics/plan';
import type { Snapshot } from '../../../functions/core/snapshot';
import type { ExportFile, RejectedRow } from '../../../functions/core/sources';
import { parsePeriodKey } from '../../../functions/core/time/periods';

const file = (dataset: DatasetName, key: string, body: string | Buffer, etag?: string) => {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const f: ExportFile = { dataset, key, open: async () => Readable.from(bytes) };
  if (etag !== undefined) f.etag = etag;
  return f;
};

const csv = (...lines: string[]) => `${lines.join('\n')}\n`;

const SUBS_HEADER = 'subscription_id,customer_id,started_at,ended_at,mrr';
const EVENTS_HEADER = 'event_id,user_id,occurred_at,event_type';

/** A gzip'd file cut short: its rows decode, then the gzip trailer is missing. */
const cutGzip = (text: string) => {
  const full = gzipSync(text);
  return full.subarray(0, full.length - 4);
};

function exportFiles(): ExportFile[] {
  return [
    // Listed out of key order on purpose: the engine reads each dataset in key order.
    file(
      'subscriptions',
      'subscriptions/2026-03-08.csv',
      csv(
        SUBS_HEADER,
        // b's subscription, exported again with its end: the later file wins (b churns).
        's2,b,2026-01-01T00:00:00Z,2026-03-05T00:00:00Z,20',
        // c's subscription twice in one file: the later row (still open) wins.
        's3,c,2026-01-01T00:00:00Z,2026-03-04T00:00:00Z,30',
        's3,c,2026-01-01T00:00:00Z,,30',
      ),
      '"etag-subs-2"',
    ),
    file(
      'subscriptions',
      'subscriptions/2026-03-01.csv',
      csv(
        SUBS_HEADER,
        's1,a,2026-01-01T00:00:00Z,,10',
        's2,b,2026-01-01T00:00:00Z,,20',
        's3,c,2026-01-01T00:00:00Z,,30',
        's4,d,not-a-date,,5',
      ),
      '"etag-subs-1"',
    ),
    // No started_at column: the whole file is rejected; customer z must not appear.
    file(
      'subscriptions',
      'subscriptions/2026-03-05-missing.csv',
      csv('subscription_id,customer_id,mrr', 's9,z,99'),
      '"etag-subs-missing"',
    ),
    // Cut short after its one row: rejected whole, and y must not appear either.
    file(
      'subscriptions',
      'subscriptions/2026-03-06-cut.csv.gz',
      cutGzip(csv(SUBS_HEADER, 's8,y,2026-01-01T00:00:00Z,,99')),
      '"etag-subs-cut"',
    ),
    file(
      'events',
      'events/a.csv',
      csv(EVENTS_HEADER, 'e1,u1,2026-03-03T10:00:00Z,app_open'),
      '"etag-ev-a"',
    ),
    file(
      'events',
      'events/b.csv',
      csv(
        EVENTS_HEADER,
        // A re-delivery of e1 with another type: the first occurrence is kept.
        'e1,u1,2026-03-03T10:00:00Z,purchase',
        'e2,u2,2026-03-04T10:00:00Z,app_open',
      ),
    ),
    // Events cut short: rejected whole, like a file of any other dataset (DATASETS.md
    // "Reader details"); none of its rows count.
    file(
      'events',
      'events/c.csv.gz',
      cutGzip(csv(EVENTS_HEADER, 'e3,u3,2026-03-05T10:00:00Z,app_open')),
    ),
    file('orders', 'orders/readme.txt', 'not an export'),
  ];
}

// UTC ISO weeks: W09 = [23 Feb, 2 Mar 2026), W10 = [2 Mar, 9 Mar 2026).
async function compute(options: { reportId?: string } = {}) {
  const config = parseConfig({});
  const rejected: RejectedRow[] = [];
  const progress: { dataset: DatasetName; file: string; bytes: number; rows: number }[] = [];
  const before = Date.now();
  const { snapshots } = await computeSnapshots({
    files: exportFiles(),
    config,
    periods: [parsePeriodKey('2026-W09', 'UTC'), parsePeriodKey('2026-W10', 'UTC')],
    ...options,
    onReject: (row) => rejected.push(row),
    onProgress: (p) => progress.push(p),
  });
  return { snapshots, rejected, progress, before, after: Date.now() };
}

const metricValue = (s: Snapshot | undefined, id: string) => {
  const mv = s?.metrics[id];
  if (!mv) throw new Error(`no ${id}`);
  return mv.value;
};

describe('computeSnapshots', () => {
  it('returns one snapshot per requested period, in order, with its period and envelope', async () => {
    // Act
    const { snapshots, before, after } = await compute();
    // Assess
    expect(snapshots.map((s) => s.period.key)).toEqual(['2026-W09', '2026-W10']);
    const w10 = snapshots[1] as Snapshot;
    expect(w10.period).toEqual({
      key: '2026-W10',
      kind: 'week',
      start: '2026-03-02T00:00:00+00:00',
      end: '2026-03-09T00:00:00+00:00',
      timezone: 'UTC',
    });
    expect(w10.reportId).toBe('engagement');
    expect(w10.currency).toBe('USD');
    const computedAt = Date.parse(w10.computedAt);
    expect(computedAt).toBeGreaterThanOrEqual(before);
    expect(computedAt).toBeLessThanOrEqual(after);
  });

  it('uses the reportId it is given over the configured one', async () => {
    const { snapshots } = await compute({ reportId: 'weekly-shop' });
    expect(snapshots.map((s) => s.reportId)).toEqual(['weekly-shop', 'weekly-shop']);
  });

  it('keeps the last row of a subscription across and within files (in key order)', async () => {
    const { snapshots } = await compute();
    const w10 = snapshots[1];
    // Kept rows: s1 a open; s2 b ends 5 Mar (file 2026-03-08 is read after 2026-03-01);
    // s3 c open (the later of its two rows in 2026-03-08). z and y are in rejected files.
    // W10: S = {a, b, c} = 3, E = {a, c} = 2, churned b → 1 / 3 × 100.
    expect(metricValue(w10, 'customers_start')).toBe(3);
    expect(metricValue(w10, 'customers_end')).toBe(2);
    expect(metricValue(w10, 'churned_customers')).toBe(1);
    expect(metricValue(w10, 'churn_rate')).toBeCloseTo(100 / 3, 12);
    // MRR at 2 Mar: 10 + 20 + 30 = 60 (no 99 from z or y).
    expect(metricValue(w10, 'mrr_start')).toBe(60);
  });

  it('reads the files in S3 key order, by UTF-8 bytes', async () => {
    // In UTF-8 "😀" (F0 9F 98 80) sorts after "｡" (EF BD A1); in UTF-16 code units it
    // sorts before (D83D < FF61). S3 lists the emoji file last, so its row of s1 wins:
    // the subscription ends on 5 Mar and a churns in W10.
    const header = 'subscription_id,customer_id,started_at,ended_at,mrr';
    const { snapshots } = await computeSnapshots({
      files: [
        file(
          'subscriptions',
          'subscriptions/😀.csv',
          csv(header, 's1,a,2026-01-01T00:00:00Z,2026-03-05T00:00:00Z,10'),
        ),
        file('subscriptions', 'subscriptions/｡.csv', csv(header, 's1,a,2026-01-01T00:00:00Z,,10')),
      ],
      config: parseConfig({}),
      periods: [parsePeriodKey('2026-W10', 'UTC')],
      onReject: () => {},
    });
    expect(metricValue(snapshots[0], 'churned_customers')).toBe(1);
    expect(snapshots[0]?.inputFiles.map((i) => i.key)).toEqual([
      'subscriptions/｡.csv',
      'subscriptions/😀.csv',
    ]);
  });

  it('keeps the first occurrence of an event id, and no row of an events file cut short', async () => {
    const { snapshots } = await compute();
    const w10 = snapshots[1];
    // Users with an event in W10: u1 (e1, first seen as app_open), u2 → 2 (u3 is only in the
    // cut file). Nobody has a purchase event: keeping the repeat of e1 would give 1 / 2.
    expect(metricValue(w10, 'wau')).toBe(2);
    expect(metricValue(w10, 'conversion_rate')).toBe(0);
  });

  it('records data quality per dataset, with whole-file rejections', async () => {
    const { snapshots } = await compute();
    const q = (snapshots[1] as Snapshot).quality;
    // subscriptions: 2026-03-01.csv 4 rows (1 rejected) + 2026-03-08.csv 3 rows; the two
    // rejected files count no rows. Duplicates: s3 within 2026-03-08 (1), then s2 and s3
    // replacing the rows of 2026-03-01 (2) → 3.
    expect(q.subscriptions).toEqual({
      rowsRead: 7,
      rowsAccepted: 6,
      rowsRejected: 1,
      duplicatesDropped: 3,
      firstReasons: [expect.stringMatching(/^subscriptions\/2026-03-01\.csv:5:started_at: /)],
      filesRejected: [
        {
          key: 'subscriptions/2026-03-05-missing.csv',
          reason: expect.stringMatching(/"started_at" is missing/),
        },
        {
          key: 'subscriptions/2026-03-06-cut.csv.gz',
          reason: expect.stringMatching(/not valid gzip or is cut short/),
        },
      ],
    });
    // events: a 1 + b 2 = 3 read and accepted (the cut file counts none), e1 repeated once.
    expect(q.events).toEqual({
      rowsRead: 3,
      rowsAccepted: 3,
      rowsRejected: 0,
      duplicatesDropped: 1,
      firstReasons: [],
      filesRejected: [{ key: 'events/c.csv.gz', reason: expect.stringMatching(/cut short/) }],
    });
    expect(q.orders).toEqual({
      rowsRead: 0,
      rowsAccepted: 0,
      rowsRejected: 0,
      duplicatesDropped: 0,
      firstReasons: [],
      filesRejected: [{ key: 'orders/readme.txt', reason: expect.stringMatching(/unsupported/) }],
    });
    // Datasets without files have no quality entry.
    expect(q.customers).toBeUndefined();
  });

  it('passes every rejected row to onReject', async () => {
    const { rejected } = await compute();
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({
      dataset: 'subscriptions',
      file: 'subscriptions/2026-03-01.csv',
      line: 5,
      column: 'started_at',
    });
  });

  it('lists every input file with its ETag, rejected ones included, by dataset and key', async () => {
    const { snapshots } = await compute();
    expect((snapshots[0] as Snapshot).inputFiles).toEqual([
      { dataset: 'subscriptions', key: 'subscriptions/2026-03-01.csv', etag: '"etag-subs-1"' },
      {
        dataset: 'subscriptions',
        key: 'subscriptions/2026-03-05-missing.csv',
        etag: '"etag-subs-missing"',
      },
      {
        dataset: 'subscriptions',
        key: 'subscriptions/2026-03-06-cut.csv.gz',
        etag: '"etag-subs-cut"',
      },
      { dataset: 'subscriptions', key: 'subscriptions/2026-03-08.csv', etag: '"etag-subs-2"' },
      { dataset: 'orders', key: 'orders/readme.txt' },
      { dataset: 'events', key: 'events/a.csv', etag: '"etag-ev-a"' },
      { dataset: 'events', key: 'events/b.csv' },
      { dataset: 'events', key: 'events/c.csv.gz' },
    ]);
  });

  it('reports the bytes and rows of each file', async () => {
    const { progress } = await compute();
    const files = exportFiles();
    const a = files.find((f) => f.key === 'events/a.csv') as ExportFile;
    const size = (await a.open()).read()?.length;
    expect(progress.find((p) => p.file === 'events/a.csv')).toEqual({
      dataset: 'events',
      file: 'events/a.csv',
      bytes: size,
      rows: 1,
    });
    // 40-byte header + "e1,u1,2026-03-03T10:00:00Z,app_open\n" (36 bytes) = 76 bytes.
    expect(size).toBe(76);
    expect(progress).toHaveLength(files.length);
  });

  it('has every catalogue metric, each with a value or a reason, and no deltas', async () => {
    const { snapshots } = await compute();
    for (const s of snapshots) {
      expect(Object.keys(s.metrics)).toEqual(METRIC_IDS);
      for (const [id, mv] of Object.entries(s.metrics)) {
        if (mv.value === null) expect(mv.reason, id).toMatch(/\w/);
        expect(mv.previous, id).toBeNull();
        expect(mv.delta, id).toBeNull();
      }
    }
    // Missing inputs are null with a reason, never 0.
    const w10 = snapshots[1] as Snapshot;
    expect(w10.metrics.revenue).toMatchObject({
      value: null,
      reason: 'the orders export has no accepted rows',
    });
    expect(w10.metrics.nps).toMatchObject({ value: null, reason: 'no survey_responses export' });
    expect(w10.metrics.clv_bgnbd?.value).toBeNull();
  });

  it('gives deltas against the previous period, and none without one', async () => {
    const { snapshots } = await compute();
    const [w09, w10] = snapshots as [Snapshot, Snapshot];
    // W09: S at 23 Feb = {a, b, c} = 3, all active at 2 Mar → churn 0 %.
    expect(metricValue(w09, 'churn_rate')).toBe(0);
    const first = withDeltas(w09, undefined);
    expect(first.metrics.churn_rate).toMatchObject({ value: 0, previous: null, delta: null });
    const second = withDeltas(w10, w09);
    // 33.33… % − 0 % = 33.33… pp.
    expect(second.metrics.churn_rate?.previous).toBe(0);
    expect(second.metrics.churn_rate?.delta).toBeCloseTo(100 / 3, 12);
    // customers_end 3 → 2: (2 − 3) / 3 × 100 = −33.33… %.
    expect(second.metrics.customers_end?.delta).toBeCloseTo(-100 / 3, 12);
  });

  it('gives null with a reason for a dataset whose files have no rows', async () => {
    // Prepare: a subscriptions export that is only a header, and a JSON Lines file with none.
    const files = [
      file('subscriptions', 'subscriptions/empty.csv', csv(SUBS_HEADER)),
      file('subscriptions', 'subscriptions/empty.jsonl', ''),
    ];
    // Act
    const { snapshots } = await computeSnapshots({
      files,
      config: parseConfig({}),
      periods: [parsePeriodKey('2026-W10', 'UTC')],
      onReject: () => {},
    });
    // Assess
    const s = snapshots[0] as Snapshot;
    for (const id of ['customers_start', 'churn_rate', 'new_customers', 'mrr_start']) {
      expect(s.metrics[id], id).toMatchObject({
        value: null,
        reason: 'the subscriptions export has no accepted rows',
      });
    }
    expect(s.quality.subscriptions).toMatchObject({ rowsRead: 0, filesRejected: [] });
  });

  it('rethrows a stream error that is not a problem of the file itself', async () => {
    // Prepare: storage failing mid-read.
    const failure = new Error('connection reset');
    const broken: ExportFile = {
      dataset: 'orders',
      key: 'orders/o.csv',
      open: async () =>
        Readable.from(
          (async function* () {
            yield Buffer.from('order_id,customer_id,ordered_at,amount\n');
            throw failure;
          })(),
        ),
    };
    // Act / Assess
    await expect(
      computeSnapshots({
        files: [broken],
        config: parseConfig({}),
        periods: [parsePeriodKey('2026-W10', 'UTC')],
        onReject: () => {},
      }),
    ).rejects.toBe(failure);
  });

  it('refuses periods in another time zone than the report', async () => {
    await expect(
      computeSnapshots({
        files: [],
        config: parseConfig({ timezone: 'Europe/Berlin' }),
        periods: [parsePeriodKey('2026-W10', 'UTC')],
        onReject: () => {},
      }),
    ).rejects.toThrow(
      new EngineError('period "2026-W10" is in UTC but the report\'s time zone is Europe/Berlin'),
    );
  });
});
