/**
 * Real local stand-ins for S3 (s3rver), DynamoDB (DynamoDB Local, the official jar) and SES
 * (aws-ses-v2-local), started on free ports and stopped by whoever started them. The
 * integration tests and `npm run demo` use them through the unchanged production clients:
 * `standInEnv()` gives the `AWS_ENDPOINT_URL_*` variables the SDK reads itself.
 *
 * Nothing here assumes a server is already running.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import S3rver from 's3rver';
import {
  encodeReportConfig,
  type ReportConfigLocation,
  reportConfigEnvironment,
} from '../../functions/adapters/report-config';
import { parseConfig, type ReportConfigInput } from '../../functions/core/config';
import { dynamoDbLocalDir, fetchDynamoDbLocal } from '../../scripts/fetch-dynamodb-local';

export const HOST = '127.0.0.1';
/** s3rver accepts exactly this key pair; the other two stand-ins accept any. */
export const STANDIN_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
export const STANDIN_REGION = 'us-east-1';

export class StandInError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StandInError';
  }
}

/** A port the OS says is free right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------------------------------
// S3: s3rver
// ---------------------------------------------------------------------------------------

export interface S3StandIn {
  endpoint: string;
  directory: string;
  server: S3rver;
  stop(): Promise<void>;
}

/**
 * s3rver on a free port with the given buckets, storing objects in a temporary folder that
 * is removed on stop. Its `event` emitter fires Lambda-shaped S3 notifications (see
 * `bridgeS3Events`).
 */
export async function startS3(options: {
  buckets: string[];
  directory?: string;
}): Promise<S3StandIn> {
  const directory = options.directory ?? mkdtempSync(join(tmpdir(), 's3rver-'));
  const server = new S3rver({
    address: HOST,
    port: 0,
    silent: true,
    directory,
    configureBuckets: options.buckets.map((name) => ({ name })),
  });
  const { port } = await server.run();
  return {
    endpoint: `http://${HOST}:${port}`,
    directory,
    server,
    async stop() {
      await server.close();
      if (!options.directory) rmSync(directory, { recursive: true, force: true });
    },
  };
}

/**
 * A key as real S3 writes it into event notifications: URL-encoded, with `+` for spaces.
 * s3rver puts the raw key there, so a bridge must encode it for the handler to see what it
 * will see in AWS.
 */
export function encodeEventKey(key: string): string {
  return key
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/%20/g, '+'))
    .join('/');
}

/** A copy of an s3rver event with every key encoded like real S3's. */
export function toRealS3Event(event: S3Event): S3Event {
  return {
    Records: event.Records.map((record) => ({
      ...record,
      s3: {
        ...record.s3,
        object: { ...record.s3.object, key: encodeEventKey(record.s3.object.key) },
      },
    })),
  };
}

export interface S3EventBridge {
  /** Resolves when every handler invocation started so far has settled. */
  idle(): Promise<void>;
  /** Errors thrown by handler invocations, in order. */
  readonly errors: unknown[];
  readonly results: unknown[];
  stop(): void;
}

/**
 * Forwards s3rver's object-created events under `prefix` to a handler, as S3 notifications
 * filtered on `incoming/` would invoke the ingest Lambda, each record in its own invocation.
 */
export function bridgeS3Events(
  s3: S3StandIn,
  handler: (event: S3Event) => Promise<unknown>,
  prefix = 'incoming/',
): S3EventBridge {
  const inFlight = new Set<Promise<unknown>>();
  const errors: unknown[] = [];
  const results: unknown[] = [];
  const listener = (event: S3Event) => {
    for (const record of event.Records) {
      if (!record.eventName.startsWith('ObjectCreated:')) continue;
      if (!record.s3.object.key.startsWith(prefix)) continue;
      const invocation = handler(toRealS3Event({ Records: [record] })).then(
        (result) => {
          results.push(result);
        },
        (error: unknown) => {
          errors.push(error);
        },
      );
      inFlight.add(invocation);
      void invocation.finally(() => inFlight.delete(invocation));
    }
  };
  s3.server.on('event', listener);
  return {
    errors,
    results,
    async idle() {
      // An invocation may cause further events (none under incoming/ today); loop until quiet.
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    stop() {
      s3.server.off('event', listener);
    },
  };
}

/**
 * Stores a report configuration the way `cdk deploy` does (validated, then the same bytes
 * under a key named after their SHA-256), and returns its location and the variables that
 * point the handlers at it.
 */
export async function putReportConfig(
  s3: S3Client,
  bucket: string,
  config: ReportConfigInput,
): Promise<{ location: ReportConfigLocation; env: Record<string, string> }> {
  const { body, sha256 } = encodeReportConfig(parseConfig(config));
  const location = { bucket, key: `report-config/${sha256}.json`, sha256 };
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: location.key,
      Body: body,
      ContentType: 'application/json',
    }),
  );
  return { location, env: reportConfigEnvironment(location) };
}

// ---------------------------------------------------------------------------------------
// DynamoDB: DynamoDB Local
// ---------------------------------------------------------------------------------------

