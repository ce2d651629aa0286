/**
 * The Lambda environment, read and validated in one place. Every variable is set by the
 * stack; a missing or malformed one is a deployment bug, so the error names the variable
 * and what it should hold.
 */
import { z } from 'zod';
import { ConfigError, parseConfig, type ReportConfig } from '../core/config';

export interface RuntimeEnv {
  bucketName: string;
  tableName: string;
  config: ReportConfig;
  sender: string;
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

const Email = z.email();

/** Reads BUCKET_NAME, TABLE_NAME, REPORT_CONFIG and SENDER. */
export function readEnv(source: Source = process.env): RuntimeEnv {
  const bucketName = requireVar(source, 'BUCKET_NAME', 'the name of the exports bucket');
  const tableName = requireVar(source, 'TABLE_NAME', 'the name of the snapshots table');
  const rawConfig = requireVar(source, 'REPORT_CONFIG', 'the report configuration as JSON');
  const sender = requireVar(source, 'SENDER', 'the verified SES sender address');

  let json: unknown;
  try {
    json = JSON.parse(rawConfig);
  } catch (error) {
    throw new EnvError('environment variable REPORT_CONFIG is not valid JSON', { cause: error });
  }
  let config: ReportConfig;
  try {
    config = parseConfig(json);
  } catch (error) {
    const detail = error instanceof ConfigError ? error.message : String(error);
    throw new EnvError(
      `environment variable REPORT_CONFIG is not a valid report configuration: ${detail}`,
      {
        cause: error,
      },
    );
  }
  if (!Email.safeParse(sender).success) {
    throw new EnvError(`environment variable SENDER is not an email address: "${sender}"`);
  }
  return { bucketName, tableName, config, sender };
}
