/**
 * The Slack-compatible webhook summary on the local stand-ins: a real HTTP server (node:http)
 * plays the webhook, DynamoDB Local holds the send ledger the post is claimed in, the SES
 * stand-in takes the emails. Secrets Manager has no local stand-in, so its client is mocked
 * (aws-sdk-client-mock) to hand out the webhook URL.
 *
 * The data is written by hand so every number can be checked: four subscribers since
 * 1 October (UTC), one of whom (c4) ends on 18 November, in week 47 (16–22 November 2026).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { S3Event } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ReportConfigInput } from '../../functions/core/config';
import type { JobLogger } from '../../functions/core/jobs/ports';
import type { ReportResult } from '../../functions/core/jobs/report';
import { SLACK_RECIPIENT } from '../../functions/core/jobs/slack';
import { createIngestHandler } from '../../functions/ingest';
import { createReportHandler } from '../../functions/report';
import { type Harness, startHarness } from '../support/harness';
import { encodeEventKey } from '../support/standins';

const NOW = Date.parse('2026-11-24T12:00:00Z');
const now = () => NOW;
const SECRET = 'engagement/slack-webhook';
const TOKEN_PATH = '/services/T0001/B0001/XyZsecretTokenValue42';

const CONFIG: ReportConfigInput = {
  reportId: 'slacked',
  name: 'Slack & <Co> weekly',
  timezone: 'UTC',
  period: 'week',
  email: {
    recipients: ['team@example.com'],
    trendPeriods: 2,
    headline: ['customers_end', 'churned_customers'],
    attachCsv: false,
  },
  slack: { webhookSecret: SECRET },
};

const SUBSCRIPTIONS = [
  'subscription_id,customer_id,started_at,ended_at,mrr',
  's1,c1,2026-10-01T00:00:00Z,,10',
  's2,c2,2026-10-01T00:00:00Z,,10',
  's3,c3,2026-10-01T00:00:00Z,,10',
  's4,c4,2026-10-01T00:00:00Z,2026-11-18T10:00:00Z,10',
].join('\n');

/** What the webhook received. */
interface Post {
  path: string;
  contentType: string | undefined;
  body: {
    text: string;
    blocks: { type: string; text?: { text: string }; fields?: { text: string }[] }[];
  };
}

let h: Harness;
let server: Server;
let url: string;
let status = 200;
const posts: Post[] = [];
const logs: string[] = [];
const secrets = mockClient(SecretsManagerClient);

/** Every log line, message and attributes, as text: the URL must appear in none. */
const logger: JobLogger = {
  debug: (m, x) => logs.push(`${m} ${JSON.stringify(x ?? {})}`),
  info: (m, x) => logs.push(`${m} ${JSON.stringify(x ?? {})}`),
  warn: (m, x) => logs.push(`${m} ${JSON.stringify(x ?? {})}`),
  error: (m, x) => logs.push(`${m} ${JSON.stringify(x ?? {})}`),
};

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

