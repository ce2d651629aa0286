/**
 * `loadExport` beyond the reader and rule tests (read.test.ts, rules.test.ts, which run
 * through it too): the raw table it fills, the SQL rules against the TypeScript parsers
 * they replace, files DuckDB's CSV reader cannot read alone, and Parquet.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetName } from '../../../functions/core/config';
import { MAX_RECORD_BYTES } from '../../../functions/core/datasets/csv';
import {
  DuplicateColumnError,
  MissingColumnError,
  UnreadableFileError,
} from '../../../functions/core/datasets/errors';
import { csvRuleSql, hasOverlongLine, loadExport } from '../../../functions/core/datasets/load';
import type { ReadOptions, ReadStats } from '../../../functions/core/datasets/rules';
import { type Duck, sqlString, withDuck } from '../../../functions/core/duck/db';
import { createDatasetTables } from '../../../functions/core/duck/tables';
import { mulberry32 } from '../../../functions/core/models/simulate';
import type { RejectedRow } from '../../../functions/core/sources';
import { makeTimestampParser } from '../../../functions/core/time/timestamps';
import { at, OPTIONS, storedRows } from './helpers';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'load-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let files = 0;
/** Writes `content` to a fresh file in the test folder and returns its path. */
async function fileWith(content: string | Buffer): Promise<string> {
  const path = join(dir, `file-${files++}`);
  await writeFile(path, content);
  return path;
}

interface Loaded {
  stats: ReadStats;
  rejects: RejectedRow[];
}

async function load(
  db: Duck,
  dataset: DatasetName,
  key: string,
  path: string,
  fileOrdinal = 0,
  options: Partial<ReadOptions> = {},
): Promise<Loaded> {
  const rejects: RejectedRow[] = [];
  const stats = await loadExport(
    db,
    { dataset, key, path },
    fileOrdinal,
    { ...OPTIONS, ...options },
    (row) => rejects.push(row),
  );
  return { stats, rejects };
}

/** A fresh database with every dataset's tables. */
function withTables<T>(fn: (db: Duck) => Promise<T>): Promise<T> {
  return withDuck(async (db) => {
    await createDatasetTables(db);
    return await fn(db);
  });
}

/**
 * Loads `texts` as `customers.created_at` in each zone and expects every one accepted or
 * rejected, and read as the instant, as `makeTimestampParser` has it. Returns how many
 * were rejected (the same in every zone).
 */
async function expectReadAsParser(
  texts: readonly string[],
  timezones: readonly string[],
): Promise<number> {
  const csv = ['customer_id,created_at', ...texts.map((t, i) => `c${i},"${t}"`)].join('\n');
  const path = await fileWith(csv);
  let count = 0;
  for (const timezone of timezones) {
    await withTables(async (db) => {
      const { rejects } = await load(db, 'customers', 'c.csv', path, 0, { timezone });
      const parse = makeTimestampParser(timezone);
      const stored = new Map(
        (await storedRows(db, 'customers')).map(({ row }) => [row.customer_id, row.created_at]),
      );
      const rejected = new Set(
        rejects.map((r) => (r.record as Record<string, string>).customer_id),
      );
      texts.forEach((text, i) => {
        const got = rejected.has(`c${i}`) ? null : stored.get(`c${i}`);
        expect([timezone, text, got]).toEqual([timezone, text, parse(text)]);
      });
      count = rejected.size;
    });
  }
  return count;
}

