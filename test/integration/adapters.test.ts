/**
 * The AWS adapters against the real local stand-ins, through the production SDK clients:
 * S3 (s3rver), DynamoDB (DynamoDB Local) and SES (aws-ses-v2-local).
 */
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Runtime } from '../../functions/adapters/runtime';
import { S3ExportSource } from '../../functions/adapters/s3';
import { RecipientRejectedError, VersionConflictError } from '../../functions/core/jobs/ports';
import type { Snapshot } from '../../functions/core/snapshot';
import { fixtureSnapshot, weekPeriod } from '../fixtures/report-snapshot';
import { type Harness, SENDER, startHarness } from '../support/harness';

let h: Harness;
let rt: Runtime;

beforeAll(async () => {
  h = await startHarness({
    dynamodbEndpoint: inject('dynamodbEndpoint'),
    config: { reportId: 'adapters', timezone: 'America/New_York' },
  });
  rt = h.runtime();
});
afterAll(async () => {
  await h?.stop();
});

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

function snapshotOf(week: number, churn: number): Snapshot {
  const s = fixtureSnapshot();
  s.reportId = 'adapters';
  s.period = weekPeriod(week);
  s.metrics = {
    churn_rate: {
      ...(s.metrics.churn_rate as NonNullable<Snapshot['metrics'][string]>),
      value: churn,
    },
  };
  s.inputFiles = [{ dataset: 'orders', key: 'listed/orders/a.csv', etag: 'abc' }];
  return s;
}

describe('S3ObjectStore', () => {
  it('stores a streamed body byte for byte (no aws-chunked framing)', async () => {
    const body = `customer_id,created_at\n${'c1,2026-01-01\n'.repeat(5000)}`;
    await rt.objects.put('scratch/stream.csv', Readable.from([body]), 'text/csv');
    expect(await h.getText('scratch/stream.csv')).toBe(body);
  });

  it('copies a key with spaces and non-ASCII characters', async () => {
    const from = 'incoming/orders/Mai 2026 – Bestellungen (é).csv';
    await h.putObject(from, 'order_id\n1\n');
    const info = await rt.objects.head(from);
    expect(info?.size).toBe(11);
    await rt.objects.copy(from, 'exports/orders/Mai 2026 – Bestellungen (é).csv', info?.etag);
    expect(await h.getText('exports/orders/Mai 2026 – Bestellungen (é).csv')).toBe('order_id\n1\n');
  });

  // s3rver ignores If-Match and x-amz-copy-source-if-match, so the refusal to copy or read
  // a replaced version is tested against S3's answer in test/unit/adapters/s3.test.ts.

  it('answers undefined for a missing object', async () => {
    expect(await rt.objects.head('nothing/here')).toBeUndefined();
  });
});

describe('S3ExportSource', () => {
  it('lists every export across pages, sorted, skipping objects outside a dataset folder', async () => {
    for (const key of [
      'listed/orders/b.csv',
      'listed/orders/a.csv',
      'listed/customers/c.jsonl',
      'listed/not-a-dataset/x.csv',
      'listed/loose.csv',
    ]) {
      await h.putObject(key, 'x\n');
    }
    const source = new S3ExportSource(rt.clients.s3, h.bucket, { prefix: 'listed/', pageSize: 2 });
    const files = await source.list();
    expect(files.map((f) => [f.dataset, f.key])).toEqual([
      ['customers', 'listed/customers/c.jsonl'],
      ['orders', 'listed/orders/a.csv'],
      ['orders', 'listed/orders/b.csv'],
    ]);
    expect(files[0]?.etag).toMatch(/^[0-9a-f]{32}$/);
    expect(await text(await (files[1] as (typeof files)[number]).open())).toBe('x\n');
  });
});

