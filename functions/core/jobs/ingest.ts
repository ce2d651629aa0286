/**
 * Ingest one file dropped into `incoming/<dataset>/<name>`:
 *
 * 1. validate it (every row through the dataset's rules, in DuckDB), collecting the
 *    rejected rows in a temporary file and the earliest and latest instant of the rest;
 * 2. copy it, as it arrived, to `exports/<dataset>/<name>` — the first write of the job,
 *    conditional on the ETag that was validated;
 * 3. write its rejected rows to `rejected/<dataset>/<name>.rejected.jsonl`;
 * 4. recompute every closed period its rows fall in (see `periodsTouched`), and every stored
 *    one when it is the first file of its dataset (see `datasetChanges` in recompute.ts).
 *
 * A file that cannot be read as its dataset at all (a required column missing, corrupt
 * gzip, an unknown dataset folder, an unsupported extension) is copied to
 * `rejected/<dataset>/<name>` with `<name>.error.json` holding the reason, and never
 * reaches `exports/`.
 *
 * The dropped object itself is never modified or deleted: `incoming/` keeps what the user
 * sent (a bucket lifecycle rule can expire it), and a later drop under the same name
 * simply replaces the export — that is how a corrected export is sent.
 */
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { DatasetName, type ReportConfig } from '../config';
import { DatasetError } from '../datasets/errors';
import { type ValidatedExport, validateExport } from '../engine';
import type { RejectedRow } from '../sources';
import { lastCompletePeriod, type Period, periodContaining, shiftPeriod } from '../time/periods';
import { type JobLogger, ObjectChangedError, type ObjectStore, silentLogger } from './ports';
import { type RecomputeDeps, recomputePeriods } from './recompute';

export const INCOMING_PREFIX = 'incoming/';
export const EXPORTS_PREFIX = 'exports/';
export const REJECTED_PREFIX = 'rejected/';
/** Two years of weeks: a file spanning more recomputes only the most recent periods. */
export const MAX_PERIODS_PER_FILE = 104;

export interface IngestDeps extends RecomputeDeps {
  /**
   * Every report of the deployment: the file's periods are recomputed for each, in its own
   * period kind, time zone and filter. `config` (the first) validates the file: the
   * reports share its currency and column mapping (infra/config.ts checks it).
   * @default - `[config]`
   */
  reports?: readonly ReportConfig[];
  objects: ObjectStore;
  logger?: JobLogger;
  /** @default - Date.now */
  now?: () => number;
}

export type IngestOutcome =
  | {
      status: 'accepted';
      key: string;
      dataset: DatasetName;
      exportKey: string;
      rowsRead: number;
      rowsAccepted: number;
      rowsRejected: number;
      rejectedKey?: string;
      /** Closed periods the file touches, oldest first (of the first report). */
      periods: string[];
      /** Of those, the ones recomputed (the rest were already up to date). */
      recomputed: string[];
      /** The same for every report of the deployment, the first one first. */
      reports: ReportPeriods[];
    }
  | {
      status: 'rejected';
      key: string;
      reason: string;
      rejectedKey: string;
      errorKey: string;
    }
  | { status: 'skipped'; key: string; reason: string };

/** The periods of one report a file touched, and those recomputed. */
export interface ReportPeriods {
  reportId: string;
  periods: string[];
  recomputed: string[];
}

/**
 * The largest gap between two UTC offsets in use (UTC−12 to UTC+14). The file is read in
 * the first report's time zone; a time without an offset is that zone's wall time, which
 * in another report's zone is an instant up to this much earlier or later.
 */
const MAX_ZONE_GAP_MS = 26 * 60 * 60 * 1000;

/** Where a key under `incoming/` goes; `dataset` is null when the folder is not a dataset. */
export function parseIncomingKey(
  key: string,
): { dataset: DatasetName | null; folder: string; name: string } | null {
  if (!key.startsWith(INCOMING_PREFIX) || key.endsWith('/')) return null;
  const rest = key.slice(INCOMING_PREFIX.length);
  const slash = rest.indexOf('/');
  if (slash < 0) return { dataset: null, folder: '_unsorted', name: rest };
  const folder = rest.slice(0, slash);
  const name = rest.slice(slash + 1);
  const dataset = DatasetName.safeParse(folder);
  return { dataset: dataset.success ? dataset.data : null, folder, name };
}

/**
 * The closed periods a file's accepted rows can change, oldest first, at most
 * `MAX_PERIODS_PER_FILE` (the most recent ones).
 *
 * From the period holding the earliest instant in the file to the one holding the latest —
 * or to the last closed period for `subscriptions` and `orders`: an open subscription keeps
 * a customer active in every later period, and an order counts in every later period's
 * historic CLV (and, in orders mode, in activity for `activeWindowDays`). Periods older than
 * the cap are recomputed when a report or backfill asks for them: the report checks a
 * stored snapshot's input files against the current exports before it uses it.
 */
export function periodsTouched(
  dataset: DatasetName,
  minInstant: number,
  maxInstant: number,
  config: ReportConfig,
  nowMs: number,
): Period[] {
  const lastClosed = lastCompletePeriod(nowMs, config.period, config.timezone);
  const cumulative = dataset === 'subscriptions' || dataset === 'orders';
  const last =
    cumulative || maxInstant >= lastClosed.end
      ? lastClosed
      : periodContaining(maxInstant, config.period, config.timezone);
  if (minInstant >= lastClosed.end) return [];
  const first = periodContaining(minInstant, config.period, config.timezone);
  const periods: Period[] = [];
  for (let p = last; p.start >= first.start && periods.length < MAX_PERIODS_PER_FILE; ) {
    periods.push(p);
    p = shiftPeriod(p, -1);
  }
  return periods.reverse();
}

