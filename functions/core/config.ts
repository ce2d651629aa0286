/**
 * The report configuration: one validated object, read from a JSON file by the local
 * runner and from the deployed stack's settings by the Lambdas. The zod schema is the
 * single source of the type and of every default listed in METRICS.md.
 */
import { z } from 'zod';
import { METRIC_IDS } from './metrics/catalogue';
import { EmailAddress, hasControlCharacter } from './report/address';

export const DATASET_NAMES = [
  'customers',
  'subscriptions',
  'orders',
  'marketing_spend',
  'survey_responses',
  'events',
  'sessions',
  'tickets',
  'email_campaigns',
  'social',
] as const;
export const DatasetName = z.enum(DATASET_NAMES);
export type DatasetName = z.infer<typeof DatasetName>;

export const PERIOD_KINDS = ['week', 'month', 'quarter'] as const;
export const PeriodKind = z.enum(PERIOD_KINDS);
export type PeriodKind = z.infer<typeof PeriodKind>;

/** True when the runtime's Intl knows the IANA zone (e.g. `Europe/Berlin`). */
export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const TimeZone = z
  .string()
  .refine(isValidTimeZone, { message: 'is not a known IANA time zone (e.g. "Europe/Berlin")' });

const Currency = z
  .string()
  .regex(/^[A-Z]{3}$/, { message: 'must be a three-letter ISO 4217 code such as "USD"' });

/** Longest report name: it leads the subject, which should stay readable in a list. */
export const MAX_REPORT_NAME_LENGTH = 200;

/**
 * The report name goes into the Subject header: a line break there would start a header of
 * its own (`Bcc: …`), so control characters are refused here, where the user can fix them,
 * rather than stripped later. Non-ASCII is fine: the subject is RFC 2047-encoded.
 */
const ReportName = z
  .string()
  .refine((name) => name.trim() !== '', { message: 'must not be empty or only spaces' })
  .refine((name) => name.length <= MAX_REPORT_NAME_LENGTH, {
    message: `must be at most ${MAX_REPORT_NAME_LENGTH} characters (it starts the email subject)`,
  })
  .refine((name) => !hasControlCharacter(name), {
    message:
      'must not contain line breaks, tabs or other control characters (it goes into the email subject)',
  });

/**
 * Column mapping: `{ "<canonical>": "<column in your export>" }` applies to every dataset;
 * `{ "<dataset>": { "<canonical>": "<column>" } }` applies to one dataset and wins.
 */
const ColumnMap = z.record(z.string(), z.union([z.string(), z.record(z.string(), z.string())]));

/**
 * A threshold on one metric, in the metric's unit as the snapshot stores it: percentages
 * are 0..100 (`{ "above": 5 }` on `churn_rate` is 5 %), money is in the report currency.
 */
const Threshold = z
  .strictObject({
    above: z.number({ message: 'must be a number in the metric’s unit' }).optional(),
    below: z.number({ message: 'must be a number in the metric’s unit' }).optional(),
  })
  .refine((t) => t.above !== undefined || t.below !== undefined, {
    message: 'needs "above", "below" or both',
  })
  .refine((t) => t.above === undefined || t.below === undefined || t.below <= t.above, {
    message: '"below" must not be more than "above"',
  });

const KNOWN_METRICS = new Set(METRIC_IDS);

/** Digits after the decimal point of x as `String` writes it: 64.4 → 1, 1.5e-7 → 8. */
export function decimalPlaces(x: number): number {
  const [mantissa = '', exponent = '0'] = String(x).split('e');
  return Math.max(0, (mantissa.split('.')[1]?.length ?? 0) - Number(exponent));
}

/**
 * At most 6 decimal places: the at-risk rule compares these settings in whole millionths,
 * exactly (metrics/at-risk.ts), where a double would miss an equal value (100 − 64.4 is
 * 35.599999999999994).
 */
