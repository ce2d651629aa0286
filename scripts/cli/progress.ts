/**
 * A one-line progress indicator on stderr for long reads: rewritten in place with `\r`, at
 * most every `intervalMs`, so that printing never costs more than the work it reports.
 */
import { Transform, type TransformCallback } from 'node:stream';
import type { CliIo } from './io';

export interface Progress {
  /** Bytes of the current file read so far; throttled. */
  update(file: string, fileBytes: number, fileTotal: number): void;
  /** A file is done: add it to the totals. */
  fileDone(bytes: number, rows: number): void;
  /** Clears the line. */
  finish(): void;
}

const MB = 1024 * 1024;

export const NO_PROGRESS: Progress = { update() {}, fileDone() {}, finish() {} };

/**
 * Progress over a known total of bytes (the sizes on disk): `reading events.csv · 120/410 MB
 * (29 %) · 1.2 M rows done`.
 */
export function terminalProgress(io: CliIo, totalBytes: number, intervalMs = 250): Progress {
  let doneBytes = 0;
  let doneRows = 0;
  let last = Number.NEGATIVE_INFINITY;
  let width = 0;
  const show = (text: string) => {
    // Pad over the previous line's leftovers rather than relying on a terminal escape.
    io.err(`\r${text.padEnd(width)}`);
    width = text.length;
  };
  return {
    update(file, fileBytes) {
      const now = io.now();
      if (now - last < intervalMs) return;
      last = now;
      const bytes = doneBytes + fileBytes;
      const pct = totalBytes > 0 ? Math.min(100, Math.floor((bytes / totalBytes) * 100)) : 100;
      const rows = doneRows >= 1e6 ? `${(doneRows / 1e6).toFixed(1)} M` : String(doneRows);
      show(
        `reading ${file} · ${(bytes / MB).toFixed(0)}/${(totalBytes / MB).toFixed(0)} MB (${pct} %) · ${rows} rows done`,
      );
    },
    fileDone(bytes, rows) {
      doneBytes += bytes;
      doneRows += rows;
    },
    finish() {
      if (width > 0) io.err(`\r${' '.repeat(width)}\r`);
      width = 0;
    },
  };
}

/** A pass-through stream that reports the bytes that went through it. */
export function byteCounter(onBytes: (total: number) => void): Transform {
  let total = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      total += chunk.length;
      onBytes(total);
      callback(null, chunk);
    },
  });
}
