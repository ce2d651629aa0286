/**
 * The report archive on the command line.
 *
 * - Each local run keeps its report under `<out>/reports/<id>/<period>/` (report.html with
 *   its charts, report.txt) and lists it in `<out>/reports/<id>/index.json|html`, the same
 *   layout the deployed job keeps in S3 (functions/core/jobs/archive.ts).
 * - `npm run report -- --list --out <dir>` prints that archive; `--list --bucket <name>`
 *   reads the deployed one from S3 with your own AWS credentials and prints a presigned
 *   link (valid 7 days) per period.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  type S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { createS3Client } from '../../functions/adapters/clients';
import type { ReportConfig } from '../../functions/core/config';
import { updateArchiveIndex } from '../../functions/core/jobs/archive';
import type { VersionedText, VersionedTextStore } from '../../functions/core/jobs/ports';
import {
  type ArchiveEntry,
  type ArchiveIndex,
  archiveIndexHtmlKey,
  archiveIndexKey,
  parseArchiveIndex,
} from '../../functions/core/report/archive';
import { reportDigest } from '../../functions/core/report/slack';
import type { ReportView } from '../../functions/core/report/view';
import type { Snapshot } from '../../functions/core/snapshot';
import { type CliIo, oneLine, parseStrict, UsageError } from './io';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** A lock older than this is left over from a run that crashed, and is removed. */
const STALE_LOCK_MS = 30_000;

/**
 * The archive's keys as files under a folder. The version of a file is the SHA-256 of its
 * text; a conditional write takes `<file>.lock` (created exclusively, so two processes
 * cannot both hold it), compares, writes a temporary file and renames it over the old one
 * (a reader never sees half a file).
 */
export class LocalArchiveStore implements VersionedTextStore {
  constructor(readonly root: string) {}

  path(key: string): string {
    return join(this.root, ...key.split('/'));
  }

