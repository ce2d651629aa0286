/**
 * The typed tables the metric SQL reads. Every dataset has:
 * - `raw_<dataset>`: each accepted row of each file, with `_file` (the file's position in
 *   key order) and `_rec` (the record's position in its file, from 0);
 * - `<dataset>`: a view of the rows that count after de-duplication (DATASETS.md): for an
 *   entity dataset the last row of each id (in key order of files, then file order); for
 *   `events` the first row of each `event_id` (a repeat is a re-delivery), and every event
 *   without one. `markDuplicates` lists the others in `dropped_<dataset>`.
 *
 * Column types follow spec.ts: ids and texts are VARCHAR, instants are BIGINT epoch
 * milliseconds (the same numbers as in TypeScript, so boundaries computed by the period
 * code compare exactly), money and seconds DOUBLE, counts and scores BIGINT. An absent
 * optional cell is NULL.
 */
import { DATASET_NAMES, type DatasetName } from '../config';
import type { RowOf } from '../datasets/rows';
import { type ColumnKind, columnsOf, DATASET_SPECS } from '../datasets/spec';
import { type Duck, sqlIdent } from './db';

export function sqlTypeOf(kind: ColumnKind): 'VARCHAR' | 'BIGINT' | 'DOUBLE' {
  switch (kind) {
    case 'id':
    case 'text':
    case 'enum':
    case 'currency':
      return 'VARCHAR';
    case 'timestamp':
    case 'date':
    case 'count':
    case 'score':
      return 'BIGINT';
    case 'money':
    case 'number':
      return 'DOUBLE';
  }
}

export const rawTable = (dataset: DatasetName): string => `raw_${dataset}`;

/**
 * Columns that every row rule checks but no metric reads. The engine's tables leave them
 * out (`createDatasetTables(db, 'metrics')`): at millions of rows each text column costs
 * 16 bytes a row of DuckDB's memory and a share of the load, and these hold long, mostly
 * distinct strings (session ids, pages). The currency columns are checked to be the
 * report's, so they hold nothing to keep either. `orders.status` and `tickets.resolved_at`
 * are kept: the at-risk signals read them (metrics/at-risk.ts).
 */
export const UNREAD_COLUMNS: Partial<Record<DatasetName, readonly string[]>> = {
  subscriptions: ['currency'],
  orders: ['currency'],
  marketing_spend: ['campaign', 'currency'],
  survey_responses: ['touchpoint', 'comment'],
  events: ['page', 'session_id'],
  sessions: ['landing_page', 'channel'],
  email_campaigns: ['unsubscribes', 'name'],
  social: ['post_id'],
};

/** `all`: every canonical column (readers' tests); `metrics`: those metrics read. */
export type StoredColumns = 'all' | 'metrics';

/** The CREATE TABLE statement of a dataset's raw table. */
export function rawTableDdl(dataset: DatasetName, stored: StoredColumns = 'all'): string {
  const unread = stored === 'metrics' ? (UNREAD_COLUMNS[dataset] ?? []) : [];
  const columns = columnsOf(dataset)
    .filter(([name]) => !unread.includes(name))
    .map(([name, spec]) => `${sqlIdent(name)} ${sqlTypeOf(spec.kind)}`);
  return `CREATE TABLE ${rawTable(dataset)} (${columns.join(', ')}, _file INTEGER NOT NULL, _rec BIGINT NOT NULL)`;
}

export const droppedTable = (dataset: DatasetName): string => `dropped_${dataset}`;

/**
 * The de-duplicating view of a dataset: its raw rows less those listed in
 * `dropped_<dataset>` (filled once by `markDuplicates` after the last file is loaded). An
 * anti-join on two integers is cheap for every query that reads the view, where a window
 * function in the view would sort the whole dataset again for each of them.
 */
export function datasetViewDdl(dataset: DatasetName): string {
  const raw = rawTable(dataset);
  if (DATASET_SPECS[dataset].idColumn === null)
    return `CREATE VIEW ${dataset} AS SELECT * FROM ${raw}`;
  return `CREATE VIEW ${dataset} AS
    SELECT * FROM ${raw} ANTI JOIN ${droppedTable(dataset)} USING (_file, _rec)`;
}

/**
 * Lists the rows that de-duplication drops (DATASETS.md): of an entity dataset every row of
 * an id but the last (in key order of files, then file order); of `events` every row of an
 * `event_id` but the first (a repeat is a re-delivery; events without an id are all kept).
 * Only ids whose hash repeats are sorted by id, so a dataset without duplicates costs one
 * sort of 8-byte hashes (a repeat is next to its twin); that sort is 2–3× faster than a
 * hash aggregation over 5 M distinct ids (0.40 s against 0.68–1.37 s, BENCHMARKS.md). A
 * hash collision only adds candidates, and the window partitions by the id itself, so the
 * result is exact.
 */
