/**
 * The activity SQL on its own: `npx tsx scripts/bench-activity.ts [--rows <millions,…>]
 * [--users <n>] [--periods <n>] [--threads <n>] [--memory <MB>]`.
 *
 * For each size, a fresh Node process generates the events in DuckDB straight into
 * `raw_events` (seeded: the same rows every run; no file, no parsing), then times
 * - plain DuckDB: WAU, DAU, MAU and feature users of the last week, on `raw_events`;
 * - a full scan of the de-duplicating `events` view (what every reader of it pays);
 * - `loadActivity` for every week of the plan (the view, the day mapping, the aggregates);
 * and prints wall time, CPU time and the peak RSS after each step, and whether the
 * headline numbers of the last week agree (re-deliveries are exact copies, so
 * de-duplication does not change distinct users).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../functions/core/config';
import { Duck } from '../functions/core/duck/db';
import { createPlanTables } from '../functions/core/duck/plan-tables';
import { createDatasetTables } from '../functions/core/duck/tables';
import { loadActivity } from '../functions/core/metrics/activity';
import { PeriodPlan } from '../functions/core/metrics/plan';
import { parsePeriodKey, shiftPeriod } from '../functions/core/time/periods';
import { numberFlag, oneLine, parseStrict, UsageError } from './cli/io';

const USAGE = `Usage: npx tsx scripts/bench-activity.ts [options]

Times the events SQL (metrics/activity.ts) on generated rows in raw_events.

Options:
  --rows <list>     sizes in millions of events, comma-separated (default 2,5)
  --users <n>       distinct users (default: events / 40, as npm run bench)
  --periods <n>     weeks of the plan, ending with 2026-W47 (default 2)
  --threads <n>     DuckDB threads (default 2)
  --memory <MB>     DuckDB memory_limit, spilling to the system temp folder (default none)
  --dedup <shape>   "view": the events view of duck/tables.ts as it is (default);
                    "dropped": first find the re-delivered rows once (events_dropped), then
                    replace the view by raw_events minus those rows (a proposal)
  --help            show this help
`;

const WEEK = '2026-W47';
/** Six weeks of data, W42–W47 in UTC, as in scripts/bench.ts. */
const DATA_START = Date.UTC(2026, 9, 12);
const DATA_END = Date.UTC(2026, 10, 23);

interface Settings {
  rows: number;
  users: number;
  periods: number;
  threads: number;
  memoryMb: number | undefined;
  dedup: 'view' | 'dropped';
}

interface Step {
  label: string;
  seconds: number;
  cpuSeconds: number;
  peakRssMb: number;
  values?: Record<string, number>;
}

/**
 * `rows` events in time order over the six weeks, users skewed towards low ids (u³), five
 * events per visit, the event mix of scripts/bench.ts; 1 % without event_id and 1 % exact
 * re-deliveries (row i copies row i − 1, event_id included).
 */
function generateSql(rows: number, users: number): string {
  const step = (DATA_END - DATA_START) / rows;
  return `
    INSERT INTO raw_events
    WITH r AS (
      SELECT i, CASE WHEN i % 100 = 99 THEN i - 1 ELSE i END AS j FROM range(${rows}) t(i)
    ),
    x AS (
      SELECT i, j, hash(j, 1) % 1000000 / 1000000.0 AS jitter, hash(j, 2) % 10000 / 100.0 AS kind,
        hash(j // 5, 3) % 1000000 / 1000000.0 AS who, CAST(hash(j, 4) % 6 AS BIGINT) + 1 AS pick,
        hash(j, 5) % 100 = 0 AS no_id
      FROM r
    )
    SELECT
      'usr_' || lpad(CAST(floor(who * who * who * ${users}) AS BIGINT)::VARCHAR, 7, '0') AS user_id,
      CAST(${DATA_START} + (j + jitter) * ${step} AS BIGINT) AS occurred_at,
      CASE WHEN kind < 55 THEN 'page_view' WHEN kind < 77 THEN 'feature_used'
        WHEN kind < 86 THEN 'login' WHEN kind < 90 THEN 'report_shared'
        WHEN kind < 93.5 THEN 'export_created' WHEN kind < 95.5 THEN 'invite_sent'
        WHEN kind < 97 THEN 'purchase' WHEN kind < 98 THEN 'integration_connected'
        ELSE 'onboarding_completed' END AS event_type,
      CASE WHEN NOT no_id THEN 'evt_' || j END AS event_id,
      CASE WHEN kind >= 55 AND kind < 77 THEN
        ['dashboards', 'reports', 'automations', 'integrations', 'exports', 'api'][pick] END AS feature,
      CASE WHEN kind < 55 THEN '/page/' || pick END AS page,
      'ses_' || (j // 5) AS session_id,
      0 AS _file, i AS _rec
    FROM x`;
}

