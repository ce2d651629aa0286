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
 */
import { randomBytes } from 'node:crypto';
import { emailAddressProblem, hasControlCharacter } from './address';

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
