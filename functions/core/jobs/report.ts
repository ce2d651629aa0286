/**
 * Send the report of one period (or preview it), and backfill a range of periods.
 *
 * Sending, in order: make sure the period and the one before it have up-to-date stored
 * snapshots (recomputing what is missing or stale), apply the deltas, load the trend
 * history, render, claim the send in the ledger, send to each recipient, record the
 * outcome, and keep a copy of the email under `reports/<id>/<period>/`. See the send
 * ledger (functions/adapters/dynamodb.ts) for why a send happens at most once.
 */
import type { ReportConfig } from '../config';
import { withDeltas } from '../metrics/deltas';
import { emailAddressMessage, emailAddressProblem } from '../report/address';
import { renderReport } from '../report/render';
import type { Snapshot } from '../snapshot';
import {
  lastCompletePeriod,
  type Period,
  PeriodError,
  parsePeriodKey,
  periodKindOfKey,
  periodsBetween,
  previousPeriod,
} from '../time/periods';
import {
  assertIsError,
  type Delivery,
  InvalidRequestError,
  JobError,
  type JobLogger,
  type Mailer,
  type ObjectStore,
  RecipientRejectedError,
  type SendLedger,
  silentLogger,
} from './ports';
import { normalizeRecipients } from './recipients';
import { type RecomputeDeps, recomputePeriods } from './recompute';

/** At most this many periods per backfill: two years of weeks. */
export const MAX_BACKFILL_PERIODS = 104;

export interface ReportDeps extends RecomputeDeps {
  ledger: SendLedger;
  mailer: Mailer;
  /** Where `reports/<id>/<period>/report.html|txt` are written; none: not kept. */
  objects?: ObjectStore;
  sender: string;
  /** Shown in the email's data-quality section, e.g. `s3://bucket/rejected/`. */
  rejectedLocation?: string;
  logger?: JobLogger;
  /** @default - Date.now */
  now?: () => number;
}

export interface ReportRequest {
  /** Period key (`2026-W44`); default: the period that ended last. */
  period?: string;
  /** Render and return the email; send nothing, claim nothing, keep no copy. */
  dryRun?: boolean;
  /** Instead of the configured recipients. */
  recipients?: string[];
  /** Send even if this period was already sent to these recipients. */
  force?: boolean;
}

export interface ReportResult {
  reportId: string;
  period: string;
  /** Headline metric values (config `email.headline`), null when not computable. */
  summary: Record<string, number | null>;
  revised: boolean;
  subject: string;
  /** The first accepted message id (one message per recipient). */
  messageId?: string;
  deliveries?: Delivery[];
  /** Only for dryRun. */
  html?: string;
  text?: string;
  /** Set when nothing was sent because the ledger shows an earlier send. */
  skipped?: 'already-sent';
  previousSend?: { state: 'pending' | 'sent'; claimedAt: string; sentAt?: string };
  /** Keys of the kept copy of the email. */
  stored?: { html: string; text: string };
}

/** No recipient got the email (all refused or all failed); the claim was given back. */
export class DeliveryError extends JobError {
  readonly deliveries: Delivery[];
  constructor(message: string, deliveries: Delivery[], options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DeliveryError';
    this.deliveries = deliveries;
  }
}

/** The period named by `key` (it must be of the report's kind), or the last closed one. */
export function resolvePeriod(
  config: ReportConfig,
  key: string | undefined,
  nowMs: number,
): Period {
  if (key === undefined) return lastCompletePeriod(nowMs, config.period, config.timezone);
  let period: Period;
  try {
    if (periodKindOfKey(key) !== config.period) {
      throw new InvalidRequestError(
        `"${key}" is not a ${config.period}; this report is ${config.period}ly, e.g. "${lastCompletePeriod(nowMs, config.period, config.timezone).key}"`,
      );
    }
    period = parsePeriodKey(key, config.timezone);
  } catch (error) {
    if (error instanceof PeriodError) {
      throw new InvalidRequestError(`period ${error.message}`, { cause: error });
    }
    throw error;
  }
  if (period.end > nowMs) {
    throw new InvalidRequestError(
      `period ${key} has not ended yet; a report covers a whole period (the last one that ended is ${lastCompletePeriod(nowMs, config.period, config.timezone).key})`,
    );
  }
  return period;
}

