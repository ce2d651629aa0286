/**
 * Streaming writers for the sample exports: rows are buffered into ~64 KiB chunks and
 * written with back-pressure, so a file of millions of rows never sits in memory.
 */

import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';

export type Cell = string | number | null | undefined;
export type SampleFormat = 'csv' | 'jsonl';

const CHUNK_CHARS = 64 * 1024;

/** RFC 4180 quoting: only cells holding a comma, quote, CR or LF are quoted. */
export function csvCell(value: Cell): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  if (!/[",\r\n]/.test(text)) return text;
  return `"${text.replaceAll('"', '""')}"`;
}

export interface RowWriter {
  readonly path: string;
  readonly rows: number;
  /** Cells in the order of the header. Resolves at once unless the buffer was flushed. */
  write(cells: readonly Cell[]): Promise<void> | undefined;
  /** A line written verbatim (used for the deliberately malformed rows). */
  writeRaw(line: string): Promise<void> | undefined;
  close(): Promise<void>;
}

/**
 * Opens `path` and writes the header. CSV cells are quoted as needed; JSON Lines objects
 * carry the same columns, omitting empty cells (an absent optional column), numbers as
 * JSON numbers.
 */
export function openRowWriter(
  path: string,
  columns: readonly string[],
  format: SampleFormat,
): RowWriter {
  const stream: WriteStream = createWriteStream(path);
  let buffer = format === 'csv' ? `${columns.join(',')}\n` : '';
  let rows = 0;
  let failure: Error | null = null;
  stream.on('error', (error) => {
    failure = error;
  });

  const flush = async (): Promise<void> => {
    if (failure) throw failure;
    const chunk = buffer;
    buffer = '';
    if (!stream.write(chunk)) await once(stream, 'drain');
  };

  const encode =
    format === 'csv'
      ? (cells: readonly Cell[]) => `${cells.map(csvCell).join(',')}\n`
      : (cells: readonly Cell[]) => {
          const record: Record<string, string | number> = {};
          columns.forEach((column, i) => {
            const value = cells[i];
            if (value !== null && value !== undefined && value !== '') record[column] = value;
          });
          return `${JSON.stringify(record)}\n`;
        };

  const append = (line: string): Promise<void> | undefined => {
    buffer += line;
    rows++;
    return buffer.length >= CHUNK_CHARS ? flush() : undefined;
  };

  return {
    path,
    get rows() {
      return rows;
    },
    write: (cells) => append(encode(cells)),
    writeRaw: (line) => append(`${line}\n`),
    close: async () => {
      if (buffer.length > 0) await flush();
      stream.end();
      await once(stream, 'finish');
      if (failure) throw failure;
    },
  };
}
