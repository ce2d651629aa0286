/**
 * What the links function answers: the signed links of the report email (see
 * functions/core/report/links.ts for the tokens).
 *
 * - `GET /unsubscribe?t=…` shows a page with a button; it unsubscribes nobody. Mail
 *   scanners and link previews open every link of an email, so a GET that unsubscribed
 *   would unsubscribe people who never clicked.
 * - `POST /unsubscribe?t=…` unsubscribes: a mail client's RFC 8058 one-click POST (body
 *   `List-Unsubscribe=One-Click`) or the page's button. Doing it twice changes nothing.
 * - `GET /archive?t=…` redirects to a presigned S3 URL of the period's stored copy, valid
 *   for five minutes, or (the index token) shows the list of stored periods, each linked
 *   through its own signed `/archive` link.
 *
 * Why the email holds links to this function rather than presigned S3 URLs: a URL presigned
 * by a Lambda function is signed with its role's temporary credentials and stops working
 * when they expire, after a few hours at most, long before people open an old report. This
 * function presigns at the moment of the click instead.
 *
 * Every answer is a small HTML page or a redirect: a bad or tampered token gets a plain
 * 400/403 page, an error a 500 page, never a stack trace.
 */
import {
  type ArchiveIndex,
  archiveIndexKey,
  parseArchiveIndex,
  renderArchiveIndex,
} from '../report/archive';
import { escapeHtml as e } from '../report/escape';
import {
  ARCHIVE_INDEX,
  type LinkClaim,
  type LinkKind,
  type LinkSigner,
  LinkTokenError,
  linkUrl,
} from '../report/links';
import { assertIsError, type JobLogger, type SuppressionList, silentLogger } from './ports';

/**
 * The stored copy of a period's email, as `reportKeys` (functions/core/jobs/report.ts) writes
 * it; not imported from there, which would bundle the whole report job into this function.
 */
export const storedReportKey = (reportId: string, periodKey: string) =>
  `reports/${reportId}/${periodKey}/report.html`;

/** How long the presigned URL of a stored report works: enough to follow the redirect. */
export const ARCHIVE_URL_SECONDS = 300;

/** The stored reports, as the links function reads them. */
export interface ArchiveReader {
  /** The object's text, or undefined when there is none. */
  readText(key: string): Promise<string | undefined>;
  exists(key: string): Promise<boolean>;
  /** A URL that GETs the object without credentials for `seconds`. */
  presignGet(key: string, seconds: number): Promise<string>;
}

export interface LinksDeps {
  signer: LinkSigner;
  suppressions: SuppressionList;
  archive: ArchiveReader;
  logger?: JobLogger;
  /** @default - Date.now */
  now?: () => number;
}

/** One HTTP request, as the handler reads it from the Function URL event. */
export interface LinkRequest {
  method: string;
  path: string;
  /** The `t` query parameter. */
  token?: string;
  /** The decoded body of a POST. */
  body?: string;
}

export interface LinkResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Sent with every page: nothing cached (a page answers one token), no referrer (the URL
 * holds the token), no script, no framing; forms may post only back here.
 */
const PAGE_HEADERS: Record<string, string> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};