/** Plain DuckDB: the headline numbers of one week, nothing else, on the raw rows. */
function plainSql(week: { start: number; end: number }, mauStart: number): string {
  return `
    WITH e AS MATERIALIZED (
      SELECT user_id, event_type, occurred_at AS t FROM raw_events
      WHERE occurred_at >= ${mauStart} AND occurred_at < ${week.end}
    )
    SELECT
      (SELECT count(DISTINCT user_id) FROM e WHERE t >= ${week.start}) AS wau,
      (SELECT count(DISTINCT user_id) FROM e) AS mau,
      (SELECT sum(users) FROM (
        SELECT (t - ${week.start}) // 86400000 AS d, count(DISTINCT user_id) AS users
        FROM e WHERE t >= ${week.start} GROUP BY d)) AS user_days,
      (SELECT count(DISTINCT user_id) FROM e
        WHERE t >= ${week.start} AND event_type = 'feature_used') AS feature_users`;
}

/**
 * The proposal's de-duplication: the rows to drop (not the first of their event_id) found
 * once, candidates first by a 64-bit hash of the id so that the window only sorts rows
 * whose hash repeats; the view is then an anti-join on (_file, _rec).
 */
const DROPPED_SQL = `
  CREATE OR REPLACE TABLE events_dropped AS
  WITH repeated AS (
    SELECT hash(event_id) AS h FROM raw_events WHERE event_id IS NOT NULL
    GROUP BY h HAVING count(*) > 1
  )
  SELECT _file, _rec FROM raw_events
  WHERE event_id IS NOT NULL AND hash(event_id) IN (SELECT h FROM repeated)
  QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY _file, _rec) > 1;
  CREATE OR REPLACE VIEW events AS
  SELECT * FROM raw_events ANTI JOIN events_dropped USING (_file, _rec)`;

/** Runs in the child process: one size, nothing else in memory. */
async function measure(s: Settings): Promise<Step[]> {
  const config = parseConfig({});
  const week = parsePeriodKey(WEEK, config.timezone);
  const plan = new PeriodPlan(
    Array.from({ length: s.periods }, (_, i) => shiftPeriod(week, i - s.periods + 1)),
    config,
  );
  const db = await Duck.open({
    threads: s.threads,
    ...(s.memoryMb !== undefined ? { memoryLimitMb: s.memoryMb, tempDirectory: tmpDir() } : {}),
  });
  const steps: Step[] = [];
  const step = async (
    label: string,
    fn: () => Promise<Record<string, number> | undefined>,
  ): Promise<void> => {
    // Progress on stderr: when a step fails, the parent prints it with the error.
    process.stderr.write(`${label}…\n`);
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    const values = await fn();
    const used = process.cpuUsage(cpu);
    steps.push({
      label,
      seconds: (performance.now() - t0) / 1000,
      cpuSeconds: (used.user + used.system) / 1e6,
      // resourceUsage reports kilobytes.
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      ...(values ? { values } : {}),
    });
  };
  try {
    await createDatasetTables(db);
    await createPlanTables(db, plan);
    await step('generate raw_events', async () => {
      await db.run(generateSql(s.rows, s.users));
      return undefined;
    });
    if (s.dedup === 'dropped') {
      await step('find events_dropped', async () => {
        await db.run(DROPPED_SQL);
        return await db.one<{ dropped: number }>('SELECT count(*) AS dropped FROM events_dropped');
      });
    }
    const last = plan.size - 1;
    const days = plan.days[last];
    if (!days) throw new Error('no last period');
    const mauStart = plan.dayStarts[days.mauLo] as number;
    await step('plain DuckDB, last week', async () => {
      const row = await db.one<{
        wau: number;
        mau: number;
        user_days: number;
        feature_users: number;
      }>(plainSql(week, mauStart));
      return {
        wau: row.wau,
        dau: row.user_days / (days.hi - days.lo),
        mau: row.mau,
        featureUsers: row.feature_users,
      };
    });
    await step('scan of the events view', async () => {
      const row = await db.one<{ kept: number }>('SELECT count(*) AS kept FROM events');
      return { kept: row.kept };
    });
    await step(`loadActivity, ${plan.size} weeks`, async () => {
      const a = (await loadActivity(db, plan, config.events)).period(last);
      return { wau: a.activeUsers, dau: a.dau, mau: a.mau, featureUsers: a.featureUsers };
    });
  } finally {
    db.close();
  }
  return steps;
}

