import { describe, expect, it } from 'vitest';
import {
  EmailAddress,
  emailAddressProblem,
  hasControlCharacter,
  isEmailAddress,
} from '../../../functions/core/report/address';

describe('emailAddressProblem', () => {
  it('accepts dot-atom local parts with every atext character and xn-- domains', () => {
    for (const address of [
      'team@example.com',
      'Team.Reports@Example.COM',
      "o'brien+weekly@mail.example.co.uk",
      "!#$%&'*+/=?^_`{|}~-@example.org",
      'a@b.co',
      'reports@xn--bcher-kva.example',
      'ops@mail.xn--p1ai',
      'x@sub-domain.example-1.io',
      // 64-character local part, the RFC 5321 §4.5.3.1.1 maximum.
      `${'l'.repeat(64)}@example.com`,
    ]) {
      expect(emailAddressProblem(address), address).toBeUndefined();
    }
  });

  it('says why each hostile or malformed address is refused', () => {
    const cases: [string, RegExp][] = [
      ['a@b.com\r\nBcc: c@d.com', /line break/],
      ['a@b.com\nBcc: c@d.com', /line break/],
      ['a@b.com\u0000', /control character/],
      ['a@b.com\u2028', /control character/],
      ['a@b', /the domain "b" needs a dot/],
      ['"x"@y.com', /quoted local parts/],
      ['"a@b"@y.com', /quoted local parts/],
      ['a@b@c.com', /more than one "@"/],
      ['a b@example.com', /contains a space/],
      [' team@example.com', /contains a space/],
      ['Team <team@example.com>', /contains a space/],
      ['<team@example.com>', /only letters, digits/],
      ['zoë@example.com', /plain ASCII/],
      ['a@bücher.example', /xn-- form/],
      ['a@[192.0.2.1]', /address literals/],
      ['a@1.2.3.4', /must end in a name such as \.com/],
      ['a@example.c', /must end in a name such as \.com/],
      ['a@example.com.', /cannot start or end with a dot/],
      ['a@.example.com', /cannot start or end with a dot/],
      ['a@-example.com', /letters, digits and inner hyphens/],
      ['a@exa_mple.com', /letters, digits and inner hyphens/],
      ['.a@example.com', /cannot start or end with a dot/],
      ['a..b@example.com', /two dots in a row/],
      ['a(comment)@example.com', /only letters, digits/],
      ['team', /no "@"/],
      ['@example.com', /nothing comes before/],
      ['team@', /nothing comes after/],
      ['', /empty/],
      [`${'l'.repeat(65)}@example.com`, /65 characters long; at most 64/],
      [`a@${'d'.repeat(64)}.com`, /64 characters long; at most 63/],
      // 4 labels of 63 plus "a@" and dots: 2 + 4 × 63 + 3 = 257 > 254.
      [`a@${Array.from({ length: 4 }, () => 'd'.repeat(63)).join('.')}`, /at most 254/],
    ];
    for (const [address, reason] of cases) {
      expect(emailAddressProblem(address), JSON.stringify(address)).toMatch(reason);
      expect(isEmailAddress(address)).toBe(false);
    }
  });
});

describe('EmailAddress', () => {
  it('gives a plain-English message that does not repeat the address', () => {
    const result = EmailAddress.safeParse('someone@localhost');
    expect(result.success).toBe(false);
    const message = result.error?.issues[0]?.message ?? '';
    expect(message).toBe(
      'must be an email address such as reports@example.com: the domain "localhost" needs a dot, e.g. example.com',
    );
    expect(message).not.toContain('someone');
  });
});

describe('hasControlCharacter', () => {
  it('finds C0, DEL, C1 and the Unicode line separators, and nothing in ordinary text', () => {
    for (const ch of ['\r', '\n', '\t', '\u0000', '\u007f', '\u0085', '\u2028', '\u2029']) {
      expect(hasControlCharacter(`a${ch}b`), JSON.stringify(ch)).toBe(true);
    }
    expect(hasControlCharacter('Zoë’s Café – 山田 🎉 · Week 44')).toBe(false);
  });
});
