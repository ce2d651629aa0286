/**
 * The report email through SES v1 `SendRawEmail` (raw MIME: HTML, a text alternative and
 * the trend charts as inline images referenced by `cid:`).
 *
 * One message per recipient: a bad address makes SES refuse the whole request with
 * MessageRejected, so one typo in a list of five would otherwise stop all five. Alone, it
 * costs only its own delivery, and each recipient gets their own outcome and message id.
 */
import { type SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import {
  DeliveryUnknownError,
  JobError,
  type Mailer,
  type OutgoingEmail,
  RecipientRejectedError,
} from '../core/jobs/ports';
import { emailAddressProblem } from '../core/report/address';
import { buildMimeMessage } from '../core/report/mime';

/** Builds the raw MIME text of one email. */
export type MimeBuilder = (email: OutgoingEmail) => string;

export const buildMime: MimeBuilder = (email) =>
  buildMimeMessage({
    from: email.from,
    to: [email.to],
    subject: email.subject,
    html: email.html,
    text: email.text,
    images: [...email.images],
    attachments: [...(email.attachments ?? [])],
    list: email.list,
  });

/**
 * SES errors that no retry can fix, so they are reported per recipient: the message or
 * recipient is refused, or the sender is not allowed to send.
 */
const PERMANENT_ERRORS = new Set([
  'MessageRejected',
  'MailFromDomainNotVerifiedException',
  'ConfigurationSetDoesNotExistException',
  'ConfigurationSetSendingPausedException',
  'AccountSendingPausedException',
  'InvalidParameterValue',
]);

export class SesMailer implements Mailer {
  constructor(
    private readonly ses: SESClient,
    private readonly toMime: MimeBuilder = buildMime,
  ) {}

  async send(email: OutgoingEmail): Promise<{ messageId: string }> {
    // The SES stand-in accepts any string as an address and real SES answers a malformed
    // one with a terse error; checking here gives every environment the same clear reason.
    const senderProblem = emailAddressProblem(email.from);
    if (senderProblem) {
      throw new JobError(
        `the sender ${JSON.stringify(email.from)} is not a valid email address: ${senderProblem}`,
      );
    }
    const recipientProblem = emailAddressProblem(email.to);
    if (recipientProblem) {
      throw new RecipientRejectedError(
        `${JSON.stringify(email.to)} is not a valid email address: ${recipientProblem}`,
      );
    }
    const mime = this.toMime(email);
    try {
      const response = await this.ses.send(
        new SendRawEmailCommand({
          Source: email.from,
          Destinations: [email.to],
          RawMessage: { Data: Buffer.from(mime, 'utf8') },
        }),
      );
      if (!response.MessageId) throw new JobError(`SES returned no message id for ${email.to}`);
      return { messageId: response.MessageId };
    } catch (error) {
      if (error instanceof Error && PERMANENT_ERRORS.has(error.name)) {
        throw new RecipientRejectedError(
          `SES refused the email to ${email.to} (${error.name}): ${error.message}`,
          { cause: error },
        );
      }
      if (outcomeUnknown(error)) {
        throw new DeliveryUnknownError(
          `the email to ${email.to} may or may not have been accepted by SES: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error },
        );
      }
      throw error;
    }
  }
}

/** Connection errors raised before a request can have reached SES. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * Whether SES may have accepted a request that failed: it did not answer with an error
 * status (a timeout or a reset connection after the request went out). Retrying then could
 * send the email twice, so the job keeps the claim instead.
 */
function outcomeUnknown(error: unknown): boolean {
  if (!(error instanceof Error)) return true;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (typeof status === 'number' && status >= 400) return false;
  const code = (error as { code?: unknown }).code;
  return !(typeof code === 'string' && NOT_SENT_CODES.has(code));
}
