/**
 * The streaming reader's interface over `loadExport` (load.ts), for the callers that still
 * take rows one by one (the ingest job, the engine until it reads the raw tables itself):
 * the stream is saved to a temporary file, loaded into a DuckDB of its own, and the
 * accepted rows are handed back in file order with their physical lines.
 *
 * Whole-file problems throw a `DatasetError` before any row reaches `onRow`.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { DatasetName } from '../config';
import { withDuck } from '../duck/db';
import { rawTable, rawTableDdl } from '../duck/tables';
import type { ExportFile, RejectSink } from '../sources';
import { UnsupportedFormatError } from './errors';
import { formatOf, loadExport, recordLines } from './load';
import type { RowOf } from './rows';
import type { ReadOptions, ReadStats } from './rules';
import { columnsOf } from './spec';

export { type ExportFormat, formatOf } from './load';

/**
 * Reads one export file as dataset `D`, calling `onRow` for each accepted row (with the
 * physical line where its record starts) and `onReject` for each rejected one, and
 * returns the counts. Throws what `loadExport` throws; an error of the stream itself
 * (network, a changed object) is thrown as it is, since the file may be fine.
 */
export async function readExport<D extends DatasetName>(
  file: ExportFile & { dataset: D },
  options: ReadOptions,
  onRow: (row: RowOf[D], line: number) => void,
  onReject: RejectSink,
): Promise<ReadStats> {
  if (formatOf(file.key) === null) throw new UnsupportedFormatError(file.key);
  const work = await mkdtemp(join(tmpdir(), 'read-'));
  try {
    const path = join(work, 'export');
    await pipeline(await file.open(), createWriteStream(path));
    const local = { dataset: file.dataset, key: file.key, path };
    return await withDuck(async (db) => {
      await db.run(rawTableDdl(file.dataset));
      const stats = await loadExport(db, local, 0, options, onReject);
      const lines = await recordLines(local);
      const names = columnsOf(file.dataset).map(([name]) => name);
      const rows = await db.all(`SELECT * FROM ${rawTable(file.dataset)} ORDER BY _rec`);
      for (const stored of rows) {
        const row: Record<string, unknown> = {};
        for (const name of names) row[name] = stored[name] ?? undefined;
        const rec = stored._rec as number;
        onRow(row as RowOf[D], lines[rec] ?? rec + 1);
      }
      return stats;
    });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