describe('DynamoDbSnapshotStore', () => {
  it('writes version 1, then only over the version it read', async () => {
    const s = snapshotOf(40, 2.5);
    expect(await rt.store.put(s, undefined, { configHash: 'h1' })).toBe(1);
    await expect(rt.store.put(s, undefined)).rejects.toBeInstanceOf(VersionConflictError);
    expect(await rt.store.put(snapshotOf(40, 3), 1, { configHash: 'h2' })).toBe(2);
    // A writer still holding version 1 loses.
    await expect(rt.store.put(snapshotOf(40, 9), 1)).rejects.toBeInstanceOf(VersionConflictError);
    const stored = await rt.store.get('adapters', '2026-W40');
    expect(stored?.version).toBe(2);
    expect(stored?.configHash).toBe('h2');
    expect(stored?.snapshot.metrics.churn_rate?.value).toBe(3);
    expect(stored?.snapshot.inputFiles).toEqual([
      { dataset: 'orders', key: 'listed/orders/a.csv', etag: 'abc' },
    ]);
  });

  it('lets exactly one of two concurrent first writers win', async () => {
    const results = await Promise.allSettled([
      rt.store.put(snapshotOf(30, 1), undefined),
      rt.store.put(snapshotOf(30, 2), undefined),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(lost.reason).toBeInstanceOf(VersionConflictError);
  });

  it('lists recent snapshots newest first, up to a period', async () => {
    for (const week of [41, 42, 43]) await rt.store.put(snapshotOf(week, week), undefined);
    const recent = await rt.store.listRecent('adapters', 3, '2026-W42');
    expect(recent.map((s) => s.period.key)).toEqual(['2026-W42', '2026-W41', '2026-W40']);
    expect(await rt.store.get('adapters', '2026-W39')).toBeUndefined();
  });
});

describe('DynamoDbSendLedger', () => {
  const send = (week: number, recipient = 'B@example.com', revision = 0) => ({
    reportId: 'adapters',
    periodKey: `2026-W${week}`,
    revision,
    recipient,
  });

  it('grants one claim per report, period, revision and recipient, in any case', async () => {
    const first = await rt.ledger.claim(send(44));
    expect(first.claimed).toBe(true);
    const again = await rt.ledger.claim(send(44, 'b@EXAMPLE.com'));
    expect(again.claimed).toBe(false);
    if (again.claimed) return;
    expect(again.existing.state).toBe('pending');
    expect(again.existing.recipient).toBe('b@example.com');
    // Another recipient is another send, and so is another revision of the numbers.
    expect((await rt.ledger.claim(send(44, 'cfo@example.com'))).claimed).toBe(true);
    expect((await rt.ledger.claim(send(44, 'b@example.com', 1))).claimed).toBe(true);
  });

  it('records the outcome only for the holder of the claim', async () => {
    const claim = await rt.ledger.claim(send(45));
    if (!claim.claimed) throw new Error('expected a claim');
    expect(await rt.ledger.complete(send(45), 'not-the-token', { state: 'sent' }, 1)).toBe(false);
    expect(
      await rt.ledger.complete(send(45), claim.token, { state: 'sent', messageId: 'm1' }, 1),
    ).toBe(true);
    const [record] = await rt.ledger.sendsFor('adapters', '2026-W45');
    expect(record?.state).toBe('sent');
    expect(record?.messageId).toBe('m1');
    expect(record?.attempts).toBe(1);
    // Sent is final: no second claim without force.
    expect((await rt.ledger.claim(send(45))).claimed).toBe(false);
  });

  it('gives a refused claim back with its count and reason, so the next claim succeeds', async () => {
    const claim = await rt.ledger.claim(send(46));
    if (!claim.claimed) throw new Error('expected a claim');
    await rt.ledger.release(send(46), claim.token, 'Maximum sending rate exceeded.', 3);
    const [record] = await rt.ledger.sendsFor('adapters', '2026-W46');
    expect(record?.state).toBe('retry');
    expect(record?.error).toBe('Maximum sending rate exceeded.');
    const next = await rt.ledger.claim(send(46));
    expect(next.claimed).toBe(true);
    expect(next.claimed && next.attempts).toBe(3);
  });

  it('takes a claim over with force and counts the claim', async () => {
    const first = await rt.ledger.claim(send(47));
    if (!first.claimed) throw new Error('expected a claim');
    await rt.ledger.complete(send(47), first.token, { state: 'sent', messageId: 'm1' }, 1);
    const forced = await rt.ledger.claim(send(47), { force: true });
    expect(forced.claimed).toBe(true);
    const [record] = await rt.ledger.sendsFor('adapters', '2026-W47');
    expect(record?.state).toBe('pending');
    expect(record?.claims).toBe(2);
    // The first holder can no longer complete it.
    expect(await rt.ledger.complete(send(47), first.token, { state: 'sent' }, 1)).toBe(false);
  });

  it('keeps a failed or refused recipient with the reason, and does not hand it out again', async () => {
    const claim = await rt.ledger.claim(send(49));
    if (!claim.claimed) throw new Error('expected a claim');
    const reason = 'gave up after 6 attempts: Maximum sending rate exceeded.';
    await rt.ledger.complete(send(49), claim.token, { state: 'failed', error: reason }, 3);
    const again = await rt.ledger.claim(send(49));
    expect(again.claimed).toBe(false);
    if (again.claimed) return;
    expect(again.existing).toMatchObject({ state: 'failed', error: reason, attempts: 3 });
  });

  it('lets exactly one of five concurrent claims win', async () => {
    const claims = await Promise.all(
      Array.from({ length: 5 }, () => rt.ledger.claim(send(48)).catch((e) => e)),
    );
    expect(claims.filter((c) => c.claimed === true)).toHaveLength(1);
  });

  it('records each revision of a period once, oldest first', async () => {
    const revision = (n: number, value: number | null) => ({
      reportId: 'adapters',
      periodKey: '2026-W40',
      revision: n,
      snapshotVersion: n + 1,
      metrics: { revenue: { value, unit: 'money' as const } },
      createdAt: '2026-11-23T15:00:00.000Z',
    });
    expect(await rt.ledger.addRevision(revision(1, 110))).toBe(true);
    expect(await rt.ledger.addRevision(revision(0, null))).toBe(true);
    expect(await rt.ledger.addRevision(revision(1, 999))).toBe(false);
    expect(await rt.ledger.revisions('adapters', '2026-W40')).toEqual([
      revision(0, null),
      revision(1, 110),
    ]);
    // Revisions are not sends.
    expect(await rt.ledger.sendsFor('adapters', '2026-W40')).toEqual([]);
  });
});

describe('SesMailer', () => {
  it('sends one raw email with its inline image to the SES stand-in', async () => {
    await h.ses.clear();
    const png = Buffer.from('89504e470d0a1a0a', 'hex');
    const { messageId } = await rt.mailer.send({
      from: SENDER,
      to: 'ops@example.com',
      subject: 'Weekly report – 2026-W44',
      html: '<p>Hello <img src="cid:trend-churn"></p>',
      text: 'Hello',
      images: [
        { cid: 'trend-churn', filename: 'churn.png', contentType: 'image/png', content: png },
      ],
    });
    const emails = await h.ses.emails();
    expect(emails).toHaveLength(1);
    expect(emails[0]?.messageId).toBe(messageId);
    expect(emails[0]?.subject).toBe('Weekly report – 2026-W44');
    expect(emails[0]?.destination.to).toEqual(['ops@example.com']);
    expect(emails[0]?.attachments.map((a) => a.cid)).toContain('trend-churn');
  });

  it('refuses a malformed recipient address itself', async () => {
    await expect(
      rt.mailer.send({
        from: SENDER,
        to: 'not an address',
        subject: 's',
        html: '',
        text: '',
        images: [],
      }),
    ).rejects.toBeInstanceOf(RecipientRejectedError);
  });
});
