/**
 * A seeded fault campaign: the real ingest and report handlers, driven against the local
 * stand-ins (s3rver, DynamoDB Local, the SES stand-in) through the real SDK clients, with a
 * fault plan injected at the client boundary by SDK middleware. Most calls reach the
 * stand-ins; a seeded PRNG decides per call whether one fails, and how:
 *
 * - S3: SlowDown (503), InternalError (500), a timeout before the request, a timeout after
 *   a PUT or COPY was applied, a GET body cut mid-file (on HEAD, GET, PUT, COPY, LIST);
 * - DynamoDB: ProvisionedThroughputExceeded, a timeout after a write was applied, a
 *   TransactionCanceled on a write (an error the code does not expect: it writes no
 *   transactions), and a real competing writer that stores the snapshot item first
 *   (DynamoDB Local then answers the job's conditional put with a real ConditionalCheckFailed);
 * - SES: Throttling, a timeout after SES accepted the message, and MessageRejected for the
 *   run's "bouncing" recipients;
 * - a crash: the process dies before or after a call (every later call of that invocation
 *   fails too, as nothing of a dead process reaches AWS), at any step boundary;
 * - in some runs, a file replaced under the same key (a second upload of other bytes)
 *   while its ingest runs: before its GET, before its copy into exports/, or just after.
 *
 * Those faults sit in the `build` step, outside the SDK's retry loop: each stands for an
 * error still failing after the SDK's own retries. A second middleware in the `deserialize`
 * step, inside the loop, fails the first HTTP attempt of some calls with a retryable error
 * (503, throttling) that the SDK retries away. A failed invocation is retried with a fresh
 * runtime as Lambda's asynchronous invoke does (3 attempts in all, faults on), then
 * redriven from the dead-letter queue without faults (the outage is over), as an operator
 * would.
 *
 * Each run: drop the files, ingest them (shuffled, some events delivered twice, some
 * invocations concurrent), send the reports of the last two weeks (some invoked twice at
 * once), ingest a late file that revises both (its event maybe delivered twice at once),
 * and run each report once more past the send lease (the final retry: it records the
 * claims left pending as `unknown`). The invariants are checked against one fault-free
 * serial run of the same inputs.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import {
  DynamoDBClient,
  GetItemCommand,
  ProvisionedThroughputExceededException,
  PutItemCommand,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { HeadObjectCommand, type S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { MessageRejected, SESServiceException } from '@aws-sdk/client-ses';
import type { AwsClients } from '../../functions/adapters/clients';
import type { DatasetName, ReportConfigInput } from '../../functions/core/config';
import { DEFAULT_DELIVERY } from '../../functions/core/jobs/deliver';
import { mayHaveBeenSent, type SendRecord } from '../../functions/core/jobs/ports';
import type { Snapshot } from '../../functions/core/snapshot';
import { createIngestHandler, type IngestResponse } from '../../functions/ingest';
import { createReportHandler } from '../../functions/report';
import { generateSample } from '../../scripts/sample/generate';
import { Rng } from '../../scripts/sample/prng';
import { type Harness, startHarness } from '../support/harness';
import { encodeEventKey, STANDIN_CREDENTIALS, STANDIN_REGION } from '../support/standins';

// ---------------------------------------------------------------------------------------
// The scenario's fixed inputs
// ---------------------------------------------------------------------------------------

/** Monday 23 November 2026, 10:00 in New York: the last closed week is 2026-W47. */
const NOW = Date.parse('2026-11-23T15:00:00Z');
const now = () => NOW;
export const REPORT_ID = 'chaos';
const RECIPIENTS = ['ana@example.com', 'bo@example.com', 'cy@example.com'];
const CONFIG: ReportConfigInput = {
  reportId: REPORT_ID,
  name: 'Chaos weekly',
  timezone: 'America/New_York',
  currency: 'USD',
  period: 'week',
  email: { recipients: RECIPIENTS, trendPeriods: 3 },
};
const REPORT_PERIODS = ['2026-W46', '2026-W47'];
/** Retries within a run are not slept: the campaign measures outcomes, not waiting. */
const DELIVERY = { sleep: async () => {} };
/** Lambda's asynchronous invoke: the first attempt and two retries. */
const LAMBDA_ATTEMPTS = 3;
/** Redrives from the dead-letter queue after the outage (no faults). */
const REDRIVES = 2;
/** Chance that another writer stores a snapshot item just before the job's conditional put. */
const COMPETING_WRITER_CHANCE = 0.15;
/** SES calls are few (one per recipient): they fail this many times as often. */
const SES_RATE_FACTOR = 3;

interface InputFile {
  key: string;
  bytes: Buffer;
}

/** Orders in W46 and W47 (both reported before it arrives), and one bad row. */
const LATE_ORDERS = [
  'order_id,customer_id,ordered_at,amount,currency,status',
  'late-0001,cus_00003,2026-11-10T10:00:00-05:00,40.00,USD,paid',
  'late-0002,cus_00004,2026-11-18T11:30:00-05:00,75.50,USD,paid',
  'late-0003,cus_00005,2026-11-19T09:15:00-05:00,12.25,USD,paid',
  'late-0004,cus_00006,not-a-date,10.00,USD,paid',
  '',
].join('\n');

/** Orders overlapping the sample's own weeks, with one bad amount. */
const EXTRA_ORDERS = [
  'order_id,customer_id,ordered_at,amount,currency,status',
  'extra-0001,cus_00001,2026-11-03T12:00:00-05:00,19.99,USD,paid',
  'extra-0002,cus_00002,2026-11-12T16:00:00-05:00,250.00,USD,paid',
  'extra-0003,cus_00002,2026-11-13T16:00:00-05:00,abc,USD,paid',
  'extra-0004,cus_00007,2026-11-17T08:00:00-05:00,5.00,USD,refunded',
  '',
].join('\n');

export interface Inputs {
  base: InputFile[];
  late: InputFile;
  /**
   * A first version of one base file (one valid amount differs: same rows, same periods,
   * same rejected row), which some runs drop first and replace during its ingest.
   */
  replaced: InputFile;
}

