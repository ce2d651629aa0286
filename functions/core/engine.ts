/**
 * The metric engine's entry point: validates every export file into DuckDB's typed tables
 * (datasets/load.ts), computes the metrics of all requested periods with SQL
 * (metrics/compute.ts), fits the CLV models once for the periods that need them, and
 * returns one `Snapshot` per period with its data-quality counts and the list of files it
 * was computed from.
 *
 * Files are loaded dataset by dataset, each dataset's files in key order (so "the last row
 * of an id wins" means the last in key order, see DATASETS.md). A file that is not on local
 * disk is first copied from its stream to a scratch folder (Lambda's ephemeral storage),
 * since DuckDB reads files, not streams; the folder is removed at the end. A file that
 * cannot be read as its dataset at all (`DatasetError`: missing column, corrupt gzip,
 * unsupported type) is recorded in the snapshot's quality and contributes no row; the
 * other files still count. Any other error (the storage failing, an object replaced while
 * it is read) is thrown as it is: the files may be fine, and a retry can succeed.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { columnMapFor, DATASET_NAMES, type DatasetName, type ReportConfig } from './config';
import { DatasetError } from './datasets/errors';
import { loadExport } from './datasets/load';
import type { ReadOptions } from './datasets/rules';
import { columnsOf } from './datasets/spec';
import { type DuckOptions, withDuck } from './duck/db';
import { applyReportFilter } from './duck/filter';
import { createDatasetTables, rawTable, storedColumns } from './duck/tables';
import { explainAtRisk } from './metrics/at-risk';
import { METRIC_IDS } from './metrics/catalogue';
import { computeMetrics } from './metrics/compute';
import { EngineError } from './metrics/plan';
import { ClvModelsHook } from './models/hook';
import type { DatasetQuality, InputFile, MetricValue, Snapshot } from './snapshot';
import { compareKeys, type ExportFile, type RejectedRow, type RejectSink } from './sources';
import { type Period, toPeriodInfo } from './time/periods';

/** How many rejection reasons each dataset's quality lists (the rest are in the rejects). */
export const FIRST_REASONS = 5;

/** Reported after each file: its bytes as stored (before gunzip) and the records read. */
export interface EngineProgress {
  dataset: DatasetName;
  file: string;
  bytes: number;
  rows: number;
}

/** Where the engine may use memory and disk (see ComputeSnapshotsInput). */
export interface EngineSettings {
  duck?: DuckOptions;
  scratchDirectory?: string;
}

export interface ComputeSnapshotsInput {
  files: ExportFile[];
  config: ReportConfig;
  /** One snapshot per period, in this order; all of one kind, in the report's time zone. */
  periods: Period[];
  /** @default - `config.reportId` */
  reportId?: string;
  /** Every rejected row, as it is found (also rows of a file later rejected whole). */
  onReject: RejectSink;
  onProgress?: (p: EngineProgress) => void;
  /** Called as each file starts being read. */
  onFileStart?: (p: { dataset: DatasetName; file: string }) => void;
  /**
   * Keys of the periods whose CLV models (BG/NBD, Gamma-Gamma) are fitted; the others get
   * those metrics null with a reason (see ClvModelsHook).
   * @default - every period
   */
  modelPeriods?: readonly string[];
  /**
   * Keys of the periods whose snapshot gets the cohort retention matrix (`cohorts`).
   * @default - the latest requested period (the reported one)
   */
  cohortPeriods?: readonly string[];
  /** DuckDB's memory limit, spill folder and threads. @default - DuckDB's defaults */
  duck?: DuckOptions;
  /** Where files that are not on local disk are copied. @default - the OS temp folder */
  scratchDirectory?: string;
}

/** `file:line:column: reason`, or `file:line: reason` when the whole record is bad. */
function describeRejection(row: RejectedRow): string {
  const where =
    row.column === null ? `${row.file}:${row.line}` : `${row.file}:${row.line}:${row.column}`;
  return `${where}: ${row.reason}`;
}

/** A `DatasetError`'s message without the file key it starts with (the key is listed beside it). */
function reasonOf(error: DatasetError): string {
  const prefix = `${error.file}: `;
  return error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
}

function emptyQuality(): DatasetQuality {
  return {
    rowsRead: 0,
    rowsAccepted: 0,
    rowsRejected: 0,
    duplicatesDropped: 0,
    firstReasons: [],
    filesRejected: [],
  };
}

/** A folder made on first use under `parent` (the OS temp folder by default), removed by `dispose`. */
class ScratchFolder {
  private made: Promise<string> | undefined;
  constructor(
    private readonly parent: string | undefined,
    private readonly prefix: string,
  ) {}

