/**
 * Snapshots and the send ledger in one DynamoDB table (keys `pk`, `sk`, both strings):
 *
 * | item     | pk              | sk                                     |
 * |----------|-----------------|----------------------------------------|
 * | snapshot | `REPORT#<id>`   | `PERIOD#<period key>`                  |
 * | send     | `REPORT#<id>`   | `SEND#<period key>#<recipients sha256>` |
 *
 * One partition per report keeps a report's history one Query away (trend charts, the
 * sends of a period) and needs no index.
 */
import { randomUUID } from 'node:crypto';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  type ClaimResult,
  type Delivery,
  JobError,
  type SendLedger,
  type SendRecord,
  type SnapshotStore,
  type StoredSnapshot,
  VersionConflictError,
} from '../core/jobs/ports';
import { normalizeRecipients, recipientsHash } from '../core/jobs/recipients';
import type { Snapshot } from '../core/snapshot';

export const reportPk = (reportId: string) => `REPORT#${reportId}`;
export const snapshotSk = (periodKey: string) => `PERIOD#${periodKey}`;
export const sendSk = (periodKey: string, hash: string) => `SEND#${periodKey}#${hash}`;

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
 * The send ledger as conditional writes on the snapshots table.
 *
 * Why a conditional put and not Powertools idempotency: Powertools keys on a hash of the
 * invocation payload and caches the handler's result until a TTL expires. The schedule's
 * `{}` and an operator's `{ period: "2026-W44" }` are different payloads for the same
 * email, and an expired record would let a late retry send again. The ledger is keyed on
 * what makes a send unique — report, period, recipients — never expires, and is domain
 * data in its own right: it records who got which report when, with the message ids, and
 * tells the ingest job which periods were already sent (to mark them revised). It is one
 * `UpdateItem` with a condition, in a table we already have: fewer moving parts.
 *
 * Crash window: the claim is written (state `pending`) BEFORE the email goes out and
 * completed (state `sent`, message ids) after. A crash or timeout between SES accepting the
 * message and the completion leaves `pending`; a retry sees the claim and does not send
 * again. So a send is at most once per report, period and recipients — a crash can cost
 * one email (visible as a `pending` record older than the function timeout), never send a
 * duplicate. An operator who checked that the email did not arrive re-sends with
 * `force: true`. When SES refuses the whole send with an error worth retrying (throttling
 * after the SDK's own retries, a network failure) nothing went out, so the job releases
 * the claim before failing and the invocation's retry may send.
 */
export class DynamoDbSendLedger implements SendLedger {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  private key(reportId: string, periodKey: string, recipients: readonly string[]) {
    return { pk: reportPk(reportId), sk: sendSk(periodKey, recipientsHash(recipients)) };
  }

  async claim(
    reportId: string,
    periodKey: string,
    recipients: readonly string[],
    options: { force?: boolean; now?: Date } = {},
  ): Promise<ClaimResult> {
    const token = randomUUID();
    const key = this.key(reportId, periodKey, recipients);
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression:
            'SET #type = :type, reportId = :reportId, periodKey = :periodKey, recipientsHash = :hash, ' +
            'recipients = :recipients, #state = :pending, claimedAt = :now, claimToken = :token ' +
            'REMOVE sentAt, deliveries ADD attempts :one',
          ConditionExpression: options.force ? undefined : 'attribute_not_exists(pk)',
          ExpressionAttributeNames: { '#type': 'type', '#state': 'state' },
          ExpressionAttributeValues: {
            ':type': 'send',
            ':reportId': reportId,
            ':periodKey': periodKey,
            ':hash': recipientsHash(recipients),
            ':recipients': normalizeRecipients(recipients),
            ':pending': 'pending',
            ':now': (options.now ?? new Date()).toISOString(),
            ':token': token,
            ':one': 1,
          },
        }),
      );
      return { claimed: true, token };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const existing = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
    );
    if (!existing.Item) {
      // Released between our failed claim and this read: report it as taken anyway; the
      // caller's retry will find the slot free.
      throw new JobError(
        `the send of ${reportId} ${periodKey} is being claimed concurrently; retry`,
      );
    }
    return { claimed: false, existing: toRecord(existing.Item) };
  }

  async complete(
    reportId: string,
    periodKey: string,
    recipients: readonly string[],
    token: string,
    deliveries: readonly Delivery[],
    now: Date = new Date(),
  ): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(reportId, periodKey, recipients),
          UpdateExpression: 'SET #state = :sent, sentAt = :now, deliveries = :deliveries',
          ConditionExpression: 'claimToken = :token',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':sent': 'sent',
            ':now': now.toISOString(),
            ':deliveries': deliveries,
            ':token': token,
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async release(
    reportId: string,
    periodKey: string,
    recipients: readonly string[],
    token: string,
  ): Promise<void> {
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: this.key(reportId, periodKey, recipients),
          ConditionExpression: 'claimToken = :token AND #state = :pending',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':token': token, ':pending': 'pending' },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async sendsFor(reportId: string, periodKey: string): Promise<SendRecord[]> {
    const records: SendRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const response = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: {
            ':pk': reportPk(reportId),
            ':prefix': `SEND#${periodKey}#`,
          },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of response.Items ?? []) records.push(toRecord(item));
      startKey = response.LastEvaluatedKey;
    } while (startKey);
    return records;
  }
}

function toRecord(item: Record<string, unknown>): SendRecord {
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  return {
    reportId: text(item.reportId),
    periodKey: text(item.periodKey),
    recipientsHash: text(item.recipientsHash),
    recipients: Array.isArray(item.recipients) ? item.recipients.map(String) : [],
    state: item.state === 'sent' ? 'sent' : 'pending',
    claimedAt: text(item.claimedAt),
    sentAt: typeof item.sentAt === 'string' ? item.sentAt : undefined,
    deliveries: Array.isArray(item.deliveries) ? (item.deliveries as Delivery[]) : undefined,
    attempts: typeof item.attempts === 'number' ? item.attempts : 1,
  };
}
