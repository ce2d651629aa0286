/**
 * Lambda entry point for S3 "object created" notifications under `incoming/`: each record
 * is one dropped file, handed to the ingest job (functions/core/jobs/ingest.ts), which
 * validates it, keeps it under `exports/` and recomputes the periods it touches, of every
 * report of the deployment. When that
 * changes the numbers of a period already emailed, the revised report goes out
 * (`sendRevisions`, per config `email.revisions`).
 *
 * Failures: an error thrown here fails the invocation, and Lambda's asynchronous retries
 * run the whole event again. That is safe: the job only copies and writes conditionally,
 * and a period whose snapshot already reflects the file is not recomputed twice; the send
 * ledger keeps a revised email at once per recipient.
 */
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { DynamoDbSuppressionList } from './adapters/dynamodb';
import { resetEngineFolders, sharedEngineSettings } from './adapters/engine-env';
import { reportsOf } from './adapters/env';
import { cachedReportLinks } from './adapters/links';
import { type HandlerOptions, logger, type Runtime, sharedRuntime } from './adapters/runtime';
import { sharedWebhook } from './adapters/webhook';
import { type IngestOutcome, ingestDroppedFile } from './core/jobs/ingest';
import { type RevisionResult, sendRevisions } from './core/jobs/report';

const S3EventRecord = z.object({
  eventName: z.string(),
  s3: z.object({
    bucket: z.object({ name: z.string().min(1) }),
    object: z.object({
      key: z.string().min(1),
      size: z.number().optional(),
      eTag: z.string().optional(),
    }),
  }),
});

export const S3NotificationEvent = z.object(
  { Records: z.array(S3EventRecord).min(1, 'the S3 event has no records') },
  { error: 'expected an S3 event notification ({ "Records": [...] })' },
);

/**
 * The object key as S3 writes it into notifications is URL-encoded with `+` for spaces
 * (`incoming/orders/May+2026%C3%A9.csv`); every S3 call needs the plain key.
 */
export function decodeS3EventKey(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}

export interface IngestResponse {
  outcomes: IngestOutcome[];
  /** Revised emails sent because a file changed the numbers of periods already sent. */
  revisions: RevisionResult[];
}

export class InvalidEventError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InvalidEventError';
  }
}

/**
 * The handler over a given runtime (tests build their own; the exported `handler` loads the
 * container's on its first invocation, report configuration included). `engine` gives
 * DuckDB's resources; by default the ones the stack sets (functions/adapters/engine-env.ts).
 */
export function createIngestHandler(
  runtime: () => Runtime | Promise<Runtime>,
  options: HandlerOptions = {},
) {
  return async (event: unknown, context?: Context): Promise<IngestResponse> => {
    if (context) logger.addContext(context);
    const parsed = S3NotificationEvent.safeParse(event);
    if (!parsed.success) {
      throw new InvalidEventError(
        `the ingest function expects S3 notifications: ${z.prettifyError(parsed.error)}`,
      );
    }
    const rt = await runtime();
    const engine = (options.engine ?? sharedEngineSettings)();
    await resetEngineFolders(engine);
    const reports = reportsOf(rt.env);
    const deps = {
      config: rt.env.config,
      reports,
      source: rt.source,
      store: rt.store,
      ledger: rt.ledger,
      objects: rt.objects,
      logger: rt.logger,
      now: options.now,
      engine,
    };
    const outcomes: IngestOutcome[] = [];
    for (const record of parsed.data.Records) {
      const key = decodeS3EventKey(record.s3.object.key);
      if (!record.eventName.startsWith('ObjectCreated:')) {
        outcomes.push({ status: 'skipped', key, reason: `not a new object (${record.eventName})` });
        continue;
      }
      if (record.s3.bucket.name !== rt.env.bucketName) {
        // The notification belongs to another bucket: reading "our" bucket at that key
        // would ingest the wrong object.
        rt.logger.warn('skipping an event from another bucket', {
          bucket: record.s3.bucket.name,
          key,
        });
        outcomes.push({
          status: 'skipped',
          key,
          reason: `event from bucket ${record.s3.bucket.name}`,
        });
        continue;
      }
      const outcome = await ingestDroppedFile(deps, key);
      rt.logger.info('ingest outcome', { ...outcome });
      outcomes.push(outcome);
    }
    // Every touched period, not only the recomputed ones: when Lambda retries this event
    // after a failed revised send, the periods are up to date and the retry must still
    // reach the recipients the first run missed (claims keep it at once per recipient).
    // Each report has its own periods, recipients and revision policy.
    const revisions: RevisionResult[] = [];
    for (const report of reports) {
      const touched = outcomes.flatMap((o) =>
        o.status === 'accepted'
          ? (o.reports.find((r) => r.reportId === report.reportId)?.periods ?? [])
          : [],
      );
      if (touched.length === 0) continue;
      const sent = await sendRevisions(
        {
          ...deps,
          config: report,
          // Each revised email is kept under reports/ and listed in the archive index, as
          // the report function keeps its own; the ledger records every revised send.
          objects: rt.objects,
          archive: rt.objects,
          mailer: rt.mailer,
          sender: rt.env.sender,
          rejectedLocation: `s3://${rt.env.bucketName}/rejected/`,
          delivery: options.delivery,
          // Whoever unsubscribed gets no revised email either; revised emails carry the same
          // signed links (LINKS_BASE_URL, LINKS_KEY_SECRET_ARN) as the report function's.
          suppressions: new DynamoDbSuppressionList(rt.clients.dynamodb, rt.env.tableName),
          links: await revisionLinks(),
          // Config `slack`: the revised summary, once per period and revision.
          webhook: sharedWebhook,
        },
        touched,
      );
      revisions.push(...sent);
    }
    return { outcomes, revisions };
  };
}

const revisionLinks = cachedReportLinks();

export const handler = createIngestHandler(sharedRuntime);
