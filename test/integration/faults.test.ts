/**
 * Faults the stand-ins cannot produce, injected with aws-sdk-client-mock into one runtime's
 * clients: every other call passes through to the real stand-ins, so the state a fault
 * leaves behind (exports, snapshots, the send ledger, the SES store) is the real one.
 *
 * A mocked `send` bypasses the SDK's retry middleware, so each injected error stands for
 * one that is still failing after the SDK's own retries (those are tested at the HTTP
 * level in test/unit/adapters/clients.test.ts). What is checked here is what the job does
 * next: fail cleanly so the invocation's retry can finish, never lose or alter the user's
 * file, never send twice.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  CopyObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { MessageRejected, SESServiceException, SendRawEmailCommand } from '@aws-sdk/client-ses';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { S3Event } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { ReportConfigInput } from '../../functions/core/config';
import { DeliveryError, type ReportResult } from '../../functions/core/jobs/report';
import { createIngestHandler } from '../../functions/ingest';
import { createReportHandler } from '../../functions/report';
import { generateSample, type SampleResult } from '../../scripts/sample/generate';
import { type Harness, startHarness } from '../support/harness';
import { encodeEventKey } from '../support/standins';

const NOW = Date.parse('2026-11-23T15:00:00Z');
const now = () => NOW;
const CONFIG: ReportConfigInput = {
  reportId: 'faults',
  timezone: 'America/New_York',
  currency: 'USD',
  period: 'week',
  email: { recipients: ['team@example.com'], trendPeriods: 3 },
};

let h: Harness;
let sampleDir: string;
let sample: SampleResult;

beforeAll(async () => {
  sampleDir = mkdtempSync(join(tmpdir(), 'faults-sample-'));
  sample = await generateSample({
    seed: 11,
    outDir: sampleDir,
    start: '2026-09-01',
    months: 3,
    until: '2026-11-23',
    customers: 80,
    scale: 0.2,
  });
  h = await startHarness({ dynamodbEndpoint: inject('dynamodbEndpoint'), config: CONFIG });
  // The report reads exports/ directly; subscriptions and orders are enough for it.
  for (const file of sample.files) {
    if (file.dataset === 'customers' || file.dataset === 'subscriptions') {
      await h.putObject(`exports/${file.dataset}/${file.dataset}.csv`, readFileSync(file.path));
    }
  }
});
afterAll(async () => {
  await h?.stop();
  rmSync(sampleDir, { recursive: true, force: true });
});
beforeEach(async () => {
  await h.ses.clear();
});

/** The one S3 notification S3 sends for a new object. */
function s3Event(bucket: string, key: string): S3Event {
  return {
    Records: [
      {
        eventName: 'ObjectCreated:Put',
        s3: { bucket: { name: bucket }, object: { key: encodeEventKey(key), size: 1 } },
      },
    ],
  } as unknown as S3Event;
}

/**
 * A runtime whose DynamoDB, S3 and SES clients are mocked; each mocked command forwards to
 * a second, real runtime unless `fault` answers for it with an error to throw.
 */
function faultyRuntime(fault: {
  dynamodb?: (name: string, input: Record<string, unknown>) => Error | undefined;
  copy?: (input: Record<string, unknown>) => Error | undefined;
  ses?: (input: Record<string, unknown>) => Error | undefined;
}) {
  const rt = h.runtime();
  const real = h.runtime();
  const ddb = mockClient(rt.clients.dynamodb);
  const commands = { GetCommand, PutCommand, QueryCommand, UpdateCommand, DeleteCommand };
  for (const [name, Command] of Object.entries(commands)) {
    ddb.on(Command as typeof GetCommand).callsFake(async (input: Record<string, unknown>) => {
      const error = fault.dynamodb?.(name, input);
      if (error) throw error;
      return real.clients.dynamodb.send(new (Command as typeof GetCommand)(input as never));
    });
  }
  if (fault.copy) {
    const s3 = mockClient(rt.clients.s3);
    const passThrough = {
      HeadObjectCommand,
      GetObjectCommand,
      PutObjectCommand,
      ListObjectsV2Command,
      CopyObjectCommand,
    };
    for (const [name, Command] of Object.entries(passThrough)) {
      s3.on(Command as typeof HeadObjectCommand).callsFake(
        async (input: Record<string, unknown>) => {
          const error = name === 'CopyObjectCommand' ? fault.copy?.(input) : undefined;
          if (error) throw error;
          return real.clients.s3.send(new (Command as typeof HeadObjectCommand)(input as never));
        },
      );
    }
  }
  if (fault.ses) {
    const ses = mockClient(rt.clients.ses);
    ses.on(SendRawEmailCommand).callsFake(async (input: Record<string, unknown>) => {
      const error = fault.ses?.(input);
      if (error) throw error;
      return real.clients.ses.send(new SendRawEmailCommand(input as never));
    });
  }
  return rt;
}

