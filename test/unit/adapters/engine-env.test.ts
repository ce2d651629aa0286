/**
 * The engine's resources in Lambda: the variables the stack derives from the function's
 * memory, how the handlers read them back, that DuckDB accepts them, and the clean-up of the
 * folders a warm container keeps in /tmp.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ENGINE_ENV,
  engineEnvironment,
  readEngineEnv,
  resetEngineFolders,
} from '../../../functions/adapters/engine-env';
import { EnvError } from '../../../functions/adapters/env';
import { withDuck } from '../../../functions/core/duck/db';

describe('engineEnvironment', () => {
  it('gives DuckDB memory, one thread, a spill folder and a scratch folder under /tmp', () => {
    // 1024 less 896 for the rest of the process (less than half of 1024).
    expect(engineEnvironment(1024)).toEqual({
      DUCKDB_MEMORY_LIMIT_MB: '128',
      DUCKDB_TEMP_DIRECTORY: '/tmp/duckdb-spill',
      DUCKDB_THREADS: '1',
      ENGINE_SCRATCH_DIRECTORY: '/tmp/engine-exports',
    });
  });

  it('gives DuckDB half of a large function, leaves the rest at least 896 MB, and 128 at least', () => {
    // The loaded bundle alone is about 210 MiB of RSS (BENCHMARKS.md, Lambda cold start), and
    // 10 M events peaked at 343–447 MB beyond a 128–256 MiB limit (BENCHMARKS.md).
    expect(engineEnvironment(512).DUCKDB_MEMORY_LIMIT_MB).toBe('128');
    expect(engineEnvironment(768).DUCKDB_MEMORY_LIMIT_MB).toBe('128');
    expect(engineEnvironment(1280).DUCKDB_MEMORY_LIMIT_MB).toBe('384');
    expect(engineEnvironment(1536).DUCKDB_MEMORY_LIMIT_MB).toBe('640');
    expect(engineEnvironment(2048).DUCKDB_MEMORY_LIMIT_MB).toBe('1024');
  });

  it("follows Lambda's CPU share with the threads: one per 1,769 MB, six at most", () => {
    expect(engineEnvironment(1769).DUCKDB_THREADS).toBe('1');
    expect(engineEnvironment(1770).DUCKDB_THREADS).toBe('2');
    expect(engineEnvironment(3008).DUCKDB_THREADS).toBe('2');
    expect(engineEnvironment(10240)).toMatchObject({
      DUCKDB_MEMORY_LIMIT_MB: '5120',
      DUCKDB_THREADS: '6',
    });
  });

  it('refuses a memory too small for the engine, or beyond Lambda', () => {
    expect(() => engineEnvironment(256)).toThrow(/needs 512 to 10240 MB of memory \(got 256\)/);
    expect(() => engineEnvironment(20_000)).toThrow(/got 20000/);
  });
});

describe('readEngineEnv', () => {
  it('keeps DuckDB’s defaults when no variable is set (tests, the demo, the CLI)', () => {
    expect(readEngineEnv({})).toEqual({ duck: {} });
  });

  it('reads back what the stack sets', () => {
    expect(readEngineEnv(engineEnvironment(2048))).toEqual({
      duck: { memoryLimitMb: 1024, tempDirectory: '/tmp/duckdb-spill', threads: 2 },
      scratchDirectory: '/tmp/engine-exports',
    });
  });

  it('names the variable that is malformed', () => {
    expect(() => readEngineEnv({ [ENGINE_ENV.memoryLimitMb]: '1.5GB' })).toThrow(EnvError);
    expect(() => readEngineEnv({ [ENGINE_ENV.memoryLimitMb]: '1.5GB' })).toThrow(
      /DUCKDB_MEMORY_LIMIT_MB must be a whole number of megabytes \(got "1\.5GB"\)/,
    );
    expect(() => readEngineEnv({ [ENGINE_ENV.threads]: '0' })).toThrow(/DUCKDB_THREADS/);
    expect(() => readEngineEnv({ [ENGINE_ENV.scratchDirectory]: 'tmp/x' })).toThrow(
      /ENGINE_SCRATCH_DIRECTORY must be an absolute folder path/,
    );
  });
});

describe('DuckDB with the Lambda settings', () => {
  it('opens with the memory limit, spill folder and threads of a 1024 MB function', async () => {
    // Prepare
    const { duck } = readEngineEnv(engineEnvironment(1024));

    // Act
    const settings = await withDuck(
      (db) =>
        db.one<{ memory: string; temp: string; threads: number }>(
          `SELECT current_setting('memory_limit') AS memory,
                  current_setting('temp_directory') AS temp,
                  current_setting('threads') AS threads`,
        ),
      duck,
    );

    // Assess: the limit is given in MiB, as Lambda counts the function's memory.
    expect(settings).toEqual({ memory: '128.0 MiB', temp: '/tmp/duckdb-spill', threads: 1 });
  });

  it('returns freed memory to the system under a limit, and keeps DuckDB’s cache without one', async () => {
    const read = (options: Parameters<typeof withDuck>[1]) =>
      withDuck(
        (db) =>
          db.one<{ flush: string; bulk: string }>(
            `SELECT current_setting('allocator_flush_threshold') AS flush,
                    current_setting('allocator_bulk_deallocation_flush_threshold') AS bulk`,
          ),
        options,
      );
    const { duck } = readEngineEnv(engineEnvironment(1024));
    expect(await read(duck)).toEqual({ flush: '1.0 MiB', bulk: '1.0 MiB' });
    expect(await read({})).toEqual({ flush: '128.0 MiB', bulk: '512.0 MiB' });
  });
});

describe('resetEngineFolders', () => {
  let root: string | undefined;
  afterEach(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('empties what an earlier invocation left in the spill and scratch folders', async () => {
    // Prepare
    root = mkdtempSync(join(tmpdir(), 'engine-env-'));
    const spill = join(root, 'spill');
    const scratch = join(root, 'scratch');
    mkdirSync(spill);
    writeFileSync(join(spill, 'duckdb_temp_block-1.block'), 'x');

    // Act
    await resetEngineFolders({ duck: { tempDirectory: spill }, scratchDirectory: scratch });

    // Assess
    expect(readdirSync(spill)).toEqual([]);
    expect(readdirSync(scratch)).toEqual([]);
  });
});
