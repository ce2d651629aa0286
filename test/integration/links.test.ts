/**
 * The email's links on the local stand-ins: the report goes to two recipients through the
 * SES stand-in, each message carrying its own List-Unsubscribe link (read from the raw
 * message as SES received it); the first recipient's one-click POST goes to the links
 * handler as a Function URL event; the suppression and its audit item land in DynamoDB
 * Local, and the next report reaches only the second recipient. The archive link redirects
 * to a presigned URL that s3rver serves. Secrets Manager has no stand-in: it is mocked, and
 * gives the signing key.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { LambdaFunctionURLEvent, S3Event } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createSesClient } from '../../functions/adapters/clients';
import { cachedReportLinks } from '../../functions/adapters/links';
import type { Runtime } from '../../functions/adapters/runtime';
import { SesMailer } from '../../functions/adapters/ses';
import type { ReportConfigInput } from '../../functions/core/config';
import type { ReportResult } from '../../functions/core/jobs/report';
import { LinkSigner } from '../../functions/core/report/links';
import { createIngestHandler } from '../../functions/ingest';
import { createLinksHandler, loadLinksDeps } from '../../functions/links';
import { createReportHandler } from '../../functions/report';
import { generateSample, type SampleResult } from '../../scripts/sample/generate';
import { type Harness, startHarness } from '../support/harness';
import { encodeEventKey, HOST, STANDIN_CREDENTIALS, STANDIN_REGION } from '../support/standins';

const KEY = 'x7Qm2pLr9Vt4Ns8Kd1Hf6Jw3Zc5Bg0Ya7Ue2Xo9Ri4Tl6Mv8Pq1Sk3Wn5Dj0Fh2Gb';
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:links-key-AbCdEf';
const BASE_URL = 'https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-east-1.on.aws';
const ANN = 'ann@example.com';
const BOB = 'bob@example.com';
const CONFIG: ReportConfigInput = {
  reportId: 'links-it',
  name: 'Links & "archive" weekly',
  timezone: 'America/New_York',
  currency: 'USD',
  period: 'week',
  email: { recipients: [BOB, ANN], trendPeriods: 3 },
};
/** Monday 23 November 2026: the last closed week is 2026-W47; a week later, 2026-W48. */
const W47_NOW = Date.parse('2026-11-23T15:00:00Z');
const W48_NOW = Date.parse('2026-11-30T15:00:00Z');
const EVENT = JSON.parse(
  readFileSync(join(import.meta.dirname, '../events/function-url/one-click-post.json'), 'utf8'),
) as LambdaFunctionURLEvent;

/** SHA-256 of the lower-cased address, computed here rather than by the code under test. */
const sha256 = (address: string) => createHash('sha256').update(address).digest('hex');

/**
 * An HTTP pass-through in front of the SES stand-in that keeps the raw MIME of each
 * SendRawEmail (the stand-in parses it and keeps no headers).
 */
interface Capture {
  endpoint: string;
  raws: string[];
  stop(): Promise<void>;
}

