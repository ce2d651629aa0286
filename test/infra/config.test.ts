import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DeployConfigError,
  type DeployFileInput,
  defaultScheduleExpression,
  EXAMPLE_CONFIG_FILE,
  loadDeployConfig,
  parseDeployConfig,
  resolveConfigPath,
  scheduleExpressionProblem,
} from '../../infra/config';
import { REPO_ROOT } from '../../infra/paths';
import { BASE_INPUT } from './synth';

/** The message of the DeployConfigError that parsing `input` throws. */
function problemWith(input: unknown): string {
  try {
    parseDeployConfig(input, 'my.config.json');
  } catch (error) {
    expect(error).toBeInstanceOf(DeployConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the deploy configuration to be refused');
}

function withReport(changes: Record<string, unknown>): DeployFileInput {
  return { ...BASE_INPUT, report: { ...BASE_INPUT.report, ...changes } } as DeployFileInput;
}

describe('parseDeployConfig', () => {
  it('resolves the deploy defaults', () => {
    // Prepare
    const input = { report: BASE_INPUT.report };

    // Act
    const config = parseDeployConfig(input, 'my.config.json');

    // Assess
    expect(config).toMatchObject({
      sender: 'reports@example.org',
      scheduleExpression: 'cron(0 7 ? * MON *)',
      memoryMb: 1024,
      ingestTimeoutSeconds: 900,
      reportTimeoutSeconds: 300,
      rejectedRetentionDays: 90,
      createSenderIdentity: true,
    });
    expect(config.alarmEmail).toBeUndefined();
    expect(config.report.timezone).toBe('America/New_York');
  });

  it('defaults the schedule to 07:00 on the first day after each period', () => {
    expect(defaultScheduleExpression('week')).toBe('cron(0 7 ? * MON *)');
    expect(defaultScheduleExpression('month')).toBe('cron(0 7 1 * ? *)');
    expect(defaultScheduleExpression('quarter')).toBe('cron(0 7 1 1,4,7,10 ? *)');
    const monthly = parseDeployConfig(withReport({ period: 'month' }), 'my.config.json');
    expect(monthly.scheduleExpression).toBe('cron(0 7 1 * ? *)');
  });

  it('takes an explicit schedule expression and timeout', () => {
    const config = parseDeployConfig(
      {
        ...BASE_INPUT,
        deploy: { schedule: { expression: 'cron(30 6 ? * TUE *)' }, timeoutSeconds: 600 },
      },
      'my.config.json',
    );
    expect(config.scheduleExpression).toBe('cron(30 6 ? * TUE *)');
    expect(config.ingestTimeoutSeconds).toBe(600);
    expect(config.reportTimeoutSeconds).toBe(600);
  });

  it('refuses an unknown time zone, naming the file and the field', () => {
    const message = problemWith(withReport({ timezone: 'Europe/Berlinn' }));
    expect(message).toContain('my.config.json is not a valid deploy configuration');
    expect(message).toContain('report.timezone is not a known IANA time zone');
  });

  it('refuses a configuration without a sender', () => {
    const message = problemWith(withReport({ email: { recipients: ['team@example.org'] } }));
    expect(message).toContain('report.email.sender is required to deploy');
  });

  it('refuses a configuration without recipients', () => {
    const message = problemWith(withReport({ email: { sender: 'reports@example.org' } }));
    expect(message).toContain('report.email.recipients is empty');
  });

  it('refuses a malformed sender and alarm email', () => {
    const message = problemWith({
      ...withReport({ email: { sender: 'reports', recipients: ['team@example.org'] } }),
      deploy: { alarmEmail: 'ops at example.org' },
    });
    expect(message).toContain('report.email.sender must be an email address');
    expect(message).toContain('deploy.alarmEmail must be an email address');
  });

  it('refuses hostile recipients, sender, alarm email and report name at synth, one line each', () => {
    // Prepare: every value a header is built from, each trying to add a Bcc.
    const message = problemWith({
      report: {
        ...BASE_INPUT.report,
        name: 'Weekly\r\nBcc: c@d.com',
        email: {
          sender: 'reports@example.org\r\nBcc: c@d.com',
          recipients: ['team@example.org', 'a@b.com\r\nBcc: c@d.com', 'a@b', '"x"@y.com'],
        },
      },
      deploy: { alarmEmail: 'ops@localhost' },
    });

    // Assess
    const lines = message.split('\n').slice(1);
    const email = 'must be an email address such as reports@example.com';
    expect(lines).toEqual([
      '  - report.name must not contain line breaks, tabs or other control characters (it goes into the email subject)',
      `  - report.email.recipients.1 ${email}: it contains a line break or another control character`,
      `  - report.email.recipients.2 ${email}: the domain "b" needs a dot, e.g. example.com`,
      `  - report.email.recipients.3 ${email}: quoted local parts ("x"@example.com) are not accepted`,
      `  - report.email.sender ${email}: it contains a line break or another control character`,
      `  - deploy.alarmEmail ${email}: the domain "localhost" needs a dot, e.g. example.com`,
    ]);
    // Each problem is one line: the hostile value's CRLF is not echoed into the message.
    expect(message).not.toContain('Bcc');
  });

  it('lists every problem, one per line', () => {
    const message = problemWith({
      report: { ...BASE_INPUT.report, currency: 'dollars', colour: 'blue' },
      deploy: { memoryMb: 64, rejectedRetentionDays: 0 },
    });
    const lines = message.split('\n').slice(1);
    expect(lines).toEqual(
      expect.arrayContaining([
        '  - report.currency must be a three-letter ISO 4217 code such as "USD"',
        '  - report has unknown field(s) "colour"',
        '  - deploy.memoryMb must be at least 128 (MB), the Lambda minimum',
        '  - deploy.rejectedRetentionDays must be at least 1 (day)',
      ]),
    );
    expect(lines).toHaveLength(4);
  });

  it('refuses a schedule expression EventBridge Scheduler would refuse', () => {
    const message = problemWith({
      ...BASE_INPUT,
      deploy: { schedule: { expression: 'cron(0 7 * * MON *)' } },
    });
    expect(message).toContain('deploy.schedule.expression');
    expect(message).toContain('needs "?" in exactly one of day-of-month and day-of-week');
    expect(message).toContain('(got "cron(0 7 * * MON *)")');
  });
});

describe('scheduleExpressionProblem', () => {
  it.each([
    'cron(0 7 ? * MON *)',
    'cron(0 7 1 * ? *)',
    'cron(0 7 1 1,4,7,10 ? *)',
    'cron(0/15 8-17 ? * MON-FRI *)',
    'cron(0 8 ? * 2#1 *)',
    'cron(0 7 L * ? *)',
    'cron(0 7 ? JAN-MAR SUN 2026-2030)',
    'rate(1 day)',
    'rate(7 days)',
    'rate(12 hours)',
  ])('accepts %s', (expression) => {
    expect(scheduleExpressionProblem(expression)).toBeUndefined();
  });

  it.each([
    ['cron(0 7 * * MON *)', 'exactly one of day-of-month and day-of-week'],
    ['cron(0 7 ? * ? *)', 'exactly one of day-of-month and day-of-week'],
    ['cron(0 7 ? * MON)', 'needs 6 fields'],
    ['cron(60 7 ? * MON *)', 'minutes "60" must use values in 0-59'],
    ['cron(0 24 ? * MON *)', 'hours "24" must use values in 0-23'],
    ['cron(0 7 ? * FUNDAY *)', 'day-of-week "FUNDAY"'],
    ['cron(0/0 7 ? * MON *)', 'bad step'],
    ['rate(1 days)', 'singular unit for 1'],
    ['rate(7 day)', 'singular unit for 1'],
    ['rate(0 days)', 'positive whole number'],
    ['rate(1 week)', 'positive whole number'],
    ['at(2026-01-05T07:00:00)', 'runs once'],
    ['every monday', 'must be cron('],
  ])('refuses %s', (expression, reason) => {
    expect(scheduleExpressionProblem(expression)).toContain(reason);
  });
});

describe('loadDeployConfig', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'deploy-config-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads the committed example', () => {
    const config = loadDeployConfig(join(REPO_ROOT, EXAMPLE_CONFIG_FILE));
    expect(config.report.reportId).toBe('weekly-engagement');
    expect(config.report.timezone).toBe('Europe/Berlin');
    expect(config.sender).toBe('reports@example.com');
    expect(config.scheduleExpression).toBe('cron(0 7 ? * MON *)');
    expect(config.alarmEmail).toBe('ops@example.com');
  });

  it('says how to create a missing file', () => {
    expect(() => loadDeployConfig(join(dir, 'absent.json'))).toThrow(
      /cannot read the deploy configuration .*absent\.json: copy report\.config\.example\.json to report\.config\.json/,
    );
  });

  it('reports a file that is not JSON', () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{ "report": ');
    expect(() => loadDeployConfig(file)).toThrow(/broken\.json is not valid JSON/);
  });
});