export async function markDuplicates(db: Duck, dataset: DatasetName): Promise<void> {
  const id = DATASET_SPECS[dataset].idColumn;
  if (id === null) return;
  const raw = rawTable(dataset);
  const order = dataset === 'events' ? '_file, _rec' : '_file DESC, _rec DESC';
  await db.run(`DELETE FROM ${droppedTable(dataset)}`);
  await db.run(`
    INSERT INTO ${droppedTable(dataset)}
    WITH repeated AS (
      SELECT DISTINCT h FROM (SELECT hash(${id}) AS h FROM ${raw} WHERE ${id} IS NOT NULL)
      QUALIFY h = lag(h) OVER (ORDER BY h)
    )
    SELECT _file, _rec FROM ${raw}
    WHERE ${id} IS NOT NULL AND hash(${id}) IN (SELECT h FROM repeated)
    QUALIFY row_number() OVER (PARTITION BY ${id} ORDER BY ${order}) > 1`);
}

/** Creates the raw table and the view of every dataset (empty). */
export async function createDatasetTables(db: Duck, stored: StoredColumns = 'all'): Promise<void> {
  for (const dataset of DATASET_NAMES) {
    await db.run(rawTableDdl(dataset, stored));
    if (DATASET_SPECS[dataset].idColumn !== null) {
      await db.run(`CREATE TABLE ${droppedTable(dataset)} (_file INTEGER, _rec BIGINT)`);
    }
    await db.run(datasetViewDdl(dataset));
  }
}

/** The columns of a dataset's raw table (without `_file` and `_rec`). */
export async function storedColumns(db: Duck, dataset: DatasetName): Promise<Set<string>> {
  const rows = await db.all<{ name: string }>(
    'SELECT column_name AS name FROM duckdb_columns() WHERE table_name = $table',
    { table: rawTable(dataset) },
  );
  return new Set(rows.map((r) => r.name).filter((n) => n !== '_file' && n !== '_rec'));
}

/**
 * Accepted and kept rows of a dataset: `duplicatesDropped` = accepted − kept. Call after
 * `markDuplicates`.
 */
export async function datasetCounts(
  db: Duck,
  dataset: DatasetName,
): Promise<{ rowsAccepted: number; rowsKept: number }> {
  const dropped =
    DATASET_SPECS[dataset].idColumn === null
      ? '0'
      : `(SELECT count(*) FROM ${droppedTable(dataset)})`;
  const row = await db.one<{ accepted: number; dropped: number }>(
    `SELECT (SELECT count(*) FROM ${rawTable(dataset)}) AS accepted, ${dropped} AS dropped`,
  );
  return { rowsAccepted: row.accepted, rowsKept: row.accepted - row.dropped };
}

/**
 * Appends parsed rows (as the zod row types hold them) to a dataset's raw table as file
 * `file`, one at a time, through DuckDB's appender; `close` flushes them.
 */
export class RowAppender<D extends DatasetName> {
  private readonly columns: [string, 'VARCHAR' | 'BIGINT' | 'DOUBLE'][];
  private rec = 0;
  private constructor(
    private readonly appender: Awaited<ReturnType<Duck['connection']['createAppender']>>,
    dataset: D,
    private readonly file: number,
  ) {
    this.columns = columnsOf(dataset).map(([name, spec]) => [name, sqlTypeOf(spec.kind)]);
  }

  static async open<D extends DatasetName>(db: Duck, dataset: D, file: number) {
    return new RowAppender(await db.connection.createAppender(rawTable(dataset)), dataset, file);
  }

  append(row: RowOf[D]): void {
    const record = row as unknown as Record<string, unknown>;
    const appender = this.appender;
    for (const [name, type] of this.columns) {
      const v = record[name];
      if (v === undefined || v === null) appender.appendNull();
      else if (type === 'VARCHAR') appender.appendVarchar(String(v));
      else if (type === 'BIGINT') appender.appendBigInt(BigInt(v as number));
      else appender.appendDouble(v as number);
    }
    appender.appendInteger(this.file);
    appender.appendBigInt(BigInt(this.rec++));
    appender.endRow();
  }

  close(): void {
    try {
      this.appender.flushSync();
    } finally {
      this.appender.closeSync();
    }
  }
}

/** Appends hand-made rows as file `file` of the dataset (tests). */
export async function appendRows<D extends DatasetName>(
  db: Duck,
  dataset: D,
  file: number,
  rows: readonly RowOf[D][],
): Promise<void> {
  const appender = await RowAppender.open(db, dataset, file);
  try {
    for (const row of rows) appender.append(row);
  } finally {
    appender.close();
  }
}