  path(): Promise<string> {
    this.made ??= mkdtemp(join(this.parent ?? tmpdir(), this.prefix));
    return this.made;
  }

  async dispose(): Promise<void> {
    if (this.made) await rm(await this.made, { recursive: true, force: true });
  }
}

/** The file on local disk: its own path, or a copy of its stream in `scratch`. */
async function localCopy(file: ExportFile, scratch: ScratchFolder, n: number) {
  if (file.path !== undefined) return file.path;
  // The copy keeps the key's name, whose extension says the format.
  const path = join(await scratch.path(), `${n}-${basename(file.key)}`);
  await pipeline(await file.open(), createWriteStream(path));
  return path;
}

/**
 * Computes the snapshot of each requested period from the export files. Metrics carry no
 * `previous`/`delta`: callers apply `withDeltas(current, previous)` (metrics/deltas.ts),
 * e.g. after asking for [previous, current].
 *
 * Throws `EngineError` for periods that are empty, overlapping, of mixed kinds or in another
 * time zone than the report; rethrows any error of a file's stream that is not a
 * `DatasetError`.
 */
export async function computeSnapshots(input: ComputeSnapshotsInput): Promise<{
  snapshots: Snapshot[];
}> {
  const { config, periods, onReject, onProgress } = input;
  if (periods.length === 0) throw new EngineError('no period to compute: pass at least one');
  const reportId = input.reportId ?? config.reportId;
  const foreign = periods.find((p) => p.timezone !== config.timezone);
  if (foreign) {
    throw new EngineError(
      `period "${foreign.key}" is in ${foreign.timezone} but the report's time zone is ${config.timezone}`,
    );
  }

  const byDataset = new Map<DatasetName, ExportFile[]>();
  for (const file of input.files) {
    if (!DATASET_NAMES.includes(file.dataset)) {
      throw new EngineError(`${file.key}: unknown dataset "${file.dataset}"`);
    }
    const list = byDataset.get(file.dataset) ?? [];
    list.push(file);
    byDataset.set(file.dataset, list);
  }
  // S3's order of keys (UTF-8 bytes), whatever order the source gave.
  const byKey = (a: ExportFile, b: ExportFile) => compareKeys(a.key, b.key);
  for (const list of byDataset.values()) list.sort(byKey);
  const datasets = DATASET_NAMES.filter((d) => byDataset.has(d));

  const scratch = new ScratchFolder(input.scratchDirectory, 'engine-');
  const models = new ClvModelsHook(config, periods, input.modelPeriods);
  const quality: Partial<Record<DatasetName, DatasetQuality>> = {};
  try {
    const snapshots = await withDuck(async (db) => {
      await createDatasetTables(db, 'metrics');
      // The report's customer filter narrows the views every metric reads (duck/filter.ts).
      await applyReportFilter(db, config.filter);
      let n = 0;
      for (const dataset of datasets) {
        const q = emptyQuality();
        quality[dataset] = q;
        const options: ReadOptions = {
          timezone: config.timezone,
          currency: config.currency,
          columns: columnMapFor(config, dataset),
        };
        for (const [ordinal, file] of (byDataset.get(dataset) ?? []).entries()) {
          input.onFileStart?.({ dataset, file: file.key });
          const path = await localCopy(file, scratch, n++);
          const reasons: string[] = [];
          const reject: RejectSink = (row) => {
            if (reasons.length < FIRST_REASONS) reasons.push(describeRejection(row));
            onReject(row);
          };
          let rows = 0;
          try {
            const stats = await loadExport(
              db,
              { dataset, key: file.key, path, scratchDirectory: input.scratchDirectory },
              ordinal,
              options,
              reject,
            );
            rows = stats.rowsRead;
            q.rowsRead += stats.rowsRead;
            q.rowsRejected += stats.rowsRejected;
            for (const r of reasons) {
              if (q.firstReasons.length < FIRST_REASONS) q.firstReasons.push(r);
            }
          } catch (error) {
            if (!(error instanceof DatasetError)) throw error;
            q.filesRejected.push({ key: file.key, reason: reasonOf(error) });
          }
          const { size } = await stat(path);
          if (file.path === undefined) await rm(path, { force: true });
          onProgress?.({ dataset, file: file.key, bytes: size, rows });
        }
      }
      const computed = await computeMetrics(db, {
        config,
        periods,
        datasetsWithFiles: datasets,
        ...(input.cohortPeriods ? { cohortPeriods: input.cohortPeriods } : {}),
      });
      await models.load(
        db,
        computed.counts.orders.rowsAccepted - computed.counts.orders.duplicatesDropped > 0,
      );

      for (const dataset of datasets) {
        const q = quality[dataset] as DatasetQuality;
        q.rowsAccepted = computed.counts[dataset].rowsAccepted;
        q.duplicatesDropped = computed.counts[dataset].duplicatesDropped;
      }

      const inputFiles: InputFile[] = datasets.flatMap((dataset) =>
        (byDataset.get(dataset) ?? []).map((f) => {
          const entry: InputFile = { dataset, key: f.key };
          if (f.etag !== undefined) entry.etag = f.etag;
          return entry;
        }),
      );

      const computedAt = new Date().toISOString();
      // Built while the database is open: the model's at-risk list is known once it is fitted,
      // and its customers' other signals are then read from it (metrics/at-risk.ts).
      const built: Snapshot[] = [];
      for (const [i, period] of periods.entries()) {
        const snapshot: Snapshot = {
          reportId,
          period: toPeriodInfo(period),
          currency: config.currency,
          computedAt,
          metrics: computed.metrics[i] as Record<string, MetricValue>,
          quality: structuredClone(quality),
          inputFiles: structuredClone(inputFiles),
        };
        models.apply(snapshot);
        await explainAtRisk(snapshot, computed, i);
        const cohorts = computed.cohorts.get(period.key);
        if (cohorts) snapshot.cohorts = cohorts;
        const segments = computed.segments.get(period.key);
        if (segments) snapshot.segments = segments;
        snapshot.metrics = inCatalogueOrder(snapshot.metrics, period.key);
        built.push(snapshot);
      }
      return built;
    }, input.duck);
    return { snapshots };
  } finally {
    await scratch.dispose();
  }
}

