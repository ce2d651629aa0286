/**
 * The synthesized template, one behaviour per test. The stack is synthesized once per
 * configuration (beforeAll) without esbuild bundling; bundling is covered in bundle.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Stage } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { readEnv } from '../../functions/adapters/env';
import { sha256Hex } from '../../functions/adapters/report-config';
import { parseConfig } from '../../functions/core/config';
import { REPO_ROOT } from '../../infra/paths';
import { largeColumnMapping } from '../fixtures/large-config';
import {
  actionsOf,
  BASE_INPUT,
  findings,
  logicalId,
  type PolicyStatement,
  type Synthesized,
  statementsOfRole,
  synthesize,
} from './synth';

let base: Synthesized;
let template: Template;
/** Logical ids of the resources most assertions refer to. */
let ids: {
  bucket: string;
  logsBucket: string;
  table: string;
  ingest: string;
  report: string;
  topic: string;
  key: string;
  /** The stored report config's ARN, as the template writes it. */
  configObject: string;
};

beforeAll(() => {
  base = synthesize();
  template = base.template;
  const { stack } = base;
  ids = {
    bucket: logicalId(stack.storage.bucket),
    logsBucket: logicalId(stack.storage.accessLogsBucket),
    table: logicalId(stack.storage.table),
    ingest: logicalId(stack.ingestion.handler.function),
    report: logicalId(stack.reporting.handler.function),
    topic: logicalId(stack.alarms.topic),
    key: logicalId(stack.alarms.key),
    configObject: JSON.stringify(stack.resolve(stack.reportConfig.objectArn)),
  };
});

const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

/**
 * A policy resource in words: `bucket`, `bucket/<prefix>*`, `table`, `report config object`
 * (the one object StoredReportConfig stores), or its JSON, so that
 * grants can be compared as plain `<action> on <resource>` strings.
 */
function describeResource(resource: unknown): string {
  const json = JSON.stringify(resource);
  if (json === JSON.stringify(arnOf(ids.bucket))) return 'bucket';
  if (json === JSON.stringify(arnOf(ids.table))) return 'table';
  if (json === ids.configObject) return 'report config object';
  const join = (resource as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join && join[0] === '' && join[1].length === 2) {
    const [head, tail] = join[1];
    if (JSON.stringify(head) === JSON.stringify(arnOf(ids.bucket)) && typeof tail === 'string') {
      return `bucket${tail}`;
    }
  }
  return json;
}

/** `<action> on <resource>` for every Allow statement whose actions start with `service:`. */
function grants(statements: PolicyStatement[], service: string): string[] {
  const lines: string[] = [];
  for (const statement of statements) {
    if (statement.Effect !== 'Allow') continue;
    const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
    for (const action of actionsOf(statement)) {
      if (!action.startsWith(`${service}:`)) continue;
      for (const resource of resources) lines.push(`${action} on ${describeResource(resource)}`);
    }
  }
  return lines.sort();
}

/** A CloudFormation string expression as text, references written `${LogicalId}`. */
function render(value: unknown): string {
  if (typeof value === 'string') return value;
  const object = value as { Ref?: string; 'Fn::Join'?: [string, unknown[]] };
  if (object.Ref !== undefined) return `\${${object.Ref}}`;
  if (object['Fn::Join']) return object['Fn::Join'][1].map(render).join(object['Fn::Join'][0]);
  return JSON.stringify(value);
}

