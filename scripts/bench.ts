/**
 * Engine throughput: `npm run bench -- [--rows <millions>] [--periods <n>] [--gzip]
 * [--render] [--models]`.
 *
 * Writes N million seeded `events` rows (default 2) as a CSV file in a temporary folder,
 * then runs `computeSnapshots` on it for the week 2026-W47 (and the weeks before it, as
 * the report asks for) in a fresh Node process, so that the peak resident memory printed
 * is the engine's and not the generator's. Prints rows, bytes, seconds, rows/s, MB/s and
 * peak RSS. `--render` and `--models` also run scripts/bench-render.ts and
 * scripts/bench-models.ts.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';
import { parseConfig } from '../functions/core/config';
import { computeSnapshots } from '../functions/core/engine';
import type { ExportFile } from '../functions/core/sources';
import { parsePeriodKey, shiftPeriod } from '../functions/core/time/periods';
import { numberFlag, oneLine, parseStrict, UsageError } from './cli/io';
import { Rng } from './sample/prng';
import { openRowWriter } from './sample/writer';

const USAGE = `Usage: npm run bench -- [options]

Times the metric engine on a generated events export (seeded: the same rows every run).

Options:
  --rows <millions>  events rows to generate, in millions (default 2)
  --periods <n>      weeks computed in the one pass, ending with 2026-W47 (default 2: the
                     week and the one before, as a report needs; 13 = with trend charts)
  --gzip             also time the same rows as .csv.gz
  --render           also run scripts/bench-render.ts (the email render)
  --models           also run scripts/bench-models.ts (the CLV models)
  --keep             keep the generated file and print its path
  --help             show this help
`;

const PROJECT = fileURLToPath(new URL('..', import.meta.url));
const WEEK = '2026-W47';
/** The data covers six weeks, W42–W47 in UTC: MAU looks 30 days back from a week's end. */
const DATA_START = Date.UTC(2026, 9, 12);
const DATA_END = Date.UTC(2026, 10, 23);

const EVENT_TYPES: readonly (readonly [string, number])[] = [
  ['page_view', 55],
  ['feature_used', 22],
  ['login', 9],
  ['report_shared', 4],
  ['export_created', 3.5],
  ['invite_sent', 2],
  ['purchase', 1.5],
  ['integration_connected', 1],
  ['onboarding_completed', 2],
];
const FEATURES = ['dashboards', 'reports', 'automations', 'integrations', 'exports', 'api'];
const PAGES = ['/dashboard', '/reports', '/automations', '/settings', '/billing', '/templates'];
const COLUMNS = [
  'user_id',
  'occurred_at',
  'event_type',
  'event_id',
  'feature',
  'page',
  'session_id',
];

/**
 * `rows` events in time order over the six weeks, from a user base of rows / 40 users whose
 * activity is skewed (a few heavy users, many light ones), in sessions of a few events.
 */
async function writeEvents(path: string, rows: number): Promise<void> {
  const rng = new Rng(2026);
  const users = Math.max(100, Math.round(rows / 40));
  const cumulative: number[] = [];
  let total = 0;
  for (const [, w] of EVENT_TYPES) {
    total += w;
    cumulative.push(total);
  }
  const pickType = (): string => {
    const x = rng.next() * total;
    const i = cumulative.findIndex((c) => x < c);
    return (EVENT_TYPES[i] ?? EVENT_TYPES[0])?.[0] as string;
  };
  const writer = openRowWriter(path, COLUMNS, 'csv');
  const step = (DATA_END - DATA_START) / rows;
  let session = 0;
  let sessionLeft = 0;
  let user = '';
  for (let i = 0; i < rows; i++) {
    if (sessionLeft === 0) {
      session++;
      sessionLeft = 1 + rng.int(0, 8);
      // u^3 favours low ids: the heavy users.
      user = `usr_${String(Math.floor(rng.next() ** 3 * users)).padStart(7, '0')}`;
    }
    sessionLeft--;
    const type = pickType();
    const at = new Date(DATA_START + Math.floor(i * step + rng.next() * step)).toISOString();
    const pending = writer.write([
      user,
      at,
      type,
      `evt_${i + 1}`,
      type === 'feature_used' ? FEATURES[rng.int(0, FEATURES.length - 1)] : '',
      type === 'page_view' ? PAGES[rng.int(0, PAGES.length - 1)] : '',
      `ses_${session}`,
    ]);
    if (pending) await pending;
  }
  await writer.close();
}

interface Measurement {
  rows: number;
  rejected: number;
  bytes: number;
  seconds: number;
  maxRssMb: number;
  wau: number | null;
}

