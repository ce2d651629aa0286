import { execFileSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { columnMapFor, parseConfig } from '../../../functions/core/config';
import {
  DatasetError,
  MissingColumnError,
  UnreadableFileError,
  UnsupportedFormatError,
} from '../../../functions/core/datasets/errors';
import { NOT_UTF8 } from '../../../functions/core/datasets/load';
import { formatOf, readExport } from '../../../functions/core/datasets/read';
import { at, memoryFile, OPTIONS, readAll } from './helpers';

/** Three events, one with a bad timestamp, as CSV and as JSON Lines. */
const EVENTS_CSV = [
  'user_id,occurred_at,event_type,page',
  'u1,2026-11-02T09:30:00Z,login,/home',
  'u2,yesterday,login,/home',
  'u3,2026-11-02 10:00,purchase,',
  '',
].join('\n');
const EVENTS_JSONL = [
  '{"user_id":"u1","occurred_at":"2026-11-02T09:30:00Z","event_type":"login","page":"/home"}',
  '{"user_id":"u2","occurred_at":"yesterday","event_type":"login","page":"/home"}',
  '{"user_id":"u3","occurred_at":"2026-11-02 10:00","event_type":"purchase"}',
  '',
].join('\n');

// 10:00 local in Berlin on 2 Nov 2026 (CET, UTC+1) is 09:00Z.
const EXPECTED_ROWS = [
  {
    line: 2,
    row: {
      user_id: 'u1',
      occurred_at: at('2026-11-02T09:30:00Z'),
      event_type: 'login',
      page: '/home',
      event_id: undefined,
      feature: undefined,
      session_id: undefined,
    },
  },
  {
    line: 4,
    row: {
      user_id: 'u3',
      occurred_at: at('2026-11-02T09:00:00Z'),
      event_type: 'purchase',
      page: undefined,
      event_id: undefined,
      feature: undefined,
      session_id: undefined,
    },
  },
];

describe('readExport', () => {
  it('reads a .csv file', async () => {
    const { rows, rejects, stats } = await readAll(memoryFile('events', 'e.csv', EVENTS_CSV));

    expect(rows).toEqual(EXPECTED_ROWS);
    expect(rejects.map((r) => [r.file, r.line, r.column])).toEqual([['e.csv', 3, 'occurred_at']]);
    expect(stats).toEqual({ rowsRead: 3, rowsAccepted: 2, rowsRejected: 1, ignoredColumns: [] });
  });

  it('reads a .csv.gz file', async () => {
    const { rows, rejects } = await readAll(
      memoryFile('events', 'e.csv.gz', gzipSync(EVENTS_CSV), 7),
    );

    expect(rows).toEqual(EXPECTED_ROWS);
    expect(rejects.map((r) => [r.file, r.line, r.column])).toEqual([
      ['e.csv.gz', 3, 'occurred_at'],
    ]);
  });

  it('reads a .jsonl file, with the line of each object', async () => {
    const { rows, rejects } = await readAll(memoryFile('events', 'e.jsonl', EVENTS_JSONL));

    // JSON Lines has no header: line 1 is the first object.
    expect(rows).toEqual(EXPECTED_ROWS.map((r) => ({ ...r, line: r.line - 1 })));
    expect(rejects.map((r) => [r.line, r.column, r.record])).toEqual([
      [
        2,
        'occurred_at',
        { user_id: 'u2', occurred_at: 'yesterday', event_type: 'login', page: '/home' },
      ],
    ]);
  });

  it('reads a .jsonl.gz file', async () => {
    const { rows } = await readAll(memoryFile('events', 'E.JSONL.GZ', gzipSync(EVENTS_JSONL), 5));

    expect(rows).toEqual(EXPECTED_ROWS.map((r) => ({ ...r, line: r.line - 1 })));
  });

  it('gives the same rows whatever the chunk boundaries', async () => {
    const quoted = [
      'user_id,occurred_at,event_type,page',
      'u1,2026-11-02T09:30:00Z,login,"/a, ""b""\r\nc"',
      '',
      'é,2026-11-02,signup,/ü',
      'u3,2026-11-02 10:00,purchase,x',
    ].join('\r\n');
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(quoted)]);
    const whole = await readAll(memoryFile('events', 'e.csv', bom));

    for (const size of [1, 2, 3, 5, 8, 13]) {
      const chunked = await readAll(memoryFile('events', 'e.csv', bom, size));
      expect(chunked).toEqual(whole);
    }
    expect(whole.rows.map((r) => [r.line, r.row.user_id, r.row.page])).toEqual([
      [2, 'u1', '/a, "b"\r\nc'],
      [5, 'é', '/ü'],
      [6, 'u3', 'x'],
    ]);
  });

  it('counts the physical line where a record starts when a quoted field spans lines', async () => {
    const csv = [
      'user_id,occurred_at,event_type,page',
      'u1,2026-11-02,login,"first',
      'second',
      'third"',
      'u2,not a date,login,',
      'u3,2026-11-02,login,',
    ].join('\n');

    const { rows, rejects } = await readAll(memoryFile('events', 'e.csv', csv));

    expect(rows.map((r) => [r.line, r.row.user_id, r.row.page])).toEqual([
      [2, 'u1', 'first\nsecond\nthird'],
      [6, 'u3', undefined],
    ]);
    expect(rejects.map((r) => r.line)).toEqual([5]);
  });

  it('rejects a quoted field that is never closed, with the line where it opens', async () => {
    const csv = ['user_id,occurred_at,event_type', 'u1,2026-11-02,login', 'u2,2026-11-02,"login'];

    const { rows, rejects } = await readAll(memoryFile('events', 'e.csv', csv.join('\n')));

    expect(rows.map((r) => r.row.user_id)).toEqual(['u1']);
    expect(rejects.map((r) => [r.line, r.column, r.reason])).toEqual([
      [3, null, 'a quoted field that opens on line 3 is never closed'],
    ]);
  });

  it('drops a UTF-8 byte order mark before the header', async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(EVENTS_CSV)]);

    const { rows } = await readAll(memoryFile('events', 'e.csv', bytes, 1));

    expect(rows).toEqual(EXPECTED_ROWS);
  });

  it('reads CRLF line ends without keeping the CR', async () => {
    const crlf = EVENTS_CSV.replaceAll('\n', '\r\n');

    const { rows, stats } = await readAll(memoryFile('events', 'e.csv', crlf, 4));

    expect(rows).toEqual(EXPECTED_ROWS);
    expect(stats.rowsRead).toBe(3);
  });

  it('reads blanks around a quoted cell as no part of it, through the whole load', async () => {
    const csv = [
      'order_id,customer_id,ordered_at,amount,currency,status',
      'o1,c1,2026-11-02T10:00:00Z,100.00,EUR,"paid" ',
      'o2,c1,2026-11-02T10:00:00Z, "5.00" ,EUR,paid',
      'o3,c1,2026-11-02T10:00:00Z,"7.00"\t,EUR,paid',
      // Two spaces before the quote: no quoted cell, and the quotes are no number.
      'o4,c1,2026-11-02T10:00:00Z,  "8.00",EUR,paid',
      '"o5" , c1 ,2026-11-02T10:00:00Z,"1,5",EUR,paid',
      'o6,c1,2026-11-02T10:00:00Z,"9.00" x,EUR,paid',
      '',
    ].join('\n');

    for (const chunkSize of [undefined, 1, 3]) {
      const { rows, rejects } = await readAll(memoryFile('orders', 'o.csv', csv, chunkSize));

      expect(rows.map((r) => [r.line, r.row.order_id, r.row.amount, r.row.status])).toEqual([
        [2, 'o1', 100, 'paid'],
        [3, 'o2', 5, 'paid'],
        [4, 'o3', 7, 'paid'],
      ]);
      expect(rejects.map((r) => [r.line, r.column, r.reason])).toEqual([
        [5, 'amount', '""8.00"" is not a number (expected a decimal such as 12.50)'],
        [6, 'amount', '"1,5" is not a number (expected a decimal such as 12.50)'],
        [7, null, 'has text after the closing quote of a quoted field'],
      ]);
      expect(rejects[1]?.record).toMatchObject({ order_id: 'o5', customer_id: ' c1 ' });
    }
  });

  it('reads every row after a header with a tab after a closing quote', async () => {
    // DuckDB's reader returns no row at all after such a header; the scanner reads the file.
    const csv =
      'order_id,customer_id,ordered_at,"amount"\t\no1,c1,2026-11-02T10:00:00Z,100.00\no2,c1,never,1\n';

    for (const chunkSize of [undefined, 2]) {
      const { rows, rejects } = await readAll(memoryFile('orders', 'o.csv', csv, chunkSize));

      expect(rows.map((r) => [r.line, r.row.order_id, r.row.amount])).toEqual([[2, 'o1', 100]]);
      expect(rejects.map((r) => [r.line, r.column])).toEqual([[3, 'ordered_at']]);
    }
  });

  it("rejects the whole file when the header's quoting is broken", async () => {
    // The header is no row to reject, and names read past broken quoting would be a guess.
    const rows = '\no1,c1,2026-11-02T10:00:00Z,100.00\n';
    for (const [header, problem] of [
      [
        'order_id,customer_id,ordered_at,"amount"x',
        'has text after the closing quote of a quoted field',
      ],
      [
        'order_id,customer_id,"ordered_at,amount',
        'a quoted field that opens on line 1 is never closed',
      ],
    ]) {
      const reading = readAll(memoryFile('orders', 'o.csv', `${header}${rows}`));

      await expect(reading).rejects.toBeInstanceOf(UnreadableFileError);
      await expect(reading).rejects.toThrow(
        `o.csv: the header on line 1 is broken (${problem}); fix its quoting`,
      );
    }
  });

  it('rejects the whole file when a required column is missing, naming it and the header', async () => {
    const csv = 'user_id,event_type,when\nu1,login,2026-11-02\n';

    const reading = readAll(memoryFile('events', 'incoming/events/e.csv', csv));

    await expect(reading).rejects.toBeInstanceOf(MissingColumnError);
    await expect(reading).rejects.toThrow(
      'incoming/events/e.csv: required column "occurred_at" is missing; the header has "user_id", "event_type", "when"',
    );
    await expect(reading).rejects.toMatchObject({
      file: 'incoming/events/e.csv',
      missing: ['occurred_at'],
    });
  });

  it('rejects a JSON Lines file whose first object lacks a required key', async () => {
    const jsonl = '{"user_id":"u1","event_type":"login"}\n';

    await expect(readAll(memoryFile('events', 'e.jsonl', jsonl))).rejects.toThrow(
      'e.jsonl: required column "occurred_at" is missing; the header has "user_id", "event_type"',
    );
  });

  it('maps export column names from the config', async () => {
    // A global mapping for customer_id and one for orders only; the mapped names are matched
    // ignoring case, and a column already named canonically (ordered_at) still works.
    const config = parseConfig({
      currency: 'EUR',
      columns: { customer_id: 'Customer ID', orders: { amount: 'Total', order_id: 'Order #' } },
    });
    const csv = 'ORDER #,customer id,ordered_at,Total,Notes\nA-1,C-9,2026-11-02,19.99,gift\n';

    const { rows, stats } = await readAll(memoryFile('orders', 'o.csv', csv), {
      columns: columnMapFor(config, 'orders'),
    });

    expect(rows.map((r) => r.row)).toEqual([
      {
        order_id: 'A-1',
        customer_id: 'C-9',
        ordered_at: at('2026-11-01T23:00:00Z'),
        amount: 19.99,
        currency: undefined,
        status: undefined,
      },
    ]);
    expect(stats.ignoredColumns).toEqual(['Notes']);
  });

  it('names the mapped column when a mapped column is missing', async () => {
    const config = parseConfig({ columns: { customer_id: 'Customer ID' } });
    const csv = 'customer,created_at\nc1,2026-11-02\n';

    await expect(
      readAll(memoryFile('customers', 'c.csv', csv), {
        columns: columnMapFor(config, 'customers'),
      }),
    ).rejects.toThrow('required column "customer_id" (mapped to "Customer ID") is missing');
  });

  it('reads a header-only file as zero rows', async () => {
    const { rows, rejects, stats } = await readAll(
      memoryFile('events', 'e.csv', 'user_id,occurred_at,event_type\r\n'),
    );

    expect(rows).toEqual([]);
    expect(rejects).toEqual([]);
    expect(stats).toEqual({ rowsRead: 0, rowsAccepted: 0, rowsRejected: 0, ignoredColumns: [] });
  });

  it('rejects a CSV file without even a header', async () => {
    await expect(readAll(memoryFile('events', 'e.csv', ''))).rejects.toThrow(
      'e.csv: required columns "user_id", "occurred_at", "event_type" are missing; the header has no columns',
    );
  });

  it('reads an empty JSON Lines file as zero rows', async () => {
    const { stats } = await readAll(memoryFile('events', 'e.jsonl', '\n\n'));

    expect(stats).toEqual({ rowsRead: 0, rowsAccepted: 0, rowsRejected: 0, ignoredColumns: [] });
  });

  it('throws UnreadableFileError for a truncated gzip file', async () => {
    const gzip = gzipSync(EVENTS_CSV.repeat(20));
    const truncated = gzip.subarray(0, gzip.length - 30);

    const reading = readAll(memoryFile('events', 'exports/events/e.csv.gz', truncated));

    await expect(reading).rejects.toBeInstanceOf(UnreadableFileError);
    await expect(reading).rejects.toThrow(
      /^exports\/events\/e\.csv\.gz: the file is not valid gzip/,
    );
  });

  it('throws UnreadableFileError for a .gz file that is not gzip', async () => {
    await expect(readAll(memoryFile('events', 'e.csv.gz', EVENTS_CSV))).rejects.toBeInstanceOf(
      UnreadableFileError,
    );
  });

  it('throws UnreadableFileError for gzip bytes under a name without .gz', async () => {
    await expect(readAll(memoryFile('events', 'e.csv', gzipSync(EVENTS_CSV)))).rejects.toThrow(
      'e.csv: the file is gzip-compressed but its name does not end in .gz',
    );
  });

  it('throws UnreadableFileError for UTF-16 text', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(EVENTS_CSV, 'utf16le')]);

    await expect(readAll(memoryFile('events', 'e.csv', utf16))).rejects.toThrow(
      'e.csv: the file is UTF-16 text; export it as UTF-8',
    );
  });

  it('throws UnsupportedFormatError for another suffix without opening the file', async () => {
    let opened = false;
    const file = {
      dataset: 'events' as const,
      key: 'incoming/events/e.xlsx',
      open: async () => {
        opened = true;
        return Readable.from([]);
      },
    };

    await expect(
      readExport(
        file,
        OPTIONS,
        () => {},
        () => {},
      ),
    ).rejects.toBeInstanceOf(UnsupportedFormatError);
    expect(opened).toBe(false);
  });

  it('passes an error of the stream itself through unchanged', async () => {
    // A network failure says nothing about the file, so it must not reject the file.
    const failure = new Error('connection reset');
    for (const key of ['e.csv', 'e.csv.gz']) {
      const file = {
        dataset: 'events' as const,
        key,
        open: async () =>
          Readable.from(
            (async function* () {
              yield key.endsWith('.gz') ? gzipSync('user_id') : Buffer.from('user_id');
              throw failure;
            })(),
          ),
      };

      const error = await readExport(
        file,
        OPTIONS,
        () => {},
        () => {},
      ).catch((e: unknown) => e);

      expect(error).toBe(failure);
      expect(error).not.toBeInstanceOf(DatasetError);
    }
  });

  it('rejects JSON Lines that are not JSON objects, by line', async () => {
    const jsonl = [
      '{"user_id":"u1","occurred_at":"2026-11-02","event_type":"login"}',
      '{"user_id":"u2",',
      '',
      '["u3","2026-11-02","login"]',
      '{"user_id":"u4","occurred_at":"2026-11-02","event_type":"login","page":{"path":"/"}}',
      '  {"user_id":"u5","occurred_at":"2026-11-02","event_type":"login"}  \r',
    ].join('\n');

    const { rows, rejects } = await readAll(memoryFile('events', 'e.jsonl', jsonl, 9));

    expect(rows.map((r) => [r.line, r.row.user_id])).toEqual([
      [1, 'u1'],
      [6, 'u5'],
    ]);
    expect(rejects.map((r) => [r.line, r.column, r.reason.replace(/ \(.*/, '')])).toEqual([
      [2, null, 'is not valid JSON'],
      [4, null, 'is not a JSON object'],
      [5, 'page', '{"path":"/"} is not a plain value'],
    ]);
    expect(rejects[0]?.record).toBe('{"user_id":"u2",');
  });

  it('rejects what DuckDB reads and JSON does not: NaN, infinities, trailing commas, NUL, lone CR', async () => {
    // DuckDB's JSON parser takes these lines as objects; JSON (RFC 8259, JSON.parse) does
    // not, and neither may the reader. A string that only looks like one is no problem.
    const ok = (id: string, extra = '') =>
      `{"customer_id":"${id}","created_at":"2026-10-27"${extra}}`;
    const jsonl = [
      ok('c0'),
      ok('c1', ',"x":NaN'),
      ok('c2', ',"x":[1,]'),
      ok('c3', ',"x":-Infinity'),
      ok('c4', ',"x":inf'),
      `${ok('c5')}\u0000junk`,
      ok('c6', ',"note":"ratio: inf, a,]"'),
      `${ok('c7')}\r${ok('c8')}`,
      ok('c9', ',"y":{"z":1 ,}'),
      ok('c10'),
    ].join('\n');

    for (const chunkSize of [undefined, 7]) {
      const { rows, rejects } = await readAll(memoryFile('customers', 'c.jsonl', jsonl, chunkSize));

      expect(rows.map((r) => [r.line, r.row.customer_id])).toEqual([
        [1, 'c0'],
        [7, 'c6'],
        [10, 'c10'],
      ]);
      expect(rejects.map((r) => [r.line, r.column, r.reason.replace(/ \(.*/, '')])).toEqual(
        [2, 3, 4, 5, 6, 8, 9].map((line) => [line, null, 'is not valid JSON']),
      );
      // The record is the line as written.
      expect(rejects[4]?.record).toBe(`${ok('c5')}\u0000junk`);
    }
  });

  it('rejects a row whose cell it reads is not UTF-8, and leaves such bytes elsewhere alone', async () => {
    // "café" saved as Windows-1252 (é is the one byte 0xE9): decoding would make it "caf\uFFFD".
    const latin1 = (text: string) => Buffer.from(text, 'latin1');
    const reason = NOT_UTF8;
    const csv = latin1(
      'user_id,occurred_at,event_type,notes\n' +
        'u1,2026-11-02,caf\xe9,x\n' + // a column the dataset reads
        '"Jos\xe9",2026-11-02,login,y\n' + // a quoted id
        'u3,2026-11-02,login,caf\xe9\n' + // a column it ignores
        'u4,never,login,z\n',
    );
    const jsonl = latin1(
      '{"user_id":"u1","occurred_at":"2026-11-02","event_type":"caf\xe9"}\n' +
        '{"user_id":"u2","occurred_at":"2026-11-02","event_type":"login","notes":"caf\xe9"}\n' +
        '{"user_id":"u3","occurred_at":"2026-11-02","event_type":"login"}\n',
    );

    for (const chunkSize of [undefined, 5]) {
      const fromCsv = await readAll(memoryFile('events', 'e.csv', csv, chunkSize));
      const fromJson = await readAll(memoryFile('events', 'e.jsonl', jsonl, chunkSize));

      expect(fromCsv.rows.map((r) => [r.line, r.row.user_id])).toEqual([[4, 'u3']]);
      expect(fromCsv.rejects.map((r) => [r.line, r.column, r.reason.slice(0, 40)])).toEqual([
        [2, 'event_type', reason.slice(0, 40)],
        [3, 'user_id', reason.slice(0, 40)],
        [5, 'occurred_at', '"never" is not a valid date or time (exp'],
      ]);
      expect(fromJson.rows.map((r) => [r.line, r.row.user_id])).toEqual([
        [2, 'u2'],
        [3, 'u3'],
      ]);
      expect(fromJson.rejects.map((r) => [r.line, r.column, r.reason])).toEqual([
        [1, 'event_type', reason],
      ]);
    }
    expect(reason).toBe(
      'holds bytes that are not UTF-8 text (the file seems saved in another encoding, such as Windows-1252; save it as UTF-8)',
    );
  });

  it('reads an optional JSON key that the first object leaves out', async () => {
    const jsonl = [
      '{"subscription_id":"s1","customer_id":"c1","started_at":"2026-10-01"}',
      '{"subscription_id":"s2","customer_id":"c2","started_at":"2026-10-01","ended_at":"2026-10-15","mrr":"9.90"}',
    ].join('\n');

    const { rows } = await readAll(memoryFile('subscriptions', 's.jsonl', jsonl));

    expect(rows.map((r) => [r.row.ended_at, r.row.mrr])).toEqual([
      [undefined, undefined],
      [at('2026-10-14T22:00:00Z'), 9.9],
    ]);
  });

  it('accepts JSON numbers and rejects JSON numbers that break a rule', async () => {
    const jsonl = [
      '{"session_id":"s1","user_id":"u1","started_at":"2026-11-02","duration_seconds":12.5,"pageviews":3}',
      '{"session_id":"s2","user_id":"u1","started_at":"2026-11-02","duration_seconds":5,"pageviews":-1}',
    ].join('\n');

    const { rows, rejects } = await readAll(memoryFile('sessions', 's.jsonl', jsonl));

    expect(rows.map((r) => [r.row.duration_seconds, r.row.pageviews])).toEqual([[12.5, 3]]);
    expect(rejects.map((r) => [r.line, r.column, r.reason])).toEqual([
      [2, 'pageviews', '-1 is negative (a count cannot be below 0)'],
    ]);
  });
});

