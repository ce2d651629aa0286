/**
 * Where the data lives: one bucket for exports, rejected rows and rendered reports (layout in
 * DATASETS.md), a bucket for its access logs, and the snapshot table. All three are kept when
 * the stack is deleted: they hold the business's data and its history.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';

/** The bucket's key prefixes (DATASETS.md "S3 layout"). */
export const KEY_PREFIXES = {
  incoming: 'incoming/',
  exports: 'exports/',
  rejected: 'rejected/',
  reports: 'reports/',
} as const;

export interface StorageProps {
  /** Days after which rejected rows and unreadable files under `rejected/` expire. @default 90 */
  readonly rejectedRetentionDays?: number;
  /** Days an overwritten or deleted object version is kept. @default 30 */
  readonly noncurrentVersionRetentionDays?: number;
  /** Days the bucket's server access logs are kept. @default 365 */
  readonly accessLogRetentionDays?: number;
}

function assertDays(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`Storage: ${name} must be a whole number of days, at least 1 (got ${value})`);
  }
}

export class Storage extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogsBucket: s3.Bucket;
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: StorageProps = {}) {
    super(scope, id);
    const rejectedRetentionDays = props.rejectedRetentionDays ?? 90;
    const noncurrentDays = props.noncurrentVersionRetentionDays ?? 30;
    const accessLogDays = props.accessLogRetentionDays ?? 365;
    assertDays(rejectedRetentionDays, 'rejectedRetentionDays');
    assertDays(noncurrentDays, 'noncurrentVersionRetentionDays');
    assertDays(accessLogDays, 'accessLogRetentionDays');
    // Deliver access logs through a bucket policy rather than the log-delivery ACL, which
    // BUCKET_OWNER_ENFORCED (ACLs disabled) forbids. Set here so the construct does not
    // depend on the app's feature flags.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);

    // S3-managed keys (SSE-S3) rather than KMS: no key to pay for or to write a key policy
    // for, no kms:Decrypt to grant each reader, and server access logs can only be delivered
    // to an SSE-S3 bucket anyway. The data never leaves the account either way.
    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(accessLogDays) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    NagSuppressions.addResourceSuppressions(this.accessLogsBucket, [
      {
        id: 'AwsSolutions-S1',
        reason:
          'This is the access-log bucket of the data bucket; logging it into itself or another bucket would only log the log delivery.',
      },
    ]);

    this.bucket = new s3.Bucket(this, 'Data', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'data-bucket/',
      lifecycleRules: [
        {
          id: 'expire-rejected',
          prefix: KEY_PREFIXES.rejected,
          expiration: Duration.days(rejectedRetentionDays),
        },
        {
          id: 'expire-noncurrent-versions',
          noncurrentVersionExpiration: Duration.days(noncurrentDays),
          expiredObjectDeleteMarker: true,
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Keys (DESIGN.md "State in DynamoDB"): pk = REPORT#<id>, sk = PERIOD#<key>.
    this.table = new dynamodb.Table(this, 'Snapshots', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
