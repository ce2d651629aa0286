/**
 * Smoke test of `npm run demo -- --exit`: the demo starts its own stand-ins, ingests the
 * sample through the real handlers, sends one email and saves it, then exits 0.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('npm run demo', () => {
  it('ingests the sample, sends the report, says where to read it and exits with --exit', () => {
    const out = mkdtempSync(join(tmpdir(), 'demo-smoke-'));
    try {
      const run = spawnSync('npx', ['tsx', 'scripts/demo.ts', '--exit', '--out', out], {
        encoding: 'utf8',
        timeout: 170_000,
        env: { ...process.env, NODE_OPTIONS: '--openssl-legacy-provider' },
      });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/1 email\(s\) in the SES stand-in/);
      expect(run.stdout).toMatch(/web view: http:\/\/127\.0\.0\.1:\d+\//);
      const html = join(out, 'report.html');
      expect(run.stdout).toContain(html);
      expect(existsSync(html)).toBe(true);
      expect(readFileSync(html, 'utf8')).toContain('Brightloom weekly engagement');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 180_000);
});
