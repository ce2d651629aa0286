/**
 * The engine's resources in Lambda, in one place: the names of the environment variables the
 * stack sets (infra/constructs/handler-function.ts calls `engineEnvironment`), the values it
 * derives from the function's memory, and the parsing the handlers do on their first
 * invocation (`sharedEngineSettings`).
 *
 * - DuckDB's memory limit is half the function's memory, but leaves at least 896 MB to the
 *   rest of the process (and is never below 128 MB): the loaded bundle and DuckDB's library
 *   alone are about 210 MiB of RSS before any data (scripts/bench-cold-start.ts), then come
 *   the email render and DuckDB's allocations outside its buffer manager, which the limit
 *   does not count (sampled on 10 M events of 1 M users against `duckdb_memory()`: 230 MB
 *   counted when the process held 540–654 MB). With the tables in a compressed database
 *   file (duck/db.ts), one thread as at 1024 MB, a 256 MiB limit peaked at 653–703 MB of
 *   RSS and a 128 MiB one at 455–505 MB; with freed memory returned at once (duck/db.ts)
 *   472–515 MB and 332–430 MB (BENCHMARKS.md; the compressed rows hardly spill, so the
 *   smaller limit costs little time). So at the default 1024 MB the limit is 128 MB.
 * - DuckDB spills to a folder under /tmp, the only writable place in Lambda (an in-memory
 *   database would otherwise spill to `.tmp` in the working directory, /var/task, which is
 *   read-only), and keeps its tables in a database file there (duck/db.ts); so does the
 *   engine's copy of each export (it streams every S3 object to local disk first, since
 *   DuckDB reads files). All share the function's ephemeral storage.
 * - Threads follow Lambda's CPU share, which grows with memory (one vCPU's worth at 1,769 MB,
 *   six at 10,240 MB); more threads than that only compete for the same share and each one
 *   holds its own buffers.
 *
 * Without the variables (tests, the demo, the CLI) DuckDB keeps its own defaults.
 */
import { mkdir, rm } from 'node:fs/promises';
import type { DuckOptions } from '../core/duck/db';
import type { EngineSettings } from '../core/engine';
import { EnvError } from './env';

/** The environment variables, by what they hold. */
export const ENGINE_ENV = {
  /** DuckDB's `memory_limit`, in MB. */
  memoryLimitMb: 'DUCKDB_MEMORY_LIMIT_MB',
  /** DuckDB's `temp_directory` (spill files); emptied at the start of every invocation. */
  tempDirectory: 'DUCKDB_TEMP_DIRECTORY',
  /** DuckDB's `threads`. */
  threads: 'DUCKDB_THREADS',
  /** Where the engine copies the exports it reads; emptied at the start of every invocation. */
  scratchDirectory: 'ENGINE_SCRATCH_DIRECTORY',
} as const;

/** Share of the function's memory given to DuckDB… */
export const DUCKDB_MEMORY_SHARE = 0.5;
/** …leaving at least this many MB to the rest of the process. */
export const NODE_MEMORY_RESERVE_MB = 896;
/** DuckDB's memory limit is never below this many MB. */
export const MIN_DUCKDB_MEMORY_MB = 128;
/** Lambda gives one vCPU's worth of CPU time per this many MB of memory. */
export const LAMBDA_MB_PER_VCPU = 1769;
/** Lambda's writable folder (its ephemeral storage). */
export const LAMBDA_TMP = '/tmp';
/** The smallest function memory the engine is deployed with. */
export const MIN_ENGINE_MEMORY_MB = 512;

/** The engine's variables for a function of `memoryMb` MB (set by the stack). */
export function engineEnvironment(memoryMb: number): Record<string, string> {
  if (!Number.isInteger(memoryMb) || memoryMb < MIN_ENGINE_MEMORY_MB || memoryMb > 10240) {
    throw new RangeError(
      `a function running the DuckDB engine needs ${MIN_ENGINE_MEMORY_MB} to 10240 MB of memory (got ${memoryMb})`,
    );
  }
  const threads = Math.min(6, Math.max(1, Math.ceil(memoryMb / LAMBDA_MB_PER_VCPU)));
  return {
    [ENGINE_ENV.memoryLimitMb]: String(
      Math.max(
        MIN_DUCKDB_MEMORY_MB,
        Math.floor(Math.min(memoryMb * DUCKDB_MEMORY_SHARE, memoryMb - NODE_MEMORY_RESERVE_MB)),
      ),
    ),
    [ENGINE_ENV.tempDirectory]: `${LAMBDA_TMP}/duckdb-spill`,
    [ENGINE_ENV.threads]: String(threads),
    [ENGINE_ENV.scratchDirectory]: `${LAMBDA_TMP}/engine-exports`,
  };
}

type Source = Record<string, string | undefined>;

function positiveInteger(source: Source, name: string, what: string): number | undefined {
  const raw = source[name]?.trim();
  if (!raw) return undefined;
  if (!/^[1-9]\d*$/.test(raw)) {
    throw new EnvError(`environment variable ${name} must be ${what} (got "${raw}")`);
  }
  return Number(raw);
}

function absoluteFolder(source: Source, name: string): string | undefined {
  const raw = source[name]?.trim();
  if (!raw) return undefined;
  if (!raw.startsWith('/')) {
    throw new EnvError(
      `environment variable ${name} must be an absolute folder path (got "${raw}")`,
    );
  }
  return raw.replace(/\/+$/, '') || '/';
}

/** Reads the engine's variables; each one that is unset keeps DuckDB's (or the OS's) default. */
export function readEngineEnv(source: Source = process.env): EngineSettings {
  const duck: DuckOptions = {};
  const memoryLimitMb = positiveInteger(
    source,
    ENGINE_ENV.memoryLimitMb,
    'a whole number of megabytes',
  );
  if (memoryLimitMb !== undefined) duck.memoryLimitMb = memoryLimitMb;
  const tempDirectory = absoluteFolder(source, ENGINE_ENV.tempDirectory);
  if (tempDirectory !== undefined) duck.tempDirectory = tempDirectory;
  const threads = positiveInteger(source, ENGINE_ENV.threads, 'a whole number of threads');
  if (threads !== undefined) duck.threads = threads;
  const settings: EngineSettings = { duck };
  const scratchDirectory = absoluteFolder(source, ENGINE_ENV.scratchDirectory);
  if (scratchDirectory !== undefined) settings.scratchDirectory = scratchDirectory;
  return settings;
}

let shared: EngineSettings | undefined;

/** The container's settings, read from the environment once. */
export function sharedEngineSettings(): EngineSettings {
  shared ??= readEngineEnv();
  return shared;
}

/**
 * Empties the spill and scratch folders the settings name, and creates them. A warm container
 * keeps /tmp between invocations, and one that timed out or ran out of memory had no chance
 * to clean up; one invocation runs at a time per container, so whatever is there is left over.
 */
export async function resetEngineFolders(settings: EngineSettings): Promise<void> {
  for (const folder of [settings.duck?.tempDirectory, settings.scratchDirectory]) {
    if (folder === undefined || folder === '/' || folder === LAMBDA_TMP) continue;
    await rm(folder, { recursive: true, force: true });
    await mkdir(folder, { recursive: true });
  }
}