describe('formatOf', () => {
  it('takes the format from the suffix, ignoring case', () => {
    expect(formatOf('a/b.csv')).toEqual({ syntax: 'csv', gzip: false });
    expect(formatOf('a/b.CSV.GZ')).toEqual({ syntax: 'csv', gzip: true });
    expect(formatOf('b.jsonl')).toEqual({ syntax: 'jsonl', gzip: false });
    expect(formatOf('b.jsonl.gz')).toEqual({ syntax: 'jsonl', gzip: true });
    expect(formatOf('b.json')).toBeNull();
    expect(formatOf('b.csv.zip')).toBeNull();
  });
});

describe('readExport with gzip', () => {
  it('throws a missing column of a gzip file as MissingColumnError, not as bad gzip', async () => {
    const gzip = gzipSync('user_id,event_type\nu1,login\n');

    await expect(readAll(memoryFile('events', 'e.csv.gz', gzip))).rejects.toBeInstanceOf(
      MissingColumnError,
    );
  });

  it('passes an error thrown by onRow through unchanged', async () => {
    const failure = new Error('consumer failed');
    const file = memoryFile('events', 'e.csv.gz', gzipSync(EVENTS_CSV));

    const error = await readExport(
      file,
      OPTIONS,
      () => {
        throw failure;
      },
      () => {},
    ).catch((e: unknown) => e);

    expect(error).toBe(failure);
  });
});

