/**
 * The row rules of DATASETS.md, applied to one record at a time, from a CSV record's bytes
 * or a JSON Lines object. Each record becomes either a typed row or one `RejectedRow`
 * naming the first failing column in the table order of `DATASET_SPECS` (cell rules
 * first, then rules across cells: score scale, order of timestamps).
 *
 * Cells: surrounding spaces are ignored; an empty cell (or a JSON null) is an absent
 * value, which a required column rejects. Duplicate ids are not checked here: the engine
 * keeps the last row of an id across all files of a dataset (`DatasetSpec.idColumn`).
 */
import { isAscii } from 'node:buffer';
import type { DatasetName } from '../config';
import type { RejectedRow, RejectSink } from '../sources';
import { makeTimestampBytesParser, type TimestampBytesParser } from '../time/timestamps';
import { type CsvRecord, fieldText, rawFieldText } from './csv';
import { MissingColumnError } from './errors';
import type { RowOf } from './rows';
import { type ColumnKind, columnsOf, DATASET_SPECS, SCORE_SCALES, type SurveyType } from './spec';
import { latin1Text, MAX_CACHED_BYTES, StringCache } from './strings';
import { asciiInto, parseDecimal } from './values';

export interface ReadOptions {
  /** IANA zone in which dates and date-times without an offset are read. */
  timezone: string;
  /** ISO 4217 code of the report; a row in another currency is rejected. */
  currency: string;
  /** Canonical column → column name in the export (`columnMapFor` in ../config). */
  columns: Record<string, string>;
}

export interface ReadStats {
  /** Records after the header, blank lines not counted. */
  rowsRead: number;
  rowsAccepted: number;
  rowsRejected: number;
  /** Columns of the file that no canonical column maps to (they are not read). */
  ignoredColumns: string[];
}

export type RowSink<D extends DatasetName> = (row: RowOf[D], line: number) => void;

const TIMESTAMP_EXPECTED = 'expected ISO 8601 such as 2026-11-02 or 2026-11-02T09:30:00Z';

/**
 * How a CSV cell of a column is read, as a small integer: the per-cell branch of
 * `csvRecord` is then a jump on a number rather than a chain of string comparisons.
 */
const TEXT = 0;
const INSTANT = 1;
const NUMBER = 2;
const CHOICE = 3;

const READ_AS: Record<ColumnKind, number> = {
  id: TEXT,
  text: TEXT,
  timestamp: INSTANT,
  date: INSTANT,
  money: NUMBER,
  number: NUMBER,
  count: NUMBER,
  score: NUMBER,
  enum: CHOICE,
  currency: CHOICE,
};

interface Column {
  readonly name: string;
  readonly kind: ColumnKind;
  /** `READ_AS[kind]`. */
  readonly readAs: number;
  /** Whether the column takes whole numbers only (`count`, `score`). */
  readonly whole: boolean;
  readonly required: boolean;
  readonly negative: boolean;
  readonly values: readonly string[];
  /** The name the user's export is expected to use (mapped, else canonical). */
  readonly exportName: string;
  /** Position in the CSV header, −1 when the file lacks the column. */
  index: number;
  /** Decodes this column's CSV cells (`id` and `text` columns). */
  readonly strings: StringCache;
  /**
   * Key in JSON Lines objects: as spelled in the first object, else the expected name, since
   * serializers often leave out an optional key whose value is null in the first rows.
   */
  key: string;
}

function normalizeHeader(name: string): string {
  return name.replace(/^\uFEFF/, '').trim();
}

/**
 * Where a column is in a header: the mapped name exactly, then ignoring case; then the
 * canonical name the same two ways, so a mapping set for every dataset does not break a
 * file that already uses our names.
 */
function findInHeader(header: readonly string[], exportName: string, canonical: string): number {
  for (const wanted of exportName === canonical ? [exportName] : [exportName, canonical]) {
    const exact = header.indexOf(wanted);
    if (exact >= 0) return exact;
    const lower = wanted.toLowerCase();
    const folded = header.findIndex((h) => h.toLowerCase() === lower);
    if (folded >= 0) return folded;
  }
  return -1;
}

function isBlank(code: number): boolean {
  return code === 32 || code === 9;
}

