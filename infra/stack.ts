/**
 * The whole deployment of one or several reports (one schedule each, sharing the functions,
 * bucket and table): storage, ingestion, reporting and alarms, composed
 * from the deploy config. Each concern lives in its own construct (infra/constructs).
 */
import { Aws, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { DeployConfig } from './config';
import { Alarms } from './constructs/alarms';
import { Ingestion } from './constructs/ingestion';
import { Links } from './constructs/links';
import { StoredReportConfig } from './constructs/report-config';
import { Reporting } from './constructs/reporting';
import { KEY_PREFIXES, Storage } from './constructs/storage';
import { grantWebhookSecret } from './constructs/webhook-secret';

export interface EngagementReportStackProps extends StackProps {
  /** The validated deploy file (infra/config.ts). */
  readonly config: DeployConfig;
}

export class EngagementReportStack extends Stack {
  readonly storage: Storage;
  readonly reportConfig: StoredReportConfig;
  readonly ingestion: Ingestion;
  readonly reporting: Reporting;
  readonly links: Links;
  readonly alarms: Alarms;

  constructor(scope: Construct, id: string, props: EngagementReportStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.storage = new Storage(this, 'Storage', {
      rejectedRetentionDays: config.rejectedRetentionDays,
    });
    const { bucket, table } = this.storage;
    this.reportConfig = new StoredReportConfig(this, 'ReportConfig', {
      reports: config.reports.map((r) => r.config),
    });

    this.ingestion = new Ingestion(this, 'Ingestion', {
      bucket,
      table,
      reportConfig: this.reportConfig,
      sender: config.sender,
      memoryMb: config.memoryMb,
      timeout: Duration.seconds(config.ingestTimeoutSeconds),
    });

    this.reporting = new Reporting(this, 'Reporting', {
      bucket,
      table,
      reportConfig: this.reportConfig,
      sender: config.sender,
      schedules: Object.fromEntries(
        config.reports.map((r) => [r.config.reportId, r.scheduleExpression]),
      ),
      createSenderIdentity: config.createSenderIdentity,
      memoryMb: config.memoryMb,
      timeout: Duration.seconds(config.reportTimeoutSeconds),
    });
    // A late file that changes the numbers of a period already emailed makes the ingest send
    // the revised report (config email.revisions); with "mark" it only marks, and cannot send.
    if (config.reports.some((r) => r.config.email.revisions.mode === 'send')) {
      this.ingestion.handler.useEmailSender(config.sender, this.reporting.senderIdentityArns);
      // …and posts the revised summary to config `slack`'s webhook.
      for (const { config: report } of config.reports) {
        if (report.slack && report.email.revisions.mode === 'send') {
          grantWebhookSecret(this.ingestion.handler, report.slack.webhookSecret);
        }
      }
    }

    // The email's unsubscribe and archive links, signed by whichever function sends it.
    this.links = new Links(this, 'Links', { bucket, table });
    this.links.bindSender(this.reporting.handler);
    if (config.reports.some((r) => r.config.email.revisions.mode === 'send')) {
      this.links.bindSender(this.ingestion.handler);
    }

    this.alarms = new Alarms(this, 'Alarms', {
      functions: {
        Ingest: this.ingestion.handler.function,
        Links: this.links.handler.function,
        Report: this.reporting.handler.function,
      },
      deadLetterQueues: {
        Ingest: this.ingestion.handler.deadLetterQueue,
        Report: this.reporting.handler.deadLetterQueue,
        Schedule: this.reporting.scheduleDeadLetterQueue,
      },
      ...(config.alarmEmail === undefined ? {} : { email: config.alarmEmail }),
    });

    const reportFunctionName = this.reporting.handler.function.functionName;
    new CfnOutput(this, 'BucketName', {
      value: bucket.bucketName,
      description: `Drop exports under s3://<bucket>/${KEY_PREFIXES.incoming}<dataset>/`,
    });
    new CfnOutput(this, 'TableName', { value: table.tableName, description: 'Snapshot table' });
    new CfnOutput(this, 'ReportFunctionName', {
      value: reportFunctionName,
      description: 'The report function (scheduled, and invocable on demand)',
    });
    // One command per report: the payload names it (OnDemandReportCommand<Id> with several).
    for (const { config: report } of config.reports) {
      const id =
        config.reports.length === 1
          ? 'OnDemandReportCommand'
          : `OnDemandReportCommand${pascalCase(report.reportId)}`;
      new CfnOutput(this, id, {
        value: [
          'aws lambda invoke',
          `--region ${Aws.REGION}`,
          `--function-name ${reportFunctionName}`,
          '--cli-binary-format raw-in-base64-out',
          `--payload '${JSON.stringify({ reportId: report.reportId })}'`,
          `report-response.json`,
        ].join(' '),
        description: `Sends the "${report.reportId}" report for the period that just ended; add "period" (e.g. "2026-W44"), "dryRun": true or "recipients" to the payload`,
      });
    }
  }
}

/** `weekly-smb` → `WeeklySmb`, for output ids (letters and digits only). */
function pascalCase(id: string): string {
  return id
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