/** The action names of the SDK commands a source file sends (`new XxxCommand(`). */
function commandsIn(file: string): string[] {
  const source = readFileSync(join(REPO_ROOT, file), 'utf8');
  return [...new Set([...source.matchAll(/new (\w+)Command\(/g)].map((m) => m[1] ?? ''))].sort();
}

describe('Storage', () => {
  it('encrypts the data bucket with S3-managed keys and blocks all public access', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { DestinationBucketName: { Ref: ids.logsBucket } },
    });
    const bucket = template.toJSON().Resources[ids.bucket];
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.DeletionPolicy).toBe('Retain');
  });

  it('refuses requests without TLS on both buckets', () => {
    for (const bucketId of [ids.bucket, ids.logsBucket]) {
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: bucketId },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 's3:*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    }
  });

  it('expires rejected/ after the configured days and old object versions after 30', () => {
    const rules = template.toJSON().Resources[ids.bucket].Properties.LifecycleConfiguration.Rules;
    // BASE_INPUT sets deploy.rejectedRetentionDays to 45.
    expect(rules).toContainEqual(
      expect.objectContaining({ Prefix: 'rejected/', ExpirationInDays: 45, Status: 'Enabled' }),
    );
    expect(rules).toContainEqual(
      expect.objectContaining({
        NoncurrentVersionExpiration: { NoncurrentDays: 30 },
        Status: 'Enabled',
      }),
    );
    // Nothing else expires current objects: exports and reports are the business's history.
    const expiring = rules.filter(
      (r: { ExpirationInDays?: number }) => r.ExpirationInDays !== undefined,
    );
    expect(expiring).toHaveLength(1);
  });

  it('keeps snapshots in an on-demand table keyed pk/sk with point-in-time recovery', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
  });

  it('uses the key attribute names of the DynamoDB adapter', () => {
    // The adapter writes `Key: { pk: …, sk: … }` and queries `pk = :pk`.
    const adapter = readFileSync(join(REPO_ROOT, 'functions/adapters/dynamodb.ts'), 'utf8');
    expect(adapter).toContain("KeyConditionExpression: 'pk = :pk");
    expect(adapter).toMatch(/Key: \{ pk: reportPk\(.*\), sk: /);
  });
});

describe('Ingestion', () => {
  it('invokes the ingest function for objects created under incoming/ only', () => {
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: { Ref: ids.bucket },
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [
          {
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'incoming/' }] } },
            LambdaFunctionArn: arnOf(ids.ingest),
          },
        ],
      },
    });
  });

  it('lets only this bucket in this account invoke the ingest function', () => {
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: arnOf(ids.ingest),
      Principal: 's3.amazonaws.com',
      SourceAccount: { Ref: 'AWS::AccountId' },
      SourceArn: arnOf(ids.bucket),
    });
  });
});

