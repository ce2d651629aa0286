/**
 * What the jobs (ingest a dropped file, recompute periods, send a report) need from the
 * outside world, as interfaces. The AWS adapters (functions/adapters) implement them over
 * S3, DynamoDB and SES; tests and the local runner can implement them in memory. Nothing
 * here knows about AWS.
 */
import type { Readable } from 'node:stream';
import type { Unit } from '../metrics/catalogue';
import type { ListHeaders } from '../report/links';
import type { MimeAttachment, MimeImage } from '../report/mime';
import type { Snapshot } from '../snapshot';

/** A stored snapshot and the version its conditional writes are checked against. */
export interface StoredSnapshot {
  snapshot: Snapshot;
  version: number;
  /** Hash of the metric settings the snapshot was computed with (see `configFingerprint`). */
  configHash?: string;
}

export interface SnapshotStore {
  get(reportId: string, periodKey: string): Promise<StoredSnapshot | undefined>;
  /**
   * Writes the snapshot if the stored version is still `expectedVersion` (`undefined`: no
   * snapshot stored yet) and returns the new version; throws a VersionConflictError when
   * another writer got there first.
   */
  put(
    snapshot: Snapshot,
    expectedVersion: number | undefined,
    options?: { configHash?: string },
  ): Promise<number>;
  /** Up to `count` snapshots, newest first, of periods up to and including `upToPeriodKey`. */
  listRecent(reportId: string, count: number, upToPeriodKey?: string): Promise<Snapshot[]>;
}

/** What happened to one recipient of a report email. */
export interface Delivery {
  to: string;
  status: 'sent' | 'rejected' | 'failed';
  messageId?: string;
  /** Plain-English reason when not sent. */
  error?: string;
}

/** One email: a report, a period, a revision of its numbers and one recipient. */
export interface SendKey {
  reportId: string;
  periodKey: string;
  /** 0 for the first email of the period, n for its n-th revised email. */
  revision: number;
  /** A normalized address (see `normalizeRecipients`). */
  recipient: string;
}

/**
 * - `pending`: claimed; the email may have gone out, the outcome was not recorded (a crash
 *   or an unknown SES outcome). Never sent again automatically.
 * - `sent`: SES accepted it.
 * - `retry`: every attempt so far was refused with an error worth retrying (nothing went
 *   out); the next run may claim it again.
 * - `failed`: gave up after the attempt limit; `error` says why.
 * - `rejected`: refused for good (bad address, unverified recipient); `error` says why.
 * - `unknown`: a claim found still `pending` after the lease (longer than any run can
 *   last): the run that claimed it stopped before recording the outcome. Whether the email
 *   went out is unknown, so it is never sent again automatically; `error` says so and how to
 *   re-send.
 */
export type SendState = 'pending' | 'sent' | 'retry' | 'failed' | 'rejected' | 'unknown';

/** Whether the recipient may hold the email: sent, or claimed with no outcome recorded. */
export function mayHaveBeenSent(state: SendState): boolean {
  return state === 'sent' || state === 'pending' || state === 'unknown';
}

export interface SendRecord extends SendKey {
  state: SendState;
  claimedAt: string;
  sentAt?: string;
  messageId?: string;
  /** The last refusal, when not sent. */
  error?: string;
  /** How many times the send was claimed (runs that tried it, forced ones included). */
  claims: number;
  /** How many times the email was handed to the mail provider. */
  attempts: number;
}

export type ClaimResult =
  | { claimed: true; token: string /** Provider attempts before this claim. */; attempts: number }
  | { claimed: false; existing: SendRecord };

/** A metric as an email showed it: enough to list it as "old → new" in a revised email. */
export interface SentMetric {
  value: number | null;
  unit: Unit;
}

/**
 * The numbers a revision of a period's email carries. Revision 0 is written with the first
 * send; a late file that changes them enough writes revision n+1, which is what the revised
 * emails are claimed under.
 */
export interface RevisionRecord {
  reportId: string;
  periodKey: string;
  revision: number;
  /** The snapshot version the numbers come from. */
  snapshotVersion: number;
  metrics: Record<string, SentMetric>;
  createdAt: string;
}

/**
 * The send ledger: one record per report, period, revision and recipient, claimed BEFORE
 * that email goes out. A second claim of the same key fails (unless it is in `retry`), so
 * a retried or repeated invocation never emails a recipient twice with the same numbers,
 * and a retry sends only to the recipients that did not get it yet.
 */
export interface SendLedger {
  /** `force` takes the claim whatever its state (an operator's deliberate resend). */
  claim(key: SendKey, options?: { force?: boolean; now?: Date }): Promise<ClaimResult>;
  /**
   * Records every send of the period (any revision) still `pending` `leaseMs` after its
   * claim as `unknown`, with the reason, each only if it is still that claim (an in-flight
   * send or a forced resend is never touched). Returns the records it changed.
   */
  expirePending(
    reportId: string,
    periodKey: string,
    leaseMs: number,
    now: Date,
  ): Promise<SendRecord[]>;
  /**
   * Records the outcome (`sent`, `rejected` or, past the attempt limit, `failed`) after
   * `attempts` more provider calls; only the holder of `token` can. Returns false when the
   * claim is no longer this token's (an operator forced a resend meanwhile).
   */
  complete(
    key: SendKey,
    token: string,
    outcome: { state: 'sent' | 'rejected' | 'failed'; messageId?: string; error?: string },
    attempts: number,
    now?: Date,
  ): Promise<boolean>;
  /**
   * Nothing went out after `attempts` more provider calls: keeps the count and the reason
   * and lets the next run claim it again (state `retry`).
   */
  release(key: SendKey, token: string, error: string, attempts: number): Promise<void>;
  /** Every send record of a period (any revision, any recipient). */
  sendsFor(reportId: string, periodKey: string): Promise<SendRecord[]>;
  /** The revisions of a period's numbers, oldest first. */
  revisions(reportId: string, periodKey: string): Promise<RevisionRecord[]>;
  /** Writes a revision unless one with its number exists; false when it does. */
  addRevision(record: RevisionRecord): Promise<boolean>;
}

