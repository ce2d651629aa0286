/**
 * The report archive: every sent report is kept under `reports/<id>/<period>/report.html`,
 * and `reports/<id>/index.json` lists the periods with their headline numbers. The index
 * page (`index.html`, rendered from it) is what people open: from the email footer, the
 * CLI (`npm run report -- --list`), or a downloaded copy of the folder.
 *
 * One entry per period: a revised report of a period replaces that period's entry (and
 * the page marks it "revised"), so the list reads as the numbers as they stand now.
 */
import { z } from 'zod';
import { escapeHtml } from './escape';

export interface ArchiveHeadline {
  label: string;
  /** As the email shows it (`1,234`, `4.2%`). */
  value: string;
  /** As the email shows it (`+3.1%`); none when there is no earlier period. */
  delta?: string;
}

export interface ArchiveEntry {
  periodKey: string;
  /** The period in words (`Week 44, Oct 26 – Nov 1 2026`). */
  label: string;
  /** ISO 8601: when this revision of the period's report went out. */
  sentAt: string;
  /** 0 for the period's first report, n for its n-th revised one. */
  revision: number;
  headline: ArchiveHeadline[];
}

export interface ArchiveIndex {
  reportId: string;
  /** The report's name as configured (shown as the page title). */
  name: string;
  /** Newest period first, one per period. */
  entries: ArchiveEntry[];
}

export class ArchiveIndexError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ArchiveIndexError';
  }
}

const ArchiveHeadlineSchema = z.object({
  label: z.string({ error: 'a headline label must be text' }),
  value: z.string({ error: 'a headline value must be text' }),
  delta: z.string({ error: 'a headline delta, when given, must be text' }).optional(),
});

const ArchiveEntrySchema = z.object({
  periodKey: z.string().min(1, 'an entry needs its period key'),
  label: z.string({ error: 'an entry needs its period label' }),
  sentAt: z.string({ error: 'an entry needs the time it was sent' }),
  revision: z.number().int().min(0, 'a revision is a whole number from 0'),
  headline: z.array(ArchiveHeadlineSchema),
});

const ArchiveIndexSchema = z.object({
  reportId: z.string().min(1, 'the index needs its report id'),
  name: z.string({ error: 'the index needs the report name' }),
  entries: z.array(ArchiveEntrySchema),
});

export function archiveIndexKey(reportId: string): string {
  return `reports/${reportId}/index.json`;
}

export function archiveIndexHtmlKey(reportId: string): string {
  return `reports/${reportId}/index.html`;
}

/** An empty index, for a report's first archived period. */
export function emptyArchiveIndex(reportId: string, name: string): ArchiveIndex {
  return { reportId, name, entries: [] };
}

/** Parses a stored `index.json`; throws an ArchiveIndexError saying what is wrong. */
export function parseArchiveIndex(json: string): ArchiveIndex {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    throw new ArchiveIndexError(
      `the archive index is not valid JSON (${error instanceof Error ? error.message : String(error)})`,
      { cause: error },
    );
  }
  const parsed = ArchiveIndexSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}`)
      .join('; ');
    throw new ArchiveIndexError(`the archive index is not in the expected shape: ${problems}`);
  }
  return { ...parsed.data, entries: sortEntries(parsed.data.entries) };
}

/**
 * Newest period first. Keys of one kind sort as their periods (`2026-W09` < `2026-W44`,
 * `2026-09` < `2026-11`, `2026-Q3` < `2026-Q4`); numeric collation keeps that true even for
 * a key written without its leading zero.
 */
function sortEntries(entries: readonly ArchiveEntry[]): ArchiveEntry[] {
  return [...entries].sort((a, b) =>
    b.periodKey.localeCompare(a.periodKey, 'en', { numeric: true }),
  );
}

/**
 * The index with `entry` in its period's place: added, or replacing the period's entry.
 * An entry of an older revision than the one listed is ignored, so a slow retry of a
 * period's first send never hides its revised numbers.
 */
export function upsertArchiveEntry(index: ArchiveIndex, entry: ArchiveEntry): ArchiveIndex {
  const existing = index.entries.find((e) => e.periodKey === entry.periodKey);
  if (existing && existing.revision > entry.revision) return index;
  const others = index.entries.filter((e) => e.periodKey !== entry.periodKey);
  return { ...index, entries: sortEntries([...others, entry]) };
}

/** `2026-11-02T08:00:05.000Z` → `2026-11-02 08:00 UTC`; anything else as it is. */
function sentWhen(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * The index page: a complete HTML document with no external resources, so it opens the
 * same from the bucket, a presigned link or a downloaded folder. One row per period, one
 * column per headline metric (every label any entry has, in the newest entry's order
 * first: the headline config can change over time). `hrefFor` gives each period's link.
 */
export function renderArchiveIndex(
  index: ArchiveIndex,
  hrefFor: (entry: ArchiveEntry) => string,
): string {
  const entries = sortEntries(index.entries);
  const labels: string[] = [];
  for (const entry of entries) {
    for (const h of entry.headline) if (!labels.includes(h.label)) labels.push(h.label);
  }
  const title = `${index.name}: report archive`;
  const head = ['Period', ...labels, 'Sent']
    .map((label) => `<th scope="col">${escapeHtml(label)}</th>`)
    .join('');
  const rows = entries.map((entry) => {
    const revised = entry.revision > 0 ? ' <span class="revised">revised</span>' : '';
    const cells = labels.map((label) => {
      const h = entry.headline.find((x) => x.label === label);
      if (!h) return '<td class="num">–</td>';
      const delta = h.delta ? `<span class="delta">${escapeHtml(h.delta)}</span>` : '';
      return `<td class="num">${escapeHtml(h.value)}${delta}</td>`;
    });
    return [
      '<tr>',
      `<th scope="row"><a href="${escapeHtml(hrefFor(entry))}">${escapeHtml(entry.label)}</a>${revised}</th>`,
      ...cells,
      `<td>${escapeHtml(sentWhen(entry.sentAt))}</td>`,
      '</tr>',
    ].join('');
  });
  const body =
    entries.length === 0
      ? '<p>No report has been kept yet.</p>'
      : `<table><thead><tr>${head}</tr></thead><tbody>${rows.join('\n')}</tbody></table>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#1f2933;margin:2rem auto;max-width:60rem;padding:0 1rem}
table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #d9e2ec;padding:.5rem;text-align:left;vertical-align:top}
td.num{text-align:right;white-space:nowrap}
.delta{display:block;color:#52606d;font-size:.85em}
.revised{background:#fff3c4;border-radius:3px;font-size:.8em;padding:0 .3em}
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${body}
</body>
</html>
`;
}
