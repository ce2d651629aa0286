/**
 * Loader throughput: writes N `events` rows (default 2,000,000) to a temporary CSV file
 * (`--jsonl`: JSON Lines, the same rows), loads it with `loadExport` (datasets/load.ts) into
 * a fresh DuckDB in a fresh process and prints rows/s, MB/s (of text), CPU time and that
 * process's peak resident set size.
 * `--floor` also times DuckDB inserting the same file into the same table with no rule
 * at all (one cast for the timestamp): what validation costs on top.
 *
 *   npx tsx scripts/bench-read.ts [rows] [--gzip] [--jsonl] [--floor] [--keep]
 *
 * The rows are seeded, so every run reads the same bytes. About 1 % of them break a rule
 * (a bad timestamp, an empty user id), so the rejection path is part of the measurement;
 * half the timestamps are local times, read in Europe/Berlin.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';
import { loadExport } from '../functions/core/datasets/load';
import { Duck, sqlString } from '../functions/core/duck/db';
import { createDatasetTables } from '../functions/core/duck/tables';
import { mulberry32 } from '../functions/core/models/simulate';

const EVENT_TYPES = [
  'page_view',
  'page_view',
  'page_view',
  'feature_used',
  'feature_used',
  'signup',
  'login',
  'purchase',
  'onboarding_completed',
];
const FEATURES = ['export', 'dashboards', 'alerts', 'sharing', 'api', 'search'];
const PAGES = [
  '/',
  '/pricing',
  '/docs/getting-started',
  '/app/dashboard',
  '/app/settings',
  '/blog',
];

function* eventLines(rows: number, random: () => number, jsonl = false): Generator<string> {
  if (!jsonl) yield 'event_id,user_id,occurred_at,event_type,feature,page,session_id\n';
  // Rows move forward through a quarter in time order, as most exports are written.
  let instant = Date.parse('2026-07-01T00:00:00Z');
  const step = (92 * 86_400_000) / rows;
  let batch = '';
  for (let i = 0; i < rows; i++) {
    instant += step * 2 * random();
    const user = `u_${Math.floor(random() * 200_000)}`;
    const type = EVENT_TYPES[Math.floor(random() * EVENT_TYPES.length)] as string;
    const feature =
      type === 'feature_used' ? (FEATURES[Math.floor(random() * FEATURES.length)] as string) : '';
    const page = PAGES[Math.floor(random() * PAGES.length)] as string;
    const session = `s_${Math.floor(random() * 5_000_000)}`;
    // Half the rows carry an offset, half are local date-times read in the report zone.
    const iso = new Date(Math.floor(instant / 1000) * 1000).toISOString();
    let when = random() < 0.5 ? `${iso.slice(0, 19)}Z` : iso.slice(0, 19).replace('T', ' ');
    let userCell = user;
    const broken = random();
    if (broken < 0.005) when = '31/12/2026';
    else if (broken < 0.01) userCell = '';
    batch += jsonl
      ? `${JSON.stringify({
          event_id: `evt_${i}`,
          user_id: userCell,
          occurred_at: when,
          event_type: type,
          ...(feature === '' ? {} : { feature }),
          page,
          session_id: session,
        })}\n`
      : `evt_${i},${userCell},${when},${type},${feature},${page},${session}\n`;
    if (batch.length > 1 << 20) {
      yield batch;
      batch = '';
    }
  }
  if (batch.length > 0) yield batch;
}

/** Loads the file and prints the figures; runs in a process of its own (see `main`). */
async function measure(path: string, textBytes: number, floor: boolean): Promise<void> {
  const gzip = path.endsWith('.gz');
  const fileBytes = (await stat(path)).size;
  const db = await Duck.open();
  await createDatasetTables(db);
  let rejected = 0;
  const started = process.hrtime.bigint();
  const cpuBefore = process.cpuUsage();
  const stats = await loadExport(
    db,
    { dataset: 'events', key: path, path },
    0,
    { timezone: 'Europe/Berlin', currency: 'EUR', columns: {} },
    () => {
      rejected++;
    },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  const { stored } = await db.one<{ stored: number }>('SELECT count(*) AS stored FROM raw_events');
  if (stats.rowsAccepted !== stored || stats.rowsRejected !== rejected) {
    throw new Error('the loader returned counts that differ from the rows it stored and rejected');
  }

  const textMb = textBytes / 1e6;
  const fileMb = fileBytes / 1e6;
  const rate = (mb: number, s: number) => `${(mb / s).toFixed(1)} MB/s`;
  console.log(
    `file        ${path}: ${textMb.toFixed(1)} MB of text${gzip ? `, ${fileMb.toFixed(1)} MB gzip'd` : ''}`,
  );
  console.log(`rows        ${stats.rowsRead} read, ${stored} accepted, ${rejected} rejected`);
  console.log(
    `time        ${seconds.toFixed(2)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s CPU`,
  );
  console.log(
    `throughput  ${Math.round(stats.rowsRead / seconds).toLocaleString('en-US')} rows/s, ${rate(textMb, seconds)} of text${gzip ? ` (${rate(fileMb, seconds)} gzip'd)` : ''}`,
  );
  if (floor && !gzip && !path.endsWith('.jsonl')) {
    // The same table filled by DuckDB alone: no rule, no trimming, one cast.
    await db.run('DELETE FROM raw_events');
    const columns = [
      'event_id',
      'user_id',
      'occurred_at',
      'event_type',
      'feature',
      'page',
      'session_id',
    ];
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    await db.run(`INSERT INTO raw_events (${columns.join(', ')}, _file, _rec)
      SELECT ${columns.map((c) => (c === 'occurred_at' ? 'epoch_ms(TRY_CAST(occurred_at AS TIMESTAMP))' : c)).join(', ')}, 0, 0
      FROM read_csv(${sqlString(path)}, header = true, auto_detect = false, delim = ',', quote = '"',
        escape = '"', columns = {${columns.map((c) => `'${c}': 'VARCHAR'`).join(', ')}}, ignore_errors = true)`);
    const floorSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const floorCpu = process.cpuUsage(c0);
    console.log(
      `floor       ${floorSeconds.toFixed(2)} s wall, ${((floorCpu.user + floorCpu.system) / 1e6).toFixed(2)} s CPU (DuckDB inserting the file unchecked); load ÷ floor ${(seconds / floorSeconds).toFixed(2)}`,
    );
  }
  console.log(`peak RSS    ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  db.close();
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--measure') {
    await measure(args[1] as string, Number(args[2]), args[3] === '--floor');
    return;
  }
  const gzip = args.includes('--gzip');
  const jsonl = args.includes('--jsonl');
  const rowsArg = args.find((a) => !a.startsWith('--'));
  const rows = rowsArg === undefined ? 2_000_000 : Number(rowsArg);
  if (!Number.isInteger(rows) || rows <= 0) {
    throw new Error(`rows must be a positive whole number, got "${rowsArg}"`);
  }

  const dir = await mkdtemp(join(tmpdir(), 'bench-read-'));
  const path = join(dir, `events.${jsonl ? 'jsonl' : 'csv'}${gzip ? '.gz' : ''}`);
  try {
    let textBytes = 0;
    const lines = (async function* () {
      for (const text of eventLines(rows, mulberry32(20261102), jsonl)) {
        textBytes += Buffer.byteLength(text);
        yield text;
      }
    })();
    if (gzip) await pipeline(lines, createGzip(), createWriteStream(path));
    else await pipeline(lines, createWriteStream(path));

    // Read in a fresh process, so that its peak RSS is the reader's and not the writer's.
    // execArgv carries tsx's loader when run through tsx.
    const child = spawn(
      process.execPath,
      [
        ...process.execArgv,
        fileURLToPath(import.meta.url),
        '--measure',
        path,
        String(textBytes),
        ...(args.includes('--floor') ? ['--floor'] : []),
      ],
      { stdio: 'inherit' },
    );
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', resolve);
    });
    if (code !== 0) throw new Error(`the measuring process exited with code ${code}`);
  } finally {
    if (args.includes('--keep')) console.log(`kept ${path}`);
    else await rm(dir, { recursive: true, force: true });
  }
}

await main();
