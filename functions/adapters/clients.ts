/**
 * AWS SDK clients with the project's retry settings. Endpoints, region and credentials
 * come from the environment as the SDK reads them (`AWS_ENDPOINT_URL_S3` … point the same
 * clients at the local stand-ins), so production code never branches on "local".
 *
 * Retries: every client makes up to 5 attempts with exponential backoff and jitter. The
 * SDK retries throttling (DynamoDB ProvisionedThroughputExceeded / ThrottlingException,
 * S3 SlowDown, SES Throttling), 5xx and network errors, and never a client error such as
 * SES MessageRejected or a failed DynamoDB condition. S3 and DynamoDB use the `standard`
 * mode: their throttles are per key/partition and a short backoff clears them. SES uses
 * `adaptive`: the account has one per-second sending rate, and the client-side rate
 * limiter keeps a loop of sends under it instead of only backing off after each refusal.
 */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { SESClient, type SESClientConfig } from '@aws-sdk/client-ses';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export const MAX_ATTEMPTS = 5;

export interface AwsClients {
  s3: S3Client;
  dynamodb: DynamoDBDocumentClient;
  ses: SESClient;
}

export function createS3Client(overrides: S3ClientConfig = {}): S3Client {
  return new S3Client({ maxAttempts: MAX_ATTEMPTS, retryMode: 'standard', ...overrides });
}

export function createDynamoDbClient(overrides: DynamoDBClientConfig = {}): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    maxAttempts: MAX_ATTEMPTS,
    retryMode: 'standard',
    ...overrides,
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
}

export function createSesClient(overrides: SESClientConfig = {}): SESClient {
  return new SESClient({ maxAttempts: MAX_ATTEMPTS, retryMode: 'adaptive', ...overrides });
}

export function createAwsClients(
  overrides: { s3?: S3ClientConfig; dynamodb?: DynamoDBClientConfig; ses?: SESClientConfig } = {},
): AwsClients {
  return {
    s3: createS3Client(overrides.s3),
    dynamodb: createDynamoDbClient(overrides.dynamodb),
    ses: createSesClient(overrides.ses),
  };
}
