import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { recipientHash } from '../../../functions/core/jobs/recipients';
import {
  emailLinks,
  LinkSigner,
  LinkTokenError,
  linksBaseUrl,
  linkUrl,
  personalLinks,
  sharedUnsubscribeUrl,
} from '../../../functions/core/report/links';

const KEY = 'k'.repeat(64);
const OTHER_KEY = 'j'.repeat(64);
const BASE = 'https://abc123.lambda-url.eu-west-1.on.aws';
const HASH = recipientHash('team@example.com');

function problemOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof LinkTokenError) return error.problem;
    throw error;
  }
  return undefined;
}

describe('LinkSigner', () => {
  const signer = new LinkSigner(KEY);

  it('verifies its own tokens back to the claim', () => {
    const unsubscribe = { kind: 'unsubscribe', reportId: 'weekly', recipientHash: HASH } as const;
    const archive = { kind: 'archive', reportId: 'weekly', periodKey: '2026-W44' } as const;
    const index = { kind: 'archive', reportId: 'weekly', periodKey: 'index' } as const;
    expect(signer.verify(signer.sign(unsubscribe), 'unsubscribe')).toEqual(unsubscribe);
    expect(signer.verify(signer.sign(archive), 'archive')).toEqual(archive);
    expect(signer.verify(signer.sign(index), 'archive')).toEqual(index);
  });

  it('is an HMAC-SHA256 of the payload, as a second implementation computes it', () => {
    // Prepare: the payload and mac built by hand from the documented format.
    const payload = Buffer.from('{"k":"a","r":"weekly","p":"2026-W44"}').toString('base64url');
    const mac = createHmac('sha256', KEY)
      .update(`engagement-report link v1\n${payload}`)
      .digest('base64url');

    // Act
    const token = signer.sign({ kind: 'archive', reportId: 'weekly', periodKey: '2026-W44' });

    // Assess
    expect(token).toBe(`${payload}.${mac}`);
  });

  it('holds no address, only the hash', () => {
    const token = signer.sign({ kind: 'unsubscribe', reportId: 'weekly', recipientHash: HASH });
    const payload = Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8');
    expect(payload).not.toContain('@');
    expect(payload).toContain(HASH);
  });

  it('refuses a token with any one character of its payload or mac changed', () => {
    const token = signer.sign({ kind: 'unsubscribe', reportId: 'weekly', recipientHash: HASH });
    for (let i = 0; i < token.length; i++) {
      if (token[i] === '.') continue;
      // The last character of a base64url mac carries 2 spare bits (A and B decode to the
      // same bytes there): every edit must be refused all the same.
      for (const ch of ['A', 'B']) {
        if (token[i] === ch) continue;
        const changed = `${token.slice(0, i)}${ch}${token.slice(i + 1)}`;
        expect(
          problemOf(() => signer.verify(changed, 'unsubscribe')),
          `position ${i}`,
        ).toBe('forged');
      }
    }
  });

  it('refuses a mac that differs only in the spare bits of its last character', () => {
    // Prepare: 32 bytes are 43 base64url characters with 2 bits to spare; flipping the
    // lowest bit of the last character decodes to the very same bytes.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const token = signer.sign({ kind: 'unsubscribe', reportId: 'weekly', recipientHash: HASH });
    const last = alphabet[alphabet.indexOf(token.at(-1) ?? '') ^ 1] ?? '';
    const changed = `${token.slice(0, -1)}${last}`;
    const mac = (t: string) => Buffer.from(t.split('.')[1] ?? '', 'base64url');
    expect(mac(changed)).toEqual(mac(token));

    // Act, Assess
    expect(problemOf(() => signer.verify(changed, 'unsubscribe'))).toBe('forged');
  });

  it('refuses a payload swapped for another report or recipient under the old mac', () => {
    const token = signer.sign({ kind: 'unsubscribe', reportId: 'weekly', recipientHash: HASH });
    const mac = token.split('.')[1];
    const other = Buffer.from(
      JSON.stringify({ k: 'u', r: 'weekly', h: recipientHash('ceo@example.com') }),
    ).toString('base64url');
    expect(problemOf(() => signer.verify(`${other}.${mac}`, 'unsubscribe'))).toBe('forged');
  });

  it('refuses a token signed with another key', () => {
    const token = new LinkSigner(OTHER_KEY).sign({
      kind: 'unsubscribe',
      reportId: 'weekly',
      recipientHash: HASH,
    });
    expect(problemOf(() => signer.verify(token, 'unsubscribe'))).toBe('forged');
  });

  it('refuses a real token on the route of the other kind', () => {
    const archive = signer.sign({ kind: 'archive', reportId: 'weekly', periodKey: '2026-W44' });
    const unsubscribe = signer.sign({
      kind: 'unsubscribe',
      reportId: 'weekly',
      recipientHash: HASH,
    });
    expect(problemOf(() => signer.verify(archive, 'unsubscribe'))).toBe('wrong-kind');
    expect(problemOf(() => signer.verify(unsubscribe, 'archive'))).toBe('wrong-kind');
  });

  it('calls missing, truncated and junk tokens malformed', () => {
    const token = signer.sign({ kind: 'archive', reportId: 'weekly', periodKey: '2026-W44' });
    for (const bad of [undefined, '', 'abc', `${token}.x`, token.split('.')[0], `a b.${token}`]) {
      expect(
        problemOf(() => signer.verify(bad, 'archive')),
        String(bad),
      ).toBe('malformed');
    }
  });

  it('refuses a signed payload that is not a valid claim (a path in the period)', () => {
    // Prepare: a correctly signed token whose period would escape reports/<id>/.
    const payload = Buffer.from('{"k":"a","r":"weekly","p":"../../exports"}').toString('base64url');
    const mac = createHmac('sha256', KEY)
      .update(`engagement-report link v1\n${payload}`)
      .digest('base64url');
    expect(problemOf(() => signer.verify(`${payload}.${mac}`, 'archive'))).toBe('malformed');
    expect(() =>
      signer.sign({ kind: 'archive', reportId: 'weekly', periodKey: '../../exports' }),
    ).toThrow(/not a valid claim/);
  });

  it('refuses a short key without naming it', () => {
    expect(() => new LinkSigner('secret-value-123')).toThrow(/16 characters long/);
    expect(() => new LinkSigner('secret-value-123')).not.toThrow(/secret-value-123/);
  });
});

