/**
 * What the jobs (ingest a dropped file, recompute periods, send a report) need from the
 * outside world, as interfaces. The AWS adapters (functions/adapters) implement them over
 * S3, DynamoDB and SES; tests and the local runner can implement them in memory. Nothing
 * here knows about AWS.
 */
import type { Readable } from 'node:stream';
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

export interface SendRecord {
  reportId: string;
  periodKey: string;
  recipientsHash: string;
  recipients: string[];
  /** `pending`: claimed, email maybe sent, completion not recorded (see SendLedger). */
  state: 'pending' | 'sent';
  claimedAt: string;
  sentAt?: string;
  deliveries?: Delivery[];
  /** How many times the send was claimed (more than 1 only with `force`). */
  attempts: number;
}

export type ClaimResult =
  | { claimed: true; token: string }
  | { claimed: false; existing: SendRecord };

/**
 * The send ledger: one record per report, period and recipient set, claimed BEFORE the
 * email goes out. A second claim of the same triple fails, so a retried or repeated
 * invocation never emails twice (at most once per report, period and recipients).
 */
export interface SendLedger {
  /** `force` takes the claim even when a record exists (an operator's deliberate resend). */
  claim(
    reportId: string,
    periodKey: string,
    recipients: readonly string[],
    options?: { force?: boolean; now?: Date },
  ): Promise<ClaimResult>;
  /**
   * Records the outcome; only the holder of `token` can complete a claim. Returns false
   * when the claim is no longer this token's (an operator forced a resend meanwhile).
   */
  complete(
    reportId: string,
    periodKey: string,
    recipients: readonly string[],
    token: string,
    deliveries: readonly Delivery[],
    now?: Date,
  ): Promise<boolean>;
  /** Gives a claim back when nothing was sent, so a retry may send. */
  release(
    reportId: string,
    periodKey: string,
    recipients: readonly string[],
    token: string,
  ): Promise<void>;
  /** Every send record of a period (any recipients). */
  sendsFor(reportId: string, periodKey: string): Promise<SendRecord[]>;
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
}

export interface Mailer {
  /**
   * Sends one email to one recipient and returns the provider's message id. Throws a
   * RecipientRejectedError when the provider refuses this recipient or message for good
   * (bad address, rejected content); any other error may be worth retrying.
   */
  send(email: OutgoingEmail): Promise<{ messageId: string }>;
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