describe('loadExport', () => {
  it('stores the accepted rows of each file with its ordinal and their record index', async () => {
    // Prepare: two files of the same dataset, the second with a bad row in the middle.
    const first = await fileWith('order_id,customer_id,ordered_at,amount\no1,c1,2026-11-02,10\n');
    const second = await fileWith(
      'order_id,customer_id,ordered_at,amount\no2,c1,2026-11-02,5\no3,c1,soon,5\no4,c2,2026-11-03,7.5\n',
    );

    await withTables(async (db) => {
      // Act
      await load(db, 'orders', 'orders/a.csv', first, 0);
      const { stats, rejects } = await load(db, 'orders', 'orders/b.csv', second, 1);

      // Assess: the bad row is gone; the others keep their place in their file.
      const stored = await db.all(
        'SELECT order_id, _file, _rec FROM raw_orders ORDER BY _file, _rec',
      );
      expect(stored).toEqual([
        { order_id: 'o1', _file: 0, _rec: 0 },
        { order_id: 'o2', _file: 1, _rec: 0 },
        { order_id: 'o4', _file: 1, _rec: 2 },
      ]);
      expect(stats).toEqual({ rowsRead: 3, rowsAccepted: 2, rowsRejected: 1, ignoredColumns: [] });
      expect(rejects.map((r) => [r.file, r.line, r.column])).toEqual([
        ['orders/b.csv', 3, 'ordered_at'],
      ]);
    });
  });

  it('leaves none of a file rejected whole in the table, even after its rows were inserted', async () => {
    // Prepare: the second file's good rows go in before the second look finds a quote that
    // is never closed and runs on for more than 16 MiB, which rejects the file.
    const good = await fileWith('user_id,occurred_at,event_type\nu1,2026-11-02,login\n');
    const broken = await fileWith(
      `user_id,occurred_at,event_type\nu2,2026-11-02,login\nu3,2026-11-02,"${'x'.repeat(40 * 1024 * 1024)}\n`,
    );

    await withTables(async (db) => {
      await load(db, 'events', 'events/a.csv', good, 0);

      // Act
      const loading = load(db, 'events', 'events/b.csv', broken, 1);

      // Assess
      await expect(loading).rejects.toBeInstanceOf(UnreadableFileError);
      await expect(loading).rejects.toThrow(/^events\/b\.csv: the record starting on line 3/);
      const stored = await db.all('SELECT user_id, _file FROM raw_events ORDER BY _file, _rec');
      expect(stored).toEqual([{ user_id: 'u1', _file: 0 }]);
    });
  });

  it('reads timestamps exactly as makeTimestampParser does, in any zone', async () => {
    // Prepare: a seeded mix of every accepted form and near misses, on days around
    // daylight-saving changes and in years outside 1900–2100 (settled one by one).
    const random = mulberry32(20261102);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const two = (n: number) => String(n).padStart(2, '0');
    const texts: string[] = [];
    const days = [
      '2026-03-08',
      '2026-03-29',
      '2026-10-25',
      '2026-11-01',
      '2026-04-05',
      '2026-02-28',
    ];
    for (let i = 0; i < 1500; i++) {
      const date =
        random() < 0.1
          ? `${pick(['1850', '1899', '0001', '2150', '9999'])}-${two(1 + Math.floor(random() * 12))}-${two(1 + Math.floor(random() * 31))}`
          : pick(days);
      let text = date;
      if (random() < 0.85) {
        text += pick(['T', 't', ' ']);
        text += `${two(Math.floor(random() * 25))}:${two(Math.floor(random() * 61))}`;
        if (random() < 0.7) {
          text += `:${two(Math.floor(random() * 61))}`;
          if (random() < 0.5) {
            text += `${pick(['.', ','])}${String(Math.floor(random() * 1e9)).slice(0, 1 + Math.floor(random() * 10))}`;
          }
        }
        text += pick([
          '',
          '',
          'Z',
          'z',
          '+05:30',
          '-0330',
          '+01',
          '-12:00',
          '+24:00',
          'ZZ',
          ' +01:00',
        ]);
      }
      if (random() < 0.05) text = `${text.slice(0, -1)}${pick(['x', ' ', '-', '.', ':'])}`;
      if (random() < 0.05) text = ` ${text}\t`;
      texts.push(text);
    }
    // Act, Assess
    await expectReadAsParser(texts, [
      'Europe/Berlin',
      'America/New_York',
      'Australia/Lord_Howe',
      'UTC',
    ]);
  });

  it('reads the toISOString shape at every field edge exactly as makeTimestampParser does', async () => {
    // Prepare: the shape most exports use, with each field at and beyond its range.
    const texts: string[] = [];
    for (const month of ['00', '01', '02', '09', '10', '12', '13', '19']) {
      for (const day of ['00', '01', '28', '29', '30', '31', '32', '39']) {
        texts.push(`2024-${month}-${day}T12:00:00.000Z`, `2026-${month}-${day}T12:00:00.000Z`);
      }
    }
    for (const hour of ['00', '09', '10', '19', '20', '23', '24', '25', '29', '30', '99']) {
      for (const rest of ['00:00.000', '59:59.999', '60:00.000', '00:60.000', '30:00.000']) {
        texts.push(`2026-03-29T${hour}:${rest}Z`);
      }
    }
    texts.push('0000-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z', '2026-10-12T00:00:01.327z');

    // Act, Assess
    const rejected = await expectReadAsParser(texts, ['Europe/Berlin', 'UTC']);
    expect(rejected).toBeGreaterThan(100);
  });

  it('reads decimals as the plain decimals Number reads, and nothing else', async () => {
    // Prepare: plain decimals and what looks like one (exponents, separators, signs alone).
    const random = mulberry32(7);
    const pieces = ['0', '1', '5', '9', '.', '-', '+', 'e', ',', '_', ' '];
    const texts = ['-0', '+0.5', '7.', '.5', '.', '-', '1e5', '0x10', '1_000', '12,50', '1 234'];
    for (let i = 0; i < 400; i++) {
      let text = '';
      const length = 1 + Math.floor(random() * 8);
      for (let k = 0; k < length; k++) text += pieces[Math.floor(random() * pieces.length)];
      texts.push(text.trim() === '' ? '0' : text);
    }
    texts.push('9'.repeat(30), `0.${'3'.repeat(25)}`, '123456789012345678');
    const csv = [
      'order_id,customer_id,ordered_at,amount',
      ...texts.map((t, i) => `o${i},c,2026-11-02,"${t}"`),
    ].join('\n');

    await withTables(async (db) => {
      // Act
      const { rejects } = await load(db, 'orders', 'o.csv', await fileWith(csv));

      // Assess
      const stored = new Map(
        (await storedRows(db, 'orders')).map(({ row }) => [row.order_id, row.amount]),
      );
      const rejected = new Map(
        rejects.map((r) => [(r.record as Record<string, string>).order_id, r.reason]),
      );
      texts.forEach((text, i) => {
        const trimmed = text.trim();
        const plain = /^[+-]?(\d+\.?\d*|\.\d+)$/.test(trimmed);
        const value = plain ? Number(trimmed) + 0 : null;
        const expected =
          value === null
            ? `"${trimmed}" is not a number (expected a decimal such as 12.50)`
            : Number.isFinite(value)
              ? value
              : `"${trimmed}" is not a finite number`;
        const got = stored.get(`o${i}`) ?? rejected.get(`o${i}`);
        expect([text, got]).toEqual([text, expected]);
      });
    });
  });

  it('reads CSV that DuckDB cannot split alone as the scanner does: lone CR, mixed line ends', async () => {
    // Prepare: a CR inside an unquoted field (DuckDB ends the record there) and files whose
    // line ends change from LF to CRLF (DuckDB keeps to the first it sees).
    const loneCr =
      'user_id,occurred_at,event_type,page\nu1,2026-11-02,login,a\rb\nu2,never,login,/\n';
    const mixed =
      'user_id,occurred_at,event_type\nu1,2026-11-02,login\r\nu2,never,login\nu3,2026-11-02,login\r\n';

    await withTables(async (db) => {
      // Act
      const first = await load(db, 'events', 'a.csv', await fileWith(loneCr), 0);
      const second = await load(db, 'events', 'b.csv', await fileWith(mixed), 1);

      // Assess
      const stored = await db.all(
        'SELECT user_id, page, _file, _rec FROM raw_events ORDER BY _file, _rec',
      );
      expect(stored).toEqual([
        { user_id: 'u1', page: 'a\rb', _file: 0, _rec: 0 },
        { user_id: 'u1', page: null, _file: 1, _rec: 0 },
        { user_id: 'u3', page: null, _file: 1, _rec: 2 },
      ]);
      expect([...first.rejects, ...second.rejects].map((r) => [r.file, r.line, r.column])).toEqual([
        ['a.csv', 3, 'occurred_at'],
        ['b.csv', 3, 'occurred_at'],
      ]);
    });
  });

  it('rejects broken records in the columns it does not read (events.page, session_id)', async () => {
    // Prepare: the engine's tables keep neither column and no rule reads them, so DuckDB
    // skips their cells; a record is still a row only with the header's number of fields.
    const csv = [
      'user_id,occurred_at,event_type,event_id,feature,page,session_id',
      'u1,2026-11-02,login,e1,,/a,s1',
      'u2,2026-11-02,login,e2,,/a,s1,extra',
      'u3,2026-11-02,login,e3,,/a',
      'u4,2026-11-02,login,e4,,"/a"b,s1',
      'u5,2026-11-02,login,e5,,/a,s1',
      '',
    ].join('\n');

    await withDuck(async (db) => {
      await createDatasetTables(db, 'metrics');

      // Act
      const { stats, rejects } = await load(db, 'events', 'e.csv', await fileWith(csv));

      // Assess
      const stored = await db.all('SELECT user_id, _rec FROM raw_events ORDER BY _rec');
      expect(stored).toEqual([
        { user_id: 'u1', _rec: 0 },
        { user_id: 'u5', _rec: 1 },
      ]);
      expect(stats.rowsRejected).toBe(3);
      expect(rejects.map((r) => [r.line, r.column, r.reason])).toEqual([
        [3, null, 'has 8 fields, but the header has 7'],
        [4, null, 'has 6 fields, but the header has 7'],
        [5, null, 'has text after the closing quote of a quoted field'],
      ]);
    });
  });

  it('gives JSON Lines rejections their physical line, CRLF and blank lines included', async () => {
    const jsonl = [
      '{"user_id":"u1","occurred_at":"2026-11-02","event_type":"login"}',
      '',
      '{"user_id":"u2","occurred_at":"never","event_type":"login"}',
      '{"user_id":42,"occurred_at":"2026-11-02","event_type":"login","page":12.50}',
      '{"user_id":"u4","occurred_at":"2026-11-02","event_type":true,"feature":["a"]}',
      '',
    ].join('\r\n');

    await withTables(async (db) => {
      // Act
      const { rejects } = await load(db, 'events', 'e.jsonl', await fileWith(jsonl));

      // Assess: a JSON number or boolean is read as its text, a list is no plain value.
      const stored = await storedRows(db, 'events');
      expect(stored.map(({ rec, row }) => [rec, row.user_id, row.page])).toEqual([
        [0, 'u1', undefined],
        [2, '42', '12.5'],
      ]);
      expect(rejects.map((r) => [r.line, r.column, r.reason, r.record])).toEqual([
        [
          3,
          'occurred_at',
          '"never" is not a valid date or time (expected ISO 8601 such as 2026-11-02 or 2026-11-02T09:30:00Z)',
          { user_id: 'u2', occurred_at: 'never', event_type: 'login' },
        ],
        [
          5,
          'feature',
          '["a"] is not a plain value (text or a number)',
          { user_id: 'u4', occurred_at: '2026-11-02', event_type: true, feature: ['a'] },
        ],
      ]);
    });
  });
});

