/**
 * `npm run demo [-- --exit] [-- --out <dir>]`: the whole pipeline on this machine, with no
 * AWS account. Starts the local stand-ins (DynamoDB Local — fetched on first use, needs a
 * Java runtime —, s3rver and the SES stand-in), stores the report configuration in the local
 * S3 as `cdk deploy` does, writes a seeded sample of all ten exports, drops them into the local bucket's `incoming/`, lets the real Lambda handlers
 * ingest them (s3rver's notifications invoke the ingest handler as S3 would) and send the
 * last closed week's report, then prints where to read the email. Keeps the stand-ins up
 * until Ctrl-C so the email can be looked at, or stops at once with `--exit`.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { ReportConfigInput } from '../functions/core/config';
import type { IngestOutcome } from '../functions/core/jobs/ingest';
import type { ReportResult } from '../functions/core/jobs/report';
import {
  bridgeS3Events,
  createTable,
  putReportConfig,
  standInEnv,
  startDynamoDbLocal,
  startS3,
  startSes,
} from '../test/support/standins';
import { generateSample } from './sample/generate';

const BUCKET = 'engagement-exports';
/** Where the config is stored: in AWS, the CDK assets bucket the deploy uploads it to. */
const CONFIG_BUCKET = 'engagement-assets';
const TABLE = 'engagement-snapshots';
const TIMEZONE = 'America/New_York';
const CONFIG: ReportConfigInput = {
  reportId: 'demo',
  name: 'Brightloom weekly engagement',
  timezone: TIMEZONE,
  currency: 'USD',
  locale: 'en-US',
  period: 'week',
  events: { conversion: ['purchase'], coreActions: ['report_created'] },
  clv: { grossMargin: 0.8 },
  email: { recipients: ['team@brightloom.example'] },
};
const SENDER = 'reports@brightloom.example';

/** Today's date in `zone` as YYYY-MM-DD: the sample's data stops before it. */
function localToday(zone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(new Date());
}

function monthsBefore(day: string, months: number): string {
  const [y, m] = day.split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) - months;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}-01`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { exit: { type: 'boolean' }, out: { type: 'string' } },
    strict: true,
  });
  const outDir = resolve(values.out ?? join('out', 'demo'));
  const log = (line: string) => console.log(line);
  const t0 = Date.now();

  log('starting the local stand-ins (DynamoDB Local, s3rver, SES) …');
  const [dynamodb, s3, ses] = await Promise.all([
    startDynamoDbLocal({ log }),
    startS3({ buckets: [BUCKET, CONFIG_BUCKET] }),
    startSes(),
  ]);
  const stopAll = async () => {
    await Promise.allSettled([dynamodb.stop(), s3.stop(), ses.stop()]);
  };
  try {
    await createTable(dynamodb.endpoint, TABLE);
    // The handlers build their clients and settings from the environment exactly as in Lambda,
    // and read the report configuration from where the environment says it is stored.
    Object.assign(
      process.env,
      standInEnv({ s3: s3.endpoint, dynamodb: dynamodb.endpoint, ses: ses.endpoint }),
    );
    const client = new S3Client({});
    const stored = await putReportConfig(client, CONFIG_BUCKET, CONFIG);
    log(`stored the report configuration at s3://${CONFIG_BUCKET}/${stored.location.key}`);
    Object.assign(process.env, {
      BUCKET_NAME: BUCKET,
      TABLE_NAME: TABLE,
      ...stored.env,
      SENDER,
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
    });
    const { handler: ingest } = await import('../functions/ingest');
    const { handler: report } = await import('../functions/report');

    const until = localToday(TIMEZONE);
    const sampleDir = join(outDir, 'sample');
    log(`writing sample exports (3 months up to ${until}) to ${sampleDir} …`);
    const sample = await generateSample({
      seed: 42,
      outDir: sampleDir,
      start: monthsBefore(until, 3),
      months: 4,
      until,
      timezone: TIMEZONE,
      customers: 250,
      scale: 0.3,
    });

    const bridge = bridgeS3Events(s3, (event) => ingest(event));
    for (const file of sample.files) {
      const key = `incoming/${file.dataset}/${file.dataset}.csv`;
      await client.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: await readFile(file.path) }),
      );
      log(`  dropped s3://${BUCKET}/${key} (${file.rows} rows)`);
    }
    await bridge.idle();
    bridge.stop();
    client.destroy();
    if (bridge.errors.length > 0) {
      throw new Error(`ingest failed: ${bridge.errors.map(String).join('; ')}`);
    }
    for (const result of bridge.results as { outcomes: IngestOutcome[] }[]) {
      for (const o of result.outcomes) {
        if (o.status === 'accepted') {
          log(
            `  ingested ${o.exportKey}: ${o.rowsAccepted} rows accepted, ${o.rowsRejected} rejected${
              o.rejectedKey ? ` (see ${o.rejectedKey})` : ''
            }; periods recomputed: ${o.recomputed.length}`,
          );
        } else {
          log(`  ${o.status} ${o.key}: ${o.reason}`);
        }
      }
    }

    log('invoking the report handler as the weekly schedule does ({}) …');
    const result = (await report({})) as ReportResult;
    log(`  period ${result.period}: "${result.subject}"`);
    log(`  headline: ${JSON.stringify(result.summary)}`);
    // The stand-in's stored copy has the inline charts turned into data: URIs, so the saved
    // file shows them in any browser (the raw email refers to them by cid:).
    const emails = await ses.emails();
    const sent = emails.find((e) => e.messageId === result.messageId);
    if (!sent?.body.html) throw new Error('the SES stand-in holds no email for this report');
    await mkdir(outDir, { recursive: true });
    const htmlFile = join(outDir, 'report.html');
    await writeFile(htmlFile, sent.body.html, 'utf8');
    await writeFile(join(outDir, 'report.txt'), sent.body.text ?? '', 'utf8');

    log('');
    log(
      `done in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${emails.length} email(s) in the SES stand-in.`,
    );
    log(`  read it in the SES stand-in's web view: ${ses.webUrl}`);
    log(`  or open the saved HTML: ${htmlFile}`);
    log(
      `  stand-ins: S3 ${s3.endpoint} (bucket ${BUCKET}), DynamoDB ${dynamodb.endpoint} (table ${TABLE})`,
    );
    if (values.exit) return;
    log('the stand-ins keep running; press Ctrl-C to stop.');
    await new Promise<void>((resolveStop) => {
      process.once('SIGINT', () => resolveStop());
      process.once('SIGTERM', () => resolveStop());
    });
    log('stopping …');
  } finally {
    await stopAll();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
