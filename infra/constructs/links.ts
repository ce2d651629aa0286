/**
 * The email's links: a small function behind a public Function URL that unsubscribes a
 * recipient (RFC 8058 one-click, or the page's button) and opens the report archive, and
 * the key that signs those links (functions/core/report/links.ts).
 *
 * The URL takes no AWS authentication: the people who click are email recipients with no
 * AWS identity. Every request must carry a token signed with the key, so the URL alone
 * allows nothing. The function may only read `reports/`, read and write suppression items
 * in the table, and read the key.
 */
import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { LINKS_ENV } from '../../functions/adapters/links';
import { HandlerFunction, type PowertoolsLogLevel } from './handler-function';
import { KEY_PREFIXES } from './storage';

export interface LinksProps {
  readonly bucket: s3.IBucket;
  readonly table: dynamodb.ITable;
  /** @default 256 */
  readonly memoryMb?: number;
  /** @default 'INFO' */
  readonly logLevel?: PowertoolsLogLevel;
}

/** What the links function does to the table: record an unsubscribe, read it back. */
export const LINKS_TABLE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:GetItem'] as const;

export class Links extends Construct {
  readonly handler: HandlerFunction;
  readonly url: lambda.FunctionUrl;
  /** The HMAC key of every link; never rotated (see the suppression below). */
  readonly signingKey: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: LinksProps) {
    super(scope, id);

    this.signingKey = new secretsmanager.Secret(this, 'SigningKey', {
      description: 'Signs the unsubscribe and archive links of the report email',
      generateSecretString: {
        passwordLength: 64,
        excludePunctuation: true,
        includeSpace: false,
      },
    });
    NagSuppressions.addResourceSuppressions(this.signingKey, [
      {
        id: 'AwsSolutions-SMG4',
        reason:
          'Rotating the link signing key would break every unsubscribe and archive link in the emails already sent; RFC 8058 unsubscribe links must keep working.',
      },
    ]);

    this.handler = new HandlerFunction(this, 'Links', {
      entry: 'functions/links.ts',
      description: 'Answers the unsubscribe and archive links of the report email',
      serviceName: 'engagement-links',
      memoryMb: props.memoryMb ?? 256,
      timeout: Duration.seconds(10),
      ephemeralStorageMb: 512,
      ...(props.logLevel === undefined ? {} : { logLevel: props.logLevel }),
    });
    this.handler.useBucket(props.bucket, { read: [KEY_PREFIXES.reports] });
    this.handler.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [...LINKS_TABLE_ACTIONS],
        resources: [props.table.tableArn],
      }),
    );
    this.handler.function.addEnvironment('TABLE_NAME', props.table.tableName);
    this.grantKeyRead(this.handler);

    this.url = this.handler.function.addFunctionUrl({
      authType: lambda.FunctionUrlAuthType.NONE,
    });
  }

  /**
   * Let `fn` put links into the emails it sends: read the signing key
   * (secretsmanager:GetSecretValue on that one secret), LINKS_KEY_SECRET_ARN and LINKS_BASE_URL.
   */
  bindSender(fn: HandlerFunction): void {
    this.grantKeyRead(fn);
    fn.function.addEnvironment(LINKS_ENV.baseUrl, this.url.url);
  }

  private grantKeyRead(fn: HandlerFunction): void {
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [this.signingKey.secretArn],
      }),
    );
    fn.function.addEnvironment(LINKS_ENV.keySecretArn, this.signingKey.secretArn);
  }
}
