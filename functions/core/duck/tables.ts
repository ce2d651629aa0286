/**
 * The typed tables the metric SQL reads. Every dataset has:
 * - `raw_<dataset>`: each accepted row of each file, with `_file` (the file's position in
 *   key order) and `_rec` (the record's position in its file, from 0);
 * - `<dataset>`: a view of the rows that count after de-duplication (DATASETS.md): for an
 *   entity dataset the last row of each id (in key order of files, then file order); for
 *   `events` the first row of each `event_id` (a repeat is a re-delivery), and every event
 *   without one.
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

/** The CREATE TABLE statement of a dataset's raw table. */
export function rawTableDdl(dataset: DatasetName): string {
  const columns = columnsOf(dataset).map(([name, spec]) => `${sqlIdent(name)} ${sqlTypeOf(spec.kind)}`);
  return `CREATE TABLE ${rawTable(dataset)} (${columns.join(', ')}, _file INTEGER NOT NULL, _rec BIGINT NOT NULL)`;
}

/** The de-duplicating view of a dataset (see the module comment). */
export function datasetViewDdl(dataset: DatasetName): string {
  const id = DATASET_SPECS[dataset].idColumn;
  const raw = rawTable(dataset);
  if (id === null) return `CREATE VIEW ${dataset} AS SELECT * FROM ${raw}`;
  if (dataset === 'events') {
    return `CREATE VIEW ${dataset} AS
      SELECT * FROM ${raw} WHERE ${id} IS NULL
      UNION ALL
      SELECT * FROM ${raw} WHERE ${id} IS NOT NULL
      QUALIFY row_number() OVER (PARTITION BY ${id} ORDER BY _file, _rec) = 1`;
  }
  return `CREATE VIEW ${dataset} AS
    SELECT * FROM ${raw}
    QUALIFY row_number() OVER (PARTITION BY ${id} ORDER BY _file DESC, _rec DESC) = 1`;
}

/** Creates the raw table and the view of every dataset (empty). */
export async function createDatasetTables(db: Duck): Promise<void> {
  for (const dataset of DATASET_NAMES) {
    await db.run(rawTableDdl(dataset));
    await db.run(datasetViewDdl(dataset));
  }
}

/** Accepted and kept rows of a dataset: `duplicatesDropped` = accepted − kept. */
export async function datasetCounts(
  db: Duck,
  dataset: DatasetName,
): Promise<{ rowsAccepted: number; rowsKept: number }> {
  const row = await db.one<{ accepted: number; kept: number }>(
    `SELECT (SELECT count(*) FROM ${rawTable(dataset)}) AS accepted, (SELECT count(*) FROM ${dataset}) AS kept`,
  );
  return { rowsAccepted: row.accepted, rowsKept: row.kept };
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
