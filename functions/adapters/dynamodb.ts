/**
 * Snapshots and the send ledger in one DynamoDB table (keys `pk`, `sk`, both strings):
 *
 * | item     | pk            | sk                                                   |
 * |----------|---------------|------------------------------------------------------|
 * | snapshot | `REPORT#<id>` | `PERIOD#<period key>`                                |
 * | send     | `REPORT#<id>` | `SEND#<period key>#<revision, 4 digits>#<recipient sha256>` |
 * | revision | `REPORT#<id>` | `REVISION#<period key>#<revision, 4 digits>`         |
 * | suppressed | `REPORT#<id>` | `SUPPRESS#<recipient sha256>`                      |
 * | audit    | `REPORT#<id>` | `AUDIT#<ISO time>#<recipient sha256>`                |
 *
 * One partition per report keeps a report's history one Query away (trend charts, the
 * sends of a period) and needs no index.
 */
import { randomUUID } from 'node:crypto';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Suppression, SuppressionList, UnsubscribeSource } from '../core/jobs/ports';
import {
  type ClaimResult,
  JobError,
  type RevisionRecord,
  type SendKey,
  type SendLedger,
  type SendRecord,
  type SendState,
  type SnapshotStore,
  type StoredSnapshot,
  VersionConflictError,
} from '../core/jobs/ports';
import { normalizeRecipients, recipientHash } from '../core/jobs/recipients';
import type { Snapshot } from '../core/snapshot';

export const reportPk = (reportId: string) => `REPORT#${reportId}`;
export const snapshotSk = (periodKey: string) => `PERIOD#${periodKey}`;
const revisionDigits = (revision: number) => String(revision).padStart(4, '0');
/** The recipient's address is hashed: an address may hold `#`, and keys end up in logs. */
export const sendSk = (key: Omit<SendKey, 'reportId'>) =>
  `SEND#${key.periodKey}#${revisionDigits(key.revision)}#${recipientHash(key.recipient)}`;
export const revisionSk = (periodKey: string, revision: number) =>
  `REVISION#${periodKey}#${revisionDigits(revision)}`;

/**
 * DynamoDB's item limit is 400 KB. A snapshot is a few kilobytes (metrics, breakdowns, a
 * short at-risk list); this margin leaves room for the other attributes and turns an
 * unexpectedly large one into a clear error instead of a ValidationException.
 */
export const MAX_SNAPSHOT_BYTES = 350_000;

function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/**
 * The snapshot is stored as its JSON text: it round-trips exactly (a DynamoDB map drops
 * `undefined`, turns empty sets awkward and cannot hold nested `null` breakdown values
 * without care), and nobody queries inside it. The attributes a person browsing the table
 * wants (`version`, `computedAt`, `inputFiles`, `revised`) sit next to it.
 */
