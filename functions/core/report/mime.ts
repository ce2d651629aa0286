/**
 * A raw MIME message for SES SendRawEmail: the text and HTML versions as
 * multipart/alternative inside multipart/related, with the charts as inline PNG parts the
 * HTML refers to by `cid:` (RFC 2045–2047, RFC 2387, RFC 2392).
 */
import { randomBytes } from 'node:crypto';

export interface MimeImage {
  cid: string;
  filename: string;
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

/** Base64 in lines of 76 characters (RFC 2045 §6.8). */
export function base64Lines(content: Buffer | string): string {
  const b64 = Buffer.from(content).toString('base64');
  return (b64.match(/.{1,76}/g) ?? []).join(CRLF);
}

/**
 * A header value as RFC 2047 encoded words when it is not plain ASCII: UTF-8, base64,
 * each word at most 75 characters and never splitting a character, folded onto
 * continuation lines.
 */
export function encodeHeaderValue(value: string, nameLength = 'Subject: '.length): string {
  if (/^[\x20-\x7e]*$/.test(value)) return foldAscii(value, nameLength);
  const words: string[] = [];
  let chunk = '';
  for (const ch of value) {
    // 42 bytes of UTF-8 → 56 base64 characters → a 68-character encoded word, which fits
    // after "Subject: " within 78 characters.
    if (Buffer.byteLength(chunk + ch) > 42) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w).toString('base64')}?=`).join(`${CRLF} `);
}

/**
 * Plain ASCII folded at spaces so lines stay within 78 characters where the words allow
 * (RFC 5322 §2.2.3); unfolding removes only the CRLF, so the value is unchanged.
 */
function foldAscii(value: string, nameLength: number): string {
  const lines: string[] = [];
  let line = '';
  let room = 78 - nameLength;
  for (const word of value.split(/(?= )/)) {
    if (line && line.length + word.length > room) {
      lines.push(line);
      line = word;
      room = 78;
    } else {
      line += word;
    }
  }
  lines.push(line);
  return lines.join(CRLF);
}

/** `Name <a@b>` or `a@b`; a non-ASCII display name is encoded, line breaks are refused. */
function address(value: string): string {
  if (/[\r\n]/.test(value))
    throw new MimeError(`an address contains a line break: ${JSON.stringify(value)}`);
  const match = /^\s*(.*?)\s*<([^<>\s]+)>\s*$/.exec(value);
  if (!match) {
    if (!/^[^\s<>@]+@[^\s<>@]+$/.test(value.trim())) {
      throw new MimeError(`not an email address: ${JSON.stringify(value)}`);
    }
    return value.trim();
  }
  const [, name = '', addr = ''] = match;
  if (!name) return `<${addr}>`;
  // An ASCII name with RFC 5322 specials (`Acme, Inc.`) must be a quoted string.
  const shown =
    /^[\x20-\x7e]*$/.test(name) && /[()<>[\]:;@\\,."]/.test(name)
      ? `"${name.replace(/["\\]/g, '\\$&')}"`
      : encodeHeaderValue(name);
  return `${shown} <${addr}>`;
}

export function buildMimeMessage(input: MimeInput): string {
  if (input.to.length === 0) throw new MimeError('a message needs at least one recipient');
  // `=_` cannot occur in base64 text, so a boundary starting with it never collides.
  const token = randomBytes(12).toString('hex');
  const related = `=_rel_${token}`;
  const alternative = `=_alt_${token}`;
  const subject = input.subject.replace(/[\r\n]+/g, ' ');

  const lines: string[] = [
    `From: ${address(input.from)}`,
    `To: ${input.to.map(address).join(`,${CRLF} `)}`,
    `Subject: ${encodeHeaderValue(subject)}`,
    `Date: ${(input.date ?? new Date()).toUTCString()}`,
    'MIME-Version: 1.0',
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
  ];
  for (const image of input.images) {
    const filename = image.filename.replace(/[^\w.-]/g, '_');
    if (!/^[\w.@-]+$/.test(image.cid)) {
      throw new MimeError(`unsafe Content-ID: ${JSON.stringify(image.cid)}`);
    }
    if (!/^[\w.+-]+\/[\w.+-]+$/.test(image.contentType)) {
      throw new MimeError(`unsafe Content-Type: ${JSON.stringify(image.contentType)}`);
    }
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
  lines.push(`--${related}--`, '');
  return lines.join(CRLF);
}