async function startCapture(target: string): Promise<Capture> {
  const raws: string[] = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const data = new URLSearchParams(body.toString('utf8')).get('RawMessage.Data');
    if (data) raws.push(Buffer.from(data, 'base64').toString('utf8'));
    const answer = await fetch(`${target}${req.url ?? '/'}`, {
      method: req.method,
      headers: {
        'content-type': req.headers['content-type'] ?? 'text/plain',
        authorization: req.headers.authorization ?? '',
      },
      body,
    });
    res.writeHead(answer.status, {
      'content-type': answer.headers.get('content-type') ?? 'text/xml',
    });
    res.end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://${HOST}:${port}`,
    raws,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** One header of a raw message, unfolded (RFC 5322 §2.2.3), by its case-insensitive name. */
function header(raw: string, name: string): string | undefined {
  const block = raw.slice(0, raw.indexOf('\r\n\r\n')).replace(/\r\n[ \t]/g, ' ');
  const line = block
    .split('\r\n')
    .find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

/** A Function URL event for `url` (from an email), with the method and form body given. */
function eventFor(url: string, method: 'GET' | 'POST', body?: string): LambdaFunctionURLEvent {
  const parsed = new URL(url);
  const token = parsed.searchParams.get('t') ?? undefined;
  return {
    ...EVENT,
    rawPath: parsed.pathname,
    rawQueryString: parsed.search.slice(1),
    queryStringParameters: token === undefined ? undefined : { t: token },
    requestContext: {
      ...EVENT.requestContext,
      http: { ...EVENT.requestContext.http, method, path: parsed.pathname },
    },
    body: body === undefined ? undefined : Buffer.from(body).toString('base64'),
    isBase64Encoded: body !== undefined,
  };
}

let h: Harness;
let capture: Capture;
let rt: Runtime;
let sampleDir: string;
let sample: SampleResult;
const secrets = mockClient(SecretsManagerClient);
/** A Function URL response (the handler always answers with the structured form). */
type Answer = { statusCode: number; headers?: Record<string, string>; body: string };
let handle: ReturnType<typeof createLinksHandler>;
const links = async (event: LambdaFunctionURLEvent): Promise<Answer> =>
  (await handle(event)) as Answer;

function reportAt(now: number) {
  const linksEnv = { LINKS_BASE_URL: `${BASE_URL}/`, LINKS_KEY_SECRET_ARN: SECRET_ARN };
  return createReportHandler(() => rt, { now: () => now }, cachedReportLinks(linksEnv));
}

async function table(prefix: string): Promise<Record<string, unknown>[]> {
  const out = await rt.clients.dynamodb.send(
    new QueryCommand({
      TableName: h.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': 'REPORT#links-it', ':prefix': prefix },
    }),
  );
  return out.Items ?? [];
}

beforeAll(async () => {
  secrets.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ SecretString: KEY });
  sampleDir = mkdtempSync(join(tmpdir(), 'links-sample-'));
  sample = await generateSample({
    seed: 5,
    outDir: sampleDir,
    start: '2026-09-01',
    months: 3,
    until: '2026-11-23',
    customers: 60,
    scale: 0.2,
  });
  h = await startHarness({ dynamodbEndpoint: inject('dynamodbEndpoint'), config: CONFIG });
  for (const file of sample.files) {
    if (file.dataset === 'customers' || file.dataset === 'subscriptions') {
      await h.putObject(`exports/${file.dataset}/${file.dataset}.csv`, readFileSync(file.path));
    }
  }
  capture = await startCapture(h.ses.endpoint);
  const base = h.runtime();
  rt = {
    ...base,
    mailer: new SesMailer(
      createSesClient({
        endpoint: capture.endpoint,
        region: STANDIN_REGION,
        credentials: STANDIN_CREDENTIALS,
        maxAttempts: 1,
      }),
    ),
  };
  // The links function as deployed: its clients from the environment the harness set.
  handle = createLinksHandler(() => loadLinksDeps({ ...h.env, LINKS_KEY_SECRET_ARN: SECRET_ARN }));
});
afterAll(async () => {
  delete process.env.LINKS_BASE_URL;
  delete process.env.LINKS_KEY_SECRET_ARN;
  secrets.restore();
  await capture?.stop();
  await h?.stop();
  rmSync(sampleDir, { recursive: true, force: true });
});

