/**
 * The deploy file's list form, `{ "reports": [ … ] }` (several reports in one deployment),
 * beside the single form `{ "report": { … } }`, which keeps meaning what it meant.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DeployConfigError,
  type DeployFileInput,
  loadDeployConfig,
  parseDeployConfig,
} from '../../infra/config';
import { REPO_ROOT } from '../../infra/paths';
import { BASE_INPUT } from './synth';

const email = { sender: 'reports@example.org', recipients: ['team@example.org'] };

/** A two-report file; `changes` replace fields of the second report. */
function twoReports(changes: Record<string, unknown> = {}): DeployFileInput {
  return {
    reports: [
      { reportId: 'weekly', period: 'week', timezone: 'Europe/Berlin', email },
      {
        reportId: 'monthly-smb',
        period: 'month',
        timezone: 'America/New_York',
        email: { ...email, recipients: ['smb@example.org'] },
        filter: { segment: ['smb'] },
        ...changes,
      },
    ],
    deploy: { alarmEmail: 'ops@example.org' },
  } as DeployFileInput;
}

function problemWith(input: unknown): string[] {
  try {
    parseDeployConfig(input, 'multi.config.json');
  } catch (error) {
    expect(error).toBeInstanceOf(DeployConfigError);
    const [head, ...lines] = (error as Error).message.split('\n');
    expect(head).toBe('multi.config.json is not a valid deploy configuration:');
    return lines;
  }
  throw new Error('expected the deploy configuration to be refused');
}

describe('parseDeployConfig with several reports', () => {
  it('gives each report its own default schedule, in file order', () => {
    // Act
    const config = parseDeployConfig(twoReports(), 'multi.config.json');

    // Assess
    expect(config.reports.map((r) => [r.config.reportId, r.scheduleExpression])).toEqual([
      ['weekly', 'cron(0 7 ? * MON *)'],
      ['monthly-smb', 'cron(0 7 1 * ? *)'],
    ]);
    expect(config.reports[1]?.config.filter).toEqual({ segment: ['smb'] });
    expect(config.sender).toBe('reports@example.org');
    // The first report is the one `report` names.
    expect(config.report.reportId).toBe('weekly');
    expect(config.scheduleExpression).toBe('cron(0 7 ? * MON *)');
  });

  it('takes a report’s own schedule and keeps it out of the report config', () => {
    const config = parseDeployConfig(
      twoReports({ schedule: 'cron(30 6 2 * ? *)' }),
      'multi.config.json',
    );
    expect(config.reports[1]?.scheduleExpression).toBe('cron(30 6 2 * ? *)');
    expect(config.reports[1]?.config).not.toHaveProperty('schedule');
  });

  it('gives the single form one report, as before', () => {
    const config = parseDeployConfig(BASE_INPUT, 'single.config.json');
    expect(config.reports).toHaveLength(1);
    expect(config.reports[0]?.config).toBe(config.report);
    expect(config.reports[0]?.scheduleExpression).toBe(config.scheduleExpression);
  });

  it('refuses two reports with one id, naming both', () => {
    const lines = problemWith(twoReports({ reportId: 'weekly' }));
    expect(lines).toEqual([
      '  - reports.1 ("weekly").reportId "weekly" is already the id of reports.0 ("weekly"): every report needs its own id (it keys the report\'s snapshots and its reports/<id>/ folder)',
    ]);
  });

  it('refuses two reports without an id: both would be "engagement"', () => {
    const input = twoReports();
    const [first, second] = (input.reports ?? []) as Record<string, unknown>[];
    delete first?.reportId;
    delete second?.reportId;
    expect(problemWith(input).join('\n')).toContain(
      'reports.1 ("engagement").reportId "engagement" is already the id of reports.0',
    );
  });

  it('refuses a second sender', () => {
    const lines = problemWith(
      twoReports({ email: { sender: 'other@example.org', recipients: ['smb@example.org'] } }),
    );
    expect(lines).toEqual([
      '  - reports.1 ("monthly-smb").email.sender "other@example.org" differs from reports.0 ("weekly").email.sender "reports@example.org": one deployment sends every report from one address',
    ]);
  });

  it('refuses a report without a sender or recipients', () => {
    const lines = problemWith(twoReports({ email: {} }));
    expect(lines.join('\n')).toContain(
      'reports.1 ("monthly-smb").email.sender is required to deploy',
    );
    expect(lines.join('\n')).toContain('reports.1 ("monthly-smb").email.recipients is empty');
  });

  it('refuses a bad schedule, naming the report by index and id', () => {
    const lines = problemWith(twoReports({ schedule: 'cron(0 7 * * MON *)' }));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^ {2}- reports\.1 \("monthly-smb"\)\.schedule cron\(…\) needs "\?" in exactly one of day-of-month and day-of-week.*\(got "cron\(0 7 \* \* MON \*\)"\)$/,
    );
  });

  it('refuses another currency or column mapping: the exports are shared', () => {
    const lines = problemWith(twoReports({ currency: 'EUR', columns: { customer_id: 'id' } }));
    expect(lines).toEqual([
      '  - reports.1 ("monthly-smb").currency "EUR" differs from reports.0 ("weekly").currency "USD": the reports read the same exports, whose amounts are in one currency',
      '  - reports.1 ("monthly-smb").columns differs from reports.0 ("weekly").columns: the reports read the same exports, so give every report the same column mapping',
    ]);
  });

  it('refuses a bad filter value', () => {
    const lines = problemWith(twoReports({ filter: { segment: [' '], region: ['x'] } }));
    expect(lines).toEqual(
      expect.arrayContaining([
        '  - reports.1 ("monthly-smb").filter.segment.0 must not be empty or only spaces',
        '  - reports.1 ("monthly-smb").filter has unknown field(s) "region"',
      ]),
    );
  });

  it('refuses both forms at once, neither, an empty list and deploy.schedule with a list', () => {
    expect(problemWith({ ...twoReports(), report: BASE_INPUT.report })).toEqual([
      '  - has both "report" and "reports": use "report" for one report, or list every report under "reports"',
    ]);
    expect(problemWith({ deploy: {} })[0]).toContain('report is required');
    expect(problemWith({ reports: [] })).toEqual(['  - reports must list at least one report']);
    expect(
      problemWith({ ...twoReports(), deploy: { schedule: { expression: 'rate(7 days)' } } }),
    ).toEqual([
      '  - deploy.schedule.expression is for the single "report" form: with "reports", give each report its own "schedule"',
    ]);
  });

  it('loads the committed multi-report example', () => {
    const config = loadDeployConfig(join(REPO_ROOT, 'report.config.multi.example.json'));
    expect(config.reports.map((r) => r.config.reportId)).toEqual([
      'weekly-engagement',
      'monthly-smb-dach',
    ]);
    expect(config.reports[1]?.config.filter).toEqual({ segment: ['smb'], country: ['DE', 'AT'] });
    expect(config.reports[1]?.scheduleExpression).toBe('cron(0 7 1 * ? *)');
  });
});
