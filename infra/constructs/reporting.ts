/**
 * The report path: one EventBridge Scheduler schedule per report, in that report's time zone,
 * invokes the report function with `{ "reportId": "<id>" }` (`{}` in a deployment of one
 * report; the handler reports the period that just ended); people invoke it
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
import { isValidTimeZone, type ReportConfig } from '../../functions/core/config';
import { scheduleExpressionProblem } from '../config';
import { HandlerFunction, type PowertoolsLogLevel } from './handler-function';
import type { StoredReportConfig } from './report-config';
import { KEY_PREFIXES } from './storage';
import { grantWebhookSecret } from './webhook-secret';

export interface ReportingProps {
  readonly bucket: s3.IBucket;
  readonly table: dynamodb.ITable;
  /** The stored report config; the function reads it at cold start. */
  readonly reportConfig: StoredReportConfig;
  /** The From address; must equal `reportConfig.config.email.sender` when that is set. */
  readonly sender: string;
  /**
   * EventBridge Scheduler cron(…) or rate(…) expression, read in the report's time zone, of
   * a deployment of one report.
   * @default - none: give `schedules`
   */
  readonly scheduleExpression?: string;
  /**
   * The expression of each report of `reportConfig.reports`, by `reportId`: one schedule
   * each, in that report's time zone, invoking the function with `{ "reportId": "<id>" }`.
   * @default - `scheduleExpression` for the only report
   */
  readonly schedules?: Readonly<Record<string, string>>;
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
  /** The schedule of the first report (the only one, in a deployment of one). */
  readonly schedule: scheduler.Schedule;
  /** Every report's schedule, by `reportId`. */
  readonly schedules: ReadonlyMap<string, scheduler.Schedule>;
  /** Scheduler puts an invocation here when it cannot deliver it to the function. */
  readonly scheduleDeadLetterQueue: sqs.Queue;
  readonly senderIdentity?: ses.EmailIdentity;
  /** The SES identities the report is sent through (for another function that sends it). */
  readonly senderIdentityArns: readonly string[];

  constructor(scope: Construct, id: string, props: ReportingProps) {
    super(scope, id);
    const { reports } = props.reportConfig;
    const domain = EMAIL.exec(props.sender)?.[1];
    if (domain === undefined) {
      throw new Error(
        `Reporting: sender must be an email address such as reports@example.com (got "${props.sender}")`,
      );
    }
    const expressions = scheduleExpressions(props, reports);
    for (const config of reports) {
      const configured = config.email.sender;
      if (configured !== undefined && configured !== props.sender) {
        throw new Error(
          `Reporting: sender "${props.sender}" differs from the report config's email.sender "${configured}"${reports.length > 1 ? ` (report "${config.reportId}")` : ''}`,
        );
      }
      if (!isValidTimeZone(config.timezone)) {
        throw new Error(
          `Reporting: the report time zone "${config.timezone}" is not a known IANA time zone`,
        );
      }
      const expression = expressions.get(config.reportId) as string;
      const problem = scheduleExpressionProblem(expression);
      if (problem) {
        const name = props.schedules ? `schedules["${config.reportId}"]` : 'scheduleExpression';
        throw new Error(`Reporting: ${name} ${problem} (got "${expression}")`);
      }
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
    // reports/ is read too: the archive index (reports/<id>/index.json) is read, extended and
    // written back conditionally on its ETag (functions/core/jobs/archive.ts).
    this.handler.useBucket(props.bucket, {
      read: [KEY_PREFIXES.exports, KEY_PREFIXES.reports],
      list: 'bucket',
      write: [KEY_PREFIXES.reports],
    });
    this.handler.useTable(props.table);
    // Config `slack`: the summary after each period's emails reads its webhook URL.
    for (const config of reports) {
      if (config.slack) grantWebhookSecret(this.handler, config.slack.webhookSecret);
    }

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
      ...reports.flatMap((config) => config.email.recipients.map(identityArn)),
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
    // One report keeps the construct id (and the `{}` payload) of a deployment of one, so
    // that moving a report into a list of one does not replace its schedule.
    const schedules = new Map<string, scheduler.Schedule>();
    for (const config of reports) {
      const expression = expressions.get(config.reportId) as string;
      const single = reports.length === 1;
      const schedule = new scheduler.Schedule(
        this,
        single ? 'Schedule' : `Schedule-${config.reportId}`,
        {
          description: `Sends the "${config.name}" report (${expression}, ${config.timezone})`,
          schedule: scheduler.ScheduleExpression.expression(
            expression,
            TimeZone.of(config.timezone),
          ),
          target: new targets.LambdaInvoke(this.handler.function, {
            role: schedulerRole,
            input: scheduler.ScheduleTargetInput.fromObject(
              single ? {} : { reportId: config.reportId },
            ),
            deadLetterQueue: this.scheduleDeadLetterQueue,
            retryAttempts: 3,
            maxEventAge: Duration.hours(6),
          }),
        },
      );
      schedules.set(config.reportId, schedule);
    }
    this.schedules = schedules;
    this.schedule = schedules.get((reports[0] as ReportConfig).reportId) as scheduler.Schedule;
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

/** Each report's schedule expression, by `reportId`; throws when one is missing or extra. */
function scheduleExpressions(
  props: ReportingProps,
  reports: readonly ReportConfig[],
): Map<string, string> {
  const ids = reports.map((r) => r.reportId);
  if (props.schedules === undefined) {
    if (props.scheduleExpression === undefined || reports.length !== 1) {
      throw new Error(
        `Reporting: give "schedules", an expression for each of the reports ${ids.map((id) => `"${id}"`).join(', ')}${reports.length === 1 ? ', or "scheduleExpression"' : ''}`,
      );
    }
    return new Map([[ids[0] as string, props.scheduleExpression]]);
  }
  const given = Object.keys(props.schedules);
  const missing = ids.filter((id) => !given.includes(id));
  const extra = given.filter((id) => !ids.includes(id));
  if (missing.length > 0 || extra.length > 0 || props.scheduleExpression !== undefined) {
    throw new Error(
      `Reporting: "schedules" needs exactly one expression per report (${ids.map((id) => `"${id}"`).join(', ')}) and no "scheduleExpression"${missing.length > 0 ? `; missing ${missing.join(', ')}` : ''}${extra.length > 0 ? `; not a report: ${extra.join(', ')}` : ''}`,
    );
  }
  return new Map(Object.entries(props.schedules));
}
