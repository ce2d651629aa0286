/**
 * What the command-line entry points share: where they write, and the error that means
 * "the user asked for something wrong" (exit code 2, one line on stderr).
 */
import { parseArgs } from 'node:util';

export interface CliIo {
  /** One line for stdout (no trailing newline). */
  out(line: string): void;
  /** Text for stderr, written as is (progress lines use `\r`). */
  err(text: string): void;
  /** Whether stderr is a terminal (progress is shown by default only then). */
  errIsTTY: boolean;
  /** The clock, so that "the last complete period" can be tested. */
  now(): number;
}

export const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (text) => process.stderr.write(text),
  errIsTTY: Boolean(process.stderr.isTTY),
  now: () => Date.now(),
};

/** A mistake in how the command was called or in what it was pointed at: exit code 2. */
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UsageError';
  }
}

/** The first line of an error's message, for a one-line report on stderr. */
export function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]?.trim() ?? '';
}

type ParseArgsConfig = NonNullable<Parameters<typeof parseArgs>[0]>;
type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * `parseArgs` in strict mode, with its errors (unknown flag, missing value, stray
 * argument) turned into a UsageError that names the command's `--help`.
 */
export function parseStrict<O extends Options>(argv: string[], options: O, command: string) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false });
  } catch (error) {
    throw new UsageError(`${oneLine(error)} (see ${command} --help)`, { cause: error });
  }
}

/** A flag's value as a number, or a UsageError naming the flag and what it got. */
export function numberFlag(
  name: string,
  value: string | undefined,
  check: { integer?: boolean; min?: number; exclusiveMin?: number } = {},
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  const ok =
    value.trim() !== '' &&
    Number.isFinite(n) &&
    (!check.integer || Number.isInteger(n)) &&
    (check.min === undefined || n >= check.min) &&
    (check.exclusiveMin === undefined || n > check.exclusiveMin);
  if (!ok) {
    const what = check.integer ? 'a whole number' : 'a number';
    const bound =
      check.min !== undefined
        ? ` ≥ ${check.min}`
        : check.exclusiveMin !== undefined
          ? ` > ${check.exclusiveMin}`
          : '';
    throw new UsageError(`--${name} must be ${what}${bound}, got "${value}"`);
  }
  return n;
}
