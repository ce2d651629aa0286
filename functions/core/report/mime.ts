/**
 * A raw MIME message for SES SendRawEmail: the text and HTML versions as
 * multipart/alternative inside multipart/related, with the charts as inline PNG parts the
 * HTML refers to by `cid:` (RFC 2045–2047, RFC 2387, RFC 2392); with attachments, all of it
 * inside multipart/mixed, the attachments after it (RFC 2046 §5.1.3, RFC 2183).
 *
 * Header safety: every header value is checked here, whatever validated it before. A line
 * break or other control character in a subject, display name or address is refused with a
 * MimeError (never replaced: a silently edited header hides the bug that produced it);
 * addresses must pass `emailAddressProblem`; anything that is not printable ASCII goes out
 * as RFC 2047 encoded words, so no value can start a header line of its own.
 *
 * A report sent as a list carries `List-Id` (RFC 2919), `List-Unsubscribe` and
 * `List-Unsubscribe-Post` (RFC 2369, RFC 8058 one-click): Gmail and Yahoo ask bulk senders
 * for them, and mail clients show an "Unsubscribe" button next to the sender.
 */
import { randomBytes } from 'node:crypto';
import { emailAddressProblem, hasControlCharacter } from './address';
import type { ListHeaders } from './links';

export interface MimeImage {
  cid: string;
  filename: string;
  contentType: string;
  content: Buffer;
}

/** A file attached for download (`Content-Disposition: attachment`). */
export interface MimeAttachment {
  filename: string;
  /** A bare media type such as `text/csv`; `text/*` parts are declared UTF-8. */
  contentType: string;
  content: Buffer;
}

export interface MimeInput {
  from: string;
  to: string[];
  subject: string;
  html: string;
  text: string;
  images: MimeImage[];
  /** @default - none: the message is multipart/related at the top */
  attachments?: MimeAttachment[];
  /** @default - now */
  date?: Date;
  /** List-Id and one-click List-Unsubscribe. @default - none: not sent as a list */
  list?: ListHeaders;
}

export class MimeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MimeError';
  }
}

const CRLF = '\r\n';
/** RFC 5322 §2.1.1: lines SHOULD be at most 78 characters (and MUST be at most 998). */
const MAX_LINE = 78;
/** `=?UTF-8?B?` + `?=`. */
const ENCODED_WORD_OVERHEAD = 12;
/** 42 bytes → 56 base64 characters → 68-character words: within RFC 2047's 75, and after
 * a one-space fold or `Subject: ` within 78. */
const ENCODED_WORD_BYTES = 42;

/** Base64 in lines of 76 characters (RFC 2045 §6.8). */
export function base64Lines(content: Buffer | string): string {
  const b64 = Buffer.from(content).toString('base64');
  return (b64.match(/.{1,76}/g) ?? []).join(CRLF);
}

function refuseControl(value: string, what: string): void {
  if (hasControlCharacter(value)) {
    throw new MimeError(
      `${what} contains a line break or another control character: ${JSON.stringify(value)}`,
    );
  }
}

/**
 * An unstructured header value (RFC 5322 §3.2.5) to follow `Name: ` (`nameLength`
 * characters): printable ASCII folded at spaces within 78 characters a line; otherwise —
 * non-ASCII text, a word too long to fold, or text containing `=?` that a reader would try
 * to decode — RFC 2047 encoded words (UTF-8, base64), each whole characters only, one per
 * line. Unfolding and decoding give `value` back exactly. Control characters are refused.
 */
export function encodeHeaderValue(value: string, nameLength = 'Subject: '.length): string {
  refuseControl(value, 'a header value');
  if (/^[\x20-\x7e]*$/.test(value) && !value.includes('=?')) {
    const folded = foldAscii(value, nameLength);
    if (folded !== undefined) return folded;
  }
  return encodedWords(value, nameLength);
}

