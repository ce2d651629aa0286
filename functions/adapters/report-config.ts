/**
 * The report configuration as the deploy stores it and the functions read it back: one JSON
 * object in S3, written by `cdk deploy` (infra/constructs/report-config.ts), whose location
 * and SHA-256 are the functions' only configuration variables. A Lambda environment holds
 * 4 KB in all; a column mapping for ten datasets outgrows that, an S3 object does not.
 *
 * Both sides use the same bytes and the same schema: the stack serialises the validated
 * config with `encodeReportConfig` and checks that `parseConfig` accepts it back; a cold
 * start reads the object once, checks its SHA-256 against the variable (so an object
 * edited or replaced after the deploy is refused rather than half-trusted), and validates it
 * with `parseConfig` again. The key contains a hash of the content, so a changed config is a
 * new object and a changed variable, and Lambda replaces every warm container on a change
 * of its environment.
 */
import { createHash } from 'node:crypto';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ConfigError, parseReports, type ReportConfig } from '../core/config';

/** The environment variables, by what they hold. */
export const REPORT_CONFIG_ENV = {
  bucket: 'REPORT_CONFIG_BUCKET',
  key: 'REPORT_CONFIG_KEY',
  /** Lower-case hex SHA-256 of the object's bytes. */
  sha256: 'REPORT_CONFIG_SHA256',
} as const;

/** Where the deploy wrote the config, and the SHA-256 of what it wrote. */
export interface ReportConfigLocation {
  bucket: string;
  key: string;
  sha256: string;
}

export class StoredConfigError extends Error {
  /** `s3://<bucket>/<key>` of the object. */
  readonly location: string;

  constructor(location: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoredConfigError';
    this.location = location;
  }
}

export function sha256Hex(bytes: string | Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The object's text (indented, so a person reading it in the console can) and its SHA-256. */
export function encodeReportConfig(config: ReportConfig): { body: string; sha256: string } {
  const body = `${JSON.stringify(config, null, 2)}\n`;
  return { body, sha256: sha256Hex(body) };
}

/**
 * The stored text of a deployment's reports: one report is stored as `encodeReportConfig`
 * stores it (so a deployment of one report keeps its object, and its key, byte for byte);
 * several as `{ "reports": [ … ] }`, which `parseReports` reads back.
 */
export function encodeReportConfigs(configs: readonly ReportConfig[]): {
  body: string;
  sha256: string;
} {
  if (configs.length === 1) return encodeReportConfig(configs[0] as ReportConfig);
  const body = `${JSON.stringify({ reports: configs }, null, 2)}\n`;
  return { body, sha256: sha256Hex(body) };
}

/** The variables that point a function at a stored config. */
export function reportConfigEnvironment(location: ReportConfigLocation): Record<string, string> {
  return {
    [REPORT_CONFIG_ENV.bucket]: location.bucket,
    [REPORT_CONFIG_ENV.key]: location.key,
    [REPORT_CONFIG_ENV.sha256]: location.sha256,
  };
}

export function describeLocation(location: ReportConfigLocation): string {
  return `s3://${location.bucket}/${location.key}`;
}

/** What to do about a failed read, by the S3 error's name. */
function readHint(name: string): string {
  switch (name) {
    case 'NoSuchKey':
      return 'the object does not exist; `cdk deploy` uploads it with the stack, so deploy again';
    case 'AccessDenied':
      return (
        'the function may read only the object the deploy wrote; S3 also answers AccessDenied ' +
        'for a missing object to a role that cannot list the bucket, so deploy again'
      );
    default:
      return 'the read failed after retries';
  }
}

/**
 * Reads, checks and validates the stored config: every report of the deployment, in the
 * deploy file's order. Every failure is a StoredConfigError that names the object and says
 * what is wrong with it.
 */
export async function loadReportConfigs(
  s3: S3Client,
  location: ReportConfigLocation,
): Promise<ReportConfig[]> {
  const where = describeLocation(location);
  let bytes: Uint8Array;
  try {
    const response = await s3.send(
      new GetObjectCommand({ Bucket: location.bucket, Key: location.key }),
    );
    if (!response.Body) throw new Error('the response has no body');
    bytes = await response.Body.transformToByteArray();
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    const detail = error instanceof Error ? error.message : String(error);
    throw new StoredConfigError(
      where,
      `cannot read the report configuration ${where} (${name}: ${detail}): ${readHint(name)}`,
      { cause: error },
    );
  }

  const actual = sha256Hex(bytes);
  if (actual !== location.sha256) {
    throw new StoredConfigError(
      where,
      `the report configuration ${where} has SHA-256 ${actual}, but ${REPORT_CONFIG_ENV.sha256} ` +
        `is ${location.sha256}: the object was changed after the deploy; change report.config.json and deploy instead`,
    );
  }

  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new StoredConfigError(
      where,
      `the report configuration ${where} is not valid JSON: ${detail}`,
      { cause: error },
    );
  }

  try {
    return parseReports(json);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // parseConfig's message starts with its own "invalid configuration: "; the issues follow.
    const issues = error.message.replace(/^invalid configuration: /, '');
    throw new StoredConfigError(
      where,
      `the report configuration ${where} is not a valid report configuration: ${issues}`,
      { cause: error },
    );
  }
}

/** `loadReportConfigs` for a deployment of one report; several are a StoredConfigError. */
export async function loadReportConfig(
  s3: S3Client,
  location: ReportConfigLocation,
): Promise<ReportConfig> {
  const reports = await loadReportConfigs(s3, location);
  if (reports.length !== 1) {
    throw new StoredConfigError(
      describeLocation(location),
      `the report configuration ${describeLocation(location)} holds ${reports.length} reports where one was expected`,
    );
  }
  return reports[0] as ReportConfig;
}
