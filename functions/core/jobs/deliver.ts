/**
 * Hand one rendered email to each recipient, each under its own claim in the send ledger
 * (report, period, revision, recipient), so a retry sends only to whoever did not get it,
 * and nobody gets the same revision twice — also across crashes (see the ledger in
 * functions/adapters/dynamodb.ts).
 *
 * Within a run, a refusal worth retrying (throttling, a 5xx) is retried with exponential
 * backoff, `attemptsPerRun` times; the recipient is then left in `retry` for the next run,
 * until `maxAttempts` provider calls in all, after which it is recorded `failed` with the
 * reason. A permanent refusal is recorded `rejected` at once; an unknown outcome (the
 * connection broke after the request went out) leaves the claim `pending`: sending again
 * could duplicate the email. A later run of the period that finds a claim (of any revision)
 * still `pending` past the lease (longer than any run lasts, so its run is over) records it
 * `unknown` with the reason and how to re-send, and reports it; it does not send it.
 */
import {
  assertIsError,
  type Delivery,
  DeliveryUnknownError,
  InvalidRequestError,
  type JobLogger,
  type Mailer,
  type OutgoingEmail,
  RecipientRejectedError,
  type SendLedger,
  type SendRecord,
} from './ports';
import { normalizeRecipients } from './recipients';

export interface DeliverySettings {
  /** Provider calls per recipient in one run. @default 3 */
  readonly attemptsPerRun?: number;
  /** Provider calls per recipient and revision over all runs, then `failed`. @default 6 */
  readonly maxAttempts?: number;
  /** The wait before the n-th retry of a run is `baseDelayMs × 2^(n−1)`. @default 1000 */
  readonly baseDelayMs?: number;
  /** @default - setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /**
   * How long after its claim a `pending` record is taken for the trace of a run that
   * stopped (and recorded `unknown`). It must not be shorter than the function timeout: a
   * younger claim may belong to a run still sending.
   * @default 900000 - 15 minutes, the longest a Lambda function runs
   */
  readonly pendingLeaseMs?: number;
  /** @default 900000 - 15 minutes, Lambda's maximum (the lease is checked against it) */
  readonly functionTimeoutMs?: number;
}

/** The longest a Lambda invocation can run. */
export const MAX_FUNCTION_TIMEOUT_MS = 15 * 60_000;

export const DEFAULT_DELIVERY = {
  attemptsPerRun: 3,
  maxAttempts: 6,
  baseDelayMs: 1000,
  pendingLeaseMs: MAX_FUNCTION_TIMEOUT_MS,
  functionTimeoutMs: MAX_FUNCTION_TIMEOUT_MS,
} as const;

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface DeliverDeps {
  ledger: SendLedger;
  mailer: Mailer;
  logger: JobLogger;
  now: () => number;
  delivery?: DeliverySettings;
}

export interface DeliverRequest {
  reportId: string;
  periodKey: string;
  revision: number;
  /** Normalized addresses. */
  recipients: readonly string[];
  email: Omit<OutgoingEmail, 'to'>;
  /** Recipients whose claim is taken whatever its state (an operator's resend). */
  force?: ReadonlySet<string>;
  /**
   * What differs per recipient (their own unsubscribe link in the body and List-Unsubscribe
   * header). Called before the claim, so a failure here sends nothing and claims nothing.
   * @default - everyone gets `email` as it is
   */
  personalize?: (to: string) => Partial<Pick<OutgoingEmail, 'html' | 'text' | 'list'>>;
}

export interface DeliverResult {
  /** What happened to each recipient this run tried. */
  deliveries: Delivery[];
  /** Ledger records of the recipients this run did not try (already sent, pending, failed…). */
  skipped: SendRecord[];
  /** Recipients left in `retry`: the next run sends to them (and only them). */
  retryable: string[];
  /**
   * The sends of the period (any revision) this run found `pending` past the lease and
   * recorded `unknown`: maybe sent, never re-sent automatically. `recipient` is the
   * position in `recipients` (1-based; null for someone no longer in the list).
   */
  unknown: { revision: number; recipient: number | null }[];
}