/** `value` as encoded words; the first is shorter when the header name leaves less room. */
function encodedWords(value: string, nameLength: number): string {
  const firstRoom = MAX_LINE - nameLength - ENCODED_WORD_OVERHEAD;
  let limit = Math.max(3, Math.min(ENCODED_WORD_BYTES, Math.floor(firstRoom / 4) * 3));
  const words: string[] = [];
  let chunk = '';
  // for…of walks code points, so a character's UTF-8 bytes never straddle two words
  // (RFC 2047 §5 (3)).
  for (const ch of value) {
    if (chunk && Buffer.byteLength(chunk + ch) > limit) {
      words.push(chunk);
      chunk = '';
      limit = ENCODED_WORD_BYTES;
    }
    chunk += ch;
  }
  if (chunk || words.length === 0) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w).toString('base64')}?=`).join(`${CRLF} `);
}

/**
 * Printable ASCII folded before spaces so lines stay within 78 characters (RFC 5322
 * §2.2.3); unfolding removes only the CRLFs, so the value is unchanged. Undefined when a
 * word is too long for a line or a fold would leave a line of only spaces.
 */
function foldAscii(value: string, nameLength: number): string | undefined {
  const lines: string[] = [];
  let line = '';
  let room = MAX_LINE - nameLength;
  for (const word of value.split(/(?= )/)) {
    if (line && line.length + word.length > room) {
      lines.push(line);
      line = word;
      room = MAX_LINE;
    } else {
      line += word;
    }
  }
  lines.push(line);
  const fits = lines.every((l, i) => l.length <= (i === 0 ? MAX_LINE - nameLength : MAX_LINE));
  const blank = lines.some((l, i) => i > 0 && l.trim() === '');
  return fits && !blank ? lines.join(CRLF) : undefined;
}

/** A display name (RFC 5322 `phrase`): atoms as they are, specials quoted, the rest encoded. */
function displayName(name: string, nameLength: number): string {
  if (/^[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]+$/.test(name) && !name.includes('=?')) {
    return encodeHeaderValue(name, nameLength);
  }
  // An ASCII name with RFC 5322 specials (`Acme, Inc.`) must be a quoted string; a quoted
  // string cannot be folded in the middle of a word, so a long one is encoded instead.
  if (/^[\x20-\x7e]*$/.test(name) && name.length <= 60) {
    return `"${name.replace(/["\\]/g, '\\$&')}"`;
  }
  return encodedWords(name, nameLength);
}

/**
 * `Name <a@b.example>` or `a@b.example`, the address checked by `emailAddressProblem` and
 * the name encoded; line breaks anywhere are refused.
 */
function address(value: string, nameLength: number): string {
  refuseControl(value, 'an address');
  const match = /^(.*?)\s*<([^<>]*)>$/.exec(value);
  const name = match ? (match[1] ?? '').trim() : '';
  const addr = match ? (match[2] ?? '') : value;
  const problem = emailAddressProblem(addr);
  if (problem) throw new MimeError(`not an email address: ${JSON.stringify(value)} (${problem})`);
  if (!match) return addr;
  if (!name) return `<${addr}>`;
  const shown = displayName(name, nameLength);
  const lastLine = shown.slice(shown.lastIndexOf('\n') + 1);
  // Fold before the angle address when the name's last line leaves no room for it.
  const gap = lastLine.length + addr.length + 3 > MAX_LINE - nameLength ? `${CRLF} ` : ' ';
  return `${shown}${gap}<${addr}>`;
}

/** RFC 2919 §3: a list id is a dot-atom of at most 255 characters. */
const LIST_ID = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)+$/;
/**
 * An https URL of RFC 3986 characters, without `<`, `>`, `,` or a space that would end or
 * split the bracketed value (RFC 2369 §2). The links are built short enough for one line.
 */