export class DynamoDbSnapshotStore implements SnapshotStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  async get(reportId: string, periodKey: string): Promise<StoredSnapshot | undefined> {
    const response = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: reportPk(reportId), sk: snapshotSk(periodKey) },
        ConsistentRead: true,
      }),
    );
    return response.Item ? fromItem(response.Item) : undefined;
  }

  async put(
    snapshot: Snapshot,
    expectedVersion: number | undefined,
    options: { configHash?: string } = {},
  ): Promise<number> {
    const version = (expectedVersion ?? 0) + 1;
    const { version: _ignored, ...body } = snapshot;
    const json = JSON.stringify(body);
    const bytes = Buffer.byteLength(json);
    if (bytes > MAX_SNAPSHOT_BYTES) {
      throw new JobError(
        `the snapshot of ${snapshot.reportId} ${snapshot.period.key} is ${bytes} bytes, over the ${MAX_SNAPSHOT_BYTES}-byte limit of one DynamoDB item; lower email.atRiskListSize or the number of breakdown values`,
      );
    }
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: reportPk(snapshot.reportId),
            sk: snapshotSk(snapshot.period.key),
            type: 'snapshot',
            reportId: snapshot.reportId,
            periodKey: snapshot.period.key,
            periodKind: snapshot.period.kind,
            version,
            computedAt: snapshot.computedAt,
            inputFiles: snapshot.inputFiles,
            revised: snapshot.revised === true ? true : undefined,
            configHash: options.configHash,
            snapshot: json,
          },
          // The version check is what makes concurrent recomputes safe: each writer read
          // version n before listing the exports, and only one of them can turn n into n+1.
          // The loser re-reads and recomputes from a listing that includes the winner's files.
          ConditionExpression:
            expectedVersion === undefined ? 'attribute_not_exists(pk)' : 'version = :expected',
          ExpressionAttributeValues:
            expectedVersion === undefined ? undefined : { ':expected': expectedVersion },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) {
        throw new VersionConflictError(
          `the snapshot of ${snapshot.reportId} ${snapshot.period.key} changed since version ${expectedVersion ?? '(none)'} was read`,
          { cause: error },
        );
      }
      throw error;
    }
    return version;
  }

  async listRecent(reportId: string, count: number, upToPeriodKey?: string): Promise<Snapshot[]> {
    if (count <= 0) return [];
    // Keys of other period kinds sort in between (`2026-11` < `2026-Q4` < `2026-W44`), so
    // the kind is filtered explicitly when a period bounds the range.
    const kind = upToPeriodKey ? kindOfKey(upToPeriodKey) : undefined;
    const snapshots: Snapshot[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const response = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lo AND :hi',
          FilterExpression: kind ? 'periodKind = :kind' : undefined,
          ExpressionAttributeValues: {
            ':pk': reportPk(reportId),
            ':lo': 'PERIOD#',
            ':hi': upToPeriodKey ? snapshotSk(upToPeriodKey) : 'PERIOD#\uffff',
            ...(kind ? { ':kind': kind } : {}),
          },
          ScanIndexForward: false,
          // An ingest reads the stored periods to find the ones a new dataset makes stale.
          ConsistentRead: true,
          Limit: count,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of response.Items ?? []) {
        snapshots.push(fromItem(item).snapshot);
        if (snapshots.length === count) return snapshots;
      }
      startKey = response.LastEvaluatedKey;
    } while (startKey);
    return snapshots;
  }
}

function kindOfKey(key: string): 'week' | 'month' | 'quarter' {
  if (/^\d{4}-W\d{2}$/.test(key)) return 'week';
  if (/^\d{4}-Q\d$/.test(key)) return 'quarter';
  return 'month';
}

function fromItem(item: Record<string, unknown>): StoredSnapshot {
  if (typeof item.snapshot !== 'string' || typeof item.version !== 'number') {
    throw new JobError(`snapshot item ${String(item.pk)} ${String(item.sk)} is malformed`);
  }
  const snapshot = JSON.parse(item.snapshot) as Snapshot;
  snapshot.version = item.version;
  return {
    snapshot,
    version: item.version,
    configHash: typeof item.configHash === 'string' ? item.configHash : undefined,
  };
}

/**
 * The send ledger as conditional writes on the snapshots table: one item per report,
 * period, revision and recipient.
 *
 * Why a conditional write and not Powertools idempotency: Powertools keys on a hash of the
 * invocation payload and caches the handler's result until a TTL expires. The schedule's
 * `{}` and an operator's `{ period: "2026-W44" }` are different payloads for the same
 * email, and an expired record would let a late retry send again. The ledger is keyed on
 * what makes an email unique — report, period, revision of its numbers, recipient — never
 * expires, and is domain data in its own right: who got which numbers when, with the
 * message ids, and which periods were already sent (to mark and re-send them revised).
 *
 * Crash window: each recipient's claim is written (state `pending`) BEFORE their email goes
 * out and completed (`sent`, message id) after. A crash or timeout between SES accepting the
 * message and the completion leaves `pending`, and no later run claims a `pending` item, so
 * an email goes out at most once per recipient and revision — a crash can cost one email,
 * never a duplicate. The next run of the period records such a record, once older than the
 * lease, as `unknown` with the reason (`expirePending`), so the loss is explained rather
 * than silent; it is still never re-sent automatically. When
 * SES refuses with an error worth retrying nothing went out: the item goes to `retry` with
 * the attempt count and reason, and the next run may claim it again, for that recipient
 * alone; past the attempt limit it is recorded `failed`. An operator re-sends to named
 * recipients with `force`, which takes the claim whatever its state.
 */
