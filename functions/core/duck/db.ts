/**
 * The one compute engine: an in-process DuckDB database. Exports are validated into typed
 * tables (duck/tables.ts) and every metric family is SQL over them (metrics/*.ts).
 *
 * One `Duck` per computation: a fresh in-memory database, so nothing leaks between reports
 * or tests. In Lambda the memory limit and the spill directory come from the function's
 * memory and its ephemeral storage (functions/adapters/engine-env.ts).
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';

export interface DuckOptions {
  /**
   * DuckDB's `memory_limit`, in MiB (as Lambda counts memory); with a limit, DuckDB also
   * returns freed memory to the system at once. @default - DuckDB's default (80 % of RAM)
   */
  memoryLimitMb?: number;
  /** Where DuckDB spills when a query outgrows the memory limit. @default - none */
  tempDirectory?: string;
  /** Worker threads. @default - DuckDB's default (one per core) */
  threads?: number;
  /**
   * Where the tables live. `file`: a database file in `tempDirectory`, deleted on close, into
   * which DuckDB writes each full row group of a large insert compressed, so that the rows
   * take a fraction of the memory of `memory` (5 M events: 62 MB instead of 458 MB) and the
   * buffer manager keeps only what the queries touch; `memory`: uncompressed in memory,
   * spilled whole past the limit. @default - `file` when `tempDirectory` is given, else `memory`
   */
  storage?: 'memory' | 'file';
}

export type SqlParams = Record<string, DuckDBValue>;

/** A query result row with BIGINT and HUGEINT turned into numbers (all ours fit 2^53). */
export type SqlRow = Record<string, unknown>;

function toJs(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(toJs);
  return value;
}

export class Duck {
  private constructor(
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
    /** The database file, when the tables live in one. */
    private readonly file: string | null,
  ) {}

  static async open(options: DuckOptions = {}): Promise<Duck> {
    const settings: Record<string, string> = {};
    if (options.memoryLimitMb !== undefined) {
      settings.memory_limit = `${options.memoryLimitMb}MiB`;
      // Freed memory goes back to the system after each task. By default DuckDB's allocator
      // keeps up to 128 MiB (512 MiB after a bulk free) for reuse, outside the limit: as much
      // as Lambda's whole limit. On 10 M events under a 128 MiB limit, one thread, the peak
      // RSS was 332–430 MB with this and 482–500 MB without, in the same time (BENCHMARKS.md).
      settings.allocator_flush_threshold = '1MiB';
      settings.allocator_bulk_deallocation_flush_threshold = '1MiB';
    }
    if (options.tempDirectory !== undefined) settings.temp_directory = options.tempDirectory;
    if (options.threads !== undefined) settings.threads = String(options.threads);
    const storage = options.storage ?? (options.tempDirectory === undefined ? 'memory' : 'file');
    if (storage === 'file' && options.tempDirectory === undefined) {
      throw new RangeError('storage "file" needs a tempDirectory to hold the database file');
    }
    if (storage === 'memory' && options.memoryLimitMb === undefined) {
      // No automatic checkpoints: an in-memory database is thrown away on close, so one only
      // compresses and merges its row groups. A commit past the default 16 MiB threshold runs
      // one, and a parallel insert leaves many part-filled row groups to merge: on 5 M orders
      // the commit of the record-numbering UPDATE took 0.8–1.1 s of its 0.9–1.2 s
      // (BENCHMARKS.md). Under a memory limit the compression is worth it, and in a database
      // file checkpoints are what write the rows out of memory: there they stay.
      settings.checkpoint_threshold = '1TB';
    }
    let file: string | null = null;
    if (storage === 'file') {
      await mkdir(options.tempDirectory as string, { recursive: true });
      file = join(options.tempDirectory as string, `${randomUUID()}.duckdb`);
    }
    const instance = await DuckDBInstance.create(file ?? ':memory:', settings);
    try {
      return new Duck(instance, await instance.connect(), file);
    } catch (error) {
      instance.closeSync();
      if (file !== null) removeDatabase(file);
      throw error;
    }
  }

  /** Runs statements for their effect. */
  async run(sql: string, params?: SqlParams): Promise<void> {
    await this.connection.run(sql, params);
  }

  /** Runs a query and returns its rows as plain objects. */
  async all<T extends SqlRow = SqlRow>(sql: string, params?: SqlParams): Promise<T[]> {
    const reader = await this.connection.runAndReadAll(sql, params);
    const rows = reader.getRowObjectsJS() as Record<string, unknown>[];
    for (const row of rows) for (const k of Object.keys(row)) row[k] = toJs(row[k]);
    return rows as T[];
  }

  /** The first row of a query; throws when there is none. */
  async one<T extends SqlRow = SqlRow>(sql: string, params?: SqlParams): Promise<T> {
    const rows = await this.all<T>(sql, params);
    const row = rows[0];
    if (!row) throw new Error(`query returned no row: ${sql.slice(0, 80)}`);
    return row;
  }

  close(): void {
    try {
      this.connection.closeSync();
      this.instance.closeSync();
    } finally {
      if (this.file !== null) removeDatabase(this.file);
    }
  }
}

/** Deletes a database file and its write-ahead log. */
function removeDatabase(file: string): void {
  for (const path of [file, `${file}.wal`]) rmSync(path, { force: true });
}

/** Opens a database, runs `fn` with it, and closes it whatever happens. */
export async function withDuck<T>(
  fn: (db: Duck) => Promise<T>,
  options: DuckOptions = {},
): Promise<T> {
  const db = await Duck.open(options);
  try {
    return await fn(db);
  } finally {
    db.close();
  }
}

/** A SQL string literal (for the few places a parameter cannot go, e.g. a file path). */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** A SQL identifier. */
export function sqlIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
