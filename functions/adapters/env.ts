/**
 * The Lambda environment, read and validated in one place. Every variable is set by the
 * stack; a missing or malformed one is a deployment bug, so the error names the variable
 * and what it should hold. The report configuration itself is not in the environment (it
 * outgrows Lambda's 4 KB): the variables say where the deploy stored it, and the runtime
 * reads it from there once per container (functions/adapters/report-config.ts).
 */

import type { ReportConfig } from '../core/config';
import { emailAddressProblem } from '../core/report/address';
import { REPORT_CONFIG_ENV, type ReportConfigLocation } from './report-config';

/** What the variables say. */
export interface LambdaEnv {
  bucketName: string;
  tableName: string;
  sender: string;
  /** Where the deploy stored the report configuration. */
  reportConfig: ReportConfigLocation;
}

/** What the handlers run with: the variables, and the report configuration they point to. */
export interface RuntimeEnv {
  bucketName: string;
  tableName: string;
  /** The first report (the only one, in a deployment of one). */
  config: ReportConfig;
  /**
   * Every report of the deployment, `config` first; each has its schedule.
   * @default - `[config]`
   */
  reports?: readonly ReportConfig[];
  sender: string;
}

/** The deployment's reports: `env.reports`, or the one `env.config`. */
export function reportsOf(env: RuntimeEnv): readonly ReportConfig[] {
  return env.reports ?? [env.config];
}

export class EnvError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EnvError';
  }
}

type Source = Record<string, string | undefined>;

/** A non-empty variable, or an EnvError naming it. */
export function requireVar(source: Source, name: string, what: string): string {
  const value = source[name]?.trim();
  if (!value) throw new EnvError(`environment variable ${name} is missing: it should hold ${what}`);
  return value;
}

/**
 * Reads BUCKET_NAME, TABLE_NAME, SENDER and the location of the report configuration
 * (REPORT_CONFIG_BUCKET, REPORT_CONFIG_KEY, REPORT_CONFIG_SHA256).
 */
export function readEnv(source: Source = process.env): LambdaEnv {
  const bucketName = requireVar(source, 'BUCKET_NAME', 'the name of the exports bucket');
  const tableName = requireVar(source, 'TABLE_NAME', 'the name of the snapshots table');
  const sender = requireVar(source, 'SENDER', 'the verified SES sender address');
  const reportConfig = {
    bucket: requireVar(
      source,
      REPORT_CONFIG_ENV.bucket,
      'the bucket the deploy stored the report configuration in',
    ),
    key: requireVar(source, REPORT_CONFIG_ENV.key, 'the S3 key of the report configuration'),
    sha256: requireVar(
      source,
      REPORT_CONFIG_ENV.sha256,
      'the SHA-256 of the stored report configuration',
    ),
  };
  if (!/^[0-9a-f]{64}$/.test(reportConfig.sha256)) {
    throw new EnvError(
      `environment variable ${REPORT_CONFIG_ENV.sha256} must be 64 lower-case hex digits (got "${reportConfig.sha256}")`,
    );
  }
  const problem = emailAddressProblem(sender);
  if (problem) {
    throw new EnvError(`environment variable SENDER is not an email address: ${problem}`);
  }
  return { bucketName, tableName, sender, reportConfig };
}