describe('readExport on many rows', () => {
  it('decodes every text cell right once the string cache turns off for ids', async () => {
    // Prepare: 10,000 rows (the id columns' cache turns off after 4,096 lookups) with short
    // ids, ids of 13+ characters, ids over 48 characters, and a non-ASCII page every 97th
    // row, so chunks of 1,000 bytes are sometimes all ASCII and sometimes not.
    const expected: { user_id: string; session_id: string; event_id: string; page: string }[] = [];
    let csv = 'event_id,user_id,occurred_at,event_type,page,session_id\n';
    for (let i = 0; i < 10_000; i++) {
      const row = {
        user_id: `u${i}`,
        session_id: `session-${i}-abcdef`,
        event_id: `${'e'.repeat(50)}-${i}`,
        page: i % 97 === 0 ? `/café/${i}` : `/p/${i % 7}`,
      };
      expected.push(row);
      csv += `${row.event_id},${row.user_id},2026-11-02T09:30:00Z,view,${row.page},${row.session_id}\n`;
    }

    // Act
    const { rows, rejects } = await readAll(memoryFile('events', 'e.csv', csv, 1000));

    // Assess
    expect(rejects).toEqual([]);
    expect(
      rows.map(({ row }) => ({
        user_id: row.user_id,
        session_id: row.session_id,
        event_id: row.event_id,
        page: row.page,
      })),
    ).toEqual(expected);
    expect(rows.at(-1)?.line).toBe(10_001);
  });
});