beforeAll(async () => {
  server = createServer(async (request, response) => {
    const body = await readBody(request);
    posts.push({
      path: request.url ?? '',
      contentType: request.headers['content-type'],
      body: JSON.parse(body),
    });
    response.writeHead(status, { 'content-type': 'text/plain' });
    response.end(status === 200 ? 'ok' : 'internal_error');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${TOKEN_PATH}`;
  secrets.on(GetSecretValueCommand, { SecretId: SECRET }).resolves({ SecretString: url });

  h = await startHarness({ dynamodbEndpoint: inject('dynamodbEndpoint'), config: CONFIG });
  await h.putObject('exports/subscriptions/subscriptions.csv', SUBSCRIPTIONS);
});
afterAll(async () => {
  secrets.restore();
  await h?.stop();
  await new Promise((resolve) => server?.close(resolve));
});

const options = { now, delivery: { sleep: async () => {} } };
const runtime = () => ({ ...h.runtime(), logger });
const report = (period: string) =>
  createReportHandler(runtime, options)({ period }) as Promise<ReportResult>;

async function slackRecord(period: string, revision: number) {
  const sends = await h.runtime().ledger.sendsFor('slacked', period);
  return sends.find((s) => s.recipient === SLACK_RECIPIENT && s.revision === revision);
}

describe('the Slack summary after the report email', () => {
  it('posts once for a period, after its email, with the period and numbers', async () => {
    const result = await report('2026-W47');
    expect(result.deliveries?.map((d) => d.status)).toEqual(['sent']);
    expect(posts).toHaveLength(1);
    const post = posts[0] as Post;
    expect(post.path).toBe(TOKEN_PATH);
    expect(post.contentType).toBe('application/json; charset=utf-8');
    // The name escaped for mrkdwn; week 47 is 16–22 November 2026.
    expect(post.body.text).toMatch(/^Slack &amp; &lt;Co&gt; weekly: Week 47, Nov 16–22 2026\. /);
    const fields = post.body.blocks.flatMap((b) => b.fields ?? []).map((f) => f.text);
    // 4 subscribers at the start of the week, c4 ended on the 18th: 3 at the end, 1 churned.
    // The week before, nobody ended: 4 at its end, 0 churned.
    // (3 − 4) / 4 = −25.0 %; churned 0 → 1 is +1.
    expect(fields).toEqual(['*Customers*\n3  ▼ -25.0 %', '*Churned customers*\n1  ▲ +1']);
    expect((await slackRecord('2026-W47', 0))?.state).toBe('sent');
  });

  it('does not post the same period again', async () => {
    const again = await report('2026-W47');
    expect(again.skipped).toBe('already-sent');
    expect(posts).toHaveLength(1);
  });

  it('retries a failing webhook on the next run, then records it failed; the email goes out', async () => {
    status = 500;
    const emailsBefore = (await h.ses.emails()).length;

    const first = await report('2026-W46');
    expect(first.deliveries?.map((d) => d.status)).toEqual(['sent']);
    expect(await h.ses.emails()).toHaveLength(emailsBefore + 1);
    expect(posts).toHaveLength(1 + 3); // three attempts in the run
    expect((await slackRecord('2026-W46', 0))?.state).toBe('retry');

    const second = await report('2026-W46');
    expect(second.skipped).toBe('already-sent');
    expect(posts).toHaveLength(1 + 6); // three more: six in all, the limit
    const record = await slackRecord('2026-W46', 0);
    expect(record?.state).toBe('failed');
    expect(record?.error).toBe(
      `gave up after 6 attempts: the webhook of secret ${SECRET} answered HTTP 500 internal_error`,
    );

    status = 200;
    await report('2026-W46');
    expect(posts).toHaveLength(1 + 6);
    expect(await h.ses.emails()).toHaveLength(emailsBefore + 1);
  });

  it('posts a revised summary once per revision when late data changes sent numbers', async () => {
    // A fifth subscriber since 1 October: week 47 ends with 4, not 3.
    const key = 'incoming/subscriptions/late.csv';
    await h.putObject(
      key,
      'subscription_id,customer_id,started_at,ended_at,mrr\ns5,c5,2026-10-01T00:00:00Z,,10\n',
    );
    const event = {
      Records: [
        {
          eventName: 'ObjectCreated:Put',
          s3: { bucket: { name: h.bucket }, object: { key: encodeEventKey(key), size: 1 } },
        },
      ],
    } as unknown as S3Event;
    const before = posts.length;
    const ingest = createIngestHandler(runtime, options);
    await ingest(event);
    const revised = posts.slice(before);
    const w47 = revised.filter((p) => p.body.text.includes('Week 47, Nov 16–22 2026 (revised)'));
    expect(w47).toHaveLength(1);
    const fields = (w47[0] as Post).body.blocks.flatMap((b) => b.fields ?? []).map((f) => f.text);
    // 5 at the end of week 46, 4 at the end of week 47: (4 − 5) / 5 = −20.0 %.
    expect(fields[0]).toBe('*Customers*\n4  ▼ -20.0 %');
    expect((await slackRecord('2026-W47', 1))?.state).toBe('sent');
    // Every revised post names a different period: one per period and revision.
    const texts = revised.map((p) => p.body.text);
    expect(new Set(texts).size).toBe(texts.length);

    // Lambda retries the same event: nothing is posted twice.
    await createIngestHandler(runtime, options)(event);
    expect(posts).toHaveLength(before + revised.length);
  });

  it('never logs the webhook URL or any part of its path', () => {
    expect(logs.length).toBeGreaterThan(5);
    const all = logs.join('\n');
    expect(all).toContain(SECRET);
    expect(all).not.toContain(url);
    expect(all).not.toContain('XyZsecretTokenValue42');
    expect(all).not.toContain('T0001/B0001');
  });
});
