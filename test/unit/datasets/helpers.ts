import { Readable } from 'node:stream';
import type { DatasetName } from '../../../functions/core/config';
import { readExport } from '../../../functions/core/datasets/read';
import type { RowOf } from '../../../functions/core/datasets/rows';
import type { ReadOptions, ReadStats } from '../../../functions/core/datasets/rules';
import type { ExportFile, RejectedRow } from '../../../functions/core/sources';

export const OPTIONS: ReadOptions = { timezone: 'Europe/Berlin', currency: 'EUR', columns: {} };

/**
 * An export file held in memory, streamed in chunks of `chunkSize` bytes (default: one
 * chunk) so tests can put chunk boundaries anywhere.
 */
export function memoryFile<D extends DatasetName>(
  dataset: D,
  key: string,
  content: string | Buffer,
  chunkSize?: number,
): ExportFile & { dataset: D } {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  return {
    dataset,
    key,
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

/** Reads a file and collects everything the reader emits. */
export async function readAll<D extends DatasetName>(
  file: ExportFile & { dataset: D },
  options: Partial<ReadOptions> = {},
): Promise<ReadResult<D>> {
  const rows: ReadResult<D>['rows'] = [];
  const rejects: RejectedRow[] = [];
  const stats = await readExport(
    file,
    { ...OPTIONS, ...options },
    (row, line) => rows.push({ line, row }),
    (rejected) => rejects.push(rejected),
  );
  return { rows, rejects, stats };
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