describe('loadExport whole numbers', () => {
  it('keeps counts and scores exactly from -2^63 to 2^63 - 1, and rejects just beyond', async () => {
    // A double has no 2^63 - 1 (it rounds to 2^63): the bounds are decided on the text.
    const sessions = [
      'session_id,user_id,started_at,duration_seconds,pageviews',
      's1,u1,2026-11-02T10:00:00Z,1,9223372036854775807',
      's2,u1,2026-11-02T10:00:00Z,1,9223372036854775808',
      's3,u1,2026-11-02T10:00:00Z,1,9223372036854775807.000',
      's4,u1,2026-11-02T10:00:00Z,1,9223372036854775807.5',
      '',
    ].join('\n');
    // A score may be negative to the reader (the scale check comes after): -2^63 is a whole
    // number outside the nps scale, one less is out of range.
    const answers = [
      'response_id,responded_at,survey_type,score',
      'r1,2026-11-02,nps,-9223372036854775808',
      'r2,2026-11-02,nps,-9223372036854775809',
      'r3,2026-11-02,nps,10.0',
      '',
    ].join('\n');

    await withTables(async (db) => {
      // Act
      const s = await load(db, 'sessions', 's.csv', await fileWith(sessions));
      const a = await load(db, 'survey_responses', 'a.csv', await fileWith(answers));

      // Assess
      expect(
        await db.all(
          'SELECT session_id, CAST(pageviews AS VARCHAR) AS pageviews FROM raw_sessions ORDER BY _rec',
        ),
      ).toEqual([
        { session_id: 's1', pageviews: '9223372036854775807' },
        { session_id: 's3', pageviews: '9223372036854775807' },
      ]);
      expect(s.rejects.map((r) => [r.line, r.column, r.reason])).toEqual([
        [3, 'pageviews', '"9223372036854775808" is too large (a whole number must be below 2^63)'],
        [
          5,
          'pageviews',
          '"9223372036854775807.5" is not a whole number (a count cannot have decimals)',
        ],
      ]);
      expect(
        await db.all('SELECT response_id, score FROM raw_survey_responses ORDER BY _rec'),
      ).toEqual([{ response_id: 'r3', score: 10 }]);
      expect(a.rejects.map((r) => [r.line, r.column, r.reason])).toEqual([
        [2, 'score', '-9223372036854775808 is outside the nps scale (0 to 10)'],
        [3, 'score', '"-9223372036854775809" is too small (a whole number must be -2^63 or more)'],
      ]);
    });
  });
});