/**
 * Refuses requested recipients that are not addresses (the same check as the config's), so
 * an invocation with `"a@b.com\r\nBcc: c@d.com"` fails before anything is computed, claimed
 * or sent, whichever schema its payload came through.
 */
export function checkRecipients(recipients: readonly string[] | undefined): void {
  if (recipients === undefined) return;
  if (recipients.length === 0) {
    throw new InvalidRequestError('recipients, when given, must name at least one address');
  }
  const problems = recipients.flatMap((to, i) => {
    const problem = emailAddressProblem(to);
    return problem ? [`recipients[${i}] ${emailAddressMessage(problem)}`] : [];
  });
  if (problems.length > 0) {
    throw new InvalidRequestError(`invalid recipients: ${problems.join('; ')}`);
  }
}

export function headlineSummary(
  snapshot: Snapshot,
  config: ReportConfig,
): Record<string, number | null> {
  const summary: Record<string, number | null> = {};
  for (const id of config.email.headline) summary[id] = snapshot.metrics[id]?.value ?? null;
  return summary;
}

export function reportKeys(reportId: string, periodKey: string): { html: string; text: string } {
  const base = `reports/${reportId}/${periodKey}`;
  return { html: `${base}/report.html`, text: `${base}/report.txt` };
}

export async function runReport(
  deps: ReportDeps,
  request: ReportRequest = {},
): Promise<ReportResult> {
  const logger = deps.logger ?? silentLogger;
  const now = deps.now ?? Date.now;
  const { config } = deps;
  const { reportId } = config;
  const period = resolvePeriod(config, request.period, now());
  const previous = previousPeriod(period);

  checkRecipients(request.recipients);
  const recipients = normalizeRecipients(request.recipients ?? config.email.recipients);
  if (!request.dryRun && recipients.length === 0) {
    throw new InvalidRequestError(
      'there is nobody to send the report to: set email.recipients in the configuration or pass "recipients"',
    );
  }

  const { snapshots } = await recomputePeriods(deps, [previous, period]);
  const current = snapshots.get(period.key)?.snapshot;
  if (!current) throw new JobError(`no snapshot for ${period.key} after computing it`);
  const before = snapshots.get(previous.key)?.snapshot;

  // History for the trend charts: earlier periods as stored, oldest first, with the
  // just-computed previous period in place of its stored copy.
  const earlier = await deps.store.listRecent(
    reportId,
    Math.max(0, config.email.trendPeriods - 1),
    previous.key,
  );
  const history = earlier
    .map((s) => (s.period.key === previous.key && before ? before : s))
    .reverse();

  const snapshot = withDeltas(current, before);
  const rendered = await renderReport({
    snapshot,
    history,
    config,
    rejectedLocation: deps.rejectedLocation,
  });
  const base: ReportResult = {
    reportId,
    period: period.key,
    summary: headlineSummary(snapshot, config),
    revised: snapshot.revised === true,
    subject: rendered.subject,
  };
  if (request.dryRun) {
    logger.info('rendered a dry run', { period: period.key });
    return { ...base, html: rendered.html, text: rendered.text };
  }

  const claim = await deps.ledger.claim(reportId, period.key, recipients, {
    force: request.force,
    now: new Date(now()),
  });
  if (!claim.claimed) {
    logger.info('already sent; not sending again', {
      period: period.key,
      state: claim.existing.state,
      claimedAt: claim.existing.claimedAt,
    });
    return {
      ...base,
      skipped: 'already-sent',
      previousSend: {
        state: claim.existing.state,
        claimedAt: claim.existing.claimedAt,
        sentAt: claim.existing.sentAt,
      },
    };
  }

  const deliveries: Delivery[] = [];
  for (const to of recipients) {
    try {
      const { messageId } = await deps.mailer.send({
        from: deps.sender,
        to,
        subject: rendered.subject,
        html: rendered.html,
        text: rendered.text,
        images: rendered.images,
        attachments: rendered.attachments,
      });
      deliveries.push({ to, status: 'sent', messageId });
    } catch (error) {
      assertIsError(error);
      const rejected = error instanceof RecipientRejectedError;
      deliveries.push({ to, status: rejected ? 'rejected' : 'failed', error: error.message });
      // Recipients are personal data: the log names the position, not the address.
      logger.warn(rejected ? 'a recipient was refused' : 'sending to a recipient failed', {
        period: period.key,
        recipient: deliveries.length,
        error: error.message,
      });
    }
  }

  if (!deliveries.some((d) => d.status === 'sent')) {
    // Nothing went out, so giving the claim back cannot cause a duplicate, and lets the
    // invocation's retry (or a run after fixing the sender) send.
    await deps.ledger.release(reportId, period.key, recipients, claim.token);
    const reasons = deliveries.map((d) => `${d.to}: ${d.error}`).join('; ');
    throw new DeliveryError(
      `the report for ${period.key} reached no recipient: ${reasons}`,
      deliveries,
    );
  }

  const completed = await deps.ledger.complete(
    reportId,
    period.key,
    recipients,
    claim.token,
    deliveries,
    new Date(now()),
  );
  if (!completed) {
    logger.warn('the send claim was taken over (a forced resend?) before it was completed', {
      period: period.key,
    });
  }

  let stored: ReportResult['stored'];
  if (deps.objects) {
    const keys = reportKeys(reportId, period.key);
    try {
      await deps.objects.put(keys.html, rendered.html, 'text/html; charset=utf-8');
      await deps.objects.put(keys.text, rendered.text, 'text/plain; charset=utf-8');
      stored = keys;
    } catch (error) {
      // The email is out and recorded; failing now would only make a retry skip it.
      assertIsError(error);
      logger.error('could not keep a copy of the sent report', { error: error.message });
    }
  }

  const sent = deliveries.filter((d) => d.status === 'sent');
  logger.info('sent the report', {
    period: period.key,
    sent: sent.length,
    notSent: deliveries.length - sent.length,
  });
  return { ...base, messageId: sent[0]?.messageId, deliveries, stored };
}

