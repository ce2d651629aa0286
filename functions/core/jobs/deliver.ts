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
 * could duplicate the email.
 */
import {
  assertIsError,
  type Delivery,
  DeliveryUnknownError,
  type JobLogger,
  type Mailer,
  type OutgoingEmail,
  RecipientRejectedError,
  type SendLedger,
  type SendRecord,
} from './ports';

export interface DeliverySettings {
  /** Provider calls per recipient in one run. @default 3 */
  readonly attemptsPerRun?: number;
  /** Provider calls per recipient and revision over all runs, then `failed`. @default 6 */
  readonly maxAttempts?: number;
  /** The wait before the n-th retry of a run is `baseDelayMs × 2^(n−1)`. @default 1000 */
  readonly baseDelayMs?: number;
  /** @default - setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_DELIVERY = { attemptsPerRun: 3, maxAttempts: 6, baseDelayMs: 1000 } as const;

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
}

export interface DeliverResult {
  /** What happened to each recipient this run tried. */
  deliveries: Delivery[];
  /** Ledger records of the recipients this run did not try (already sent, pending, failed…). */
  skipped: SendRecord[];
  /** Recipients left in `retry`: the next run sends to them (and only them). */
  retryable: string[];
}

export async function deliverEach(
  deps: DeliverDeps,
  request: DeliverRequest,
): Promise<DeliverResult> {
  const settings = { ...DEFAULT_DELIVERY, ...deps.delivery };
  const sleep = deps.delivery?.sleep ?? wait;
  const result: DeliverResult = { deliveries: [], skipped: [], retryable: [] };
  for (const [index, to] of request.recipients.entries()) {
    const key = {
      reportId: request.reportId,
      periodKey: request.periodKey,
      revision: request.revision,
      recipient: to,
    };
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
        ({ messageId } = await deps.mailer.send({ ...request.email, to }));
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