export class DynamoDbSendLedger implements SendLedger {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  private key(key: SendKey) {
    return {
      pk: reportPk(key.reportId),
      sk: sendSk({ ...key, recipient: normalizeRecipients([key.recipient])[0] ?? '' }),
    };
  }

  async claim(key: SendKey, options: { force?: boolean; now?: Date } = {}): Promise<ClaimResult> {
    const token = randomUUID();
    const itemKey = this.key(key);
    try {
      const response = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: itemKey,
          UpdateExpression:
            'SET #type = :type, reportId = :reportId, periodKey = :periodKey, revision = :revision, ' +
            'recipient = :recipient, #state = :pending, claimedAt = :now, claimToken = :token ' +
            'REMOVE sentAt, messageId ADD claims :one',
          // A `retry` item is free to claim: its last attempt was refused, nothing went out.
          ConditionExpression: options.force
            ? undefined
            : 'attribute_not_exists(pk) OR #state = :retry',
          ExpressionAttributeNames: { '#type': 'type', '#state': 'state' },
          ExpressionAttributeValues: {
            ':type': 'send',
            ':reportId': key.reportId,
            ':periodKey': key.periodKey,
            ':revision': key.revision,
            ':recipient': normalizeRecipients([key.recipient])[0] ?? '',
            ':pending': 'pending',
            ':now': (options.now ?? new Date()).toISOString(),
            ':token': token,
            ':one': 1,
            ...(options.force ? {} : { ':retry': 'retry' }),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      const attempts = response.Attributes?.attempts;
      return { claimed: true, token, attempts: typeof attempts === 'number' ? attempts : 0 };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const existing = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: itemKey, ConsistentRead: true }),
    );
    if (!existing.Item) {
      throw new JobError(
        `the send of ${key.reportId} ${key.periodKey} is being claimed concurrently; retry`,
      );
    }
    return { claimed: false, existing: toRecord(existing.Item) };
  }

  async expirePending(
    reportId: string,
    periodKey: string,
    leaseMs: number,
    now: Date,
  ): Promise<SendRecord[]> {
    const items = await this.queryPrefix(reportId, `SEND#${periodKey}#`);
    const expired: SendRecord[] = [];
    for (const item of items) {
      const record = toRecord(item);
      const claimedAt = Date.parse(record.claimedAt);
      if (record.state !== 'pending' || typeof item.claimToken !== 'string') continue;
      if (!Number.isFinite(claimedAt) || now.getTime() - claimedAt < leaseMs) continue;
      const done = await this.expire(record, item.claimToken, leaseMs, now);
      if (done) expired.push(done);
    }
    return expired;
  }

  /**
   * Records a claim left `pending` past the lease as `unknown`: the run that claimed it
   * stopped before recording the outcome (no run lasts as long as the lease). Conditional on
   * the claim token it was read with, so a claim taken meanwhile (a forced resend) and an
   * outcome recorded meanwhile are left alone.
   */
  private async expire(
    record: SendRecord,
    claimToken: string,
    leaseMs: number,
    now: Date,
  ): Promise<SendRecord | undefined> {
    const minutes = Math.round(leaseMs / 60_000);
    const reason =
      `the run stopped after claiming this send (${record.claimedAt}) and before recording its outcome, over ${minutes} minutes ago; ` +
      'whether the email went out is unknown, so it is not re-sent (at most once); ' +
      `after checking the inbox, re-send with {"period":"${record.periodKey}","force":true,"recipients":["${record.recipient}"]}`;
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(record),
          UpdateExpression: 'SET #state = :unknown, #error = :error, expiredAt = :now',
          ConditionExpression: 'claimToken = :token AND #state = :pending',
          ExpressionAttributeNames: { '#state': 'state', '#error': 'error' },
          ExpressionAttributeValues: {
            ':unknown': 'unknown',
            ':error': reason,
            ':now': now.toISOString(),
            ':token': claimToken,
            ':pending': 'pending',
          },
        }),
      );
    } catch (error) {
      // Completed or taken over since it was read: not this claim any more.
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
    return { ...record, state: 'unknown', error: reason };
  }

  async complete(
    key: SendKey,
    token: string,
    outcome: { state: 'sent' | 'rejected' | 'failed'; messageId?: string; error?: string },
    attempts: number,
    now: Date = new Date(),
  ): Promise<boolean> {
    const sent = outcome.state === 'sent';
    const values: Record<string, unknown> = {
      ':state': outcome.state,
      ':token': token,
      ':attempts': attempts,
    };
    const sets = ['#state = :state'];
    const removes: string[] = [];
    if (sent) {
      sets.push('sentAt = :now');
      values[':now'] = now.toISOString();
      removes.push('#error');
    } else {
      sets.push('#error = :error');
      values[':error'] = outcome.error ?? 'not sent';
    }
    if (outcome.messageId !== undefined) {
      sets.push('messageId = :messageId');
      values[':messageId'] = outcome.messageId;
    }
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(key),
          UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''} ADD attempts :attempts`,
          ConditionExpression: 'claimToken = :token',
          ExpressionAttributeNames: { '#state': 'state', '#error': 'error' },
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async release(key: SendKey, token: string, reason: string, attempts: number): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(key),
          UpdateExpression: 'SET #state = :retry, #error = :error ADD attempts :attempts',
          // Only our own pending claim: a forced resend that took it over keeps it.
          ConditionExpression: 'claimToken = :token AND #state = :pending',
          ExpressionAttributeNames: { '#state': 'state', '#error': 'error' },
          ExpressionAttributeValues: {
            ':retry': 'retry',
            ':error': reason,
            ':attempts': attempts,
            ':token': token,
            ':pending': 'pending',
          },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async sendsFor(reportId: string, periodKey: string): Promise<SendRecord[]> {
    const items = await this.queryPrefix(reportId, `SEND#${periodKey}#`);
    return items.map(toRecord);
  }

  async revisions(reportId: string, periodKey: string): Promise<RevisionRecord[]> {
    const items = await this.queryPrefix(reportId, `REVISION#${periodKey}#`);
    return items.map(toRevision);
  }

  async addRevision(record: RevisionRecord): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: reportPk(record.reportId),
            sk: revisionSk(record.periodKey, record.revision),
            type: 'revision',
            reportId: record.reportId,
            periodKey: record.periodKey,
            revision: record.revision,
            snapshotVersion: record.snapshotVersion,
            createdAt: record.createdAt,
            // JSON text, like the snapshot: null values round-trip exactly.
            metrics: JSON.stringify(record.metrics),
          },
          // Two ingests revising the same period at once: one writes revision n, the other
          // re-reads and compares against it.
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  private async queryPrefix(reportId: string, prefix: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const response = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': reportPk(reportId), ':prefix': prefix },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(response.Items ?? []));
      startKey = response.LastEvaluatedKey;
    } while (startKey);
    return items;
  }
}

