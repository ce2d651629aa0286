/**
 * Loads one export file into its dataset's raw table (duck/tables.ts) with DuckDB: the
 * file is read, validated by the SQL rules of rules.ts and inserted in one statement, so
 * that no row passes through JavaScript. CSV is read by `read_csv` with a fixed dialect
 * and every column as text, JSON Lines as lines whose objects DuckDB's JSON functions
 * take apart, Parquet by `read_parquet` with its own column types.
 *
 * A file that breaks no rule costs that one statement and two small queries. A rejected
 * row only needs more: its physical line and raw record, which DuckDB does not give. Rows
 * that fail (or that DuckDB cannot settle alone: a local time outside 1900–2100) are
 * inserted marked (a negative `_rec`); a second look then scans the file in JavaScript
 * for just those records (csv.ts for CSV), applies the same SQL rules to them with exact
 * time-zone handling, reports the rejected ones, inserts the good ones and drops the marks.
 *
 * DuckDB's CSV reader disagrees with RFC 4180 as csv.ts reads it on a few broken files (a
 * lone CR, mixed line ends, text after a closing quote followed by a space): it fails,
 * splits records differently or skips one. Where that shows (DuckDB fails, or its record
 * count differs from the scanner's), the file is read by the scanner instead and its
 * records go through the same SQL: slower, but the rows and reasons of csv.ts.
 */
import { isUtf8 } from 'node:buffer';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { DatasetName } from '../config';
import { type Duck, sqlIdent, sqlString } from '../duck/db';
import { rawTable, storedColumns } from '../duck/tables';
import type { RejectedRow, RejectSink } from '../sources';
import { localWallTimeToInstant, wallTimeSegments } from '../time/timestamps';
import { type CsvRecord, CsvScanner, fieldText, MAX_RECORD_BYTES, rawFieldText } from './csv';
import { DatasetError, UnreadableFileError, UnsupportedFormatError } from './errors';
import {
  type CellType,
  type FileColumn,
  type LocalInstantSql,
  matchHeader,
  type ReadOptions,
  type ReadStats,
  ruleQuery,
  type SourceColumn,
  textCanFail,
} from './rules';

export type ExportFormat = { syntax: 'csv' | 'jsonl' | 'parquet'; gzip: boolean };

const SUFFIXES: readonly (readonly [string, ExportFormat])[] = [
  ['.csv', { syntax: 'csv', gzip: false }],
  ['.csv.gz', { syntax: 'csv', gzip: true }],
  ['.jsonl', { syntax: 'jsonl', gzip: false }],
  ['.jsonl.gz', { syntax: 'jsonl', gzip: true }],
  ['.parquet', { syntax: 'parquet', gzip: false }],
];

/** The format named by a key's suffix (case-insensitive), or null when it is not supported. */
export function formatOf(key: string): ExportFormat | null {
  const lower = key.toLowerCase();
  for (const [suffix, format] of SUFFIXES) {
    if (lower.endsWith(suffix)) return format;
  }
  return null;
}

export interface LocalExport {
  dataset: DatasetName;
  /** Path or S3 key: names the file in rejections and errors, and gives its format. */
  key: string;
  /** The file on local disk, as stored (gzip'd or not). */
  path: string;
  /**
   * Where a gzip'd file is decompressed for DuckDB (in Lambda the engine's folder on
   * ephemeral storage, emptied at each invocation). @default - the OS temp folder
   */
  scratchDirectory?: string;
  /**
   * Bytes per read of the JavaScript passes over the text (header, line splitter, csv.ts):
   * tests set a few bytes to put chunk boundaries anywhere. @default - 1 MiB
   */
  chunkBytes?: number;
}

// ---------------------------------------------------------------------------------------
// Whole-file checks and the header, in JavaScript (a few KB of the file)
// ---------------------------------------------------------------------------------------

const LF = 0x0a;
const CR = 0x0d;

const CHUNK_BYTES = 1 << 20;

/**
 * Reads a file's bytes in order from byte `start` (past a byte order mark), in chunks of
 * `chunkBytes`, stopping when `each` returns false.
 */
async function eachChunk(
  path: string,
  each: (chunk: Buffer) => boolean | undefined,
  { start = 0, chunkBytes = CHUNK_BYTES }: { start?: number; chunkBytes?: number } = {},
): Promise<void> {
  const stream = createReadStream(path, { start, highWaterMark: chunkBytes });
  try {
    for await (const chunk of stream) {
      if (each(chunk as Buffer) === false) break;
    }
  } finally {
    stream.destroy();
  }
}

/**
 * Decompresses a `.gz` export to `target`. zlib checks the trailer, so a file cut short is
 * caught here: DuckDB's own gzip reader loads the part before the cut without a word.
 */
async function gunzipTo(key: string, path: string, target: string): Promise<void> {
  const gunzip = createGunzip({ chunkSize: 1 << 20 });
  let gzipError: unknown = null;
  gunzip.once('error', (error) => {
    gzipError = error;
  });
  try {
    await pipeline(
      createReadStream(path, { highWaterMark: 1 << 20 }),
      gunzip,
      createWriteStream(target),
    );
  } catch (error) {
    if (error !== null && error === gzipError) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new UnreadableFileError(
        key,
        `the file is not valid gzip or is cut short (${detail}); upload it again`,
        { cause: error },
      );
    }
    throw error;
  }
}

/**
 * Checks the first bytes of the text: a UTF-8 byte order mark is fine (spreadsheet tools
 * write one, and it is skipped); UTF-16 text or a file still gzip-compressed is refused,
 * since it would otherwise show up as a confusing missing-column error. Returns the length
 * of the byte order mark (0 or 3).
 */
async function checkStart(key: string, path: string, gzip: boolean): Promise<number> {
  const handle = await open(path, 'r');
  const start = Buffer.alloc(3);
  try {
    await handle.read(start, 0, 3, 0);
  } finally {
    await handle.close();
  }
  if (start[0] === 0xef && start[1] === 0xbb && start[2] === 0xbf) return 3;
  if ((start[0] === 0xff && start[1] === 0xfe) || (start[0] === 0xfe && start[1] === 0xff)) {
    throw new UnreadableFileError(key, 'the file is UTF-16 text; export it as UTF-8');
  }
  if (!gzip && start[0] === 0x1f && start[1] === 0x8b) {
    throw new UnreadableFileError(
      key,
      'the file is gzip-compressed but its name does not end in .gz; rename it to end in .gz',
    );
  }
  return 0;
}

interface CsvHeader {
  /** The fields of the first record; empty for a file without one. */
  names: string[];
  /**
   * Whether DuckDB cannot read past the header: a tab after a closing quote there makes its
   * reader return no row at all, without an error. csv.ts then reads the whole file.
   */
  scannerOnly: boolean;
}