describe('HandlerFunction', () => {
  const functions = () => [
    { name: 'ingest', id: ids.ingest, service: 'engagement-ingest', timeout: 900 },
    { name: 'report', id: ids.report, service: 'engagement-report', timeout: 300 },
  ];

  it('runs both handlers on Node.js 22, arm64, with JSON logs at the Powertools level', () => {
    for (const fn of functions()) {
      const props = template.toJSON().Resources[fn.id].Properties;
      expect(props).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: 1024,
        Timeout: fn.timeout,
        LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'INFO' },
      });
      expect(props.Environment.Variables).toMatchObject({
        POWERTOOLS_SERVICE_NAME: fn.service,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
      });
    }
  });

  it('gives each handler its own log group with 90-day retention', () => {
    for (const fn of functions()) {
      const props = template.toJSON().Resources[fn.id].Properties;
      const logGroupId = props.LoggingConfig.LogGroup.Ref as string;
      expect(template.toJSON().Resources[logGroupId]).toMatchObject({
        Type: 'AWS::Logs::LogGroup',
        Properties: { RetentionInDays: 90 },
      });
    }
  });

  it('sets exactly the environment functions/adapters/env.ts reads, and it validates', () => {
    const stored = base.stack.reportConfig;
    for (const fn of functions()) {
      // Prepare: the deployed values, with the bucket and table references resolved.
      const variables = template.toJSON().Resources[fn.id].Properties.Environment.Variables;
      expect(variables.BUCKET_NAME).toEqual({ Ref: ids.bucket });
      expect(variables.TABLE_NAME).toEqual({ Ref: ids.table });
      expect(variables.REPORT_CONFIG_BUCKET).toEqual(base.stack.resolve(stored.asset.s3BucketName));
      const resolved = {
        ...variables,
        BUCKET_NAME: 'data-bucket',
        TABLE_NAME: 'snapshots',
        REPORT_CONFIG_BUCKET: 'assets-bucket',
      };

      // Act
      const env = readEnv(resolved);

      // Assess
      expect(env).toEqual({
        bucketName: 'data-bucket',
        tableName: 'snapshots',
        sender: 'reports@example.org',
        reportConfig: {
          bucket: 'assets-bucket',
          key: stored.asset.s3ObjectKey,
          sha256: stored.sha256,
        },
      });
    }
  });

  it('keeps the report config out of the environment: only where it is and its SHA-256', () => {
    for (const fn of functions()) {
      const variables = template.toJSON().Resources[fn.id].Properties.Environment.Variables;
      expect(Object.keys(variables)).not.toContain('REPORT_CONFIG');
      // Nothing of the config itself: not its name, time zone or recipients.
      const text = JSON.stringify(variables);
      for (const value of ['Test engagement', 'America/New_York', 'team@example.org']) {
        expect(text, `${fn.name}: ${value}`).not.toContain(value);
      }
      expect(variables.REPORT_CONFIG_KEY).toMatch(/^[0-9a-f]{64}\.json$/);
      expect(variables.REPORT_CONFIG_SHA256).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('uploads the validated config with the stack assets, to the key the functions read', () => {
    // Prepare: the asset manifest cdk-assets publishes from before CloudFormation runs.
    const outdir = Stage.of(base.stack)?.outdir ?? '';
    const manifest = JSON.parse(
      readFileSync(join(outdir, `${base.stack.artifactId}.assets.json`), 'utf8'),
    ) as {
      files: Record<
        string,
        { source: { path: string; packaging: string }; destinations: Record<string, unknown> }
      >;
    };
    const variables = template.toJSON().Resources[ids.report].Properties.Environment.Variables;
    const entry = Object.values(manifest.files).find((file) =>
      Object.values(file.destinations).some(
        (d) => (d as { objectKey?: string }).objectKey === variables.REPORT_CONFIG_KEY,
      ),
    );

    // Act: the bytes that will be uploaded.
    expect(entry?.source.packaging).toBe('file');
    const bytes = readFileSync(join(outdir, entry?.source.path ?? ''));

    // Assess: they hash to the variable the functions check, and parse to the config.
    expect(sha256Hex(bytes)).toBe(variables.REPORT_CONFIG_SHA256);
    expect(parseConfig(JSON.parse(bytes.toString('utf8')))).toEqual(expectedConfig());
  });
  it('sends failed asynchronous invocations, after 2 retries, to an encrypted TLS-only queue', () => {
    for (const fn of functions()) {
      const props = template.toJSON().Resources[fn.id].Properties;
      const queueId = props.DeadLetterConfig.TargetArn['Fn::GetAtt'][0] as string;
      expect(template.toJSON().Resources[queueId]).toMatchObject({
        Type: 'AWS::SQS::Queue',
        Properties: { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 },
      });
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: queueId }],
        PolicyDocument: {
          Statement: [
            Match.objectLike({
              Effect: 'Deny',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ],
        },
      });
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: fn.id },
        MaximumRetryAttempts: 2,
      });
    }
  });
});

/** What the adapters send, mapped to the IAM action each call needs. */
const DYNAMODB_ACTION: Record<string, string> = {
  Get: 'dynamodb:GetItem',
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  Query: 'dynamodb:Query',
  Scan: 'dynamodb:Scan',
  BatchGet: 'dynamodb:BatchGetItem',
  BatchWrite: 'dynamodb:BatchWriteItem',
};

