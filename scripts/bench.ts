/**
 * Engine throughput: `npm run bench -- [--dataset events|orders] [--rows <millions>]
 * [--users <millions>] [--periods <n>] [--memory <MiB>] [--threads <n>] [--gzip] [--parquet]
 * [--duckdb] [--repeat <n>] [--render] [--models]`.
 *
 * Writes N million seeded `events` (or `orders`) rows (default 2) as a CSV file in a
 * temporary folder, then runs `computeSnapshots` on it for the week 2026-W47 (and the weeks
 * before it, as the report asks for) in a fresh Node process, so that the peak resident
 * memory printed is the engine's and not the generator's. Prints rows, bytes, seconds,
 * rows/s, MB/s and peak RSS. `--duckdb` also runs plain DuckDB on the same file computing
 * only the headline numbers (events: WAU, DAU, MAU and feature usage; orders: revenue,
 * orders and buyers), prints its time, the ratio engine ÷ plain DuckDB, and checks that its
 * numbers equal the engine's; then two floors: the same numbers after storing the columns
 * the engine keeps (`kept rows`) and from the engine's own validation in one scan that
 * keeps no rows (`one pass`). `--parquet` also times a Parquet copy of the same rows.
 * `--render` and `--models` also run scripts/bench-render.ts and scripts/bench-models.ts.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';
import { parseConfig } from '../functions/core/config';
import { csvRuleSql } from '../functions/core/datasets/load';
import { withDuck } from '../functions/core/duck/db';
import { createDatasetTables } from '../functions/core/duck/tables';
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

Times the metric engine on a generated export (seeded: the same rows every run).

Options:
  --dataset <name>   events (default) or orders
  --rows <millions>  rows to generate, in millions (default 2)
  --users <millions> distinct users (events) or customers (orders), in millions
                     (default rows / 40)
  --periods <n>      weeks computed in the one pass, ending with 2026-W47 (default 2: the
                     week and the one before, as a report needs; 13 = with trend charts)
  --gzip             also time the same rows as .csv.gz
  --parquet          also time the same rows as .parquet (typed columns)
  --memory <MiB>     DuckDB memory_limit of the engine (spilling to a temp folder), as in
                     Lambda (128 at 1024 MB), tables in a database file; default DuckDB's
  --threads <n>      DuckDB threads of the engine, as in Lambda (1 below 1,769 MB of
                     memory); default DuckDB's (one per core)
  --duckdb           also time plain DuckDB (2 threads) on the same CSV file computing only
                     the headline numbers of 2026-W47, print engine ÷ DuckDB, and check
                     that they equal the engine's (MATCH / MISMATCH); also the same
                     numbers from a table of the kept columns (kept rows) and from the
                     engine's validation aggregated in one scan (one pass)
  --repeat <n>       run the engine (and with --duckdb the plain queries) n times,
                     alternating, and report the median of each (default 1)
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
async function writeEvents(path: string, rows: number, userCount: number): Promise<void> {
  const rng = new Rng(2026);
  const users = Math.max(100, userCount);
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

const ORDER_COLUMNS = ['order_id', 'customer_id', 'ordered_at', 'amount', 'currency', 'status'];

/**
 * `rows` orders in time order over the six weeks from `customerCount` customers (skewed as
 * the events' users are), amounts of 5–250 with cents, one in 50 a refund.
 */
async function writeOrders(path: string, rows: number, customerCount: number): Promise<void> {
  const rng = new Rng(2027);
  const customers = Math.max(100, customerCount);
  const writer = openRowWriter(path, ORDER_COLUMNS, 'csv');
  const step = (DATA_END - DATA_START) / rows;
  for (let i = 0; i < rows; i++) {
    const customer = `cus_${String(Math.floor(rng.next() ** 3 * customers)).padStart(7, '0')}`;
    const at = new Date(DATA_START + Math.floor(i * step + rng.next() * step)).toISOString();
    const refund = rng.next() < 0.02;
    const cents = 500 + rng.int(0, 24_500);
    const pending = writer.write([
      `ord_${i + 1}`,
      customer,
      at,
      ((refund ? -cents : cents) / 100).toFixed(2),
      'USD',
      refund ? 'refunded' : 'paid',
    ]);
    if (pending) await pending;
  }
  await writer.close();
}