describe('resolveConfigPath', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'deploy-root-'));
  });
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('falls back to the example, prefers report.config.json, and honours -c config=', () => {
    expect(resolveConfigPath(root)).toBe(join(root, 'report.config.example.json'));
    writeFileSync(join(root, 'report.config.json'), '{}');
    expect(resolveConfigPath(root)).toBe(join(root, 'report.config.json'));
    expect(resolveConfigPath(root, 'configs/prod.json')).toBe(resolve('configs/prod.json'));
    expect(resolveConfigPath(root, '/etc/prod.json')).toBe('/etc/prod.json');
  });

  it('refuses a context value that is not a path', () => {
    expect(() => resolveConfigPath(root, 42)).toThrow(/"config" context value must be a file path/);
    expect(() => resolveConfigPath(root, ' ')).toThrow(DeployConfigError);
  });
});

describe('infra/app.ts', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'deploy-app-'));
    mkdirSync(join(dir, 'out'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints a configuration error and exits 1 without a stack trace or an assembly', () => {
    // Prepare
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify(withReport({ timezone: 'Mars/Olympus_Mons' })));

    // Act: the CDK CLI passes context and the output folder through these variables.
    const run = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'infra/app.ts')], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: {
        ...process.env,
        CDK_CONTEXT_JSON: JSON.stringify({ config: file }),
        CDK_OUTDIR: join(dir, 'out'),
      },
    });

    // Assess
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('bad.json is not a valid deploy configuration');
    expect(run.stderr).toContain('report.timezone is not a known IANA time zone');
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(join(dir, 'out'))).toEqual([]);
  });
});