/** The header of a CSV file (its first record). */
async function csvHeader(
  key: string,
  path: string,
  bom: number,
  chunkBytes?: number,
): Promise<CsvHeader> {
  let header: (CsvHeader & { line: number; problem: string | null }) | null = null;
  const scanner = new CsvScanner(key, (record) => {
    if (header !== null) return;
    const names: string[] = [];
    for (let k = 0; k < record.count; k++) names.push(fieldText(record, k));
    const { line, problem, tabAfterQuote } = record;
    header = { names, scannerOnly: tabAfterQuote, line, problem };
  });
  await eachChunk(
    path,
    (chunk) => {
      scanner.push(chunk);
      return header === null;
    },
    { start: bom, chunkBytes },
  );
  if (header === null) scanner.end();
  const found = header as (CsvHeader & { line: number; problem: string | null }) | null;
  if (found === null) return { names: [], scannerOnly: false };
  // Lines ended by a lone CR (the old Mac format) make the whole file one record, which
  // would pass as a header with no rows: the file's rows would vanish without a word.
  if (found.names.some((name) => name.includes('\r'))) {
    throw new UnreadableFileError(
      key,
      'the header holds a carriage return (CR): the lines seem to end in CR alone; save the file with LF or CRLF line ends',
    );
  }
  // A data record with broken quoting is a rejected row; the header is no row, and its
  // names would be a guess. DuckDB's reader returns no row at all after such a header.
  if (found.problem !== null) {
    throw new UnreadableFileError(
      key,
      `the header on line ${found.line} is broken (${found.problem}); fix its quoting`,
    );
  }
  return { names: found.names, scannerOnly: found.scannerOnly };
}

/** Whether a byte is a space, tab or CR (what JSON Lines trims around a line). */
function isLineSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 0x0d;
}

/**
 * Every non-blank line of a JSON Lines file with its physical line number (blank lines are
 * counted, not delivered); `each` returns false to stop. A line longer than 16 MiB ends
 * the read: JSON Lines has one object per line, so such a file is not JSON Lines.
 */
async function eachJsonLine(
  key: string,
  path: string,
  bom: number,
  each: (text: string, line: number, utf8: boolean) => boolean | undefined,
  chunkBytes?: number,
): Promise<void> {
  let line = 0;
  let parts: Buffer[] = [];
  let partBytes = 0;
  let stopped = false;
  const onLine = (bytes: Buffer, start: number, end: number): void => {
    line++;
    let s = start;
    let e = end;
    while (s < e && isLineSpace(bytes[s] as number)) s++;
    while (e > s && isLineSpace(bytes[e - 1] as number)) e--;
    if (s === e) return;
    // Decoding replaces bytes that are no UTF-8 by U+FFFD: only a line holding one is checked.
    const text = bytes.toString('utf8', s, e);
    const utf8 = !text.includes('\uFFFD') || isUtf8(bytes.subarray(s, e));
    if (each(text, line, utf8) === false) stopped = true;
  };
  await eachChunk(
    path,
    (chunk) => {
      let position = 0;
      while (!stopped) {
        const lf = chunk.indexOf(LF, position);
        if (lf < 0) break;
        if (partBytes > 0) {
          parts.push(chunk.subarray(position, lf));
          const joined = Buffer.concat(parts, partBytes + lf - position);
          parts = [];
          partBytes = 0;
          onLine(joined, 0, joined.length);
        } else {
          onLine(chunk, position, lf);
        }
        position = lf + 1;
      }
      if (stopped) return false;
      if (position < chunk.length) {
        parts.push(Buffer.from(chunk.subarray(position)));
        partBytes += chunk.length - position;
        if (partBytes > MAX_RECORD_BYTES) {
          throw new UnreadableFileError(
            key,
            `line ${line + 1} is longer than ${Math.round(MAX_RECORD_BYTES / 1024 / 1024)} MiB; ` +
              'JSON Lines needs one object per line',
          );
        }
      }
      return true;
    },
    { start: bom, chunkBytes },
  );
  if (!stopped && partBytes > 0) {
    const joined = Buffer.concat(parts, partBytes);
    onLine(joined, 0, joined.length);
  }
}

function parseJsonLine(text: string): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The keys of the first JSON object of a JSON Lines file, or null when it has none. */
async function jsonHeader(
  key: string,
  path: string,
  bom: number,
  chunkBytes?: number,
): Promise<string[] | null> {
  let keys: string[] | null = null;
  await eachJsonLine(
    key,
    path,
    bom,
    (text) => {
      const parsed = parseJsonLine(text);
      if ('value' in parsed && isObject(parsed.value)) {
        keys = Object.keys(parsed.value);
        return false;
      }
      return true;
    },
    chunkBytes,
  );
  return keys;
}

// ---------------------------------------------------------------------------------------
// Time zones: local wall times as instants, from time/timestamps.ts
// ---------------------------------------------------------------------------------------

/** The wall times the one-statement load converts itself; others get a second look. */
const WALLS_FROM = Date.UTC(1900, 0, 1);
const WALLS_TO = Date.UTC(2100, 0, 1);

/**
 * SQL of the instant of a wall time in `timezone` for walls in 1900–2100 (NULL outside):
 * the zone's segments (`wallTimeSegments`) as a balanced tree of CASEs, a few comparisons
 * per value and no join, so it runs inside the streaming insert.
 */
function segmentTree(timezone: string): LocalInstantSql {
  const { from, to, walls, offsets } = wallTimeSegments(timezone, WALLS_FROM, WALLS_TO);
  const tree = (w: string, lo: number, hi: number): string => {
    if (lo === hi) return String(offsets[lo]);
    const mid = Math.ceil((lo + hi) / 2);
    return `CASE WHEN ${w} < ${walls[mid]} THEN ${tree(w, lo, mid - 1)} ELSE ${tree(w, mid, hi)} END`;
  };
  return (w) =>
    `CASE WHEN ${w} >= ${from} AND ${w} < ${to} THEN ${w} - (${tree(w, 0, walls.length - 1)}) END`;
}

// ---------------------------------------------------------------------------------------
// The load
// ---------------------------------------------------------------------------------------

/** Temporary tables of a load (dropped at its end). */
const LOOK = 'ld_look';
const WALLS = 'ld_walls';
const CHECKED = 'ld_checked';
const CSV_ERRORS = 'ld_csv_errors';
const CSV_SCANS = 'ld_csv_scans';

interface Load {
  db: Duck;
  file: LocalExport;
  /** The file's text on disk (the decompressed copy of a `.gz`). */
  path: string;
  bom: number;
  fileOrdinal: number;
  options: ReadOptions;
  columns: FileColumn[];
  /** Normalized header names (CSV), for the records of rejected rows. */
  header: string[];
  ignoredColumns: string[];
  /** The columns the raw table keeps. */
  stored: ReadonlySet<string>;
  /** CSV: DuckDB cannot read the file (`CsvHeader.scannerOnly`); csv.ts reads it. */
  scannerOnly: boolean;
}