export interface BackfillRequest {
  from: string;
  to: string;
  /** Also send each period's report (to these recipients, once per period). */
  send?: boolean;
  recipients?: string[];
  force?: boolean;
}

export interface BackfillResult {
  reportId: string;
  periods: { period: string; version: number; revised: boolean; recomputed: boolean }[];
  reports?: ReportResult[];
}

/** Computes and stores every period from `from` to `to` (both included) in one pass. */
export async function runBackfill(
  deps: ReportDeps,
  request: BackfillRequest,
): Promise<BackfillResult> {
  const now = (deps.now ?? Date.now)();
  const { config } = deps;
  checkRecipients(request.recipients);
  const first = resolvePeriod(config, request.from, now);
  const last = resolvePeriod(config, request.to, now);
  let periods: Period[];
  try {
    periods = periodsBetween(first.key, last.key, config.timezone);
  } catch (error) {
    if (error instanceof PeriodError)
      throw new InvalidRequestError(error.message, { cause: error });
    throw error;
  }
  if (periods.length > MAX_BACKFILL_PERIODS) {
    throw new InvalidRequestError(
      `${request.from} to ${request.to} is ${periods.length} periods; backfill at most ${MAX_BACKFILL_PERIODS} at a time`,
    );
  }
  const { snapshots, recomputed } = await recomputePeriods(deps, periods, { force: request.force });
  const result: BackfillResult = {
    reportId: config.reportId,
    periods: periods.map((p) => {
      const stored = snapshots.get(p.key);
      return {
        period: p.key,
        version: stored?.version ?? 0,
        revised: stored?.snapshot.revised === true,
        recomputed: recomputed.includes(p.key),
      };
    }),
  };
  if (request.send) {
    result.reports = [];
    for (const p of periods) {
      result.reports.push(
        await runReport(deps, {
          period: p.key,
          recipients: request.recipients,
          force: request.force,
        }),
      );
    }
  }
  return result;
}
