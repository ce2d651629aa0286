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
    activity: z
      .object({
        /** @default - `subscriptions` when that dataset has files, else `orders`. */
        mode: z.enum(['subscriptions', 'orders']).optional(),
        activeWindowDays: z.number().int().positive().default(90),
      })
      .prefault({}),
    events: z
      .object({
        conversion: z.array(z.string().min(1)).default(['purchase']),
        onboarding: z.string().min(1).default('onboarding_completed'),
        /** Empty: `core_action_rate` is null until configured. */
        coreActions: z.array(z.string().min(1)).default([]),
        feature: z.string().min(1).default('feature_used'),
      })
      .prefault({}),
    clv: z
      .object({
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
    email: z
      .object({
        /** Bare addresses (see `emailAddressProblem` for what is accepted). */
        recipients: z.array(EmailAddress).default([]),
        sender: EmailAddress.optional(),
        /** Metric ids shown in the headline row, in order. */
        headline: z
          .array(z.string())
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