interface Reject {
  line: number;
  column: string | null;
  reason: string;
  record: RejectedRow['record'];
}

/**
 * Runs `sql` keeping the rows in the order they are read (`preserve_insertion_order`, which
 * the engine may have turned off to save memory), then restores the setting.
 */
async function inFileOrder(db: Duck, sql: string): Promise<void> {
  const { ordered } = await db.one<{ ordered: boolean }>(
    "SELECT current_setting('preserve_insertion_order') AS ordered",
  );
  if (!ordered) await db.run('SET preserve_insertion_order = true');
  try {
    await db.run(sql);
  } finally {
    if (!ordered) await db.run('SET preserve_insertion_order = false');
  }
}

/** The `INSERT … SELECT` of typed rows from a rule query's result `from`. */
function insertSql(load: Load, from: string, rec: string, where = ''): string {
  // The raw table keeps only the columns it has (duck/tables.ts).
  const kept = load.columns.filter((c) => load.stored.has(c.name));
  const names = kept.map((c) => sqlIdent(c.name));
  const values = kept.map((c) => `x_${c.name}`);
  return `INSERT INTO ${rawTable(load.file.dataset)} (${names.join(', ')}, _file, _rec)
SELECT ${values.join(', ')}, ${load.fileOrdinal}, ${rec} FROM (${from}) ${where}`;
}

/** The rule query in flag mode: each row's typed values (`x_<column>`) and `bad`. */
function flagQuery(
  load: Load,
  source: string,
  columns: SourceColumn[],
  options: { numbered: boolean; rowCheck?: { ok: string; reason: string } },
): string {
  return ruleQuery({
    dataset: load.file.dataset,
    source,
    columns,
    currency: load.options.currency,
    localInstant: segmentTree(load.options.timezone),
    mode: 'flag',
    unnumbered: !options.numbered,
    ...(options.rowCheck === undefined ? {} : { rowCheck: options.rowCheck }),
  });
}

/**
 * The one-statement load: every row into the raw table, those that need a second look
 * marked with `_rec = −rn`. A source without `rn` (CSV, JSON Lines: no reader gives a
 * record number without serializing the scan) is numbered afterwards from `rowid`, which
 * keeps the file's order. Returns the rows inserted and how many of them are marked.
 */
async function insertAll(
  load: Load,
  source: string,
  columns: SourceColumn[],
  options: { numbered: boolean; rowCheck?: { ok: string; reason: string } },
): Promise<{ rows: number; marked: number }> {
  const query = flagQuery(load, source, columns, options);
  const table = rawTable(load.file.dataset);
  const file = `_file = ${load.fileOrdinal}`;
  const rec = options.numbered
    ? 'CASE WHEN bad THEN -rn ELSE rn - 1 END'
    : 'CASE WHEN bad THEN -1 ELSE 0 END';
  // rowid numbers the rows only if the insert keeps the file's order (DuckDB's default).
  await inFileOrder(load.db, insertSql(load, query, rec));
  const counts = await load.db.one<{ rows: number; marked: number; first: number; last: number }>(
    `SELECT count(*) AS rows, count(*) FILTER (WHERE _rec < 0) AS marked,
       min(rowid) AS first, max(rowid) AS last
     FROM ${table} WHERE ${file}`,
  );
  if (!options.numbered && counts.rows > 0) {
    // One INSERT appends its rows together and in order: rowid − first is the ordinal.
    // Should DuckDB ever leave gaps, the ordinals are counted instead.
    const contiguous = counts.last - counts.first + 1 === counts.rows;
    const ordinal = contiguous ? `rowid - ${counts.first}` : 'o.n';
    const from = contiguous
      ? ''
      : `FROM (SELECT rowid AS id, row_number() OVER (ORDER BY rowid) - 1 AS n
               FROM ${table} WHERE ${file}) o`;
    await load.db.run(
      `UPDATE ${table} SET _rec = CASE WHEN ${table}._rec < 0 THEN -(${ordinal}) - 1 ELSE ${ordinal} END
       ${from} WHERE ${contiguous ? file : `o.id = ${table}.rowid`}`,
    );
  }
  return { rows: counts.rows, marked: counts.marked };
}

/** The ordinals (`rn`) of the rows the one-statement load marked, ascending. */
async function markedOrdinals(load: Load): Promise<number[]> {
  const rows = await load.db.all<{ rn: number }>(
    `SELECT -_rec AS rn FROM ${rawTable(load.file.dataset)}
     WHERE _file = ${load.fileOrdinal} AND _rec < 0 ORDER BY rn`,
  );
  return rows.map((r) => r.rn);
}

async function dropMarked(load: Load): Promise<void> {
  await load.db.run(
    `DELETE FROM ${rawTable(load.file.dataset)} WHERE _file = ${load.fileOrdinal} AND _rec < 0`,
  );
}

async function dropFile(load: Pick<Load, 'db' | 'file' | 'fileOrdinal'>): Promise<void> {
  await load.db.run(`DELETE FROM ${rawTable(load.file.dataset)} WHERE _file = ${load.fileOrdinal}`);
}

/**
 * Applies the rules to the rows of `source` with exact zone handling (wall times outside
 * the segment tree's years go through `localWallTimeToInstant` one distinct value at a
 * time), inserts the good rows and returns the failing ones' ordinals and reasons.
 */
