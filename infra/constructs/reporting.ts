/**
 * The report path: an EventBridge Scheduler schedule in the report's time zone invokes the
 * report function with `{}` (the handler reports the period that just ended); people invoke it
 * on demand with `{ reportId, period?, dryRun?, recipients? }`. The function reads `exports/`,
 * writes the snapshot and `reports/`, and sends the email through SES from the sender address.
 */
import { Aws, Duration, Stack, TimeZone } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { isValidTimeZone } from '../../functions/core/config';
import { scheduleExpressionProblem } from '../config';
import { HandlerFunction, type PowertoolsLogLevel } from './handler-function';
import type { StoredReportConfig } from './report-config';
import { KEY_PREFIXES } from './storage';

export interface ReportingProps {
  readonly bucket: s3.IBucket;
  readonly table: dynamodb.ITable;
  /** The stored report config; the function reads it at cold start. */
  readonly reportConfig: StoredReportConfig;
  /** The From address; must equal `reportConfig.config.email.sender` when that is set. */
  readonly sender: string;
  /** EventBridge Scheduler cron(…) or rate(…) expression, read in the report's time zone. */
  readonly scheduleExpression: string;
  /**
   * Create the SES email identity for the sender. Turn off when the address (or its domain)
   * is already a verified identity in this account and region.
   * @default true
   */
  readonly createSenderIdentity?: boolean;
  /** @default 1024 */
  readonly memoryMb?: number;
  /** @default Duration.minutes(5) */
  readonly timeout?: Duration;
  /** @default 'INFO' */
  readonly logLevel?: PowertoolsLogLevel;
  /** /tmp for the engine's export copies and DuckDB's spill (HandlerFunction). @default 2048 */
  readonly ephemeralStorageMb?: number;
}

const EMAIL = /^[^\s@]+@([^\s@]+\.[^\s@]+)$/;

export class Reporting extends Construct {
  readonly handler: HandlerFunction;
  readonly schedule: scheduler.Schedule;
  /** Scheduler puts an invocation here when it cannot deliver it to the function. */
  readonly scheduleDeadLetterQueue: sqs.Queue;
  readonly senderIdentity?: ses.EmailIdentity;
  /** The SES identities the report is sent through (for another function that sends it). */
  readonly senderIdentityArns: readonly string[];

  constructor(scope: Construct, id: string, props: ReportingProps) {
    super(scope, id);
    const { config } = props.reportConfig;
    const domain = EMAIL.exec(props.sender)?.[1];
    if (domain === undefined) {
      throw new Error(
        `Reporting: sender must be an email address such as reports@example.com (got "${props.sender}")`,
      );
    }
    const configured = config.email.sender;
    if (configured !== undefined && configured !== props.sender) {
      throw new Error(
        `Reporting: sender "${props.sender}" differs from the report config's email.sender "${configured}"`,
      );
    }
    if (!isValidTimeZone(config.timezone)) {
      throw new Error(
        `Reporting: the report time zone "${config.timezone}" is not a known IANA time zone`,
      );
    }
    const problem = scheduleExpressionProblem(props.scheduleExpression);
    if (problem) {
      throw new Error(
        `Reporting: scheduleExpression ${problem} (got "${props.scheduleExpression}")`,
      );
    }

    this.handler = new HandlerFunction(this, 'Report', {
      entry: 'functions/report.ts',
      description: 'Computes the period snapshot and emails the engagement report',
      serviceName: 'engagement-report',
      memoryMb: props.memoryMb ?? 1024,
      timeout: props.timeout ?? Duration.minutes(5),
      retryAttempts: 2,
      duckDb: true,
      ...(props.ephemeralStorageMb === undefined
        ? {}
        : { ephemeralStorageMb: props.ephemeralStorageMb }),
      ...(props.logLevel === undefined ? {} : { logLevel: props.logLevel }),
    });
    this.handler.useReportConfig(props.reportConfig);
    // The whole-bucket list makes an export deleted during a recompute read as 404 (handled:
    // list again) instead of 403 Access Denied (a failed invocation); see BucketAccess.list.
    this.handler.useBucket(props.bucket, {
      read: [KEY_PREFIXES.exports],
      list: 'bucket',
      write: [KEY_PREFIXES.reports],
    });
    this.handler.useTable(props.table);

    // SES sends only after the address is verified: AWS emails it a link to click. A new
    // account is also in the SES sandbox, where every recipient must be verified too until
    // production access is granted (SES console → Account dashboard → Request production access).
    if (props.createSenderIdentity ?? true) {
      this.senderIdentity = new ses.EmailIdentity(this, 'SenderIdentity', {
        identity: ses.Identity.email(props.sender),
      });
    }
    const stack = Stack.of(this);
    const identityArn = (name: string) =>
      stack.formatArn({ service: 'ses', resource: 'identity', resourceName: name });
    // SES authorizes a send against the identity it sends through: the address, or its domain
    // when the domain is the verified identity. In the sandbox it also checks each recipient's
    // identity. The FromAddress condition keeps every one of these to this sender.
    const identities = new Set([
      this.senderIdentity?.emailIdentityArn ?? identityArn(props.sender),
      identityArn(domain),
      ...config.email.recipients.map(identityArn),
    ]);
    this.senderIdentityArns = [...identities];
    this.handler.useEmailSender(props.sender, this.senderIdentityArns);

    this.scheduleDeadLetterQueue = new sqs.Queue(this, 'ScheduleDeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    NagSuppressions.addResourceSuppressions(this.scheduleDeadLetterQueue, [
      {
        id: 'AwsSolutions-SQS3',
        reason:
          'This queue is the dead-letter queue of the report schedule (cdk-nag only recognises queue and Lambda DLQs); its depth is alarmed.',
      },
    ]);

    const schedulerRole = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
      description: 'Lets EventBridge Scheduler invoke the report function',
    });
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: `Sends the "${config.name}" report (${props.scheduleExpression}, ${config.timezone})`,
      schedule: scheduler.ScheduleExpression.expression(
        props.scheduleExpression,
        TimeZone.of(config.timezone),
      ),
      target: new targets.LambdaInvoke(this.handler.function, {
        role: schedulerRole,
        input: scheduler.ScheduleTargetInput.fromObject({}),
        deadLetterQueue: this.scheduleDeadLetterQueue,
        retryAttempts: 3,
        maxEventAge: Duration.hours(6),
      }),
    });
    const functionId = stack.getLogicalId(
      this.handler.function.node.defaultChild as lambda.CfnFunction,
    );
    NagSuppressions.addResourceSuppressions(
      schedulerRole,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'LambdaInvoke grants lambda:InvokeFunction on the report function and its versions/aliases (<arn>:*); no other function.',
          appliesTo: [`Resource::<${functionId}.Arn>:*`],
        },
      ],
      true,
    );
  }
}
