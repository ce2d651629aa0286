/**
 * `npm run report -- --data <dir> --out <dir> [--period <key>] …`: the product's job
 * without AWS. Reads the exports of a local folder, computes the period, the one before it
 * and the trend periods in one pass of the engine, and writes the snapshot, the rejected
 * rows and the rendered report into a folder.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ConfigError,
  isValidTimeZone,
  parseConfig,
  type ReportConfig,
} from '../../functions/core/config';
import { computeSnapshots } from '../../functions/core/engine';
import { withDeltas } from '../../functions/core/metrics/deltas';
import { renderReport } from '../../functions/core/report/render';
import { buildReportView, type MetricView } from '../../functions/core/report/view';
import type { Snapshot } from '../../functions/core/snapshot';
import {
  lastCompletePeriod,
  type Period,
  PeriodError,
  parsePeriodKey,
  periodKindOfKey,
  shiftPeriod,
} from '../../functions/core/time/periods';
import { keepInLocalArchive, LIST_USAGE, listMain } from './archive';
import { type CliIo, oneLine, parseStrict, UsageError } from './io';
import { LocalExportSource } from './local-source';
import { NO_PROGRESS, terminalProgress } from './progress';
import { RejectedRowsWriter } from './rejects';

export const REPORT_USAGE = `Usage: npm run report -- --data <dir> --out <dir> [options]

Computes the engagement report of one period from local export files, without AWS.

<dir> (--data) holds, per dataset, a file <dataset>.csv, .csv.gz, .jsonl or .jsonl.gz
(e.g. orders.csv) or a folder <dataset>/ of such files. Datasets: customers,
subscriptions, orders, marketing_spend, survey_responses, events, sessions, tickets,
email_campaigns, social. Names starting with a dot are ignored.

Options:
  --data <dir>         folder of export files (required)
  --out <dir>          folder to write the results into, created if missing (required)
  --period <key>       the period to report: 2026-W44 (ISO week), 2026-11 (month) or
                       2026-Q4 (quarter); the kind of period follows the key.
                       Default: the last complete period of the configured kind
  --timezone <IANA>    time zone of the report's periods and of timestamps without an
                       offset, e.g. Europe/Berlin (overrides the config; default UTC)
  --currency <ISO>     currency of every amount, e.g. EUR (overrides the config; default USD)
  --config <file>      JSON report configuration: either { "report": {...}, "deploy": {...} }
                       like report.config.example.json, or the report part alone; or
                       several reports, { "reports": [...], "deploy": {...} } like
                       report.config.multi.example.json
  --report <id>        which report of a --config file with several to run (required
                       then; one report a run: run once per report, each with its --out)
  --progress           show progress on stderr even when it is not a terminal
  --help               show this help

Writes into --out:
  snapshot.json        the period's metrics with the previous period's values and deltas,
                       data quality per dataset, the input files, model fits
  history.json         the snapshots of the trend periods (email.trendPeriods, oldest
                       first, the reported period last), each with its deltas
  report.html, report.txt, trend-*.png
                       the report as the email shows it (the HTML refers to the charts)
  rejected/<dataset>.jsonl
                       every rejected row: file, line, column, reason and the record
  reports/<id>/<period>/report.html, report.txt, trend-*.png
                       a copy kept per period, listed with its headline numbers in
                       reports/<id>/index.json and index.html (open it in a browser)

The archive, printed (see ${'`'}npm run report -- --list --help${'`'}):
${LIST_USAGE.split('\n').slice(0, 2).join('\n')}

Exit codes: 0 done; 2 a wrong flag, folder, time zone, config or period; 1 anything else.
`;

const OPTIONS = {
  data: { type: 'string' },
  out: { type: 'string' },
  period: { type: 'string' },
  timezone: { type: 'string' },
  currency: { type: 'string' },
  config: { type: 'string' },
  report: { type: 'string' },
  progress: { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

export interface ReportArgs {
  data: string;
  out: string;
  period?: string;
  timezone?: string;
  currency?: string;
  config?: string;
  /** The `reportId` to run, of a config with several reports. */
  report?: string;
  progress: boolean;
}

const COMMAND = 'npm run report --';

/** The command line as options, or `'help'`. Throws UsageError. */
export function parseReportArgs(argv: string[]): ReportArgs | 'help' {
  const { values } = parseStrict(argv, OPTIONS, COMMAND);
  if (values.help) return 'help';
  if (!values.data) throw new UsageError(`--data <dir> is required (see ${COMMAND} --help)`);
  if (!values.out) throw new UsageError(`--out <dir> is required (see ${COMMAND} --help)`);
  const args: ReportArgs = { data: values.data, out: values.out, progress: !!values.progress };
  if (values.period !== undefined) args.period = values.period;
  if (values.timezone !== undefined) args.timezone = values.timezone;
  if (values.currency !== undefined) args.currency = values.currency;
  if (values.config !== undefined) args.config = values.config;
  if (values.report !== undefined) args.report = values.report;
  return args;
}