function tmpDir(): string {
  return process.env.TMPDIR ?? '/tmp';
}

function runChild(s: Settings): Step[] {
  const args = [
    '--import',
    'tsx',
    fileURLToPath(import.meta.url),
    '--measure',
    '--rows',
    String(s.rows / 1e6),
    '--users',
    String(s.users),
    '--periods',
    String(s.periods),
    '--threads',
    String(s.threads),
    ...(s.memoryMb !== undefined ? ['--memory', String(s.memoryMb)] : []),
    '--dedup',
    s.dedup,
  ];
  const child = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (child.status !== 0) throw new Error(`the measuring process failed: ${child.stderr.trim()}`);
  return JSON.parse(child.stdout) as Step[];
}

function print(s: Settings, steps: Step[]): boolean {
  console.log(
    `\n${s.rows.toLocaleString('en-US')} events, ${s.users.toLocaleString('en-US')} users, ${s.periods} weeks, ${s.threads} threads${s.memoryMb !== undefined ? `, memory_limit ${s.memoryMb} MB` : ''}, dedup ${s.dedup}`,
  );
  for (const st of steps) {
    const values = st.values
      ? Object.entries(st.values)
          .map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toFixed(4)}`)
          .join(', ')
      : '';
    console.log(
      `  ${st.label.padEnd(26)} ${st.seconds.toFixed(2).padStart(6)} s  cpu ${st.cpuSeconds.toFixed(2).padStart(6)} s  peak RSS ${st.peakRssMb.toFixed(0).padStart(5)} MB  ${values}`,
    );
  }
  const plain = steps.find((st) => st.label.startsWith('plain'));
  const ours = steps.find((st) => st.label.startsWith('loadActivity'));
  if (!plain?.values || !ours?.values) return false;
  let ok = true;
  for (const [k, v] of Object.entries(plain.values)) {
    const match = Math.abs(v - (ours.values[k] ?? Number.NaN)) <= 1e-9 * Math.max(1, Math.abs(v));
    ok &&= match;
    if (!match) console.log(`  MISMATCH ${k}: plain ${v}, loadActivity ${ours.values[k]}`);
  }
  console.log(
    `  ${ok ? 'MATCH' : 'MISMATCH'} (WAU, DAU, MAU, feature users); loadActivity ÷ plain = ${(ours.seconds / plain.seconds).toFixed(1)} (wall), ${(ours.cpuSeconds / plain.cpuSeconds).toFixed(1)} (cpu)`,
  );
  return ok;
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseStrict(
    argv,
    {
      rows: { type: 'string' },
      users: { type: 'string' },
      periods: { type: 'string' },
      threads: { type: 'string' },
      memory: { type: 'string' },
      dedup: { type: 'string' },
      measure: { type: 'boolean' },
      help: { type: 'boolean' },
    },
    'npx tsx scripts/bench-activity.ts',
  );
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const sizes = (values.rows ?? '2,5')
    .split(',')
    .map((m) => numberFlag('rows', m, { exclusiveMin: 0 }) as number);
  const base = {
    periods: numberFlag('periods', values.periods, { integer: true, min: 1 }) ?? 2,
    threads: numberFlag('threads', values.threads, { integer: true, min: 1 }) ?? 2,
    memoryMb: numberFlag('memory', values.memory, { integer: true, min: 64 }),
  };
  const dedup = values.dedup ?? 'view';
  if (dedup !== 'view' && dedup !== 'dropped') {
    throw new UsageError(`--dedup must be "view" or "dropped", got "${dedup}"`);
  }
  const users = numberFlag('users', values.users, { integer: true, min: 1 });
  const settings = sizes.map((m): Settings => {
    const rows = Math.round(m * 1e6);
    return { ...base, dedup, rows, users: users ?? Math.max(100, Math.round(rows / 40)) };
  });
  if (values.measure) {
    process.stdout.write(JSON.stringify(await measure(settings[0] as Settings)));
    return 0;
  }
  let ok = true;
  for (const s of settings) ok = print(s, runChild(s)) && ok;
  return ok ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(oneLine(error));
    if (!(error instanceof UsageError)) console.error(error);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  },
);