/** The sample generator's customers, subscriptions and orders (small), plus two hand-made files. */
export async function prepareInputs(): Promise<Inputs> {
  const dir = mkdtempSync(join(tmpdir(), 'chaos-sample-'));
  try {
    const sample = await generateSample({
      seed: 5,
      outDir: dir,
      start: '2026-10-19',
      months: 2,
      until: '2026-11-23',
      customers: 30,
      scale: 0.1,
    });
    const wanted: DatasetName[] = ['customers', 'subscriptions', 'orders'];
    const base = wanted.map((dataset) => {
      const file = sample.files.find((f) => f.dataset === dataset);
      if (!file) throw new Error(`the sample has no ${dataset} file`);
      return { key: `incoming/${dataset}/${dataset} export.csv`, bytes: readFileSync(file.path) };
    });
    base.push({ key: 'incoming/orders/extra orders.csv', bytes: Buffer.from(EXTRA_ORDERS) });
    return {
      base,
      late: { key: 'incoming/orders/late orders é.csv', bytes: Buffer.from(LATE_ORDERS) },
      replaced: {
        key: 'incoming/orders/extra orders.csv',
        bytes: Buffer.from(EXTRA_ORDERS.replace(',19.99,', ',91.99,')),
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function s3Event(bucket: string, key: string) {
  return {
    Records: [
      {
        eventName: 'ObjectCreated:Put',
        s3: { bucket: { name: bucket }, object: { key: encodeEventKey(key), size: 1 } },
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------
// Fault injection
// ---------------------------------------------------------------------------------------

export const FAULT_KINDS = [
  's3.SlowDown',
  's3.InternalError',
  's3.timeout',
  's3.timeoutAfterApply',
  's3.getStreamCut',
  's3.replacedDuringIngest',
  'dynamodb.throughputExceeded',
  'dynamodb.timeoutAfterApply',
  'dynamodb.competingWriter',
  'dynamodb.transactionCanceled',
  'ses.Throttling',
  'ses.timeoutAfterAccept',
  'ses.MessageRejected',
  'crash.beforeCall',
  'crash.afterCall',
  'retried.s3.ServiceUnavailable',
  'retried.dynamodb.throughputExceeded',
  'retried.ses.Throttling',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** The process died (thrown out of the handler; never caught as an AWS error). */
export class SimulatedCrash extends Error {
  constructor(where: string) {
    super(`the process died ${where} (simulated)`);
    this.name = 'SimulatedCrash';
  }
}

function timeout(): Error {
  return Object.assign(new Error('Connection timed out after 3000 ms (simulated)'), {
    name: 'TimeoutError',
    code: 'ETIMEDOUT',
  });
}

function s3Error(name: 'SlowDown' | 'InternalError'): Error {
  return new S3ServiceException({
    name,
    $fault: 'server',
    message:
      name === 'SlowDown'
        ? 'Please reduce your request rate.'
        : 'We encountered an internal error.',
    $metadata: { httpStatusCode: name === 'SlowDown' ? 503 : 500 },
  });
}

/** A body that delivers the first `limit` bytes and then fails as a reset connection does. */
function cutAfter(body: Readable, limit: number): Readable {
  const out = new PassThrough();
  // A body the job abandoned (its invocation already failed) has no reader left; a real
  // process would just drop the socket, so its error must not end the campaign's process.
  out.on('error', () => {});
  let seen = 0;
  let cut = false;
  body.on('data', (chunk: Buffer) => {
    if (cut) return;
    if (seen + chunk.length >= limit) {
      cut = true;
      out.write(chunk.subarray(0, limit - seen));
      body.destroy();
      out.destroy(
        Object.assign(new Error('aborted (simulated cut mid-file)'), { code: 'ECONNRESET' }),
      );
      return;
    }
    seen += chunk.length;
    out.write(chunk);
  });
  body.on('end', () => {
    if (!cut) out.end();
  });
  body.on('error', (error) => {
    if (!cut) out.destroy(error);
  });
  return out;
}

export interface Collisions {
  /** Conditional snapshot puts that lost to a competing writer the plan injected. */
  snapshotInjected: number;
  /** Conditional snapshot puts that lost to a concurrent invocation of the run itself. */
  snapshotConcurrent: number;
  /** Send claims refused because the record existed (a retry, a duplicate, a concurrent run). */
  claim: number;
  /** Revision records another writer had written first. */
  revision: number;
}

interface Stats {
  faults: Record<FaultKind, number>;
  collisions: Collisions;
  /** Distinct crash points hit: handler, the call's position in the invocation, before/after. */
  crashPoints: Set<string>;
  calls: number;
  /** Ingests that found their file replaced mid-way and left it to the newer upload's event. */
  superseded: number;
}

function emptyStats(): Stats {
  return {
    faults: Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>,
    collisions: { snapshotInjected: 0, snapshotConcurrent: 0, claim: 0, revision: 0 },
    crashPoints: new Set(),
    calls: 0,
    superseded: 0,
  };
}

type Attr = { S?: string; N?: string };
/** A middleware, typed loosely: one function serves three clients' stacks. */
type Middleware = (
  next: (args: unknown) => Promise<{ output: Record<string, unknown> }>,
  context: { commandName?: string },
) => (args: { input: Record<string, unknown> }) => Promise<unknown>;
interface AnyStack {
  add(
    middleware: Middleware,
    options: { step: 'build' | 'deserialize'; name: string; priority: 'low' },
  ): void;
}

/**
 * A step of an ingest the run replaces its file at: a second upload of other bytes under
 * the same key, between the ingest's reading and its copy, or right after the copy.
 */
export interface Replacement {
  key: string;
  /** The call before which (or, for `afterCopy`, after which) the new bytes are uploaded. */
  at: 'beforeGet' | 'beforeCopy' | 'afterCopy';
  bytes: Buffer;
  put: (key: string, bytes: Buffer) => Promise<void>;
  done: boolean;
}

/**
 * The fault plan of one invocation attempt, attached to that attempt's fresh clients. Its
 * PRNG is forked from the run's seed and the attempt's label, so the plan of an invocation
 * depends on its own calls only, not on how concurrent invocations interleave.
 */
class Injector {
  dead = false;
  private call = 0;

  constructor(
    private readonly rng: Rng,
    private readonly rate: number,
    private readonly stats: Stats,
    private readonly handler: string,
    private readonly bouncing: ReadonlySet<string>,
    private readonly competitor: DynamoDBClient,
    private readonly replacement?: Replacement,
  ) {}

  attach(clients: AwsClients, heads: S3Client): void {
    const options = { step: 'build' as const, name: 'chaosFaults', priority: 'low' as const };
    // The deserialize step runs inside the SDK's retry loop, once per HTTP attempt.
    const inner = {
      step: 'deserialize' as const,
      name: 'chaosRetriedFaults',
      priority: 'low' as const,
    };
    const stacks = {
      s3: clients.s3.middlewareStack,
      dynamodb: clients.dynamodb.middlewareStack,
      ses: clients.ses.middlewareStack,
    };
    for (const [service, stack] of Object.entries(stacks)) {
      const name = service as keyof typeof stacks;
      (stack as unknown as AnyStack).add(this.middleware(name), options);
      (stack as unknown as AnyStack).add(this.retriedMiddleware(name), inner);
    }
    (clients.s3.middlewareStack as unknown as AnyStack).add(s3Preconditions(heads), {
      step: 'deserialize',
      name: 'chaosS3Preconditions',
      priority: 'low',
    });
  }

  /**
   * A retryable error on the first HTTP attempt of a call, below the SDK's retry
   * middleware: the SDK backs off and retries it, and the job never sees it (unless the
   * retry itself fails). Once per call, so the SDK's own attempts are not exhausted.
   */
  private retriedMiddleware(service: 's3' | 'dynamodb' | 'ses'): Middleware {
    const seen = new WeakSet<object>();
    return (next, context) => async (args: { input: Record<string, unknown> }) => {
      if (!seen.has(context)) {
        seen.add(context);
        if (this.rate > 0 && this.rng.chance(this.rate)) {
          const meta = { httpStatusCode: 503 };
          if (service === 's3') {
            this.count('retried.s3.ServiceUnavailable');
            throw new S3ServiceException({
              name: 'ServiceUnavailable',
              $fault: 'server',
              message: 'Service is unable to handle request. (simulated, retried by the SDK)',
              $metadata: meta,
            });
          }
          if (service === 'dynamodb') {
            this.count('retried.dynamodb.throughputExceeded');
            throw new ProvisionedThroughputExceededException({
              message: 'Throughput exceeded. (simulated, retried by the SDK)',
              $metadata: { httpStatusCode: 400 },
            });
          }
          this.count('retried.ses.Throttling');
          throw new SESServiceException({
            name: 'Throttling',
            $fault: 'client',
            message: 'Maximum sending rate exceeded. (simulated, retried by the SDK)',
            $metadata: { httpStatusCode: 400 },
          });
        }
      }
      return next(args);
    };
  }

  /** Uploads the replacement's bytes when the ingest reaches its step (once per run). */
  private async replace(
    when: 'before' | 'after',
    command: string,
    input: Record<string, unknown>,
  ): Promise<void> {
    const r = this.replacement;
    if (!r || r.done) return;
    const exportKey = `exports/${r.key.slice('incoming/'.length)}`;
    const hit =
      (when === 'before' &&
        r.at === 'beforeGet' &&
        command === 'GetObjectCommand' &&
        input.Key === r.key) ||
      (command === 'CopyObjectCommand' &&
        input.Key === exportKey &&
        ((when === 'before' && r.at === 'beforeCopy') ||
          (when === 'after' && r.at === 'afterCopy')));
    if (!hit) return;
    r.done = true;
    this.count('s3.replacedDuringIngest');
    await r.put(r.key, r.bytes);
  }

  private count(kind: FaultKind): void {
    this.stats.faults[kind]++;
  }

  private crash(kind: 'crash.beforeCall' | 'crash.afterCall', command: string): never {
    this.count(kind);
    this.dead = true;
    const where = kind === 'crash.beforeCall' ? 'before' : 'after';
    this.stats.crashPoints.add(`${this.handler}#${this.call}:${where}:${command}`);
    throw new SimulatedCrash(`${where} call ${this.call} (${command})`);
  }

  private choose(
    service: 's3' | 'dynamodb' | 'ses',
    command: string,
    input: Record<string, unknown>,
  ): FaultKind | undefined {
    if (this.rate <= 0) return undefined;
    // Rarer calls get more of the faults, so that each kind is hit in a short campaign.
    if (isSnapshotUpdate(command, input) && this.rng.chance(COMPETING_WRITER_CHANCE)) {
      return 'dynamodb.competingWriter';
    }
    const rate = service === 'ses' ? this.rate * SES_RATE_FACTOR : this.rate;
    if (!this.rng.chance(rate)) return undefined;
    const kinds: FaultKind[] = ['crash.beforeCall', 'crash.afterCall'];
    const write = command === 'PutItemCommand' || command === 'UpdateItemCommand';
    if (service === 'dynamodb' && write) kinds.push('dynamodb.transactionCanceled');
    if (service === 's3') {
      kinds.push('s3.SlowDown', 's3.InternalError', 's3.timeout');
      if (command === 'PutObjectCommand' || command === 'CopyObjectCommand')
        kinds.push('s3.timeoutAfterApply');
      if (command === 'GetObjectCommand') kinds.push('s3.getStreamCut', 's3.getStreamCut');
    } else if (service === 'dynamodb') {
      kinds.push('dynamodb.throughputExceeded');
      if (command === 'PutItemCommand' || command === 'UpdateItemCommand')
        kinds.push('dynamodb.timeoutAfterApply');
    } else {
      kinds.push('ses.Throttling', 'ses.Throttling', 'ses.timeoutAfterAccept');
    }
    return this.rng.pick(kinds);
  }

  private middleware(service: 's3' | 'dynamodb' | 'ses'): Middleware {
    return (next, context) => async (args: { input: Record<string, unknown> }) => {
      const command = context.commandName ?? 'unknown';
      if (this.dead)
        throw new SimulatedCrash(`earlier (call ${this.call + 1}, ${command}, never made)`);
      this.call++;
      this.stats.calls++;
      if (service === 'ses' && command === 'SendRawEmailCommand') {
        const to = (args.input.Destinations as string[] | undefined)?.[0] ?? '';
        if (this.bouncing.has(to)) {
          this.count('ses.MessageRejected');
          throw new MessageRejected({
            message: `Email address is not verified: ${to} (simulated)`,
            $metadata: { httpStatusCode: 400 },
          });
        }
      }
      if (service === 's3') await this.replace('before', command, args.input);
      const fault = this.choose(service, command, args.input);
      switch (fault) {
        case 'crash.beforeCall':
          return this.crash(fault, command);
        case 's3.SlowDown':
        case 's3.InternalError':
          this.count(fault);
          throw s3Error(fault === 's3.SlowDown' ? 'SlowDown' : 'InternalError');
        case 's3.timeout':
          this.count(fault);
          throw timeout();
        case 'dynamodb.throughputExceeded':
          this.count(fault);
          throw new ProvisionedThroughputExceededException({
            message:
              'The level of configured provisioned throughput for the table was exceeded. (simulated)',
            $metadata: { httpStatusCode: 400 },
          });
        case 'dynamodb.transactionCanceled':
          // The code writes no transactions: this stands for an error it does not expect
          // on a write (nothing applied), which must fail the invocation cleanly.
          this.count(fault);
          throw new TransactionCanceledException({
            message:
              'Transaction cancelled, please refer cancellation reasons for specific reasons [None] (simulated)',
            CancellationReasons: [{ Code: 'None' }],
            $metadata: { httpStatusCode: 400 },
          });
        case 'ses.Throttling':
          this.count(fault);
          throw new SESServiceException({
            name: 'Throttling',
            $fault: 'client',
            message: 'Maximum sending rate exceeded. (simulated)',
            $metadata: { httpStatusCode: 400 },
          });
        case 'dynamodb.competingWriter':
          if (await this.compete(args.input)) this.count(fault);
          break;
        default:
          break;
      }
      let result: { output: Record<string, unknown> };
      try {
        result = await next(args);
      } catch (error) {
        this.observe(command, args.input, error, fault === 'dynamodb.competingWriter');
        throw error;
      }
      if (service === 's3') await this.replace('after', command, args.input);
      switch (fault) {
        case 'crash.afterCall':
          return this.crash(fault, command);
        case 's3.timeoutAfterApply':
        case 'dynamodb.timeoutAfterApply':
        case 'ses.timeoutAfterAccept':
          this.count(fault);
          throw timeout();
        case 's3.getStreamCut': {
          const body = result.output.Body;
          const length = Number(result.output.ContentLength ?? 0);
          if (body instanceof Readable && length >= 2) {
            this.count(fault);
            result.output.Body = cutAfter(body, Math.floor(length / 2));
          }
          break;
        }
        default:
          break;
      }
      return result;
    };
  }

  /** Counts the conditional failures DynamoDB Local really answered. */
  private observe(
    command: string,
    input: Record<string, unknown>,
    error: unknown,
    injected: boolean,
  ): void {
    if (!(error instanceof Error) || error.name !== 'ConditionalCheckFailedException') return;
    const sk = sortKey(command, input);
    const c = this.stats.collisions;
    if (sk.startsWith('PERIOD#')) {
      if (injected) c.snapshotInjected++;
      else c.snapshotConcurrent++;
    } else if (sk.startsWith('SEND#')) c.claim++;
    else if (sk.startsWith('REVISION#')) c.revision++;
  }

  /**
   * Another writer stores the snapshot item first: the stored item again, one version up
   * (what a concurrent recompute of the same exports writes). The job's own conditional put
   * then fails for real. Returns false when there was nothing to compete with.
   */
  private async compete(input: Record<string, unknown>): Promise<boolean> {
    const table = String(input.TableName);
    const item = input.Item as Record<string, Attr>;
    const key = { pk: item.pk as Attr, sk: item.sk as Attr } as never;
    const current = await this.competitor.send(
      new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }),
    );
    const stored = current.Item as Record<string, Attr> | undefined;
    const version = Number(stored?.version?.N);
    if (!stored || !Number.isFinite(version)) return false;
    await this.competitor.send(
      new PutItemCommand({
        TableName: table,
        Item: { ...stored, version: { N: String(version + 1) } } as never,
        ConditionExpression: 'version = :v',
        ExpressionAttributeValues: { ':v': { N: String(version) } },
      }),
    );
    return true;
  }
}

/**
 * s3rver ignores `If-Match` on GET and `x-amz-copy-source-if-match` on COPY; real S3
 * answers 412 PreconditionFailed when the object is no longer that version. This answers
 * the same, from a HEAD of the object just before the request (in the campaign the object
 * is only replaced before this point, so the check is exact), so that an ingest pinned to
 * the version it validated really meets a replaced file.
 */
function s3Preconditions(heads: S3Client): Middleware {
  return (next, context) => async (args: { input: Record<string, unknown> }) => {
    const command = context.commandName;
    const { input } = args;
    let target: { Bucket: string; Key: string } | undefined;
    let expected: unknown;
    if (command === 'GetObjectCommand' && input.IfMatch !== undefined) {
      target = { Bucket: String(input.Bucket), Key: String(input.Key) };
      expected = input.IfMatch;
    } else if (command === 'CopyObjectCommand' && input.CopySourceIfMatch !== undefined) {
      const [bucket = '', ...key] = String(input.CopySource).split('/');
      target = { Bucket: bucket, Key: key.map(decodeURIComponent).join('/') };
      expected = input.CopySourceIfMatch;
    }
    if (target) {
      const bare = (etag: unknown) => String(etag ?? '').replace(/^"|"$/g, '');
      let current: string | undefined;
      try {
        current = bare((await heads.send(new HeadObjectCommand(target))).ETag);
      } catch {
        current = undefined; // gone: the request itself answers NoSuchKey
      }
      if (current !== undefined && current !== bare(expected)) {
        throw new S3ServiceException({
          name: 'PreconditionFailed',
          $fault: 'client',
          message: 'At least one of the pre-conditions you specified did not hold (stand-in check)',
          $metadata: { httpStatusCode: 412 },
        });
      }
    }
    return next(args);
  };
}

function sortKey(command: string, input: Record<string, unknown>): string {
  const holder = (command === 'PutItemCommand' ? input.Item : input.Key) as
    | Record<string, Attr>
    | undefined;
  return holder?.sk?.S ?? '';
}

function isSnapshotUpdate(command: string, input: Record<string, unknown>): boolean {
  if (command !== 'PutItemCommand' || !sortKey(command, input).startsWith('PERIOD#')) return false;
  const values = input.ExpressionAttributeValues as Record<string, unknown> | undefined;
  return values?.[':expected'] !== undefined;
}

// ---------------------------------------------------------------------------------------
// One run
// ---------------------------------------------------------------------------------------

interface World {
  h: Harness;
  stats: Stats;
  rng: Rng;
  rate: number;
  bouncing: Set<string>;
  competitor: DynamoDBClient;
  violations: string[];
  /** Accepted outcomes of each ingested key. */
  accepted: Map<string, IngestResponse['outcomes']>;
  redrives: number;
  /** A file this run replaces while it is being ingested. */
  replacement?: Replacement;
  /** A client outside the fault plan, for the stand-in's precondition checks. */
  heads: S3Client;
}

async function invoke(
  world: World,
  label: string,
  kind: 'ingest' | 'report',
  event: unknown,
  options: { clock?: () => number; faults?: boolean } = {},
): Promise<void> {
  const clock = options.clock ?? now;
  let lastError: unknown;
  for (let attempt = 1; attempt <= LAMBDA_ATTEMPTS + REDRIVES; attempt++) {
    const faulty = attempt <= LAMBDA_ATTEMPTS && options.faults !== false;
    if (attempt > LAMBDA_ATTEMPTS) world.redrives++;
    const rt = world.h.runtime();
    const injector = new Injector(
      world.rng.fork(`${label}#${attempt}`),
      faulty ? world.rate : 0,
      world.stats,
      kind,
      world.bouncing,
      world.competitor,
      world.replacement,
    );
    injector.attach(rt.clients, world.heads);
    try {
      if (kind === 'ingest') {
        const response = await createIngestHandler(() => rt, { now: clock, delivery: DELIVERY })(
          event,
        );
        if (injector.dead) throw new SimulatedCrash('(the handler outlived its process)');
        for (const outcome of response.outcomes) {
          if (outcome.status === 'skipped' && outcome.reason.startsWith('superseded')) {
            world.stats.superseded++;
          }
          if (outcome.status !== 'accepted') continue;
          const list = world.accepted.get(outcome.key) ?? [];
          list.push(outcome);
          world.accepted.set(outcome.key, list);
        }
      } else {
        await createReportHandler(() => rt, { now: clock, delivery: DELIVERY })(event);
        if (injector.dead) throw new SimulatedCrash('(the handler outlived its process)');
      }
      return;
    } catch (error) {
      lastError = error;
    }
  }
  world.violations.push(
    `${label} still failed after ${LAMBDA_ATTEMPTS} attempts and ${REDRIVES} fault-free redrives: ${lastError instanceof Error ? `${lastError.name}: ${lastError.message}` : String(lastError)}`,
  );
}

function shuffle<T>(rng: Rng, items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** Runs the tasks in random groups: the tasks of one group at once, the groups in turn. */
async function inGroups(rng: Rng, tasks: (() => Promise<void>)[]): Promise<void> {
  for (let i = 0; i < tasks.length; ) {
    const size = rng.int(1, 3);
    await Promise.all(tasks.slice(i, i + size).map((t) => t()));
    i += size;
  }
}

/** What a run leaves behind, compared with the serial run's. */
export interface Outcome {
  snapshots: Map<string, Snapshot>;
  sends: SendRecord[];
  /** `subject → recipient` of every email the SES stand-in accepted, with repeats. */
  emails: string[];
  emailIds: { label: string; messageId: string }[];
  objects: Map<string, string | undefined>;
  accepted: Map<string, IngestResponse['outcomes']>;
}

async function collect(h: Harness, inputs: Inputs, accepted: World['accepted']): Promise<Outcome> {
  const rt = h.runtime();
  const snapshots = new Map<string, Snapshot>();
  for (const s of await rt.store.listRecent(REPORT_ID, 1000)) snapshots.set(s.period.key, s);
  const sends: SendRecord[] = [];
  for (const period of snapshots.keys())
    sends.push(...(await rt.ledger.sendsFor(REPORT_ID, period)));
  const emailIds = (await h.ses.emails()).map((e) => ({
    label: `${e.subject} → ${e.destination.to.join(',')}`,
    messageId: e.messageId,
  }));
  const emails = emailIds.map((e) => e.label);
  const objects = new Map<string, string | undefined>();
  for (const file of [...inputs.base, inputs.late]) {
    const rest = file.key.slice('incoming/'.length);
    for (const key of [`exports/${rest}`, `rejected/${rest}.rejected.jsonl`, `rejected/${rest}`]) {
      objects.set(key, await h.getText(key));
    }
  }
  return { snapshots, sends, emails, emailIds, objects, accepted };
}

export interface RunOptions {
  dynamodbEndpoint: string;
  inputs: Inputs;
  seed: number;
  /** Probability that a call fails. 0: the fault-free serial run. */
  rate: number;
  /** @default - drawn from the seed: in 30 % of the runs, at a random step */
  replace?: Replacement['at'] | 'never';
}

export interface RunResult {
  seed: number;
  outcome: Outcome;
  stats: Stats;
  violations: string[];
  redrives: number;
}

export async function runOnce(options: RunOptions): Promise<RunResult> {
  const serial = options.rate === 0;
  const rng = new Rng(options.seed);
  const h = await startHarness({
    dynamodbEndpoint: options.dynamodbEndpoint,
    config: CONFIG,
    setProcessEnv: false,
  });
  const competitor = new DynamoDBClient({
    endpoint: options.dynamodbEndpoint,
    region: STANDIN_REGION,
    credentials: STANDIN_CREDENTIALS,
  });
  const plan = rng.fork('plan');
  const world: World = {
    h,
    stats: emptyStats(),
    rng: rng.fork('faults'),
    rate: options.rate,
    bouncing: new Set(serial ? [] : RECIPIENTS.filter(() => plan.chance(0.2))),
    competitor,
    violations: [],
    accepted: new Map(),
    redrives: 0,
    heads: h.runtime().clients.s3,
  };
  const { inputs } = options;
  const final = inputs.base.find((f) => f.key === inputs.replaced.key);
  const drawn = plan.chance(0.3)
    ? plan.pick(['beforeGet', 'beforeCopy', 'afterCopy'] as const)
    : 'never';
  const at = options.replace ?? drawn;
  if (!serial && final && at !== 'never') {
    world.replacement = {
      key: final.key,
      at,
      bytes: final.bytes,
      put: (key, bytes) => h.putObject(key, bytes),
      done: false,
    };
  }
  try {
    // The SES stand-in keeps one store per process, shared by every harness.
    await h.ses.clear();
    for (const file of inputs.base) {
      // A replaced file is dropped in its first version; the final bytes come mid-ingest.
      const first = world.replacement?.key === file.key ? inputs.replaced.bytes : file.bytes;
      await h.putObject(file.key, first);
    }
    // 1. The drops: every event once, some twice, in any order, some at the same time.
    const deliveries = inputs.base.flatMap((f, i) =>
      !serial && plan.chance(0.35)
        ? [[f, i, 1] as const, [f, i, 2] as const]
        : [[f, i, 1] as const],
    );
    const order = serial ? deliveries : shuffle(plan, deliveries);
    const ingests = order.map(
      ([file, i, copy]) =>
        () =>
          invoke(world, `ingest:${i}:${copy}`, 'ingest', s3Event(h.bucket, file.key)),
    );
    if (serial) for (const task of ingests) await task();
    else await inGroups(plan, ingests);
    // The replacement's own S3 event, once its upload happened (or now, if no ingest reached
    // the step: every attempt crashed before it).
    const replacement = world.replacement;
    if (replacement) {
      if (!replacement.done) {
        replacement.done = true;
        await h.putObject(replacement.key, replacement.bytes);
      }
      await invoke(world, 'replaced:1', 'ingest', s3Event(h.bucket, replacement.key));
    }

    // 2. The reports of W46 and W47: the schedule and, sometimes at once, an operator.
    const reports: (() => Promise<void>)[] = [];
    for (const period of REPORT_PERIODS) {
      const payload = period === REPORT_PERIODS.at(-1) ? {} : { period };
      reports.push(() => invoke(world, `report:${period}:1`, 'report', payload));
      if (!serial && plan.chance(0.5)) {
        reports.push(() => invoke(world, `report:${period}:2`, 'report', { period }));
      }
    }
    if (serial || plan.chance(0.5)) for (const task of reports) await task();
    else await Promise.all(reports.map((t) => t()));

    // 3. A late file revising both weeks; its event maybe delivered twice, maybe at once.
    await h.putObject(inputs.late.key, inputs.late.bytes);
    const late = [() => invoke(world, 'late:1', 'ingest', s3Event(h.bucket, inputs.late.key))];
    if (!serial && plan.chance(0.5)) {
      late.push(() => invoke(world, 'late:2', 'ingest', s3Event(h.bucket, inputs.late.key)));
    }
    if (serial || plan.chance(0.5)) for (const task of late) await task();
    else await Promise.all(late.map((t) => t()));

    // 4. A later run of each report, past the send lease and without faults, as the final
    // retry: it records the claims the runs left pending as `unknown` (and sends what was
    // left to retry). In the serial run it finds everything sent.
    const later = () => NOW + DEFAULT_DELIVERY.pendingLeaseMs + 60_000;
    for (const period of REPORT_PERIODS) {
      await invoke(world, `later:${period}`, 'report', { period }, { clock: later, faults: false });
    }

    const outcome = await collect(h, inputs, world.accepted);
    return {
      seed: options.seed,
      outcome,
      stats: world.stats,
      violations: world.violations,
      redrives: world.redrives,
    };
  } finally {
    competitor.destroy();
    await h.stop();
  }
}

// ---------------------------------------------------------------------------------------
// Invariants
// ---------------------------------------------------------------------------------------

/** The snapshot without what legitimately differs between runs (when, which version). */
function comparable(s: Snapshot): Record<string, unknown> {
  const {
    computedAt: _c,
    version: _v,
    revised: _r,
    inputFiles,
    ...rest
  } = s as Snapshot & {
    computedAt?: unknown;
    version?: unknown;
    revised?: unknown;
  };
  const files = [...inputFiles].map((f) => `${f.key}@${f.etag ?? ''}`).sort();
  return { ...rest, inputFiles: files };
}

export interface EmailTally {
  sent: number;
  expected: number;
  duplicates: number;
  /** Expected emails not sent, recorded `rejected` by SES with its reason. */
  rejected: number;
  /** Expected emails not sent, recorded `failed` past the attempt limit with the reason. */
  failed: number;
  /**
   * Expected emails not sent, recorded `unknown` with the reason: claimed by a run that
   * stopped before recording the outcome (SES's answer lost, or a crash after the claim).
   */
  unknown: number;
  /** Revised emails not owed: the recipient never got the earlier numbers (recorded why). */
  notOwed: number;
  /** Expected emails missing with nothing in the ledger to explain it: a violation. */
  lost: number;
}

/** Checks one run against the serial run; returns the email tally and pushes violations. */
export function checkInvariants(
  run: RunResult,
  serial: RunResult,
  inputs: Inputs,
  violations: string[],
): EmailTally {
  const got = run.outcome;
  const want = serial.outcome;

  // Snapshots: none lost; none older than its inputs (each holds every file whose rows
  // touch its period); the numbers identical to the serial run's. Which other files a
  // period's snapshot lists depends on the order of the ingests (a file recomputes only
  // the periods it touches), so its inputs and data-quality counts are compared only
  // when it lists the same files as the serial run's.
  const touching = new Map<string, Set<string>>();
  for (const outcomes of want.accepted.values()) {
    for (const o of outcomes) {
      if (o.status !== 'accepted') continue;
      for (const p of o.periods) touching.set(p, (touching.get(p) ?? new Set()).add(o.exportKey));
    }
  }
  for (const [period, expected] of want.snapshots) {
    const actual = got.snapshots.get(period);
    if (!actual) {
      violations.push(`snapshot ${period} lost`);
      continue;
    }
    const inputs = new Set(actual.inputFiles.map((f) => f.key));
    const missing = [...(touching.get(period) ?? [])].filter((k) => !inputs.has(k));
    if (missing.length > 0) {
      violations.push(
        `snapshot ${period} is older than its inputs: it lacks ${missing.join(', ')}`,
      );
    }
    const a = comparable(actual);
    const b = comparable(expected);
    const sameInputs = JSON.stringify(a.inputFiles) === JSON.stringify(b.inputFiles);
    const fields = Object.keys(b).filter(
      (k) =>
        (sameInputs || (k !== 'quality' && k !== 'inputFiles')) &&
        JSON.stringify(a[k]) !== JSON.stringify(b[k]),
    );
    if (fields.length > 0) {
      const metrics = Object.keys(expected.metrics)
        .filter(
          (id) =>
            JSON.stringify(actual.metrics[id]?.value) !==
            JSON.stringify(expected.metrics[id]?.value),
        )
        .map((id) => `${id} ${actual.metrics[id]?.value} vs ${expected.metrics[id]?.value}`);
      const datasets = (s: Snapshot) => [...new Set(s.inputFiles.map((f) => f.dataset))].sort();
      violations.push(
        `snapshot ${period} differs from the serial run's in ${fields.join(', ')}${metrics.length > 0 ? ` (${metrics.join('; ')})` : ''}; computed from ${datasets(actual).join(', ')} (serial: ${datasets(expected).join(', ')})`,
      );
    }
  }
  for (const period of got.snapshots.keys()) {
    if (!want.snapshots.has(period)) violations.push(`snapshot ${period} exists only in this run`);
  }

  // Files: kept byte for byte; rejected rows as in the serial run; every row counted or rejected.
  for (const file of [...inputs.base, inputs.late]) {
    const rest = file.key.slice('incoming/'.length);
    if (got.objects.get(`exports/${rest}`) !== file.bytes.toString('utf8')) {
      violations.push(`exports/${rest} is not the dropped file byte for byte`);
    }
    const rejectedKey = `rejected/${rest}.rejected.jsonl`;
    if (got.objects.get(rejectedKey) !== want.objects.get(rejectedKey)) {
      violations.push(`${rejectedKey} differs from the serial run's`);
    }
    if (got.objects.get(`rejected/${rest}`) !== undefined) {
      violations.push(`the whole of ${file.key} was rejected`);
    }
    const outcomes = got.accepted.get(file.key) ?? [];
    if (outcomes.length === 0) violations.push(`${file.key} was never accepted`);
    const rejectedLines = (got.objects.get(rejectedKey) ?? '').split('\n').filter(Boolean).length;
    for (const o of outcomes) {
      if (o.status !== 'accepted') continue;
      if (o.rowsAccepted + o.rowsRejected !== o.rowsRead || o.rowsRejected !== rejectedLines) {
        violations.push(
          `${file.key}: ${o.rowsRead} rows read, ${o.rowsAccepted} accepted, ${o.rowsRejected} rejected, ${rejectedLines} in rejected/`,
        );
      }
    }
  }

  // Emails: each expected one at most once, exactly once unless the ledger says why not.
  const count = new Map<string, number>();
  for (const e of got.emails) count.set(e, (count.get(e) ?? 0) + 1);
  const expected = new Set(want.emails);
  const tally: EmailTally = {
    sent: got.emails.length,
    expected: expected.size,
    duplicates: 0,
    rejected: 0,
    failed: 0,
    unknown: 0,
    notOwed: 0,
    lost: 0,
  };
  for (const [email, n] of count) {
    if (n > 1) {
      tally.duplicates += n - 1;
      violations.push(`${email} sent ${n} times`);
    }
    if (!expected.has(email)) violations.push(`${email} was not sent by the serial run`);
  }
  // The serial run's ledger names the (period, revision, recipient) of each email.
  const keyOf = new Map<string, SendRecord>();
  for (const e of want.emailIds) {
    const record = want.sends.find((s) => s.messageId === e.messageId);
    if (record) keyOf.set(e.label, record);
  }
  for (const email of expected) {
    if ((count.get(email) ?? 0) > 0) continue;
    const key = keyOf.get(email);
    const records = key
      ? got.sends.filter((s) => s.periodKey === key.periodKey && s.recipient === key.recipient)
      : [];
    const own = records.find((s) => key && s.revision === key.revision);
    const earlierNotReached = records.some(
      (s) => key && s.revision < key.revision && !mayHaveBeenSent(s.state) && s.error,
    );
    if (own && (own.state === 'failed' || own.state === 'rejected' || own.state === 'unknown')) {
      if (own.error) tally[own.state]++;
      else {
        tally.lost++;
        violations.push(`${email} never sent (ledger: ${own.state}, with no reason)`);
      }
    } else if (!own && earlierNotReached) {
      // The recipient never got the earlier numbers (refused, with the reason), so no
      // revision of them is owed.
      tally.notOwed++;
    } else {
      tally.lost++;
      violations.push(`${email} never sent (ledger: ${own ? own.state : 'no record'})`);
    }
  }
  return tally;
}

// ---------------------------------------------------------------------------------------
// The campaign
// ---------------------------------------------------------------------------------------

export interface CampaignOptions {
  runs: number;
  seed: number;
  dynamodbEndpoint: string;
  /** @default 0.04 - probability that any one call fails */
  rate?: number;
  log?: (line: string) => void;
}

export interface CampaignSummary {
  runs: number;
  seed: number;
  rate: number;
  faults: Record<FaultKind, number>;
  calls: number;
  collisions: Collisions;
  crashPoints: number;
  redrives: number;
  superseded: number;
  emails: EmailTally;
  failing: { seed: number; violations: string[] }[];
  ms: number;
}

export async function runCampaign(options: CampaignOptions): Promise<CampaignSummary> {
  const started = Date.now();
  const rate = options.rate ?? 0.04;
  const log = options.log ?? (() => {});
  const inputs = await prepareInputs();
  const serialStarted = Date.now();
  const serial = await runOnce({
    dynamodbEndpoint: options.dynamodbEndpoint,
    inputs,
    seed: 0,
    rate: 0,
  });
  log(
    `serial fault-free run: ${((Date.now() - serialStarted) / 1000).toFixed(1)} s, ${serial.outcome.emails.length} emails, ${serial.outcome.snapshots.size} snapshots`,
  );
  if (serial.violations.length > 0) {
    throw new Error(`the fault-free serial run failed: ${serial.violations.join('; ')}`);
  }
  const summary: CampaignSummary = {
    runs: 0,
    seed: options.seed,
    rate,
    faults: emptyStats().faults,
    calls: 0,
    collisions: emptyStats().collisions,
    crashPoints: 0,
    redrives: 0,
    superseded: 0,
    emails: {
      sent: 0,
      expected: 0,
      duplicates: 0,
      rejected: 0,
      failed: 0,
      unknown: 0,
      notOwed: 0,
      lost: 0,
    },
    failing: [],
    ms: 0,
  };
  const crashPoints = new Set<string>();
  for (let i = 0; i < options.runs; i++) {
    const seed = (options.seed + i) >>> 0;
    const runStarted = Date.now();
    const run = await runOnce({ dynamodbEndpoint: options.dynamodbEndpoint, inputs, seed, rate });
    const violations = [...run.violations];
    const tally = checkInvariants(run, serial, inputs, violations);
    summary.runs++;
    summary.calls += run.stats.calls;
    summary.redrives += run.redrives;
    summary.superseded += run.stats.superseded;
    for (const kind of FAULT_KINDS) summary.faults[kind] += run.stats.faults[kind];
    for (const k of Object.keys(summary.collisions) as (keyof Collisions)[]) {
      summary.collisions[k] += run.stats.collisions[k];
    }
    for (const p of run.stats.crashPoints) crashPoints.add(p);
    for (const k of Object.keys(summary.emails) as (keyof EmailTally)[])
      summary.emails[k] += tally[k];
    if (violations.length > 0) summary.failing.push({ seed, violations });
    const faults = FAULT_KINDS.reduce((n, k) => n + run.stats.faults[k], 0);
    log(
      `run ${i + 1}/${options.runs} seed ${seed} (${((Date.now() - runStarted) / 1000).toFixed(1)} s): ${faults} faults, ${tally.sent}/${tally.expected} emails` +
        (violations.length > 0 ? `, FAILED: ${violations.join('; ')}` : ', ok'),
    );
  }
  summary.crashPoints = crashPoints.size;
  summary.ms = Date.now() - started;
  return summary;
}

/** The campaign's figures as the CLI prints them. */
export function formatSummary(s: CampaignSummary): string {
  const faults = FAULT_KINDS.map((k) => `  ${k.padEnd(36)} ${s.faults[k]}`).join('\n');
  const total = FAULT_KINDS.reduce((n, k) => n + s.faults[k], 0);
  const lines = [
    `runs: ${s.runs} (seeds ${s.seed}–${s.seed + s.runs - 1}), fault rate ${s.rate} per call, ${(s.ms / 1000).toFixed(1)} s`,
    `SDK calls: ${s.calls}; faults injected: ${total}`,
    faults,
    `crash points hit (distinct handler, call, before/after): ${s.crashPoints}`,
    `invocations redriven without faults after 3 failed attempts: ${s.redrives}`,
    `ingests that found their file replaced and left it to the newer upload: ${s.superseded}`,
    `conditional failures answered by DynamoDB Local: snapshot put lost to an injected writer ${s.collisions.snapshotInjected}, to a concurrent invocation ${s.collisions.snapshotConcurrent}; send claim refused ${s.collisions.claim}; revision already written ${s.collisions.revision}`,
    `emails sent / expected: ${s.emails.sent} / ${s.emails.expected}`,
    `  duplicates: ${s.emails.duplicates}`,
    `  not sent, recorded with a reason: ${s.emails.rejected + s.emails.failed + s.emails.unknown + s.emails.notOwed}`,
    `    rejected by SES: ${s.emails.rejected}`,
    `    failed past the attempt limit: ${s.emails.failed}`,
    `    unknown (the run stopped after the claim; not re-sent): ${s.emails.unknown}`,
    `    revision not owed (the earlier email never reached them): ${s.emails.notOwed}`,
    `  lost without explanation: ${s.emails.lost}`,
    s.failing.length === 0
      ? 'failing runs: none'
      : `failing runs: ${s.failing.length}\n${s.failing.map((f) => `  seed ${f.seed} (replay: npm run chaos -- --runs 1 --seed ${f.seed}): ${f.violations.join('; ')}`).join('\n')}`,
  ];
  return lines.join('\n');
}
