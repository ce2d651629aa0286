/**
 * `npm run demo:local`: the whole product on one machine in one command. Generates the
 * seeded sample exports, runs the local report on the last complete week of the sample,
 * and prints the headline numbers and where the report is.
 */
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lastCompletePeriod } from '../../functions/core/time/periods';
import { generateSample } from '../sample/generate';
import { type CliIo, numberFlag, oneLine, parseStrict, UsageError } from './io';
import { runLocalReport, summaryLines } from './report';

export const DEMO_USAGE = `Usage: npm run demo:local [-- options]

Generates sample exports of a fictional subscription business into out/sample/ (the same
seed always gives the same files), computes the report of the sample's last complete week
into out/report/, and prints the headline numbers. Needs no AWS and no network.

Options:
  --seed <n>     random seed of the sample, an integer (default 42)
  --out <dir>    folder for sample/ and report/ (default out/ in the project)
  --help         show this help
`;

const OPTIONS = {
  seed: { type: 'string' },
  out: { type: 'string' },
  help: { type: 'boolean' },
} as const;

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The demo's report configuration: weekly, New York, core actions of the sample product. */
export const DEMO_CONFIG = join(PROJECT_ROOT, 'scripts', 'sample', 'report.config.json');

/** Runs the demo; resolves with the exit code. */
export async function demoMain(argv: string[], io: CliIo): Promise<number> {
  let seed: number;
  let outRoot: string;
  try {
    const { values } = parseStrict(argv, OPTIONS, 'npm run demo:local --');
    if (values.help) {
      io.out(DEMO_USAGE);
      return 0;
    }
    seed = numberFlag('seed', values.seed, { integer: true }) ?? 42;
    outRoot = values.out ?? join(PROJECT_ROOT, 'out');
  } catch (error) {
    io.err(`demo: ${oneLine(error)}\n`);
    return 2;
  }
  const show = (path: string) => relative(process.cwd(), path) || '.';
  const sampleDir = join(outRoot, 'sample');
  const reportDir = join(outRoot, 'report');

  try {
    const started = io.now();
    io.out(`Generating the sample exports (seed ${seed}) into ${show(sampleDir)}/ …`);
    const sample = await generateSample({ seed, outDir: sampleDir });
    const rows = sample.files.reduce((sum, f) => sum + f.rows, 0);
    io.out(
      `  ${sample.files.length} datasets, ${rows.toLocaleString('en-US')} rows, local days ${sample.start} to ${sample.end} (exclusive), ${((io.now() - started) / 1000).toFixed(1)} s`,
    );

    // The sample's "today" is the end of its data: the week reported is its last whole week,
    // whatever this machine's clock says.
    const period = lastCompletePeriod(sample.endInstant, 'week', sample.timezone);
    io.out(`Computing the report of ${period.key} into ${show(reportDir)}/ …`);
    const result = await runLocalReport(
      {
        data: sampleDir,
        out: reportDir,
        period: period.key,
        timezone: sample.timezone,
        config: DEMO_CONFIG,
        progress: false,
      },
      io,
      { nowMs: sample.endInstant },
    );
    io.out('');
    for (const line of summaryLines(result, show)) io.out(line);
    io.out('');
    io.out(`Open ${show(result.files.html)} in a browser, or read ${show(result.files.text)}.`);
    return 0;
  } catch (error) {
    io.err(`demo: ${oneLine(error)}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
}