const LIST_URL = /^https:\/\/[A-Za-z0-9\-._~:/?#[\]@!$&'()*+;=%]+$/;
/** RFC 5322 §2.1.1: a line MUST be at most 998 characters. */
const MAX_HARD_LINE = 998;

/** `List-Id`, `List-Unsubscribe` and `List-Unsubscribe-Post`, each value checked. */
export function listHeaderLines(list: ListHeaders): string[] {
  refuseControl(list.name, 'the List-Id name');
  refuseControl(list.id, 'the List-Id');
  refuseControl(list.unsubscribeUrl, 'the List-Unsubscribe URL');
  if (list.id.length > 255 || !LIST_ID.test(list.id)) {
    throw new MimeError(`not a valid List-Id: ${JSON.stringify(list.id)}`);
  }
  if (!LIST_URL.test(list.unsubscribeUrl)) {
    throw new MimeError(
      `the List-Unsubscribe URL must be https with plain URL characters: ${JSON.stringify(list.unsubscribeUrl)}`,
    );
  }
  const unsubscribe = `List-Unsubscribe: <${list.unsubscribeUrl}>`;
  if (unsubscribe.length > MAX_HARD_LINE) {
    throw new MimeError(
      `the List-Unsubscribe URL is ${list.unsubscribeUrl.length} characters, too long for a header line`,
    );
  }
  const name = list.name.trim() === '' ? '' : `${displayName(list.name, 'List-Id: '.length)} `;
  return [
    `List-Id: ${name}<${list.id}>`,
    unsubscribe,
    // RFC 8058 §3.1: the exact value that marks the URL as safe to POST to without a visit.
    'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
  ];
}

function safeFilename(filename: string): string {
  return filename.replace(/[^\w.-]/g, '_');
}

function checkContentType(contentType: string): void {
  if (!/^[\w.+-]+\/[\w.+-]+$/.test(contentType)) {
    throw new MimeError(`unsafe Content-Type: ${JSON.stringify(contentType)}`);
  }
}

export function buildMimeMessage(input: MimeInput): string {
  if (input.to.length === 0) throw new MimeError('a message needs at least one recipient');
  // `=_` cannot occur in base64 text, so a boundary starting with it never collides.
  const token = randomBytes(12).toString('hex');
  const mixed = `=_mix_${token}`;
  const related = `=_rel_${token}`;
  const alternative = `=_alt_${token}`;
  const attachments = input.attachments ?? [];

  const lines: string[] = [
    `From: ${address(input.from, 'From: '.length)}`,
    `To: ${input.to.map((to) => address(to, 'To: '.length)).join(`,${CRLF} `)}`,
    `Subject: ${encodeHeaderValue(input.subject, 'Subject: '.length)}`,
    `Date: ${(input.date ?? new Date()).toUTCString()}`,
    ...(input.list ? listHeaderLines(input.list) : []),
    'MIME-Version: 1.0',
  ];
  if (attachments.length > 0) {
    lines.push(`Content-Type: multipart/mixed; boundary="${mixed}"`, '', `--${mixed}`);
  }
  lines.push(
    `Content-Type: multipart/related; boundary="${related}";${CRLF} type="multipart/alternative"`,
    '',
    `--${related}`,
    `Content-Type: multipart/alternative; boundary="${alternative}"`,
    '',
    `--${alternative}`,
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(input.text),
    `--${alternative}`,
    'Content-Type: text/html; charset=UTF-8',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(input.html),
    `--${alternative}--`,
  );
  for (const image of input.images) {
    const filename = safeFilename(image.filename);
    if (!/^[\w.@-]+$/.test(image.cid)) {
      throw new MimeError(`unsafe Content-ID: ${JSON.stringify(image.cid)}`);
    }
    checkContentType(image.contentType);
    lines.push(
      `--${related}`,
      `Content-Type: ${image.contentType}; name="${filename}"`,
      'Content-Transfer-Encoding: base64',
      `Content-ID: <${image.cid}>`,
      `Content-Disposition: inline; filename="${filename}"`,
      '',
      base64Lines(image.content),
    );
  }
  lines.push(`--${related}--`);
  for (const attachment of attachments) {
    const filename = safeFilename(attachment.filename);
    checkContentType(attachment.contentType);
    const charset = attachment.contentType.startsWith('text/') ? '; charset=UTF-8' : '';
    lines.push(
      `--${mixed}`,
      `Content-Type: ${attachment.contentType}${charset}; name="${filename}"`,
      'Content-Transfer-Encoding: base64',
      `Content-Disposition: attachment; filename="${filename}"`,
      '',
      base64Lines(attachment.content),
    );
  }
  if (attachments.length > 0) lines.push(`--${mixed}--`);
  lines.push('');
  return lines.join(CRLF);
}
