/**
 * The esbuild bundle HandlerFunction produces, built for real (local esbuild, no Docker) from
 * a small fixture handler and run with Node: ESM output, the createRequire banner that lets
 * bundled CommonJS call require(), and source maps that lead back to the TypeScript.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HandlerFunction } from '../../infra/constructs/handler-function';

let outdir: string;
let assetDir: string;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'bundle-test-'));
  const app = new App({ outdir });
  const stack = new Stack(app, 'BundleTest');
  new HandlerFunction(stack, 'Fixture', {
    entry: 'test/infra/fixtures/esm-handler.ts',
    description: 'bundling fixture',
    serviceName: 'bundle-test',
  });
  app.synth();
  const assets = readdirSync(outdir).filter((name) => name.startsWith('asset.'));
  expect(assets).toHaveLength(1);
  assetDir = join(outdir, assets[0] ?? '');
});

afterAll(() => {
  rmSync(outdir, { recursive: true, force: true });
});

/** Runs `code` as an ES module with Node, the way the Lambda runtime loads index.mjs. */
function runModule(code: string) {
  return spawnSync(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', code], {
    encoding: 'utf8',
    cwd: assetDir,
    env: { PATH: process.env.PATH, POWERTOOLS_LOG_LEVEL: 'ERROR' },
  });
}

describe('HandlerFunction bundling', () => {
  it('writes an ES module that starts with the createRequire banner, and its source map', () => {
    expect(readdirSync(assetDir).sort()).toEqual(['index.mjs', 'index.mjs.map']);
    const code = readFileSync(join(assetDir, 'index.mjs'), 'utf8');
    expect(
      code.startsWith(
        "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      ),
    ).toBe(true);
    const map = JSON.parse(readFileSync(join(assetDir, 'index.mjs.map'), 'utf8'));
    expect(map.sources.some((s: string) => s.endsWith('test/infra/fixtures/esm-handler.ts'))).toBe(
      true,
    );
    // sourcesContent: false keeps the package small; the sources are in the repository.
    expect(map.sourcesContent).toBeUndefined();
  });

  it('runs: bundled CommonJS can require Node built-ins', () => {
    // PNG signature bytes 1-3 are "PNG"; computing them needs pngjs's require('zlib').
    const run = runModule(
      "const { handler } = await import('./index.mjs'); console.log(JSON.stringify(await handler({})));",
    );
    expect(run.status, run.stderr.slice(-600)).toBe(0);
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '')).toEqual({ signature: 'PNG' });
  });

  it('maps a stack trace back to the TypeScript source', () => {
    const run = runModule(
      "const { handler } = await import('./index.mjs'); try { await handler({ fail: true }); } catch (e) { console.log(e.stack); }",
    );
    expect(run.stdout).toContain('fixture failure');
    expect(run.stdout).toMatch(/test\/infra\/fixtures\/esm-handler\.ts:\d+:\d+/);
    expect(existsSync(join(assetDir, 'index.mjs.map'))).toBe(true);
  });
});
