/**
 * The signed links of the report email: unsubscribe (RFC 8058 one-click and the footer
 * button) and the archive (this period's stored copy, and the index of every stored period).
 *
 * A link is `<base URL>/<route>?t=<token>`, the token `<payload>.<mac>`: the payload is a
 * small JSON claim in base64url, the mac its HMAC-SHA256 under a key only the stack knows
 * (Secrets Manager), also base64url. The links function is public (email recipients click
 * it), so the token is the whole of its authorization: without the key nobody can make one,
 * and changing one character of a real one makes it fail.
 *
 * - No expiry. An unsubscribe link must keep working as long as the email exists (RFC 8058
 *   §3), and an archive link should open an old report years later. A leaked token gives
 *   what its email already gave its reader: that one report, or that one unsubscribe.
 * - No address in the URL: URLs end up in proxy and access logs. An unsubscribe claim names
 *   the recipient by `recipientHash` (the SHA-256 the send ledger and the suppression list
 *   key on), which is all the suppression needs.
 * - The claim names its kind, and a route accepts only its own: an archive token cannot
 *   unsubscribe anyone, and the other way round.
 * - The key is not rotated: rotating it would break every link in every email already sent.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** What one link allows. `periodKey: 'index'` is the list of every stored period. */
export type LinkClaim =
  | { kind: 'unsubscribe'; reportId: string; recipientHash: string }
  | { kind: 'archive'; reportId: string; periodKey: string };

export type LinkKind = LinkClaim['kind'];

/** The archive claim that opens the index of stored reports rather than one period. */
export const ARCHIVE_INDEX = 'index';

/** The route of each kind of link under the links base URL. */
export const LINK_ROUTES: Record<LinkKind, string> = {
  unsubscribe: '/unsubscribe',
  archive: '/archive',
};

/** A generated key is 64 characters (infra/constructs/links.ts); a short one is a mistake. */
export const MIN_KEY_LENGTH = 32;

// The same rules as the config's reportId and the period keys: a token can only ever name
// an S3 key or DynamoDB item of the shapes the report writes.
const ReportId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/);
const PeriodKey = z.string().regex(/^\d{4}-(W\d{2}|Q[1-4]|\d{2})$/);
const Hash = z.string().regex(/^[0-9a-f]{64}$/);

/** The payload as signed: short field names, since every byte is in every email. */
const Payload = z.discriminatedUnion('k', [
  z.strictObject({ k: z.literal('u'), r: ReportId, h: Hash }),
  z.strictObject({
    k: z.literal('a'),
    r: ReportId,
    p: z.union([PeriodKey, z.literal(ARCHIVE_INDEX)]),
  }),
]);
type Payload = z.infer<typeof Payload>;

/** Signed into every mac, so a token of another format or version can never verify. */
const MAC_CONTEXT = 'engagement-report link v1\n';

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Why a token was refused: `malformed` (not a token of ours at all: a truncated or mangled
 * link), `forged` (well-formed but the mac does not match: tampered with, or made with
 * another key) or `wrong-kind` (a real token used on another route).
 */
export type LinkTokenProblem = 'malformed' | 'forged' | 'wrong-kind';

export class LinkTokenError extends Error {
  readonly problem: LinkTokenProblem;
  constructor(problem: LinkTokenProblem, message: string) {
    super(message);
    this.name = 'LinkTokenError';
    this.problem = problem;
  }
}

function toPayload(claim: LinkClaim): Payload {
  return claim.kind === 'unsubscribe'
    ? { k: 'u', r: claim.reportId, h: claim.recipientHash }
    : { k: 'a', r: claim.reportId, p: claim.periodKey };
}

function toClaim(payload: Payload): LinkClaim {
  return payload.k === 'u'
    ? { kind: 'unsubscribe', reportId: payload.r, recipientHash: payload.h }
    : { kind: 'archive', reportId: payload.r, periodKey: payload.p };
}

/** Signs and verifies link tokens with one key. */
export class LinkSigner {
  readonly #key: Buffer;

  constructor(key: string) {
    if (key.length < MIN_KEY_LENGTH) {
      // The key itself is never part of a message.
      throw new Error(
        `the link signing key is ${key.length} characters long; it must be at least ${MIN_KEY_LENGTH} (the stack generates 64)`,
      );
    }
    this.#key = Buffer.from(key, 'utf8');
  }

  #mac(payload: string): Buffer {
    return createHmac('sha256', this.#key).update(MAC_CONTEXT).update(payload).digest();
  }

  /** The token of `claim`; refuses a claim no verify would accept. */
  sign(claim: LinkClaim): string {
    const payload = toPayload(claim);
    if (!Payload.safeParse(payload).success) {
      throw new Error(`cannot sign a link for ${JSON.stringify(payload)}: not a valid claim`);
    }
    const encoded = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
    return `${encoded}.${this.#mac(encoded).toString('base64url')}`;
  }