describe('grants', () => {
  const roles = () => ({
    ingest: statementsOfRole(template, base.stack.ingestion.handler.role),
    report: statementsOfRole(template, base.stack.reporting.handler.role),
  });

  it('never allows a wildcard action or a "*" resource to the project roles', () => {
    const all = template.findResources('AWS::IAM::Policy');
    expect(Object.keys(all).length).toBeGreaterThan(0);
    for (const [id, policy] of Object.entries(all)) {
      for (const statement of policy.Properties.PolicyDocument.Statement as PolicyStatement[]) {
        for (const action of actionsOf(statement)) {
          expect(action, `${id}: ${action}`).not.toContain('*');
        }
        expect(statement.Resource, id).not.toBe('*');
      }
    }
  });

  it('lets the ingest function read incoming/, exports/, rejected/ and reports/, and write exports/, rejected/ and reports/', () => {
    // reports/: the revised emails it sends are kept there and listed in the archive index.
    expect(grants(roles().ingest, 's3')).toEqual(
      [
        's3:GetObject on report config object',
        's3:GetObject on bucket/incoming/*',
        's3:GetObject on bucket/exports/*',
        's3:GetObject on bucket/rejected/*',
        's3:GetObject on bucket/reports/*',
        // Listing is what turns a missing key into 404 instead of 403 (BucketAccess.list).
        's3:ListBucket on bucket',
        's3:PutObject on bucket/exports/*',
        's3:PutObject on bucket/rejected/*',
        's3:PutObject on bucket/reports/*',
        's3:AbortMultipartUpload on bucket/exports/*',
        's3:AbortMultipartUpload on bucket/rejected/*',
        's3:AbortMultipartUpload on bucket/reports/*',
      ].sort(),
    );
  });

  it('lets the report function read exports/ and reports/, and write reports/ only', () => {
    // reports/ is read for the archive index, which each run extends (a conditional put).
    expect(grants(roles().report, 's3')).toEqual(
      [
        's3:GetObject on report config object',
        's3:GetObject on bucket/exports/*',
        's3:GetObject on bucket/reports/*',
        's3:ListBucket on bucket',
        's3:PutObject on bucket/reports/*',
        's3:AbortMultipartUpload on bucket/reports/*',
      ].sort(),
    );
  });

  it('lets each function read the one stored config object, nothing else of the assets bucket', () => {
    // Prepare: the exact object ARN, bucket and key as the template writes them.
    const { asset } = base.stack.reportConfig;
    const arn = base.stack.resolve(asset.bucket.arnForObjects(asset.s3ObjectKey));
    expect(JSON.stringify(arn)).toContain(`/${asset.s3ObjectKey}`);
    const assetsBucket = JSON.stringify(base.stack.resolve(asset.s3BucketName));

    for (const statements of Object.values(roles())) {
      // Act: every statement that names the assets bucket.
      const onAssets = statements.filter((s) => JSON.stringify(s.Resource).includes(assetsBucket));

      // Assess: one GetObject on that one object, no wildcard.
      expect(onAssets).toEqual([{ Effect: 'Allow', Action: 's3:GetObject', Resource: arn }]);
    }
  });

  it('grants the item actions the DynamoDB adapter uses, on the table only', () => {
    // Prepare: the commands functions/adapters/dynamodb.ts sends.
    const used = commandsIn('functions/adapters/dynamodb.ts').map((command) => {
      const action = DYNAMODB_ACTION[command];
      if (!action) throw new Error(`map the DynamoDB command ${command}Command to its IAM action`);
      return action;
    });
    expect(used.length).toBeGreaterThan(0);

    for (const statements of Object.values(roles())) {
      // Act
      const granted = grants(statements, 'dynamodb');

      // Assess: everything the adapter needs, nothing else, on the table and not its indexes.
      expect(granted).toEqual(
        [
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:Query',
        ]
          .map((a) => `${a} on table`)
          .sort(),
      );
      for (const action of used) expect(granted).toContain(`${action} on table`);
    }
  });

  it('lets the report function, and the ingest for revised emails, send raw from the sender', () => {
    // The SES adapter's one call.
    expect(commandsIn('functions/adapters/ses.ts')).toEqual(['SendRawEmail']);

    const ses = roles().report.filter((s) => actionsOf(s).some((a) => a.startsWith('ses:')));
    expect(ses).toHaveLength(1);
    // email.revisions "send" (the default): the ingest sends revised reports, with the same
    // one statement.
    expect(roles().ingest.filter((s) => actionsOf(s).some((a) => a.startsWith('ses:')))).toEqual(
      ses,
    );
    const [statement] = ses;
    expect(actionsOf(statement as PolicyStatement)).toEqual(['ses:SendRawEmail']);
    expect(statement?.Condition).toEqual({
      StringEquals: { 'ses:FromAddress': 'reports@example.org' },
    });
    // The sender identity this stack creates, the sender's domain (when the domain is the
    // verified identity) and, for the SES sandbox, each configured recipient.
    const identity = logicalId(base.stack.reporting.senderIdentity ?? base.stack);
    const prefix = `arn:\${AWS::Partition}:ses:\${AWS::Region}:\${AWS::AccountId}:identity/`;
    expect(([statement?.Resource] as unknown[]).flat().map(render)).toEqual([
      `${prefix}\${${identity}}`,
      `${prefix}example.org`,
      `${prefix}team@example.org`,
    ]);
  });

  it('gives the ingest no SES permission when revisions are only marked', () => {
    const marking = synthesize({
      ...BASE_INPUT,
      report: {
        ...BASE_INPUT.report,
        email: { ...BASE_INPUT.report.email, revisions: { mode: 'mark' } },
      },
    });
    const ingest = statementsOfRole(marking.template, marking.stack.ingestion.handler.role);
    expect(grants(ingest, 'ses')).toEqual([]);
  });

  it('creates the SES identity of the sender address', () => {
    template.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'reports@example.org',
    });
  });
});

