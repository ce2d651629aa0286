/**
 * Reads one export file as its dataset: streams the object (gunzipping `.gz` on the fly),
 * splits it into records (CSV via `CsvScanner`, JSON Lines one object per line), and hands
 * every record to `RowRules`, which emits an accepted row or a rejected one. The file is
 * never held in memory whole: at most one chunk plus one unfinished record.
 *
 * Whole-file problems throw a `DatasetError`; rows already delivered to `onRow` before the
 * error must then be discarded by the caller, since none of the file's rows count.
 */
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { DatasetName } from '../config';
import type { ExportFile, RejectSink } from '../sources';
import { type CsvRecord, CsvScanner, fieldText, MAX_RECORD_BYTES } from './csv';
import { UnreadableFileError, UnsupportedFormatError } from './errors';
import type { RowOf } from './rows';
import { type ReadOptions, type ReadStats, RowRules } from './rules';

export type ExportFormat = { syntax: 'csv' | 'jsonl'; gzip: boolean };

const SUFFIXES: readonly (readonly [string, ExportFormat])[] = [
  ['.csv', { syntax: 'csv', gzip: false }],
  ['.csv.gz', { syntax: 'csv', gzip: true }],
  ['.jsonl', { syntax: 'jsonl', gzip: false }],
  ['.jsonl.gz', { syntax: 'jsonl', gzip: true }],
];

/** The format named by a key's suffix (case-insensitive), or null when it is not supported. */
export function formatOf(key: string): ExportFormat | null {
  const lower = key.toLowerCase();
  for (const [suffix, format] of SUFFIXES) {
    if (lower.endsWith(suffix)) return format;
  }
  return null;
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * Turns the decoded byte stream into records for one syntax. `push` may throw a
 * `DatasetError` (a missing column, a record too long to be real).
 */
interface RecordReader {
  push(chunk: Buffer): void;
  end(): void;
}

function csvReader<D extends DatasetName>(file: string, rules: RowRules<D>): RecordReader {
  let headerSeen = false;
  const scanner = new CsvScanner(file, (record: CsvRecord) => {
    if (headerSeen) {
      rules.csvRecord(record);
      return;
    }
    const names: string[] = [];
    for (let k = 0; k < record.count; k++) names.push(fieldText(record, k));
    rules.useHeader(names);
    headerSeen = true;
  });
  return {
    push: (chunk) => scanner.push(chunk),
    end: () => {
      scanner.end();
      // A file without even a header line lacks every required column.
      if (!headerSeen) rules.useHeader([]);
    },
  };
}

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === CR;
}

/**
 * JSON Lines: one JSON object per line, blank lines skipped (but counted, so line numbers
 * stay physical). The keys of the first object stand in for a header: a required column
 * missing from it rejects the file, as a misnamed or unmapped column would otherwise
 * reject every row one by one.
 */
function jsonLinesReader<D extends DatasetName>(
  file: string,
  rules: RowRules<D>,
  maxLineBytes: number,
): RecordReader {
  let line = 0;
  let headerSeen = false;
  /** The start of a line whose LF has not arrived yet. */
  let parts: Buffer[] = [];
  let partBytes = 0;

  const onLine = (bytes: Buffer, start: number, end: number): void => {
    line++;
    let s = start;
    let e = end;
    while (s < e && isSpace(bytes[s] as number)) s++;
    while (e > s && isSpace(bytes[e - 1] as number)) e--;
    if (s === e) return;
    const text = bytes.toString('utf8', s, e);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      rules.rejectWhole(line, `is not valid JSON (${detail})`, text);
      return;
    }
    if (!headerSeen && typeof value === 'object' && value !== null && !Array.isArray(value)) {
      rules.useHeader(Object.keys(value));
      headerSeen = true;
    }
    rules.jsonRecord(value, line);
  };

  return {
    push(chunk) {
      let position = 0;
      for (;;) {
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
      if (position < chunk.length) {
        parts.push(chunk.subarray(position));
        partBytes += chunk.length - position;
        if (partBytes > maxLineBytes) {
          throw new UnreadableFileError(
            file,
            `line ${line + 1} is longer than ${Math.round(maxLineBytes / 1024 / 1024)} MiB; ` +
              'JSON Lines needs one object per line',
          );
        }
      }
    },
    end() {
      if (partBytes === 0) return;
      const joined = Buffer.concat(parts, partBytes);
      parts = [];
      partBytes = 0;
      onLine(joined, 0, joined.length);
    },
  };
}

