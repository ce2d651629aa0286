/**
 * One integration test file's world: its own s3rver buckets and SES stand-in (both
 * in-process, so the file can listen to S3 events and read the email store), its own table
 * in the shared DynamoDB Local, the report configuration stored in S3 as the deploy stores
 * it, and the environment variables the production code reads (`AWS_ENDPOINT_URL_*`,
 * BUCKET_NAME, TABLE_NAME, REPORT_CONFIG_BUCKET/KEY/SHA256, SENDER), which the exported
 * handlers read exactly as in Lambda. `runtime()` builds the same runtime with the endpoints
 * passed explicitly, so several harnesses can share one process, and with the configuration
 * read back from S3 once when the harness starts.
 */
import { randomUUID } from 'node:crypto';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { createAwsClients } from '../../functions/adapters/clients';
import { readEnv } from '../../functions/adapters/env';
import { loadReportConfig } from '../../functions/adapters/report-config';
import { createRuntime, type Runtime } from '../../functions/adapters/runtime';
import type { ReportConfigInput } from '../../functions/core/config';
import { silentLogger } from '../../functions/core/jobs/ports';
import {
  createTable,
  putReportConfig,
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
  /** The bucket the report configuration is stored in (the CDK assets bucket when deployed). */
  configBucket: string;
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
  const configBucket = `assets-${randomUUID().slice(0, 8)}`;
  const table = `snapshots-${randomUUID().slice(0, 8)}`;
  const [s3, ses] = await Promise.all([startS3({ buckets: [bucket, configBucket] }), startSes()]);
  await createTable(options.dynamodbEndpoint, table);
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
  const helperClients = clients();
  const stored = await putReportConfig(helperClients.s3, configBucket, options.config);
  const env = {
    ...standInEnv({ s3: s3.endpoint, dynamodb: options.dynamodbEndpoint, ses: ses.endpoint }),
    BUCKET_NAME: bucket,
    TABLE_NAME: table,
    ...stored.env,
    SENDER: options.sender ?? SENDER,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  };
  if (options.setProcessEnv !== false) Object.assign(process.env, env);
  // Read back once, as a cold start does; every runtime() then shares it.
  const config = await loadReportConfig(helperClients.s3, readEnv(env).reportConfig);
  const runtimeFrom = (awsClients: ReturnType<typeof clients>): Runtime => {
    const { reportConfig: _location, ...names } = readEnv(env);
    const rt = createRuntime({ ...names, config }, awsClients, silentLogger);
    runtimes.push(rt);
    return rt;
  };
  const helper = runtimeFrom(helperClients);
  const s3Client = helper.clients.s3;
  return {
    bucket,
    configBucket,
    table,
    s3,
    ses,
    dynamodbEndpoint: options.dynamodbEndpoint,
    env,
    runtime() {
      return runtimeFrom(clients());
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
