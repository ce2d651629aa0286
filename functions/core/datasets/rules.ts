/**
 * The row rules of DATASETS.md as SQL, so that DuckDB applies them to a whole export at
 * once (datasets/load.ts runs the queries). Each record becomes either a typed row or one
 * rejection naming the first failing column in the table order of `DATASET_SPECS` (cell
 * rules first, then rules across cells: score scale, order of timestamps), with the same
 * plain-English reasons the streaming reader gave.
 *
 * Cells: surrounding spaces and tabs are ignored; an empty cell (or a JSON null) is an
 * absent value, which a required column rejects. Duplicate ids are not checked here: the
 * dataset views keep the last row of an id across all files (duck/tables.ts).
 *
 * Every cell is read from text (or, in JSON Lines and Parquet, from its typed value), never
 * by DuckDB's own casts alone: they accept forms the rules reject (`1_000`, `24:00`) and
 * turn a bad value into NULL without a word, which would accept the row.
 */
import type { DatasetName } from '../config';
import { sqlString } from '../duck/db';
import { sqlTypeOf } from '../duck/tables';
import { DuplicateColumnError, MissingColumnError } from './errors';
import { type ColumnKind, columnsOf, DATASET_SPECS, SCORE_SCALES, type SurveyType } from './spec';

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

const TIMESTAMP_EXPECTED = 'expected ISO 8601 such as 2026-11-02 or 2026-11-02T09:30:00Z';

// ---------------------------------------------------------------------------------------
// Header: which column of the file is which canonical column
// ---------------------------------------------------------------------------------------

/** A canonical column of a dataset and where one file has it. */
export interface FileColumn {
  readonly name: string;
  readonly kind: ColumnKind;
  readonly required: boolean;
  /** `money` only: negative amounts are allowed (refunds). */
  readonly negative: boolean;
  /** `enum` only: the accepted values, lower case. */
  readonly values: readonly string[];
  /** The name the user's export is expected to use (mapped, else canonical). */
  readonly exportName: string;
  /** Position in the header, −1 when the file lacks the column. */
  readonly index: number;
  /**
   * Key in JSON Lines objects: as spelled in the first object, else the expected name, since
   * serializers often leave out an optional key whose value is null in the first rows.
   */
  readonly key: string;
}

