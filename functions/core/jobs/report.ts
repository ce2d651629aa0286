/**
 * Send the report of one period (or preview it), and backfill a range of periods.
 *
 * Sending, in order: make sure the period and the one before it have up-to-date stored
 * snapshots (recomputing what is missing or stale), apply the deltas, load the trend
 * history, render, then for each recipient claim their send in the ledger, send, record
 * the outcome (functions/core/jobs/deliver.ts), and keep a copy of the email under
 * `reports/<id>/<period>/`. See the send ledger (functions/adapters/dynamodb.ts) for why an
 * email reaches a recipient at most once per revision.
 *
 * Revised emails (`sendRevisions`, run after an ingest recomputes periods): when late data
 * changes the numbers of a period already sent, by config `email.revisions`, everyone who
 * got the earlier numbers gets one email marked "Revised" listing each changed metric.
 */
import type { ReportConfig } from '../config';
import { withDeltas } from '../metrics/deltas';
import { emailAddressMessage, emailAddressProblem } from '../report/address';
import {
  type EmailLinks,
  emailLinks,
  personalLinks,
  type ReportLinks,
  sharedUnsubscribeUrl,
} from '../report/links';
import { renderReport } from '../report/render';
import { changedMetrics, type MetricChange, shownMetrics } from '../report/revision';
import { reportDigest } from '../report/slack';
import { buildReportView, type ReportView } from '../report/view';
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
import { updateArchiveIndex } from './archive';
import { type DeliverySettings, deliverEach } from './deliver';
import {
  assertIsError,
  type Delivery,
  InvalidRequestError,
  JobError,
  type JobLogger,
  type Mailer,
  mayHaveBeenSent,
  type ObjectStore,
  type RevisionRecord,
  type SendLedger,
  type SendRecord,
  type SendState,
  type SuppressionList,
  silentLogger,
  type VersionedTextStore,
} from './ports';
import { normalizeRecipients, recipientHash } from './recipients';
import { type RecomputeDeps, recomputePeriods } from './recompute';
import { isWebhookRecipient, postSlackSummary, type WebhookDeps } from './slack';

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
  /** Retries and backoff per recipient. @default - DEFAULT_DELIVERY */
  delivery?: DeliverySettings;
  /**
   * The links function's base URL and the key that signs its links: the footer's archive,
   * index and unsubscribe links and the List-Unsubscribe header.
   * @default - no links (the local runner)
   */
  links?: ReportLinks;
  /** Who unsubscribed: left out of every send. @default - nobody is left out */
  suppressions?: SuppressionList;
  /**
   * Where the archive index (`reports/<id>/index.json|html`) is kept, updated each time a
   * copy of a sent report is kept under `objects`. @default - no index
   */
  archive?: VersionedTextStore;
  /** Reads the webhook URL of config `slack` and posts to it. @default - no post */
  webhook?: WebhookDeps;
}

export interface ReportRequest {
  /** Period key (`2026-W44`); default: the period that ended last. */
  period?: string;
  /** Render and return the email; send nothing, claim nothing, keep no copy. */
  dryRun?: boolean;
  /** Instead of the configured recipients. */
  recipients?: string[];
  /**
   * Send again to the named `recipients` even if they already got this period (`true`), or
   * to every configured recipient (`'all'`, only when asked for by name).
   */
  force?: boolean | 'all';
}

export interface ReportResult {
  reportId: string;
  period: string;
  /** Headline metric values (config `email.headline`), null when not computable. */
  summary: Record<string, number | null>;
  revised: boolean;
  /** The revision of the period's numbers the email was sent as (0: the first). */
  revision?: number;
  subject: string;
  /** The first accepted message id (one message per recipient). */
  messageId?: string;
  deliveries?: Delivery[];
  /** Only for dryRun. */
  html?: string;
  text?: string;
  /**
   * Set when nobody was tried: `already-sent` when every recipient's ledger record says sent
   * (or pending: maybe sent), `nothing-to-send` when some are recorded failed or rejected.
   */
  skipped?: 'already-sent' | 'nothing-to-send';
  /** The ledger record of the first recipient not tried, when nobody was. */
  previousSend?: { state: SendState; claimedAt: string; sentAt?: string };
  /**
   * Sends of the period this run found `pending` past the lease and recorded `unknown`
   * (recipient: position in the list, 1-based): maybe sent, not re-sent (re-send with
   * `force`).
   */
  unknownOutcome?: { revision: number; recipient: number | null }[];
  /** Keys of the kept copy of the email. */
  stored?: { html: string; text: string };
}