describe('Reporting schedule', () => {
  it('invokes the report function with {} weekly at 07:00 in the report time zone', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 7 ? * MON *)',
      ScheduleExpressionTimezone: 'America/New_York',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: {
        Arn: arnOf(ids.report),
        Input: '{}',
        DeadLetterConfig: { Arn: arnOf(logicalId(base.stack.reporting.scheduleDeadLetterQueue)) },
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 6 * 3600 },
      },
    });
  });

  it('lets the scheduler invoke the report function and nothing else', () => {
    const schedule = Object.values(template.findResources('AWS::Scheduler::Schedule'))[0];
    const roleId = schedule?.Properties.Target.RoleArn['Fn::GetAtt'][0] as string;
    const statements = template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: roleId }] },
    });
    const lines = Object.values(statements).flatMap((p) =>
      (p.Properties.PolicyDocument.Statement as PolicyStatement[]).flatMap((s) =>
        actionsOf(s).map((a) => `${a} ${JSON.stringify(s.Resource)}`),
      ),
    );
    expect(lines).toEqual([
      `lambda:InvokeFunction ${JSON.stringify([arnOf(ids.report), { 'Fn::Join': ['', [arnOf(ids.report), ':*']] }])}`,
      `sqs:SendMessage ${JSON.stringify(arnOf(logicalId(base.stack.reporting.scheduleDeadLetterQueue)))}`,
    ]);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ],
      },
    });
  });

  it('prints the on-demand invocation command', () => {
    const output = template.toJSON().Outputs.OnDemandReportCommand.Value['Fn::Join'][1];
    expect(output).toContain(
      ' --cli-binary-format raw-in-base64-out --payload \'{"reportId":"test-report"}\' report-response.json',
    );
    expect(output).toContainEqual({ Ref: ids.report });
  });
});

describe('Alarms', () => {
  it('alarms on any error of each function', () => {
    for (const fnId of [ids.ingest, ids.report]) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId } }],
        Statistic: 'Sum',
        Period: 300,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: ids.topic }],
      });
    }
  });

  it('alarms when any dead-letter queue holds a message', () => {
    const queues = [
      base.stack.ingestion.handler.deadLetterQueue,
      base.stack.reporting.handler.deadLetterQueue,
      base.stack.reporting.scheduleDeadLetterQueue,
    ];
    for (const queue of queues) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: arnOfQueueName(logicalId(queue)) }],
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: [{ Ref: ids.topic }],
      });
    }
  });

  it('publishes to a topic encrypted with a rotated key that CloudWatch may use', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: arnOf(ids.key) });
    const fromAlarms = {
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      ArnLike: { 'aws:SourceArn': Match.anyValue() },
    };
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Condition: fromAlarms,
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: ids.topic }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: fromAlarms,
          }),
        ]),
      },
    });
  });

  it('subscribes the alarm email to the topic', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.org',
      TopicArn: { Ref: ids.topic },
    });
  });
});

