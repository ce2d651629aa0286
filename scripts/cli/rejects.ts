/**
 * Rejected rows to `<out>/rejected/<dataset>.jsonl`, one JSON `RejectedRow` a line, as the
 * engine finds them. The engine's sink is synchronous and a bad export can reject millions
 * of rows, so lines are buffered per dataset and written with `writeSync` in ~256 KiB
 * chunks: memory stays bounded without back-pressure.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { DatasetName } from '../../functions/core/config';
import type { RejectedRow } from '../../functions/core/sources';

const FLUSH_CHARS = 256 * 1024;

interface Open {
  fd: number;
  buffer: string;
  rows: number;
  path: string;
}

export class RejectedRowsWriter {
  private readonly open = new Map<DatasetName, Open>();

  /** Files are created on the first rejected row of their dataset only. */
  constructor(readonly dir: string) {}

  readonly sink = (row: RejectedRow): void => {
    let file = this.open.get(row.dataset);
    if (!file) {
      mkdirSync(this.dir, { recursive: true });
      const path = join(this.dir, `${row.dataset}.jsonl`);
      file = { fd: openSync(path, 'w'), buffer: '', rows: 0, path };
      this.open.set(row.dataset, file);
    }
    file.buffer += `${JSON.stringify(row)}\n`;
    file.rows++;
    if (file.buffer.length >= FLUSH_CHARS) {
      writeSync(file.fd, file.buffer);
      file.buffer = '';
    }
  };

  /** Flushes and closes every file; returns the rows and path of each dataset's file. */
  close(): Partial<Record<DatasetName, { rows: number; path: string }>> {
    const written: Partial<Record<DatasetName, { rows: number; path: string }>> = {};
    for (const [dataset, file] of this.open) {
      if (file.buffer.length > 0) writeSync(file.fd, file.buffer);
      closeSync(file.fd);
      written[dataset] = { rows: file.rows, path: file.path };
    }
    this.open.clear();
    return written;
  }
}