const throttled = () =>
  new ProvisionedThroughputExceededException({
    message: 'The level of configured provisioned throughput for the table was exceeded.',
    $metadata: { httpStatusCode: 400 },
  });

describe('DynamoDB throttling during an ingest', () => {
  it('fails the invocation after the file is safe, and the retry stores the snapshot', async () => {
    const key = 'incoming/orders/orders.csv';
    const orders = sample.files.find((f) => f.dataset === 'orders');
    const bytes = readFileSync(orders?.path ?? '').toString('utf8');
    await h.putObject(key, bytes);

    const rt = faultyRuntime({
      dynamodb: (name) => (name === 'PutCommand' ? throttled() : undefined),
    });
    const ingest = createIngestHandler(() => rt, { now });
    await expect(ingest(s3Event(h.bucket, key))).rejects.toThrow(/provisioned throughput/);
    expect(await h.getText('exports/orders/orders.csv')).toBe(bytes);
    expect(await h.getText(key)).toBe(bytes);
    expect(await h.runtime().store.get('faults', '2026-W47')).toBeUndefined();

    // Lambda retries the event; DynamoDB has recovered.
    const retry = createIngestHandler(() => h.runtime(), { now });
    const { outcomes } = await retry(s3Event(h.bucket, key));
    expect(outcomes[0]?.status).toBe('accepted');
    expect((await h.runtime().store.get('faults', '2026-W47'))?.version).toBe(1);
  });
});

describe('S3 SlowDown while copying a drop', () => {
  it('writes nothing, leaves the drop alone, and the retry ingests it', async () => {
    const key = 'incoming/customers/new customers.csv';
    const customers = sample.files.find((f) => f.dataset === 'customers');
    const bytes = readFileSync(customers?.path ?? '').toString('utf8');
    await h.putObject(key, bytes);

    const slowDown = new S3ServiceException({
      name: 'SlowDown',
      $fault: 'server',
      message: 'Please reduce your request rate.',
      $metadata: { httpStatusCode: 503 },
    });
    const rt = faultyRuntime({ copy: () => slowDown });
    const ingest = createIngestHandler(() => rt, { now });
    await expect(ingest(s3Event(h.bucket, key))).rejects.toThrow(/reduce your request rate/);
    expect(await h.getText('exports/customers/new customers.csv')).toBeUndefined();
    expect(await h.getText('rejected/customers/new customers.csv.rejected.jsonl')).toBeUndefined();
    expect(await h.getText(key)).toBe(bytes);

    const retry = createIngestHandler(() => h.runtime(), { now });
    const { outcomes } = await retry(s3Event(h.bucket, key));
    expect(outcomes[0]?.status).toBe('accepted');
    expect(await h.getText('exports/customers/new customers.csv')).toBe(bytes);
  });
});

describe('SES throttling on every recipient', () => {
  it('gives the send claim back and fails, so the retry sends exactly once', async () => {
    const rt = faultyRuntime({
      ses: () =>
        new SESServiceException({
          name: 'Throttling',
          $fault: 'client',
          message: 'Maximum sending rate exceeded.',
          $metadata: { httpStatusCode: 400 },
        }),
    });
    const report = createReportHandler(() => rt, { now });
    const failure = await report({ period: '2026-W45' }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DeliveryError);
    expect((failure as DeliveryError).deliveries).toEqual([
      { to: 'team@example.com', status: 'failed', error: 'Maximum sending rate exceeded.' },
    ]);
    // Nothing went out: the recipient is left to the retry, with the count and the reason.
    expect(await h.runtime().ledger.sendsFor('faults', '2026-W45')).toMatchObject([
      {
        recipient: 'team@example.com',
        state: 'retry',
        attempts: 3,
        error: 'Maximum sending rate exceeded.',
      },
    ]);
    expect(await h.ses.emails()).toHaveLength(0);

    const retry = createReportHandler(() => h.runtime(), { now });
    const result = (await retry({ period: '2026-W45' })) as ReportResult;
    expect(result.messageId).toBeDefined();
    expect(await h.ses.emails()).toHaveLength(1);
  });
});