/**
 * The run reached nobody, or left recipients to retry: failing the invocation makes Lambda
 * (or the operator) run it again, and that run sends only to them.
 */
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

interface Prepared {
  base: ReportResult;
  snapshotVersion: number;
  current: Snapshot;
  rendered: Awaited<ReturnType<typeof renderReport>>;
  /** The footer's links, the unsubscribe one a placeholder (see `emailLinks`). */
  links?: EmailLinks;
  /** The email's view: the archive index and the webhook summary quote its numbers. */
  view: ReportView;
}

/** Up-to-date snapshots of the period and the one before, deltas, history, rendered email. */
async function prepareReport(
  deps: ReportDeps,
  period: Period,
  revision?: { number: number; changes: MetricChange[] },
): Promise<Prepared> {
  const { config } = deps;
  const previous = previousPeriod(period);
  const { snapshots } = await recomputePeriods(deps, [previous, period]);
  const stored = snapshots.get(period.key);
  const current = stored?.snapshot;
  if (!stored || !current) throw new JobError(`no snapshot for ${period.key} after computing it`);
  const before = snapshots.get(previous.key)?.snapshot;

  // History for the trend charts: earlier periods as stored, oldest first, with the
  // just-computed previous period in place of its stored copy.
  const earlier = await deps.store.listRecent(
    config.reportId,
    Math.max(0, config.email.trendPeriods - 1),
    previous.key,
  );
  // A stored period can be older than the exports: the first file of a dataset changes
  // the numbers of periods its rows do not fall in (a metric goes from null to 0), and an
  // ingest recomputes only the periods its rows touch. Those are brought up to date here,
  // in one engine call (recomputePeriods skips the current ones), so the trend charts show
  // what a report of each period would.
  const older = earlier.filter((s) => s.period.key !== previous.key);
  const refreshed =
    older.length === 0
      ? new Map<string, { snapshot?: Snapshot }>()
      : (
          await recomputePeriods(
            deps,
            older.map((s) => parsePeriodKey(s.period.key, config.timezone)),
          )
        ).snapshots;
  const history = earlier
    .map((s) =>
      s.period.key === previous.key && before
        ? before
        : (refreshed.get(s.period.key)?.snapshot ?? s),
    )
    .reverse();

  const snapshot = withDeltas(current, before);
  const links = deps.links && emailLinks(deps.links, config.reportId, period.key);
  const rendered = await renderReport({
    snapshot,
    history,
    config,
    rejectedLocation: deps.rejectedLocation,
    revision,
    links,
  });
  const view = buildReportView({
    snapshot,
    history,
    config,
    rejectedLocation: deps.rejectedLocation,
    revision,
    links,
  });
  return {
    base: {
      reportId: config.reportId,
      period: period.key,
      summary: headlineSummary(snapshot, config),
      revised: snapshot.revised === true,
      subject: rendered.subject,
    },
    snapshotVersion: stored.version,
    current,
    rendered,
    links,
    view,
  };
}