export interface DynamoDbStandIn {
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * DynamoDB Local in memory, shared across credentials and regions (`-sharedDb`), on a free
 * port. Fetches the jar first when `.cache/dynamodb-local` is missing. Ready when
 * ListTables answers (~2.5 s on 2 cores with the client JIT only and the serial GC).
 */
export async function startDynamoDbLocal(
  options: { timeoutMs?: number; log?: (line: string) => void } = {},
): Promise<DynamoDbStandIn> {
  const dir = existsSync(join(dynamoDbLocalDir(), 'DynamoDBLocal.jar'))
    ? dynamoDbLocalDir()
    : fetchDynamoDbLocal(undefined, options.log);
  const port = await freePort();
  const child: ChildProcess = spawn(
    'java',
    [
      '-XX:TieredStopAtLevel=1',
      '-XX:+UseSerialGC',
      `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(dir, 'DynamoDBLocal.jar'),
      '-inMemory',
      '-sharedDb',
      '-port',
      String(port),
      '-disableTelemetry',
    ],
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  let exited: number | null | undefined;
  let spawnError: Error | undefined;
  child.on('exit', (code) => {
    exited = code;
  });
  child.on('error', (error) => {
    spawnError = error;
  });
  // A crashed test run or Ctrl-C must not leave the JVM behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const endpoint = `http://${HOST}:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: STANDIN_REGION,
    credentials: STANDIN_CREDENTIALS,
    maxAttempts: 1,
  });
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  try {
    for (;;) {
      if (spawnError) {
        throw new StandInError(
          `could not start java for DynamoDB Local (${spawnError.message}); install a Java runtime, e.g. "apt-get install -y default-jre-headless"`,
          { cause: spawnError },
        );
      }
      if (exited !== undefined) {
        throw new StandInError(`DynamoDB Local exited with code ${exited}: ${stderr}`);
      }
      try {
        await client.send(new ListTablesCommand({}));
        break;
      } catch {
        if (Date.now() > deadline) {
          throw new StandInError(`DynamoDB Local did not answer on ${endpoint} in time: ${stderr}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  } catch (error) {
    child.kill('SIGKILL');
    process.off('exit', killOnExit);
    throw error;
  } finally {
    client.destroy();
  }
  return {
    endpoint,
    async stop() {
      process.off('exit', killOnExit);
      if (exited !== undefined) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGKILL');
      await gone;
    },
  };
}

/** The snapshots table with the stack's key schema (pk / sk strings, on demand). */
export async function createTable(endpoint: string, tableName: string): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: STANDIN_REGION,
    credentials: STANDIN_CREDENTIALS,
  });
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  } finally {
    client.destroy();
  }
}

// ---------------------------------------------------------------------------------------
// SES: aws-ses-v2-local
// ---------------------------------------------------------------------------------------

/** One email as the SES stand-in stores it (`GET /store`). */
export interface StoredEmail {
  messageId: string;
  from: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { html?: string; text?: string };
  attachments: { content: string; contentType: string; filename?: string; cid?: string }[];
  at: number;
}

export interface SesStandIn {
  endpoint: string;
  /** The stand-in's web view of every email it received. */
  webUrl: string;
  emails(): Promise<StoredEmail[]>;
  clear(): Promise<void>;
  stop(): Promise<void>;
}

export async function startSes(): Promise<SesStandIn> {
  const mod = (await import('aws-ses-v2-local')) as {
    default?: (config: { host: string; port: number }) => Promise<Server>;
  };
  const start =
    mod.default ?? (mod as unknown as (c: { host: string; port: number }) => Promise<Server>);
  const port = await freePort();
  const server = await start({ host: HOST, port });
  const endpoint = `http://${HOST}:${port}`;
  return {
    endpoint,
    webUrl: `${endpoint}/`,
    async emails() {
      const response = await fetch(`${endpoint}/store`);
      const body = (await response.json()) as { emails: StoredEmail[] };
      return body.emails;
    },
    async clear() {
      await fetch(`${endpoint}/clear-store`, { method: 'POST' });
    },
    stop() {
      return new Promise((resolve, reject) => {
        server.closeAllConnections?.();
        server.close((error) => (error ? reject(error) : resolve()));
      });
    },
  };
}

// ---------------------------------------------------------------------------------------
// Environment for the production clients
// ---------------------------------------------------------------------------------------

/**
 * The variables that point `new S3Client({})` & co. at the stand-ins. The checksum settings
 * matter: with the SDK's default (always compute), a streamed PutObject body is sent with
 * aws-chunked framing that s3rver stores verbatim — a silently corrupt object.
 */
export function standInEnv(endpoints: {
  s3?: string;
  dynamodb?: string;
  ses?: string;
}): Record<string, string> {
  const env: Record<string, string> = {
    AWS_REGION: STANDIN_REGION,
    AWS_ACCESS_KEY_ID: STANDIN_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: STANDIN_CREDENTIALS.secretAccessKey,
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
  };
  if (endpoints.s3) env.AWS_ENDPOINT_URL_S3 = endpoints.s3;
  if (endpoints.dynamodb) env.AWS_ENDPOINT_URL_DYNAMODB = endpoints.dynamodb;
  if (endpoints.ses) env.AWS_ENDPOINT_URL_SES = endpoints.ses;
  return env;
}