const SEND_STATES: readonly SendState[] = [
  'pending',
  'sent',
  'retry',
  'failed',
  'rejected',
  'unknown',
];

function toRecord(item: Record<string, unknown>): SendRecord {
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  const optional = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const count = (value: unknown, fallback: number) =>
    typeof value === 'number' ? value : fallback;
  const state = SEND_STATES.find((s) => s === item.state) ?? 'pending';
  return {
    reportId: text(item.reportId),
    periodKey: text(item.periodKey),
    revision: count(item.revision, 0),
    recipient: text(item.recipient),
    state,
    claimedAt: text(item.claimedAt),
    sentAt: optional(item.sentAt),
    messageId: optional(item.messageId),
    error: optional(item.error),
    claims: count(item.claims, 1),
    attempts: count(item.attempts, 0),
  };
}

function toRevision(item: Record<string, unknown>): RevisionRecord {
  if (typeof item.metrics !== 'string' || typeof item.revision !== 'number') {
    throw new JobError(`revision item ${String(item.pk)} ${String(item.sk)} is malformed`);
  }
  return {
    reportId: String(item.reportId),
    periodKey: String(item.periodKey),
    revision: item.revision,
    snapshotVersion: typeof item.snapshotVersion === 'number' ? item.snapshotVersion : 0,
    metrics: JSON.parse(item.metrics) as RevisionRecord['metrics'],
    createdAt: String(item.createdAt),
  };
}