describe('csvRuleSql', () => {
  it('flags in one scan the rows the load rejects, and types the others as the load stores them', async () => {
    // Prepare: columns in another order, a mapped name, a UTC instant, a Berlin wall time
    // (CET, UTC+1, in November), a bad time and a row without a user.
    const path = await fileWith(
      [
        'Type,user,occurred_at,event_id',
        'login,u1,2026-11-02T10:00:00Z,e1',
        'page_view,u2,2026-11-02 10:30,e2',
        'login,u3,soon,e3',
        'login,,2026-11-02T10:00:00Z,e4',
      ].join('\n'),
    );
    const options: ReadOptions = { ...OPTIONS, columns: { user_id: 'user', event_type: 'Type' } };
    const file = { dataset: 'events' as const, key: 'events/a.csv', path };

    await withTables(async (db) => {
      // Act
      const sql = await csvRuleSql(db, file, options);
      const flagged = await db.all(
        `SELECT x_event_id AS id, x_user_id AS user_id, x_occurred_at AS t, x_event_type AS type, bad
         FROM (${sql}) ORDER BY id`,
      );
      const { rejects } = await load(db, 'events', file.key, path, 0, options);
      const stored = await db.all('SELECT event_id AS id, occurred_at AS t FROM raw_events');

      // Assess
      expect(flagged).toEqual([
        { id: 'e1', user_id: 'u1', t: Date.UTC(2026, 10, 2, 10), type: 'login', bad: false },
        { id: 'e2', user_id: 'u2', t: Date.UTC(2026, 10, 2, 9, 30), type: 'page_view', bad: false },
        { id: 'e3', user_id: 'u3', t: null, type: 'login', bad: true },
        { id: 'e4', user_id: null, t: Date.UTC(2026, 10, 2, 10), type: 'login', bad: true },
      ]);
      expect(rejects.map((r) => [r.line, r.column])).toEqual([
        [4, 'occurred_at'],
        [5, 'user_id'],
      ]);
      expect(stored).toEqual([
        { id: 'e1', t: Date.UTC(2026, 10, 2, 10) },
        { id: 'e2', t: Date.UTC(2026, 10, 2, 9, 30) },
      ]);
    });
  });

  it('reads only plain CSV', async () => {
    const path = await fileWith('user_id,occurred_at,event_type\n');
    await withTables(async (db) => {
      for (const key of ['events/a.csv.gz', 'events/a.parquet', 'events/a.jsonl']) {
        await expect(csvRuleSql(db, { dataset: 'events', key, path }, OPTIONS)).rejects.toThrow(
          /plain \.csv/,
        );
      }
    });
  });
});

