/**
 * Validates an export file with the TypeScript reader (datasets/read.ts: every row rule,
 * with file, line, column and reason) and appends its accepted rows to the dataset's raw
 * table. Rows of a file that turns out unreadable half-way are removed again, except for
 * `events`, which keep the rows read before the failure (see DATASETS.md "Reader details").
 */
import { createReadStream } from 'node:fs';
import type { DatasetName } from '../config';
import { DatasetError } from '../datasets/errors';
import { readExport } from '../datasets/read';
import type { ReadOptions, ReadStats } from '../datasets/rules';
import type { RejectSink } from '../sources';
import type { Duck } from './db';
import { RowAppender, rawTable } from './tables';

export interface LocalExport {
  dataset: DatasetName;
  key: string;
  /** The file on local disk. */
  path: string;
}

export async function loadExport(
  db: Duck,
  file: LocalExport,
  fileOrdinal: number,
  options: ReadOptions,
  onReject: RejectSink,
): Promise<ReadStats> {
  const appender = await RowAppender.open(db, file.dataset, fileOrdinal);
  let failed: unknown = null;
  let stats: ReadStats | undefined;
  try {
    stats = await readExport(
      {
        dataset: file.dataset,
        key: file.key,
        open: async () => createReadStream(file.path, { highWaterMark: 1 << 20 }),
      },
      options,
      (row) => appender.append(row),
      onReject,
    );
  } catch (error) {
    failed = error;
  } finally {
    appender.close();
  }
  if (failed !== null) {
    if (!(failed instanceof DatasetError) || file.dataset !== 'events') {
      await db.run(`DELETE FROM ${rawTable(file.dataset)} WHERE _file = $file`, {
        file: fileOrdinal,
      });
    }
    throw failed;
  }
  return stats as ReadStats;
}