async function settle(
  load: Load,
  source: string,
  columns: SourceColumn[],
  rowCheck?: { ok: string; reason: string },
): Promise<{ rn: number; column: string | null; reason: string }[]> {
  const { db, file, options } = load;
  const base = {
    dataset: file.dataset,
    source,
    columns,
    currency: options.currency,
    ...(rowCheck === undefined ? {} : { rowCheck }),
  };
  const tree = segmentTree(options.timezone);
  const far = await db.all<{ wall: number }>(
    `SELECT wall FROM (${ruleQuery({ ...base, localInstant: tree, mode: 'walls' })})
     WHERE wall < ${WALLS_FROM} OR wall >= ${WALLS_TO}`,
  );
  await db.run(`CREATE OR REPLACE TABLE ${WALLS} (wall BIGINT, instant BIGINT)`);
  if (far.length > 0) {
    const appender = await db.connection.createAppender(WALLS);
    try {
      for (const { wall } of far) {
        const d = new Date(wall);
        const instant = localWallTimeToInstant(
          d.getUTCFullYear(),
          d.getUTCMonth() + 1,
          d.getUTCDate(),
          d.getUTCHours(),
          d.getUTCMinutes(),
          d.getUTCSeconds(),
          d.getUTCMilliseconds(),
          options.timezone,
        );
        appender.appendBigInt(BigInt(wall));
        appender.appendBigInt(BigInt(instant));
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  }
  const exact: LocalInstantSql = (w) =>
    `coalesce(${tree(w)}, (SELECT instant FROM ${WALLS} WHERE ${WALLS}.wall = ${w}))`;
  await db.run(
    `CREATE OR REPLACE TABLE ${CHECKED} AS ${ruleQuery({ ...base, localInstant: exact, mode: 'reason' })}`,
  );
  await db.run(insertSql(load, `SELECT * FROM ${CHECKED}`, 'rn - 1', 'WHERE reason IS NULL'));
  return await db.all<{ rn: number; column: string | null; reason: string }>(
    `SELECT rn, reject_column AS "column", reason FROM ${CHECKED} WHERE reason IS NOT NULL ORDER BY rn`,
  );
}

// ---------------------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------------------

/** Why a CSV record is not a row at all (broken quoting, a wrong number of fields), or null. */
function structuralProblem(record: CsvRecord, headerLength: number): string | null {
  if (record.problem !== null) return record.problem;
  if (record.count !== headerLength) {
    return `has ${record.count} field${record.count === 1 ? '' : 's'}, but the header has ${headerLength}`;
  }
  return null;
}

/**
 * Why a cell's bytes are no text: an export saved in another encoding (Excel's "CSV" is
 * Windows-1252 on most Windows machines). Decoding them would replace each such byte by
 * U+FFFD and change the value without a word (two ids could become one), so the row is
 * rejected instead; bytes in a column the dataset does not read are left alone.
 */
export const NOT_UTF8 =
  'holds bytes that are not UTF-8 text (the file seems saved in another encoding, such as Windows-1252; save it as UTF-8)';

/**
 * The first column the load reads (`csvColumns`) whose cell in `record` is not UTF-8, or
 * null. DuckDB's reader selects only those columns; bytes it refused elsewhere would send
 * the file to csv.ts whole (the counts differ), with the same rows as a result.
 */
function nonUtf8Column(read: readonly SourceColumn[], record: CsvRecord): string | null {
  for (const { column, sql } of read) {
    const k = column.index;
    if (sql === null || k >= record.count) continue;
    if (!isUtf8(record.bytes.subarray(record.starts[k], record.ends[k]))) return column.name;
  }
  return null;
}

function csvFields(record: CsvRecord, header: readonly string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (let k = 0; k < record.count; k++) {
    const name = k < header.length ? (header[k] as string) : `(field ${k + 1})`;
    fields[name] = rawFieldText(record, k);
  }
  return fields;
}

/**
 * Scans a CSV file after its header: records that are no row are rejected here (csv.ts
 * decides, as before); the others are numbered 1, 2, … (`rn`) and handed to `onRow`.
 * Returns how many of each there were.
 */
async function scanCsv(
  load: Load,
  onRow: (rn: number, record: CsvRecord) => void,
  rejects: Reject[],
): Promise<{ rows: number; broken: number }> {
  let seenHeader = false;
  let rows = 0;
  let broken = 0;
  const scanner = new CsvScanner(load.file.key, (record) => {
    if (!seenHeader) {
      seenHeader = true;
      return;
    }
    const problem = structuralProblem(record, load.header.length);
    if (problem !== null) {
      broken++;
      rejects.push({
        line: record.line,
        column: null,
        reason: problem,
        record: csvFields(record, load.header),
      });
      return;
    }
    rows++;
    onRow(rows, record);
  });
  await eachChunk(
    load.path,
    (chunk) => {
      scanner.push(chunk);
      return true;
    },
    { start: load.bom, chunkBytes: load.file.chunkBytes },
  );
  scanner.end();
  return { rows, broken };
}

/**
 * The record size DuckDB's reader accepts (one more byte than csv.ts, so that csv.ts is the
 * one to refuse a record of exactly the limit's size) and its buffer. DuckDB's default
 * buffer is 16 record sizes, 256 MiB here: each thread held one and the next, which cost
 * 250 MB of resident memory on a 380 MB file (BENCHMARKS.md) and made DuckDB spill its
 * tables early. 32 MiB is DuckDB's default buffer for its own default record size; a record
 * longer than the buffer makes it report errors (then csv.ts reads the file), and a line
 * longer than a record never reaches it (`hasOverlongLine`).
 */
const READER_BUFFERS = `max_line_size = ${MAX_RECORD_BYTES + 1}, buffer_size = ${2 * MAX_RECORD_BYTES}`;

function readCsvSql(load: Load, read: readonly SourceColumn[]): string {
  const columns = load.header.map((_, k) => `'c${k}': 'VARCHAR'`).join(', ');
  const used = read.flatMap((c) => (c.sql === null ? [] : [c.sql]));
  return `(SELECT ${used.length === 0 ? '1 AS none' : used.join(', ')} FROM read_csv(${sqlString(load.path)},
    header = true, auto_detect = false, delim = ',', quote = '"', escape = '"',
    strict_mode = true, columns = {${columns}}, compression = 'none',
    ${READER_BUFFERS}, store_rejects = true,
    rejects_table = '${CSV_ERRORS}', rejects_scan = '${CSV_SCANS}'))`;
}

/**
 * Rejects (and rows) of the records `wanted` of a CSV file (`'all'`: the scanner's records
 * are the rows, after DuckDB could not read the file), and the scanner's counts.
 */
async function lookCsv(
  load: Load,
  wanted: readonly number[] | 'all',
  rejects: Reject[],
): Promise<{ rows: number; broken: number }> {
  const { db } = load;
  const cells = load.header.map((_, k) => `c${k} VARCHAR`);
  await db.run(`CREATE OR REPLACE TABLE ${LOOK} (rn BIGINT, line BIGINT, ${cells.join(', ')})`);
  const appender = await db.connection.createAppender(LOOK);
  const read = csvColumns(load);
  let next = 0;
  let counts: { rows: number; broken: number };
  try {
    counts = await scanCsv(
      load,
      (rn, record) => {
        if (wanted !== 'all') {
          if (wanted[next] !== rn) return;
          next++;
        }
        const notText = nonUtf8Column(read, record);
        if (notText !== null) {
          rejects.push({
            line: record.line,
            column: notText,
            reason: NOT_UTF8,
            record: csvFields(record, load.header),
          });
          return;
        }
        appender.appendBigInt(BigInt(rn));
        appender.appendBigInt(BigInt(record.line));
        for (let k = 0; k < record.count; k++) appender.appendVarchar(rawFieldText(record, k));
        appender.endRow();
      },
      rejects,
    );
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
  const columns: SourceColumn[] = load.columns.map((column) => ({
    column,
    sql: column.index >= 0 ? `c${column.index}` : null,
    type: 'text',
  }));
  const failed = await settle(load, LOOK, columns);
  if (failed.length > 0) {
    const records = await db.all<Record<string, string | number>>(
      `SELECT l.* FROM ${LOOK} l SEMI JOIN ${CHECKED} c ON c.rn = l.rn AND c.reason IS NOT NULL ORDER BY l.rn`,
    );
    failed.forEach((f, i) => {
      const row = records[i] as Record<string, string | number>;
      const record: Record<string, string> = {};
      load.header.forEach((name, k) => {
        record[name] = String(row[`c${k}`] ?? '');
      });
      rejects.push({ line: row.line as number, column: f.column, reason: f.reason, record });
    });
  }
  return counts;
}

/**
 * Whether a physical line of the file is longer than a record may be. DuckDB's reader
 * skips a line longer than its buffer (`READER_BUFFERS`, 32 MiB) without an error
 * or a reject: a file with a 300 MB line lost that row and kept the others without a word.
 * Such a file goes to the exact readers (csv.ts, `eachJsonLine`), which refuse it whole.
 * Only a file bigger than a record can hold one. The scan looks for LF bytes only, and only
 * at each chunk's ends: a chunk (1 MiB) is shorter than a record, so a line longer than a
 * record spans chunks and its length is the run from the last LF of one chunk to the first
 * LF of a later one (a scan of every line cost 0.12–0.16 s on 380 MB, this one 0.10, which
 * is reading the file).
 */
export async function hasOverlongLine(path: string): Promise<boolean> {
  if ((await stat(path)).size <= MAX_RECORD_BYTES) return false;
  let run = 0;
  let found = false;
  await eachChunk(path, (chunk) => {
    const first = chunk.indexOf(LF);
    if (first < 0) {
      run += chunk.length;
    } else {
      if (run + first > MAX_RECORD_BYTES) found = true;
      run = chunk.length - chunk.lastIndexOf(LF) - 1;
    }
    if (run > MAX_RECORD_BYTES) found = true;
    return !found;
  });
  return found;
}

/**
 * The columns the CSV load reads. One that no rule can reject and no table keeps is not
 * read: DuckDB's reader still counts its fields (a record with too many or too few is
 * rejected all the same).
 */
function csvColumns(load: Load): SourceColumn[] {
  return load.columns.map((column) => ({
    column,
    sql:
      column.index >= 0 && (textCanFail(column) || load.stored.has(column.name))
        ? `c${column.index}`
        : null,
    type: 'text',
  }));
}

async function loadCsv(load: Load, rejects: Reject[]): Promise<number> {
  const { db } = load;
  await db.run(`DROP TABLE IF EXISTS ${CSV_ERRORS}`);
  await db.run(`DROP TABLE IF EXISTS ${CSV_SCANS}`);
  const columns = csvColumns(load);
  let fast: { rows: number; marked: number } | null = null;
  try {
    if (!load.scannerOnly && !(await hasOverlongLine(load.path))) {
      fast = await insertAll(load, readCsvSql(load, columns), columns, { numbered: false });
    }
  } catch (error) {
    // DuckDB could not read the file its way (a lone CR, mixed line ends): csv.ts reads it.
    if (error instanceof DatasetError) throw error;
    await dropFile(load);
  }
  if (fast !== null) {
    const { skipped } = await db.one<{ skipped: number }>(
      `SELECT count(DISTINCT line) AS skipped FROM ${CSV_ERRORS}`,
    );
    if (fast.marked === 0 && skipped === 0) return fast.rows;
    const wanted = await markedOrdinals(load);
    const look: Reject[] = [];
    const counts = await lookCsv(load, wanted, look);
    if (counts.rows === fast.rows && counts.broken === skipped) {
      await dropMarked(load);
      rejects.push(...look);
      return counts.rows + counts.broken;
    }
    // DuckDB and csv.ts split the file differently: csv.ts decides.
    await dropFile(load);
  }
  const counts = await lookCsv(load, 'all', rejects);
  return counts.rows + counts.broken;
}

// ---------------------------------------------------------------------------------------
// JSON Lines
// ---------------------------------------------------------------------------------------

/** A JSON pointer to a key (RFC 6901): `~` and `/` escaped. */
function pointer(key: string): string {
  return `/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
}

/**
 * Lines DuckDB cannot read as an object. JavaScript has rejected the lines that are no
 * JSON object by then, so this only catches the odd line the two parsers disagree on.
 */
const JSON_OBJECT = { ok: 'is_object', reason: 'is not valid JSON (DuckDB cannot read it)' };

/** A NaN or an infinity as a bare word (yyjson, DuckDB's parser, takes any case). */
const JSON_WORD = `[ \\t\\r]*-?([Nn][Aa][Nn]|[Ii][Nn][Ff])`;

/**
 * What DuckDB's JSON reader accepts and JSON (RFC 8259, JSON.parse) does not: NaN and the
 * infinities as bare words (`NaN`, `-Infinity`, `inf`, in any case) and a comma before `}`
 * or `]`. The one-statement load cannot tell them from good lines, so a line that may hold
 * one is marked, and the second look's JSON.parse decides: a pattern that also matches
 * inside strings (`"ratio:inf"`, `"a,]"`) only costs that line the look. A seeded fuzz of
 * 200,000 near-JSON lines found no other line DuckDB takes as an object and JSON.parse
 * does not (it found the reverse: DuckDB refuses a lone surrogate `"\ud800"`). Three
 * patterns, each starting with one byte: RE2 runs them in half the time of one pattern
 * starting with `[:,[]` (0.15 s against 0.29 s on 1 M lines, 171 MB).
 */
const LENIENT_JSON = [`:${JSON_WORD}`, `,(${JSON_WORD}|[ \\t\\r]*[\\]}])`, `\\[${JSON_WORD}`]
  .map((pattern) => `regexp_matches(j, '${pattern}')`)
  .join(' OR ');

/** The rows of the one-statement load that need the second look: as `JSON_OBJECT`, or lenient. */
const JSON_STRICT = { ok: `is_object AND NOT (${LENIENT_JSON})`, reason: JSON_OBJECT.reason };

function jsonColumns(load: Load): SourceColumn[] {
  return load.columns.map((column, i) => ({
    column,
    sql: `e[${i + 1}]`,
    type: 'json' as CellType,
  }));
}

/** The lines (`j`) of `lines`, whether each is an object, and its cells `e` (a JSON list). */
function jsonSource(load: Load, lines: string): string {
  const paths = load.columns.map((c) => sqlString(pointer(c.key))).join(', ');
  return `(SELECT *, CASE WHEN is_object THEN json_extract(j, [${paths}]) END AS e
    FROM (SELECT *, coalesce(CASE WHEN json_valid(j) THEN json_type(j) = 'OBJECT' END, false) AS is_object
          FROM ${lines}))`;
}

function readJsonLinesSql(load: Load): string {
  const line = `CASE WHEN prefix(j, ' ') OR suffix(j, ' ') OR prefix(j, chr(9)) OR suffix(j, chr(9))
    OR suffix(j, chr(13)) THEN nullif(trim(j, ' ' || chr(9) || chr(13)), '') ELSE nullif(j, '') END`;
  // Each line one VARCHAR: no quote, and a delimiter (NUL) no JSON text holds. A line that
  // holds a NUL anyway is no JSON, but DuckDB would end the line there (`{…}\0junk` read as
  // `{…}`): the text after it goes to `k`, and such a line becomes '' (no JSON) for the
  // second look. `nullstr` makes an empty `k` (a NUL at the end) '' rather than NULL; the
  // one line it makes NULL (`\x01\x02` alone) is no JSON either.
  return `(SELECT j FROM (
    SELECT CASE WHEN k IS NULL AND j IS NOT NULL THEN ${line} ELSE '' END AS j
    FROM read_csv(${sqlString(load.path)}, header = false,
      auto_detect = false, delim = chr(0), quote = '', escape = '', strict_mode = false,
      columns = {'j': 'VARCHAR', 'k': 'VARCHAR'}, null_padding = true, nullstr = chr(1) || chr(2),
      compression = 'none', ${READER_BUFFERS},
      store_rejects = true, rejects_table = '${CSV_ERRORS}', rejects_scan = '${CSV_SCANS}')
    ) WHERE j IS NOT NULL)`;
}

/**
 * Whether the file holds a CR that does not end a line (no LF after it). DuckDB's line
 * reader ends a line there and JSON Lines does not: `{…}\r{…}` is one line that JSON.parse
 * refuses, and two good rows to DuckDB. The second look compares the counts of lines.
 */
async function hasLoneCr(path: string, chunkBytes?: number): Promise<boolean> {
  let found = false;
  let crEndsChunk = false;
  await eachChunk(
    path,
    (chunk) => {
      if (crEndsChunk && chunk[0] !== LF) found = true;
      let at = found ? -1 : chunk.indexOf(CR);
      while (at >= 0 && at + 1 < chunk.length) {
        if (chunk[at + 1] !== LF) {
          found = true;
          break;
        }
        at = chunk.indexOf(CR, at + 2);
      }
      crEndsChunk = !found && at === chunk.length - 1;
      return !found;
    },
    { chunkBytes },
  );
  return found;
}

/**
 * The first column the dataset reads whose value in a line that is not all UTF-8 holds the
 * U+FFFD its decoding put for such bytes, or null (they were in a key no column reads).
 */
function nonUtf8Key(load: Load, object: Record<string, unknown>): string | null {
  for (const column of load.columns) {
    const value = object[column.key];
    if (value === undefined || value === null) continue;
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    if (text.includes('\uFFFD')) return column.name;
  }
  return null;
}

async function lookJsonLines(
  load: Load,
  wanted: readonly number[] | 'all',
  rejects: Reject[],
): Promise<number> {
  const { db, file } = load;
  await db.run(`CREATE OR REPLACE TABLE ${LOOK} (rn BIGINT, line BIGINT, j VARCHAR)`);
  const objects = new Map<number, { line: number; value: Record<string, unknown> }>();
  const appender = await db.connection.createAppender(LOOK);
  let rows = 0;
  let next = 0;
  try {
    await eachJsonLine(
      file.key,
      load.path,
      load.bom,
      (text, line, utf8) => {
        rows++;
        if (wanted !== 'all') {
          if (wanted[next] !== rows) return true;
          next++;
        }
        const parsed = parseJsonLine(text);
        if ('error' in parsed) {
          rejects.push({
            line,
            column: null,
            reason: `is not valid JSON (${parsed.error})`,
            record: text,
          });
        } else if (!isObject(parsed.value)) {
          rejects.push({
            line,
            column: null,
            reason: 'is not a JSON object',
            record: JSON.stringify(parsed.value),
          });
        } else {
          const notText = utf8 ? null : nonUtf8Key(load, parsed.value);
          if (notText !== null) {
            rejects.push({ line, column: notText, reason: NOT_UTF8, record: parsed.value });
            return true;
          }
          objects.set(rows, { line, value: parsed.value });
          appender.appendBigInt(BigInt(rows));
          appender.appendBigInt(BigInt(line));
          appender.appendVarchar(text);
          appender.endRow();
        }
        return true;
      },
      file.chunkBytes,
    );
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
  const failed = await settle(load, jsonSource(load, LOOK), jsonColumns(load), JSON_OBJECT);
  for (const f of failed) {
    const object = objects.get(f.rn) as { line: number; value: Record<string, unknown> };
    rejects.push({ line: object.line, column: f.column, reason: f.reason, record: object.value });
  }
  return rows;
}

async function loadJsonLines(load: Load, rejects: Reject[]): Promise<number> {
  const { db } = load;
  await db.run(`DROP TABLE IF EXISTS ${CSV_ERRORS}`);
  await db.run(`DROP TABLE IF EXISTS ${CSV_SCANS}`);
  let fast: { rows: number; marked: number } | null = null;
  try {
    if (!(await hasOverlongLine(load.path))) {
      fast = await insertAll(load, jsonSource(load, readJsonLinesSql(load)), jsonColumns(load), {
        numbered: false,
        rowCheck: JSON_STRICT,
      });
    }
  } catch (error) {
    if (error instanceof DatasetError) throw error;
    await dropFile(load);
  }
  if (fast !== null) {
    const { skipped } = await db.one<{ skipped: number }>(
      `SELECT count(*) AS skipped FROM ${CSV_ERRORS}`,
    );
    if (fast.marked === 0 && skipped === 0 && !(await hasLoneCr(load.path, load.file.chunkBytes))) {
      return fast.rows;
    }
    const look: Reject[] = [];
    const rows = await lookJsonLines(load, await markedOrdinals(load), look);
    if (rows === fast.rows && skipped === 0) {
      await dropMarked(load);
      rejects.push(...look);
      return rows;
    }
    await dropFile(load);
  }
  return await lookJsonLines(load, 'all', rejects);
}

// ---------------------------------------------------------------------------------------
// Parquet
// ---------------------------------------------------------------------------------------

/**
 * How a Parquet column of DuckDB type `type` is read, and the SQL of its cell from `p`.
 * A type no rule reads (TIME, INTERVAL, BLOB, …) is `other`: text in a text column, and a
 * rejected row, naming the type, in a column of numbers or times.
 */
function parquetCell(type: string, p: string): Pick<SourceColumn, 'sql' | 'type' | 'typeName'> {
  if (type === 'VARCHAR') return { sql: p, type: 'text' };
  if (/^(U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?|DECIMAL.*)$/.test(type)) {
    return { sql: p, type: 'decimal' };
  }
  if (/^(FLOAT|DOUBLE|REAL)$/.test(type)) return { sql: p, type: 'number' };
  if (type === 'BOOLEAN') return { sql: p, type: 'boolean' };
  if (type === 'TIMESTAMP WITH TIME ZONE') return { sql: p, type: 'instant' };
  if (/^(DATE|TIMESTAMP(_S|_MS|_NS)?)$/.test(type)) return { sql: p, type: 'wall' };
  if (/\[\d*\]$|^(STRUCT|MAP|UNION)\b/.test(type)) return { sql: p, type: 'nested' };
  // Ids a writer typed as UUIDs, and an enum's labels, are their text.
  if (type === 'UUID' || type.startsWith('ENUM(')) {
    return { sql: `CAST(${p} AS VARCHAR)`, type: 'text' };
  }
  if (type === 'JSON') return { sql: p, type: 'json' };
  return { sql: p, type: 'other', typeName: type };
}

/**
 * A rejected Parquet row's record from DuckDB's `to_json` of the row. That writes a NaN or
 * infinite double as the bare word `NaN`, `Infinity` or `-Infinity`, which is no JSON
 * (JSON.parse throws), and a whole number beyond 2^53 that a JavaScript number would
 * round: both are kept as their text (`"NaN"`, `"9223372036854775807"`).
 */
function parseRowJson(json: string): Record<string, unknown> {
  const strict = json.replace(
    /"(?:[^"\\]|\\.)*"|-?(?:NaN|Infinity)|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g,
    (token) => {
      if (token.startsWith('"')) return token;
      if (/^-?(?:NaN|Infinity)$/.test(token)) return `"${token}"`;
      return /^-?\d+$/.test(token) && !Number.isSafeInteger(Number(token)) ? `"${token}"` : token;
    },
  );
  return JSON.parse(strict) as Record<string, unknown>;
}

async function loadParquet(load: Load, schema: ParquetSchema, rejects: Reject[]): Promise<number> {
  const { db } = load;
  const { types, sqlNames } = schema;
  const path = sqlString(load.path);
  const columns: SourceColumn[] = load.columns.map((column) =>
    column.index >= 0
      ? { column, ...parquetCell(types[column.index] as string, `p${column.index}`) }
      : { column, sql: null, type: 'text' },
  );
  const names = sqlNames.map((name, k) => `${sqlIdent(name)} AS p${k}`);
  const source = (where: string) =>
    `(SELECT file_row_number + 1 AS rn, ${names.join(', ')}
      FROM read_parquet(${path}, file_row_number = true) ${where})`;
  const fast = await insertAll(load, source(''), columns, { numbered: true });
  if (fast.marked === 0) return fast.rows;
  await db.run(
    `CREATE OR REPLACE TABLE ${LOOK} AS SELECT -_rec AS rn FROM ${rawTable(load.file.dataset)}
     WHERE _file = ${load.fileOrdinal} AND _rec < 0`,
  );
  await dropMarked(load);
  const failed = await settle(
    load,
    source(`WHERE file_row_number + 1 IN (SELECT rn FROM ${LOOK})`),
    columns,
  );
  if (failed.length > 0) {
    const records = await db.all<{ rn: number; record: string }>(
      `SELECT file_row_number + 1 AS rn, CAST(to_json(p) AS VARCHAR) AS record
       FROM (SELECT * EXCLUDE (file_row_number), file_row_number
             FROM read_parquet(${path}, file_row_number = true)) p
       WHERE file_row_number + 1 IN (SELECT rn FROM ${CHECKED} WHERE reason IS NOT NULL)
       ORDER BY rn`,
    );
    // The record's keys are the file's own column names (`load.header`).
    const named = new Map(sqlNames.map((name, k) => [name, load.header[k] as string]));
    failed.forEach((f, i) => {
      const row = parseRowJson((records[i] as { record: string }).record);
      const object: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(row)) {
        if (key !== 'file_row_number') object[named.get(key) ?? key] = value;
      }
      rejects.push({ line: f.rn, column: f.column, reason: f.reason, record: object });
    });
  }
  return fast.rows;
}

interface ParquetSchema {
  /** The top-level column names as the file has them. */
  names: string[];
  /**
   * The names by which SQL reads them (`names[k]` is `sqlNames[k]`): DuckDB's reader gives
   * a name that repeats another, ignoring case, a suffix (`User_ID` after `user_id` reads
   * as `User_ID_1`), and the load's copy of a file with a `file_row_number` column names
   * its columns by position.
   */
  sqlNames: string[];
  /** Their DuckDB types. */
  types: string[];
}

/**
 * The top-level column names of a Parquet file as it holds them. `parquet_schema` lists its
 * schema tree depth first: the root, then each column followed by its nested fields.
 */
async function parquetNames(db: Duck, path: string): Promise<string[]> {
  const tree = await db.all<{ name: string; num_children: number | bigint | null }>(
    `SELECT name, num_children FROM parquet_schema(${sqlString(path)})`,
  );
  const names: string[] = [];
  let i = 1;
  const skip = (): void => {
    const children = Number(tree[i]?.num_children ?? 0);
    i++;
    for (let k = 0; k < children; k++) skip();
  };
  while (i < tree.length) {
    names.push((tree[i] as { name: string }).name);
    skip();
  }
  return names;
}

/** The column names and DuckDB types of a Parquet file. */
async function parquetSchema(db: Duck, key: string, path: string): Promise<ParquetSchema> {
  try {
    const rows = await db.all<{ column_name: string; column_type: string }>(
      `DESCRIBE SELECT * FROM read_parquet(${sqlString(path)})`,
    );
    const sqlNames = rows.map((r) => r.column_name);
    const names = await parquetNames(db, path);
    return {
      names: names.length === sqlNames.length ? names : sqlNames,
      sqlNames,
      types: rows.map((r) => r.column_type),
    };
  } catch (error) {
    const detail =
      error instanceof Error ? (error.message.split('\n')[0] as string) : String(error);
    throw new UnreadableFileError(key, `the file is not valid Parquet (${detail})`, {
      cause: error,
    });
  }
}

/**
 * DuckDB numbers a Parquet file's rows in a column it calls `file_row_number`, and refuses
 * to for a file that has a column of that name. Such a file is copied first, its columns
 * named by position (`p0`, `p1`, …) and its rows in order (`preserve_insertion_order`);
 * the copy's schema keeps the file's names for the header and the records.
 */
async function withoutRowNumberColumn(
  db: Duck,
  key: string,
  path: string,
  work: string,
  schema: ParquetSchema,
): Promise<{ path: string; schema: ParquetSchema }> {
  if (!schema.sqlNames.some((name) => name.toLowerCase() === 'file_row_number')) {
    return { path, schema };
  }
  const copy = join(work, 'positional.parquet');
  const columns = schema.sqlNames.map((name, k) => `${sqlIdent(name)} AS p${k}`).join(', ');
  await inFileOrder(
    db,
    `COPY (SELECT ${columns} FROM read_parquet(${sqlString(path)})) TO ${sqlString(copy)} (FORMAT parquet)`,
  );
  const copied = await parquetSchema(db, key, copy);
  return { path: copy, schema: { ...copied, names: schema.names } };
}

/**
 * The load of a CSV or JSON Lines file (`path`: its text, decompressed): its start checked,
 * its header (or first object) read and matched to the dataset's columns.
 */
async function textLoad(
  base: Omit<Load, 'bom' | 'columns' | 'header' | 'ignoredColumns' | 'scannerOnly'>,
  format: ExportFormat,
): Promise<Load> {
  const { file, path } = base;
  const bom = await checkStart(file.key, path, format.gzip);
  if (format.syntax === 'jsonl') {
    const keys = await jsonHeader(file.key, path, bom, file.chunkBytes);
    return {
      ...base,
      bom,
      scannerOnly: false,
      ...matchHeader(file.dataset, file.key, base.options, keys),
    };
  }
  const { names, scannerOnly } = await csvHeader(file.key, path, bom, file.chunkBytes);
  return { ...base, bom, scannerOnly, ...matchHeader(file.dataset, file.key, base.options, names) };
}

// ---------------------------------------------------------------------------------------
// Entry points
// ---------------------------------------------------------------------------------------

async function dropWorkTables(db: Duck): Promise<void> {
  for (const table of [LOOK, WALLS, CHECKED, CSV_ERRORS, CSV_SCANS]) {
    await db.run(`DROP TABLE IF EXISTS ${table}`);
  }
}

/**
 * Validates one export file into `raw_<dataset>` as file `fileOrdinal` (its rows get
 * `_file = fileOrdinal` and `_rec` = their ordinal in the file, from 0); rejected rows go
 * to `onReject` in line order. Returns the counts.
 *
 * Throws (all `DatasetError`, and then none of the file's rows are in the table):
 * `UnsupportedFormatError` for a key that does not end in `.csv`, `.csv.gz`, `.jsonl`,
 * `.jsonl.gz` or `.parquet`; `MissingColumnError` when the header (for JSON Lines, the first
 * object; for Parquet, the columns) lacks a required column; `UnreadableFileError` for
 * corrupt or truncated gzip, UTF-16 text, a record over 16 MiB or a file that is not Parquet.
 */
export async function loadExport(
  db: Duck,
  file: LocalExport,
  fileOrdinal: number,
  options: ReadOptions,
  onReject: RejectSink,
): Promise<ReadStats> {
  const format = formatOf(file.key);
  if (format === null) throw new UnsupportedFormatError(file.key);
  const work = await mkdtemp(join(file.scratchDirectory ?? tmpdir(), 'load-'));
  const rejects: Reject[] = [];
  try {
    let path = file.path;
    if (format.gzip) {
      path = join(work, 'plain');
      await gunzipTo(file.key, file.path, path);
    }
    const stored = await storedColumns(db, file.dataset);
    let rowsRead: number;
    let ignoredColumns: string[];
    if (format.syntax === 'parquet') {
      const read = await withoutRowNumberColumn(
        db,
        file.key,
        path,
        work,
        await parquetSchema(db, file.key, path),
      );
      path = read.path;
      const matched = matchHeader(file.dataset, file.key, options, read.schema.names);
      ignoredColumns = matched.ignoredColumns;
      const load: Load = {
        db,
        file,
        path,
        bom: 0,
        fileOrdinal,
        options,
        stored,
        scannerOnly: false,
        ...matched,
      };
      rowsRead = await loadParquet(load, read.schema, rejects);
    } else {
      const load = await textLoad({ db, file, path, fileOrdinal, options, stored }, format);
      ignoredColumns = load.ignoredColumns;
      rowsRead =
        format.syntax === 'csv' ? await loadCsv(load, rejects) : await loadJsonLines(load, rejects);
    }
    rejects.sort((a, b) => a.line - b.line);
    for (const r of rejects) {
      onReject({ dataset: file.dataset, file: file.key, ...r });
    }
    return {
      rowsRead,
      rowsAccepted: rowsRead - rejects.length,
      rowsRejected: rejects.length,
      ignoredColumns,
    };
  } catch (error) {
    await dropFile({ db, file, fileOrdinal });
    throw error;
  } finally {
    await dropWorkTables(db);
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * The query with which the load validates a plain CSV export in one scan before storing
 * it: a relation of every record's typed values (`x_<column>`) and `bad` (it breaks a rule;
 * the load then looks at it again for the reason). Its reader stores what DuckDB cannot
 * split in the `ld_csv_errors` table. For benchmarks that measure the validation without
 * the table (scripts/bench.ts); `db` must hold the dataset tables (`createDatasetTables`),
 * which decide the columns read.
 */
export async function csvRuleSql(
  db: Duck,
  file: Pick<LocalExport, 'dataset' | 'key' | 'path'>,
  options: ReadOptions,
): Promise<string> {
  const format = formatOf(file.key);
  if (format?.syntax !== 'csv' || format.gzip) {
    throw new RangeError(`csvRuleSql reads a plain .csv file, not ${file.key}`);
  }
  const stored = await storedColumns(db, file.dataset);
  const load = await textLoad(
    { db, file, path: file.path, fileOrdinal: 0, options, stored },
    format,
  );
  const columns = csvColumns(load);
  return flagQuery(load, readCsvSql(load, columns), columns, { numbered: false });
}

/**
 * The 1-based physical line of each row ordinal of a CSV or JSON Lines file (`_rec` + 1 is
 * the ordinal), by scanning it: what a test or the `readExport` shim needs to give every
 * accepted row its line. Records that are no row (CSV) have no ordinal.
 */
export async function recordLines(file: LocalExport): Promise<number[]> {
  const format = formatOf(file.key);
  if (format === null || format.syntax === 'parquet') return [];
  const work = await mkdtemp(join(tmpdir(), 'lines-'));
  try {
    let path = file.path;
    if (format.gzip) {
      path = join(work, 'plain');
      await gunzipTo(file.key, file.path, path);
    }
    const bom = await checkStart(file.key, path, format.gzip);
    const lines: number[] = [];
    if (format.syntax === 'jsonl') {
      await eachJsonLine(
        file.key,
        path,
        bom,
        (_, line) => {
          lines.push(line);
          return true;
        },
        file.chunkBytes,
      );
      return lines;
    }
    const header = await csvHeader(file.key, path, bom, file.chunkBytes);
    let seenHeader = false;
    const scanner = new CsvScanner(file.key, (record) => {
      if (!seenHeader) {
        seenHeader = true;
        return;
      }
      if (structuralProblem(record, header.names.length) === null) lines.push(record.line);
    });
    await eachChunk(
      path,
      (chunk) => {
        scanner.push(chunk);
        return true;
      },
      { start: bom, chunkBytes: file.chunkBytes },
    );
    scanner.end();
    return lines;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