/** Sends a prepared email to each recipient under `revision` and keeps a copy. */
async function deliverReport(
  deps: ReportDeps,
  prepared: Prepared,
  revision: number,
  recipients: readonly string[],
  force?: ReadonlySet<string>,
): Promise<ReportResult> {
  const logger = deps.logger ?? silentLogger;
  const now = deps.now ?? Date.now;
  const { base, rendered } = prepared;
  // Whoever unsubscribed is left out here, before any claim: the first send and revised
  // emails alike. Logged by number: the list holds hashes and logs never hold addresses.
  const suppressed = (await deps.suppressions?.suppressed(base.reportId)) ?? new Set<string>();
  const allowed = recipients.filter((to) => !suppressed.has(recipientHash(to)));
  if (allowed.length < recipients.length) {
    logger.info('left out recipients who unsubscribed', {
      period: base.period,
      unsubscribed: recipients.length - allowed.length,
      remaining: allowed.length,
    });
  }
  if (allowed.length === 0) return { ...base, revision, skipped: 'nothing-to-send' };
  const { links } = prepared;
  const signing = deps.links;
  const personalize =
    signing && links
      ? (to: string) =>
          personalLinks(rendered, {
            links: signing,
            emailLinks: links,
            reportId: base.reportId,
            reportName: deps.config.name,
            sender: deps.sender,
            recipientHash: recipientHash(to),
          })
      : undefined;
  const outcome = await deliverEach(
    { ledger: deps.ledger, mailer: deps.mailer, logger, now, delivery: deps.delivery },
    {
      reportId: base.reportId,
      periodKey: base.period,
      revision,
      recipients: allowed,
      email: {
        from: deps.sender,
        subject: rendered.subject,
        html: rendered.html,
        text: rendered.text,
        images: rendered.images,
        attachments: rendered.attachments,
      },
      force,
      personalize,
    },
  );
  const { deliveries, skipped, retryable } = outcome;
  const unknownOutcome = outcome.unknown.length > 0 ? { unknownOutcome: outcome.unknown } : {};
  if (deliveries.length === 0) {
    logger.info('already sent; not sending again', {
      period: base.period,
      revision,
      states: skipped.map((r) => r.state),
    });
    // The emails went out in an earlier run; a webhook post that failed there is retried.
    if (skipped.some((r) => r.state === 'sent')) await publishSummary(deps, prepared, revision);
    return { ...base, revision, ...skippedResult(skipped), ...unknownOutcome };
  }

  const sent = deliveries.filter((d) => d.status === 'sent');
  if (sent.length === 0 || retryable.length > 0) {
    const reasons = deliveries
      .filter((d) => d.status !== 'sent')
      .map((d) => `${d.to}: ${d.error}`)
      .join('; ');
    throw new DeliveryError(
      sent.length === 0
        ? `the report for ${base.period} reached no recipient: ${reasons}`
        : `the report for ${base.period} reached ${sent.length} of ${deliveries.length} recipients; the others are retried on the next run: ${reasons}`,
      deliveries,
    );
  }

  let stored: ReportResult['stored'];
  if (deps.objects) {
    const keys = reportKeys(base.reportId, base.period);
    try {
      const copy = sharedCopy(prepared);
      await deps.objects.put(keys.html, copy.html, 'text/html; charset=utf-8');
      await deps.objects.put(keys.text, copy.text, 'text/plain; charset=utf-8');
      stored = keys;
    } catch (error) {
      // The email is out and recorded; failing now would only make a retry skip it.
      assertIsError(error);
      logger.error('could not keep a copy of the sent report', { error: error.message });
    }
  }
  if (stored) await keepInArchiveIndex(deps, prepared, revision);
  await publishSummary(deps, prepared, revision);

  logger.info('sent the report', {
    period: base.period,
    revision,
    sent: sent.length,
    notSent: deliveries.length - sent.length,
    alreadySent: skipped.length,
  });
  return {
    ...base,
    revision,
    messageId: sent[0]?.messageId,
    deliveries,
    stored,
    ...unknownOutcome,
  };
}

/**
 * The email as anyone with an archive link (or a dry run) sees it: its unsubscribe link
 * carries no token (nobody's), the placeholder replaced by the bare route; the charts, which
 * the email carries as `cid:` parts, inlined as `data:` URLs, so the one object opens whole
 * through a presigned link (a relative image URL would need a signature of its own).
 */
function sharedCopy(prepared: Prepared): { html: string; text: string } {
  const { rendered, links } = prepared;
  let { html, text } = rendered;
  for (const image of rendered.images) {
    html = html.replaceAll(
      `cid:${image.cid}`,
      `data:${image.contentType};base64,${image.content.toString('base64')}`,
    );
  }
  if (!links) return { html, text };
  const bare = sharedUnsubscribeUrl(links);
  html = html.replaceAll(links.unsubscribe, bare);
  text = text.replaceAll(links.unsubscribe, bare);
  return { html, text };
}

/**
 * Lists the kept copy in the archive index. Like the copy, never fails the run: the email
 * is out and recorded, and the next kept report of the report adds its own entry anyway.
 */
async function keepInArchiveIndex(
  deps: ReportDeps,
  prepared: Prepared,
  revision: number,
): Promise<void> {
  if (!deps.archive) return;
  const logger = deps.logger ?? silentLogger;
  const { config } = deps;
  const digest = reportDigest(prepared.view, prepared.current.period, config.locale, revision);
  try {
    await updateArchiveIndex(
      deps.archive,
      { reportId: config.reportId, name: config.name },
      {
        periodKey: digest.periodKey,
        label: digest.periodLabel,
        sentAt: new Date((deps.now ?? Date.now)()).toISOString(),
        revision,
        headline: digest.headline,
      },
    );
  } catch (error) {
    assertIsError(error);
    logger.error('could not update the archive index', {
      period: digest.periodKey,
      error: error.message,
    });
  }
}