const MICRO_DECIMALS = { message: 'must have at most 6 decimal places' };
const atMostMicros = (x: number) => decimalPlaces(x) <= 6;

/** "What needs attention" at the top of the email, and the small-sample marker. */
const Flags = z
  .strictObject({
    /** `{ "churn_rate": { "above": 5 } }`: flag the metric when its value crosses a bound. */
    thresholds: z
      .record(z.string(), Threshold)
      .superRefine((thresholds, ctx) => {
        for (const id of Object.keys(thresholds)) {
          if (KNOWN_METRICS.has(id)) continue;
          ctx.addIssue({
            code: 'custom',
            path: [id],
            message: `is not a metric id; valid ids are ${METRIC_IDS.join(', ')}`,
          });
        }
      })
      .default({}),
    /**
     * Flag a value outside median ± k · 1.4826 · MAD of the same metric over its trailing
     * periods (the current one excluded).
     */
    anomaly: z
      .strictObject({
        enabled: z.boolean().default(true),
        k: z.number().gt(0, { message: 'must be more than 0 (3 is usual)' }).default(3),
        /** Trailing periods looked at; at most `email.trendPeriods` − 1 are loaded. */
        periods: z
          .number()
          .int({ message: 'must be a whole number' })
          .min(3, { message: 'must be at least 3' })
          .max(52, { message: 'must be at most 52' })
          .default(8),
        /** Fewer trailing values than this (new metric, gaps): no anomaly flag. */
        minPeriods: z
          .number()
          .int({ message: 'must be a whole number' })
          .min(3, { message: 'must be at least 3' })
          .default(6),
      })
      .refine((a) => a.minPeriods <= a.periods, {
        message: '"minPeriods" must not be more than "periods"',
      })
      .prefault({}),
    /** A rate from fewer observations than this shows its change uncoloured, with `n = …`. */
    minSample: z
      .number()
      .int({ message: 'must be a whole number' })
      .min(0, { message: 'must be 0 or more (0 turns the marker off)' })
      .default(30),
  })
  .prefault({});

/**
 * Segment breakdowns (METRICS.md "Segments"): the customer-base metrics of the reported
 * period per value of a customers column or of the customer's plan. Only the optional
 * canonical columns are accepted (the loader stores no other column of the customers
 * export); a column without values in the exports is left out of the email.
 */
export const SEGMENT_COLUMNS = ['segment', 'country', 'plan', 'acquisition_channel'] as const;
export type SegmentColumn = (typeof SEGMENT_COLUMNS)[number];
const Segments = z
  .strictObject({
    enabled: z.boolean().default(true),
    columns: z
      .array(
        z.enum(SEGMENT_COLUMNS, {
          message: `must be one of ${SEGMENT_COLUMNS.join(', ')} (the optional customers columns, or plan from subscriptions)`,
        }),
      )
      .max(SEGMENT_COLUMNS.length)
      .refine((cols) => new Set(cols).size === cols.length, { message: 'must not repeat a column' })
      .default([...SEGMENT_COLUMNS]),
    /** Values shown per column, largest first; the rest are one "other" row. */
    top: z
      .number()
      .int({ message: 'must be a whole number' })
      .min(1, { message: 'must be at least 1' })
      .max(20, { message: 'must be at most 20 (the email has to stay under 102 KB)' })
      .default(5),
  })
  .prefault({});

/** The dimensions a report can be restricted to (README "Several reports"). */
export const FILTER_KEYS = ['segment', 'country', 'acquisition_channel', 'plan'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];

/** Values of one filter dimension, compared exactly after trimming both sides. */
const FilterValues = z
  .array(
    z
      .string()
      .transform((value) => value.trim())
      .refine((value) => value !== '', { message: 'must not be empty or only spaces' }),
  )
  .min(1, { message: 'must list at least one value (leave the key out to keep every value)' });