describe('hasOverlongLine', () => {
  const MiB = 1024 * 1024;
  /** `before` bytes of short lines, then one line of `length` bytes (no LF), then `after`. */
  function withLine(before: number, length: number, after: string): Buffer {
    const head = `${'x'.repeat(before - 1)}\n`;
    return Buffer.concat([Buffer.from(head), Buffer.alloc(length, 'y'), Buffer.from(after)]);
  }

  it('finds a line one byte longer than a record wherever it starts and ends', async () => {
    // Starts 3 bytes before a 1 MiB chunk boundary, and a line ends exactly on one.
    for (const before of [MiB - 3, MiB, 1, 2 * MiB + 5]) {
      const fits = await fileWith(withLine(before, MAX_RECORD_BYTES, '\nz\n'));
      const over = await fileWith(withLine(before, MAX_RECORD_BYTES + 1, '\nz\n'));
      const overAtEnd = await fileWith(withLine(before, MAX_RECORD_BYTES + 1, ''));
      expect(await hasOverlongLine(fits), `fits, before ${before}`).toBe(false);
      expect(await hasOverlongLine(over), `over, before ${before}`).toBe(true);
      expect(await hasOverlongLine(overAtEnd), `over at the end, before ${before}`).toBe(true);
    }
  });

  it('lets many short lines and a file without LF of a record or less through', async () => {
    const lines = await fileWith('a,b,c\n'.repeat(4 * 1024 * 1024));
    const noLf = await fileWith(Buffer.alloc(MAX_RECORD_BYTES, 'y'));
    expect(await hasOverlongLine(lines)).toBe(false);
    expect(await hasOverlongLine(noLf)).toBe(false);
  });
});