/** Posts the summary to config `slack`'s webhook, once per period and revision. */
async function publishSummary(deps: ReportDeps, prepared: Prepared, revision: number) {
  const { config } = deps;
  if (!config.slack) return;
  await postSlackSummary(
    {
      ledger: deps.ledger,
      logger: deps.logger ?? silentLogger,
      now: deps.now ?? Date.now,
      delivery: deps.delivery,
      webhook: deps.webhook,
    },
    config.slack,
    {
      reportId: config.reportId,
      digest: reportDigest(prepared.view, prepared.current.period, config.locale, revision),
      archiveUrl: prepared.links?.archive,
    },
  );
}

function skippedResult(skipped: readonly SendRecord[]): Partial<ReportResult> {
  const first = skipped[0];
  const allSent = skipped.every((r) => mayHaveBeenSent(r.state));
  return {
    skipped: allSent ? 'already-sent' : 'nothing-to-send',
    previousSend: first && { state: first.state, claimedAt: first.claimedAt, sentAt: first.sentAt },
  };
}

/**
 * The revision a send of `current` goes out under: the latest recorded one, or revision 0
 * (written now) for the period's first email. New recipients of an already-revised period
 * join its latest revision.
 */
async function currentRevision(deps: ReportDeps, prepared: Prepared): Promise<number> {
  const { reportId, period } = prepared.base;
  const latest = (await deps.ledger.revisions(reportId, period)).at(-1);
  if (latest) return latest.revision;
  // Conditional: a concurrent first send may write it first, with the same numbers.
  await deps.ledger.addRevision({
    reportId,
    periodKey: period,
    revision: 0,
    snapshotVersion: prepared.snapshotVersion,
    metrics: shownMetrics(prepared.current),
    createdAt: new Date((deps.now ?? Date.now)()).toISOString(),
  });
  return 0;
}

export async function runReport(
  deps: ReportDeps,
  request: ReportRequest = {},
): Promise<ReportResult> {
  const logger = deps.logger ?? silentLogger;
  const now = deps.now ?? Date.now;
  const { config } = deps;
  const period = resolvePeriod(config, request.period, now());

  checkRecipients(request.recipients);
  const recipients = normalizeRecipients(request.recipients ?? config.email.recipients);
  if (!request.dryRun && recipients.length === 0) {
    throw new InvalidRequestError(
      'there is nobody to send the report to: set email.recipients in the configuration or pass "recipients"',
    );
  }
  if (!request.dryRun && request.force === true && request.recipients === undefined) {
    // A forced resend used to go to everyone; now it goes to whom the operator names.
    throw new InvalidRequestError(
      'force re-sends only to the recipients you name: add "recipients": ["…"], or pass "force": "all" to re-send to every configured recipient',
    );
  }

  const prepared = await prepareReport(deps, period);
  if (request.dryRun) {
    logger.info('rendered a dry run', { period: period.key });
    return { ...prepared.base, ...sharedCopy(prepared) };
  }
  const revision = await currentRevision(deps, prepared);
  const force = request.force ? new Set(recipients) : undefined;
  return deliverReport(deps, prepared, revision, recipients, force);
}

export interface RevisionResult {
  period: string;
  revision: number;
  changes: MetricChange[];
  report?: ReportResult;
}

/** How many times a revision number lost to a concurrent writer is re-read. */
const REVISION_ATTEMPTS = 4;

/**
 * After late data was ingested: for each period whose report was already sent and whose
 * numbers changed (config `email.revisions`), records the next revision of its numbers and
 * emails it, marked "Revised" with the changed metrics, to everyone who got an earlier one
 * — once per recipient and revision. Safe to run again for the same periods (an ingest
 * retried by Lambda does): a revision already recorded is resumed for the recipients it
 * has not reached, never re-sent to those it has.
 */
