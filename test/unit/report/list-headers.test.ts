import { describe, expect, it } from 'vitest';
import {
  buildMimeMessage,
  listHeaderLines,
  MimeError,
  type MimeInput,
} from '../../../functions/core/report/mime';

const URL = 'https://abc123.lambda-url.eu-west-1.on.aws/unsubscribe?t=eyJrIjoidSJ9.c2lnbmF0dXJl';

function input(list: MimeInput['list']): MimeInput {
  return {
    from: 'reports@example.com',
    to: ['team@example.com'],
    subject: 'Week 44',
    html: '<p>x</p>',
    text: 'x\n',
    images: [],
    date: new Date('2026-11-02T11:05:00Z'),
    list,
  };
}

/** The header block, unfolded (RFC 5322 §2.2.3), as name → value. */
function headers(message: string): Map<string, string> {
  const block = message.slice(0, message.indexOf('\r\n\r\n')).replace(/\r\n(?=[ \t])/g, '');
  const map = new Map<string, string>();
  for (const line of block.split('\r\n')) {
    const colon = line.indexOf(':');
    map.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 2));
  }
  return map;
}

describe('listHeaderLines', () => {
  it('writes List-Id, List-Unsubscribe and the RFC 8058 one-click marker', () => {
    const message = buildMimeMessage(
      input({ name: 'Weekly engagement', id: 'weekly.example.com', unsubscribeUrl: URL }),
    );
    const h = headers(message);
    expect(h.get('list-id')).toBe('Weekly engagement <weekly.example.com>');
    expect(h.get('list-unsubscribe')).toBe(`<${URL}>`);
    expect(h.get('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
  });

  it('quotes a name with specials and encodes a non-ASCII one', () => {
    const [quoted] = listHeaderLines({
      name: 'Acme, Inc.',
      id: 'a.example.com',
      unsubscribeUrl: URL,
    });
    expect(quoted).toBe('List-Id: "Acme, Inc." <a.example.com>');
    const [encoded] = listHeaderLines({ name: 'Café', id: 'a.example.com', unsubscribeUrl: URL });
    // "Café" in UTF-8, base64: Q2Fmw6k=.
    expect(encoded).toBe('List-Id: =?UTF-8?B?Q2Fmw6k=?= <a.example.com>');
  });

  it('writes no list headers for an email not sent as a list', () => {
    const h = headers(buildMimeMessage(input(undefined)));
    expect([...h.keys()].filter((k) => k.startsWith('list-'))).toEqual([]);
  });

  it('refuses a line break anywhere, so no header can be injected', () => {
    const attempts = [
      { name: 'Weekly\r\nBcc: c@d.com', id: 'weekly.example.com', unsubscribeUrl: URL },
      { name: 'Weekly', id: 'weekly.example.com\r\nBcc: c@d.com', unsubscribeUrl: URL },
      { name: 'Weekly', id: 'weekly.example.com', unsubscribeUrl: `${URL}\r\nBcc: c@d.com` },
      { name: 'Weekly', id: 'weekly.example.com', unsubscribeUrl: `${URL}\nBcc: c@d.com` },
      { name: 'Weekly\u2028', id: 'weekly.example.com', unsubscribeUrl: URL },
    ];
    for (const list of attempts) {
      expect(() => buildMimeMessage(input(list)), JSON.stringify(list)).toThrow(MimeError);
    }
  });

  it('refuses a URL that would end the bracket or is not https, and a bad list id', () => {
    for (const unsubscribeUrl of [
      `${URL}>, <mailto:x@evil.example>`,
      `${URL} x`,
      'http://abc.example.com/unsubscribe?t=x',
      'mailto:leave@example.com',
      'javascript:alert(1)',
    ]) {
      expect(
        () => listHeaderLines({ name: 'W', id: 'w.example.com', unsubscribeUrl }),
        unsubscribeUrl,
      ).toThrow(/must be https/);
    }
    for (const id of ['weekly', 'weekly..example.com', 'a b.example.com', '<w>.example.com']) {
      expect(() => listHeaderLines({ name: 'W', id, unsubscribeUrl: URL }), id).toThrow(/List-Id/);
    }
  });

  it('refuses a URL too long for one header line', () => {
    const long = `https://example.com/unsubscribe?t=${'a'.repeat(1000)}`;
    expect(() => listHeaderLines({ name: 'W', id: 'w.example.com', unsubscribeUrl: long })).toThrow(
      /too long/,
    );
  });
});