function quote(value: unknown): string {
  if (typeof value === 'string') return `"${value}"`;
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

const COUNT_WORDS: Partial<Record<ColumnKind, string>> = {
  count: 'a count',
  score: 'a score',
};

/** Why a parsed number breaks its column's rule, or null when it is fine. */
function numberProblem(column: Column, value: number, raw: unknown): string | null {
  if (Number.isNaN(value)) {
    return column.kind === 'count' || column.kind === 'score'
      ? `${quote(raw)} is not a whole number`
      : `${quote(raw)} is not a number (expected a decimal such as 12.50)`;
  }
  if (!Number.isFinite(value)) return `${quote(raw)} is not a finite number`;
  const whole = column.kind === 'count' || column.kind === 'score';
  if (whole && !Number.isInteger(value)) {
    return `${quote(raw)} is not a whole number (${COUNT_WORDS[column.kind]} cannot have decimals)`;
  }
  if (value < 0 && column.kind !== 'score' && !column.negative) {
    if (column.kind === 'count') return `${quote(raw)} is negative (a count cannot be below 0)`;
    if (column.kind === 'money') {
      return `${quote(raw)} is negative (only an order amount may be negative, for a refund)`;
    }
    return `${quote(raw)} is negative (must be 0 or more)`;
  }
  return null;
}

/**
 * A function that makes a row object from cells in column order. It is compiled from the
 * column names (our own, from DATASET_SPECS, checked below) into one object literal, so
 * every row is created with all its properties in one step and shares one hidden class:
 * assigning properties one by one through a variable name costs V8 about three times as
 * much, a large share of a row's time at a million rows a second. Where code generation is
 * disabled (`--disallow-code-generation-from-strings`), rows are built property by property.
 */
function rowMaker(
  names: readonly string[],
): (cells: readonly unknown[]) => Record<string, unknown> {
  const slow = (cells: readonly unknown[]): Record<string, unknown> => {
    const row: Record<string, unknown> = {};
    for (let i = 0; i < names.length; i++) row[names[i] as string] = cells[i];
    return row;
  };
  if (!names.every((name) => /^[a-z_][a-z0-9_]*$/.test(name))) return slow;
  try {
    return new Function(
      'cells',
      `return { ${names.map((name, i) => `${name}: cells[${i}]`).join(', ')} };`,
    ) as (cells: readonly unknown[]) => Record<string, unknown>;
  } catch {
    return slow;
  }
}

/** One dataset's rules for one file; feed it the header, then records. */
export class RowRules<D extends DatasetName> {
  readonly stats: ReadStats = { rowsRead: 0, rowsAccepted: 0, rowsRejected: 0, ignoredColumns: [] };
  private readonly columns: Column[];
  private readonly parseTimestamp: TimestampBytesParser;
  private readonly currency: string;
  private readonly scratch = new Uint8Array(64);
  private readonly scaleColumn: { score: string; by: string } | null;
  private readonly notBefore: readonly (readonly [string, string])[];
  /** Whether the dataset has rules across cells (`rowProblem` has anything to check). */
  private readonly crossRules: boolean;
  private header: string[] = [];
  /** The parsed cells of the current record, by column position (reused). */
  private readonly cells: unknown[];
  private readonly makeRow: (cells: readonly unknown[]) => Record<string, unknown>;
  /** The last chunk checked by `asciiChunk`, and the answer. */
  private checkedBytes: Buffer | null = null;
  private checkedAscii = false;

  constructor(
    readonly dataset: D,
    readonly file: string,
    options: ReadOptions,
    private readonly onRow: RowSink<D>,
    private readonly onReject: RejectSink,
  ) {
    this.columns = columnsOf(dataset).map(([name, spec]) => ({
      name,
      kind: spec.kind,
      readAs: READ_AS[spec.kind],
      whole: spec.kind === 'count' || spec.kind === 'score',
      required: spec.required,
      negative: spec.negative === true,
      values: spec.values ?? [],
      exportName: options.columns[name] ?? name,
      index: -1,
      strings: new StringCache(),
      key: options.columns[name] ?? name,
    }));
    this.cells = this.columns.map(() => undefined);
    this.makeRow = rowMaker(this.columns.map((c) => c.name));
    const score = columnsOf(dataset).find(([, spec]) => spec.scaleBy !== undefined);
    this.scaleColumn = score ? { score: score[0], by: score[1].scaleBy as string } : null;
    this.notBefore = DATASET_SPECS[dataset].notBefore as readonly (readonly [string, string])[];
    this.crossRules = this.scaleColumn !== null || this.notBefore.length > 0;
    this.parseTimestamp = makeTimestampBytesParser(options.timezone);
    this.currency = options.currency.toUpperCase();
  }

  /**
   * Matches the file's column names; throws MissingColumnError naming every required column
   * it lacks and the names it found. Returns the canonical columns that were found.
   */
  useHeader(names: readonly string[]): string[] {
    this.header = names.map(normalizeHeader);
    const used = new Set<number>();
    const missing: { column: string; exportName: string }[] = [];
    for (const column of this.columns) {
      column.index = findInHeader(this.header, column.exportName, column.name);
      column.key = column.index >= 0 ? (names[column.index] as string) : column.exportName;
      if (column.index >= 0) used.add(column.index);
      else if (column.required)
        missing.push({ column: column.name, exportName: column.exportName });
    }
    if (missing.length > 0) throw new MissingColumnError(this.file, missing, this.header);
    this.stats.ignoredColumns = this.header.filter((_, i) => !used.has(i));
    return this.columns.filter((c) => c.index >= 0).map((c) => c.name);
  }

  /** Checks one CSV record (after the header) and emits a row or a rejection. */
  csvRecord(record: CsvRecord): void {
    this.stats.rowsRead++;
    if (record.problem !== null) {
      this.rejectCsv(record, null, record.problem);
      return;
    }
    if (record.count !== this.header.length) {
      this.rejectCsv(
        record,
        null,
        `has ${record.count} field${record.count === 1 ? '' : 's'}, but the header has ${this.header.length}`,
      );
      return;
    }
    const bytes = record.bytes;
    const cells = this.cells;
    const columns = this.columns;
    for (let c = 0; c < columns.length; c++) {
      const column = columns[c] as Column;
      const k = column.index;
      cells[c] = undefined;
      if (k < 0) continue;
      let s = record.starts[k] as number;
      let e = record.ends[k] as number;
      while (s < e && isBlank(bytes[s] as number)) s++;
      while (e > s && isBlank(bytes[e - 1] as number)) e--;
      if (s === e) {
        if (column.required) {
          this.rejectCsv(record, column.name, 'is empty, but the column is required');
          return;
        }
        continue;
      }
      switch (column.readAs) {
        case TEXT: {
          let text: string;
          if (record.escaped[k] === 1) {
            text = bytes.toString('utf8', s, e).replaceAll('""', '"');
          } else if (column.strings.enabled && e - s <= MAX_CACHED_BYTES) {
            text = column.strings.text(bytes, s, e);
          } else if (this.asciiChunk(bytes)) {
            // ASCII reads the same as Latin-1, whose decoder is the cheaper one.
            text = latin1Text(bytes, s, e);
          } else {
            text = bytes.toString('utf8', s, e);
          }
          cells[c] = text;
          break;
        }
        case INSTANT: {
          const instant = this.parseTimestamp(bytes, s, e);
          if (Number.isNaN(instant)) {
            this.rejectCsv(record, column.name, this.timestampProblem(fieldText(record, k)));
            return;
          }
          cells[c] = instant;
          break;
        }
        case NUMBER: {
          const value = parseDecimal(bytes, s, e);
          const problem =
            // The common case, decided without a call: finite, not negative, whole if need be.
            value >= 0 && value < Number.POSITIVE_INFINITY && (value % 1 === 0 || !column.whole)
              ? null
              : numberProblem(column, value, fieldText(record, k));
          if (problem !== null) {
            this.rejectCsv(record, column.name, problem);
            return;
          }
          cells[c] = value;
          break;
        }
        case CHOICE: {
          const text = fieldText(record, k);
          const problem = this.textProblem(column, text);
          if (problem !== null) {
            this.rejectCsv(record, column.name, problem);
            return;
          }
          cells[c] = this.normalizeText(column, text);
          break;
        }
      }
    }
    const row = this.makeRow(cells);
    // Most datasets have no rule across cells: no closure to make for them.
    if (this.crossRules) {
      const problem = this.rowProblem(row, (name) => {
        const column = this.columns.find((c) => c.name === name) as Column;
        return fieldText(record, column.index);
      });
      if (problem !== null) {
        this.rejectCsv(record, problem.column, problem.reason);
        return;
      }
    }
    this.stats.rowsAccepted++;
    this.onRow(row as RowOf[D], record.line);
  }

  /** Checks one parsed JSON Lines value and emits a row or a rejection. */
  jsonRecord(value: unknown, line: number): void {
    this.stats.rowsRead++;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.reject(line, null, 'is not a JSON object', JSON.stringify(value));
      return;
    }
    const object = value as Record<string, unknown>;
    const cells = this.cells;
    const columns = this.columns;
    for (let c = 0; c < columns.length; c++) {
      const column = columns[c] as Column;
      let cell = Object.hasOwn(object, column.key) ? object[column.key] : undefined;
      if (typeof cell === 'string' && cell.length > 0) {
        const first = cell.charCodeAt(0);
        const last = cell.charCodeAt(cell.length - 1);
        if (first <= 32 || last <= 32) cell = cell.trim();
      }
      if (cell === undefined || cell === null || cell === '') {
        if (column.required) {
          this.reject(line, column.name, 'is empty, but the column is required', object);
          return;
        }
        cells[c] = undefined;
        continue;
      }
      if (typeof cell === 'object') {
        this.reject(
          line,
          column.name,
          `${quote(cell)} is not a plain value (text or a number)`,
          object,
        );
        return;
      }
      switch (column.kind) {
        case 'id':
        case 'text':
          cells[c] = String(cell);
          break;
        case 'timestamp':
        case 'date': {
          const length = typeof cell === 'string' ? asciiInto(cell, this.scratch) : -1;
          const instant = length < 0 ? Number.NaN : this.parseTimestamp(this.scratch, 0, length);
          if (Number.isNaN(instant)) {
            this.reject(line, column.name, this.timestampProblem(cell), object);
            return;
          }
          cells[c] = instant;
          break;
        }
        case 'money':
        case 'number':
        case 'count':
        case 'score': {
          let number = Number.NaN;
          if (typeof cell === 'number') number = cell;
          else if (typeof cell === 'string') {
            const length = asciiInto(cell, this.scratch);
            if (length >= 0) number = parseDecimal(this.scratch, 0, length);
          }
          const problem = numberProblem(column, number, cell);
          if (problem !== null) {
            this.reject(line, column.name, problem, object);
            return;
          }
          cells[c] = number;
          break;
        }
        case 'enum':
        case 'currency': {
          const text = String(cell);
          const problem = this.textProblem(column, text);
          if (problem !== null) {
            this.reject(line, column.name, problem, object);
            return;
          }
          cells[c] = this.normalizeText(column, text);
          break;
        }
      }
    }
    const row = this.makeRow(cells);
    const problem = this.rowProblem(row, (name) => {
      const column = this.columns.find((c) => c.name === name) as Column;
      return String(object[column.key]);
    });
    if (problem !== null) {
      this.reject(line, problem.column, problem.reason, object);
      return;
    }
    this.stats.rowsAccepted++;
    this.onRow(row as RowOf[D], line);
  }

  /** Whether the scanner's current buffer is all ASCII, checked once per buffer. */
  private asciiChunk(bytes: Buffer): boolean {
    if (bytes !== this.checkedBytes) {
      this.checkedBytes = bytes;
      this.checkedAscii = isAscii(bytes);
    }
    return this.checkedAscii;
  }

  /** A record that is not a row at all (broken JSON): rejected as a whole. */
  rejectWhole(line: number, reason: string, record: string): void {
    this.stats.rowsRead++;
    this.reject(line, null, reason, record);
  }

  private timestampProblem(raw: unknown): string {
    return `${quote(raw)} is not a valid date or time (${TIMESTAMP_EXPECTED})`;
  }

  private textProblem(column: Column, text: string): string | null {
    if (column.kind === 'enum') {
      return column.values.includes(text.toLowerCase())
        ? null
        : `${quote(text)} is not one of ${column.values.join(', ')}`;
    }
    const code = text.toUpperCase();
    if (code === this.currency) return null;
    return /^[A-Z]{3}$/.test(code)
      ? `currency ${code} is not the report currency ${this.currency} (a report has one currency)`
      : `${quote(text)} is not an ISO 4217 currency code such as ${this.currency}`;
  }

  private normalizeText(column: Column, text: string): string {
    return column.kind === 'enum' ? text.toLowerCase() : text.toUpperCase();
  }

  /** Rules across cells of a parsed row: the score's scale and the order of timestamps. */
  private rowProblem(
    row: Record<string, unknown>,
    raw: (column: string) => string,
  ): { column: string; reason: string } | null {
    if (this.scaleColumn !== null) {
      const score = row[this.scaleColumn.score] as number | undefined;
      const type = row[this.scaleColumn.by] as SurveyType | undefined;
      if (score !== undefined && type !== undefined) {
        const scale = SCORE_SCALES[type];
        if (score < scale.min || score > scale.max) {
          return {
            column: this.scaleColumn.score,
            reason: `${score} is outside the ${type} scale (${scale.min} to ${scale.max})`,
          };
        }
      }
    }
    for (const [later, earlier] of this.notBefore) {
      const laterValue = row[later] as number | undefined;
      const earlierValue = row[earlier] as number | undefined;
      if (laterValue !== undefined && earlierValue !== undefined && laterValue < earlierValue) {
        return {
          column: later,
          reason: `${quote(raw(later))} is before ${earlier} ${quote(raw(earlier))}`,
        };
      }
    }
    return null;
  }

  private rejectCsv(record: CsvRecord, column: string | null, reason: string): void {
    const fields: Record<string, string> = {};
    for (let k = 0; k < record.count; k++) {
      const name = k < this.header.length ? (this.header[k] as string) : `(field ${k + 1})`;
      fields[name] = rawFieldText(record, k);
    }
    this.reject(record.line, column, reason, fields);
  }

  private reject(
    line: number,
    column: string | null,
    reason: string,
    record: RejectedRow['record'],
  ): void {
    this.stats.rowsRejected++;
    this.onReject({ dataset: this.dataset, file: this.file, line, column, reason, record });
  }
}
