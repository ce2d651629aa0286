/**
 * The metric engine's entry point: reads every export file once, streaming, into one
 * `MetricPass` for all requested periods, and turns the result into one `Snapshot` per
 * period with its data-quality counts and the list of files it was computed from.
 *
 * Files are read one at a time, dataset by dataset, each dataset's files in key order (so
 * "the last row of an id wins" means the last in key order, see DATASETS.md). A file that
 * cannot be read as its dataset at all (`DatasetError`: missing column, corrupt gzip,
 * unsupported type) is recorded in the snapshot's quality and contributes no row; the
 * other files still count. Any other error (the storage failing, an object replaced while
 * it is read) is thrown as it is: the files may be fine, and a retry can succeed.
 */
import { Readable } from 'node:stream';
import { columnMapFor, DATASET_NAMES, type DatasetName, type ReportConfig } from './config';
import { DatasetError } from './datasets/errors';
import { readExport } from './datasets/read';
import type { ReadOptions } from './datasets/rules';
import { METRIC_IDS } from './metrics/catalogue';
import { MetricPass } from './metrics/pass';
import { EngineError } from './metrics/plan';
import { ClvModelsHook } from './models/hook';
import type { DatasetQuality, InputFile, MetricValue, Snapshot } from './snapshot';
import type { ExportFile, RejectedRow, RejectSink } from './sources';
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
  /**
   * Keys of the periods whose CLV models (BG/NBD, Gamma-Gamma) are fitted; the others get
   * those metrics null with a reason (see ClvModelsHook).
   * @default - every period
   */
  modelPeriods?: readonly string[];
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

/**
 * The file with `open` counting the bytes that flow through. A generator rather than a
 * 'data' listener, so the reader's own consumption (and early stop) is unchanged and a
 * stream error reaches the reader as the same error object.
 */
function counting(file: ExportFile, counter: { bytes: number }): ExportFile {
  return {
    ...file,
    open: async () => {
      const source = await file.open();
      async function* pass(): AsyncGenerator<Buffer | string> {
        for await (const chunk of source as AsyncIterable<Buffer | string>) {
          counter.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
          yield chunk;
        }
      }
      return Readable.from(pass());
    },
  };
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

/**
 * Computes the snapshot of each requested period from the export files, in one pass over
 * them. Metrics carry no `previous`/`delta`: callers apply `withDeltas(current, previous)`
 * (metrics/deltas.ts), e.g. after asking for [previous, current].
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
  // Code-unit order of keys, the order S3 lists them in for the names exports use.
  const byKey = (a: ExportFile, b: ExportFile) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  for (const list of byDataset.values()) list.sort(byKey);
  const datasets = DATASET_NAMES.filter((d) => byDataset.has(d));

  const models = new ClvModelsHook(config, periods, input.modelPeriods);
  const pass = new MetricPass({
    config,
    periods,
    datasetsWithFiles: datasets,
    extraAccumulators: models.accumulators,
  });

  const quality: Partial<Record<DatasetName, DatasetQuality>> = {};
  for (const dataset of datasets) {
    const q = emptyQuality();
    quality[dataset] = q;
    const options: ReadOptions = {
      timezone: config.timezone,
      currency: config.currency,
      columns: columnMapFor(config, dataset),
    };
    for (const file of byDataset.get(dataset) ?? []) {
      const feed = pass.openFile(dataset);
      const counter = { bytes: 0 };
      // Rows of this file, counted here so that a file failing half-way can be accounted.
      let accepted = 0;
      let rejected = 0;
      const reasons: string[] = [];
      const reject: RejectSink = (row) => {
        rejected++;
        if (reasons.length < FIRST_REASONS) reasons.push(describeRejection(row));
        onReject(row);
      };
      try {
        const stats = await readExport(
          counting(file, counter) as ExportFile & { dataset: typeof dataset },
          options,
          (row) => {
            accepted++;
            feed.row(row);
          },
          reject,
        );
        feed.commit();
        q.rowsRead += stats.rowsRead;
        q.rowsRejected += stats.rowsRejected;
        for (const r of reasons) if (q.firstReasons.length < FIRST_REASONS) q.firstReasons.push(r);
      } catch (error) {
        if (!(error instanceof DatasetError)) throw error;
        feed.abort();
        // Only `events` keeps the rows of a file that failed half-way (see FileFeed); they
        // are then counted like those of any file. Other datasets drop the whole file.
        if (dataset === 'events') {
          q.rowsRead += accepted + rejected;
          q.rowsRejected += rejected;
          for (const r of reasons)
            if (q.firstReasons.length < FIRST_REASONS) q.firstReasons.push(r);
        }
        q.filesRejected.push({ key: file.key, reason: reasonOf(error) });
      }
      onProgress?.({ dataset, file: file.key, bytes: counter.bytes, rows: accepted + rejected });
    }
    pass.finishDataset(dataset);
  }
  for (const dataset of datasets) {
    const q = quality[dataset] as DatasetQuality;
    q.rowsAccepted = pass.counts[dataset].rowsAccepted;
    q.duplicatesDropped = pass.counts[dataset].duplicatesDropped;
  }

  const inputFiles: InputFile[] = datasets.flatMap((dataset) =>
    (byDataset.get(dataset) ?? []).map((f) => {
      const entry: InputFile = { dataset, key: f.key };
      if (f.etag !== undefined) entry.etag = f.etag;
      return entry;
    }),
  );

  const computedAt = new Date().toISOString();
  const values = pass.metrics();
  const snapshots = periods.map((period, i) => {
    const snapshot: Snapshot = {
      reportId,
      period: toPeriodInfo(period),
      currency: config.currency,
      computedAt,
      metrics: values[i] as Record<string, MetricValue>,
      quality: structuredClone(quality),
      inputFiles: structuredClone(inputFiles),
    };
    models.apply(snapshot);
    snapshot.metrics = inCatalogueOrder(snapshot.metrics, period.key);
    return snapshot;
  });
  return { snapshots };
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