/** Runs in the child process: the engine on one file, with nothing else in memory. */
async function measure(path: string, periods: number): Promise<Measurement> {
  const config = parseConfig({});
  const week = parsePeriodKey(WEEK, config.timezone);
  const file: ExportFile = {
    dataset: 'events',
    key: path,
    open: async () => createReadStream(path, { highWaterMark: 1 << 20 }),
  };
  let rows = 0;
  let rejected = 0;
  const started = performance.now();
  const { snapshots } = await computeSnapshots({
    files: [file],
    config,
    periods: Array.from({ length: periods }, (_, i) => shiftPeriod(week, i - periods + 1)),
    onReject: () => {
      rejected++;
    },
    onProgress: (p) => {
      rows += p.rows;
    },
  });
  const seconds = (performance.now() - started) / 1000;
  return {
    rows,
    rejected,
    bytes: (await stat(path)).size,
    seconds,
    // resourceUsage reports kilobytes.
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    wau: snapshots[snapshots.length - 1]?.metrics.wau?.value ?? null,
  };
}

function runChild(path: string, periods: number): Measurement {
  const child = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      fileURLToPath(import.meta.url),
      '--measure',
      path,
      '--periods',
      String(periods),
    ],
    { cwd: PROJECT, encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  if (child.status !== 0) throw new Error(`the engine run failed: ${child.stderr.trim()}`);
  return JSON.parse(child.stdout) as Measurement;
}

function runScript(script: string): void {
  console.log(`\n$ npx tsx ${script}`);
  const child = spawnSync(process.execPath, ['--import', 'tsx', script], {
    cwd: PROJECT,
    stdio: 'inherit',
  });
  if (child.status !== 0) throw new Error(`${script} exited with ${child.status}`);
}

const mb = (bytes: number) => bytes / 1024 / 1024;

function printMeasurement(
  label: string,
  m: Measurement,
  fileBytes: number,
  csvBytes: number,
): void {
  console.log(
    [
      `${label}:`,
      `  rows        ${m.rows.toLocaleString('en-US')} (${m.rejected} rejected)`,
      `  bytes       ${fileBytes.toLocaleString('en-US')} (${mb(fileBytes).toFixed(1)} MB on disk)`,
      `  seconds     ${m.seconds.toFixed(2)}`,
      `  rows/s      ${Math.round(m.rows / m.seconds).toLocaleString('en-US')}`,
      // Of CSV text, so the plain and gzip'd runs compare.
      `  MB/s        ${(mb(csvBytes) / m.seconds).toFixed(1)} (of CSV text)`,
      `  peak RSS    ${m.maxRssMb.toFixed(0)} MB`,
      `  WAU ${WEEK}  ${m.wau ?? 'null'}`,
    ].join('\n'),
  );
}

const OPTIONS = {
  rows: { type: 'string' },
  periods: { type: 'string' },
  gzip: { type: 'boolean' },
  render: { type: 'boolean' },
  models: { type: 'boolean' },
  keep: { type: 'boolean' },
  measure: { type: 'string' },
  help: { type: 'boolean' },
} as const;

async function main(argv: string[]): Promise<number> {
  const { values } = parseStrict(argv, OPTIONS, 'npm run bench --');
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const periods = numberFlag('periods', values.periods, { integer: true, min: 1 }) ?? 2;
  if (values.measure) {
    process.stdout.write(JSON.stringify(await measure(values.measure, periods)));
    return 0;
  }
  const millions = numberFlag('rows', values.rows, { exclusiveMin: 0 }) ?? 2;
  const rows = Math.round(millions * 1_000_000);

  const dir = await mkdtemp(join(tmpdir(), 'bench-events-'));
  try {
    const csv = join(dir, 'events.csv');
    let t0 = performance.now();
    await writeEvents(csv, rows);
    const csvBytes = (await stat(csv)).size;
    console.log(
      `Generated ${rows.toLocaleString('en-US')} events rows (${mb(csvBytes).toFixed(1)} MB) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    console.log(
      `Node ${process.version}; computeSnapshots for ${periods} week(s) ending ${WEEK}, in a fresh process\n`,
    );
    printMeasurement('events.csv', runChild(csv, periods), csvBytes, csvBytes);
    if (values.gzip) {
      const gz = join(dir, 'events.csv.gz');
      t0 = performance.now();
      await pipeline(createReadStream(csv), createGzip(), createWriteStream(gz));
      const gzBytes = (await stat(gz)).size;
      console.log(`\n(gzip'd in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
      printMeasurement('events.csv.gz', runChild(gz, periods), gzBytes, csvBytes);
    }
    if (values.keep) console.log(`\nKept ${dir}`);
  } finally {
    if (!values.keep) await rm(dir, { recursive: true, force: true });
  }
  if (values.render) runScript('scripts/bench-render.ts');
  if (values.models) runScript('scripts/bench-models.ts');
  return 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  console.error(`bench: ${oneLine(error)}`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
}
