/**
 * The report configuration at cold start, read from the local S3 stand-in through the
 * production SDK client: stored the way `cdk deploy` stores it (test/support/standins.ts
 * `putReportConfig`), found through the variables the stack sets, validated with the same
 * schema, and refused with the object's location and the problem when it is wrong.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsClients, createAwsClients } from '../../functions/adapters/clients';
import {
  encodeReportConfig,
  reportConfigEnvironment,
  StoredConfigError,
  sha256Hex,
} from '../../functions/adapters/report-config';
import { cachedRuntime, loadRuntime } from '../../functions/adapters/runtime';
import { parseConfig, type ReportConfigInput } from '../../functions/core/config';
import { silentLogger } from '../../functions/core/jobs/ports';
import { createIngestHandler } from '../../functions/ingest';
import { createReportHandler } from '../../functions/report';
import { largeColumnMapping } from '../fixtures/large-config';
import {
  putReportConfig,
  type S3StandIn,
  STANDIN_CREDENTIALS,
  STANDIN_REGION,
  startS3,
} from '../support/standins';

const DATA_BUCKET = 'exports';
const CONFIG_BUCKET = 'assets';
const CONFIG: ReportConfigInput = {
  reportId: 'cold-start',
  timezone: 'Europe/Berlin',
  email: { recipients: ['team@example.com'] },
};

let s3: S3StandIn;
let clients: AwsClients;

beforeAll(async () => {
  s3 = await startS3({ buckets: [DATA_BUCKET, CONFIG_BUCKET] });
  const base = { region: STANDIN_REGION, credentials: STANDIN_CREDENTIALS };
  clients = createAwsClients({
    s3: {
      ...base,
      endpoint: s3.endpoint,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    },
    // Never called here: the config is read before anything touches DynamoDB or SES.
    dynamodb: { ...base, endpoint: 'http://127.0.0.1:9' },
    ses: { ...base, endpoint: 'http://127.0.0.1:9' },
  });
});
afterAll(async () => {
  clients?.s3.destroy();
  clients?.dynamodb.destroy();
  clients?.ses.destroy();
  await s3?.stop();
});

/** The variables of a deployed function, pointing at `configEnv`. */
function lambdaEnv(configEnv: Record<string, string>): Record<string, string> {
  return {
    BUCKET_NAME: DATA_BUCKET,
    TABLE_NAME: 'snapshots',
    SENDER: 'reports@example.com',
    ...configEnv,
  };
}

/** Stores `body` as is under `key`, with the variables a deploy of exactly those bytes sets. */
async function putRaw(key: string, body: string): Promise<Record<string, string>> {
  await clients.s3.send(new PutObjectCommand({ Bucket: CONFIG_BUCKET, Key: key, Body: body }));
  return reportConfigEnvironment({ bucket: CONFIG_BUCKET, key, sha256: sha256Hex(body) });
}

async function failure(promise: Promise<unknown>): Promise<StoredConfigError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StoredConfigError);
  return error as StoredConfigError;
}