  /**
   * The claim of `token` if it was signed with this key and is of `kind`; otherwise a
   * LinkTokenError saying which problem it has. The mac is checked before the payload is
   * parsed (nothing unsigned is read) and compared in constant time.
   */
  verify(token: string | undefined, kind: LinkKind): LinkClaim {
    const parts = (token ?? '').split('.');
    const [encoded, mac] = parts;
    if (
      parts.length !== 2 ||
      !encoded ||
      !mac ||
      !BASE64URL.test(encoded) ||
      !BASE64URL.test(mac)
    ) {
      throw new LinkTokenError('malformed', 'the link is incomplete or not one of ours');
    }
    // Compared as text, not decoded bytes: base64url's last character has spare bits, and a
    // token differing only there must not verify.
    const expected = Buffer.from(this.#mac(encoded).toString('base64url'));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new LinkTokenError('forged', 'the link was changed or was not made by this report');
    }
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
    } catch {
      // Signed by us but not JSON: only a bug of ours could make one.
      throw new LinkTokenError('malformed', 'the link does not hold a readable claim');
    }
    const parsed = Payload.safeParse(json);
    if (!parsed.success) {
      throw new LinkTokenError('malformed', 'the link does not hold a valid claim');
    }
    const claim = toClaim(parsed.data);
    if (claim.kind !== kind) {
      throw new LinkTokenError(
        'wrong-kind',
        `this is not ${kind === 'archive' ? 'an archive' : 'an unsubscribe'} link`,
      );
    }
    return claim;
  }
}

/**
 * `baseUrl` (the links function's URL; a trailing slash is dropped) checked once: its links
 * go into mail headers and HTML attributes, so only https and plain URL characters pass.
 */
export function linksBaseUrl(baseUrl: string): string {
  const trimmed = baseUrl.trim().replace(/\/+$/, '');
  if (!/^https:\/\/[A-Za-z0-9.-]+(:\d+)?(\/[A-Za-z0-9._~-]+)*$/.test(trimmed)) {
    throw new Error(
      `the links base URL "${baseUrl}" must be a plain https://host/path (no query, fragment or credentials), such as the links function's URL`,
    );
  }
  return trimmed;
}

/** The full link of a claim: `<base>/<route>?t=<token>` (only URL-safe characters). */
export function linkUrl(baseUrl: string, signer: LinkSigner, claim: LinkClaim): string {
  return `${baseUrl}${LINK_ROUTES[claim.kind]}?t=${signer.sign(claim)}`;
}

/** What the report job needs to put links into an email. */
export interface ReportLinks {
  /** Checked with `linksBaseUrl`. */
  baseUrl: string;
  signer: LinkSigner;
}

/** The footer's links, as the view carries them (raw URLs; escaped where HTML is written). */
export interface EmailLinks {
  /** This period's stored copy. */
  archive: string;
  /** Every stored period. */
  index: string;
  /** The recipient's own unsubscribe link: a placeholder until `personalLinks` replaces it. */
  unsubscribe: string;
}

/**
 * The links of one period's email. The email is rendered once for all recipients, so the
 * unsubscribe link is a placeholder, random per render (no report text can hold it), which
 * `personalLinks` replaces with each recipient's own.
 */
export function emailLinks(links: ReportLinks, reportId: string, periodKey: string): EmailLinks {
  const base = linksBaseUrl(links.baseUrl);
  return {
    archive: linkUrl(base, links.signer, { kind: 'archive', reportId, periodKey }),
    index: linkUrl(base, links.signer, { kind: 'archive', reportId, periodKey: ARCHIVE_INDEX }),
    unsubscribe: `${base}${LINK_ROUTES.unsubscribe}?t=${randomBytes(16).toString('hex')}`,
  };
}

/**
 * The unsubscribe link of the shared copy kept under `reports/`: no token, so it unsubscribes
 * nobody; the links function answers it with a page pointing to the link in one's own email.
 */
export function sharedUnsubscribeUrl(links: EmailLinks): string {
  return links.unsubscribe.slice(0, links.unsubscribe.indexOf('?'));
}

/** Mail headers of a report sent as a list (RFC 2369, RFC 2919, RFC 8058). */
export interface ListHeaders {
  /** The List-Id phrase: the report's name. */
  name: string;
  /** The List-Id itself: `<reportId>.<sender domain>`. */
  id: string;
  /** https; sent as List-Unsubscribe with List-Unsubscribe-Post one-click. */
  unsubscribeUrl: string;
}

/** `html` and `text` with the placeholder replaced by `to`'s link, and the list headers. */
export function personalLinks(
  rendered: { html: string; text: string },
  options: {
    links: ReportLinks;
    emailLinks: EmailLinks;
    reportId: string;
    reportName: string;
    sender: string;
    recipientHash: string;
  },
): { html: string; text: string; list: ListHeaders } {
  const base = linksBaseUrl(options.links.baseUrl);
  const url = linkUrl(base, options.links.signer, {
    kind: 'unsubscribe',
    reportId: options.reportId,
    recipientHash: options.recipientHash,
  });
  const placeholder = options.emailLinks.unsubscribe;
  const domain = options.sender.slice(options.sender.lastIndexOf('@') + 1).toLowerCase();
  return {
    // Both are plain URL characters, the same escaped as not: a plain replace is exact.
    html: rendered.html.replaceAll(placeholder, url),
    text: rendered.text.replaceAll(placeholder, url),
    list: { name: options.reportName, id: `${options.reportId}.${domain}`, unsubscribeUrl: url },
  };
}
