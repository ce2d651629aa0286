/**
 * Engine throughput: `npm run bench -- [--rows <millions>] [--periods <n>] [--gzip]
 * [--duckdb] [--render] [--models]`.
 *
 * Writes N million seeded `events` rows (default 2) as a CSV file in a temporary folder,
 * then runs `computeSnapshots` on it for the week 2026-W47 (and the weeks before it, as
 * the report asks for) in a fresh Node process, so that the peak resident memory printed
 * is the engine's and not the generator's. Prints rows, bytes, seconds, rows/s, MB/s and
 * peak RSS. `--duckdb` also runs the equivalent query in DuckDB on the same file, prints its
 * time next to the engine's and checks that its WAU, DAU and MAU equal the engine's.
 * `--render` and `--models` also run scripts/bench-render.ts and scripts/bench-models.ts.
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
import { tidy } from '../functions/core/metrics/values';
import type { ExportFile } from '../functions/core/sources';
import {
  addLocalDays,
  localDayNumber,
  type Period,
  parsePeriodKey,
  shiftPeriod,
  startOfLocalDayNumber,
} from '../functions/core/time/periods';
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
  --duckdb           also time DuckDB (2 threads) on the same CSV file and check that its
                     WAU, DAU and MAU of 2026-W47 equal the engine's (MATCH / MISMATCH)
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
  /** Of the last week, 2026-W47. */
  wau: number | null;
  dau: number | null;
  mau: number | null;
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
  const last = snapshots[snapshots.length - 1];
  return {
    rows,
    rejected,
    bytes: (await stat(path)).size,
    seconds,
    // resourceUsage reports kilobytes.
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    wau: last?.metrics.wau?.value ?? null,
    dau: last?.metrics.dau?.value ?? null,
    mau: last?.metrics.mau?.value ?? null,
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
      `  ${WEEK}    WAU ${m.wau ?? 'null'}, DAU ${m.dau ?? 'null'}, MAU ${m.mau ?? 'null'}`,
    ].join('\n'),
  );
}

interface DuckDbResult {
  seconds: number;
  startSeconds: number;
  wau: number;
  dau: number;
  mau: number;
  daily: number[];
}

/**
 * The week's instants as the engine counts them (METRICS.md): WAU over [start, end), DAU the
 * mean over its local days of each day's distinct users, MAU over [end − 30 local days, end).
 * Computed here with the same zone helpers, so the SQL only compares epoch milliseconds and
 * needs no time-zone support of its own.
 */
function weekWindows(week: Period): { dayStarts: number[]; mauStart: number } {
  const first = localDayNumber(week.start, week.timezone);
  const last = localDayNumber(week.end, week.timezone);
  const dayStarts: number[] = [];
  for (let d = first; d <= last; d++) dayStarts.push(startOfLocalDayNumber(d, week.timezone));
  return { dayStarts, mauStart: addLocalDays(week.end, -30, week.timezone) };
}

/**
 * DuckDB on the same CSV: one scan keeps the rows of the MAU window (which holds the week),
 * then counts distinct users over the window, the week and each day of the week.
 */
async function runDuckDb(path: string, week: Period): Promise<DuckDbResult> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  let t0 = performance.now();
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const connection = await instance.connect();
  const startSeconds = (performance.now() - t0) / 1000;
  const { dayStarts, mauStart } = weekWindows(week);
  const days = dayStarts.length - 1;
  const dayOf = dayStarts
    .slice(1)
    .map((end, d) => `WHEN t < ${end} THEN ${d}`)
    .join(' ');
  const sql = `
    WITH e AS MATERIALIZED (
      SELECT user_id, epoch_ms(occurred_at) AS t
      FROM read_csv('${path.replaceAll("'", "''")}', header = true,
                    types = {'user_id': 'VARCHAR', 'occurred_at': 'TIMESTAMPTZ'})
      WHERE epoch_ms(occurred_at) >= ${mauStart} AND epoch_ms(occurred_at) < ${week.end}
    ),
    daily AS (
      SELECT CASE ${dayOf} END AS d, count(DISTINCT user_id) AS users
      FROM e WHERE t >= ${week.start} GROUP BY d
    )
    SELECT
      (SELECT count(DISTINCT user_id) FROM e WHERE t >= ${week.start}) AS wau,
      (SELECT count(DISTINCT user_id) FROM e) AS mau,
      (SELECT list(users ORDER BY d) FROM daily) AS daily,
      (SELECT list(d ORDER BY d) FROM daily) AS day_index`;
  t0 = performance.now();
  const reader = await connection.runAndReadAll(sql);
  const seconds = (performance.now() - t0) / 1000;
  const row = reader.getRowObjectsJS()[0] as Record<string, unknown>;
  connection.closeSync();
  instance.closeSync();
  // A day without any event has no group: it counts 0 users.
  const daily = new Array<number>(days).fill(0);
  const users = (row.daily ?? []) as bigint[];
  ((row.day_index ?? []) as number[]).forEach((d, i) => {
    daily[d] = Number(users[i]);
  });
  const sum = daily.reduce((a, b) => a + b, 0);
  return {
    seconds,
    startSeconds,
    wau: Number(row.wau),
    mau: Number(row.mau),
    // The engine's values are rounded to 15 significant digits (metrics/values.ts), e.g.
    // 48,987 / 7 = 6998.142857142857 is reported as 6998.14285714286.
    dau: tidy(sum / days),
    daily,
  };
}

/** Prints DuckDB's figures and whether they equal the engine's; true when all do. */
function printDuckDb(d: DuckDbResult, m: Measurement, csvBytes: number): boolean {
  const checks: [string, number | null, number][] = [
    ['WAU', m.wau, d.wau],
    ['DAU', m.dau, d.dau],
    ['MAU', m.mau, d.mau],
  ];
  const lines = [
    'duckdb (same events.csv, 2 threads):',
    `  seconds     ${d.seconds.toFixed(2)} (+ ${d.startSeconds.toFixed(2)} s to start the instance)`,
    `  MB/s        ${(mb(csvBytes) / d.seconds).toFixed(1)} (engine: ${(mb(csvBytes) / m.seconds).toFixed(1)}; engine time ÷ DuckDB time ${(m.seconds / d.seconds).toFixed(1)})`,
    `  daily users ${d.daily.join(', ')}`,
  ];
  let ok = true;
  for (const [name, engine, duck] of checks) {
    const match = engine === duck;
    ok &&= match;
    lines.push(
      `  ${name.padEnd(11)} ${match ? 'MATCH' : 'MISMATCH'} (engine ${engine ?? 'null'}, DuckDB ${duck})`,
    );
  }
  if (m.rejected > 0) {
    lines.push(`  note: the engine rejected ${m.rejected} rows that DuckDB may have counted`);
  }
  console.log(lines.join('\n'));
  return ok;
}

const OPTIONS = {
  rows: { type: 'string' },
  periods: { type: 'string' },
  gzip: { type: 'boolean' },
  duckdb: { type: 'boolean' },
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

  // 1 when DuckDB's numbers differ from the engine's: a defect to investigate.
  let status = 0;
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
    const plain = runChild(csv, periods);
    printMeasurement('events.csv', plain, csvBytes, csvBytes);
    if (values.duckdb) {
      console.log('');
      const week = parsePeriodKey(WEEK, parseConfig({}).timezone);
      if (!printDuckDb(await runDuckDb(csv, week), plain, csvBytes)) status = 1;
    }
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
  return status;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  console.error(`bench: ${oneLine(error)}`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
}