/**
 * The configuration: the --config file (its `report` part when it has one), with the
 * flags on top, validated once by the schema. The period kind follows the --period key.
 */
export async function loadReportConfig(args: ReportArgs): Promise<ReportConfig> {
  if (args.timezone !== undefined && !isValidTimeZone(args.timezone)) {
    throw new UsageError(
      `--timezone "${args.timezone}" is not a known IANA time zone (e.g. "Europe/Berlin")`,
    );
  }
  if (args.currency !== undefined && !/^[A-Za-z]{3}$/.test(args.currency)) {
    throw new UsageError(
      `--currency must be a three-letter ISO 4217 code such as "USD", got "${args.currency}"`,
    );
  }
  let kind: string | undefined;
  if (args.period !== undefined) {
    try {
      kind = periodKindOfKey(args.period);
    } catch (error) {
      if (error instanceof PeriodError)
        throw new UsageError(`--period ${oneLine(error).replace(/^period /, '')}`);
      throw error;
    }
  }

  let raw: Record<string, unknown> = {};
  if (args.config !== undefined) {
    let text: string;
    try {
      text = await readFile(args.config, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new UsageError(
        code === 'ENOENT'
          ? `--config file "${args.config}" does not exist`
          : `--config file "${args.config}" cannot be read: ${oneLine(error)}`,
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new UsageError(`--config file "${args.config}" is not valid JSON: ${oneLine(error)}`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new UsageError(`--config file "${args.config}" must hold a JSON object`);
    }
    const record = parsed as Record<string, unknown>;
    // The deployable file nests the report under `report`; a bare report config has no
    // such key (the schema is strict, so it could not hold one).
    if ('reports' in record) {
      raw = pickListedReport(record.reports, args);
    } else if ('report' in record) {
      const report = record.report;
      if (report === null || typeof report !== 'object' || Array.isArray(report)) {
        throw new UsageError(`--config file "${args.config}": "report" must be a JSON object`);
      }
      raw = { ...(report as Record<string, unknown>) };
    } else {
      raw = { ...record };
    }
  }
  if (args.report !== undefined) {
    if (args.config === undefined) {
      throw new UsageError('--report <id> picks a report of a --config file; give --config too');
    }
    const id = typeof raw.reportId === 'string' ? raw.reportId : 'engagement';
    if (id !== args.report) {
      throw new UsageError(
        `--report "${args.report}" is not a report of --config file "${args.config}"; its report is "${id}"`,
      );
    }
  }
  if (args.timezone !== undefined) raw.timezone = args.timezone;
  if (args.currency !== undefined) raw.currency = args.currency.toUpperCase();
  if (kind !== undefined) raw.period = kind;
  try {
    return parseConfig(raw);
  } catch (error) {
    if (error instanceof ConfigError) {
      const where = args.config === undefined ? 'flags' : `--config file "${args.config}"`;
      throw new UsageError(`${where}: ${oneLine(error)}`);
    }
    throw error;
  }
}

/**
 * The report `--report` names among a config file's `reports` (deploy list form), without
 * its deploy-only `schedule`; with one report, `--report` may be left out.
 */
function pickListedReport(reports: unknown, args: ReportArgs): Record<string, unknown> {
  const file = `--config file "${args.config}"`;
  if (!Array.isArray(reports) || reports.length === 0) {
    throw new UsageError(`${file}: "reports" must be a list of at least one report`);
  }
  const entries = reports.map((entry, i) => {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      throw new UsageError(`${file}: reports.${i} must be a JSON object`);
    }
    return entry as Record<string, unknown>;
  });
  // The schema's default id, for an entry that gives none.
  const idOf = (entry: Record<string, unknown>) =>
    typeof entry.reportId === 'string' ? entry.reportId : 'engagement';
  const ids = entries.map(idOf);
  const list = ids.map((id) => `"${id}"`).join(', ');
  let chosen: Record<string, unknown> | undefined;
  if (args.report === undefined) {
    if (entries.length > 1) {
      throw new UsageError(
        `${file} holds ${entries.length} reports: pick one with --report <id> (${list})`,
      );
    }
    chosen = entries[0];
  } else {
    chosen = entries.find((entry) => idOf(entry) === args.report);
    if (!chosen) {
      throw new UsageError(
        `--report "${args.report}" is not a report of ${file}; its reports are ${list}`,
      );
    }
  }
  const { schedule: _schedule, ...report } = chosen as Record<string, unknown>;
  return report;
}

/**
 * The period to report: the --period key, or the last period of the configured kind that
 * has ended. A period that has not ended is refused, as the deployed job refuses it: its
 * numbers would silently cover part of it.
 */
export function resolveReportPeriod(
  config: ReportConfig,
  key: string | undefined,
  nowMs: number,
): Period {
  const last = lastCompletePeriod(nowMs, config.period, config.timezone);
  if (key === undefined) return last;
  let period: Period;
  try {
    period = parsePeriodKey(key, config.timezone);
  } catch (error) {
    if (error instanceof PeriodError)
      throw new UsageError(`--period ${oneLine(error).replace(/^period /, '')}`);
    throw error;
  }
  if (period.end > nowMs) {
    throw new UsageError(
      `--period ${key} has not ended yet in ${config.timezone}; the last complete ${config.period} is ${last.key}`,
    );
  }
  return period;
}

export interface LocalReportResult {
  config: ReportConfig;
  period: Period;
  /** The reported period with previous values and deltas (as in snapshot.json). */
  snapshot: Snapshot;
  /** The trend periods, oldest first, the reported one last (as in history.json). */
  history: Snapshot[];
  headline: MetricView[];
  /** `Week 47 (16 – 22 Nov 2026)`-style words for the period. */
  periodWords: string;
  rejected: Partial<Record<string, { rows: number; path: string }>>;
  files: {
    snapshot: string;
    history: string;
    html: string;
    text: string;
    charts: string[];
    rejectedDir: string;
  };
  /** This period's kept copy and the archive's index page (reports/<id>/). */
  archive?: { html: string; index: string };
  inputFiles: number;
  inputBytes: number;
  seconds: number;
}

/** Files of an earlier run that this run would not overwrite but that would no longer match. */
async function clearStaleOutputs(out: string): Promise<void> {
  await rm(join(out, 'rejected'), { recursive: true, force: true });
  let names: string[] = [];
  try {
    names = await readdir(out);
  } catch {
    return;
  }
  await Promise.all(
    names.filter((n) => /^trend-.*\.png$/.test(n)).map((n) => rm(join(out, n), { force: true })),
  );
}

export interface RunOptions {
  /**
   * The instant that decides which periods have ended. The demo sets it to the end of the
   * sample data, whose weeks are in the future on a machine whose clock is behind.
   * @default - the clock (`io.now()`)
   */
  nowMs?: number;
}

/** Runs the report on a folder and writes every output. Throws UsageError for bad input. */
export async function runLocalReport(
  args: ReportArgs,
  io: CliIo,
  options: RunOptions = {},
): Promise<LocalReportResult> {
  const started = io.now();
  const config = await loadReportConfig(args);
  const period = resolveReportPeriod(config, args.period, options.nowMs ?? io.now());

  const source = new LocalExportSource(args.data);
  const files = await source.list();
  for (const name of source.skipped) {
    io.err(`report: skipping ${join(args.data, name)}: not named after a dataset\n`);
  }
  if (files.length === 0) {
    throw new UsageError(
      `--data folder "${args.data}" holds no export files (expected e.g. orders.csv or orders/; see ${COMMAND} --help)`,
    );
  }
  const inputBytes = files.reduce((sum, f) => sum + f.bytes, 0);

  await mkdir(args.out, { recursive: true });
  await clearStaleOutputs(args.out);
  const rejectedDir = join(args.out, 'rejected');
  const rejects = new RejectedRowsWriter(rejectedDir);

  // trendPeriods periods end with the reported one; one more in front gives the oldest
  // its delta. All in one engine call: the files are read once whatever the count.
  const trend = config.email.trendPeriods;
  const periods = Array.from({ length: trend + 1 }, (_, i) => shiftPeriod(period, i - trend));
  // The CLV models cost about a second per period on a large orders export: fit them for the
  // reported period and its previous one (its delta) only, unless a trend chart shows them.
  const modelIds = ['clv_bgnbd', 'expected_purchases_next_period', 'at_risk_customers'];
  const chartsModels = config.email.headline.some((id) => modelIds.includes(id));
  const modelPeriods = chartsModels ? undefined : periods.slice(-2).map((p) => p.key);
  const showProgress = args.progress || io.errIsTTY;
  const progress = showProgress ? terminalProgress(io, inputBytes) : NO_PROGRESS;
  let snapshots: Snapshot[];
  try {
    ({ snapshots } = await computeSnapshots({
      files,
      config,
      periods,
      ...(modelPeriods ? { modelPeriods } : {}),
      onReject: rejects.sink,
      // DuckDB reads a local file in one call: the line names the file being read and
      // counts the bytes and rows of the files done.
      onFileStart: (p) => progress.update(p.file, 0, 0),
      onProgress: (p) => progress.fileDone(p.bytes, p.rows),
    }));
  } finally {
    progress.finish();
  }
  const rejected = rejects.close();

  const history = snapshots.slice(1).map((s, i) => withDeltas(s, snapshots[i]));
  const snapshot = history[history.length - 1] as Snapshot;
  const input = {
    snapshot,
    history: history.slice(0, -1),
    config,
    rejectedLocation: `${rejectedDir}/`,
  };
  const rendered = await renderReport(input);
  const view = buildReportView(input);

  // The email refers to its charts by Content-ID; a file on disk refers to them by name.
  let html = rendered.html;
  for (const image of rendered.images) html = html.replaceAll(`cid:${image.cid}`, image.filename);

  const paths = {
    snapshot: join(args.out, 'snapshot.json'),
    history: join(args.out, 'history.json'),
    html: join(args.out, 'report.html'),
    text: join(args.out, 'report.txt'),
    charts: rendered.images.map((image) => join(args.out, image.filename)),
    rejectedDir,
  };
  await Promise.all([
    writeFile(paths.snapshot, `${JSON.stringify(snapshot, null, 2)}\n`),
    writeFile(paths.history, `${JSON.stringify(history, null, 2)}\n`),
    writeFile(paths.html, html),
    writeFile(paths.text, rendered.text),
    ...rendered.images.map((image, i) => writeFile(paths.charts[i] as string, image.content)),
  ]);
  const archive = await keepInLocalArchive(args.out, {
    config,
    snapshot,
    view,
    html,
    text: rendered.text,
    images: rendered.images,
    nowMs: io.now(),
  });

  return {
    config,
    period,
    snapshot,
    history,
    headline: view.headline,
    periodWords: view.period.long,
    rejected,
    files: paths,
    archive,
    inputFiles: files.length,
    inputBytes,
    seconds: (io.now() - started) / 1000,
  };
}

function headlineLine(m: MetricView): string {
  const delta = m.delta.text ? `  ${[m.delta.arrow, m.delta.text].filter(Boolean).join(' ')}` : '';
  const reason = m.isNull && m.reason ? `  (${m.reason})` : '';
  return `  ${m.label}: ${m.value}${delta}${reason}`;
}

/** What the command prints on stdout after a run; `show` shortens the paths. */
export function summaryLines(
  result: LocalReportResult,
  show: (path: string) => string = (path) => path,
): string[] {
  const lines = [
    `${result.config.name} · ${result.period.key} · ${result.periodWords}`,
    ...result.headline.map(headlineLine),
  ];
  const rejected = Object.entries(result.rejected).filter(([, r]) => r !== undefined);
  const total = rejected.reduce((sum, [, r]) => sum + (r?.rows ?? 0), 0);
  lines.push(
    total === 0
      ? 'Rejected rows: none'
      : `Rejected rows: ${total} (${rejected.map(([d, r]) => `${d} ${r?.rows}`).join(', ')}) in ${show(result.files.rejectedDir)}/`,
  );
  for (const quality of Object.values(result.snapshot.quality)) {
    for (const file of quality?.filesRejected ?? []) {
      lines.push(`File not read: ${show(file.key)}: ${file.reason}`);
    }
  }
  lines.push(
    `Read ${result.inputFiles} file${result.inputFiles === 1 ? '' : 's'} (${(result.inputBytes / 1024 / 1024).toFixed(1)} MB) in ${result.seconds.toFixed(1)} s`,
    `Report:   ${show(result.files.html)}`,
    `          ${show(result.files.text)}`,
    `Snapshot: ${show(result.files.snapshot)}`,
  );
  if (result.archive) lines.push(`Archive:  ${show(result.archive.index)}`);
  return lines;
}

/** Runs the report command; resolves with the exit code. */
export async function reportMain(argv: string[], io: CliIo): Promise<number> {
  // `--list` is its own command (scripts/cli/archive.ts), with its own flags.
  if (argv.includes('--list')) return listMain(argv, io);
  let args: ReportArgs | 'help';
  try {
    args = parseReportArgs(argv);
  } catch (error) {
    io.err(`report: ${oneLine(error)}\n`);
    return 2;
  }
  if (args === 'help') {
    io.out(REPORT_USAGE);
    return 0;
  }
  try {
    const result = await runLocalReport(args, io);
    for (const line of summaryLines(result)) io.out(line);
    return 0;
  } catch (error) {
    io.err(`report: ${oneLine(error)}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
}
