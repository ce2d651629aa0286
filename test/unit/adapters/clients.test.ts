/**
 * The retry settings of the SDK clients, at the HTTP level: a fake request handler answers
 * the way AWS does when it throttles, so the clients' real retry middleware runs (a
 * command-level mock such as aws-sdk-client-mock would bypass it).
 */
import { Readable } from 'node:stream';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { SendRawEmailCommand } from '@aws-sdk/client-ses';
import { describe, expect, it } from 'vitest';
import {
  createDynamoDbClient,
  createS3Client,
  createSesClient,
  MAX_ATTEMPTS,
} from '../../../functions/adapters/clients';

interface FakeResponse {
  statusCode: number;
  headers?: Record<string, string>;
  body?: string;
}

/** Answers each request with the next scripted response and counts the requests. */
function scripted(responses: FakeResponse[]) {
  const handler = {
    calls: 0,
    async handle() {
      const next = responses[Math.min(handler.calls, responses.length - 1)] as FakeResponse;
      handler.calls++;
      return {
        response: {
          statusCode: next.statusCode,
          headers: next.headers ?? {},
          body: Readable.from([Buffer.from(next.body ?? '')]),
        },
      };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs() {
      return {};
    },
  };
  return handler;
}

const base = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
};

const dynamoThrottle: FakeResponse = {
  statusCode: 400,
  headers: { 'content-type': 'application/x-amz-json-1.0' },
  body: JSON.stringify({
    __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
    message: 'The level of configured provisioned throughput for the table was exceeded.',
  }),
};

function sesError(code: string, message: string): FakeResponse {
  return {
    statusCode: 400,
    headers: { 'content-type': 'text/xml' },
    body: `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>r1</RequestId></ErrorResponse>`,
  };
}
const sesOk: FakeResponse = {
  statusCode: 200,
  headers: { 'content-type': 'text/xml' },
  body: '<SendRawEmailResponse><SendRawEmailResult><MessageId>m-1</MessageId></SendRawEmailResult><ResponseMetadata><RequestId>r2</RequestId></ResponseMetadata></SendRawEmailResponse>',
};
const rawEmail = new SendRawEmailCommand({
  Source: 'a@example.com',
  Destinations: ['b@example.com'],
  RawMessage: { Data: Buffer.from('Subject: x\r\n\r\nhi') },
});

describe('createDynamoDbClient', () => {
  it('retries DynamoDB throttling and succeeds on the third attempt', async () => {
    const http = scripted([dynamoThrottle, dynamoThrottle, { statusCode: 200, body: '{}' }]);
    const client = createDynamoDbClient({ ...base, requestHandler: http });
    const response = await client.send(
      new GetItemCommand({ TableName: 't', Key: { pk: { S: 'a' }, sk: { S: 'b' } } }),
    );
    expect(response.Item).toBeUndefined();
    expect(http.calls).toBe(3);
  });

  it(`gives up after ${MAX_ATTEMPTS} attempts`, async () => {
    const http = scripted([dynamoThrottle]);
    const client = createDynamoDbClient({ ...base, requestHandler: http });
    await expect(
      client.send(new GetItemCommand({ TableName: 't', Key: { pk: { S: 'a' } } })),
    ).rejects.toMatchObject({ name: 'ProvisionedThroughputExceededException' });
    expect(http.calls).toBe(5);
  });
});

describe('createS3Client', () => {
  it('retries S3 SlowDown', async () => {
    const http = scripted([
      {
        statusCode: 503,
        body: '<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>',
      },
      { statusCode: 200, headers: { etag: '"abc"', 'content-length': '3' } },
    ]);
    const client = createS3Client({ ...base, requestHandler: http, forcePathStyle: true });
    const response = await client.send(new HeadObjectCommand({ Bucket: 'b', Key: 'k' }));
    expect(response.ETag).toBe('"abc"');
    expect(http.calls).toBe(2);
  });
});

describe('createSesClient', () => {
  it('retries SES throttling', async () => {
    const http = scripted([sesError('Throttling', 'Maximum sending rate exceeded.'), sesOk]);
    const client = createSesClient({ ...base, requestHandler: http });
    const response = await client.send(rawEmail);
    expect(response.MessageId).toBe('m-1');
    expect(http.calls).toBe(2);
  });

  it('does not retry MessageRejected', async () => {
    const http = scripted([sesError('MessageRejected', 'Email address is not verified.'), sesOk]);
    const client = createSesClient({ ...base, requestHandler: http });
    await expect(client.send(rawEmail)).rejects.toMatchObject({ name: 'MessageRejected' });
    expect(http.calls).toBe(1);
  });
});
