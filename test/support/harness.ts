/**
 * One integration test file's world: its own s3rver bucket and SES stand-in (both
 * in-process, so the file can listen to S3 events and read the email store), its own table
 * in the shared DynamoDB Local, and the environment variables the production code reads
 * (`AWS_ENDPOINT_URL_*`, BUCKET_NAME, TABLE_NAME, REPORT_CONFIG, SENDER), which the
 * exported handlers read exactly as in Lambda. `runtime()` builds the same runtime with the
 * endpoints passed explicitly, so several harnesses can share one process.
 */
import { randomUUID } from 'node:crypto';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { createAwsClients } from '../../functions/adapters/clients';
import { readEnv } from '../../functions/adapters/env';
import { createRuntime, type Runtime } from '../../functions/adapters/runtime';
import type { ReportConfigInput } from '../../functions/core/config';
import { silentLogger } from '../../functions/core/jobs/ports';
import {
  createTable,
  type S3StandIn,
  type SesStandIn,
  STANDIN_CREDENTIALS,
  STANDIN_REGION,
  standInEnv,
  startS3,
  startSes,
} from './standins';

export const SENDER = 'reports@example.com';

export interface Harness {
  bucket: string;
  table: string;
  s3: S3StandIn;
  ses: SesStandIn;
  dynamodbEndpoint: string;
  /** The variables set in process.env for this file. */
  env: Record<string, string>;
  /** A fresh runtime over fresh default clients (as a new Lambda container would build). */
  runtime(): Runtime;
  putObject(key: string, body: string | Uint8Array): Promise<void>;
  getText(key: string): Promise<string | undefined>;
  listKeys(prefix: string): Promise<string[]>;
  stop(): Promise<void>;
}

export async function startHarness(options: {
  dynamodbEndpoint: string;
  config: ReportConfigInput;
  sender?: string;
  /** Also set the variables in process.env, for the exported `handler`s. @default true */
  setProcessEnv?: boolean;
}): Promise<Harness> {
  const bucket = `exports-${randomUUID().slice(0, 8)}`;
  const table = `snapshots-${randomUUID().slice(0, 8)}`;
  const [s3, ses] = await Promise.all([startS3({ buckets: [bucket] }), startSes()]);
  await createTable(options.dynamodbEndpoint, table);
  const env = {
    ...standInEnv({ s3: s3.endpoint, dynamodb: options.dynamodbEndpoint, ses: ses.endpoint }),
    BUCKET_NAME: bucket,
    TABLE_NAME: table,
    REPORT_CONFIG: JSON.stringify(options.config),
    SENDER: options.sender ?? SENDER,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  };
  if (options.setProcessEnv !== false) Object.assign(process.env, env);
  const runtimes: Runtime[] = [];
  // The same settings the environment gives, passed explicitly so that several harnesses
  // can live in one process whatever process.env holds.
  const base = { region: STANDIN_REGION, credentials: STANDIN_CREDENTIALS };
  const clients = () =>
    createAwsClients({
      s3: {
        ...base,
        endpoint: s3.endpoint,
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      },
      dynamodb: { ...base, endpoint: options.dynamodbEndpoint },
      ses: { ...base, endpoint: ses.endpoint },
    });
  const helper = createRuntime(readEnv(env), clients(), silentLogger);
  runtimes.push(helper);
  const s3Client = helper.clients.s3;
  return {
    bucket,
    table,
    s3,
    ses,
    dynamodbEndpoint: options.dynamodbEndpoint,
    env,
    runtime() {
      const rt = createRuntime(readEnv(env), clients(), silentLogger);
      runtimes.push(rt);
      return rt;
    },
    async putObject(key, body) {
      await s3Client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    },
    async getText(key) {
      try {
        const response = await s3Client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return await response.Body?.transformToString('utf8');
      } catch (error) {
        if (error instanceof Error && error.name === 'NoSuchKey') return undefined;
        throw error;
      }
    },
    async listKeys(prefix) {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await s3Client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return keys.sort();
    },
    async stop() {
      for (const rt of runtimes) {
        rt.clients.s3.destroy();
        rt.clients.dynamodb.destroy();
        rt.clients.ses.destroy();
      }
      await Promise.all([s3.stop(), ses.stop()]);
    },
  };
}