function arnOfQueueName(queueId: string) {
  return { 'Fn::GetAtt': [queueId, 'QueueName'] };
}

describe('cdk-nag AwsSolutions', () => {
  it('reports no unsuppressed error or warning', () => {
    expect(findings(base.stack)).toEqual([]);
  });

  it('gives every suppression a one-line reason', () => {
    const resources = Object.entries(template.toJSON().Resources) as [
      string,
      { Metadata?: { cdk_nag?: { rules_to_suppress: { id: string; reason: string }[] } } },
    ][];
    const suppressions = resources.flatMap(([id, r]) =>
      (r.Metadata?.cdk_nag?.rules_to_suppress ?? []).map((s) => ({ resource: id, ...s })),
    );
    expect(suppressions.length).toBeGreaterThan(0);
    for (const s of suppressions) {
      expect(s.reason, `${s.resource} ${s.id}`).not.toContain('\n');
      expect(s.reason.length, `${s.resource} ${s.id}`).toBeGreaterThan(40);
    }
  });
});

describe('configuration variants', () => {
  let monthly: Synthesized;
  let minimal: Synthesized;
  let largeColumns: Synthesized;
  const columns = largeColumnMapping();
  beforeAll(() => {
    monthly = synthesize({
      ...BASE_INPUT,
      report: { ...BASE_INPUT.report, period: 'month', timezone: 'Asia/Kolkata' },
    });
    minimal = synthesize({
      report: BASE_INPUT.report,
      deploy: { createSenderIdentity: false },
    });
    largeColumns = synthesize({ ...BASE_INPUT, report: { ...BASE_INPUT.report, columns } });
  });

  it('deploys a 50 KB column mapping: stored whole, the environment stays small', () => {
    const stored = largeColumns.stack.reportConfig;
    expect(JSON.stringify(columns).length).toBeGreaterThan(50_000);
    expect(stored.sizeBytes).toBeGreaterThan(50_000);
    expect(stored.config.columns).toEqual(columns);
    for (const fn of [largeColumns.stack.ingestion, largeColumns.stack.reporting]) {
      const id = logicalId(fn.handler.function);
      const variables = largeColumns.template.toJSON().Resources[id].Properties.Environment
        .Variables as Record<string, unknown>;
      expect(JSON.stringify(variables).length).toBeLessThan(2048);
      expect(variables.REPORT_CONFIG_SHA256).toBe(stored.sha256);
    }
  });

  it('schedules a monthly report on the 1st at 07:00 in its time zone', () => {
    monthly.template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 7 1 * ? *)',
      ScheduleExpressionTimezone: 'Asia/Kolkata',
    });
  });

  it('creates no subscription without an alarm email and no identity when told not to', () => {
    minimal.template.resourceCountIs('AWS::SNS::Subscription', 0);
    minimal.template.resourceCountIs('AWS::SES::EmailIdentity', 0);
    // Still sends only through the sender's identity, now named rather than referenced.
    const statements = statementsOfRole(minimal.template, minimal.stack.reporting.handler.role);
    const ses = statements.find((s) => actionsOf(s).includes('ses:SendRawEmail'));
    expect(JSON.stringify(ses?.Resource)).toContain(':identity/reports@example.org');
    expect(ses?.Condition).toEqual({ StringEquals: { 'ses:FromAddress': 'reports@example.org' } });
  });

  it('stays cdk-nag clean in every variant', () => {
    expect(findings(monthly.stack)).toEqual([]);
    expect(findings(minimal.stack)).toEqual([]);
    expect(findings(largeColumns.stack)).toEqual([]);
  });
});

/** The report config the functions should receive: BASE_INPUT's, validated independently. */
function expectedConfig() {
  return parseConfig(BASE_INPUT.report);
}
