/**
 * Tells someone when the job fails: an alarm on every function's errors and on every
 * dead-letter queue holding a message, all notifying one encrypted SNS topic (with an email
 * subscription when an address is configured).
 */
import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface AlarmsProps {
  /** Functions whose Errors metric is alarmed, by a short name used in ids and descriptions. */
  readonly functions: Readonly<Record<string, lambda.IFunction>>;
  /** Dead-letter queues whose depth is alarmed, by a short name. */
  readonly deadLetterQueues: Readonly<Record<string, sqs.IQueue>>;
  /** Address subscribed to the alarm topic; AWS asks it to confirm. @default - no subscription */
  readonly email?: string;
}

const NAME = /^[A-Z][A-Za-z0-9]*$/;

export class Alarms extends Construct {
  readonly topic: sns.Topic;
  readonly key: kms.Key;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    const names = [...Object.keys(props.functions), ...Object.keys(props.deadLetterQueues)];
    if (Object.keys(props.functions).length === 0) {
      throw new Error('Alarms: give at least one function to watch');
    }
    for (const name of names) {
      if (!NAME.test(name)) {
        throw new Error(
          `Alarms: name "${name}" must be PascalCase letters and digits, e.g. "Ingest"`,
        );
      }
    }
    if (props.email !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(props.email)) {
      throw new Error(
        `Alarms: email must be an email address such as ops@example.com (got "${props.email}")`,
      );
    }

    // Encrypted with a key of its own: CloudWatch cannot publish to a topic under the
    // AWS-managed SNS key (that key's policy cannot be extended), so the alarms need a
    // customer-managed key whose policy lets the CloudWatch service use it on behalf of this
    // account's alarms. It costs about $1 a month; rotation is on.
    const stack = Stack.of(this);
    const alarmArns = stack.formatArn({
      service: 'cloudwatch',
      resource: 'alarm',
      resourceName: '*',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const fromThisAccountsAlarms = {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: { 'aws:SourceArn': alarmArns },
    };
    const cloudWatch = new iam.ServicePrincipal('cloudwatch.amazonaws.com');
    this.key = new kms.Key(this, 'TopicKey', {
      description: 'Encrypts the engagement report alarm topic',
      enableKeyRotation: true,
      // Nothing outlives the topic: alarm notifications are delivered, not stored.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [cloudWatch],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: fromThisAccountsAlarms,
      }),
    );
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'Engagement report alarms',
      masterKey: this.key,
      enforceSSL: true,
    });
    // The topic policy replaces SNS's default one, so CloudWatch is allowed explicitly.
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [cloudWatch],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: fromThisAccountsAlarms,
      }),
    );
    if (props.email !== undefined) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
    }
    const notify = new actions.SnsAction(this.topic);

    for (const [name, fn] of Object.entries(props.functions)) {
      this.add(
        `${name}Errors`,
        {
          metric: fn.metricErrors({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
          alarmDescription: `The ${name.toLowerCase()} function failed at least once in 5 minutes; its log group has the error.`,
        },
        notify,
      );
    }
    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      this.add(
        `${name}DeadLetters`,
        {
          metric: queue.metricApproximateNumberOfMessagesVisible({
            period: Duration.minutes(5),
            statistic: cloudwatch.Stats.MAXIMUM,
          }),
          alarmDescription: `The ${name.toLowerCase()} dead-letter queue holds a failed invocation; read the message, fix the cause, then redrive or delete it.`,
        },
        notify,
      );
    }
  }

  private add(
    id: string,
    options: { metric: cloudwatch.IMetric; alarmDescription: string },
    action: cloudwatch.IAlarmAction,
  ): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      ...options,
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    this.alarms.push(alarm);
  }
}
