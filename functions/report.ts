/**
 * Lambda entry point for the report: invoked by EventBridge Scheduler (payload
 * `{ "reportId": "<id>" }`, one schedule per report) or directly by an operator. The id
 * picks the report among the deployment's; without one, the only report (an unknown id, or
 * none with several reports, is refused with the ids listed).
 *
 * - `{ reportId?, period?, dryRun?, recipients?, force? }` (all optional) sends the report
 *   of one period (default: the last closed one) to each recipient who has not had it yet,
 *   or with `dryRun` returns its HTML and sends nothing; `force: true` re-sends to the named
 *   `recipients`, `force: "all"` to every configured one;
 * - `{ from, to, send?, recipients?, force? }` backfills every period in the range.
 *
 * Unknown fields are refused rather than ignored: a typo such as `dryrun` must not turn a
 * preview into a real send.
 */

import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { DynamoDbSuppressionList } from './adapters/dynamodb';
import { resetEngineFolders, sharedEngineSettings } from './adapters/engine-env';
import { reportsOf } from './adapters/env';
import { cachedReportLinks } from './adapters/links';
import { type HandlerOptions, logger, type Runtime, sharedRuntime } from './adapters/runtime';
import { sharedWebhook } from './adapters/webhook';
import { ConfigError, type ReportConfig, selectReport } from './core/config';
import { InvalidRequestError } from './core/jobs/ports';
import {
  type BackfillResult,
  type ReportDeps,
  type ReportResult,
  runBackfill,
  runReport,
} from './core/jobs/report';
import { EmailAddress } from './core/report/address';
import type { ReportLinks } from './core/report/links';

const PeriodKey = z
  .string()
  .regex(/^\d{4}-(W\d{2}|Q[1-4]|\d{2})$/, 'a period key looks like 2026-W44, 2026-11 or 2026-Q4');
const Recipients = z
  .array(EmailAddress)
  .min(1, 'recipients, when given, must name at least one address');
const Force = z.union([z.boolean(), z.literal('all')], {
  message: 'force is true (re-send to the named recipients) or "all" (to every recipient)',
});

export const ReportPayload = z.strictObject({
  reportId: z.string().min(1).optional(),
  period: PeriodKey.optional(),
  dryRun: z.boolean().optional(),
  recipients: Recipients.optional(),
  force: Force.optional(),
});
export type ReportPayload = z.infer<typeof ReportPayload>;

export const BackfillPayload = z.strictObject({
  reportId: z.string().min(1).optional(),
  from: PeriodKey,
  to: PeriodKey,
  send: z.boolean().optional(),
  recipients: Recipients.optional(),
  force: Force.optional(),
});
export type BackfillPayload = z.infer<typeof BackfillPayload>;

/** What EventBridge delivers when a rule (rather than Scheduler with a payload) fires. */
const ScheduledEvent = z.object({
  'detail-type': z.literal('Scheduled Event'),
  source: z.string(),
});

export type ReportRequestEvent =
  | { kind: 'report'; payload: ReportPayload }
  | { kind: 'backfill'; payload: BackfillPayload };

/** Parses an invocation payload; throws an InvalidRequestError saying what is wrong. */
export function parseReportEvent(event: unknown): ReportRequestEvent {
  if (event === undefined || event === null) return { kind: 'report', payload: {} };
  if (ScheduledEvent.safeParse(event).success) return { kind: 'report', payload: {} };
  const isBackfill = typeof event === 'object' && ('from' in event || 'to' in event);
  const result = (isBackfill ? BackfillPayload : ReportPayload).safeParse(event);
  if (!result.success) {
    throw new InvalidRequestError(
      `invalid ${isBackfill ? 'backfill' : 'report'} request: ${z.prettifyError(result.error)}`,
    );
  }
  return isBackfill
    ? { kind: 'backfill', payload: result.data as BackfillPayload }
    : { kind: 'report', payload: result.data as ReportPayload };
}

/**
 * The handler over a given runtime (tests build their own; the exported `handler` loads the
 * container's on its first invocation, report configuration included). `engine` gives
 * DuckDB's resources; by default the ones the stack sets (functions/adapters/engine-env.ts).
 */
export function createReportHandler(
  runtime: () => Runtime | Promise<Runtime>,
  options: HandlerOptions = {},
  /** The email's signed links (LINKS_BASE_URL, LINKS_KEY_SECRET_ARN); none when unset. */
  links: () => Promise<ReportLinks | undefined> = sharedReportLinks,
) {
  return async (event: unknown, context?: Context): Promise<ReportResult | BackfillResult> => {
    if (context) logger.addContext(context);
    const request = parseReportEvent(event);
    const rt = await runtime();
    let config: ReportConfig;
    try {
      // Each schedule's payload names its report; `{}` is enough with only one.
      config = selectReport(reportsOf(rt.env), request.payload.reportId);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      throw new InvalidRequestError(error.message, { cause: error });
    }
    const engine = (options.engine ?? sharedEngineSettings)();
    const deps: ReportDeps = {
      config,
      source: rt.source,
      store: rt.store,
      ledger: rt.ledger,
      mailer: rt.mailer,
      objects: rt.objects,
      archive: rt.objects,
      webhook: sharedWebhook,
      sender: rt.env.sender,
      rejectedLocation: `s3://${rt.env.bucketName}/rejected/`,
      logger: rt.logger,
      now: options.now,
      engine,
      delivery: options.delivery,
      links: await links(),
      suppressions: new DynamoDbSuppressionList(rt.clients.dynamodb, rt.env.tableName),
    };
    try {
      await resetEngineFolders(engine);
      if (request.kind === 'backfill') {
        const { from, to, send, recipients, force } = request.payload;
        const result = await runBackfill(deps, { from, to, send, recipients, force });
        rt.logger.info('backfill done', {
          reportId: config.reportId,
          from,
          to,
          periods: result.periods.length,
        });
        return result;
      }
      const { period, dryRun, recipients, force } = request.payload;
      const result = await runReport(deps, { period, dryRun, recipients, force });
      rt.logger.info('report done', {
        reportId: config.reportId,
        period: result.period,
        dryRun: dryRun === true,
        skipped: result.skipped,
        summary: result.summary,
      });
      return result;
    } catch (error) {
      rt.logger.error('report failed', {
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
      throw error;
    }
  };
}

const sharedReportLinks = cachedReportLinks();

export const handler = createReportHandler(sharedRuntime);