describe('readExport without code generation', () => {
  it('builds the same rows where new Function is disallowed', () => {
    // Rows are normally made by a function compiled from the column names; a process started
    // with --disallow-code-generation-from-strings must get the same rows another way.
    const script = `
      const { readExport } = await import('./functions/core/datasets/read.ts');
      const { Readable } = await import('node:stream');
      let blocked = false;
      try { new Function('return 1'); } catch { blocked = true; }
      const rows = [];
      const csv = 'user_id,occurred_at,event_type,page\\nu1,2026-11-02T09:30:00Z,login,/home\\n';
      await readExport(
        { dataset: 'events', key: 'e.csv', open: async () => Readable.from([Buffer.from(csv)]) },
        { timezone: 'UTC', currency: 'EUR', columns: {} },
        (row) => rows.push(Object.entries(row)),
        () => {},
      );
      console.log(JSON.stringify({ blocked, rows }));`;

    const output = execFileSync(
      process.execPath,
      [
        '--disallow-code-generation-from-strings',
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        script,
      ],
      { encoding: 'utf8' },
    );

    // JSON turns undefined into null inside arrays, so absent columns show as null.
    expect(JSON.parse(output)).toEqual({
      blocked: true,
      rows: [
        [
          ['user_id', 'u1'],
          ['occurred_at', at('2026-11-02T09:30:00Z')],
          ['event_type', 'login'],
          ['event_id', null],
          ['feature', null],
          ['page', '/home'],
          ['session_id', null],
        ],
      ],
    });
  });
});
