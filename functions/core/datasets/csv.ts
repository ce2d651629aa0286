/**
 * An RFC 4180 CSV scanner over byte chunks, one callback per record.
 *
 * It never decodes a whole chunk to text: it finds field boundaries in the bytes (comma,
 * double quote, LF are single bytes in UTF-8 and never occur inside a multi-byte
 * character, so a chunk may end anywhere, even inside a character) and hands the record's
 * offsets to the callback, which decodes or parses only the cells it needs. That keeps the
 * scanner at memory speed and lets numbers and timestamps be parsed without a string.
 *
 * Accepted: LF or CRLF line ends; quoted fields holding commas, CR, LF and doubled quotes;
 * a missing final line end; blank lines (skipped, but counted, so line numbers stay
 * physical). A quote inside an unquoted field is kept as text (`5" screen`), as most
 * spreadsheet exports expect. A record whose quoting is broken is still delivered, with a
 * `problem`, for the caller to reject.
 *
 * Blanks around a quoted field, as DuckDB's CSV reader has them (datasets/load.ts reads most
 * files with it and must get the same records): one space before the opening quote and
 * any spaces and tabs after the closing quote are skipped (` "a,b" ` is `a,b`). With more
 * blanks before it, or a tab, the quote does not open a quoted field: it is text of an
 * unquoted one (`  "a"` is `"a"`, quotes and all), which is what DuckDB reads there too.
 * DuckDB refuses a tab after a closing quote; the load then leaves the file to this scanner.
 */
import { UnreadableFileError } from './errors';

const COMMA = 0x2c;
const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;

/** Longest record kept in memory while waiting for its end (an unclosed quote). */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024;

/**
 * One record, valid only during the callback (it is reused, and its bytes are the current
 * chunk). Field k is `bytes[starts[k], ends[k])`, quotes already stripped.
 */
export interface CsvRecord {
  bytes: Buffer;
  count: number;
  starts: Int32Array;
  ends: Int32Array;
  /** 1 when quoted field k holds doubled quotes (`""`) to turn into one. */
  escaped: Uint8Array;
  /** 1-based physical line where the record starts. */
  line: number;
  /** Why the record's quoting is broken, or null. */
  problem: string | null;
  /**
   * Whether a tab follows the closing quote of one of its fields: accepted here, but
   * DuckDB's reader refuses such a record (and drops every row after such a header).
   */
  tabAfterQuote: boolean;
}

export class CsvScanner {
  private readonly record: CsvRecord = {
    bytes: Buffer.alloc(0),
    count: 0,
    starts: new Int32Array(64),
    ends: new Int32Array(64),
    escaped: new Uint8Array(64),
    line: 1,
    problem: null,
    tabAfterQuote: false,
  };
  /** Bytes not yet scanned to a record end: the start of an unfinished record, then chunks. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /**
   * Rescan an unfinished record only once the pending bytes have doubled, so a huge record
   * (or an unclosed quote) costs linear, not quadratic, scanning.
   */
  private rescanAt = 0;
  /** Physical line of the first pending byte. */
  private line = 1;

