/**
 * The deploy configuration: one JSON file (`report.config.json` at the repository root) with
 * the report itself (the same ReportConfig the local runner reads), or several reports under
 * `reports` (each with its own schedule, sharing the stack), and the few settings only a
 * deployment needs (schedule, alarm email, Lambda sizing, retention). Validated once, when
 * the CDK app starts, so a typo fails `cdk synth` with the file and field named instead of
 * failing a Lambda at 07:00 on a Monday.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { z } from 'zod';
import { type PeriodKind, type ReportConfig, ReportConfigSchema } from '../functions/core/config';
import { EmailAddress } from '../functions/core/report/address';

export const CONFIG_FILE = 'report.config.json';
export const EXAMPLE_CONFIG_FILE = 'report.config.example.json';

export class DeployConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DeployConfigError';
  }
}

/**
 * The schedule that fires at 07:00 (report time zone) on the first day after each period:
 * Monday for ISO weeks, the 1st for months, the 1st of January/April/July/October for quarters.
 */
export function defaultScheduleExpression(period: PeriodKind): string {
  switch (period) {
    case 'week':
      return 'cron(0 7 ? * MON *)';
    case 'month':
      return 'cron(0 7 1 * ? *)';
    case 'quarter':
      return 'cron(0 7 1 1,4,7,10 ? *)';
  }
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface CronField {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
  /** Matches the special forms of this field (`?`, `L`, `15W`, `MON#2`, …). */
  special?: RegExp;
}

// EventBridge Scheduler cron fields, in order. `?` is allowed only in the two day fields.
const CRON_FIELDS: readonly CronField[] = [
  { name: 'minutes', min: 0, max: 59 },
  { name: 'hours', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31, special: /^(\?|L|LW|([1-9]|[12]\d|3[01])W)$/ },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  {
    name: 'day-of-week',
    min: 1,
    max: 7,
    names: WEEKDAYS,
    special: /^(\?|L|([1-7]|SUN|MON|TUE|WED|THU|FRI|SAT)(L|#[1-5]))$/,
  },
  { name: 'year', min: 1970, max: 2199 },
];

function cronValue(text: string, field: CronField): number | undefined {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return n >= field.min && n <= field.max ? n : undefined;
  }
  const index = field.names?.indexOf(text.toUpperCase()) ?? -1;
  return index >= 0 ? field.min + index : undefined;
}

function cronFieldProblem(text: string, field: CronField): string | undefined {
  const range = field.names
    ? `${field.min}-${field.max} or ${field.names[0]}-${field.names[field.names.length - 1]}`
    : `${field.min}-${field.max}`;
  for (const part of text.split(',')) {
    if (field.special?.test(part.toUpperCase())) continue;
    const [base = '', step, ...extra] = part.split('/');
    const stepOk = step === undefined || (/^\d+$/.test(step) && Number(step) > 0);
    if (extra.length > 0 || !stepOk) {
      return `${field.name} "${text}" has a bad step; write e.g. "*/5"`;
    }
    if (base === '*') continue;
    const bounds = base.split('-');
    const values = bounds.map((b) => cronValue(b, field));
    if (bounds.length > 2 || values.some((v) => v === undefined)) {
      return `${field.name} "${text}" must use values in ${range}, "*", lists "a,b" or ranges "a-b"`;
    }
  }
  return undefined;
}

/**
 * Why `expression` is not a recurring EventBridge Scheduler expression, or undefined when it
 * is one: `cron(minutes hours day-of-month month day-of-week year)` or `rate(value unit)`.
 * One-time `at(…)` schedules are refused: the report is meant to recur.
 */
export function scheduleExpressionProblem(expression: string): string | undefined {
  const rate = /^rate\((.*)\)$/.exec(expression);
  if (rate) {
    const m = /^(\d+) (minute|minutes|hour|hours|day|days)$/.exec(rate[1] ?? '');
    if (!m || Number(m[1]) < 1) {
      return 'rate(…) must be "rate(<positive whole number> <minute(s)|hour(s)|day(s)>)", e.g. "rate(7 days)"';
    }
    if ((Number(m[1]) === 1) !== !m[2]?.endsWith('s')) {
      return `rate(…) takes a singular unit for 1 and a plural one otherwise, e.g. "rate(1 day)", "rate(7 days)"`;
    }
    return undefined;
  }
  if (expression.startsWith('at(')) {
    return 'at(…) runs once; the report needs a recurring cron(…) or rate(…) expression';
  }
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (!cron) {
    return 'must be cron(minutes hours day-of-month month day-of-week year) or rate(value unit), e.g. "cron(0 7 ? * MON *)"';
  }
  const fields = (cron[1] ?? '').trim().split(/\s+/);
  if (fields.length !== CRON_FIELDS.length) {
    return `cron(…) needs 6 fields (minutes hours day-of-month month day-of-week year), found ${fields.length}; e.g. "cron(0 7 ? * MON *)"`;
  }
  for (const [i, field] of CRON_FIELDS.entries()) {
    const problem = cronFieldProblem(fields[i] ?? '', field);
    if (problem) return `cron(…) ${problem}`;
  }
  // EventBridge refuses an expression that constrains both day fields or neither.
  if ((fields[2] === '?') === (fields[4] === '?')) {
    return 'cron(…) needs "?" in exactly one of day-of-month and day-of-week, e.g. "cron(0 7 ? * MON *)" or "cron(0 7 1 * ? *)"';
  }
  return undefined;
}

const ScheduleExpressionText = z.string().superRefine((expression, ctx) => {
  const problem = scheduleExpressionProblem(expression);
  if (problem) ctx.addIssue({ code: 'custom', message: `${problem} (got "${expression}")` });
});

const DeploySettingsSchema = z
  .object({
    schedule: z
      .object({
        /** @default - `defaultScheduleExpression(report.period)`, in the report's time zone. */
        expression: ScheduleExpressionText.optional(),
      })
      .strict()
      .prefault({}),
    /** Where alarm notifications go; without it the SNS topic has no subscription. */
    alarmEmail: EmailAddress.optional(),
    memoryMb: z
      .number()
      .int({ message: 'must be a whole number of MB' })
      .min(128, { message: 'must be at least 128 (MB), the Lambda minimum' })
      .max(10240, { message: 'must be at most 10240 (MB), the Lambda maximum' })
      .default(1024),
    /** @default - 300 for the report function, 900 for the ingest function. */
    timeoutSeconds: z
      .number()
      .int({ message: 'must be a whole number of seconds' })
      .min(1, { message: 'must be at least 1 (second)' })
      .max(900, { message: 'must be at most 900 (seconds), the Lambda maximum' })
      .optional(),
    rejectedRetentionDays: z
      .number()
      .int({ message: 'must be a whole number of days' })
      .min(1, { message: 'must be at least 1 (day)' })
      .default(90),
    /**
     * Set to false when the sender address (or its domain) is already a verified SES identity
     * in this account and region: creating it again would fail the deployment.
     */
    createSenderIdentity: z.boolean().default(true),
  })
  .strict();

/** One entry of `reports`: a whole report config and, optionally, its own schedule. */
const ListedReportSchema = ReportConfigSchema.extend({
  /** @default - `defaultScheduleExpression(period)`, in the report's time zone. */
  schedule: ScheduleExpressionText.optional(),
});

/**
 * Either `report` (one report, scheduled by `deploy.schedule`) or `reports` (several, each
 * with its own `schedule`), never both; `parseDeployConfig` checks the rules across reports.
 */
export const DeployFileSchema = z
  .object({
    report: ReportConfigSchema.optional(),
    reports: z
      .array(ListedReportSchema)
      .min(1, { message: 'must list at least one report' })
      .optional(),
    deploy: DeploySettingsSchema.prefault({}),
  })
  .strict();

export type DeployFileInput = z.input<typeof DeployFileSchema>;

/** One report of a deployment and the schedule that sends it. */
export interface ReportSettings {
  readonly config: ReportConfig;
  /** EventBridge Scheduler cron(…) or rate(…) expression, read in `config.timezone`. */
  readonly scheduleExpression: string;
}

/** The deploy file after validation, with every default resolved. */
export interface DeployConfig {
  /** Every report, in file order: the single form gives a list of one. */
  readonly reports: readonly ReportSettings[];
  /** `reports[0].config`: the report of the single form. */
  readonly report: ReportConfig;
  /** `reports[0].scheduleExpression`. */
  readonly scheduleExpression: string;
  /** Every report's `email.sender`, which a deployment requires and shares. */
  readonly sender: string;
  readonly alarmEmail?: string;
  readonly memoryMb: number;
  readonly ingestTimeoutSeconds: number;
  readonly reportTimeoutSeconds: number;
  readonly rejectedRetentionDays: number;
  readonly createSenderIdentity: boolean;
}

/**
 * How a path is named in messages: `reports.1` gains the id the file gives that report,
 * so a problem in the third of five reports says which one it is.
 */
function fieldName(path: readonly PropertyKey[], input: unknown): string {
  const field = path.map(String).join('.') || '(top level)';
  if (path[0] !== 'reports' || typeof path[1] !== 'number') return field;
  const listed = (input as { reports?: unknown }).reports;
  const entry = Array.isArray(listed) ? (listed[path[1]] as { reportId?: unknown }) : undefined;
  const id = entry !== null && typeof entry === 'object' ? entry.reportId : undefined;
  if (typeof id !== 'string') return field;
  return `reports.${path[1]} ("${id}")${path.length > 2 ? `.${path.slice(2).map(String).join('.')}` : ''}`;
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const field = fieldName(issue.path, input);
  switch (issue.code) {
    case 'invalid_type':
      return issue.message.includes('received undefined')
        ? `${field} is required`
        : `${field} must be a ${issue.expected}`;
    case 'unrecognized_keys':
      return `${field} has unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    case 'invalid_value':
      return `${field} must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return `${field} ${issue.message}`;
  }
}

/** The reports of a parsed file with the name each has in messages. */
interface NamedReport {
  config: ReportConfig;
  schedule: string | undefined;
  /** `report`, or `reports.<index> ("<id>")`. */
  label: string;
}

/** JSON with object keys sorted, to compare two mappings whatever their key order. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/**
 * What a deployment needs beyond the schema: a sender and recipients for every report,
 * one sender for the stack, distinct ids, and (the reports read the same exports) one
 * currency and one column mapping.
 */
function crossReportProblems(reports: readonly NamedReport[]): string[] {
  const problems: string[] = [];
  const first = reports[0] as NamedReport;
  const ids = new Map<string, string>();
  for (const { config, label } of reports) {
    const sender = config.email.sender;
    if (sender === undefined) {
      problems.push(
        `${label}.email.sender is required to deploy: the address the report is sent from, e.g. "reports@example.com" (it becomes an SES identity you verify by clicking the link AWS emails to it)`,
      );
    } else if (first.config.email.sender !== undefined && sender !== first.config.email.sender) {
      problems.push(
        `${label}.email.sender "${sender}" differs from ${first.label}.email.sender "${first.config.email.sender}": one deployment sends every report from one address`,
      );
    }
    if (config.email.recipients.length === 0) {
      problems.push(
        `${label}.email.recipients is empty: list at least one address, e.g. ["team@example.com"], or the scheduled report goes to nobody`,
      );
    }
    const earlier = ids.get(config.reportId);
    if (earlier !== undefined) {
      problems.push(
        `${label}.reportId "${config.reportId}" is already the id of ${earlier}: every report needs its own id (it keys the report's snapshots and its reports/<id>/ folder)`,
      );
    } else {
      ids.set(config.reportId, label);
    }
    if (config === first.config) continue;
    if (config.currency !== first.config.currency) {
      problems.push(
        `${label}.currency "${config.currency}" differs from ${first.label}.currency "${first.config.currency}": the reports read the same exports, whose amounts are in one currency`,
      );
    }
    if (canonicalJson(config.columns) !== canonicalJson(first.config.columns)) {
      problems.push(
        `${label}.columns differs from ${first.label}.columns: the reports read the same exports, so give every report the same column mapping`,
      );
    }
  }
  return problems;
}

/** Validate a parsed deploy file; `source` names the file in every error message. */
export function parseDeployConfig(input: unknown, source: string): DeployConfig {
  const refuse = (problems: readonly string[]): never => {
    throw new DeployConfigError(
      `${source} is not a valid deploy configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  };
  const result = DeployFileSchema.safeParse(input);
  if (!result.success) refuse(result.error.issues.map((issue) => describeIssue(issue, input)));
  const { report, reports, deploy } = (result as { data: z.output<typeof DeployFileSchema> }).data;

  let named: NamedReport[];
  if (report !== undefined && reports !== undefined) {
    return refuse([
      'has both "report" and "reports": use "report" for one report, or list every report under "reports"',
    ]);
  } else if (reports !== undefined) {
    if (deploy.schedule.expression !== undefined) {
      refuse([
        'deploy.schedule.expression is for the single "report" form: with "reports", give each report its own "schedule"',
      ]);
    }
    named = reports.map(({ schedule, ...config }, i) => ({
      config,
      schedule,
      label: `reports.${i} ("${config.reportId}")`,
    }));
  } else if (report !== undefined) {
    named = [{ config: report, schedule: deploy.schedule.expression, label: 'report' }];
  } else {
    return refuse([
      'report is required: the report to deploy, { "report": { … } }, or several, { "reports": [ { … }, { … } ] }',
    ]);
  }

  const problems = crossReportProblems(named);
  if (problems.length > 0) refuse(problems);
  const settings = named.map(({ config, schedule }) => ({
    config,
    scheduleExpression: schedule ?? defaultScheduleExpression(config.period),
  }));
  const first = settings[0] as ReportSettings;
  return {
    reports: settings,
    report: first.config,
    scheduleExpression: first.scheduleExpression,
    // Checked above: every report has this sender.
    sender: first.config.email.sender as string,
    ...(deploy.alarmEmail === undefined ? {} : { alarmEmail: deploy.alarmEmail }),
    memoryMb: deploy.memoryMb,
    ingestTimeoutSeconds: deploy.timeoutSeconds ?? 900,
    reportTimeoutSeconds: deploy.timeoutSeconds ?? 300,
    rejectedRetentionDays: deploy.rejectedRetentionDays,
    createSenderIdentity: deploy.createSenderIdentity,
  };
}

/** Read and validate a deploy file. */
export function loadDeployConfig(file: string): DeployConfig {
  const name = relative(process.cwd(), file) || file;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new DeployConfigError(
      `cannot read the deploy configuration ${name}: copy ${EXAMPLE_CONFIG_FILE} to ${CONFIG_FILE} and edit it`,
      { cause: error },
    );
  }
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new DeployConfigError(`${name} is not valid JSON: ${detail}`, { cause: error });
  }
  return parseDeployConfig(input, name);
}

/**
 * Which file to deploy: the `-c config=<path>` context value (relative to the working
 * directory), else `report.config.json` at the repository root, else the committed example.
 */
export function resolveConfigPath(repoRoot: string, contextValue?: unknown): string {
  if (contextValue !== undefined) {
    if (typeof contextValue !== 'string' || contextValue.trim() === '') {
      throw new DeployConfigError(
        `the "config" context value must be a file path, e.g. -c config=report.config.json (got ${JSON.stringify(contextValue)})`,
      );
    }
    return isAbsolute(contextValue) ? contextValue : resolve(contextValue);
  }
  const own = join(repoRoot, CONFIG_FILE);
  return existsSync(own) ? own : join(repoRoot, EXAMPLE_CONFIG_FILE);
}