/**
 * Checks the first bytes of the decoded text: drops a UTF-8 byte order mark (spreadsheet
 * tools write one) and refuses text that is not UTF-8 or still compressed, which would
 * otherwise show up as a confusing missing-column error.
 */
function checkStart(file: string, start: Buffer, format: ExportFormat): number {
  if (start[0] === 0xef && start[1] === 0xbb && start[2] === 0xbf) return 3;
  if ((start[0] === 0xff && start[1] === 0xfe) || (start[0] === 0xfe && start[1] === 0xff)) {
    throw new UnreadableFileError(file, 'the file is UTF-16 text; export it as UTF-8');
  }
  if (!format.gzip && start[0] === 0x1f && start[1] === 0x8b) {
    throw new UnreadableFileError(
      file,
      'the file is gzip-compressed but its name does not end in .gz; rename it to end in .gz',
    );
  }
  return 0;
}

function asBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
  throw new TypeError(`an export stream gave a ${typeof chunk}, expected bytes`);
}

/**
 * Reads one export file as dataset `D`, calling `onRow` for each accepted row (with the
 * physical line where its record starts) and `onReject` for each rejected one, and
 * returns the counts.
 *
 * Throws (all `DatasetError`): `UnsupportedFormatError` for a key that does not end in
 * `.csv`, `.csv.gz`, `.jsonl` or `.jsonl.gz`; `MissingColumnError` when the header (for
 * JSON Lines, the first object) lacks a required column; `UnreadableFileError` for corrupt
 * or truncated gzip, UTF-16 text, or a record too long to be real. An error of the stream
 * itself (network, a changed object) is thrown as it is, since the file may be fine.
 */
export async function readExport<D extends DatasetName>(
  file: ExportFile & { dataset: D },
  options: ReadOptions,
  onRow: (row: RowOf[D], line: number) => void,
  onReject: RejectSink,
): Promise<ReadStats> {
  const format = formatOf(file.key);
  if (format === null) throw new UnsupportedFormatError(file.key);
  const rules = new RowRules(file.dataset, file.key, options, onRow, onReject);
  const reader =
    format.syntax === 'csv'
      ? csvReader(file.key, rules)
      : jsonLinesReader(file.key, rules, MAX_RECORD_BYTES);

  // The first bytes are held back until there are enough to recognise a byte order mark.
  let head: Buffer | null = Buffer.alloc(0);
  const consume = (chunk: Buffer): void => {
    if (head !== null) {
      head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
      if (head.length < 3) return;
      const skip = checkStart(file.key, head, format);
      chunk = head.subarray(skip);
      head = null;
    }
    reader.push(chunk);
  };
  const finish = (): void => {
    if (head !== null && head.length > 0) {
      const skip = checkStart(file.key, head, format);
      reader.push(head.subarray(skip));
    }
    reader.end();
  };

  const source: Readable = await file.open();
  if (!format.gzip) {
    for await (const chunk of source) consume(asBuffer(chunk));
    finish();
    return rules.stats;
  }

  // 64 KiB output chunks (zlib's default is 16 KiB): fewer, larger pushes to the scanner.
  const gunzip = createGunzip({ chunkSize: 64 * 1024 });
  // pipeline() destroys every stream with the first error, so gunzip also emits the errors
  // of the source and of the consumer; only one that starts in gunzip says the bytes are bad.
  let gzipError: unknown = null;
  let otherError: unknown = null;
  gunzip.once('error', (error) => {
    gzipError = error;
  });
  source.once('error', (error) => {
    otherError = error;
  });
  try {
    await pipeline(source, gunzip, async (decoded: AsyncIterable<unknown>) => {
      try {
        for await (const chunk of decoded) consume(asBuffer(chunk));
      } catch (error) {
        otherError ??= error;
        throw error;
      }
    });
  } catch (error) {
    if (error !== null && error === gzipError && error !== otherError) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new UnreadableFileError(
        file.key,
        `the file is not valid gzip or is cut short (${detail}); upload it again`,
        { cause: error },
      );
    }
    throw error;
  }
  finish();
  return rules.stats;
}