describe('linksBaseUrl', () => {
  it('takes a Function URL with its trailing slash', () => {
    expect(linksBaseUrl(`${BASE}/`)).toBe(BASE);
  });

  it('refuses http, queries, credentials and header-breaking characters', () => {
    for (const bad of [
      'http://abc.lambda-url.eu-west-1.on.aws/',
      `${BASE}/?x=1`,
      'https://user:pw@example.com',
      `${BASE}/a>b`,
      `${BASE}\r\nBcc: c@d.com`,
      'not a url',
    ]) {
      expect(() => linksBaseUrl(bad), bad).toThrow(/must be a plain https/);
    }
  });
});

describe('personalLinks', () => {
  const signer = new LinkSigner(KEY);
  const links = { baseUrl: BASE, signer };

  it('replaces the placeholder with each recipient’s own link, in HTML and text', () => {
    // Prepare
    const footer = emailLinks(links, 'weekly', '2026-W44');
    const rendered = {
      html: `<a href="${footer.unsubscribe}">Unsubscribe</a> <a href="${footer.archive}">Open</a>`,
      text: `Unsubscribe: ${footer.unsubscribe}\n`,
    };
    const options = {
      links,
      emailLinks: footer,
      reportId: 'weekly',
      reportName: 'Weekly',
      sender: 'reports@Example.com',
    };

    // Act
    const a = personalLinks(rendered, { ...options, recipientHash: HASH });
    const b = personalLinks(rendered, {
      ...options,
      recipientHash: recipientHash('ceo@example.com'),
    });

    // Assess
    const expected = linkUrl(BASE, signer, {
      kind: 'unsubscribe',
      reportId: 'weekly',
      recipientHash: HASH,
    });
    expect(a.html).toBe(
      `<a href="${expected}">Unsubscribe</a> <a href="${footer.archive}">Open</a>`,
    );
    expect(a.text).toBe(`Unsubscribe: ${expected}\n`);
    expect(a.list).toEqual({ name: 'Weekly', id: 'weekly.example.com', unsubscribeUrl: expected });
    expect(b.list.unsubscribeUrl).not.toBe(expected);
    expect(
      signer.verify(new URL(b.list.unsubscribeUrl).searchParams.get('t') ?? '', 'unsubscribe'),
    ).toEqual({
      kind: 'unsubscribe',
      reportId: 'weekly',
      recipientHash: recipientHash('ceo@example.com'),
    });
  });

  it('gives each render its own placeholder, and the shared copy a link without a token', () => {
    const one = emailLinks(links, 'weekly', '2026-W44');
    const two = emailLinks(links, 'weekly', '2026-W44');
    expect(one.unsubscribe).not.toBe(two.unsubscribe);
    expect(one.archive).toBe(two.archive);
    expect(sharedUnsubscribeUrl(one)).toBe(`${BASE}/unsubscribe`);
  });
});