export async function sendRevisions(
  deps: ReportDeps,
  periodKeys: readonly string[],
): Promise<RevisionResult[]> {
  const logger = deps.logger ?? silentLogger;
  const now = deps.now ?? Date.now;
  const { config } = deps;
  const { reportId } = config;
  const policy = config.email.revisions;
  if (policy.mode === 'mark') return [];

  // The periods someone may hold numbers of: sent, or pending (maybe sent).
  const candidates: { period: Period; sends: SendRecord[]; reached: string[] }[] = [];
  for (const key of [...new Set(periodKeys)]) {
    const sends = await deps.ledger.sendsFor(reportId, key);
    const reached = normalizeRecipients(
      sends
        // A webhook's claim shares the ledger; it is not someone to email.
        .filter((s) => mayHaveBeenSent(s.state) && !isWebhookRecipient(s.recipient))
        .map((s) => s.recipient),
    );
    if (reached.length > 0)
      candidates.push({ period: resolvePeriod(config, key, now()), sends, reached });
  }
  if (candidates.length === 0) return [];

  // Revisions first, snapshots second: every revision read was written from a snapshot read
  // before it, so ours is at least as new, and a lost race never records older numbers as a
  // newer revision. One recompute call for all (they are up to date after an ingest).
  const revisionsOf = new Map<string, RevisionRecord[]>();
  for (const c of candidates) {
    revisionsOf.set(c.period.key, await deps.ledger.revisions(reportId, c.period.key));
  }
  const { snapshots } = await recomputePeriods(
    deps,
    candidates.map((c) => c.period),
  );

  const results: RevisionResult[] = [];
  const failures: DeliveryError[] = [];
  for (const { period, sends, reached } of candidates) {
    const key = period.key;
    let revisions = revisionsOf.get(key) ?? [];
    let stored = snapshots.get(key);
    let target: RevisionRecord | undefined;
    let earlier: RevisionRecord | undefined;
    for (let attempt = 1; attempt <= REVISION_ATTEMPTS && !target; attempt++) {
      if (attempt > 1) {
        revisions = await deps.ledger.revisions(reportId, key);
        stored = (await recomputePeriods(deps, [period])).snapshots.get(key);
      }
      const latest = revisions.at(-1);
      if (!latest || !stored) break; // sent before revisions were recorded: nothing to compare
      const changes = changedMetrics(latest.metrics, stored.snapshot, {
        locale: config.locale,
        minChange: policy.minChange,
      });
      if (changes.length === 0) {
        // Nothing new; resume the latest revision if a crash or a failure cut it short.
        if (latest.revision > 0) {
          target = latest;
          earlier = revisions.at(-2);
        }
        break;
      }
      const next: RevisionRecord = {
        reportId,
        periodKey: key,
        revision: latest.revision + 1,
        snapshotVersion: stored.version,
        metrics: shownMetrics(stored.snapshot),
        createdAt: new Date(now()).toISOString(),
      };
      if (await deps.ledger.addRevision(next)) {
        target = next;
        earlier = latest;
      }
      // Lost the race: another ingest recorded this number; compare against it.
    }
    if (!target || !earlier || !stored) continue;
    const revisionNumber = target.revision;
    const missing = reached.filter(
      (to) =>
        !sends.some(
          (s) => s.recipient === to && s.revision === revisionNumber && s.state !== 'retry',
        ),
    );
    if (missing.length === 0) continue;

    const changes = changedMetrics(earlier.metrics, stored.snapshot, {
      locale: config.locale,
      minChange: 0,
    });
    const prepared = await prepareReport(deps, period, { number: revisionNumber, changes });
    logger.info('sending a revised report', {
      period: key,
      revision: revisionNumber,
      changed: changes.map((c) => c.id),
      recipients: missing.length,
    });
    try {
      const report = await deliverReport(deps, prepared, revisionNumber, missing);
      results.push({ period: key, revision: revisionNumber, changes, report });
    } catch (error) {
      if (!(error instanceof DeliveryError)) throw error;
      failures.push(error);
      results.push({ period: key, revision: revisionNumber, changes });
    }
  }
  if (failures.length > 0) {
    // Failing the ingest makes Lambda retry it; the retry resumes these revisions.
    throw new DeliveryError(
      failures.map((f) => f.message).join(' | '),
      failures.flatMap((f) => f.deliveries),
    );
  }
  return results;
}

export interface BackfillRequest {
  from: string;
  to: string;
  /** Also send each period's report (to these recipients, once per period). */
  send?: boolean;
  recipients?: string[];
  /** Recompute even if up to date; with `send`, as ReportRequest `force`. */
  force?: boolean | 'all';
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
  const { snapshots, recomputed } = await recomputePeriods(deps, periods, {
    force: request.force !== undefined && request.force !== false,
  });
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