// ---------------------------------------------------------------------------------------
// Suppression list: recipients who unsubscribed, and the audit trail of unsubscribes
// ---------------------------------------------------------------------------------------

export const suppressSk = (hash: string) => `SUPPRESS#${hash}`;
export const auditSk = (at: string, hash: string) => `AUDIT#${at}#${hash}`;

const UNSUBSCRIBE_SOURCES: readonly UnsubscribeSource[] = ['one-click', 'button'];

/**
 * One `SUPPRESS#<hash>` item per unsubscribed recipient of a report (when and how), and an
 * append-only `AUDIT#<time>#<hash>` item per change, in the report's partition: the report
 * job reads the whole list with one Query before it sends.
 *
 * The suppression is written first and conditionally (`attribute_not_exists`), so a second
 * click, a mail client's retried one-click POST or two clicks at once change nothing and
 * write no second audit item. The audit item follows; a crash between the two leaves the
 * suppression (what matters to the recipient) and its own `at`/`source`, without the audit
 * line. Items hold the hash only, never the address: an operator finds someone by hashing
 * their normalized address (README: "Unsubscribe and archive links").
 */
export class DynamoDbSuppressionList implements SuppressionList {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  async suppressed(reportId: string): Promise<ReadonlySet<string>> {
    const hashes = new Set<string>();
    let startKey: Record<string, unknown> | undefined;
    do {
      const response = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': reportPk(reportId), ':prefix': 'SUPPRESS#' },
          ProjectionExpression: 'recipientHash',
          // An unsubscribe a moment before the scheduled run must be seen by it.
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of response.Items ?? []) {
        if (typeof item.recipientHash === 'string') hashes.add(item.recipientHash);
      }
      startKey = response.LastEvaluatedKey;
    } while (startKey);
    return hashes;
  }

  async suppress(entry: Suppression): Promise<{ added: boolean; existing?: Suppression }> {
    const pk = reportPk(entry.reportId);
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk,
            sk: suppressSk(entry.recipientHash),
            type: 'suppression',
            reportId: entry.reportId,
            recipientHash: entry.recipientHash,
            at: entry.at,
            source: entry.source,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const existing = await this.db.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { pk, sk: suppressSk(entry.recipientHash) },
          ConsistentRead: true,
        }),
      );
      return { added: false, existing: existing.Item ? toSuppression(existing.Item) : undefined };
    }
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk,
          sk: auditSk(entry.at, entry.recipientHash),
          type: 'audit',
          action: 'unsubscribed',
          reportId: entry.reportId,
          recipientHash: entry.recipientHash,
          at: entry.at,
          source: entry.source,
        },
        // Append-only: an audit line is never overwritten.
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return { added: true };
  }
}

function toSuppression(item: Record<string, unknown>): Suppression {
  return {
    reportId: String(item.reportId),
    recipientHash: String(item.recipientHash),
    at: String(item.at),
    source: UNSUBSCRIBE_SOURCES.find((s) => s === item.source) ?? 'button',
  };
}