describe('SES MessageRejected for one recipient', () => {
  it('still sends to the others and reports the refused address', async () => {
    const rt = faultyRuntime({
      ses: (input) =>
        (input.Destinations as string[]).includes('bounce@example.com')
          ? new MessageRejected({
              message: 'Email address is not verified: bounce@example.com',
              $metadata: { httpStatusCode: 400 },
            })
          : undefined,
    });
    const report = createReportHandler(() => rt, { now });
    const result = (await report({
      period: '2026-W44',
      recipients: ['ceo@example.com', 'bounce@example.com', 'cfo@example.com'],
    })) as ReportResult;
    const byAddress = Object.fromEntries((result.deliveries ?? []).map((d) => [d.to, d]));
    expect(byAddress['bounce@example.com']?.status).toBe('rejected');
    expect(byAddress['bounce@example.com']?.error).toMatch(/MessageRejected.*not verified/);
    expect(byAddress['ceo@example.com']?.status).toBe('sent');
    expect(byAddress['cfo@example.com']?.status).toBe('sent');
    const emails = await h.ses.emails();
    expect(emails.map((e) => e.destination.to[0]).sort()).toEqual([
      'ceo@example.com',
      'cfo@example.com',
    ]);
    const records = await h.runtime().ledger.sendsFor('faults', '2026-W44');
    const state = Object.fromEntries(records.map((r) => [r.recipient, r.state]));
    expect(state).toEqual({
      'ceo@example.com': 'sent',
      'cfo@example.com': 'sent',
      'bounce@example.com': 'rejected',
    });
    expect(records.find((r) => r.recipient === 'bounce@example.com')?.error).toMatch(
      /MessageRejected.*not verified/,
    );
  });
});

describe('a crash between the send and the ledger write', () => {
  it('leaves the claim pending so the retried invocation does not email again', async () => {
    const crash = new Error('Lambda timed out (simulated)');
    const rt = faultyRuntime({
      dynamodb: (name, input) =>
        name === 'UpdateCommand' && String(input.UpdateExpression).includes('sentAt = :now')
          ? crash
          : undefined,
    });
    const report = createReportHandler(() => rt, { now });
    await expect(report({ period: '2026-W43' })).rejects.toBe(crash);
    expect(await h.ses.emails()).toHaveLength(1);

    const retry = createReportHandler(() => h.runtime(), { now });
    const result = (await retry({ period: '2026-W43' })) as ReportResult;
    expect(result.skipped).toBe('already-sent');
    expect(result.previousSend?.state).toBe('pending');
    expect(await h.ses.emails()).toHaveLength(1);
    // An operator who checked the inbox can still resend on purpose.
    const forced = (await retry({
      period: '2026-W43',
      force: true,
      recipients: ['team@example.com'],
    })) as ReportResult;
    expect(forced.messageId).toBeDefined();
    expect(await h.ses.emails()).toHaveLength(2);
  });
});

const throttle = () =>
  new SESServiceException({
    name: 'Throttling',
    $fault: 'client',
    message: 'Maximum sending rate exceeded.',
    $metadata: { httpStatusCode: 400 },
  });

