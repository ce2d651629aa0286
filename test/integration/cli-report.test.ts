/**
 * The command-line entry points as a user runs them: a separate Node process through tsx,
 * its exit code, stdout and stderr.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../functions/core/snapshot';

const PROJECT = fileURLToPath(new URL('../..', import.meta.url));

/** `node --import tsx <script> …args` from the project folder (npx would add npm's warnings). */
function run(script: string, args: string[], timeout = 60_000) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: PROJECT,
    encoding: 'utf8',
    timeout,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

let root: string;
let data: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'cli-e2e-'));
  data = join(root, 'data');
  mkdirSync(data);
  // Week 2026-W44 in UTC is [Mon 26 Oct, Mon 2 Nov): four customers active at its start,
  // one of whom (c4) ends on 29 Oct.
  writeFileSync(
    join(data, 'subscriptions.csv'),
    [
      'subscription_id,customer_id,started_at,ended_at,mrr',
      's1,c1,2026-09-01T00:00:00Z,,10',
      's2,c2,2026-09-01T00:00:00Z,,10',
      's3,c3,2026-09-01T00:00:00Z,,10',
      's4,c4,2026-09-01T00:00:00Z,2026-10-29T00:00:00Z,10',
      's5,c5,2026-09-01T00:00:00Z,not a date,10',
      '',
    ].join('\n'),
  );
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('scripts/report.ts', () => {
  it('exits 0, writes the snapshot and prints the headline', () => {
    const out = join(root, 'out');
    const { code, stdout, stderr } = run('scripts/report.ts', [
      '--data',
      data,
      '--out',
      out,
      '--period',
      '2026-W44',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    // Churn: 1 of the 4 customers active on 26 Oct is gone by 2 Nov: 25 %.
    expect(stdout).toMatch(/Churn: 25\.0%/);
    const snapshot = JSON.parse(readFileSync(join(out, 'snapshot.json'), 'utf8')) as Snapshot;
    expect(snapshot.metrics.churn_rate?.value).toBeCloseTo(25, 9);
    const rejected = readFileSync(join(out, 'rejected', 'subscriptions.jsonl'), 'utf8');
    expect(JSON.parse(rejected)).toMatchObject({ line: 6, column: 'ended_at' });
    expect(readFileSync(join(out, 'report.txt'), 'utf8')).toMatch(/Churn\s+25\.0%/);
  });

  it('exits 2 with one line on stderr for an unknown time zone', () => {
    const { code, stdout, stderr } = run('scripts/report.ts', [
      '--data',
      data,
      '--out',
      join(root, 'never'),
      '--timezone',
      'Europe/Atlantis',
    ]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      'report: --timezone "Europe/Atlantis" is not a known IANA time zone (e.g. "Europe/Berlin")\n',
    );
    expect(existsSync(join(root, 'never'))).toBe(false);
  });

  it('exits 2 with one line on stderr for an unknown flag', () => {
    const { code, stderr } = run('scripts/report.ts', ['--data', data, '--weekly']);
    expect(code).toBe(2);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^report: .*--weekly.*--help/);
  });
});

describe('scripts/demo-local.ts', () => {
  it('generates the sample, reports its last week and prints where the report is', () => {
    const out = join(root, 'demo');
    const { code, stdout, stderr } = run('scripts/demo-local.ts', ['--out', out], 120_000);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    // The sample ends on Sun 22 Nov 2026: its last complete week is 2026-W47.
    expect(stdout).toMatch(/2026-W47/);
    expect(stdout).toMatch(/Churn: \d+\.\d%/);
    expect(stdout).toMatch(/Rejected rows: 6 /);
    expect(stdout).toMatch(/Open \S*report\.html in a browser, or read \S*report\.txt/);
    expect(existsSync(join(out, 'report', 'report.html'))).toBe(true);
    const snapshot = JSON.parse(
      readFileSync(join(out, 'report', 'snapshot.json'), 'utf8'),
    ) as Snapshot;
    expect(snapshot.period.key).toBe('2026-W47');
    expect(snapshot.period.timezone).toBe('America/New_York');
    expect(snapshot.reportId).toBe('brightloom-weekly');
    // Every catalogue metric the sample can feed has a value, core actions included.
    expect(snapshot.metrics.core_action_rate?.value).not.toBeNull();
    expect(snapshot.metrics.clv_bgnbd?.value).not.toBeNull();
  }, 150_000);
});
