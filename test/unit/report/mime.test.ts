import { describe, expect, it } from 'vitest';
import {
  buildMimeMessage,
  encodeHeaderValue,
  MimeError,
  type MimeInput,
} from '../../../functions/core/report/mime';

const PNG_BYTES = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);

function input(overrides: Partial<MimeInput> = {}): MimeInput {
  return {
    from: 'Reports <reports@example.com>',
    to: ['ops@example.com', 'Zoë Müller <zoe@example.com>'],
    subject: 'Customer engagement · Week 44: churn 2.3% (+0.4 pp)',
    html: '<p>Grüße <img src="cid:trend-churn_rate@report"></p>',
    text: 'Grüße, churn 2.3%\n',
    images: [
      {
        cid: 'trend-churn_rate@report',
        filename: 'trend-churn_rate.png',
        contentType: 'image/png',
        content: PNG_BYTES,
      },
    ],
    date: new Date('2026-11-02T11:05:00Z'),
    ...overrides,
  };
}

/** The body of the part whose headers contain `marker`, base64-decoded. */
function partBody(message: string, marker: string): Buffer {
  const part = message.split(/\r\n--=_/).find((p) => p.includes(marker));
  if (!part) throw new Error(`no part with ${marker}`);
  const body = part.slice(part.indexOf('\r\n\r\n') + 4);
  return Buffer.from(body.replace(/\r\n/g, ''), 'base64');
}

describe('buildMimeMessage', () => {
  it('nests text and HTML alternatives inside a related part with the images', () => {
    // Act
    const message = buildMimeMessage(input());

    // Assess
    const header = message.slice(0, message.indexOf('\r\n\r\n'));
    expect(header).toContain('From: Reports <reports@example.com>');
    expect(header).toContain('Date: Mon, 02 Nov 2026 11:05:00 GMT');
    expect(header).toMatch(/Content-Type: multipart\/related; boundary="=_rel_[0-9a-f]{24}"/);
    expect(partBody(message, 'text/plain').toString('utf8')).toBe('Grüße, churn 2.3%\n');
    expect(partBody(message, 'text/html').toString('utf8')).toBe(input().html);
    expect(message).toContain('Content-ID: <trend-churn_rate@report>');
    expect(message).toContain('Content-Disposition: inline; filename="trend-churn_rate.png"');
    expect(partBody(message, 'Content-ID: <trend-churn_rate@report>')).toEqual(PNG_BYTES);
    expect(message.endsWith('--\r\n')).toBe(true);
  });

  it('encodes a non-ASCII subject and display name as RFC 2047 words', () => {
    const message = buildMimeMessage(input());
    // "Zoë Müller" in UTF-8, base64: Wm/DqyBNw7xsbGVy.
    expect(message).toContain('=?UTF-8?B?Wm/DqyBNw7xsbGVy?= <zoe@example.com>');
    const subject = /Subject: ((?:.*)(?:\r\n .*)*)/.exec(message)?.[1] ?? '';
    const decoded = subject
      .split(/\r\n /)
      .map((w) => Buffer.from(/=\?UTF-8\?B\?(.*)\?=/.exec(w)?.[1] ?? '', 'base64').toString('utf8'))
      .join('');
    expect(decoded).toBe(input().subject);
  });

  it('keeps every line within 78 characters (RFC 5322)', () => {
    const long = 'x'.repeat(5000);
    const message = buildMimeMessage(input({ html: long, text: long }));
    for (const line of message.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
  });

  it('folds a long ASCII subject at spaces and quotes a display name with a comma', () => {
    const subject = `Customer engagement for week 44 ${'and more words '.repeat(8)}`.trim();
    const message = buildMimeMessage(input({ subject, from: 'Acme, Inc. <reports@example.com>' }));
    const folded = /Subject: ((?:.*)(?:\r\n .*)*)/.exec(message)?.[1] ?? '';
    expect(folded).toContain('\r\n ');
    // Unfolding (RFC 5322 §2.2.3) removes the CRLFs and gives the subject back.
    expect(folded.replace(/\r\n/g, '')).toBe(subject);
    expect(message).toContain('From: "Acme, Inc." <reports@example.com>');
  });

  it('refuses header injection and unsafe parts', () => {
    expect(() => buildMimeMessage(input({ to: ['a@example.com\r\nBcc: x@evil.test'] }))).toThrow(
      MimeError,
    );
    expect(() => buildMimeMessage(input({ to: [] }))).toThrow(MimeError);
    expect(() => buildMimeMessage(input({ to: ['not an address'] }))).toThrow(MimeError);
    const [image] = input().images;
    if (!image) throw new Error('the test input has an image');
    const badCid = { ...image, cid: 'a>\r\nX-Evil: 1' };
    expect(() => buildMimeMessage(input({ images: [badCid] }))).toThrow(MimeError);
    // A line break in the subject becomes a space, not a new header.
    const message = buildMimeMessage(input({ subject: 'Week 44\r\nBcc: x@evil.test' }));
    expect(message).toContain('Subject: Week 44 Bcc: x@evil.test');
    expect(message).not.toMatch(/^Bcc:/m);
  });
});

describe('encodeHeaderValue', () => {
  it('leaves printable ASCII alone and never splits a character across words', () => {
    expect(encodeHeaderValue('Week 44')).toBe('Week 44');
    const words = encodeHeaderValue('€'.repeat(40)).split('\r\n ');
    // 42 bytes per word hold 14 three-byte euro signs: 40 = 14 + 14 + 12.
    expect(words.map((w) => Buffer.from(w.slice(10, -2), 'base64').toString('utf8'))).toEqual([
      '€'.repeat(14),
      '€'.repeat(14),
      '€'.repeat(12),
    ]);
  });
});