describe('a failing address among working ones', () => {
  it('is retried alone with backoff, then recorded failed with the reason', async () => {
    // Prepare: flaky@ is throttled on every call; the waits are recorded, not slept.
    const calls: string[] = [];
    const delays: number[] = [];
    const rt = faultyRuntime({
      ses: (input) => {
        const to = (input.Destinations as string[])[0] ?? '';
        calls.push(to);
        return to === 'flaky@example.com' ? throttle() : undefined;
      },
    });
    const delivery = {
      attemptsPerRun: 3,
      maxAttempts: 6,
      baseDelayMs: 1000,
      sleep: async (ms: number) => {
        delays.push(ms);
      },
    };
    const report = createReportHandler(() => rt, { now, delivery });
    const request = { period: '2026-W42', recipients: ['ceo@example.com', 'flaky@example.com'] };

    // Act 1: the first run reaches ceo@, retries flaky@ three times, and fails so it reruns.
    const first = await report(request).catch((e: unknown) => e);

    // Assess 1
    expect(first).toBeInstanceOf(DeliveryError);
    expect((first as DeliveryError).deliveries.map((d) => [d.to, d.status])).toEqual([
      ['ceo@example.com', 'sent'],
      ['flaky@example.com', 'failed'],
    ]);
    expect(calls).toEqual([
      'ceo@example.com',
      'flaky@example.com',
      'flaky@example.com',
      'flaky@example.com',
    ]);
    expect(delays).toEqual([1000, 2000]);
    expect((await h.ses.emails()).map((e) => e.destination.to)).toEqual([['ceo@example.com']]);

    // Act 2: the rerun tries only flaky@, reaches the limit of 6 attempts and gives up.
    calls.length = 0;
    const second = await report(request).catch((e: unknown) => e);

    // Assess 2
    expect(second).toBeInstanceOf(DeliveryError);
    expect(calls).toEqual(['flaky@example.com', 'flaky@example.com', 'flaky@example.com']);
    expect(delays).toEqual([1000, 2000, 1000, 2000]);
    const records = await h.runtime().ledger.sendsFor('faults', '2026-W42');
    const flaky = records.find((r) => r.recipient === 'flaky@example.com');
    expect(flaky).toMatchObject({
      state: 'failed',
      attempts: 6,
      error: 'gave up after 6 attempts: Maximum sending rate exceeded.',
    });
    expect(records.find((r) => r.recipient === 'ceo@example.com')?.state).toBe('sent');

    // Act 3: a third run has nobody left to try.
    calls.length = 0;
    const third = (await report(request)) as ReportResult;
    expect(third.skipped).toBe('nothing-to-send');
    expect(calls).toEqual([]);
    expect(await h.ses.emails()).toHaveLength(1);
  });
});

describe('a crash between one recipient’s send and its ledger write', () => {
  it('leaves the crashed one pending, and the retry sends only to whoever was not reached', async () => {
    // Prepare: the second completion (second-…, recipients go out in sorted order) crashes.
    const crash = new Error('Lambda timed out (simulated)');
    let completions = 0;
    const rt = faultyRuntime({
      dynamodb: (name, input) => {
        if (name !== 'UpdateCommand' || !String(input.UpdateExpression).includes('sentAt = :now')) {
          return undefined;
        }
        completions += 1;
        return completions === 2 ? crash : undefined;
      },
    });
    const request = {
      period: '2026-W41',
      recipients: ['second@example.com', 'first@example.com', 'third@example.com'],
    };

    // Act
    await expect(createReportHandler(() => rt, { now })(request)).rejects.toBe(crash);
    const retried = (await createReportHandler(() => h.runtime(), { now })(
      request,
    )) as ReportResult;

    // Assess: the retry tried only third@, which the crash stopped before.
    const emails = await h.ses.emails();
    expect(emails.map((e) => e.destination.to[0]).sort()).toEqual([
      'first@example.com',
      'second@example.com',
      'third@example.com',
    ]);
    expect(retried.deliveries?.map((d) => d.to)).toEqual(['third@example.com']);
    const records = await h.runtime().ledger.sendsFor('faults', '2026-W41');
    expect(Object.fromEntries(records.map((r) => [r.recipient, r.state]))).toEqual({
      'first@example.com': 'sent',
      'second@example.com': 'pending',
      'third@example.com': 'sent',
    });
    // A third run sends nothing at all: pending might have gone out.
    const again = (await createReportHandler(() => h.runtime(), { now })(request)) as ReportResult;
    expect(again.skipped).toBe('already-sent');
    expect(await h.ses.emails()).toHaveLength(3);
  });
});

describe('force', () => {
  it('re-sends to the named recipients only, and to everyone only when asked', async () => {
    const report = createReportHandler(() => h.runtime(), { now });
    const request = { period: '2026-W40', recipients: ['ceo@example.com', 'cfo@example.com'] };
    await report(request);
    expect(await h.ses.emails()).toHaveLength(2);

    // Act: force naming cfo@ only.
    const forced = (await report({
      period: '2026-W40',
      recipients: ['cfo@example.com'],
      force: true,
    })) as ReportResult;

    // Assess
    expect(forced.deliveries?.map((d) => [d.to, d.status])).toEqual([['cfo@example.com', 'sent']]);
    const tos = (await h.ses.emails()).map((e) => e.destination.to[0]);
    expect(tos.filter((t) => t === 'cfo@example.com')).toHaveLength(2);
    expect(tos.filter((t) => t === 'ceo@example.com')).toHaveLength(1);

    // force without names would re-send to everyone: refused, with the fix named.
    await expect(report({ period: '2026-W40', force: true })).rejects.toThrow(
      /recipients you name.*"force": "all"/,
    );
    const all = (await report({ period: '2026-W40', force: 'all' })) as ReportResult;
    expect(all.deliveries?.map((d) => d.to)).toEqual(['team@example.com']);
    const records = await h.runtime().ledger.sendsFor('faults', '2026-W40');
    expect(records.find((r) => r.recipient === 'cfo@example.com')?.claims).toBe(2);
  });
});

