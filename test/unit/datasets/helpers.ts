import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DatasetName } from '../../../functions/core/config';
import { loadExport, recordLines } from '../../../functions/core/datasets/load';
import type { RowOf } from '../../../functions/core/datasets/rows';
import type { ReadOptions, ReadStats } from '../../../functions/core/datasets/rules';
import { columnsOf } from '../../../functions/core/datasets/spec';
import { type Duck, withDuck } from '../../../functions/core/duck/db';
import { createDatasetTables, rawTable } from '../../../functions/core/duck/tables';
import type { ExportFile, RejectedRow } from '../../../functions/core/sources';

export const OPTIONS: ReadOptions = { timezone: 'Europe/Berlin', currency: 'EUR', columns: {} };

/** An export file of the tests: `chunkSize` is also the loader's read size (`readAll`). */
export type TestFile<D extends DatasetName> = ExportFile & { dataset: D; chunkSize?: number };

/**
 * An export file held in memory, streamed in chunks of `chunkSize` bytes (default: one
 * chunk) so tests can put chunk boundaries anywhere. `readAll` has the loader read the
 * saved file in chunks of that size too (`LocalExport.chunkBytes`): saving joins the
 * stream's chunks again, so only that puts boundaries inside the loader's JavaScript passes.
 */
export function memoryFile<D extends DatasetName>(
  dataset: D,
  key: string,
  content: string | Buffer,
  chunkSize?: number,
): TestFile<D> {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  return {
    dataset,
    key,
    ...(chunkSize === undefined ? {} : { chunkSize }),
    open: async () => {
      const size = chunkSize ?? Math.max(bytes.length, 1);
      const chunks: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
      return Readable.from(chunks);
    },
  };
}

export interface ReadResult<D extends DatasetName> {
  rows: { line: number; row: RowOf[D] }[];
  rejects: RejectedRow[];
  stats: ReadStats;
}

/**
 * The accepted rows of file `fileOrdinal` in a raw table, in file order, as the zod row
 * types hold them (NULL → undefined), with their `_rec`.
 */
export async function storedRows<D extends DatasetName>(
  db: Duck,
  dataset: D,
  fileOrdinal = 0,
): Promise<{ rec: number; row: RowOf[D] }[]> {
  const names = columnsOf(dataset).map(([name]) => name);
  const stored = await db.all(
    `SELECT * FROM ${rawTable(dataset)} WHERE _file = ${fileOrdinal} ORDER BY _rec`,
  );
  return stored.map((s) => {
    const row: Record<string, unknown> = {};
    for (const name of names) row[name] = s[name] ?? undefined;
    return { rec: s._rec as number, row: row as RowOf[D] };
  });
}

/**
 * Loads a file with `loadExport` into a fresh database (the file saved to a temporary
 * folder first, then read in chunks of the file's `chunkSize`) and collects the accepted
 * rows, with their physical lines, and the rejections.
 */
export async function readAll<D extends DatasetName>(
  file: TestFile<D>,
  options: Partial<ReadOptions> = {},
): Promise<ReadResult<D>> {
  const dir = await mkdtemp(join(tmpdir(), 'datasets-test-'));
  try {
    const path = join(dir, 'export');
    await pipeline(await file.open(), createWriteStream(path));
    const local = { dataset: file.dataset, key: file.key, path, chunkBytes: file.chunkSize };
    return await withDuck(async (db) => {
      await createDatasetTables(db);
      const rejects: RejectedRow[] = [];
      const stats = await loadExport(db, local, 0, { ...OPTIONS, ...options }, (rejected) =>
        rejects.push(rejected),
      );
      const lines = await recordLines(local);
      const rows = (await storedRows(db, file.dataset)).map(({ rec, row }) => ({
        line: lines[rec] ?? rec + 1,
        row,
      }));
      return { rows, rejects, stats };
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Reads CSV text given as lines joined with LF. */
export function readCsv<D extends DatasetName>(
  dataset: D,
  lines: readonly string[],
  options: Partial<ReadOptions> = {},
): Promise<ReadResult<D>> {
  return readAll(
    memoryFile(dataset, `exports/${dataset}/test.csv`, `${lines.join('\n')}\n`),
    options,
  );
}

export const at = (iso: string): number => Date.parse(iso);
