/**
 * Recompute and store the snapshots of some periods, safely under concurrency.
 *
 * Two ingests finishing at the same time must end with the snapshot a serial run would
 * give. The rule that guarantees it: read each stored version BEFORE listing the exports,
 * and write conditionally on that version. The last writer to succeed read its version
 * after every earlier successful write, and every earlier writer had copied its file into
 * `exports/` before writing — so the last writer's listing holds every file. A writer whose
 * condition fails re-reads and recomputes (a bounded number of times).
 *
 * Which datasets have files changes every period's numbers, not only the periods a file's
 * rows fall in: with a first subscriptions file, `customers_end` counts active
 * subscriptions instead of sign-ups and `mrr_*` go from null to a sum, in every period.
 * So an ingest also recomputes each stored period computed from another set of datasets
 * (`datasetChanges`), and every writer lists the exports once more after it stored: a
 * writer whose listing predates a first file may have stored its period after that file's
 * ingest looked at the stored periods, and then it recomputes the period itself.
 */
import { createHash } from 'node:crypto';
import type { ReportConfig } from '../config';
import { computeSnapshots, type EngineSettings } from '../engine';
import type { Snapshot } from '../snapshot';
import type { ExportFile, ExportSource, RejectSink } from '../sources';
import { type Period, parsePeriodKey } from '../time/periods';
import {
  type JobLogger,
  mayHaveBeenSent,
  ObjectChangedError,
  type SendLedger,
  type SnapshotStore,
  type StoredSnapshot,
  silentLogger,
  VersionConflictError,
} from './ports';

export interface RecomputeDeps {
  config: ReportConfig;
  source: ExportSource;
  store: SnapshotStore;
  /** To mark a recomputed period whose report was already sent as `revised`. */
  ledger?: SendLedger;
  logger?: JobLogger;
  /** Rows the engine rejects (already recorded at ingest; usually ignored here). */
  onReject?: RejectSink;
  /**
   * DuckDB's memory limit and spill folder, and where exports are copied to be read (in
   * Lambda: from the function's memory and its ephemeral storage).
   * @default - DuckDB's defaults and the OS temp folder
   */
  engine?: EngineSettings;
}

export interface RecomputeOptions {
  /** Recompute even when the stored snapshot already reflects the current exports. */
  force?: boolean;
  /** @default 4 - attempts per period when other writers keep winning the race */
  maxAttempts?: number;
  /**
   * Also recompute every stored period of the report's kind that was computed from another
   * set of datasets than the current exports hold (a dataset's first file arrived, or its
   * last one went). Ingest sets it.
   * @default false
   */
  datasetChanges?: boolean;
}

export interface RecomputeResult {
  /** The stored snapshot of every requested period, by period key. */
  snapshots: Map<string, StoredSnapshot>;
  /** Keys of the periods actually recomputed (the others were already up to date). */
  recomputed: string[];
}

/**
 * A fingerprint of the settings the metrics depend on. Email settings, name and locale
 * only change how the report looks, so editing a recipient list does not force every
 * stored snapshot to be recomputed.
 */
export function configFingerprint(config: ReportConfig): string {
  const { reportId, timezone, currency, period, columns, activity, events, clv } = config;
  const json = JSON.stringify({
    reportId,
    timezone,
    currency,
    period,
    columns,
    activity,
    events,
    clv,
    // Absent without a filter (JSON.stringify drops it): existing fingerprints stay.
    filter: config.filter,
  });
  return createHash('sha256').update(json).digest('hex').slice(0, 32);
}

function fileId(file: { key: string; etag?: string }): string {
  return `${file.key}\u0000${file.etag ?? ''}`;
}

/** The datasets that have at least one file among these, as one comparable string. */
export function datasetsOf(files: readonly { dataset: string }[]): string {
  return [...new Set(files.map((f) => f.dataset))].sort().join(',');
}

/** A bound on stored periods read at once: ten years of weeks. */
const MAX_STORED_PERIODS = 520;

/**
 * Whether a stored snapshot was computed from exactly these files (same keys, same ETags)
 * with the same metric settings: then recomputing would give the same numbers.
 */
export function isUpToDate(
  stored: StoredSnapshot | undefined,
  files: readonly ExportFile[],
  configHash: string,
): boolean {
  if (!stored || stored.configHash !== configHash) return false;
  const inputs = stored.snapshot.inputFiles;
  if (inputs.length !== files.length) return false;
  const current = new Set(files.map(fileId));
  return inputs.every((input) => current.has(fileId(input)));
}

/** Whether two snapshots differ in any metric value or breakdown. */
export function metricsDiffer(a: Snapshot, b: Snapshot): boolean {
  const ids = new Set([...Object.keys(a.metrics), ...Object.keys(b.metrics)]);
  for (const id of ids) {
    const x = a.metrics[id];
    const y = b.metrics[id];
    if (!x || !y) return true;
    if (x.value !== y.value) return true;
    if (JSON.stringify(x.breakdown ?? null) !== JSON.stringify(y.breakdown ?? null)) return true;
  }
  return false;
}

/**
 * Recomputes the given periods from the current exports in one pass over the files and
 * stores each with a versioned conditional write. Periods whose stored snapshot already
 * reflects the current exports and settings are left alone (unless `force`).
 *
 * A period whose report was already sent and whose numbers changed is stored with
 * `revised: true` (and stays revised), so the next email and anyone reading the table can
 * tell that the figures sent earlier have since been corrected.
 *
 * Snapshots are stored without deltas: the report applies them when it renders, against
 * the previous period as stored then, so revising one period never leaves a stale delta in
 * the next one.
 */