/**
 * Restricts the report to some customers (functions/core/duck/filter.ts): those whose
 * `customers.segment`, `country` and `acquisition_channel` are among the listed values and,
 * with `plan`, who have a subscription on one of the listed plans. Several keys must all hold.
 */
const ReportFilter = z.strictObject({
  segment: FilterValues.optional(),
  country: FilterValues.optional(),
  acquisition_channel: FilterValues.optional(),
  plan: FilterValues.optional(),
});
export type ReportFilter = z.infer<typeof ReportFilter>;

/**
 * Config `slack`: post a short summary to a Slack-compatible incoming webhook after each
 * period's emails (and each revised re-send) went out. The webhook URL is a credential (who
 * holds it can post to the channel), so the config names the Secrets Manager secret whose
 * string value is the URL, never the URL itself; the deploy grants the functions
 * `secretsmanager:GetSecretValue` on that one secret.
 */
export const SlackWebhook = z.strictObject({
  /**
   * The secret's name (`engagement/slack-webhook`) or ARN. An ARN ending in a hyphen and six
   * characters is taken as complete (Secrets Manager's own suffix); a shorter one, or a name,
   * is granted with the `-??????` wildcard that stands for that suffix.
   */
  webhookSecret: z.union(
    [
      z.string().regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/),
      z
        .string()
        .regex(
          /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]{1,512}$/,
        ),
    ],
    {
      message:
        'must be the name (e.g. "engagement/slack-webhook") or ARN of the Secrets Manager secret holding the webhook URL, not the URL itself',
    },
  ),
});
export type SlackWebhook = z.infer<typeof SlackWebhook>;

