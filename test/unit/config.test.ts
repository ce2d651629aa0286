import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../functions/core/config';

/** The ConfigError message parseConfig throws for `input`. */
function problemWith(input: unknown): string {
  try {
    parseConfig(input);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('the configuration was accepted');
}

describe('parseConfig report name', () => {
  it('refuses CR, LF, NUL, tabs and other control characters, which would reach the subject', () => {
    for (const name of [
      'ACME\r\nBcc: x@evil.test',
      'ACME\nBcc: x@evil.test',
      'ACME\rBcc: x@evil.test',
      'ACME\u0000',
      'ACME\tweekly',
      'ACME\u0085Bcc: x@evil.test',
      'ACME\u2028Bcc: x@evil.test',
    ]) {
      expect(problemWith({ name }), JSON.stringify(name)).toBe(
        'invalid configuration: name must not contain line breaks, tabs or other control characters (it goes into the email subject)',
      );
    }
  });

  it('accepts Unicode names, which the subject encodes', () => {
    const name = 'Kundenbindung – Zoë’s Café ☕ 山田商店';
    expect(parseConfig({ name }).name).toBe(name);
  });

  it('refuses an empty or blank name and one over 200 characters', () => {
    expect(problemWith({ name: '' })).toContain('name must not be empty or only spaces');
    expect(problemWith({ name: '   ' })).toContain('name must not be empty or only spaces');
    expect(parseConfig({ name: 'n'.repeat(200) }).name).toHaveLength(200);
    expect(problemWith({ name: 'n'.repeat(201) })).toContain('name must be at most 200 characters');
  });
});

describe('parseConfig email addresses', () => {
  it('accepts plain addresses for the sender and the recipients', () => {
    const config = parseConfig({
      email: {
        sender: 'reports@example.com',
        recipients: ["o'brien+weekly@mail.example.co.uk", 'ops@xn--bcher-kva.example'],
      },
    });
    expect(config.email.sender).toBe('reports@example.com');
    expect(config.email.recipients).toHaveLength(2);
  });

  it('refuses hostile and malformed recipients, naming the entry but not the address', () => {
    const cases: [string, string][] = [
      ['a@b.com\r\nBcc: c@d.com', 'it contains a line break or another control character'],
      ['a@b', 'the domain "b" needs a dot, e.g. example.com'],
      ['"x"@y.com', 'quoted local parts ("x"@example.com) are not accepted'],
      ['Team <team@example.com>', 'it contains a space'],
      ['zoë@example.com', 'the part before the "@" must be plain ASCII'],
      ['a@[192.0.2.1]', 'address literals (a@[192.0.2.1]) are not accepted'],
    ];
    for (const [address, reason] of cases) {
      const message = problemWith({ email: { recipients: ['team@example.com', address] } });
      expect(message).toBe(
        `invalid configuration: email.recipients.1 must be an email address such as reports@example.com: ${reason}`,
      );
    }
  });

  it('refuses a hostile sender the same way', () => {
    expect(problemWith({ email: { sender: 'reports@example.com\r\nBcc: c@d.com' } })).toBe(
      'invalid configuration: email.sender must be an email address such as reports@example.com: it contains a line break or another control character',
    );
  });
});

describe('parseConfig email.attachCsv', () => {
  it('is on by default and can be turned off', () => {
    expect(parseConfig({}).email.attachCsv).toBe(true);
    expect(parseConfig({ email: { attachCsv: false } }).email.attachCsv).toBe(false);
    expect(problemWith({ email: { attachCsv: 'no' } })).toContain('email.attachCsv');
  });
});

describe('parseConfig email.revisions', () => {
  it('sends revised reports on any shown change by default', () => {
    expect(parseConfig({}).email.revisions).toEqual({ mode: 'send', minChange: 0 });
    expect(parseConfig({ email: { revisions: { mode: 'mark' } } }).email.revisions).toEqual({
      mode: 'mark',
      minChange: 0,
    });
  });

  it('refuses an unknown mode, a negative minChange and an unknown key, in plain English', () => {
    expect(problemWith({ email: { revisions: { mode: 'resend' } } })).toContain(
      'email.revisions.mode must be "send" or "mark"',
    );
    expect(problemWith({ email: { revisions: { minChange: -1 } } })).toContain(
      'email.revisions.minChange must be 0 or more',
    );
    expect(problemWith({ email: { revisions: { minchange: 0.1 } } })).toContain('minchange');
  });
});

describe('parseConfig flags', () => {
  it('defaults to no thresholds, anomalies at 3 · MAD over 8 periods, and a minimum sample of 30', () => {
    expect(parseConfig({}).flags).toEqual({
      thresholds: {},
      anomaly: { enabled: true, k: 3, periods: 8, minPeriods: 6 },
      minSample: 30,
    });
  });

  it('accepts thresholds in the metric’s unit by metric id', () => {
    const flags = parseConfig({
      flags: { thresholds: { churn_rate: { above: 5 }, nps: { below: 20, above: 80 } } },
    }).flags;
    expect(flags.thresholds).toEqual({ churn_rate: { above: 5 }, nps: { below: 20, above: 80 } });
  });

  it('refuses an unknown metric id and lists the valid ones', () => {
    const message = problemWith({ flags: { thresholds: { churn: { above: 5 } } } });
    expect(message).toContain('flags.thresholds.churn is not a metric id; valid ids are ');
    expect(message).toContain('churn_rate, retention_rate');
  });

  it('refuses a threshold without a bound, with "below" over "above", or with an unknown key', () => {
    expect(problemWith({ flags: { thresholds: { churn_rate: {} } } })).toContain(
      'flags.thresholds.churn_rate needs "above", "below" or both',
    );
    expect(
      problemWith({ flags: { thresholds: { churn_rate: { above: 2, below: 5 } } } }),
    ).toContain('flags.thresholds.churn_rate "below" must not be more than "above"');
    expect(problemWith({ flags: { thresholds: { churn_rate: { over: 5 } } } })).toContain(
      'flags.thresholds.churn_rate',
    );
  });

  it('refuses k of 0, minPeriods over periods, and a fractional minimum sample', () => {
    expect(problemWith({ flags: { anomaly: { k: 0 } } })).toContain(
      'flags.anomaly.k must be more than 0 (3 is usual)',
    );
    expect(problemWith({ flags: { anomaly: { periods: 4, minPeriods: 6 } } })).toContain(
      'flags.anomaly "minPeriods" must not be more than "periods"',
    );
    expect(problemWith({ flags: { minSample: 2.5 } })).toContain(
      'flags.minSample must be a whole number',
    );
  });
});

describe('parseConfig misspelt keys', () => {
  it('refuses an unknown key in activity, events, clv and email, naming it', () => {
    // A typo in grossMargin would otherwise leave the default margin of 1 in every CLV.
    const cases: [unknown, RegExp][] = [
      [{ clv: { grossMargn: 0.5 } }, /clv Unrecognized key: "grossMargn"/],
      [{ events: { coreAction: ['x'] } }, /events Unrecognized key: "coreAction"/],
      [{ activity: { activeWindowDay: 30 } }, /activity Unrecognized key: "activeWindowDay"/],
      [{ email: { recipient: ['a@example.com'] } }, /email Unrecognized key: "recipient"/],
    ];
    for (const [input, message] of cases) expect(() => parseConfig(input)).toThrow(message);
  });

  it('refuses a headline id that is no metric, naming its place', () => {
    expect(() => parseConfig({ email: { headline: ['churn_rate', 'churn'] } })).toThrow(
      /email\.headline\.1 "churn" is not a metric id; valid ids are /,
    );
    expect(parseConfig({ email: { headline: ['nps', 'churn_rate'] } }).email.headline).toEqual([
      'nps',
      'churn_rate',
    ]);
  });
});