function page(status: number, title: string, paragraphs: string, extraHeaders = {}): LinkResponse {
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${e(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#1f2937}button{font:inherit;padding:.5rem 1.25rem;border-radius:6px;border:1px solid #1f2937;background:#1f2937;color:#fff;cursor:pointer}</style>
</head><body><h1>${e(title)}</h1>
${paragraphs}
</body></html>
`;
  return { status, headers: { ...PAGE_HEADERS, ...extraHeaders }, body };
}

const TOKEN_PAGES: Record<LinkTokenError['problem'], { status: number; text: string }> = {
  malformed: {
    status: 400,
    text: 'This link is incomplete: perhaps it was cut when it was copied. Open it again from the email, or copy the whole of it.',
  },
  forged: {
    status: 403,
    text: 'This link is not valid: it was changed, or it was not made by this report.',
  },
  'wrong-kind': { status: 403, text: 'This link is not meant for this page.' },
};

/** The report's name from its archive index, or a description when that cannot be read. */
async function reportName(deps: LinksDeps, reportId: string): Promise<string> {
  try {
    const text = await deps.archive.readText(archiveIndexKey(reportId));
    if (text !== undefined) return parseArchiveIndex(text).name;
  } catch (error) {
    // The name is decoration: an unreadable index must not stop an unsubscribe.
    assertIsError(error);
    (deps.logger ?? silentLogger).warn('could not read the report name from the archive index', {
      reportId,
      error: error.message,
    });
  }
  return `the report “${reportId}”`;
}

/**
 * Whether a POST is a mail client's one-click request or the page's button. Any POST with a
 * valid token unsubscribes: RFC 8058 clients send `List-Unsubscribe=One-Click`, but some
 * send it as multipart/form-data, and a POST is intent enough (scanners only GET).
 */
function sourceOf(body: string | undefined): 'one-click' | 'button' {
  return new URLSearchParams(body ?? '').get('confirm') === 'button' ? 'button' : 'one-click';
}

async function unsubscribe(
  deps: LinksDeps,
  request: LinkRequest,
  claim: Extract<LinkClaim, { kind: 'unsubscribe' }>,
): Promise<LinkResponse> {
  const logger = deps.logger ?? silentLogger;
  const name = await reportName(deps, claim.reportId);
  if (request.method === 'GET' || request.method === 'HEAD') {
    // The form posts back to this same URL, token included.
    return page(
      200,
      'Unsubscribe?',
      `<p>Stop sending <strong>${e(name)}</strong> to you?</p>
<form method="post"><input type="hidden" name="confirm" value="button"><button type="submit">Unsubscribe</button></form>`,
    );
  }
  const source = sourceOf(request.body);
  const now = new Date((deps.now ?? Date.now)()).toISOString();
  const { added } = await deps.suppressions.suppress({
    reportId: claim.reportId,
    recipientHash: claim.recipientHash,
    at: now,
    source,
  });
  // The hash is no address, but a short prefix is enough to match log lines.
  logger.info(added ? 'a recipient unsubscribed' : 'a recipient was already unsubscribed', {
    reportId: claim.reportId,
    recipient: claim.recipientHash.slice(0, 12),
    source,
  });
  return added
    ? page(
        200,
        'You are unsubscribed',
        `<p>You will no longer receive <strong>${e(name)}</strong>.</p>`,
      )
    : page(
        200,
        'Already unsubscribed',
        `<p>You were already unsubscribed from <strong>${e(name)}</strong>; nothing changed.</p>`,
      );
}

async function archive(
  deps: LinksDeps,
  claim: Extract<LinkClaim, { kind: 'archive' }>,
): Promise<LinkResponse> {
  const { reportId, periodKey } = claim;
  if (periodKey !== ARCHIVE_INDEX) {
    const key = storedReportKey(reportId, periodKey);
    if (!(await deps.archive.exists(key))) {
      return page(
        404,
        'Not in the archive',
        `<p>The report for ${e(periodKey)} is not stored.</p>`,
      );
    }
    const url = await deps.archive.presignGet(key, ARCHIVE_URL_SECONDS);
    return {
      status: 302,
      headers: { location: url, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' },
      body: '',
    };
  }
  const text = await deps.archive.readText(archiveIndexKey(reportId));
  if (text === undefined) {
    return page(404, 'No reports yet', '<p>No report has been stored yet.</p>');
  }
  const index: ArchiveIndex = parseArchiveIndex(text);
  if (index.reportId !== reportId) {
    throw new Error(`the archive index of ${reportId} names report ${index.reportId}`);
  }
  // Root-relative: the page is served by this function, so its links need no base URL
  // (the function's own URL cannot be in its environment: the URL is made from the function).
  const html = renderArchiveIndex(index, (entry) => {
    try {
      return linkUrl('', deps.signer, { kind: 'archive', reportId, periodKey: entry.periodKey });
    } catch {
      // An entry whose period is not a period key cannot be signed (nor stored): no link.
      return '#';
    }
  });
  return { status: 200, headers: PAGE_HEADERS, body: html };
}

const ROUTES: Record<string, { kind: LinkKind; methods: readonly string[] }> = {
  '/unsubscribe': { kind: 'unsubscribe', methods: ['GET', 'HEAD', 'POST'] },
  '/archive': { kind: 'archive', methods: ['GET', 'HEAD'] },
};

/** Answers one request; never throws (an unexpected error is a logged 500 page). */
export async function handleLinkRequest(
  deps: LinksDeps,
  request: LinkRequest,
): Promise<LinkResponse> {
  const logger = deps.logger ?? silentLogger;
  const route = ROUTES[request.path.replace(/\/+$/, '')];
  if (!route) return page(404, 'Not found', '<p>There is no page here.</p>');
  if (!route.methods.includes(request.method)) {
    return page(405, 'Not allowed', '<p>This page does not take that request.</p>', {
      allow: route.methods.join(', '),
    });
  }
  if (route.kind === 'unsubscribe' && (request.token === undefined || request.token === '')) {
    // The kept copy under reports/ is shared: its link carries nobody's token.
    return page(
      400,
      'Use the link in your own email',
      '<p>This is the shared copy of a report, so its link cannot say who you are. To unsubscribe, use the Unsubscribe link in an email you received.</p>',
    );
  }
  let claim: LinkClaim;
  try {
    claim = deps.signer.verify(request.token, route.kind);
  } catch (error) {
    if (!(error instanceof LinkTokenError)) throw error;
    logger.warn('refused a link', { route: route.kind, problem: error.problem });
    const { status, text } = TOKEN_PAGES[error.problem];
    return page(status, 'This link does not work', `<p>${e(text)}</p>`);
  }
  try {
    return claim.kind === 'unsubscribe'
      ? await unsubscribe(deps, request, claim)
      : await archive(deps, claim);
  } catch (error) {
    assertIsError(error);
    logger.error('a link request failed', {
      route: route.kind,
      reportId: claim.reportId,
      error: `${error.name}: ${error.message}`,
    });
    return page(
      500,
      'Something went wrong',
      '<p>This did not work just now. Please try again in a few minutes.</p>',
    );
  }
}