export async function deliverEach(
  deps: DeliverDeps,
  request: DeliverRequest,
): Promise<DeliverResult> {
  const settings = { ...DEFAULT_DELIVERY, ...deps.delivery };
  const sleep = deps.delivery?.sleep ?? wait;
  if (!(settings.pendingLeaseMs >= settings.functionTimeoutMs)) {
    throw new InvalidRequestError(
      `the pending lease (${settings.pendingLeaseMs} ms) is shorter than the function timeout (${settings.functionTimeoutMs} ms): a claim that young may belong to a run still sending; make it at least the timeout`,
    );
  }
  const result: DeliverResult = { deliveries: [], skipped: [], retryable: [], unknown: [] };
  // Claims of any revision of this period left by runs that stopped: record them first, so
  // the ledger says why those emails are missing.
  const expired = await deps.ledger.expirePending(
    request.reportId,
    request.periodKey,
    settings.pendingLeaseMs,
    new Date(deps.now()),
  );
  for (const record of expired) {
    const position = request.recipients.indexOf(normalizeRecipients([record.recipient])[0] ?? '');
    const where = {
      period: request.periodKey,
      revision: record.revision,
      recipient: position < 0 ? null : position + 1,
    };
    result.unknown.push({ revision: where.revision, recipient: where.recipient });
    // Recipients are personal data: logs name the position, not the address.
    deps.logger.error(
      'a send was claimed by a run that stopped before recording its outcome; recorded unknown, not re-sent',
      { ...where, claimedAt: record.claimedAt },
    );
  }
  for (const [index, to] of request.recipients.entries()) {
    const key = {
      reportId: request.reportId,
      periodKey: request.periodKey,
      revision: request.revision,
      recipient: to,
    };
    const personal = request.personalize?.(to) ?? {};
    const claim = await deps.ledger.claim(key, {
      force: request.force?.has(to) === true,
      now: new Date(deps.now()),
    });
    if (!claim.claimed) {
      result.skipped.push(claim.existing);
      continue;
    }
    // Recipients are personal data: logs name the position, not the address.
    const where = { period: request.periodKey, revision: request.revision, recipient: index + 1 };
    const left = Math.max(1, settings.maxAttempts - claim.attempts);
    const limit = Math.min(settings.attemptsPerRun, left);
    for (let tries = 1; ; tries++) {
      let messageId: string;
      try {
        ({ messageId } = await deps.mailer.send({ ...request.email, ...personal, to }));
      } catch (error) {
        assertIsError(error);
        if (error instanceof RecipientRejectedError) {
          result.deliveries.push({ to, status: 'rejected', error: error.message });
          await deps.ledger.complete(
            key,
            claim.token,
            { state: 'rejected', error: error.message },
            tries,
          );
          deps.logger.warn('a recipient was refused', { ...where, error: error.message });
          break;
        }
        if (error instanceof DeliveryUnknownError) {
          // Left pending on purpose: at most once beats at least once for an email.
          result.deliveries.push({ to, status: 'failed', error: error.message });
          deps.logger.error('the outcome of a send is unknown; not retrying', {
            ...where,
            error: error.message,
          });
          break;
        }
        if (tries < limit) {
          await sleep(settings.baseDelayMs * 2 ** (tries - 1));
          continue;
        }
        const total = claim.attempts + tries;
        if (total >= settings.maxAttempts) {
          const reason = `gave up after ${total} attempts: ${error.message}`;
          result.deliveries.push({ to, status: 'failed', error: reason });
          await deps.ledger.complete(key, claim.token, { state: 'failed', error: reason }, tries);
          deps.logger.error('gave up sending to a recipient', { ...where, error: reason });
        } else {
          result.deliveries.push({ to, status: 'failed', error: error.message });
          await deps.ledger.release(key, claim.token, error.message, tries);
          result.retryable.push(to);
          deps.logger.warn('sending to a recipient failed; the next run retries it', {
            ...where,
            attempts: total,
            error: error.message,
          });
        }
        break;
      }
      // Outside the try on purpose: a failure to record a sent email must never be taken
      // for a failed send and retried. It fails the run and leaves the claim pending.
      result.deliveries.push({ to, status: 'sent', messageId });
      const completed = await deps.ledger.complete(
        key,
        claim.token,
        { state: 'sent', messageId },
        tries,
        new Date(deps.now()),
      );
      if (!completed) {
        deps.logger.warn(
          'the send claim was taken over (a forced resend?) before completion',
          where,
        );
      }
      break;
    }
  }
  return result;
}
