/**
 * Everything a handler needs, built once per Lambda container: the environment, the report
 * configuration it points to, the SDK clients and the adapters over them. Built on the first
 * invocation rather than at import, so importing a handler (tests, the demo, esbuild's
 * analysis) needs no environment; the container keeps it for every later invocation.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { LogAttributes } from '@aws-lambda-powertools/logger/types';
import type { ReportConfig } from '../core/config';
import type { EngineSettings } from '../core/engine';
import type { DeliverySettings } from '../core/jobs/deliver';
import type { JobLogger } from '../core/jobs/ports';
import { type AwsClients, createAwsClients } from './clients';
import { DynamoDbSendLedger, DynamoDbSnapshotStore } from './dynamodb';
import { type RuntimeEnv, readEnv } from './env';
import { describeLocation, loadReportConfigs } from './report-config';
import { S3ExportSource, S3ObjectStore } from './s3';
import { SesMailer } from './ses';

/**
 * Structured JSON logs; POWERTOOLS_SERVICE_NAME and POWERTOOLS_LOG_LEVEL (set by the stack)
 * name the service and pick the level. Logs carry keys, counts and reasons — never email
 * bodies, recipient addresses or row contents.
 */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'engagement-report',
});

/**
 * The core logs through the small `JobLogger` interface so it does not depend on
 * Powertools. Powertools' methods take `(message, ...extras)` where an extra is an object
 * of attributes or one Error/string; this passes the core's single attributes object as
 * one extra, merged into the JSON line.
 */
export function toJobLogger(log: Logger): JobLogger {
  const extras = (extra: Record<string, unknown> | undefined): LogAttributes[] =>
    extra === undefined ? [] : [extra as LogAttributes];
  return {
    debug: (message, extra) => log.debug(message, ...extras(extra)),
    info: (message, extra) => log.info(message, ...extras(extra)),
    warn: (message, extra) => log.warn(message, ...extras(extra)),
    error: (message, extra) => log.error(message, ...extras(extra)),
  };
}

export const jobLogger: JobLogger = toJobLogger(logger);

/** What a handler factory (createIngestHandler, createReportHandler) takes besides its runtime. */
export interface HandlerOptions {
  /** @default - Date.now */
  now?: () => number;
  /** DuckDB's resources. @default - the ones the stack sets (adapters/engine-env.ts) */
  engine?: () => EngineSettings;
  /** Retries and backoff per recipient. @default - DEFAULT_DELIVERY */
  delivery?: DeliverySettings;
}

export interface Runtime {
  env: RuntimeEnv;
  clients: AwsClients;
  objects: S3ObjectStore;
  source: S3ExportSource;
  store: DynamoDbSnapshotStore;
  ledger: DynamoDbSendLedger;
  mailer: SesMailer;
  logger: JobLogger;
}

export function createRuntime(
  env: RuntimeEnv,
  clients: AwsClients = createAwsClients(),
  log: JobLogger = jobLogger,
): Runtime {
  return {
    env,
    clients,
    objects: new S3ObjectStore(clients.s3, env.bucketName),
    source: new S3ExportSource(clients.s3, env.bucketName, { logger: log }),
    store: new DynamoDbSnapshotStore(clients.dynamodb, env.tableName),
    ledger: new DynamoDbSendLedger(clients.dynamodb, env.tableName),
    mailer: new SesMailer(clients.ses),
    logger: log,
  };
}

/**
 * The runtime from an environment: the variables, then the report configuration they point
 * to, read from S3 and validated (a StoredConfigError names the object and the problem).
 */
export async function loadRuntime(
  source: Record<string, string | undefined> = process.env,
  clients: AwsClients = createAwsClients(),
  log: JobLogger = jobLogger,
): Promise<Runtime> {
  const { reportConfig, ...names } = readEnv(source);
  const reports = await loadReportConfigs(clients.s3, reportConfig);
  const config = reports[0] as ReportConfig;
  log.info('report configuration loaded', {
    location: describeLocation(reportConfig),
    sha256: reportConfig.sha256,
    reportIds: reports.map((r) => r.reportId),
  });
  // `reports` only with several: a deployment of one has the environment it always had.
  return createRuntime(
    { ...names, config, ...(reports.length > 1 ? { reports } : {}) },
    clients,
    log,
  );
}

/**
 * `load` once: later calls share its runtime. A failed load is not kept, so the next
 * invocation tries again (an S3 hiccup at cold start must not break the container for good).
 */
export function cachedRuntime(load: () => Promise<Runtime>): () => Promise<Runtime> {
  let pending: Promise<Runtime> | undefined;
  return () => {
    pending ??= load().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}

let sharedClients: AwsClients | undefined;

/**
 * The container's runtime, from the environment (BUCKET_NAME, TABLE_NAME, …). The clients
 * outlive a failed load, so a retry reuses their connections.
 */
export const sharedRuntime: () => Promise<Runtime> = cachedRuntime(() => {
  sharedClients ??= createAwsClients();
  return loadRuntime(process.env, sharedClients);
});
