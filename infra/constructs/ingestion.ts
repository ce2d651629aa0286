/**
 * The ingest path: every object created under `incoming/` invokes the ingest function, which
 * validates the file, keeps it under `exports/` (accepted rows) and `rejected/` (the rest), and
 * recomputes the snapshot of every period its rows touch. When that changes the numbers of
 * a period already emailed, it sends the revised report: the stack then lets it send as the
 * report function does (config `email.revisions`).
 */
import { Duration, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { HandlerFunction, type PowertoolsLogLevel } from './handler-function';
import type { StoredReportConfig } from './report-config';
import { KEY_PREFIXES } from './storage';

export interface IngestionProps {
  readonly bucket: s3.Bucket;
  readonly table: dynamodb.ITable;
  /** The stored report config; the function reads it at cold start. */
  readonly reportConfig: StoredReportConfig;
  /**
   * The report's From address, passed as SENDER: the handlers share one environment reader
   * (functions/adapters/env.ts) that requires it. SES permission is the stack's to give.
   */
  readonly sender: string;
  /** @default 1024 */
  readonly memoryMb?: number;
  /** A large export is parsed in one invocation, so the default is Lambda's maximum. @default Duration.minutes(15) */
  readonly timeout?: Duration;
  /** @default 'INFO' */
  readonly logLevel?: PowertoolsLogLevel;
  /** /tmp for the engine's export copies and DuckDB's spill (HandlerFunction). @default 2048 */
  readonly ephemeralStorageMb?: number;
}

export class Ingestion extends Construct {
  readonly handler: HandlerFunction;

  constructor(scope: Construct, id: string, props: IngestionProps) {
    super(scope, id);
    // No reserved concurrency: two files landing together may recompute the same period at
    // once, and the snapshot store's conditional write (version check) settles that race.
    this.handler = new HandlerFunction(this, 'Ingest', {
      entry: 'functions/ingest.ts',
      description: 'Validates exports dropped under incoming/ and recomputes affected periods',
      serviceName: 'engagement-ingest',
      memoryMb: props.memoryMb ?? 1024,
      timeout: props.timeout ?? Duration.minutes(15),
      retryAttempts: 2,
      duckDb: true,
      ...(props.ephemeralStorageMb === undefined
        ? {}
        : { ephemeralStorageMb: props.ephemeralStorageMb }),
      ...(props.logLevel === undefined ? {} : { logLevel: props.logLevel }),
      environment: { SENDER: props.sender },
    });
    this.handler.useReportConfig(props.reportConfig);
    // Reads rejected/ too: before clearing a stale rejected-rows file it checks (HeadObject)
    // whether one exists. That check expects 404 for a missing key, which S3 only returns to
    // a role allowed to list the bucket, hence the whole-bucket list (key names only).
    // reports/: a revised email the ingest sends (config email.revisions "send") is kept in
    // the archive like the report function's, and listed in its index (read and rewritten).
    this.handler.useBucket(props.bucket, {
      read: [
        KEY_PREFIXES.incoming,
        KEY_PREFIXES.exports,
        KEY_PREFIXES.rejected,
        KEY_PREFIXES.reports,
      ],
      list: 'bucket',
      write: [KEY_PREFIXES.exports, KEY_PREFIXES.rejected, KEY_PREFIXES.reports],
    });
    this.handler.useTable(props.table);

    // Only incoming/ triggers: the function itself writes under exports/ and rejected/ of the
    // same bucket, and a broader filter would make it invoke itself.
    props.bucket.addEventNotification(
      s3.EventType.OBJECT_CREATED,
      new s3n.LambdaDestination(this.handler.function),
      { prefix: KEY_PREFIXES.incoming },
    );
    suppressBucketNotificationsHandler(Stack.of(this));
  }
}

/**
 * The bucket notification is configured by a Lambda-backed custom resource that aws-cdk-lib
 * adds once per stack (id `BucketNotificationsHandler<hash>`); its role is not ours to shape.
 */
function suppressBucketNotificationsHandler(stack: Stack): void {
  for (const child of stack.node.children) {
    if (!child.node.id.startsWith('BucketNotificationsHandler')) continue;
    NagSuppressions.addResourceSuppressions(
      child,
      [
        {
          id: 'AwsSolutions-IAM4',
          reason:
            'CDK-owned custom resource that applies the bucket notification; aws-cdk-lib gives its role AWSLambdaBasicExecutionRole for its logs.',
          appliesTo: [
            'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
          ],
        },
      ],
      true,
    );
  }
}
