/**
 * Whole-file problems: the file cannot be read as its dataset at all, so none of its rows
 * count. Every message starts with the file's key. Row-level problems are not errors but
 * rejected rows (`RejectedRow` in ../sources).
 */

export class DatasetError extends Error {
  /** The export file's path or S3 key. */
  readonly file: string;

  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super(`${file}: ${message}`, options);
    this.name = 'DatasetError';
    this.file = file;
  }
}

/** One or more required columns are not in the header (or, for JSON Lines, the first object). */
export class MissingColumnError extends DatasetError {
  readonly missing: readonly string[];
  readonly header: readonly string[];

  constructor(
    file: string,
    missing: readonly { column: string; exportName: string }[],
    header: readonly string[],
  ) {
    const names = missing.map(({ column, exportName }) =>
      column === exportName ? `"${column}"` : `"${column}" (mapped to "${exportName}")`,
    );
    const found = header.length === 0 ? 'no columns' : header.map((h) => `"${h}"`).join(', ');
    super(
      file,
      `required column${missing.length > 1 ? 's' : ''} ${names.join(', ')} ${
        missing.length > 1 ? 'are' : 'is'
      } missing; the header has ${found}`,
    );
    this.name = 'MissingColumnError';
    this.missing = missing.map(({ column }) => column);
    this.header = header;
  }
}

/**
 * A column the dataset reads appears more than once in the header (a CSV joined from two
 * exports, a spreadsheet column copied): which copy holds the value is a guess, and the
 * wrong one would change the numbers without a word.
 */
export class DuplicateColumnError extends DatasetError {
  constructor(file: string, column: string, positions: readonly number[]) {
    super(
      file,
      `column "${column}" appears ${positions.length} times in the header (columns ${positions
        .slice(0, -1)
        .join(', ')} and ${positions.at(-1)}); keep one`,
    );
    this.name = 'DuplicateColumnError';
  }
}

/**
 * The bytes cannot be read: corrupt or truncated gzip, UTF-16 text, a never-ending record,
 * a file that is not Parquet.
 */
export class UnreadableFileError extends DatasetError {
  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super(file, message, options);
    this.name = 'UnreadableFileError';
  }
}

/** The key's extension is not one of the supported formats. */
export class UnsupportedFormatError extends DatasetError {
  constructor(file: string) {
    super(file, 'unsupported file type; expected .csv, .csv.gz, .jsonl, .jsonl.gz or .parquet');
    this.name = 'UnsupportedFormatError';
  }
}