type BenchDataset = 'events' | 'orders';

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
  featureUsage: number | null;
  revenue: number | null;
  orders: number | null;
  purchaseFrequency: number | null;
}

/** The engine's DuckDB settings, as Lambda sets them (functions/adapters/engine-env.ts). */
interface EngineLimits {
  memoryMb: number | undefined;
  threads: number | undefined;
}

/** Runs in the child process: the engine on one file, with nothing else in memory. */
async function measure(
  path: string,
  periods: number,
  dataset: BenchDataset,
  limits: EngineLimits,
): Promise<Measurement> {
  const config = parseConfig({});
  const week = parsePeriodKey(WEEK, config.timezone);
  const file: ExportFile = {
    dataset,
    key: path,
    path,
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
    // The CLV models have their own benchmark (--models): here the SQL engine alone.
    modelPeriods: [],
    duck: {
      ...(limits.memoryMb === undefined
        ? {}
        : { memoryLimitMb: limits.memoryMb, tempDirectory: join(dirname(path), 'spill') }),
      ...(limits.threads === undefined ? {} : { threads: limits.threads }),
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
    featureUsage: last?.metrics.feature_usage?.value ?? null,
    revenue: last?.metrics.revenue?.value ?? null,
    orders: last?.metrics.orders?.value ?? null,
    purchaseFrequency: last?.metrics.purchase_frequency?.value ?? null,
  };
}

function runChild(
  path: string,
  periods: number,
  dataset: BenchDataset,
  limits: EngineLimits,
): Measurement {
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
      '--dataset',
      dataset,
      ...(limits.memoryMb === undefined ? [] : ['--memory', String(limits.memoryMb)]),
      ...(limits.threads === undefined ? [] : ['--threads', String(limits.threads)]),
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

/** The runs' seconds, when there was more than one: ` (median of 3: 4.10, 3.90, 4.30)`. */
function runsNote(seconds: readonly number[]): string {
  return seconds.length < 2
    ? ''
    : ` (median of ${seconds.length}: ${seconds.map((x) => x.toFixed(2)).join(', ')})`;
}

/** The element of median seconds (the lower middle one of an even count). */
function median<T>(items: readonly T[], seconds: (item: T) => number): T {
  const sorted = [...items].sort((a, b) => seconds(a) - seconds(b));
  return sorted[Math.floor((sorted.length - 1) / 2)] as T;
}

function printMeasurement(
  label: string,
  m: Measurement,
  fileBytes: number,
  csvBytes: number,
  runs: readonly Measurement[] = [m],
): void {
  console.log(
    [
      `${label}:`,
      `  rows        ${m.rows.toLocaleString('en-US')} (${m.rejected} rejected)`,
      `  bytes       ${fileBytes.toLocaleString('en-US')} (${mb(fileBytes).toFixed(1)} MB on disk)`,
      `  seconds     ${m.seconds.toFixed(2)}${runsNote(runs.map((r) => r.seconds))}`,
      `  rows/s      ${Math.round(m.rows / m.seconds).toLocaleString('en-US')}`,
      // Of CSV text, so the plain and gzip'd runs compare.
      `  MB/s        ${(mb(csvBytes) / m.seconds).toFixed(1)} (of CSV text)`,
      `  peak RSS    ${Math.max(...runs.map((r) => r.maxRssMb)).toFixed(0)} MB${runs.length < 2 ? '' : ' (highest of the runs)'}`,
      m.revenue === null
        ? `  ${WEEK}    WAU ${m.wau ?? 'null'}, DAU ${m.dau ?? 'null'}, MAU ${m.mau ?? 'null'}, feature usage ${m.featureUsage ?? 'null'} %`
        : `  ${WEEK}    revenue ${m.revenue}, orders ${m.orders}, purchase frequency ${m.purchaseFrequency}`,
    ].join('\n'),
  );
}

interface PlainDuckDb {
  seconds: number;
  startSeconds: number;
  /**
   * Plain DuckDB again, but first storing the columns the engine keeps in a table (DuckDB's
   * own parsing: no validation, no de-duplication), then the same numbers from that table:
   * the least any engine pays that keeps the rows for more than one query.
   */
  keptSeconds: number;
  /** Each headline number: its name, plain DuckDB's value, and the engine's. */
  checks: [string, number, number | null][];
  /** The engine's validation in one scan that keeps no rows (`onePass`). */
  onePass: { seconds: number; checks: [string, number, number | null][] };
}

/**
 * The engine's own validation of the file (datasets/load.ts `csvRuleSql`: every rule on
 * every row, as the load's one statement runs it) with the good rows aggregated at once by
 * `aggregate` into what the headline numbers need (events: one row per user and day of the
 * MAU window; orders: one per customer with orders in the week) in a table `one_pass`, then
 * those numbers by `headline`: no row kept. It is the least a design pays that keeps no
 * rows, before the de-duplication (which needs every row's id) and every other metric.
 */
async function onePass(
  path: string,
  dataset: BenchDataset,
  aggregate: (rules: string) => string,
  headline: string,
): Promise<{ seconds: number; row: Record<string, unknown> }> {
  const config = parseConfig({});
  return withDuck(
    async (db) => {
      await createDatasetTables(db, 'metrics');
      const rules = await csvRuleSql(
        db,
        { dataset, key: path, path },
        { timezone: config.timezone, currency: config.currency, columns: {} },
      );
      const started = performance.now();
      await db.run(`CREATE TEMP TABLE one_pass AS ${aggregate(`(${rules}) WHERE NOT bad`)}`);
      const row = await db.one(headline);
      return { seconds: (performance.now() - started) / 1000, row };
    },
    { threads: 2 },
  );
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
 * Plain DuckDB on the same CSV, as a user would write it without validation, de-duplication
 * or any other metric: for events one scan keeps the rows of the MAU window (which holds the
 * week), then counts distinct users over the window, the week, each day of the week and the
 * feature users of the week; for orders the week's revenue, positive orders and buyers.
 */
async function runPlainDuckDb(
  path: string,
  week: Period,
  dataset: BenchDataset,
  m: Measurement,
): Promise<PlainDuckDb> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const t0 = performance.now();
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const connection = await instance.connect();
  const startSeconds = (performance.now() - t0) / 1000;
  const file = `'${path.replaceAll("'", "''")}'`;
  /** Runs `sql` and returns its seconds and first row. */
  const timed = async (sql: string) => {
    const started = performance.now();
    const reader = await connection.runAndReadAll(sql);
    const seconds = (performance.now() - started) / 1000;
    return { seconds, row: (reader.getRowObjectsJS()[0] ?? {}) as Record<string, unknown> };
  };
  /**
   * One dataset's runs: the headline query on the file (`source`), then on a table first
   * filled by `keep` (then the instance is closed), then the one pass (`aggregate`, then
   * `onePassHeadline`). `checksOf` turns a headline row into the checks.
   */
  const measureAll = async (spec: {
    headline: (from: string) => string;
    source: string;
    keep: string;
    aggregate: (good: string) => string;
    onePassHeadline: string;
    checksOf: (row: Record<string, unknown>) => PlainDuckDb['checks'];
  }): Promise<PlainDuckDb> => {
    const plain = await timed(spec.headline(spec.source));
    // As the engine's in-memory database (duck/db.ts): no checkpoint at the commit, which
    // would merge the parallel insert's part-filled row groups for nothing.
    await connection.run("SET checkpoint_threshold = '1TB'");
    const store = await timed(`CREATE TABLE kept AS ${spec.keep}`);
    const kept = await timed(spec.headline('kept'));
    connection.closeSync();
    instance.closeSync();
    const one = await onePass(path, dataset, spec.aggregate, spec.onePassHeadline);
    return {
      seconds: plain.seconds,
      startSeconds,
      keptSeconds: store.seconds + kept.seconds,
      checks: spec.checksOf(plain.row),
      onePass: { seconds: one.seconds, checks: spec.checksOf(one.row) },
    };
  };
  if (dataset === 'orders') {
    const csv = `read_csv(${file}, header = true, types = {'order_id': 'VARCHAR',
      'customer_id': 'VARCHAR', 'ordered_at': 'TIMESTAMPTZ', 'amount': 'DECIMAL(18,2)',
      'status': 'VARCHAR'})`;
    return measureAll({
      headline: (source) => `
        SELECT sum(amount) AS revenue, count(*) FILTER (amount > 0) AS orders,
               count(DISTINCT customer_id) FILTER (amount > 0) AS buyers
        FROM ${source} WHERE t >= ${week.start} AND t < ${week.end}`,
      source: `(SELECT customer_id, amount, epoch_ms(ordered_at) AS t FROM ${csv})`,
      keep: `SELECT order_id, customer_id, epoch_ms(ordered_at) AS t, amount, status FROM ${csv}`,
      aggregate: (good) => `
        SELECT customer_id, fsum(amount) AS revenue, count(*) FILTER (amount > 0) AS orders
        FROM (SELECT x_customer_id AS customer_id, x_amount AS amount, x_ordered_at AS t
              FROM ${good})
        WHERE t >= ${week.start} AND t < ${week.end}
        GROUP BY customer_id`,
      onePassHeadline: `SELECT fsum(revenue) AS revenue, sum(orders) AS orders,
          count(*) FILTER (orders > 0) AS buyers
        FROM one_pass`,
      checksOf: (r) => {
        const orders = Number(r.orders);
        return [
          ['revenue', tidy(Number(r.revenue)), m.revenue],
          ['orders', orders, m.orders],
          ['frequency', tidy(orders / Number(r.buyers)), m.purchaseFrequency],
        ];
      },
    });
  }
  const { dayStarts, mauStart } = weekWindows(week);
  const days = dayStarts.length - 1;
  const dayOf = dayStarts
    .slice(1)
    .map((end, d) => `WHEN t < ${end} THEN ${d}`)
    .join(' ');
  const csv = `read_csv(${file}, header = true, types = {'user_id': 'VARCHAR',
    'occurred_at': 'TIMESTAMPTZ', 'event_type': 'VARCHAR', 'event_id': 'VARCHAR',
    'feature': 'VARCHAR'})`;
  return measureAll({
    headline: (source) => `
      WITH e AS MATERIALIZED (
        SELECT user_id, event_type, t FROM ${source}
        WHERE t >= ${mauStart} AND t < ${week.end}
      ),
      daily AS (
        SELECT CASE ${dayOf} END AS d, count(DISTINCT user_id) AS users
        FROM e WHERE t >= ${week.start} GROUP BY d
      )
      SELECT
        (SELECT count(DISTINCT user_id) FROM e WHERE t >= ${week.start}) AS wau,
        (SELECT count(DISTINCT user_id) FROM e
          WHERE t >= ${week.start} AND event_type = 'feature_used') AS feature_users,
        (SELECT count(DISTINCT user_id) FROM e) AS mau,
        (SELECT list(users ORDER BY d) FROM daily) AS daily,
        (SELECT list(d ORDER BY d) FROM daily) AS day_index`,
    source: `(SELECT user_id, event_type, epoch_ms(occurred_at) AS t FROM ${csv})`,
    keep: `SELECT user_id, epoch_ms(occurred_at) AS t, event_type, event_id, feature FROM ${csv}`,
    aggregate: (good) => `
      SELECT user_id, CASE WHEN t < ${week.start} THEN -1 ${dayOf} END AS d,
             bool_or(event_type = 'feature_used') AS feature
      FROM (SELECT x_user_id AS user_id, x_event_type AS event_type, x_occurred_at AS t
            FROM ${good})
      WHERE t >= ${mauStart} AND t < ${week.end}
      GROUP BY ALL`,
    // The same columns as the headline query's, from one row per user and day.
    onePassHeadline: `
      WITH daily AS (SELECT d, count(*) AS users FROM one_pass WHERE d >= 0 GROUP BY d)
      SELECT
        (SELECT count(DISTINCT user_id) FROM one_pass WHERE d >= 0) AS wau,
        (SELECT count(DISTINCT user_id) FROM one_pass WHERE d >= 0 AND feature) AS feature_users,
        (SELECT count(DISTINCT user_id) FROM one_pass) AS mau,
        (SELECT list(users ORDER BY d) FROM daily) AS daily,
        (SELECT list(d ORDER BY d) FROM daily) AS day_index`,
    checksOf: (r) => {
      // A day without any event has no group: it counts 0 users.
      const daily = new Array<number>(days).fill(0);
      const users = (r.daily ?? []) as (bigint | number)[];
      ((r.day_index ?? []) as number[]).forEach((d, i) => {
        daily[d] = Number(users[i]);
      });
      const sum = daily.reduce((a, b) => a + b, 0);
      const wau = Number(r.wau);
      return [
        ['WAU', wau, m.wau],
        // The engine's values are rounded to 15 significant digits (metrics/values.ts), e.g.
        // 48,987 / 7 = 6998.142857142857 is reported as 6998.14285714286.
        ['DAU', tidy(sum / days), m.dau],
        ['MAU', Number(r.mau), m.mau],
        ['features %', tidy((Number(r.feature_users) / wau) * 100), m.featureUsage],
      ];
    },
  });
}

/** Prints plain DuckDB's figures, the ratio and whether the numbers equal the engine's. */
function printPlainDuckDb(runs: readonly PlainDuckDb[], m: Measurement, csvBytes: number): boolean {
  const d = median(runs, (r) => r.seconds);
  const kept = median(runs, (r) => r.keptSeconds).keptSeconds;
  const lines = [
    'plain duckdb (same CSV file, 2 threads, headline numbers only):',
    `  seconds     ${d.seconds.toFixed(2)} (+ ${d.startSeconds.toFixed(2)} s to start the instance)${runsNote(runs.map((r) => r.seconds))}`,
    `  MB/s        ${(mb(csvBytes) / d.seconds).toFixed(1)} (engine: ${(mb(csvBytes) / m.seconds).toFixed(1)})`,
    `  ratio       engine ÷ plain DuckDB = ${(m.seconds / d.seconds).toFixed(2)}`,
    `  kept rows   ${kept.toFixed(2)} s = ${(kept / d.seconds).toFixed(2)} × plain: the same, storing the columns the engine keeps first${runsNote(runs.map((r) => r.keptSeconds))}`,
    `              (DuckDB's own parsing, nothing validated or de-duplicated); engine ÷ this = ${(m.seconds / kept).toFixed(2)}`,
  ];
  const passes = runs.map((r) => r.onePass);
  const one = median(passes, (r) => r.seconds).seconds;
  let ok = passes.every((p) => p.checks.every(([, duck, engine]) => duck === engine));
  lines.push(
    `  one pass    ${one.toFixed(2)} s = ${(one / d.seconds).toFixed(2)} × plain: the engine's validation of every row, aggregated at once${runsNote(passes.map((p) => p.seconds))}`,
    `              into the same numbers, no row kept, nothing de-duplicated: ${ok ? 'MATCH' : 'MISMATCH'}`,
  );
  for (const [k, [name, duck, engine]] of d.checks.entries()) {
    // Every run's numbers (check k of each run), not only the median run's, must equal the
    // engine's run it was paired with.
    const match = runs.every((r) => r.checks[k]?.[1] === r.checks[k]?.[2]);
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

/** A Parquet copy of the CSV with typed columns, as a warehouse would export it. */
async function writeParquet(csv: string, parquet: string): Promise<void> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const connection = await instance.connect();
  const q = (p: string) => `'${p.replaceAll("'", "''")}'`;
  await connection.run(
    `COPY (SELECT * FROM read_csv(${q(csv)}, header = true)) TO ${q(parquet)} (FORMAT parquet)`,
  );
  connection.closeSync();
  instance.closeSync();
}

const OPTIONS = {
  rows: { type: 'string' },
  users: { type: 'string' },
  dataset: { type: 'string' },
  parquet: { type: 'boolean' },
  memory: { type: 'string' },
  threads: { type: 'string' },
  periods: { type: 'string' },
  gzip: { type: 'boolean' },
  duckdb: { type: 'boolean' },
  render: { type: 'boolean' },
  models: { type: 'boolean' },
  keep: { type: 'boolean' },
  repeat: { type: 'string' },
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
  const dataset = values.dataset ?? 'events';
  if (dataset !== 'events' && dataset !== 'orders') {
    throw new UsageError(`--dataset must be events or orders (got "${dataset}")`);
  }
  const limits: EngineLimits = {
    memoryMb: numberFlag('memory', values.memory, { integer: true, min: 64 }),
    threads: numberFlag('threads', values.threads, { integer: true, min: 1 }),
  };
  if (values.measure) {
    process.stdout.write(JSON.stringify(await measure(values.measure, periods, dataset, limits)));
    return 0;
  }
  const repeat = numberFlag('repeat', values.repeat, { integer: true, min: 1 }) ?? 1;
  const millions = numberFlag('rows', values.rows, { exclusiveMin: 0 }) ?? 2;
  const rows = Math.round(millions * 1_000_000);
  const userMillions = numberFlag('users', values.users, { exclusiveMin: 0 });
  const users = userMillions === undefined ? Math.round(rows / 40) : Math.round(userMillions * 1e6);

  // 1 when DuckDB's numbers differ from the engine's: a defect to investigate.
  let status = 0;
  const dir = await mkdtemp(join(tmpdir(), `bench-${dataset}-`));
  try {
    const csv = join(dir, `${dataset}.csv`);
    let t0 = performance.now();
    if (dataset === 'events') await writeEvents(csv, rows, users);
    else await writeOrders(csv, rows, users);
    const csvBytes = (await stat(csv)).size;
    console.log(
      `Generated ${rows.toLocaleString('en-US')} ${dataset} rows of ${users.toLocaleString('en-US')} ${dataset === 'events' ? 'users' : 'customers'} (${mb(csvBytes).toFixed(1)} MB) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    console.log(
      `Node ${process.version}; computeSnapshots for ${periods} week(s) ending ${WEEK}, in a fresh process` +
        `${limits.memoryMb === undefined ? '' : `, DuckDB memory_limit ${limits.memoryMb} MiB`}` +
        `${limits.threads === undefined ? '' : `, ${limits.threads} DuckDB thread(s)`}\n`,
    );
    // Engine and plain DuckDB alternate, so that both see the same machine state.
    const week = parsePeriodKey(WEEK, parseConfig({}).timezone);
    const engineRuns: Measurement[] = [];
    const plainRuns: PlainDuckDb[] = [];
    for (let i = 0; i < repeat; i++) {
      const m = runChild(csv, periods, dataset, limits);
      engineRuns.push(m);
      if (values.duckdb) plainRuns.push(await runPlainDuckDb(csv, week, dataset, m));
    }
    const plain = median(engineRuns, (r) => r.seconds);
    printMeasurement(`${dataset}.csv`, plain, csvBytes, csvBytes, engineRuns);
    if (values.duckdb) {
      console.log('');
      if (!printPlainDuckDb(plainRuns, plain, csvBytes)) status = 1;
    }
    if (values.gzip) {
      const gz = join(dir, `${dataset}.csv.gz`);
      t0 = performance.now();
      await pipeline(createReadStream(csv), createGzip(), createWriteStream(gz));
      const gzBytes = (await stat(gz)).size;
      console.log(`\n(gzip'd in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
      printMeasurement(
        `${dataset}.csv.gz`,
        runChild(gz, periods, dataset, limits),
        gzBytes,
        csvBytes,
      );
    }
    if (values.parquet) {
      const parquet = join(dir, `${dataset}.parquet`);
      t0 = performance.now();
      await writeParquet(csv, parquet);
      const parquetBytes = (await stat(parquet)).size;
      console.log(`\n(Parquet written in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
      const m = runChild(parquet, periods, dataset, limits);
      printMeasurement(`${dataset}.parquet`, m, parquetBytes, csvBytes);
      const same =
        JSON.stringify({ ...plain, seconds: 0, maxRssMb: 0, bytes: 0 }) ===
        JSON.stringify({ ...m, seconds: 0, maxRssMb: 0, bytes: 0 });
      console.log(`  numbers     ${same ? 'MATCH' : 'MISMATCH'} the CSV run's`);
      if (!same) status = 1;
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
