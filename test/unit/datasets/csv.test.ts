import { describe, expect, it } from 'vitest';
import {
  type CsvRecord,
  CsvScanner,
  fieldText,
  rawFieldText,
} from '../../../functions/core/datasets/csv';
import { UnreadableFileError } from '../../../functions/core/datasets/errors';
import { mulberry32 } from '../../../functions/core/models/simulate';

/** Scans `text` pushed in chunks of `size` bytes; returns each record's line and fields. */
function scan(text: string | Buffer, size: number, maxRecordBytes?: number) {
  const records: { line: number; fields: string[]; problem: string | null }[] = [];
  const scanner = new CsvScanner(
    'test.csv',
    (record: CsvRecord) => {
      const fields: string[] = [];
      for (let k = 0; k < record.count; k++) fields.push(rawFieldText(record, k));
      records.push({ line: record.line, fields, problem: record.problem });
    },
    maxRecordBytes,
  );
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  for (let i = 0; i < bytes.length; i += size) scanner.push(bytes.subarray(i, i + size));
  scanner.end();
  return records;
}

describe('CsvScanner', () => {
  it('round-trips random records written the RFC 4180 way, whatever the chunk size', () => {
    // Prepare: records of random fields drawn from awkward characters, serialised with
    // quotes where needed; each record's start line is counted while writing it.
    const random = mulberry32(42);
    const alphabet = ['a', 'Z', '7', ' ', ',', '"', '\n', '\r\n', 'é', '€', '😀', '\t'];
    const expected: { line: number; fields: string[] }[] = [];
    let text = '';
    let line = 1;
    for (let r = 0; r < 300; r++) {
      if (random() < 0.1) {
        text += '\n';
        line++;
      }
      const fields: string[] = [];
      const count = 1 + Math.floor(random() * 5);
      for (let f = 0; f < count; f++) {
        let field = '';
        const length = Math.floor(random() * 6);
        for (let c = 0; c < length; c++) {
          field += alphabet[Math.floor(random() * alphabet.length)] as string;
        }
        fields.push(field);
      }
      // A record of one empty field would be a blank line, which is no record.
      if (count === 1 && fields[0] === '') fields[0] = 'x';
      expected.push({ line, fields });
      const cells = fields.map((f) =>
        /[",\r\n]/.test(f) || f.startsWith(' ') || random() < 0.2
          ? `"${f.replaceAll('"', '""')}"`
          : f,
      );
      const record = cells.join(',');
      const lineEnd = random() < 0.5 ? '\n' : '\r\n';
      // The last record has no line end, as many tools write it.
      text += record + (r === 299 ? '' : lineEnd);
      line += (record.match(/\n/g) ?? []).length + 1;
    }

    for (const size of [1, 2, 3, 7, 64, 4096, 1 << 20]) {
      // Act
      const records = scan(text, size);

      // Assess
      expect(records.map((r) => r.problem).filter((p) => p !== null)).toEqual([]);
      expect(records.map(({ line, fields }) => ({ line, fields }))).toEqual(expected);
    }
  });

  it('keeps a quote inside an unquoted field as text', () => {
    expect(scan('a,5" screen,b\n', 3)).toEqual([
      { line: 1, fields: ['a', '5" screen', 'b'], problem: null },
    ]);
  });

  it('skips one space before an opening quote and any blanks after a closing one', () => {
    // DuckDB's CSV reader, which loads most files, reads these records the same way.
    const text = 'a, "b,c" ,d\n"e"\t,f\n  "g",h\n\t"i",j\n';
    for (const size of [1, 2, 3, 5, text.length]) {
      expect([size, scan(text, size)]).toEqual([
        size,
        [
          { line: 1, fields: ['a', 'b,c', 'd'], problem: null },
          { line: 2, fields: ['e', 'f'], problem: null },
          // Two spaces, or a tab, before a quote: no quoted field, the quotes are text.
          { line: 3, fields: ['  "g"', 'h'], problem: null },
          { line: 4, fields: ['\t"i"', 'j'], problem: null },
        ],
      ]);
    }
  });

  it('reports text after a closing quote and keeps scanning', () => {
    const records = scan('"a"b,c\nd,e\n', 1);

    expect(records).toEqual([
      {
        line: 1,
        fields: ['a', 'c'],
        problem: 'has text after the closing quote of a quoted field',
      },
      { line: 2, fields: ['d', 'e'], problem: null },
    ]);
  });

  it('reports a quote never closed at the end of the input', () => {
    const records = scan('a,b\nc,"d\ne\n', 2);

    expect(records).toEqual([
      { line: 1, fields: ['a', 'b'], problem: null },
      {
        line: 2,
        fields: ['c', 'd\ne\n'],
        problem: 'a quoted field that opens on line 2 is never closed',
      },
    ]);
  });

  it('throws UnreadableFileError when a record outgrows the limit', () => {
    const text = `a\n"${'x'.repeat(5000)}`;

    expect(() => scan(text, 100, 1000)).toThrow(UnreadableFileError);
    expect(() => scan(text, 100, 1000)).toThrow(
      'test.csv: the record starting on line 2 is longer than',
    );
  });

  it('trims spaces and undoes doubled quotes in fieldText', () => {
    let text = '';
    new CsvScanner('t.csv', (record) => {
      text = fieldText(record, 0);
    }).push(Buffer.from('" say ""hi"" "\n'));

    expect(text).toBe('say "hi"');
  });
});
