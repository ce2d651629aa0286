/**
 * `npm run sample -- --out <dir> [--seed N] [--months N] …`: argument parsing apart from
 * the work, so that both can be tested.
 */
import { type CliIo, numberFlag, oneLine, parseStrict, UsageError } from '../cli/io';
import { generateSample, SAMPLE_DEFAULTS, SampleError, type SampleOptions } from './generate';

export const SAMPLE_USAGE = `Usage: npm run sample -- --out <dir> [options]

Writes sample exports of a fictional subscription business (all ten datasets) into <dir>.
The same options always give the same bytes.

Options:
  --out <dir>          folder to write <dataset>.csv files into (created if missing)
  --seed <n>           random seed, an integer (default 42)
  --start <date>       first day of data, YYYY-MM-DD (default ${SAMPLE_DEFAULTS.start})
  --months <n>         months of data from --start (default ${SAMPLE_DEFAULTS.months})
  --until <date>       data stops before this day even if --months reaches further
                       (default ${SAMPLE_DEFAULTS.until})
  --timezone <IANA>    the business's time zone (default ${SAMPLE_DEFAULTS.timezone})
  --customers <n>      customers who sign up over the range (default ${SAMPLE_DEFAULTS.customers})
  --scale <x>          multiplies product activity (sessions, events) (default 1)
  --format <csv|jsonl> file format (default csv)
  --help               show this help
`;

const OPTIONS = {
  out: { type: 'string' },
  seed: { type: 'string' },
  start: { type: 'string' },
  months: { type: 'string' },
  until: { type: 'string' },
  timezone: { type: 'string' },
  customers: { type: 'string' },
  scale: { type: 'string' },
  format: { type: 'string' },
  help: { type: 'boolean' },
} as const;

/** Options for `generateSample` from the command line, or `'help'`. Throws UsageError. */
export function parseSampleArgs(argv: string[]): SampleOptions | 'help' {
  const { values } = parseStrict(argv, OPTIONS, 'npm run sample --');
  if (values.help) return 'help';
  if (!values.out) throw new UsageError('--out <dir> is required (see npm run sample -- --help)');
  const format = values.format ?? 'csv';
  if (format !== 'csv' && format !== 'jsonl') {
    throw new UsageError(`--format must be csv or jsonl, got "${format}"`);
  }
  const options: SampleOptions = {
    seed: numberFlag('seed', values.seed, { integer: true }) ?? 42,
    outDir: values.out,
    format,
  };
  const months = numberFlag('months', values.months, { integer: true, min: 1 });
  const customers = numberFlag('customers', values.customers, { integer: true, min: 1 });
  const scale = numberFlag('scale', values.scale, { exclusiveMin: 0 });
  if (months !== undefined) options.months = months;
  if (customers !== undefined) options.customers = customers;
  if (scale !== undefined) options.scale = scale;
  if (values.start !== undefined) options.start = values.start;
  if (values.until !== undefined) options.until = values.until;
  if (values.timezone !== undefined) options.timezone = values.timezone;
  return options;
}

/** Runs the sample command; resolves with the exit code. */
export async function sampleMain(argv: string[], io: CliIo): Promise<number> {
  let options: SampleOptions | 'help';
  try {
    options = parseSampleArgs(argv);
  } catch (error) {
    io.err(`sample: ${oneLine(error)}\n`);
    return 2;
  }
  if (options === 'help') {
    io.out(SAMPLE_USAGE);
    return 0;
  }
  const started = io.now();
  try {
    const result = await generateSample(options);
    for (const file of result.files) io.out(`${file.path}  ${file.rows} rows`);
    const seconds = ((io.now() - started) / 1000).toFixed(1);
    io.out(`sample data from ${result.start} to ${result.end} (exclusive) written in ${seconds} s`);
    return 0;
  } catch (error) {
    io.err(`sample: ${oneLine(error)}\n`);
    return error instanceof SampleError ? 2 : 1;
  }
}