  async getText(key: string): Promise<VersionedText | undefined> {
    try {
      const text = await readFile(this.path(key), 'utf8');
      return { text, etag: sha256(text) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async putTextIfUnchanged(
    key: string,
    text: string,
    _contentType: string,
    etag: string | undefined,
  ): Promise<string | undefined> {
    const path = this.path(key);
    await mkdir(dirname(path), { recursive: true });
    const lock = `${path}.lock`;
    const handle = await this.lock(lock);
    if (!handle) return undefined; // another writer holds it: the caller re-reads and retries
    try {
      const current = await this.getText(key);
      if (current?.etag !== etag) return undefined;
      await this.replace(path, text);
      return sha256(text);
    } finally {
      await handle.close();
      await rm(lock, { force: true });
    }
  }

  async putText(key: string, text: string, _contentType: string): Promise<void> {
    const path = this.path(key);
    await mkdir(dirname(path), { recursive: true });
    await this.replace(path, text);
  }

  private async replace(path: string, text: string): Promise<void> {
    const temporary = `${path}.${randomUUID()}.tmp`;
    await writeFile(temporary, text);
    await rename(temporary, path);
  }

  private async lock(lock: string) {
    try {
      return await open(lock, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const info = await stat(lock).catch(() => undefined);
      if (info && Date.now() - info.mtimeMs > STALE_LOCK_MS) await rm(lock, { force: true });
      return undefined;
    }
  }
}

/** `<out>/reports/<id>/<period>/report.html` and its neighbours. */
export function localArchiveFolder(out: string, reportId: string, periodKey: string): string {
  return join(out, 'reports', reportId, periodKey);
}

export interface KeepInput {
  config: ReportConfig;
  snapshot: Snapshot;
  view: ReportView;
  /** The HTML as written next to its charts (they are referred to by file name). */
  html: string;
  text: string;
  images: readonly { filename: string; content: Buffer }[];
  nowMs: number;
}

/**
 * Keeps a local run's report in `<out>/reports/` and lists it in the index. Every local run
 * is revision 0 (there is no send ledger): running a period again replaces its entry.
 */
export async function keepInLocalArchive(
  out: string,
  input: KeepInput,
): Promise<{ html: string; index: string }> {
  const { config, snapshot } = input;
  const folder = localArchiveFolder(out, config.reportId, snapshot.period.key);
  await mkdir(folder, { recursive: true });
  const html = join(folder, 'report.html');
  await Promise.all([
    writeFile(html, input.html),
    writeFile(join(folder, 'report.txt'), input.text),
    ...input.images.map((image) => writeFile(join(folder, image.filename), image.content)),
  ]);
  const store = new LocalArchiveStore(out);
  const digest = reportDigest(input.view, snapshot.period, config.locale, 0);
  await updateArchiveIndex(
    store,
    { reportId: config.reportId, name: config.name },
    {
      periodKey: digest.periodKey,
      label: digest.periodLabel,
      sentAt: new Date(input.nowMs).toISOString(),
      revision: 0,
      headline: digest.headline,
    },
  );
  return { html, index: store.path(archiveIndexHtmlKey(config.reportId)) };
}

export const LIST_USAGE = `Usage: npm run report -- --list --out <dir> [--report <id>]
       npm run report -- --list --bucket <name> [--report <id>]

Prints the report archive: each kept period with its headline numbers, newest first.

  --out <dir>       a local run's folder: prints the file of each period's report
                    (<dir>/reports/<id>/<period>/report.html)
  --bucket <name>   the deployed bucket: reads reports/<id>/index.json with your own AWS
                    credentials (AWS_PROFILE, AWS_REGION …) and prints a presigned link per
                    period, valid 7 days (or until your session's credentials expire,
                    whichever comes first). Needs s3:GetObject on reports/ (and
                    s3:ListBucket without --report)
  --report <id>     only this report (default: every report found)
  --help            show this help
`;

const OPTIONS = {
  list: { type: 'boolean' },
  out: { type: 'string' },
  bucket: { type: 'string' },
  report: { type: 'string' },
  help: { type: 'boolean' },
} as const;

const COMMAND = 'npm run report -- --list';

/** A presigned link's lifetime: S3's maximum for Signature Version 4. */
export const PRESIGN_SECONDS = 7 * 24 * 60 * 60;

export interface ListArgs {
  out?: string;
  bucket?: string;
  report?: string;
}

export function parseListArgs(argv: string[]): ListArgs | 'help' {
  const { values } = parseStrict(argv, OPTIONS, COMMAND);
  if (values.help) return 'help';
  if ((values.out === undefined) === (values.bucket === undefined)) {
    throw new UsageError(
      `--list reads either a local folder (--out <dir>) or a bucket (--bucket <name>), one of the two (see ${COMMAND} --help)`,
    );
  }
  if (values.report !== undefined && !/^[a-z0-9][a-z0-9-]{0,62}$/.test(values.report)) {
    throw new UsageError(`--report "${values.report}" is not a report id (e.g. "engagement")`);
  }
  const args: ListArgs = {};
  if (values.out !== undefined) args.out = values.out;
  if (values.bucket !== undefined) args.bucket = values.bucket;
  if (values.report !== undefined) args.report = values.report;
  return args;
}

/** The lines printed for one report's index; `where` gives each period's path or link. */
export function archiveLines(
  index: ArchiveIndex,
  where: (entry: ArchiveEntry) => string,
): string[] {
  const count = index.entries.length;
  const lines = [`${index.name} (${index.reportId}): ${count} period${count === 1 ? '' : 's'}`];
  for (const entry of index.entries) {
    const revised = entry.revision > 0 ? ` · revised (${entry.revision})` : '';
    lines.push(`  ${entry.periodKey} · ${entry.label}${revised} · sent ${entry.sentAt}`);
    for (const h of entry.headline) {
      lines.push(`    ${h.label}: ${h.value}${h.delta ? `  ${h.delta}` : ''}`);
    }
    lines.push(`    ${where(entry)}`);
  }
  return lines;
}

async function localReportIds(out: string, only: string | undefined): Promise<string[]> {
  if (only !== undefined) return [only];
  try {
    const names = await readdir(join(out, 'reports'), { withFileTypes: true });
    return names
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

async function listLocal(args: ListArgs & { out: string }, io: CliIo): Promise<number> {
  const store = new LocalArchiveStore(args.out);
  let found = 0;
  for (const id of await localReportIds(args.out, args.report)) {
    const stored = await store.getText(archiveIndexKey(id));
    if (!stored) continue;
    const index = parseArchiveIndex(stored.text);
    if (found > 0) io.out('');
    found++;
    for (const line of archiveLines(index, (e) =>
      store.path(`reports/${id}/${e.periodKey}/report.html`),
    )) {
      io.out(line);
    }
    io.out(`  Index: ${store.path(archiveIndexHtmlKey(id))}`);
  }
  if (found === 0) {
    throw new UsageError(
      args.report === undefined
        ? `--out folder "${args.out}" holds no archive (reports/<id>/index.json); a local run writes one`
        : `--out folder "${args.out}" holds no archive of report "${args.report}"`,
    );
  }
  return 0;
}

function isMissing(error: unknown): boolean {
  return (
    error instanceof NoSuchKey ||
    (error instanceof S3ServiceException && error.name === 'NoSuchKey')
  );
}

async function s3ReportIds(s3: S3Client, bucket: string, only: string | undefined) {
  if (only !== undefined) return [only];
  const ids: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: 'reports/',
        Delimiter: '/',
        ContinuationToken: token,
      }),
    );
    for (const p of page.CommonPrefixes ?? []) {
      const id = p.Prefix?.slice('reports/'.length).replace(/\/$/, '');
      if (id) ids.push(id);
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return ids.sort();
}

async function listBucket(
  args: ListArgs & { bucket: string },
  io: CliIo,
  s3: S3Client,
): Promise<number> {
  const { bucket } = args;
  const presign = (key: string) =>
    getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key }), {
      expiresIn: PRESIGN_SECONDS,
    });
  let found = 0;
  for (const id of await s3ReportIds(s3, bucket, args.report)) {
    let text: string;
    try {
      const response = await s3.send(
        new GetObjectCommand({ Bucket: bucket, Key: archiveIndexKey(id) }),
      );
      text = (await response.Body?.transformToString('utf-8')) ?? '';
    } catch (error) {
      if (isMissing(error)) continue;
      throw error;
    }
    const index = parseArchiveIndex(text);
    const links = new Map<string, string>();
    for (const entry of index.entries) {
      links.set(entry.periodKey, await presign(`reports/${id}/${entry.periodKey}/report.html`));
    }
    if (found > 0) io.out('');
    found++;
    for (const line of archiveLines(index, (e) => links.get(e.periodKey) ?? '')) io.out(line);
    // The index page's links are relative: they open from a downloaded folder, not from a
    // presigned link, so the index itself is not linked here.
    io.out(`  Index: s3://${bucket}/${archiveIndexHtmlKey(id)}`);
  }
  if (found === 0) {
    throw new UsageError(
      args.report === undefined
        ? `bucket "${bucket}" holds no archive (reports/<id>/index.json) yet; the report function writes one with its first sent report`
        : `bucket "${bucket}" holds no archive of report "${args.report}" (reports/${args.report}/index.json)`,
    );
  }
  return 0;
}

/** Runs `--list`; resolves with the exit code. `s3` is for tests (default: your credentials). */
export async function listMain(argv: string[], io: CliIo, s3?: S3Client): Promise<number> {
  let args: ListArgs | 'help';
  try {
    args = parseListArgs(argv);
  } catch (error) {
    io.err(`report: ${oneLine(error)}\n`);
    return 2;
  }
  if (args === 'help') {
    io.out(LIST_USAGE);
    return 0;
  }
  try {
    if (args.out !== undefined) return await listLocal({ ...args, out: args.out }, io);
    return await listBucket({ ...args, bucket: args.bucket as string }, io, s3 ?? createS3Client());
  } catch (error) {
    io.err(`report: ${oneLine(error)}\n`);
    // A damaged index (ArchiveIndexError) or an S3 refusal is not a wrong flag: exit 1.
    return error instanceof UsageError ? 2 : 1;
  }
}