  constructor(
    private readonly file: string,
    private readonly onRecord: (record: CsvRecord) => void,
    private readonly maxRecordBytes = MAX_RECORD_BYTES,
  ) {}

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes < this.rescanAt) return;
    const bytes =
      this.pending.length === 1
        ? (this.pending[0] as Buffer)
        : Buffer.concat(this.pending, this.pendingBytes);
    const consumed = this.scan(bytes, false);
    if (consumed === bytes.length) {
      this.pending = [];
      this.pendingBytes = 0;
      this.rescanAt = 0;
      return;
    }
    const rest = bytes.subarray(consumed);
    if (rest.length > this.maxRecordBytes) {
      throw new UnreadableFileError(
        this.file,
        `the record starting on line ${this.line} is longer than ${Math.round(
          this.maxRecordBytes / 1024 / 1024,
        )} MiB; a quote (") that is never closed is the usual cause`,
      );
    }
    this.pending = [rest];
    this.pendingBytes = rest.length;
    this.rescanAt = rest.length * 2;
  }

  /** The input is complete: deliver the last record even without a final line end. */
  end(): void {
    if (this.pendingBytes === 0) return;
    const bytes = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    this.scan(bytes, true);
  }

  private grow(): void {
    const r = this.record;
    const capacity = r.starts.length * 2;
    const starts = new Int32Array(capacity);
    const ends = new Int32Array(capacity);
    const escaped = new Uint8Array(capacity);
    starts.set(r.starts);
    ends.set(r.ends);
    escaped.set(r.escaped);
    r.starts = starts;
    r.ends = ends;
    r.escaped = escaped;
  }

  private emit(count: number, line: number, problem: string | null, tabAfterQuote: boolean): void {
    const r = this.record;
    r.count = count;
    r.line = line;
    r.problem = problem;
    r.tabAfterQuote = tabAfterQuote;
    this.onRecord(r);
  }

  /**
   * Delivers every complete record in `bytes` and returns the offset of the first byte not
   * consumed (the start of an unfinished record), or `bytes.length`. With `final`, the end
   * of `bytes` ends the last record.
   */
  private scan(bytes: Buffer, final: boolean): number {
    const r = this.record;
    r.bytes = bytes;
    const n = bytes.length;
    let i = 0;
    let line = this.line;
    let c = 0;

    records: while (i < n) {
      this.line = line;
      const recordStart = i;
      const recordLine = line;
      let count = 0;
      let problem: string | null = null;
      let tabAfterQuote = false;

      // A blank line is no record, but it is a line.
      c = bytes[i] as number;
      if (c === LF) {
        i++;
        line++;
        continue;
      }
      if (c === CR) {
        if (i + 1 === n && !final) return recordStart;
        if (i + 1 === n || bytes[i + 1] === LF) {
          i += 2;
          line++;
          continue;
        }
      }

      for (;;) {
        if (count === r.starts.length) this.grow();
        // One space may come before the opening quote (DuckDB's rule, see the top).
        if (i + 1 === n && bytes[i] === SPACE && !final) return recordStart;
        const quoteAt = bytes[i] === SPACE && bytes[i + 1] === QUOTE ? i + 1 : i;
        if (quoteAt < n && bytes[quoteAt] === QUOTE) {
          const start = quoteAt + 1;
          let j = start;
          let escaped = 0;
          for (;;) {
            while (j < n) {
              c = bytes[j] as number;
              if (c === QUOTE) break;
              if (c === LF) line++;
              j++;
            }
            if (j + 1 < n) {
              if (bytes[j + 1] !== QUOTE) break;
              escaped = 1;
              j += 2;
              continue;
            }
            // The quote is the last byte (escaped or closing?) or there is none yet.
            if (!final) return recordStart;
            break;
          }
          r.starts[count] = start;
          r.escaped[count] = escaped;
          if (j >= n) {
            r.ends[count] = n;
            this.emit(
              count + 1,
              recordLine,
              `a quoted field that opens on line ${recordLine} is never closed`,
              tabAfterQuote,
            );
            i = n;
            break records;
          }
          r.ends[count] = j;
          count++;
          i = j + 1;
          // Spaces and tabs after the closing quote are no text after it.
          while (i < n && (bytes[i] === SPACE || bytes[i] === TAB)) {
            if (bytes[i] === TAB) tabAfterQuote = true;
            i++;
          }
          if (i === n && !final) return recordStart;
          if (i < n) {
            c = bytes[i] as number;
            if (c === COMMA) {
              i++;
              continue;
            }
            if (c === LF || (c === CR && i + 1 < n && bytes[i + 1] === LF)) {
              i += c === LF ? 1 : 2;
              line++;
              this.emit(count, recordLine, problem, tabAfterQuote);
              continue records;
            }
            if (c === CR && i + 1 === n && !final) return recordStart;
            if (!(c === CR && i + 1 === n)) {
              // `"abc"x`: keep the quoted part, drop the rest, and let the caller reject it.
              problem = 'has text after the closing quote of a quoted field';
              while (i < n) {
                c = bytes[i] as number;
                if (c === COMMA || c === LF) break;
                i++;
              }
              if (i < n) {
                i++;
                if (c === COMMA) continue;
                line++;
                this.emit(count, recordLine, problem, tabAfterQuote);
                continue records;
              }
              if (!final) return recordStart;
            }
          }
          // The end of the final bytes ends the record.
          this.emit(count, recordLine, problem, tabAfterQuote);
          i = n;
          break records;
        }

        const start = i;
        while (i < n) {
          c = bytes[i] as number;
          // Most bytes are above both delimiters (letters, digits, '-', ':', '/'): one test.
          if (c <= COMMA && (c === COMMA || c === LF)) break;
          i++;
        }
        if (i === n) {
          if (!final) return recordStart;
          let end = n;
          if (end > start && bytes[end - 1] === CR) end--;
          r.starts[count] = start;
          r.ends[count] = end;
          r.escaped[count] = 0;
          this.emit(count + 1, recordLine, problem, tabAfterQuote);
          break records;
        }
        let end = i;
        if (c === LF && end > start && bytes[end - 1] === CR) end--;
        r.starts[count] = start;
        r.ends[count] = end;
        r.escaped[count] = 0;
        count++;
        i++;
        if (c === COMMA) continue;
        line++;
        this.emit(count, recordLine, problem, tabAfterQuote);
        continue records;
      }
    }
    this.line = line;
    return n;
  }
}

function isBlank(code: number): boolean {
  return code === 32 || code === 9;
}

/** First and last byte offsets of field k without surrounding spaces and tabs. */
export function trimmedBounds(record: CsvRecord, k: number): [number, number] {
  const bytes = record.bytes;
  let s = record.starts[k] as number;
  let e = record.ends[k] as number;
  while (s < e && isBlank(bytes[s] as number)) s++;
  while (e > s && isBlank(bytes[e - 1] as number)) e--;
  return [s, e];
}

/** Field k as text: UTF-8, doubled quotes undone, surrounding spaces and tabs removed. */
export function fieldText(record: CsvRecord, k: number): string {
  const [s, e] = trimmedBounds(record, k);
  const text = record.bytes.toString('utf8', s, e);
  return record.escaped[k] === 1 ? text.replaceAll('""', '"') : text;
}

/** Field k exactly as it was between its delimiters (quotes stripped, spaces kept). */
export function rawFieldText(record: CsvRecord, k: number): string {
  const text = record.bytes.toString('utf8', record.starts[k], record.ends[k]);
  return record.escaped[k] === 1 ? text.replaceAll('""', '"') : text;
}