export function normalizeHeader(name: string): string {
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

/**
 * Matches a file's column names (a CSV header, the keys of the first JSON object, the
 * columns of a Parquet file) to the dataset's canonical columns. `names` null means there
 * is nothing to match (JSON Lines without any object): every column is then looked up by
 * its expected name and none is missing. Throws MissingColumnError naming every required
 * column the names lack and the names found.
 */
export function matchHeader(
  dataset: DatasetName,
  file: string,
  options: ReadOptions,
  names: readonly string[] | null,
): { columns: FileColumn[]; header: string[]; ignoredColumns: string[] } {
  const header = (names ?? []).map(normalizeHeader);
  const used = new Set<number>();
  const missing: { column: string; exportName: string }[] = [];
  const columns = columnsOf(dataset).map(([name, spec]): FileColumn => {
    const exportName = options.columns[name] ?? name;
    const index = names === null ? -1 : findInHeader(header, exportName, name);
    if (index >= 0) {
      // The same name twice (ignoring case, as it is matched): refuse to pick a copy.
      const folded = (header[index] as string).toLowerCase();
      const same = header.flatMap((h, i) => (h.toLowerCase() === folded ? [i + 1] : []));
      if (same.length > 1) throw new DuplicateColumnError(file, header[index] as string, same);
    }
    if (index >= 0) used.add(index);
    else if (spec.required && names !== null) missing.push({ column: name, exportName });
    return {
      name,
      kind: spec.kind,
      required: spec.required,
      negative: spec.negative === true,
      values: spec.values ?? [],
      exportName,
      index,
      key: index >= 0 ? ((names as readonly string[])[index] as string) : exportName,
    };
  });
  if (missing.length > 0) throw new MissingColumnError(file, missing, header);
  return { columns, header, ignoredColumns: header.filter((_, i) => !used.has(i)) };
}

// ---------------------------------------------------------------------------------------
// Cells as SQL
// ---------------------------------------------------------------------------------------

/**
 * How the cells of a column arrive from the source relation:
 * - `text`: VARCHAR as written (CSV, a Parquet string column);
 * - `json`: a JSON value (`json_extract` of a JSON Lines object), NULL when the key is absent;
 * - `number`: a binary floating-point number (a Parquet FLOAT or DOUBLE), NaN and ±Infinity
 *   included; `decimal`: an integer or DECIMAL (its text is its exact value);
 * - `boolean`: a typed Parquet column;
 * - `instant`: TIMESTAMP WITH TIME ZONE (an instant); `wall`: TIMESTAMP or DATE (a local time);
 * - `nested`: a list, struct or map, which no rule accepts;
 * - `other`: a plain value of a type no rule reads (TIME, INTERVAL, BLOB, …, `typeName`): its
 *   text in a text column (a BLOB's as UTF-8), and no number or time in any other column.
 */
export type CellType =
  | 'text'
  | 'json'
  | 'number'
  | 'decimal'
  | 'boolean'
  | 'instant'
  | 'wall'
  | 'nested'
  | 'other';

export interface SourceColumn {
  readonly column: FileColumn;
  /** SQL over the source relation, or null when the file lacks the column. */
  readonly sql: string | null;
  readonly type: CellType;
  /** `other` only: the value's type as its reasons name it (`TIME`). */
  readonly typeName?: string;
}

/**
 * Whether a text cell of this column can break a rule: an optional id or free text accepts
 * any text, an empty cell included. Such a column that the raw table does not keep
 * (`events.page`, `events.session_id`) need not be read at all: the CSV reader then skips
 * its cells, which costs about as much as validating them (BENCHMARKS.md). Only for text:
 * a JSON object or a Parquet list in the same column breaks "is not a plain value".
 */
export function textCanFail(column: FileColumn): boolean {
  return column.required || (column.kind !== 'id' && column.kind !== 'text');
}

/** How local wall times become instants: SQL of the instant (NULL when unknown) of a wall. */
export type LocalInstantSql = (wall: string) => string;

const TAB = 'chr(9)';
const BLANKS = `' ' || ${TAB}`;
/** Whitespace a JSON string may carry around its value (JS `trim` of ASCII). */
const JSON_BLANKS = `' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)`;

/**
 * A VARCHAR without surrounding spaces and tabs, NULL when nothing is left. The test
 * before `trim` keeps most cells from being copied: trimming every cell costs more than
 * parsing a timestamp.
 */
function trimmed(sql: string, blanks = BLANKS): string {
  // `< '!'`: the text starts with a space, a tab or another control character.
  const ends = [`${sql} < '!'`, `suffix(${sql}, ' ')`, `suffix(${sql}, ${TAB})`];
  if (blanks !== BLANKS) {
    for (const code of [10, 11, 12, 13]) ends.push(`suffix(${sql}, chr(${code}))`);
  }
  return `CASE WHEN ${ends.join(' OR ')} THEN nullif(trim(${sql}, ${blanks}), '') ELSE nullif(${sql}, '') END`;
}

/**
 * ISO 8601 as `makeTimestampParser` (time/timestamps.ts) reads it: a date, optionally a
 * time (`T`, `t` or a space; minutes; seconds with 1–9 fraction digits after `.` or `,`),
 * optionally `Z` or an offset `±HH`, `±HHMM`, `±HH:MM`. Field ranges are checked here, the
 * days of each month by the cast that follows.
 */
const TIMESTAMP_SHAPE =
  '[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])' +
  '([Tt ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9]([.,][0-9]{1,9})?)?' +
  '([Zz]|[+-]([01][0-9]|2[0-3])(:?[0-5][0-9])?)?)?';

/**
 * A plain decimal (`12.50`, `-3`, `+0.5`, `.5`, `7.`): no exponent, no thousands separator or
 * decimal comma, no space inside, so that `1,234` or `12,50` is rejected rather than misread.
 */
const DECIMAL_SHAPE = '[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)';

/**
 * Epoch microseconds of 0000-01-01T00:00:00 and of the last microsecond of 9999-12-31: the
 * range of a typed (Parquet) date or time, as TIMESTAMP_SHAPE's four-digit years.
 */
const TYPED_TIME_MIN_US = '-62167219200000000';
const TYPED_TIME_MAX_US = '253402300799999999';

/** Epoch milliseconds (rounded down, as the TypeScript parser does) of epoch microseconds. */
function floorMs(us: string): string {
  return `((${us}) - (((${us}) % 1000) + 1000) % 1000) // 1000`;
}

/** The SQL string literal of a reason's fixed part. */
const lit = (text: string): string => sqlString(text);

const WHOLE_KINDS: readonly ColumnKind[] = ['count', 'score'];
const NUMBER_KINDS: readonly ColumnKind[] = ['money', 'number', 'count', 'score'];
const INSTANT_KINDS: readonly ColumnKind[] = ['timestamp', 'date'];
const TEXT_KINDS: readonly ColumnKind[] = ['id', 'text', 'enum', 'currency'];

/** Whole numbers go in BIGINT: −2^63 … 2^63 − 1. */
const BIGINT_MIN = '-9223372036854775808';
const BIGINT_MAX = '9223372036854775807';

export type RuleMode =
  /** Typed values and `bad`: the row breaks a rule or needs a second look. */
  | 'flag'
  /** Typed values, `reject_column` and `reason` (both NULL for a good row). */
  | 'reason'
  /** Only `wall`: the distinct local wall times the rows hold. */
  | 'walls';

export interface RuleQuery {
  dataset: DatasetName;
  /**
   * A relation with whatever the columns' `sql` reads, and `rn` (the record's ordinal)
   * unless `unnumbered` (flag mode only).
   */
  source: string;
  unnumbered?: boolean;
  columns: readonly SourceColumn[];
  /** The report currency (ISO 4217). */
  currency: string;
  localInstant: LocalInstantSql;
  mode: RuleMode;
  /**
   * A condition on the source that a good row must also meet, and the reason when it does
   * not (a JSON line DuckDB cannot take apart): checked before any cell.
   */
  rowCheck?: { ok: string; reason: string };
}

/**
 * The SQL parts of one column: what each layer of `ruleQuery` adds, its typed value, the
 * condition under which it fails, and the reason.
 */
interface ColumnSql {
  raw: string[];
  strings: string[];
  cells: string[];
  shapes: string[];
  parsed: string[];
  instants: string[];
  value: string;
  /** Whether the cell fails its rules (needs `x_<name>`). */
  fails: string;
  /** The reason it fails, or NULL. */
  reason: string;
  /** The cell's local wall time when it holds one without an offset (walls mode). */
  wall: string | null;
}

const REQUIRED_REASON = lit('is empty, but the column is required');

/** How many characters of a bad cell a reason quotes (then `…`). */
export const SHOWN_CHARS = 1000;

/**
 * The SQL of one column of the source. Names: `t_<i>` the cell's text (NULL when absent),
 * `n_<i>` its native number or instant, `w_<i>`/`z_<i>` wall time and zone offset of an
 * instant, `v_<i>`/`d_<i>` syntax check and value of a number, `x_<name>` the typed value.
 */
function columnSql(
  { column, sql, type, typeName }: SourceColumn,
  i: number,
  currency: string,
  localInstant: LocalInstantSql,
): ColumnSql {
  const out: ColumnSql = {
    raw: [],
    strings: [],
    cells: [],
    shapes: [],
    parsed: [],
    instants: [],
    value: 'NULL',
    fails: column.required ? 'true' : 'false',
    reason: column.required ? REQUIRED_REASON : 'NULL',
    wall: null,
  };
  const t = `t_${i}`;
  const n = `n_${i}`;
  const x = `x_${column.name}`;
  if (sql === null) {
    // matchHeader lets a file without a required column this far only when nothing named
    // the columns (JSON Lines without a single object): then every row lacks the value.
    out.cells.push(`NULL::VARCHAR AS ${t}`);
    return out;
  }

  // Whether the cell is a string (its reasons quote it), whether it is no plain value,
  // and its native number or instant: constants where the type decides, for DuckDB to fold.
  let isString = 'true';
  let nonPlain = 'false';
  let nonPlainReason = lit(' is not a plain value (text or a number)');
  let native = 'NULL';
  /** Whether the cell's text is its exact value (a string, a JSON or Parquet integer, a DECIMAL). */
  let exactText = 'true';
  switch (type) {
    case 'text':
      out.cells.push(`${trimmed(sql)} AS ${t}`);
      break;
    case 'json': {
      const y = `y_${i}`;
      const e = `e_${i}`;
      const str = `s_${i}`;
      out.raw.push(`${sql} AS ${e}`, `json_type(${sql}) AS ${y}`);
      // The string, once: `->>` parses the value again at every use.
      out.strings.push(`CASE WHEN ${y} = 'VARCHAR' THEN ${e} ->> '$' END AS ${str}`);
      out.cells.push(
        `CASE WHEN ${y} IS NULL OR ${y} = 'NULL' THEN NULL WHEN ${y} = 'VARCHAR' THEN ${trimmed(str, JSON_BLANKS)} ELSE CAST(${e} AS VARCHAR) END AS ${t}`,
        `CASE WHEN ${y} IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN TRY_CAST(${e} AS DOUBLE) END AS ${n}`,
      );
      isString = `(${y} = 'VARCHAR')`;
      nonPlain = `(${y} IN ('OBJECT', 'ARRAY'))`;
      native = n;
      exactText = `(${y} IN ('VARCHAR', 'BIGINT', 'UBIGINT'))`;
      break;
    }
    case 'number':
    case 'decimal': {
      // A NaN or infinite double is spelled as JSON Lines and the rejected record have it.
      const text =
        type === 'number'
          ? `CASE WHEN isnan(${sql}) THEN 'NaN' WHEN isinf(${sql}) THEN CASE WHEN ${sql} > 0 THEN 'Infinity' ELSE '-Infinity' END ELSE CAST(${sql} AS VARCHAR) END`
          : `CAST(${sql} AS VARCHAR)`;
      out.cells.push(`${text} AS ${t}`, `CAST(${sql} AS DOUBLE) AS ${n}`);
      isString = 'false';
      native = n;
      exactText = type === 'decimal' ? 'true' : 'false';
      break;
    }
    case 'boolean':
      out.cells.push(`CAST(${sql} AS VARCHAR) AS ${t}`);
      isString = 'false';
      break;
    case 'instant':
    case 'wall': {
      const as = type === 'instant' ? 'TIMESTAMPTZ' : 'TIMESTAMP';
      out.cells.push(
        `CAST(${sql} AS VARCHAR) AS ${t}`,
        `epoch_us(CAST(${sql} AS ${as})) AS us_${i}`,
      );
      // The years a text date may have (four digits: 0000 – 9999), so that a typed value
      // is no more lenient than its text (year 290000 would also outrun JavaScript's Date).
      out.shapes.push(
        `CASE WHEN us_${i} BETWEEN ${TYPED_TIME_MIN_US} AND ${TYPED_TIME_MAX_US} THEN ${floorMs(`us_${i}`)} END AS ${n}`,
      );
      isString = 'false';
      native = n;
      break;
    }
    case 'nested':
      out.cells.push(`CAST(to_json(${sql}) AS VARCHAR) AS ${t}`);
      isString = 'false';
      nonPlain = `(${t} IS NOT NULL)`;
      break;
    case 'other': {
      const name = typeName ?? 'other';
      if (TEXT_KINDS.includes(column.kind)) {
        if (name === 'BLOB') {
          // Bytes a writer did not mark as a string: their UTF-8 text, if they are UTF-8.
          const o = `o_${i}`;
          out.raw.push(`try(decode(${sql})) AS ${o}`);
          out.cells.push(`${trimmed(`coalesce(${o}, CAST(${sql} AS VARCHAR))`)} AS ${t}`);
          nonPlain = `(${sql} IS NOT NULL AND ${o} IS NULL)`;
          nonPlainReason = lit(' is binary data (BLOB) that is not UTF-8 text');
        } else {
          out.cells.push(`${trimmed(`CAST(${sql} AS VARCHAR)`)} AS ${t}`);
        }
      } else {
        out.cells.push(`CAST(${sql} AS VARCHAR) AS ${t}`);
        nonPlain = `(${t} IS NOT NULL)`;
        nonPlainReason = lit(
          ` is of type ${name}, not ${INSTANT_KINDS.includes(column.kind) ? 'a date or timestamp' : 'a number'}`,
        );
      }
      isString = 'false';
      break;
    }
  }
  // A reason quotes at most SHOWN_CHARS of the cell: a 10 MB cell (or a JSON value nested
  // 100,000 deep) would otherwise make a 10 MB "line" of the reason; the rejected row's
  // record still holds the whole value.
  const shown = `CASE WHEN length(${t}) > ${SHOWN_CHARS} THEN left(${t}, ${SHOWN_CHARS}) || '…' ELSE ${t} END`;
  const display =
    isString === 'true'
      ? `'"' || ${shown} || '"'`
      : isString === 'false'
        ? shown
        : `CASE WHEN ${isString} THEN '"' || ${shown} || '"' ELSE ${shown} END`;
  const quoted = `'"' || ${shown} || '"'`;
  /** `text` where the cell is a string, else NULL. */
  const stringOnly = (text: string): string =>
    isString === 'true'
      ? text
      : isString === 'false'
        ? 'NULL'
        : `CASE WHEN ${isString} THEN ${text} END`;

  let value: string;
  let problem: string;
  if (INSTANT_KINDS.includes(column.kind)) {
    const w = `w_${i}`;
    const z = `z_${i}`;
    if (type === 'instant' || type === 'wall') {
      out.parsed.push(`${type === 'instant' ? '0' : 'NULL'}::BIGINT AS ${z}`);
      out.instants.push(`${native} AS ${w}`);
    } else {
      const ok = `ok_${i}`;
      const zl = `zl_${i}`;
      out.shapes.push(
        `coalesce(${stringOnly(`regexp_full_match(${t}, ${lit(TIMESTAMP_SHAPE)})`)}, false) AS ${ok}`,
        `${zoneLength(t)} AS ${zl}`,
      );
      // The wall time, as DuckDB's TIMESTAMP cast reads it (the cast checks the days of
      // each month). The cast reads most forms as they are, ignoring a zone after the
      // seconds; for the others the zone is cut off and `t`, `,` are spelled `T`, `.`.
      const spelled = `replace(replace(left(${t}, length(${t}) - ${zl}), 't', 'T'), ',', '.')`;
      const wall = `coalesce(TRY_CAST(${t} AS TIMESTAMP), TRY_CAST(${spelled} AS TIMESTAMP))`;
      const sign = `CASE WHEN substr(${t}, -${zl}, 1) = '-' THEN -1 ELSE 1 END`;
      const minutes = `CASE WHEN ${zl} = 3 THEN 0 ELSE CAST(right(${t}, 2) AS BIGINT) * 60000 END`;
      const u = `u_${i}`;
      out.parsed.push(
        `CASE WHEN ${ok} THEN epoch_us(${wall}) END AS ${u}`,
        `CASE WHEN NOT ${ok} OR ${zl} = 0 THEN NULL WHEN ${zl} = 1 THEN 0 ELSE ${sign} * (CAST(substr(${t}, 1 - ${zl}, 2) AS BIGINT) * 3600000 + ${minutes}) END AS ${z}`,
      );
      out.instants.push(`${floorMs(u)} AS ${w}`);
    }
    out.wall = `CASE WHEN ${z} IS NULL THEN ${w} END`;
    value = `CASE WHEN ${w} IS NULL THEN NULL WHEN ${z} IS NOT NULL THEN ${w} - ${z} ELSE ${localInstant(w)} END`;
    problem = `${display} || ${lit(` is not a valid date or time (${TIMESTAMP_EXPECTED})`)}`;
  } else if (NUMBER_KINDS.includes(column.kind)) {
    const v = `v_${i}`;
    const d = `d_${i}`;
    const whole = WHOLE_KINDS.includes(column.kind);
    const nativeValid = `(${native} IS NOT NULL AND NOT isnan(${native}))`;
    const textValid = `regexp_full_match(${t}, ${lit(DECIMAL_SHAPE)})`;
    out.shapes.push(
      `coalesce(${
        isString === 'true'
          ? textValid
          : isString === 'false'
            ? nativeValid
            : `CASE WHEN ${isString} THEN ${textValid} ELSE ${nativeValid} END`
      }, false) AS ${v}`,
    );
    // TRY_CAST gives NULL where the decimal is too large for a double (JavaScript's
    // Infinity): "not a finite number", as before.
    out.parsed.push(
      `CASE WHEN NOT ${v} THEN NULL ${
        isString === 'false' ? '' : `WHEN ${isString} THEN TRY_CAST(${t} AS DOUBLE) `
      }ELSE ${native} END AS ${d}`,
    );
    const finite = `(${d} IS NOT NULL AND NOT isinf(${d}))`;
    let fraction = 'false';
    let range = 'false';
    if (whole) {
      // A whole number is decided on its text where the text is exact: a double has no
      // 2^63 − 1 (it rounds to 2^63), nor most whole numbers above 2^53. `h` is the exact
      // value, NULL beyond HUGEINT (±1.7 × 10^38); the text has passed DECIMAL_SHAPE.
      const f = `f_${i}`;
      const h = `h_${i}`;
      const textFraction = `contains(${t}, '.') AND rtrim(split_part(${t}, '.', 2), '0') <> ''`;
      const fromDouble = `CASE WHEN abs(${d}) < 1e38 THEN CAST(${d} AS HUGEINT) END`;
      const exact = (text: string, double: string) =>
        exactText === 'true'
          ? text
          : exactText === 'false'
            ? double
            : `CASE WHEN ${exactText} THEN ${text} ELSE ${double} END`;
      out.instants.push(
        `${exact(textFraction, `${d} <> trunc(${d})`)} AS ${f}`,
        `CASE WHEN ${v} AND ${finite} THEN ${exact(`TRY_CAST(${t} AS HUGEINT)`, fromDouble)} END AS ${h}`,
      );
      fraction = f;
      range = `NOT coalesce(${h} BETWEEN ${BIGINT_MIN} AND ${BIGINT_MAX}, false)`;
    }
    const negative = column.kind !== 'score' && !column.negative ? `${d} < 0` : 'false';
    const good = `${v} AND ${finite} AND NOT (${fraction}) AND NOT (${negative}) AND NOT (${range})`;
    // `+ 0.0` turns −0 into 0, as the TypeScript parser did.
    value = `CASE WHEN ${good} THEN ${whole ? `CAST(h_${i} AS BIGINT)` : `${d} + 0.0`} END`;
    const word = column.kind === 'count' ? 'a count' : 'a score';
    const negativeReason =
      column.kind === 'count'
        ? ' is negative (a count cannot be below 0)'
        : column.kind === 'money'
          ? ' is negative (only an order amount may be negative, for a refund)'
          : ' is negative (must be 0 or more)';
    const notNumber = whole
      ? ' is not a whole number'
      : ' is not a number (expected a decimal such as 12.50)';
    // Out of range: below −2^63 only a score can be (a negative count is "negative" first).
    problem = `CASE WHEN NOT ${v} THEN ${display} || ${lit(notNumber)} WHEN NOT ${finite} THEN ${display} || ${lit(' is not a finite number')} WHEN ${fraction} THEN ${display} || ${lit(` is not a whole number (${word} cannot have decimals)`)} WHEN ${negative} THEN ${display} || ${lit(negativeReason)} WHEN ${d} < 0 THEN ${display} || ${lit(' is too small (a whole number must be -2^63 or more)')} ELSE ${display} || ${lit(' is too large (a whole number must be below 2^63)')} END`;
  } else if (column.kind === 'enum') {
    value = `CASE WHEN lower(${t}) IN (${column.values.map(lit).join(', ')}) THEN lower(${t}) END`;
    problem = `${quoted} || ${lit(` is not one of ${column.values.join(', ')}`)}`;
  } else if (column.kind === 'currency') {
    value = `CASE WHEN upper(${t}) = ${lit(currency)} THEN upper(${t}) END`;
    problem = `CASE WHEN regexp_full_match(upper(${t}), '[A-Z]{3}') THEN 'currency ' || upper(${t}) || ${lit(` is not the report currency ${currency} (a report has one currency)`)} ELSE ${quoted} || ${lit(` is not an ISO 4217 currency code such as ${currency}`)} END`;
  } else {
    value = t;
    problem = 'NULL';
  }
  out.value = nonPlain === 'false' ? value : `CASE WHEN ${nonPlain} THEN NULL ELSE ${value} END`;
  out.fails = column.required
    ? `(${t} IS NULL OR ${x} IS NULL)`
    : `(${t} IS NOT NULL AND ${x} IS NULL)`;
  const nonPlainCase =
    nonPlain === 'false' ? '' : ` WHEN ${nonPlain} THEN ${shown} || ${nonPlainReason}`;
  out.reason = `CASE WHEN ${t} IS NULL THEN ${column.required ? REQUIRED_REASON : 'NULL'}${nonPlainCase} WHEN ${x} IS NOT NULL THEN NULL ELSE ${problem} END`;
  return out;
}

/**
 * Length of the zone at the end of a timestamp's text that has the timestamp's shape: 0
 * (none), 1 (`Z`), 3 (`+01`), 5 (`+0100`) or 6 (`+01:00`). A sign can only be the zone's
 * there: the time before it holds digits, colons and the fraction's point.
 */
function zoneLength(t: string): string {
  const sign = (k: number) => `substr(${t}, -${k}, 1) IN ('+', '-')`;
  return `CASE WHEN length(${t}) <= 10 THEN 0 WHEN suffix(${t}, 'Z') OR suffix(${t}, 'z') THEN 1 WHEN ${sign(3)} THEN 3 WHEN ${sign(5)} THEN 5 WHEN ${sign(6)} THEN 6 ELSE 0 END`;
}

/** Reasons of the rules across cells, in the order they are checked. */
function crossRules(
  dataset: DatasetName,
  textOf: (column: string) => string,
): { column: string; fails: string; reason: string }[] {
  const rules: { column: string; fails: string; reason: string }[] = [];
  const score = columnsOf(dataset).find(([, s]) => s.scaleBy !== undefined);
  if (score !== undefined) {
    const [name, spec] = score;
    const s = `x_${name}`;
    const by = `x_${spec.scaleBy as string}`;
    const scales = Object.entries(SCORE_SCALES) as [SurveyType, { min: number; max: number }][];
    const bound = (end: 'min' | 'max') =>
      `CASE ${by} ${scales.map(([type, scale]) => `WHEN ${lit(type)} THEN ${scale[end]}`).join(' ')} END`;
    const outside = `(${s} IS NOT NULL AND ${by} IS NOT NULL AND NOT (${s} BETWEEN ${bound('min')} AND ${bound('max')}))`;
    rules.push({
      column: name,
      fails: outside,
      reason: `CASE WHEN ${outside} THEN CAST(${s} AS VARCHAR) || ' is outside the ' || ${by} || ' scale (' || ${bound('min')} || ' to ' || ${bound('max')} || ')' END`,
    });
  }
  for (const [later, earlier] of DATASET_SPECS[dataset].notBefore as readonly (readonly [
    string,
    string,
  ])[]) {
    const before = `coalesce(x_${later} < x_${earlier}, false)`;
    rules.push({
      column: later,
      fails: before,
      reason: `CASE WHEN ${before} THEN '"' || ${textOf(later)} || ${lit(`" is before ${earlier} "`)} || ${textOf(earlier)} || '"' END`,
    });
  }
  return rules;
}

/**
 * The SQL of a query over `source` that applies the dataset's rules to every row. It
 * returns `rn` and the typed value of each canonical column as `x_<column>` (NULL when
 * absent or invalid), with, per mode, `bad` or `reject_column` and `reason`.
 *
 * The query is a chain of layers (CTEs, which DuckDB inlines into one pipeline): `raw`
 * (the source), `strings` (JSON strings), `cells` (each cell's text), `shapes` (syntax),
 * `parsed` (numbers, wall times, offsets), `instants`, `typed` (values) and `checked`
 * (reasons). DuckDB computes an expression again at every use, so each layer names what
 * the next uses several times.
 */
export function ruleQuery(q: RuleQuery): string {
  const currency = q.currency.toUpperCase();
  const parts = q.columns.map((c, i) => columnSql(c, i, currency, q.localInstant));
  const index = new Map(q.columns.map(({ column }, i) => [column.name, i]));
  const cross = crossRules(q.dataset, (name) => `t_${index.get(name)}`);

  const layer = (name: string, from: string, columns: string[]) =>
    `${name} AS (SELECT *${columns.map((c) => `,\n    ${c}`).join('')}\n  FROM ${from})`;
  const layers = ['raw', 'strings', 'cells', 'shapes', 'parsed', 'instants'] as const;
  const ctes = layers.map((name, k) =>
    layer(
      name,
      k === 0 ? `${q.source} AS src` : (layers[k - 1] as string),
      parts.flatMap((p) => p[name]),
    ),
  );
  const typed = parts.map((p, i) => {
    const { column } = q.columns[i] as SourceColumn;
    return `CAST(${p.value} AS ${sqlTypeOf(column.kind)}) AS x_${column.name}`;
  });
  const values = q.columns.map(({ column }) => `x_${column.name}`).join(', ');

  if (q.mode === 'walls') {
    const walls = parts.flatMap((p) => (p.wall === null ? [] : [p.wall]));
    const list = walls.length === 0 ? '[]::BIGINT[]' : `[${walls.join(', ')}]`;
    return `WITH ${ctes.join(',\n')}
SELECT DISTINCT w AS wall FROM (SELECT unnest(${list}) AS w FROM instants) WHERE w IS NOT NULL`;
  }
  ctes.push(layer('typed', 'instants', typed));
  if (q.mode === 'flag') {
    const fails = [...parts.map((p) => p.fails), ...cross.map((r) => r.fails)];
    if (q.rowCheck !== undefined) fails.push(`NOT coalesce(${q.rowCheck.ok}, false)`);
    return `WITH ${ctes.join(',\n')}
SELECT ${q.unnumbered === true ? '' : 'rn, '}${values}, ${fails.join(' OR ')} AS bad FROM typed`;
  }
  const reasons = [
    ...parts.map((p, i) => ({
      column: (q.columns[i] as SourceColumn).column.name,
      reason: p.reason,
    })),
    ...cross,
  ];
  ctes.push(
    layer(
      'checked',
      'typed',
      reasons.map((r, k) => `${r.reason} AS r_${k}`),
    ),
  );
  let column = `CASE ${reasons.map((r, k) => `WHEN r_${k} IS NOT NULL THEN ${lit(r.column)}`).join(' ')} END`;
  let reason = `coalesce(${reasons.map((_, k) => `r_${k}`).join(', ')})`;
  if (q.rowCheck !== undefined) {
    const bad = `NOT coalesce(${q.rowCheck.ok}, false)`;
    column = `CASE WHEN ${bad} THEN NULL ELSE ${column} END`;
    reason = `CASE WHEN ${bad} THEN ${lit(q.rowCheck.reason)} ELSE ${reason} END`;
  }
  return `WITH ${ctes.join(',\n')}
SELECT rn, ${values}, ${column} AS reject_column, ${reason} AS reason FROM checked`;
}
