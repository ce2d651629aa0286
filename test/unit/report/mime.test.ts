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
  });
});

/** The header block unfolded (RFC 5322 §2.2.3: remove each CRLF before a space or tab). */
function headerFields(message: string): [string, string][] {
  const block = message.slice(0, message.indexOf('\r\n\r\n')).replace(/\r\n(?=[ \t])/g, '');
  return block.split('\r\n').map((line) => {
    const colon = line.indexOf(':');
    // The one space after the colon is the writer's; anything after it is the value.
    return [line.slice(0, colon), line.slice(colon + 1).replace(/^ /, '')];
  });
}

/** RFC 2047 B-encoded UTF-8 words decoded; the space between adjacent words dropped (§6.2). */
function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?UTF-8\?B\?([^?]*)\?=/g, (_, b64: string) =>
      Buffer.from(b64, 'base64').toString('utf8'),
    );
}

function subjectOf(message: string): string {
  const field = headerFields(message).find(([name]) => name === 'Subject');
  return decodeWords(field?.[1] ?? '');
}

describe('buildMimeMessage with hostile header values', () => {
  const injections = [
    'Week 44\r\nBcc: x@evil.test',
    'Week 44\nBcc: x@evil.test',
    'Week 44\rBcc: x@evil.test',
    'Week 44\u0000Bcc: x@evil.test',
    'Wöche 44\r\nBcc: x@evil.test',
  ];

  it('refuses a subject with CR, LF or NUL instead of letting it start a header', () => {
    for (const subject of injections) {
      expect(() => buildMimeMessage(input({ subject })), JSON.stringify(subject)).toThrow(
        /a header value contains a line break or another control character/,
      );
    }
  });

  it('refuses addresses and display names that would inject or are not strict addresses', () => {
    const refused = [
      'a@b.com\r\nBcc: c@d.com',
      'Eve\r\nBcc: c@d.com <a@b.com>',
      'Eve <a@b.com>\r\nBcc: c@d.com',
      'a@b',
      '"x"@y.com',
      'Quoted <"x"@y.com>',
      'zoë@example.com',
      'a@b.com, c@d.com',
      '',
    ];
    for (const to of refused) {
      expect(() => buildMimeMessage(input({ to: [to] })), JSON.stringify(to)).toThrow(MimeError);
      expect(() => buildMimeMessage(input({ from: to })), JSON.stringify(to)).toThrow(MimeError);
    }
  });

  it('writes exactly one From, To and Subject field and no Cc or Bcc', () => {
    // Prepare: every header value holds a would-be header, without a line break.
    const message = buildMimeMessage(
      input({
        from: 'Bcc: c@d.com <reports@example.com>',
        to: ['To: c@d.com <ops@example.com>', 'Zoë Müller <zoe@example.com>'],
        subject: 'Week 44 Bcc: c@d.com Cc: e@f.com',
      }),
    );

    // Assess
    const names = headerFields(message).map(([name]) => name);
    expect(names).toEqual(['From', 'To', 'Subject', 'Date', 'MIME-Version', 'Content-Type']);
    const fields = Object.fromEntries(headerFields(message));
    expect(fields.From).toBe('"Bcc: c@d.com" <reports@example.com>');
    expect(decodeWords(fields.To ?? '')).toBe(
      '"To: c@d.com" <ops@example.com>, Zoë Müller <zoe@example.com>',
    );
    expect(subjectOf(message)).toBe('Week 44 Bcc: c@d.com Cc: e@f.com');
  });

  it('encodes Unicode subjects and names of every script, and decodes them back', () => {
    const subject = 'Kundenbindung · Woche 44 – Zoë’s Café ☕, 山田商店, مرحبا, 🎉👩‍👩‍👧';
    const message = buildMimeMessage(
      input({ subject, to: ['山田 太郎 🎉 <taro@example.jp>', 'Ñandú <nandu@example.com>'] }),
    );
    const header = message.slice(0, message.indexOf('\r\n\r\n'));
    expect(header).toMatch(/^[\x20-\x7e\r\n]*$/); // the header block is 7-bit ASCII
    expect(subjectOf(message)).toBe(subject);
    const to = Object.fromEntries(headerFields(message)).To ?? '';
    expect(decodeWords(to)).toBe('山田 太郎 🎉 <taro@example.jp>, Ñandú <nandu@example.com>');
  });

  it('keeps a subject of 998 and more characters on lines of at most 78, losslessly', () => {
    const subjects = [
      // One 1,200-character word: cannot be folded at a space, so it is encoded.
      'x'.repeat(1200),
      // Words: folded at spaces, no encoding needed.
      'week 44 churn '.repeat(90),
      // Non-ASCII all the way: 1,000 three-byte characters.
      '€'.repeat(1000),
      // Text that looks like an encoded word is encoded, so no reader decodes it.
      `=?UTF-8?B?${Buffer.from('Bcc: c@d.com').toString('base64')}?= ${'y'.repeat(1000)}`,
    ];
    for (const subject of subjects) {
      const message = buildMimeMessage(input({ subject }));
      for (const line of message.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
      expect(subjectOf(message)).toBe(subject);
    }
    const rawSubject = (subject: string | undefined) =>
      Object.fromEntries(headerFields(buildMimeMessage(input({ subject })))).Subject;
    expect(rawSubject(subjects[1])).toBe(subjects[1]);
    expect(rawSubject(subjects[3])).not.toContain('=?UTF-8?B?QmNjOiBjQGQuY29t?=');
  });
});

describe('buildMimeMessage with an attachment', () => {
  const csv = 'id,value,previous,delta,unit\r\nchurn_rate,2.3,1.9,0.4,percent\r\n';

  it('wraps the related part in multipart/mixed and adds the file for download', () => {
    // Act
    const message = buildMimeMessage(
      input({
        attachments: [
          {
            filename: 'metrics-2026-W44.csv',
            contentType: 'text/csv',
            content: Buffer.from(csv),
          },
        ],
      }),
    );

    // Assess
    const header = message.slice(0, message.indexOf('\r\n\r\n'));
    expect(header).toMatch(/Content-Type: multipart\/mixed; boundary="=_mix_[0-9a-f]{24}"/);
    expect(message).toMatch(/--=_mix_[0-9a-f]{24}\r\nContent-Type: multipart\/related;/);
    expect(message).toContain(
      'Content-Type: text/csv; charset=UTF-8; name="metrics-2026-W44.csv"\r\n' +
        'Content-Transfer-Encoding: base64\r\n' +
        'Content-Disposition: attachment; filename="metrics-2026-W44.csv"',
    );
    expect(partBody(message, 'text/csv').toString('utf8')).toBe(csv);
    // The inline chart is still in the related part.
    expect(partBody(message, 'Content-ID: <trend-churn_rate@report>')).toEqual(PNG_BYTES);
    expect(message).toMatch(/--=_rel_[0-9a-f]{24}--\r\n--=_mix_/);
    expect(message).toMatch(/--=_mix_[0-9a-f]{24}--\r\n$/);
  });

  it('refuses an unsafe attachment type and makes a hostile file name harmless', () => {
    const content = Buffer.from(csv);
    expect(() =>
      buildMimeMessage(
        input({
          attachments: [{ filename: 'a.csv', contentType: 'text/csv\r\nBcc: c@d.com', content }],
        }),
      ),
    ).toThrow(MimeError);
    const message = buildMimeMessage(
      input({
        attachments: [{ filename: 'a"\r\nBcc: c@d.com.csv', contentType: 'text/csv', content }],
      }),
    );
    expect(message).toContain('filename="a___Bcc__c_d.com.csv"');
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