describe('loadExport with Parquet', () => {
  /** Writes a Parquet file from a SELECT, with DuckDB. */
  async function parquetOf(select: string): Promise<string> {
    const path = join(dir, `file-${files++}.parquet`);
    await withDuck((db) => db.run(`COPY (${select}) TO ${sqlString(path)} (FORMAT parquet)`));
    return path;
  }

  it('maps columns as for CSV and reads typed columns as their values', async () => {
    // Prepare: names that need the config's mapping, and columns typed by the writer.
    const path = await parquetOf(`
      SELECT * FROM (VALUES
        ('A-1', 'C-9', TIMESTAMPTZ '2026-11-02 09:30:00+00', 19.99::DECIMAL(10, 2), 'eur', 'gift'),
        ('A-2', 'C-9', TIMESTAMPTZ '2026-11-03 00:00:00+00', -5::DECIMAL(10, 2), NULL, NULL)
      ) t("Order #", "Customer ID", ordered_at, "Total", currency, notes)`);

    await withTables(async (db) => {
      // Act
      const { stats, rejects } = await load(db, 'orders', 'orders/o.parquet', path, 0, {
        columns: { order_id: 'Order #', customer_id: 'customer id', amount: 'Total' },
      });

      // Assess
      expect(rejects).toEqual([]);
      expect(stats).toEqual({
        rowsRead: 2,
        rowsAccepted: 2,
        rowsRejected: 0,
        ignoredColumns: ['notes'],
      });
      expect((await storedRows(db, 'orders')).map((r) => r.row)).toEqual([
        {
          order_id: 'A-1',
          customer_id: 'C-9',
          ordered_at: at('2026-11-02T09:30:00Z'),
          amount: 19.99,
          currency: 'EUR',
          status: undefined,
        },
        {
          order_id: 'A-2',
          customer_id: 'C-9',
          ordered_at: at('2026-11-03T00:00:00Z'),
          amount: -5,
          currency: undefined,
          status: undefined,
        },
      ]);
    });
  });

  it('reads DATE and TIMESTAMP columns as local times in the report zone', async () => {
    const path = await parquetOf(`
      SELECT DATE '2026-11-02' AS date, 'search' AS channel, 12.5 AS amount
      UNION ALL SELECT TIMESTAMP '2026-07-01 10:00:00', 'social', 3`);

    await withTables(async (db) => {
      await load(db, 'marketing_spend', 'm.parquet', path);

      // Berlin is UTC+1 in November and UTC+2 in July.
      expect((await storedRows(db, 'marketing_spend')).map((r) => r.row.date)).toEqual([
        at('2026-11-01T23:00:00Z'),
        at('2026-07-01T08:00:00Z'),
      ]);
    });
  });

  it('takes typed dates and times in the years a text date may have, 0000 to 9999', async () => {
    const path = await parquetOf(`
      SELECT user_id, occurred_at, 'login' AS event_type FROM (VALUES
        ('u1', DATE '0000-01-01'), ('u2', DATE '9999-12-31'), ('u3', DATE '10000-01-01'),
        ('u4', DATE '290000-01-01'), ('u5', DATE '0000-01-01' - 1), ('u6', 'infinity'::DATE)
      ) t(user_id, occurred_at)`);

    await withTables(async (db) => {
      const { rejects } = await load(db, 'events', 'e.parquet', path, 0, { timezone: 'UTC' });

      expect(
        (await storedRows(db, 'events')).map((r) => [r.row.user_id, r.row.occurred_at]),
      ).toEqual([
        ['u1', at('0000-01-01T00:00:00Z')],
        ['u2', at('9999-12-31T00:00:00Z')],
      ]);
      // As DuckDB writes them; year 0000 is 1 BC, so the day before it is in 2 BC.
      expect(
        rejects.map((r) => [r.line, r.column, r.reason.replace(/ \(expected .*/, '')]),
      ).toEqual([
        [3, 'occurred_at', '10000-01-01 is not a valid date or time'],
        [4, 'occurred_at', '290000-01-01 is not a valid date or time'],
        [5, 'occurred_at', '0002-12-31 (BC) is not a valid date or time'],
        [6, 'occurred_at', 'infinity is not a valid date or time'],
      ]);
    });
  });

  it('rejects rows by the same rules, with the row number as line and the row as record', async () => {
    const path = await parquetOf(`
      SELECT * FROM (VALUES
        ('r1', '2026-11-02', 'nps', 9),
        ('r2', 'soon', 'nps', 9),
        ('r3', '2026-11-02', 'csat', 6),
        ('r4', '2026-11-02', 'promoter', 1)
      ) t(response_id, responded_at, survey_type, score)`);

    await withTables(async (db) => {
      // Act
      const { stats, rejects } = await load(db, 'survey_responses', 's.parquet', path);

      // Assess
      expect(
        (await storedRows(db, 'survey_responses')).map((r) => [r.rec, r.row.response_id]),
      ).toEqual([[0, 'r1']]);
      expect(stats).toMatchObject({ rowsRead: 4, rowsAccepted: 1, rowsRejected: 3 });
      expect(rejects.map((r) => [r.line, r.column, r.reason])).toEqual([
        [
          2,
          'responded_at',
          '"soon" is not a valid date or time (expected ISO 8601 such as 2026-11-02 or 2026-11-02T09:30:00Z)',
        ],
        [3, 'score', '6 is outside the csat scale (1 to 5)'],
        [4, 'survey_type', '"promoter" is not one of nps, csat, ces'],
      ]);
      expect(rejects[0]?.record).toEqual({
        response_id: 'r2',
        responded_at: 'soon',
        survey_type: 'nps',
        score: 9,
      });
    });
  });

  /** Loads a one-row sessions file whose `column` is `value`; the row's fate. */
  async function sessionWith(column: string, value: string) {
    const cells: Record<string, string> = {
      session_id: `'x1'`,
      user_id: `'u1'`,
      started_at: `TIMESTAMPTZ '2026-11-02 10:00:00+00'`,
      duration_seconds: '60.5::DOUBLE',
      pageviews: '2::BIGINT',
      [column]: value,
    };
    const path = await parquetOf(
      `SELECT ${Object.entries(cells)
        .map(([name, sql]) => `${sql} AS ${name}`)
        .join(', ')}`,
    );
    return await withTables(async (db) => {
      const { rejects } = await load(db, 'sessions', 's.parquet', path);
      const rows = await db.all<Record<string, unknown>>(
        `SELECT session_id, CAST(duration_seconds AS VARCHAR) AS duration_seconds,
           CAST(pageviews AS VARCHAR) AS pageviews FROM raw_sessions`,
      );
      return {
        rows,
        rejects: rejects.map((r) => [
          r.line,
          r.column,
          r.reason,
          (r.record as Record<string, unknown>)[column],
        ]),
      };
    });
  }

  it('rejects NaN and infinite doubles, the record keeping their word', async () => {
    const cases: [string, string, unknown][] = [
      [`'NaN'::DOUBLE`, 'NaN is not a number (expected a decimal such as 12.50)', 'NaN'],
      [`'inf'::DOUBLE`, 'Infinity is not a finite number', 'Infinity'],
      [`'-inf'::FLOAT`, '-Infinity is not a finite number', '-Infinity'],
    ];
    for (const [sql, reason, recorded] of cases) {
      expect([sql, await sessionWith('duration_seconds', sql)]).toEqual([
        sql,
        { rows: [], rejects: [[1, 'duration_seconds', reason, recorded]] },
      ]);
    }
    // In a count column too.
    expect(await sessionWith('pageviews', `'NaN'::DOUBLE`)).toEqual({
      rows: [],
      rejects: [[1, 'pageviews', 'NaN is not a whole number', 'NaN']],
    });
  });

  it('reads integer and DECIMAL columns exactly, to 2^63 - 1', async () => {
    const kept = (pageviews: string) => ({
      rows: [{ session_id: 'x1', duration_seconds: '60.5', pageviews }],
      rejects: [],
    });
    expect(await sessionWith('pageviews', '9223372036854775807::BIGINT')).toEqual(
      kept('9223372036854775807'),
    );
    expect(await sessionWith('pageviews', '9223372036854775807::UBIGINT')).toEqual(
      kept('9223372036854775807'),
    );
    expect(await sessionWith('pageviews', '3.00::DECIMAL(10, 2)')).toEqual(kept('3'));
    const tooLarge = ' is too large (a whole number must be below 2^63)';
    expect(await sessionWith('pageviews', '9223372036854775808::UBIGINT')).toEqual({
      rows: [],
      rejects: [[1, 'pageviews', `9223372036854775808${tooLarge}`, '9223372036854775808']],
    });
    // The double nearest 2^63 - 1 is 2^63.
    expect((await sessionWith('pageviews', '9223372036854775807.0::DOUBLE')).rejects).toEqual([
      [1, 'pageviews', `9.223372036854776e+18${tooLarge}`, 2 ** 63],
    ]);
    expect((await sessionWith('pageviews', '3.50::DECIMAL(10, 2)')).rejects).toEqual([
      [1, 'pageviews', '3.50 is not a whole number (a count cannot have decimals)', 3.5],
    ]);
  });

  it('reads UUID, enum, TIME, INTERVAL and BLOB columns as text, and as no number or time', async () => {
    const kept = (sessionId: string) => ({
      rows: [{ session_id: sessionId, duration_seconds: '60.5', pageviews: '2' }],
      rejects: [],
    });
    // As text: what the value reads as.
    expect(await sessionWith('session_id', `'123e4567-e89b-12d3-a456-426614174000'::UUID`)).toEqual(
      kept('123e4567-e89b-12d3-a456-426614174000'),
    );
    expect(await sessionWith('session_id', `'b'::ENUM('a', 'b')`)).toEqual(kept('b'));
    expect(await sessionWith('session_id', `TIME '10:00:00'`)).toEqual(kept('10:00:00'));
    expect(await sessionWith('session_id', 'INTERVAL 1 DAY')).toEqual(kept('1 day'));
    expect(await sessionWith('session_id', `' x7 '::BLOB`)).toEqual(kept('x7'));
    expect(await sessionWith('session_id', `'\\xAA'::BLOB`)).toEqual({
      rows: [],
      rejects: [[1, 'session_id', '\\xAA is binary data (BLOB) that is not UTF-8 text', '\\xAA']],
    });
    // As a time or a number: a rejected row naming the type.
    expect(await sessionWith('started_at', `TIME '10:00:00'`)).toEqual({
      rows: [],
      rejects: [[1, 'started_at', '10:00:00 is of type TIME, not a date or timestamp', '10:00:00']],
    });
    expect(await sessionWith('duration_seconds', 'INTERVAL 1 DAY')).toEqual({
      rows: [],
      rejects: [[1, 'duration_seconds', '1 day is of type INTERVAL, not a number', '1 day']],
    });
    expect((await sessionWith('pageviews', `'\\xAA'::BLOB`)).rejects).toEqual([
      [1, 'pageviews', '\\xAA is of type BLOB, not a number', '\\xAA'],
    ]);
  });

  it('rejects the file when a required column is missing, naming it and the columns', async () => {
    const path = await parquetOf(`SELECT 'u1' AS user_id, 'login' AS event_type`);

    await withTables(async (db) => {
      const loading = load(db, 'events', 'events/e.parquet', path);

      await expect(loading).rejects.toBeInstanceOf(MissingColumnError);
      await expect(loading).rejects.toThrow(
        'events/e.parquet: required column "occurred_at" is missing; the header has "user_id", "event_type"',
      );
    });
  });

  it('reads a file with a column named file_row_number, the name DuckDB numbers rows by', async () => {
    // DuckDB refuses to number the rows of such a file: the load reads a copy.
    const path = await parquetOf(`
      SELECT * FROM (VALUES ('u1', '2026-11-02', 'login', 7), ('u2', 'never', 'login', 8),
        ('u3', '2026-11-03', 'login', 9)) t(user_id, occurred_at, event_type, file_row_number)`);

    await withTables(async (db) => {
      const { stats, rejects } = await load(db, 'events', 'e.parquet', path);

      expect((await storedRows(db, 'events')).map((r) => [r.rec, r.row.user_id])).toEqual([
        [0, 'u1'],
        [2, 'u3'],
      ]);
      expect(stats).toEqual({
        rowsRead: 3,
        rowsAccepted: 2,
        rowsRejected: 1,
        ignoredColumns: ['file_row_number'],
      });
      expect(rejects.map((r) => [r.line, r.column, r.record])).toEqual([
        [
          2,
          'occurred_at',
          { user_id: 'u2', occurred_at: 'never', event_type: 'login', file_row_number: 8 },
        ],
      ]);
    });
  });

  /**
   * A Parquet file whose column `twin` is named `name` instead: DuckDB writes no two names
   * that are the same ignoring case, other writers do. The names in the footer are
   * replaced by bytes of the same length, which leaves the file valid.
   */
  async function withRenamedColumn(select: string, twin: string, name: string) {
    const path = await parquetOf(select);
    const bytes = await readFile(path);
    const from = Buffer.from(twin);
    for (let i = bytes.indexOf(from); i >= 0; i = bytes.indexOf(from, i + 1)) {
      Buffer.from(name).copy(bytes, i);
    }
    await writeFile(path, bytes);
    return path;
  }

  it('rejects the file when a column it reads appears twice, ignoring case, as for CSV', async () => {
    const path = await withRenamedColumn(
      `SELECT 'u1' AS user_id, '2026-11-02' AS occurred_at, 'login' AS event_type, 'x' AS "USER_IX"`,
      'USER_IX',
      'USER_ID',
    );

    await withTables(async (db) => {
      const loading = load(db, 'events', 'e.parquet', path);

      await expect(loading).rejects.toBeInstanceOf(DuplicateColumnError);
      await expect(loading).rejects.toThrow(
        'e.parquet: column "user_id" appears 2 times in the header (columns 1 and 4); keep one',
      );
    });
  });

  it('names a twice-named column it ignores in the records as the file does', async () => {
    const path = await withRenamedColumn(
      `SELECT * FROM (VALUES ('u1', '2026-11-02', 'login', 'a', 'b'), ('u2', 'never', 'login', 'c', 'd'))
        t(user_id, occurred_at, event_type, note, "NOTX")`,
      'NOTX',
      'NOTE',
    );

    await withTables(async (db) => {
      const { stats, rejects } = await load(db, 'events', 'e.parquet', path);

      expect(stats.ignoredColumns).toEqual(['note', 'NOTE']);
      expect(rejects.map((r) => r.record)).toEqual([
        { user_id: 'u2', occurred_at: 'never', event_type: 'login', note: 'c', NOTE: 'd' },
      ]);
    });
  });

  it('rejects a file that is not Parquet as unreadable', async () => {
    const path = await fileWith('user_id,occurred_at,event_type\nu1,2026-11-02,login\n');

    await withTables(async (db) => {
      await expect(load(db, 'events', 'e.parquet', path)).rejects.toThrow(
        /^e\.parquet: the file is not valid Parquet/,
      );
    });
  });
});