export interface OutgoingEmail {
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  /** Inline images (the trend charts) the HTML refers to as `cid:<cid>`. */
  images: readonly MimeImage[];
  /** Files to download (the metrics CSV). @default - none */
  attachments?: readonly MimeAttachment[];
  /** List-Id and one-click List-Unsubscribe, per recipient. @default - none */
  list?: ListHeaders;
}

export interface Mailer {
  /**
   * Sends one email to one recipient and returns the provider's message id. Throws a
   * RecipientRejectedError when the provider refuses this recipient or message for good
   * (bad address, rejected content), a DeliveryUnknownError when the email may have gone
   * out anyway; any other error means it did not go out and may be worth retrying.
   */
  send(email: OutgoingEmail): Promise<{ messageId: string }>;
}

/** How a recipient unsubscribed: a mail client's one-click POST, or the page's button. */
export type UnsubscribeSource = 'one-click' | 'button';

/** One recipient who asked not to receive a report again. */
export interface Suppression {
  reportId: string;
  /** `recipientHash` of the normalized address: the list holds no address. */
  recipientHash: string;
  /** ISO time of the unsubscribe. */
  at: string;
  source: UnsubscribeSource;
}

/**
 * The recipients who unsubscribed from a report (stored, with an append-only audit trail:
 * functions/adapters/dynamodb.ts). The report job leaves them out before anything is claimed
 * or sent; an operator re-subscribes someone by deleting their entry.
 */
export interface SuppressionList {
  /** The hashes of every suppressed recipient of the report. */
  suppressed(reportId: string): Promise<ReadonlySet<string>>;
  /** Records an unsubscribe; `added: false` (and nothing written) when already recorded. */
  suppress(entry: Suppression): Promise<{ added: boolean; existing?: Suppression }>;
}

export interface ObjectInfo {
  etag: string;
  size: number;
}

/** The bucket, seen as keys and bytes. */
export interface ObjectStore {
  head(key: string): Promise<ObjectInfo | undefined>;
  /** The object's bytes; with `etag`, fails unless the object is still that version. */
  open(key: string, etag?: string): Promise<Readable>;
  /** Server-side copy; with `etag`, only if the source is still that version. */
  copy(fromKey: string, toKey: string, etag?: string): Promise<void>;
  put(key: string, body: string | Uint8Array | Readable, contentType: string): Promise<void>;
}

/** A small text object and the version (ETag) a conditional replace is checked against. */
export interface VersionedText {
  text: string;
  etag: string;
}

/**
 * Small text objects replaced read-modify-write (the report archive's index): a write names
 * the version it read, so two concurrent writers never lose each other's change.
 */
export interface VersionedTextStore {
  getText(key: string): Promise<VersionedText | undefined>;
  /**
   * Writes `text` only if the object is still version `etag` (`undefined`: only if there is
   * no object yet) and returns the new version; `undefined` when another writer changed it
   * first (nothing written).
   */
  putTextIfUnchanged(
    key: string,
    text: string,
    contentType: string,
    etag: string | undefined,
  ): Promise<string | undefined>;
  /** Writes `text` whatever is there. */
  putText(key: string, text: string, contentType: string): Promise<void>;
}

/** The subset of a structured logger the jobs use (Powertools Logger satisfies it). */
export interface JobLogger {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

export const silentLogger: JobLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

export class JobError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'JobError';
  }
}

/** Another writer stored a newer version of the snapshot first. */
export class VersionConflictError extends JobError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'VersionConflictError';
  }
}

/**
 * The mail provider may or may not have accepted the email (the connection failed after the
 * request went out): sending again could make a duplicate, so the claim stays `pending`.
 */
export class DeliveryUnknownError extends JobError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DeliveryUnknownError';
  }
}

/** The mail provider refused this recipient or message for good; retrying will not help. */
export class RecipientRejectedError extends JobError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RecipientRejectedError';
  }
}

/** An object changed or vanished between two steps (a newer upload superseded it). */
export class ObjectChangedError extends JobError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ObjectChangedError';
  }
}

/** A request the caller can fix (bad period, unknown report, no recipients …). */
export class InvalidRequestError extends JobError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InvalidRequestError';
  }
}

/** Narrows a caught value to an Error (anything thrown that is not one gets wrapped). */
export function assertIsError(value: unknown): asserts value is Error {
  if (!(value instanceof Error)) {
    throw new JobError(`non-error thrown: ${String(value)}`, { cause: value });
  }
}
