/**
 * Where `Duck` keeps its tables: in memory, or (with a spill folder, as in Lambda) in a
 * database file of that folder that no one else sees and that is gone after close.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Duck, withDuck } from '../../../functions/core/duck/db';

describe('Duck storage', () => {
  let root: string | undefined;
  afterEach(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('keeps the tables in a database file of the spill folder, and deletes it on close', async () => {
    // Prepare: a folder that does not exist yet, as on a fresh Lambda container.
    root = mkdtempSync(join(tmpdir(), 'duck-db-'));
    const spill = join(root, 'spill');

    // Act
    const db = await Duck.open({ tempDirectory: spill });
    let files: string[];
    let sum: number;
    try {
      await db.run('CREATE TABLE t AS SELECT range AS n FROM range(100000)');
      sum = (await db.one<{ s: number }>('SELECT sum(n) AS s FROM t')).s;
      files = readdirSync(spill);
    } finally {
      db.close();
    }

    // Assess
    expect(sum).toBe(4_999_950_000);
    expect(files.filter((f) => f.endsWith('.duckdb'))).toHaveLength(1);
    expect(readdirSync(spill)).toEqual([]);
  });

  it('keeps the tables in memory without a spill folder, or when asked to', async () => {
    // Prepare
    root = mkdtempSync(join(tmpdir(), 'duck-db-'));

    // Act
    const names = await withDuck(
      (db) =>
        db.all<{ file: string | null }>(
          'SELECT path AS file FROM duckdb_databases() WHERE NOT internal',
        ),
      { tempDirectory: root, storage: 'memory' },
    );
    const plain = await withDuck((db) =>
      db.all<{ file: string | null }>(
        'SELECT path AS file FROM duckdb_databases() WHERE NOT internal',
      ),
    );

    // Assess
    expect(names).toEqual([{ file: null }]);
    expect(plain).toEqual([{ file: null }]);
    expect(readdirSync(root)).toEqual([]);
  });

  it('checkpoints a database file and a limited memory as DuckDB does, unlimited memory never', async () => {
    // Prepare
    root = mkdtempSync(join(tmpdir(), 'duck-db-'));
    const threshold = (db: Duck) =>
      db.one<{ v: string }>("SELECT current_setting('checkpoint_threshold') AS v");

    // Act
    const inFile = await withDuck(threshold, { tempDirectory: root });
    const limited = await withDuck(threshold, { memoryLimitMb: 256 });
    const inMemory = await withDuck(threshold);

    // Assess: 16 MiB is DuckDB's default; 1 TB is past any commit this job makes.
    expect(inFile.v).toBe('16.0 MiB');
    expect(limited.v).toBe('16.0 MiB');
    expect(inMemory.v).toBe('931.3 GiB');
  });

  it('refuses a database file without a folder to put it in', async () => {
    await expect(Duck.open({ storage: 'file' })).rejects.toThrow(/needs a tempDirectory/);
  });
});
