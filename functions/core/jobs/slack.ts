/**
 * Post the report's summary to a Slack-compatible incoming webhook (config `slack`) after a
 * period's emails went out, at most once per report, period and revision.
 *
 * The post is claimed in the send ledger like an email, under the pseudo-recipient
 * `webhook:slack`, and goes through the same `deliverEach` (functions/core/jobs/deliver.ts):
 * a refusal worth retrying (a 5xx, 429, a refused connection) is retried with the same
 * backoff, left `retry` for the next run, and recorded `failed` after the attempt limit; a
 * permanent refusal (another 4xx: a revoked or wrong webhook) is recorded `rejected`; a
 * timeout leaves the claim `pending` (the message may have been posted, and a second post
 * is worse than none). Nothing here throws: a webhook never fails or holds up the email.
 *
 * The webhook URL is a credential. It is read from Secrets Manager when needed and never
 * logged, returned or put in an error: messages name the secret id instead.
 */
import type { SlackWebhook } from '../config';
import { type ReportDigest, slackMessage } from '../report/slack';
import { type DeliverySettings, deliverEach } from './deliver';
import {
  assertIsError,
  DeliveryUnknownError,
  type JobLogger,
  type Mailer,
  RecipientRejectedError,
  type SendLedger,
} from './ports';

/** The ledger's pseudo-recipient of the Slack post. */
export const SLACK_RECIPIENT = 'webhook:slack';

/** True for a ledger recipient that is a webhook, not an email address. */
export function isWebhookRecipient(recipient: string): boolean {
  return recipient.startsWith('webhook:');
}

/** @default 10 000 ms: Slack answers in well under a second. */
export const WEBHOOK_TIMEOUT_MS = 10_000;

export interface WebhookDeps {
  /** Reads a secret's string value by name or ARN (functions/adapters/secrets.ts). */
  readSecret(secretId: string): Promise<string>;
  /** @default - the global fetch */
  fetch?: typeof fetch;
  /** @default WEBHOOK_TIMEOUT_MS */
  timeoutMs?: number;
}

/** Connection errors raised before the request was sent: nothing was posted. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function errorCode(error: unknown): string | undefined {
  const cause =
    error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

/**
 * The webhook URL held by the secret. Plain http only to this machine (a local stand-in):
 * the message carries the report's numbers.
 */
function webhookUrl(value: string, secretId: string): URL {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new Error(`secret ${secretId} does not hold a URL`);
  }
  const local = url.hostname === '127.0.0.1' || url.hostname === 'localhost';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) {
    throw new Error(`secret ${secretId} holds a URL that is not https`);
  }
  return url;
}

/** One POST of the message; throws as a Mailer does (see `Mailer.send`). */
async function post(webhook: WebhookDeps, secretId: string, body: string): Promise<void> {
  let value: string;
  try {
    value = await webhook.readSecret(secretId);
  } catch (error) {
    assertIsError(error);
    // An SDK message names the secret and the role, never its value.
    throw new Error(`could not read secret ${secretId}: ${error.name}: ${error.message}`);
  }
  const url = webhookUrl(value, secretId);
  const timeoutMs = webhook.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
  let response: Response;
  try {
    response = await (webhook.fetch ?? fetch)(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body,
      // A webhook answers; it does not send a POST elsewhere.
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    // Neither the URL nor the error's own message (which may quote the host) is repeated.
    const code = errorCode(error);
    if (code && NOT_SENT_CODES.has(code)) {
      throw new Error(`the webhook of secret ${secretId} could not be reached (${code})`);
    }
    const name = error instanceof Error ? error.name : 'error';
    throw new DeliveryUnknownError(
      name === 'TimeoutError'
        ? `the webhook of secret ${secretId} did not answer within ${timeoutMs} ms; it may have posted, so it is not posted again`
        : `the connection to the webhook of secret ${secretId} failed (${code ?? name}); it may have posted, so it is not posted again`,
    );
  }
  // Slack answers errors with a short code (`invalid_payload`, `no_service`); anything
  // longer or odder is not repeated.
  const answer = (await response.text().catch(() => '')).trim();
  const reason = /^[a-z_]{1,64}$/.test(answer) ? ` ${answer}` : '';
  if (response.ok) return;
  const status = `the webhook of secret ${secretId} answered HTTP ${response.status}${reason}`;
  if (response.status === 429 || response.status >= 500) throw new Error(status);
  throw new RecipientRejectedError(status);
}

export interface SlackPostDeps {
  ledger: SendLedger;
  logger: JobLogger;
  now: () => number;
  delivery?: DeliverySettings;
  webhook?: WebhookDeps;
}

export type SlackPostOutcome = 'posted' | 'already' | 'failed' | 'not-configured';

/**
 * Posts the digest's message once for its report, period and revision. Resolves with what
 * happened; never rejects (every failure is logged and, where it reached the ledger,
 * recorded there).
 */
export async function postSlackSummary(
  deps: SlackPostDeps,
  slack: SlackWebhook,
  report: { reportId: string; digest: ReportDigest; archiveUrl?: string },
): Promise<SlackPostOutcome> {
  const { logger } = deps;
  const { digest } = report;
  const where = {
    period: digest.periodKey,
    revision: digest.revision,
    secret: slack.webhookSecret,
  };
  const webhook = deps.webhook;
  if (!webhook) {
    logger.warn('slack is configured but this run cannot read secrets; not posting', where);
    return 'not-configured';
  }
  const body = JSON.stringify(slackMessage(digest, report.archiveUrl));
  const mailer: Mailer = {
    send: async () => {
      await post(webhook, slack.webhookSecret, body);
      return { messageId: SLACK_RECIPIENT };
    },
  };
  try {
    const outcome = await deliverEach(
      { ledger: deps.ledger, mailer, logger, now: deps.now, delivery: deps.delivery },
      {
        reportId: report.reportId,
        periodKey: digest.periodKey,
        revision: digest.revision,
        recipients: [SLACK_RECIPIENT],
        // The ledger's claim and outcome are what is used; the "email" is the posted body.
        email: { from: '', subject: '', html: '', text: body, images: [] },
      },
    );
    const delivery = outcome.deliveries[0];
    if (!delivery) {
      logger.debug('the slack summary was already posted (or given up on)', {
        ...where,
        state: outcome.skipped[0]?.state,
      });
      return 'already';
    }
    if (delivery.status === 'sent') {
      logger.info('posted the slack summary', where);
      return 'posted';
    }
    logger.warn('the slack summary was not posted', { ...where, error: delivery.error });
    return 'failed';
  } catch (error) {
    // The ledger itself failed: the email is out whatever happens here.
    assertIsError(error);
    logger.error('could not post the slack summary', { ...where, error: error.message });
    return 'failed';
  }
}
