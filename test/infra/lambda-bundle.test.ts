/**
 * The deployed code, built for real: the whole stack synthesized WITH esbuild bundling (the
 * only test that does; about half a minute, more on a fresh clone where the arm64 binding is
 * fetched first). Each DuckDB function's asset must hold DuckDB beside the bundle with the
 * linux-arm64 native binding Lambda loads. This machine (linux-x64) cannot load an arm64
 * binary, so the run test swaps in the host's binding and imports the report handler from a
 * copy of the asset: that proves the bundle resolves DuckDB from its own node_modules.
 */
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  cpSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/paths';
import { lockedDuckDbBinding } from '../../scripts/fetch-duckdb-binding';
import { logicalId, type Synthesized, synthesize } from './synth';

const BINDING = 'node_modules/@duckdb/node-bindings-linux-arm64';
/** The binding @duckdb/node-bindings loads on this machine (linux-x64 here and in CI). */
const HOST_BINDING = `node_modules/@duckdb/node-bindings-${process.platform}-${process.arch}`;
/** ELF header e_machine value of AArch64. */
const EM_AARCH64 = 183;

let outdir: string;
let copies: string;
let synthesized: Synthesized;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'lambda-bundle-'));
  copies = mkdtempSync(join(tmpdir(), 'lambda-bundle-run-'));
  synthesized = synthesize(undefined, { bundle: { outdir } });
}, 300_000);

afterAll(() => {
  rmSync(outdir, { recursive: true, force: true });
  rmSync(copies, { recursive: true, force: true });
});

/** The staged asset folder of a function (its S3 key is `<asset hash>.zip`). */
function assetOf(fn: 'ingest' | 'report'): string {
  const construct =
    fn === 'ingest'
      ? synthesized.stack.ingestion.handler.function
      : synthesized.stack.reporting.handler.function;
  const code = synthesized.template.toJSON().Resources[logicalId(construct)].Properties.Code;
  const key = String(code.S3Key);
  expect(key).toMatch(/^[0-9a-f]{64}\.zip$/);
  return join(outdir, `asset.${key.slice(0, -'.zip'.length)}`);
}

function elfMachine(path: string): number {
  const header = Buffer.alloc(20);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, header, 0, 20, 0);
  } finally {
    closeSync(fd);
  }
  expect(header.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
  return header.readUInt16LE(18);
}

/** Runs `code` as an ES module with Node in `cwd`, the way Lambda loads index.mjs. */
function runModule(cwd: string, code: string) {
  return spawnSync(process.execPath, ['--input-type=module', '-e', code], {
    encoding: 'utf8',
    cwd,
    env: { PATH: process.env.PATH, POWERTOOLS_LOG_LEVEL: 'ERROR' },
    timeout: 60_000,
  });
}

describe('the Lambda asset of a DuckDB function', () => {
  it('holds the bundle, @duckdb/node-api with its loader, and the linux-arm64 binding', () => {
    const { version } = lockedDuckDbBinding(REPO_ROOT);
    for (const fn of ['ingest', 'report'] as const) {
      const asset = assetOf(fn);
      for (const file of [
        'index.mjs',
        'node_modules/@duckdb/node-api/package.json',
        'node_modules/@duckdb/node-bindings/duckdb.js',
        'node_modules/detect-libc/package.json',
        `${BINDING}/duckdb.node`,
        `${BINDING}/libduckdb.so`,
      ]) {
        expect(existsSync(join(asset, file)), `${fn}: ${file}`).toBe(true);
      }
      expect(elfMachine(join(asset, BINDING, 'duckdb.node')), fn).toBe(EM_AARCH64);
      expect(elfMachine(join(asset, BINDING, 'libduckdb.so')), fn).toBe(EM_AARCH64);
      const manifest = JSON.parse(readFileSync(join(asset, BINDING, 'package.json'), 'utf8'));
      expect(manifest.version, fn).toBe(version);
      // Only the binding Lambda loads: no 60 MB of the build machine's own.
      expect(existsSync(join(asset, 'node_modules/@duckdb/node-bindings-linux-x64')), fn).toBe(
        false,
      );
      expect(existsSync(join(asset, 'node_modules/@duckdb/node-bindings-darwin-arm64')), fn).toBe(
        false,
      );
    }
  });

  it('keeps DuckDB out of the bundle: index.mjs imports it from node_modules', () => {
    const code = readFileSync(join(assetOf('report'), 'index.mjs'), 'utf8');
    expect(code).toMatch(/from\s*"@duckdb\/node-api"/);
    expect(code).not.toContain('duckdb.node');
  });

  it('resolves DuckDB from the asset alone: as shipped, it loads on linux-arm64 only', () => {
    const run = runModule(assetOf('report'), "await import('./index.mjs');");
    if (HOST_BINDING === BINDING) {
      expect(run.status, run.stderr.slice(-800)).toBe(0);
    } else {
      expect(run.status).not.toBe(0);
      expect(run.stderr).toContain(`${HOST_BINDING.slice('node_modules/'.length)}/duckdb.node`);
    }
  });

  it('imports the report handler and runs a query with the host binding swapped in', () => {
    // Prepare: the asset with the arm64 binding replaced by this machine's.
    const asset = join(copies, 'report');
    cpSync(assetOf('report'), asset, { recursive: true });
    rmSync(join(asset, BINDING), { recursive: true });
    cpSync(join(REPO_ROOT, HOST_BINDING), join(asset, HOST_BINDING), { recursive: true });

    // Act
    const run = runModule(
      asset,
      [
        "const { handler } = await import('./index.mjs');",
        "const { DuckDBInstance } = await import('@duckdb/node-api');",
        "const db = await DuckDBInstance.create(':memory:', { memory_limit: '640MB', threads: '1' });",
        'const connection = await db.connect();',
        "const reader = await connection.runAndReadAll('SELECT sum(i)::INTEGER AS total FROM range(1001) t(i)');",
        'console.log(JSON.stringify({ handler: typeof handler, rows: reader.getRowObjectsJS() }));',
      ].join('\n'),
    );

    // Assess
    expect(run.status, run.stderr.slice(-800)).toBe(0);
    expect(JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '')).toEqual({
      handler: 'function',
      rows: [{ total: 500500 }],
    });
  });
});