describe('loadRuntime', () => {
  it('reads a 50 KB column mapping from S3 and validates it', async () => {
    // Prepare
    const columns = largeColumnMapping();
    expect(JSON.stringify(columns).length).toBeGreaterThan(50_000);
    const stored = await putReportConfig(clients.s3, CONFIG_BUCKET, { ...CONFIG, columns });

    // Act
    const rt = await loadRuntime(lambdaEnv(stored.env), clients, silentLogger);

    // Assess
    expect(rt.env).toEqual({
      bucketName: DATA_BUCKET,
      tableName: 'snapshots',
      sender: 'reports@example.com',
      config: parseConfig({ ...CONFIG, columns }),
    });
    expect(rt.env.config.columns.orders).toMatchObject({
      column_79: 'orders export column number 79 as the CRM names it',
    });
  });

  it('refuses a stored config the schema refuses, naming the object and each issue', async () => {
    // Prepare: what a hand-edited upload could hold; its SHA-256 matches, so only the schema stops it.
    const body = JSON.stringify({
      reportId: 'cold-start',
      timezone: 'Europe/Berlln',
      email: { recipients: ['team-at-example.com'] },
    });
    const env = await putRaw('bad/schema.json', body);

    // Act
    const error = await failure(loadRuntime(lambdaEnv(env), clients, silentLogger));

    // Assess
    expect(error.location).toBe('s3://assets/bad/schema.json');
    expect(error.message).toMatch(
      /^the report configuration s3:\/\/assets\/bad\/schema\.json is not a valid report configuration: /,
    );
    expect(error.message).toContain(
      'timezone is not a known IANA time zone (e.g. "Europe/Berlin")',
    );
    expect(error.message).toContain('email.recipients.0');
  });

  it('refuses an object changed after the deploy', async () => {
    // Prepare: a deployed config, then the object overwritten with another (valid) one.
    const stored = await putReportConfig(clients.s3, CONFIG_BUCKET, CONFIG);
    const other = encodeReportConfig(parseConfig({ ...CONFIG, timezone: 'UTC' }));
    await clients.s3.send(
      new PutObjectCommand({ Bucket: CONFIG_BUCKET, Key: stored.location.key, Body: other.body }),
    );

    // Act
    const error = await failure(loadRuntime(lambdaEnv(stored.env), clients, silentLogger));

    // Assess
    expect(error.message).toContain(
      `has SHA-256 ${other.sha256}, but REPORT_CONFIG_SHA256 is ${stored.location.sha256}: the object was changed after the deploy`,
    );
  });

  it('refuses an object that is not JSON', async () => {
    const env = await putRaw('bad/not-json.json', '{ "reportId": "cold-start", }');
    const error = await failure(loadRuntime(lambdaEnv(env), clients, silentLogger));
    expect(error.message).toMatch(
      /^the report configuration s3:\/\/assets\/bad\/not-json\.json is not valid JSON: /,
    );
  });

  it('names the object and the fix when it is missing', async () => {
    const env = reportConfigEnvironment({
      bucket: CONFIG_BUCKET,
      key: 'never/uploaded.json',
      sha256: sha256Hex('{}'),
    });
    const error = await failure(loadRuntime(lambdaEnv(env), clients, silentLogger));
    expect(error.message).toMatch(
      /^cannot read the report configuration s3:\/\/assets\/never\/uploaded\.json \(NoSuchKey: .*\): the object does not exist; `cdk deploy` uploads it with the stack, so deploy again$/,
    );
  });
});

describe('the handlers at cold start', () => {
  it('fail the invocation with the stored config error, and read it again on the next one', async () => {
    // Prepare: the variables of a deploy whose object is not there yet.
    const { body, sha256 } = encodeReportConfig(parseConfig(CONFIG));
    const key = `late/${sha256}.json`;
    const env = lambdaEnv(reportConfigEnvironment({ bucket: CONFIG_BUCKET, key, sha256 }));
    const runtime = cachedRuntime(() => loadRuntime(env, clients, silentLogger));
    const report = createReportHandler(runtime);

    // Act and Assess: the first invocation fails with the location…
    await expect(report({})).rejects.toThrow(
      `cannot read the report configuration s3://assets/${key} (NoSuchKey`,
    );

    // …and once the object exists the next one reads it: the stored reportId is what the
    // handler now checks requests against (refused before it reaches DynamoDB).
    await clients.s3.send(new PutObjectCommand({ Bucket: CONFIG_BUCKET, Key: key, Body: body }));
    await expect(report({ reportId: 'another-report' })).rejects.toThrow(
      'this function serves report "cold-start", not "another-report"',
    );
  });

  it('fail an ingest invocation with the stored config error', async () => {
    const env = await putRaw('bad/ingest.json', JSON.stringify({ currency: 'euro' }));
    const ingest = createIngestHandler(() => loadRuntime(lambdaEnv(env), clients, silentLogger));
    const event = {
      Records: [
        {
          eventName: 'ObjectCreated:Put',
          s3: { bucket: { name: DATA_BUCKET }, object: { key: 'incoming/orders/a.csv' } },
        },
      ],
    };
    await expect(ingest(event)).rejects.toThrow(
      /^the report configuration s3:\/\/assets\/bad\/ingest\.json is not a valid report configuration: currency must be a three-letter ISO 4217 code such as "USD"$/,
    );
  });
});
