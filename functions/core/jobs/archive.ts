/**
 * Keep the archive's index up to date: `reports/<id>/index.json` (the list of kept periods
 * with their headline numbers) and `index.html` (the page people open), next to the kept
 * copies `reports/<id>/<period>/report.html`.
 *
 * Two report runs can finish at the same moment (a scheduled run and an operator's, or two
 * periods of a backfill run by hand in two shells). Each reads the index, adds its entry and
 * writes it back only if the index is still the version it read (a conditional put on the
 * ETag; `IfNoneMatch: *` for the first entry), so neither loses the other's entry: the one
 * that loses re-reads and tries again.
 *
 * The page is rendered from the index and written unconditionally, then the index is read
 * again: if another run wrote a newer index meanwhile, its page may have been overwritten by
 * ours, so ours is rendered again from the newer index. The last run to check sees the
 * newest index, so the page ends up matching it.
 */
import {
  type ArchiveEntry,
  type ArchiveIndex,
  archiveIndexHtmlKey,
  archiveIndexKey,
  emptyArchiveIndex,
  parseArchiveIndex,
  renderArchiveIndex,
  upsertArchiveEntry,
} from '../report/archive';
import { JobError, type VersionedTextStore } from './ports';

/** How many times a lost conditional write is re-read and tried again. */
export const ARCHIVE_ATTEMPTS = 6;

/** Another writer kept changing the index for every attempt. */
export class ArchiveConflictError extends JobError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ArchiveConflictError';
  }
}

/** The index page's link to a period: relative, so a downloaded folder works as it is. */
export function relativeReportHref(entry: ArchiveEntry): string {
  return `${encodeURIComponent(entry.periodKey)}/report.html`;
}

export interface ArchiveUpdateOptions {
  /** @default ARCHIVE_ATTEMPTS */
  attempts?: number;
  /** The wait before the n-th retry is `baseDelayMs × n`, plus up to as much again at random. @default 50 */
  baseDelayMs?: number;
  /** @default - setTimeout */
  sleep?: (ms: number) => Promise<void>;
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Adds (or replaces) `entry` in the report's index and re-renders the page; returns the
 * index as written. Throws an ArchiveIndexError when the stored index cannot be read (it is
 * left as it is, for a person to look at), an ArchiveConflictError when every attempt lost.
 */
export async function updateArchiveIndex(
  store: VersionedTextStore,
  report: { reportId: string; name: string },
  entry: ArchiveEntry,
  options: ArchiveUpdateOptions = {},
): Promise<ArchiveIndex> {
  const attempts = options.attempts ?? ARCHIVE_ATTEMPTS;
  const baseDelayMs = options.baseDelayMs ?? 50;
  const sleep = options.sleep ?? wait;
  const jsonKey = archiveIndexKey(report.reportId);

  let written: { index: ArchiveIndex; etag: string } | undefined;
  for (let attempt = 1; attempt <= attempts && !written; attempt++) {
    if (attempt > 1) {
      // Jittered, so two runs that collided do not collide again in step.
      await sleep(baseDelayMs * (attempt - 1) * (1 + Math.random()));
    }
    const current = await store.getText(jsonKey);
    const index = current
      ? parseArchiveIndex(current.text)
      : emptyArchiveIndex(report.reportId, report.name);
    // The name as configured now: a renamed report shows its new name.
    const next = upsertArchiveEntry({ ...index, name: report.name }, entry);
    const etag = await store.putTextIfUnchanged(
      jsonKey,
      `${JSON.stringify(next, null, 2)}\n`,
      'application/json; charset=utf-8',
      current?.etag,
    );
    if (etag !== undefined) written = { index: next, etag };
  }
  if (!written) {
    throw new ArchiveConflictError(
      `the archive index ${jsonKey} changed under every one of ${attempts} attempts to add ${entry.periodKey}`,
    );
  }

  const htmlKey = archiveIndexHtmlKey(report.reportId);
  let source = written;
  for (let round = 1; round <= attempts; round++) {
    await store.putText(
      htmlKey,
      renderArchiveIndex(source.index, relativeReportHref),
      'text/html; charset=utf-8',
    );
    const latest = await store.getText(jsonKey);
    if (!latest || latest.etag === source.etag) break;
    source = { index: parseArchiveIndex(latest.text), etag: latest.etag };
  }
  return written.index;
}