export interface ValidatedExport {
  rowsRead: number;
  rowsAccepted: number;
  rowsRejected: number;
  /** Earliest and latest instant in any time column of the accepted rows; null without rows. */
  instants: { min: number; max: number } | null;
}

/**
 * Validates one export file on its own, as the ingest of a dropped file does before it
 * keeps it: every row through the dataset's rules (rejects to `onReject`), and the span of
 * instants its accepted rows hold (which periods it touches). Throws the file's
 * `DatasetError` when it cannot be read as its dataset at all.
 */
export async function validateExport(
  file: ExportFile,
  config: ReportConfig,
  onReject: RejectSink,
  options: EngineSettings = {},
): Promise<ValidatedExport> {
  const scratch = new ScratchFolder(options.scratchDirectory, 'validate-');
  try {
    return await withDuck(async (db) => {
      await createDatasetTables(db, 'metrics');
      const path = await localCopy(file, scratch, 0);
      const stats = await loadExport(
        db,
        { dataset: file.dataset, key: file.key, path, scratchDirectory: options.scratchDirectory },
        0,
        {
          timezone: config.timezone,
          currency: config.currency,
          columns: columnMapFor(config, file.dataset),
        },
        onReject,
      );
      // The instants the metrics read: a column that no metric reads cannot change a
      // period's numbers, and is not kept (duck/tables.ts).
      const kept = await storedColumns(db, file.dataset);
      const times = columnsOf(file.dataset)
        .filter(
          ([name, spec]) => kept.has(name) && (spec.kind === 'timestamp' || spec.kind === 'date'),
        )
        .map(([name]) => name);
      const span = await db.one<{ accepted: number; lo: number | null; hi: number | null }>(
        `SELECT count(*) AS accepted, min(least(${times.join(', ')})) AS lo,
                max(greatest(${times.join(', ')})) AS hi
         FROM ${rawTable(file.dataset)}`,
      );
      return {
        rowsRead: stats.rowsRead,
        rowsAccepted: span.accepted,
        rowsRejected: stats.rowsRejected,
        instants: span.lo === null || span.hi === null ? null : { min: span.lo, max: span.hi },
      };
    }, options.duck);
  } finally {
    await scratch.dispose();
  }
}

/**
 * The metrics in catalogue order (stable, readable JSON). Every catalogue metric must be
 * there: one that is not is a defect of the engine, and a report silently without it would
 * look like a metric nobody asked for.
 */
function inCatalogueOrder(
  metrics: Record<string, MetricValue>,
  periodKey: string,
): Record<string, MetricValue> {
  const ordered: Record<string, MetricValue> = {};
  for (const id of METRIC_IDS) {
    const mv = metrics[id];
    if (!mv) throw new EngineError(`metric ${id} was not computed for ${periodKey}`);
    ordered[id] = mv;
  }
  for (const id of Object.keys(metrics)) {
    if (!(id in ordered))
      throw new EngineError(`metric ${id} of ${periodKey} is not in the catalogue`);
  }
  return ordered;
}