export const ReportConfigSchema = z
  .object({
    /** Stable id of the report: DynamoDB partition, S3 `reports/<id>/` prefix. */
    reportId: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, {
        message: 'must be lower-case letters, digits and dashes, e.g. "weekly-engagement"',
      })
      .default('engagement'),
    /** Name shown in the email subject and header. */
    name: ReportName.default('Customer engagement'),
    timezone: TimeZone.default('UTC'),
    currency: Currency.default('USD'),
    /** Locale for number and date formatting in the email (BCP 47). */
    locale: z.string().default('en-US'),
    period: PeriodKind.default('week'),
    columns: ColumnMap.default({}),
    /** @default - every customer: no filter. */
    filter: ReportFilter.optional(),
    activity: z
      .strictObject({
        /** @default - `subscriptions` when that dataset has files, else `orders`. */
        mode: z.enum(['subscriptions', 'orders']).optional(),
        activeWindowDays: z.number().int().positive().default(90),
      })
      .prefault({}),
    events: z
      .strictObject({
        conversion: z.array(z.string().min(1)).default(['purchase']),
        onboarding: z.string().min(1).default('onboarding_completed'),
        /** Empty: `core_action_rate` is null until configured. */
        coreActions: z.array(z.string().min(1)).default([]),
        feature: z.string().min(1).default('feature_used'),
      })
      .prefault({}),
    clv: z
      .strictObject({
        grossMargin: z.number().gt(0).lte(1).default(1),
        /** @default - 12 for weeks, 6 for months, 4 for quarters. */
        trailingPeriods: z.number().int().positive().optional(),
        /** @default - 260 weeks, 60 months, 20 quarters. */
        maxLifetimePeriods: z.number().int().positive().optional(),
        /** BG/NBD + Gamma-Gamma CLV horizon in weeks. */
        horizonWeeks: z.number().int().positive().default(52),
        /** Annual discount rate for the model-based CLV (0.10 = 10 %). */
        annualDiscountRate: z.number().min(0).lt(1).default(0.1),
        /** Customers with P(alive) below this (and x > 0) count as at risk. */
        atRiskThreshold: z.number().gt(0).lt(1).default(0.5),
        /** How many at-risk customers to list in the snapshot and email. */
        atRiskListSize: z.number().int().min(0).max(100).default(10),
      })
      .prefault({}),
    /**
     * The at-risk signals (METRICS.md "At-risk customers and their reasons"): when a drop in
     * product activity counts, and how many subscribers at risk the snapshot lists.
     */
    atRisk: z
      .strictObject({
        /** Activity at least this % below the customer's own trailing average flags it. */
        activityDropPercent: z
          .number()
          .gt(0, { message: 'must be more than 0 (50 is a halving)' })
          .lte(100, { message: 'must be at most 100 (100: no activity at all)' })
          .refine(atMostMicros, MICRO_DECIMALS)
          .default(50),
        /** Periods before the reported one that make the customer's own average. */
        trailingPeriods: z
          .number()
          .int({ message: 'must be a whole number' })
          .min(1, { message: 'must be at least 1' })
          .max(26, { message: 'must be at most 26' })
          .default(4),
        /** A trailing average below this many events a period never flags (one-off users). */
        minTrailingEvents: z
          .number()
          .min(0, { message: 'must be 0 or more' })
          .max(1e9, { message: 'must be at most 1000000000' })
          .refine(atMostMicros, MICRO_DECIMALS)
          .default(3),
        /** Subscribers at risk listed in the snapshot (the email shows the first 10). */
        listSize: z
          .number()
          .int({ message: 'must be a whole number' })
          .min(0, { message: 'must be 0 or more' })
          .max(100, { message: 'must be at most 100 (a snapshot is one DynamoDB item)' })
          .default(10),
      })
      .prefault({}),
    email: z
      .strictObject({
        /** Bare addresses (see `emailAddressProblem` for what is accepted). */
        recipients: z.array(EmailAddress).default([]),
        sender: EmailAddress.optional(),
        /** Metric ids shown in the headline row, in order. */
        headline: z
          .array(z.string())
          .superRefine((ids, ctx) => {
            ids.forEach((id, k) => {
              if (KNOWN_METRICS.has(id)) return;
              ctx.addIssue({
                code: 'custom',
                path: [k],
                message: `"${id}" is not a metric id; valid ids are ${METRIC_IDS.join(', ')}`,
              });
            });
          })
          .default([
            'customers_end',
            'churn_rate',
            'retention_rate',
            'clv_predictive',
            'cac',
            'nps',
          ]),
        /** How many past periods the trend charts show. */
        trendPeriods: z.number().int().min(2).max(26).default(12),
        /** Attach the period's metrics as `metrics-<period>.csv`. */
        attachCsv: z.boolean().default(true),
        /**
         * What happens when late data changes the numbers of a period already emailed:
         * `send` emails a revised report (once per revision and recipient) listing the
         * changed metrics, `mark` only marks the stored snapshot revised.
         */
        revisions: z
          .strictObject({
            mode: z.enum(['send', 'mark'], { message: 'must be "send" or "mark"' }).default('send'),
            /**
             * A metric counts as changed when its value as the email shows it changes and
             * by at least this fraction of the old value (0.01: 1 %). A value appearing or
             * disappearing always counts. 0: any change the email shows.
             */
            minChange: z
              .number()
              .min(0, { message: 'must be 0 or more (a fraction: 0.01 is 1 %)' })
              .default(0),
          })
          .prefault({}),
      })
      .prefault({}),
    flags: Flags,
    segments: Segments,
    slack: SlackWebhook.optional(),
  })
  .strict();

export type ReportConfig = z.infer<typeof ReportConfigSchema>;
export type ReportConfigInput = z.input<typeof ReportConfigSchema>;

/** Parse a config object; throws a ConfigError with every problem in plain English. */
export function parseConfig(input: unknown): ReportConfig {
  const result = ReportConfigSchema.safeParse(input ?? {});
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'} ${issue.message}`,
    );
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  return result.data;
}

export class ConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConfigError';
  }
}

