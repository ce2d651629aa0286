/**
 * `npm run report -- --config <file> --report <id>`: picking one report of a config file
 * that holds several (the deploy file's list form).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../scripts/cli/io';
import { loadReportConfig, parseReportArgs, REPORT_USAGE } from '../../../scripts/cli/report';

let dir: string;
let multi: string;
let single: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cli-several-'));
  multi = join(dir, 'multi.json');
  writeFileSync(
    multi,
    JSON.stringify({
      reports: [
        { reportId: 'weekly', period: 'week', timezone: 'Europe/Berlin' },
        {
          reportId: 'monthly-smb',
          period: 'month',
          filter: { segment: ['smb'] },
          schedule: 'cron(0 7 1 * ? *)',
        },
      ],
      deploy: { memoryMb: 1024 },
    }),
  );
  single = join(dir, 'single.json');
  writeFileSync(single, JSON.stringify({ report: { reportId: 'weekly' } }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const args = (extra: string[]) => {
  const parsed = parseReportArgs(['--data', dir, '--out', dir, ...extra]);
  if (parsed === 'help') throw new Error('unexpected --help');
  return parsed;
};

describe('npm run report --report', () => {
  it('runs the named report of several, without its schedule', async () => {
    const config = await loadReportConfig(args(['--config', multi, '--report', 'monthly-smb']));
    expect(config.reportId).toBe('monthly-smb');
    expect(config.period).toBe('month');
    expect(config.filter).toEqual({ segment: ['smb'] });
  });

  it('lets the flags win over the named report', async () => {
    const config = await loadReportConfig(
      args(['--config', multi, '--report', 'weekly', '--timezone', 'UTC']),
    );
    expect([config.reportId, config.timezone]).toEqual(['weekly', 'UTC']);
  });

  it('asks which report when there are several, listing the ids', async () => {
    await expect(loadReportConfig(args(['--config', multi]))).rejects.toThrow(
      new UsageError(
        `--config file "${multi}" holds 2 reports: pick one with --report <id> ("weekly", "monthly-smb")`,
      ),
    );
  });

  it('refuses an id that is not in the file', async () => {
    await expect(
      loadReportConfig(args(['--config', multi, '--report', 'quarterly'])),
    ).rejects.toThrow(
      /--report "quarterly" is not a report of .*; its reports are "weekly", "monthly-smb"/,
    );
    await expect(
      loadReportConfig(args(['--config', single, '--report', 'monthly'])),
    ).rejects.toThrow(/--report "monthly" is not a report of .*; its report is "weekly"/);
    await expect(loadReportConfig(args(['--report', 'weekly']))).rejects.toThrow(
      /--report <id> picks a report of a --config file; give --config too/,
    );
  });

  it('takes the single form with its own id', async () => {
    const config = await loadReportConfig(args(['--config', single, '--report', 'weekly']));
    expect(config.reportId).toBe('weekly');
  });

  it('documents --report in --help', () => {
    expect(REPORT_USAGE).toContain('--report <id>');
  });
});