describe('unsubscribe and archive links on the stand-ins', () => {
  let first: ReportResult;
  /** The raw messages of the first report, by recipient. */
  const raw = new Map<string, string>();

  beforeAll(async () => {
    first = (await reportAt(W47_NOW)({})) as ReportResult;
    for (const message of capture.raws) raw.set(header(message, 'To') ?? '', message);
  });

  it('sends each recipient a message with the list headers and their own unsubscribe link', () => {
    expect(first.deliveries?.map((d) => d.status)).toEqual(['sent', 'sent']);
    expect([...raw.keys()].sort()).toEqual([ANN, BOB]);
    const urls = [ANN, BOB].map((to) => {
      const message = raw.get(to) ?? '';
      // The name has RFC 5322 specials (&, "): a quoted string with the quote escaped.
      expect(header(message, 'List-Id')).toBe(
        '"Links & \\"archive\\" weekly" <links-it.example.com>',
      );
      expect(header(message, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
      const value = header(message, 'List-Unsubscribe') ?? '';
      expect(value).toMatch(/^<https:\/\/[^>]+>$/);
      return value.slice(1, -1);
    });
    expect(urls[0]).not.toBe(urls[1]);
    for (const url of urls) {
      expect(url.startsWith(`${BASE_URL}/unsubscribe?t=`)).toBe(true);
      // No address in the link.
      expect(decodeURIComponent(url)).not.toContain('@');
    }
  });

  it('puts the same link in the text footer, and none of anyone’s in the kept copy', async () => {
    const emails = await h.ses.emails();
    for (const to of [ANN, BOB]) {
      const url = header(raw.get(to) ?? '', 'List-Unsubscribe')?.slice(1, -1) ?? '';
      const email = emails.find((e) => e.destination.to[0] === to);
      expect(email?.body.text).toContain(`Unsubscribe: ${url}\n`);
      expect(email?.body.html).toContain(`href="${url}"`);
    }
    const kept = (await h.getText('reports/links-it/2026-W47/report.html')) ?? '';
    expect(kept).toContain(`href="${BASE_URL}/unsubscribe"`);
    expect(kept).not.toMatch(/\/unsubscribe\?t=/);
  });

  it('shows a confirmation page on GET and unsubscribes nobody', async () => {
    const url = header(raw.get(ANN) ?? '', 'List-Unsubscribe')?.slice(1, -1) ?? '';
    const response = await links(eventFor(url, 'GET'));
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('<form method="post">');
    // The name comes from the archive index, or the report id when there is none yet.
    expect(response.body).toMatch(/Links &amp; &quot;archive&quot; weekly|links-it/);
    expect(await table('SUPPRESS#')).toEqual([]);
  });

  it('refuses a forged token and changes nothing', async () => {
    // Prepare: Bob's real link with one character of its payload changed, and a link for
    // Bob made with another key.
    const url = new URL(header(raw.get(BOB) ?? '', 'List-Unsubscribe')?.slice(1, -1) ?? '');
    const token = url.searchParams.get('t') ?? '';
    const tampered = `${token[0] === 'e' ? 'f' : 'e'}${token.slice(1)}`;
    const other = new LinkSigner('y'.repeat(64)).sign({
      kind: 'unsubscribe',
      reportId: 'links-it',
      recipientHash: sha256(BOB),
    });

    for (const t of [tampered, other]) {
      // Act
      const response = await links(
        eventFor(`${BASE_URL}/unsubscribe?t=${t}`, 'POST', 'List-Unsubscribe=One-Click'),
      );

      // Assess
      expect(response.statusCode).toBe(403);
      expect(response.body).toContain('This link is not valid');
      expect(response.body).not.toMatch(/at .*\.ts:\d+/);
    }
    expect(await table('SUPPRESS#')).toEqual([]);
    expect(await table('AUDIT#')).toEqual([]);
  });

  it('unsubscribes exactly the first recipient on the one-click POST, with an audit item', async () => {
    // Prepare: the sample Function URL event, with Ann's token from her List-Unsubscribe.
    const url = new URL(header(raw.get(ANN) ?? '', 'List-Unsubscribe')?.slice(1, -1) ?? '');
    const token = url.searchParams.get('t') ?? '';
    const event = {
      ...EVENT,
      rawQueryString: `t=${token}`,
      queryStringParameters: { t: token },
    };

    // Act
    const response = await links(event);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('You will no longer receive');
    const suppressed = await table('SUPPRESS#');
    expect(suppressed).toEqual([
      expect.objectContaining({
        sk: `SUPPRESS#${sha256(ANN)}`,
        recipientHash: sha256(ANN),
        source: 'one-click',
      }),
    ]);
    const audit = await table('AUDIT#');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: 'unsubscribed',
      source: 'one-click',
      recipientHash: sha256(ANN),
    });
    expect(String(audit[0]?.sk)).toBe(`AUDIT#${String(audit[0]?.at)}#${sha256(ANN)}`);
    expect(JSON.stringify([...suppressed, ...audit])).not.toContain('@');
  });

  it('says "already unsubscribed" on a second click and writes nothing more', async () => {
    const url = header(raw.get(ANN) ?? '', 'List-Unsubscribe')?.slice(1, -1) ?? '';
    const response = await links(eventFor(url, 'POST', 'confirm=button'));
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('already unsubscribed');
    expect(await table('SUPPRESS#')).toHaveLength(1);
    expect(await table('AUDIT#')).toHaveLength(1);
  });

  it('sends the next report to the other recipient only', async () => {
    // Prepare
    capture.raws.length = 0;

    // Act
    const next = (await reportAt(W48_NOW)({})) as ReportResult;

    // Assess
    expect(next.period).toBe('2026-W48');
    expect(next.deliveries?.map((d) => [d.to, d.status])).toEqual([[BOB, 'sent']]);
    expect(capture.raws.map((m) => header(m, 'To'))).toEqual([BOB]);
    const sends = await rt.ledger.sendsFor('links-it', '2026-W48');
    expect(sends.map((s) => s.recipient)).toEqual([BOB]);
  });

  it('leaves the unsubscribed recipient out of a revised email too', async () => {
    // Prepare: a late subscriptions file with five starts in week 47 changes its numbers; the
    // ingest (which sends revised emails) reads the links settings from its environment.
    capture.raws.length = 0;
    Object.assign(process.env, { LINKS_BASE_URL: BASE_URL, LINKS_KEY_SECRET_ARN: SECRET_ARN });
    const late = [
      'subscription_id,customer_id,started_at,mrr,currency',
      ...[1, 2, 3, 4, 5].map((i) => `late-sub-${i},late-${i},2026-11-18T12:00:00Z,99,USD`),
    ].join('\n');
    const key = 'incoming/subscriptions/late starts.csv';
    await h.putObject(key, `${late}\n`);
    const ingest = createIngestHandler(() => rt, { now: () => W48_NOW });

    // Act
    const out = await ingest({
      Records: [
        {
          eventName: 'ObjectCreated:Put',
          s3: { bucket: { name: h.bucket }, object: { key: encodeEventKey(key), size: 1 } },
        },
      ],
    } as unknown as S3Event);
    expect(out.revisions.map((r) => r.period)).toContain('2026-W47');

    // Assess: revision 1 of week 47 (and of week 48, whose start changed) went to Bob
    // alone, each with his own unsubscribe link.
    for (const period of ['2026-W47', '2026-W48']) {
      const sends = await rt.ledger.sendsFor('links-it', period);
      expect(
        sends.filter((s) => s.revision === 1).map((s) => [s.recipient, s.state]),
        period,
      ).toEqual([[BOB, 'sent']]);
    }
    expect(capture.raws.map((m) => header(m, 'To'))).toEqual([BOB, BOB]);
    for (const message of capture.raws) {
      expect(header(message, 'List-Unsubscribe')).toMatch(
        new RegExp(`^<${BASE_URL}/unsubscribe\\?t=`),
      );
    }
    const revised = (await h.ses.emails()).filter((e) => e.subject.startsWith('[Revised]'));
    expect(revised.map((e) => e.destination.to)).toEqual([[BOB], [BOB]]);
  });

  it('redirects the archive link to a presigned URL of the stored copy that works', async () => {
    // Prepare: the footer's "Open this report online" link of Bob's first email.
    const text = (await h.ses.emails()).find((e) => e.destination.to[0] === BOB)?.body.text ?? '';
    const archive = /Open this report online: (\S+)/.exec(text)?.[1] ?? '';
    expect(archive.startsWith(`${BASE_URL}/archive?t=`)).toBe(true);

    // Act
    const response = await links(eventFor(archive, 'GET'));

    // Assess: a 302 to the right key, valid five minutes, that s3rver serves.
    expect(response.statusCode).toBe(302);
    const location = new URL(String(response.headers?.location));
    expect(location.pathname).toBe(`/${h.bucket}/reports/links-it/2026-W47/report.html`);
    expect(location.searchParams.get('X-Amz-Expires')).toBe('300');
    const fetched = await fetch(location);
    expect(fetched.status).toBe(200);
    expect(await fetched.text()).toBe(await h.getText('reports/links-it/2026-W47/report.html'));
    // Signed (s3rver serves unsigned GETs too, so the signature is checked as present).
    expect(location.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('lists the stored periods on the index link, each through its own working link', async () => {
    // Prepare: an index as the archive keeps it, newest first.
    await h.putObject(
      'reports/links-it/index.json',
      JSON.stringify({
        reportId: 'links-it',
        name: 'Links & "archive" weekly',
        entries: [
          {
            periodKey: '2026-W48',
            label: 'Week 48',
            sentAt: '2026-11-30T15:00:00Z',
            revision: 0,
            headline: [],
          },
          {
            periodKey: '2026-W47',
            label: 'Week 47',
            sentAt: '2026-11-23T15:00:00Z',
            revision: 0,
            headline: [],
          },
        ],
      }),
    );
    const text = (await h.ses.emails()).find((e) => e.destination.to[0] === BOB)?.body.text ?? '';
    const index = /All reports: (\S+)/.exec(text)?.[1] ?? '';

    // Act
    const page = await links(eventFor(index, 'GET'));

    // Assess
    expect(page.statusCode).toBe(200);
    const hrefs = [...String(page.body).matchAll(/href="(\/archive\?t=[^"]+)"/g)].map((m) => m[1]);
    expect(hrefs).toHaveLength(2);
    const targets: string[] = [];
    for (const href of hrefs) {
      const response = await links(eventFor(`${BASE_URL}${href}`, 'GET'));
      expect(response.statusCode).toBe(302);
      targets.push(new URL(String(response.headers?.location)).pathname);
    }
    expect(targets).toEqual([
      `/${h.bucket}/reports/links-it/2026-W48/report.html`,
      `/${h.bucket}/reports/links-it/2026-W47/report.html`,
    ]);
  });

  it('answers a missing stored period with 404, not a redirect to an error', async () => {
    const token = new LinkSigner(KEY).sign({
      kind: 'archive',
      reportId: 'links-it',
      periodKey: '2026-W30',
    });
    const response = await links(eventFor(`${BASE_URL}/archive?t=${token}`, 'GET'));
    expect(response.statusCode).toBe(404);
  });
});