/** Defaults that depend on the period kind (METRICS.md "Configuration defaults"). */
export function clvPeriodDefaults(config: ReportConfig): {
  trailingPeriods: number;
  maxLifetimePeriods: number;
} {
  const byKind = {
    week: { trailingPeriods: 12, maxLifetimePeriods: 260 },
    month: { trailingPeriods: 6, maxLifetimePeriods: 60 },
    quarter: { trailingPeriods: 4, maxLifetimePeriods: 20 },
  } as const;
  const d = byKind[config.period];
  return {
    trailingPeriods: config.clv.trailingPeriods ?? d.trailingPeriods,
    maxLifetimePeriods: config.clv.maxLifetimePeriods ?? d.maxLifetimePeriods,
  };
}

/** The canonical → export column mapping for one dataset. */
export function columnMapFor(config: ReportConfig, dataset: DatasetName): Record<string, string> {
  const map: Record<string, string> = {};
  for (const [key, value] of Object.entries(config.columns)) {
    if (typeof value === 'string') map[key] = value;
  }
  const own = config.columns[dataset];
  if (own && typeof own === 'object') Object.assign(map, own);
  return map;
}

/**
 * The reports of one deployment as the functions and the local runner read them: a single
 * report config, or `{ "reports": [ … ] }` (what the deploy stores for several). Each is
 * parsed with `parseConfig`; ids must be distinct, since the id keys a report's snapshots,
 * sends and `reports/<id>/` copies. Throws a ConfigError naming the report at fault.
 */
export function parseReports(input: unknown): ReportConfig[] {
  const isList =
    input !== null && typeof input === 'object' && !Array.isArray(input) && 'reports' in input;
  if (!isList) return [parseConfig(input)];
  const { reports, ...rest } = input as { reports: unknown };
  const extra = Object.keys(rest);
  if (extra.length > 0) {
    throw new ConfigError(
      `invalid configuration: a list of reports has only "reports", found also ${extra.map((k) => `"${k}"`).join(', ')}`,
    );
  }
  if (!Array.isArray(reports) || reports.length === 0) {
    throw new ConfigError('invalid configuration: "reports" must be a list of at least one report');
  }
  const seen = new Set<string>();
  return reports.map((entry, i) => {
    let config: ReportConfig;
    try {
      config = parseConfig(entry);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      throw new ConfigError(
        error.message.replace(/^invalid configuration: /, `invalid configuration: reports.${i} `),
        {
          cause: error,
        },
      );
    }
    if (seen.has(config.reportId)) {
      throw new ConfigError(
        `invalid configuration: reports.${i} has the id "${config.reportId}" of an earlier report; every report needs its own id`,
      );
    }
    seen.add(config.reportId);
    return config;
  });
}

/** `reportId`s as a readable list: `"weekly", "monthly"`. */
export function listReportIds(reports: readonly ReportConfig[]): string {
  return reports.map((r) => `"${r.reportId}"`).join(', ');
}

/**
 * The report a request names, among the deployment's: `reportId` when given; without one,
 * the only report. Throws a ConfigError listing the ids when that does not pick one.
 */
export function selectReport(
  reports: readonly ReportConfig[],
  reportId: string | undefined,
): ReportConfig {
  if (reportId === undefined) {
    if (reports.length === 1) return reports[0] as ReportConfig;
    throw new ConfigError(
      `this deployment has ${reports.length} reports; name one with "reportId": ${listReportIds(reports)}`,
    );
  }
  const found = reports.find((r) => r.reportId === reportId);
  if (found) return found;
  if (reports.length === 1) {
    // One deployment of one report: a different id is a mistaken target, not a request to
    // compute something else.
    throw new ConfigError(
      `this function serves report "${(reports[0] as ReportConfig).reportId}", not "${reportId}"`,
    );
  }
  throw new ConfigError(
    `there is no report "${reportId}" in this deployment; its reports are ${listReportIds(reports)}`,
  );
}