/** Writes rejected rows as JSON Lines to a temporary file, opened on the first row. */
class RejectSpool {
  private stream: WriteStream | undefined;
  private dir: string | undefined;
  count = 0;

  constructor(private readonly folder: Promise<string>) {}

  async open(): Promise<void> {
    this.dir = await this.folder;
    this.stream = createWriteStream(join(this.dir, 'rejected.jsonl'));
  }

  readonly sink = (row: RejectedRow): void => {
    this.count++;
    this.stream?.write(`${JSON.stringify(row)}\n`);
  };

  async close(): Promise<string | undefined> {
    if (!this.stream || !this.dir) return undefined;
    this.stream.end();
    await finished(this.stream);
    return join(this.dir, 'rejected.jsonl');
  }

  async dispose(): Promise<void> {
    if (this.stream && !this.stream.closed) this.stream.destroy();
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}

export async function ingestDroppedFile(deps: IngestDeps, key: string): Promise<IngestOutcome> {
  const logger = deps.logger ?? silentLogger;
  const now = deps.now ?? Date.now;
  const target = parseIncomingKey(key);
  if (!target) return { status: 'skipped', key, reason: 'not a file under incoming/' };

  const info = await deps.objects.head(key);
  if (!info) return { status: 'skipped', key, reason: 'the object no longer exists' };

  const rejectedBase = `${REJECTED_PREFIX}${target.folder}/${target.name}`;
  const rejectFile = async (reason: string): Promise<IngestOutcome> => {
    const errorKey = `${rejectedBase}.error.json`;
    await deps.objects.copy(key, rejectedBase, info.etag);
    const body = { file: key, etag: info.etag, reason, rejectedAt: new Date(now()).toISOString() };
    await deps.objects.put(errorKey, `${JSON.stringify(body, null, 2)}\n`, 'application/json');
    logger.warn('rejected a whole file', { key, reason, rejectedKey: rejectedBase });
    return { status: 'rejected', key, reason, rejectedKey: rejectedBase, errorKey };
  };

  // The user replaced the file while it was being read or copied: its own event follows.
  const superseded = (error: ObjectChangedError): IngestOutcome => ({
    status: 'skipped',
    key,
    reason: `superseded by a newer upload (${error.message})`,
  });

  if (!target.dataset) {
    const reason =
      target.folder === '_unsorted'
        ? `files go in a dataset folder, incoming/<dataset>/…; this one is directly in incoming/. Datasets: ${DatasetName.options.join(', ')}`
        : `"${target.folder}" is not a dataset; use one of ${DatasetName.options.join(', ')}`;
    return rejectFile(reason);
  }
  const dataset = target.dataset;
  const config = deps.config;

  const spool = new RejectSpool(mkdtemp(join(tmpdir(), 'ingest-')));
  try {
    await spool.open();
    let validated: ValidatedExport;
    try {
      validated = await validateExport(
        { dataset, key, etag: info.etag, open: () => deps.objects.open(key, info.etag) },
        config,
        spool.sink,
        deps.engine ?? {},
      );
    } catch (error) {
      if (error instanceof DatasetError) return await rejectFile(error.message);
      if (error instanceof ObjectChangedError) {
        return superseded(error);
      }
      throw error;
    }
    const { instants, ...counts } = validated;
    const spooled = await spool.close();

    // The user's file is safe in exports/ before anything else is written.
    const exportKey = `${EXPORTS_PREFIX}${dataset}/${target.name}`;
    try {
      await deps.objects.copy(key, exportKey, info.etag);
    } catch (error) {
      if (error instanceof ObjectChangedError) {
        return superseded(error);
      }
      throw error;
    }

    const rejectedKey = `${rejectedBase}.rejected.jsonl`;
    let wroteRejected = false;
    if (spooled && spool.count > 0) {
      await deps.objects.put(rejectedKey, createReadStream(spooled), 'application/x-ndjson');
      wroteRejected = true;
    } else if (await deps.objects.head(rejectedKey)) {
      // An earlier version of this file had rejected rows; this one has none.
      await deps.objects.put(rejectedKey, '', 'application/x-ndjson');
    }

    logger.info('accepted a file', { key, exportKey, ...counts });
    const reports: ReportPeriods[] = [];
    for (const report of deps.reports ?? [config]) {
      // Another zone reads the offset-less times of the file as other instants: widen the
      // span by the most that can make, at worst recomputing a period more at each end.
      const pad = report.timezone === config.timezone ? 0 : MAX_ZONE_GAP_MS;
      const periods =
        counts.rowsAccepted > 0 && instants
          ? periodsTouched(dataset, instants.min - pad, instants.max + pad, report, now())
          : [];
      logger.info('recomputing the periods the file touches', {
        key,
        reportId: report.reportId,
        periods: periods.map((p) => p.key),
      });
      // Even with no period touched: a dataset's first file changes every stored period.
      const { recomputed } = await recomputePeriods({ ...deps, config: report }, periods, {
        datasetChanges: true,
      });
      reports.push({ reportId: report.reportId, periods: periods.map((p) => p.key), recomputed });
    }
    const first = reports[0] as ReportPeriods;
    return {
      status: 'accepted',
      key,
      dataset,
      exportKey,
      ...counts,
      rejectedKey: wroteRejected ? rejectedKey : undefined,
      periods: first.periods,
      recomputed: first.recomputed,
      reports,
    };
  } finally {
    await spool.dispose();
  }
}