export async function recomputePeriods(
  deps: RecomputeDeps,
  periods: readonly Period[],
  options: RecomputeOptions = {},
): Promise<RecomputeResult> {
  const logger = deps.logger ?? silentLogger;
  const { reportId } = deps.config;
  const configHash = configFingerprint(deps.config);
  const maxAttempts = options.maxAttempts ?? 4;
  const snapshots = new Map<string, StoredSnapshot>();
  const recomputed = new Set<string>();

  let pending = [...new Map(periods.map((p) => [p.key, p])).values()];
  let scanStored = options.datasetChanges === true;
  let widening = false;
  let attempt = 0;
  while (pending.length > 0 || scanStored) {
    // Widening the set (below) is no attempt lost to other writers.
    if (!widening) attempt++;
    widening = false;
    if (attempt > maxAttempts) {
      throw new VersionConflictError(
        `gave up storing ${pending.map((p) => p.key).join(', ')} of ${reportId} after ${maxAttempts} attempts: other writers kept storing newer versions first`,
      );
    }
    // Only to find the periods to add: their versions are read (consistently) below, before
    // the listing, on the next pass.
    const storedAll = scanStored
      ? (await deps.store.listRecent(reportId, MAX_STORED_PERIODS)).filter(
          (s) => s.period.kind === deps.config.period,
        )
      : undefined;
    // Versions first, listing second: see the file comment.
    const stored = new Map<string, StoredSnapshot | undefined>();
    await Promise.all(
      pending.map(async (p) => stored.set(p.key, await deps.store.get(reportId, p.key))),
    );
    const files = await deps.source.list();
    const present = datasetsOf(files);

    if (storedAll) {
      scanStored = false;
      const keys = new Set(pending.map((p) => p.key));
      const extra = storedAll
        .filter((s) => !keys.has(s.period.key) && datasetsOf(s.inputFiles) !== present)
        .map((s) => parsePeriodKey(s.period.key, deps.config.timezone));
      if (extra.length > 0) {
        logger.info('the datasets with files changed; recomputing every stored period', {
          datasets: present,
          periods: extra.map((p) => p.key),
        });
        pending = [...pending, ...extra];
        widening = true;
        continue;
      }
    }

    const stale = pending.filter((p) => {
      const current = stored.get(p.key);
      if (!options.force && current && isUpToDate(current, files, configHash)) {
        snapshots.set(p.key, current);
        return false;
      }
      return true;
    });
    if (stale.length === 0) break;

    let computed: Snapshot[];
    try {
      ({ snapshots: computed } = await computeSnapshots({
        files,
        config: deps.config,
        periods: stale,
        reportId,
        onReject: deps.onReject ?? (() => {}),
        ...deps.engine,
      }));
    } catch (error) {
      // An export was replaced while it was being read; its own ingest will follow, and a
      // fresh listing here sees the new version.
      if (error instanceof ObjectChangedError) {
        logger.warn('an export changed during the recompute; listing again', {
          error: error.message,
        });
        continue;
      }
      throw error;
    }

    const conflicts: Period[] = [];
    for (const period of stale) {
      const snapshot = computed.find((s) => s.period.key === period.key);
      if (!snapshot) {
        throw new VersionConflictError(`the engine returned no snapshot for ${period.key}`);
      }
      const previous = stored.get(period.key);
      snapshot.revised = (await isRevision(deps, period.key, previous, snapshot)) || undefined;
      try {
        const version = await deps.store.put(snapshot, previous?.version, { configHash });
        snapshot.version = version;
        snapshots.set(period.key, { snapshot, version, configHash });
        recomputed.add(period.key);
        logger.info('stored snapshot', {
          period: period.key,
          version,
          revised: snapshot.revised === true,
          inputFiles: snapshot.inputFiles.length,
        });
      } catch (error) {
        if (!(error instanceof VersionConflictError)) throw error;
        logger.info('another writer stored this period first; recomputing', {
          period: period.key,
          attempt,
        });
        conflicts.push(period);
      }
    }
    // A first file of a dataset whose ingest looked at the stored periods before this
    // writer stored them: the listing shows it now (see the file comment).
    const written = stale.filter((p) => !conflicts.includes(p));
    if (written.length > 0 && datasetsOf(await deps.source.list()) !== present) {
      logger.info('the datasets with files changed during the recompute; recomputing', {
        periods: written.map((p) => p.key),
      });
      pending = [...conflicts, ...written];
      continue;
    }
    pending = conflicts;
  }
  return { snapshots, recomputed: [...recomputed] };
}

async function isRevision(
  deps: RecomputeDeps,
  periodKey: string,
  previous: StoredSnapshot | undefined,
  next: Snapshot,
): Promise<boolean> {
  if (previous?.snapshot.revised) return true;
  if (!deps.ledger) return false;
  if (previous && !metricsDiffer(previous.snapshot, next)) return false;
  // Sent, or pending or unknown (maybe sent): someone may hold the earlier numbers. A send that only
  // failed or was refused showed nobody anything.
  const sends = await deps.ledger.sendsFor(deps.config.reportId, periodKey);
  return sends.some((s) => mayHaveBeenSent(s.state));
}