describe('email.revisions mode "mark"', () => {
  it('marks a sent period revised after a late file and sends nothing', async () => {
    // Prepare: W38 (14–20 September) sent, then a runtime whose config only marks.
    await createReportHandler(() => h.runtime(), { now })({ period: '2026-W38' });
    await h.ses.clear();
    const rt = h.runtime();
    const config = rt.env.config;
    const marking = {
      ...rt,
      env: {
        ...rt.env,
        config: {
          ...config,
          email: { ...config.email, revisions: { mode: 'mark' as const, minChange: 0 } },
        },
      },
    };
    const key = 'incoming/orders/late september.csv';
    await h.putObject(
      key,
      'order_id,customer_id,ordered_at,amount,currency,status\nlate-0002,cus_00018,2026-09-16T10:00:00-04:00,50.00,USD,paid\n',
    );

    // Act
    const { outcomes, revisions } = await createIngestHandler(() => marking, { now })(
      s3Event(h.bucket, key),
    );

    // Assess
    expect(outcomes[0]?.status).toBe('accepted');
    expect(revisions).toEqual([]);
    expect((await rt.store.get('faults', '2026-W38'))?.snapshot.revised).toBe(true);
    expect(await h.ses.emails()).toEqual([]);
    expect((await rt.ledger.revisions('faults', '2026-W38')).map((r) => r.revision)).toEqual([0]);
  });
});

describe('a connection that breaks after the request went out', () => {
  it('keeps the claim pending instead of retrying, since SES may have sent it', async () => {
    let calls = 0;
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const rt = faultyRuntime({
      ses: () => {
        calls += 1;
        return reset;
      },
    });
    const report = createReportHandler(() => rt, { now });
    const failure = await report({ period: '2026-W39' }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DeliveryError);
    expect(calls).toBe(1);
    const [record] = await h.runtime().ledger.sendsFor('faults', '2026-W39');
    expect(record?.state).toBe('pending');
    const retried = (await createReportHandler(() => h.runtime(), { now })({
      period: '2026-W39',
    })) as ReportResult;
    expect(retried.skipped).toBe('already-sent');
  });
});

describe('an unexpected DynamoDB write error (TransactionCanceled) during an ingest', () => {
  // The code writes no transactions; this stands for any write error it does not expect.
  it('fails the invocation with the error, keeps the file, and the retry stores the snapshot', async () => {
    const key = 'incoming/orders/more orders.csv';
    const bytes =
      'order_id,customer_id,ordered_at,amount,currency,status\nmore-1,cus_00001,2026-11-18T10:00:00-05:00,12.00,USD,paid\n';
    await h.putObject(key, bytes);
    const canceled = new TransactionCanceledException({
      message:
        'Transaction cancelled, please refer cancellation reasons for specific reasons [None]',
      CancellationReasons: [{ Code: 'None' }],
      $metadata: { httpStatusCode: 400 },
    });

    const rt = faultyRuntime({
      dynamodb: (name) => (name === 'PutCommand' ? canceled : undefined),
    });
    const ingest = createIngestHandler(() => rt, { now });
    await expect(ingest(s3Event(h.bucket, key))).rejects.toThrow(/Transaction cancelled/);
    expect(await h.getText('exports/orders/more orders.csv')).toBe(bytes);
    const before = await h.runtime().store.get('faults', '2026-W47');
    expect(before?.snapshot.inputFiles.map((f) => f.key)).not.toContain(
      'exports/orders/more orders.csv',
    );

    // Lambda retries the event; the write goes through.
    const retry = createIngestHandler(() => h.runtime(), { now });
    const { outcomes } = await retry(s3Event(h.bucket, key));
    expect(outcomes[0]?.status).toBe('accepted');
    const after = await h.runtime().store.get('faults', '2026-W47');
    expect(after?.snapshot.inputFiles.map((f) => f.key)).toContain(
      'exports/orders/more orders.csv',
    );
  });
});
