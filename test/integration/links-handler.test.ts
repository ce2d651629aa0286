/**
 * The links handler on Function URL events (API Gateway v2 payloads, base64 and plain
 * bodies) over DynamoDB Local and s3rver: every request that is not a valid, signed one
 * gets a plain page with the right status and changes nothing; failures are pages too,
 * never a stack trace.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoDbSuppressionList } from '../../functions/adapters/dynamodb';
import { S3ArchiveReader } from '../../functions/adapters/links';
import type { Runtime } from '../../functions/adapters/runtime';
import type { LinksDeps } from '../../functions/core/jobs/links';
import { silentLogger } from '../../functions/core/jobs/ports';
import { recipientHash } from '../../functions/core/jobs/recipients';
import { LinkSigner } from '../../functions/core/report/links';
import { createLinksHandler } from '../../functions/links';
import { type Harness, startHarness } from '../support/harness';

const EVENT = JSON.parse(
  readFileSync(join(import.meta.dirname, '../events/function-url/one-click-post.json'), 'utf8'),
) as LambdaFunctionURLEvent;
const signer = new LinkSigner('q'.repeat(64));
const HASH = recipientHash('carol@example.com');
const UNSUBSCRIBE = signer.sign({
  kind: 'unsubscribe',
  reportId: 'handler-it',
  recipientHash: HASH,
});

type Answer = { statusCode: number; headers?: Record<string, string>; body: string };

let h: Harness;
let rt: Runtime;
let deps: LinksDeps;

function event(options: {
  method?: string;
  path?: string;
  token?: string;
  body?: string;
  base64?: boolean;
}): LambdaFunctionURLEvent {
  const { method = 'POST', path = '/unsubscribe', token, body, base64 = true } = options;
  return {
    ...EVENT,
    rawPath: path,
    rawQueryString: token === undefined ? '' : `t=${token}`,
    queryStringParameters: token === undefined ? undefined : { t: token },
    requestContext: {
      ...EVENT.requestContext,
      http: { ...EVENT.requestContext.http, method, path },
    },
    body: body === undefined ? undefined : base64 ? Buffer.from(body).toString('base64') : body,
    isBase64Encoded: body !== undefined && base64,
  };
}

async function suppressionItems(): Promise<Record<string, unknown>[]> {
  const out = await rt.clients.dynamodb.send(
    new QueryCommand({
      TableName: h.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': 'REPORT#handler-it' },
    }),
  );
  return out.Items ?? [];
}

beforeAll(async () => {
  h = await startHarness({
    dynamodbEndpoint: inject('dynamodbEndpoint'),
    config: { reportId: 'handler-it', email: { recipients: ['carol@example.com'] } },
    setProcessEnv: false,
  });
  rt = h.runtime();
  deps = {
    signer,
    suppressions: new DynamoDbSuppressionList(rt.clients.dynamodb, h.table),
    archive: new S3ArchiveReader(rt.clients.s3, h.bucket),
    logger: silentLogger,
    now: () => Date.parse('2026-11-23T15:04:05Z'),
  };
});
afterAll(async () => {
  await h?.stop();
});

describe('the links handler', () => {
  const handler = () => createLinksHandler(async () => deps);
  const call = async (e: unknown) => (await handler()(e)) as Answer;

  it('answers requests without a valid signed token with a page and writes nothing', async () => {
    const archive = signer.sign({ kind: 'archive', reportId: 'handler-it', periodKey: 'index' });
    const cases: [string, unknown, number][] = [
      ['an unknown route', event({ path: '/admin', token: UNSUBSCRIBE }), 404],
      ['a method the route does not take', event({ method: 'DELETE', token: UNSUBSCRIBE }), 405],
      ['no token (the shared copy)', event({ body: 'List-Unsubscribe=One-Click' }), 400],
      ['a cut token', event({ token: UNSUBSCRIBE.slice(0, 20), body: 'x' }), 400],
      ['an archive token on /unsubscribe', event({ token: archive, body: 'x' }), 403],
      ['not a Function URL event', { Records: [] }, 400],
    ];
    for (const [what, e, status] of cases) {
      const response = await call(e);
      expect(response.statusCode, what).toBe(status);
      expect(response.body, what).not.toMatch(/Error:|at .+:\d+:\d+/);
    }
    expect((await call(cases[1]?.[1])).headers?.allow).toBe('GET, HEAD, POST');
    expect(await suppressionItems()).toEqual([]);
  });

  it('reads a plain (not base64) form body: the page’s button', async () => {
    const response = await call(
      event({ token: UNSUBSCRIBE, body: 'confirm=button', base64: false }),
    );
    expect(response.statusCode).toBe(200);
    const items = await suppressionItems();
    expect(items.map((i) => [i.sk, i.source])).toEqual([
      [`AUDIT#2026-11-23T15:04:05.000Z#${HASH}`, 'button'],
      [`SUPPRESS#${HASH}`, 'button'],
    ]);
  });

  it('sends pages that cannot be cached, framed or leak the token as a referrer', async () => {
    const response = await call(event({ method: 'GET', token: UNSUBSCRIBE }));
    expect(response.headers).toMatchObject({
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
    });
    expect(response.headers?.['content-security-policy']).toContain("frame-ancestors 'none'");
  });

  it('escapes the report name from the archive index on its pages', async () => {
    await h.putObject(
      'reports/handler-it/index.json',
      JSON.stringify({ reportId: 'handler-it', name: '<script>alert(1)</script>', entries: [] }),
    );
    const response = await call(event({ method: 'GET', token: UNSUBSCRIBE }));
    expect(response.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(response.body).not.toContain('<script>');
  });

  it('answers a storage failure with a 500 page, not a stack trace', async () => {
    // Prepare: a table that does not exist.
    const broken = createLinksHandler(async () => ({
      ...deps,
      suppressions: new DynamoDbSuppressionList(rt.clients.dynamodb, 'no-such-table'),
    }));

    // Act
    const response = (await broken(event({ token: UNSUBSCRIBE, body: 'x' }))) as Answer;

    // Assess
    expect(response.statusCode).toBe(500);
    expect(response.body).toContain('Something went wrong');
    expect(response.body).not.toMatch(/ResourceNotFound|no-such-table|at .+:\d+/);
  });

  it('answers 503 while its key cannot be read, and recovers once it can', async () => {
    let fail = true;
    const flaky = createLinksHandler(async () => {
      if (fail) throw new Error('AccessDeniedException: not allowed to read the secret');
      return deps;
    });
    const down = (await flaky(event({ method: 'GET', token: UNSUBSCRIBE }))) as Answer;
    expect(down.statusCode).toBe(503);
    expect(down.body).not.toContain('AccessDenied');
    fail = false;
    const up = (await flaky(event({ method: 'GET', token: UNSUBSCRIBE }))) as Answer;
    expect(up.statusCode).toBe(200);
  });
});
