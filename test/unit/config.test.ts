import { describe, expect, it } from 'vitest';
import { ConfigError, clvPeriodDefaults, parseConfig } from '../../functions/core/config';

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

describe('parseConfig defaults (METRICS.md "Configuration defaults")', () => {
  it('gives every setting of the table its default', () => {
    const config = parseConfig({});
    // One line per row of the table, copied by hand.
    expect(config.timezone).toBe('UTC');
    expect(config.currency).toBe('USD');
    expect(config.period).toBe('week');
    // activity.mode: "subscriptions when that dataset exists, else orders" depends on the
    // exports, so the config leaves it unset for the engine to decide.
    expect(config.activity).toEqual({ mode: undefined, activeWindowDays: 90 });
    expect(config.events).toEqual({
      conversion: ['purchase'],
      onboarding: 'onboarding_completed',
      coreActions: [],
      feature: 'feature_used',
    });
    // trailingPeriods and maxLifetimePeriods depend on the period: see clvPeriodDefaults.
    expect(config.clv).toEqual({
      grossMargin: 1,
      trailingPeriods: undefined,
      maxLifetimePeriods: undefined,
      horizonWeeks: 52,
      annualDiscountRate: 0.1,
      atRiskThreshold: 0.5,
      atRiskListSize: 10,
    });
    expect(config.atRisk).toEqual({
      activityDropPercent: 50,
      trailingPeriods: 4,
      minTrailingEvents: 3,
      listSize: 10,
    });
    expect(config.segments).toEqual({
      enabled: true,
      columns: ['segment', 'country', 'plan', 'acquisition_channel'],
      top: 5,
    });
  });

  it('takes the CLV trailing periods and lifetime cap of the period kind', () => {
    // "12 for weeks, 6 for months, 4 for quarters"; "260 weeks / 60 months / 20 quarters"
    // (five years each).
    expect(clvPeriodDefaults(parseConfig({}))).toEqual({
      trailingPeriods: 12,
      maxLifetimePeriods: 260,
    });
    expect(clvPeriodDefaults(parseConfig({ period: 'week' }))).toEqual({
      trailingPeriods: 12,
      maxLifetimePeriods: 260,
    });
    expect(clvPeriodDefaults(parseConfig({ period: 'month' }))).toEqual({
      trailingPeriods: 6,
      maxLifetimePeriods: 60,
    });
    expect(clvPeriodDefaults(parseConfig({ period: 'quarter' }))).toEqual({
      trailingPeriods: 4,
      maxLifetimePeriods: 20,
    });
  });

  it('lets clv.trailingPeriods and clv.maxLifetimePeriods override the period’s defaults', () => {
    const config = parseConfig({ period: 'month', clv: { trailingPeriods: 3 } });
    expect(clvPeriodDefaults(config)).toEqual({ trailingPeriods: 3, maxLifetimePeriods: 60 });
    const capped = parseConfig({ period: 'quarter', clv: { maxLifetimePeriods: 8 } });
    expect(clvPeriodDefaults(capped)).toEqual({ trailingPeriods: 4, maxLifetimePeriods: 8 });
  });

  it('accepts the ranges the table gives and refuses values just outside them', () => {
    // activityDropPercent: 0 < x ≤ 100, at most 6 decimals.
    expect(parseConfig({ atRisk: { activityDropPercent: 100 } }).atRisk.activityDropPercent).toBe(
      100,
    );
    expect(
      parseConfig({ atRisk: { activityDropPercent: 0.000001 } }).atRisk.activityDropPercent,
    ).toBe(0.000001);
    expect(problemWith({ atRisk: { activityDropPercent: 0 } })).toContain(
      'atRisk.activityDropPercent',
    );
    expect(problemWith({ atRisk: { activityDropPercent: 100.5 } })).toContain(
      'atRisk.activityDropPercent',
    );
    expect(problemWith({ atRisk: { activityDropPercent: 64.4000001 } })).toContain(
      'atRisk.activityDropPercent must have at most 6 decimal places',
    );
    // trailingPeriods: 1 … 26.
    expect(parseConfig({ atRisk: { trailingPeriods: 1 } }).atRisk.trailingPeriods).toBe(1);
    expect(parseConfig({ atRisk: { trailingPeriods: 26 } }).atRisk.trailingPeriods).toBe(26);
    expect(problemWith({ atRisk: { trailingPeriods: 0 } })).toContain('atRisk.trailingPeriods');
    expect(problemWith({ atRisk: { trailingPeriods: 27 } })).toContain('atRisk.trailingPeriods');
    // minTrailingEvents: 0 … 10⁹, at most 6 decimals.
    expect(parseConfig({ atRisk: { minTrailingEvents: 0 } }).atRisk.minTrailingEvents).toBe(0);
    expect(parseConfig({ atRisk: { minTrailingEvents: 1e9 } }).atRisk.minTrailingEvents).toBe(1e9);
    expect(problemWith({ atRisk: { minTrailingEvents: -1 } })).toContain(
      'atRisk.minTrailingEvents',
    );
    expect(problemWith({ atRisk: { minTrailingEvents: 1e9 + 1 } })).toContain(
      'atRisk.minTrailingEvents',
    );
    expect(problemWith({ atRisk: { minTrailingEvents: 2.0000001 } })).toContain(
      'atRisk.minTrailingEvents must have at most 6 decimal places',
    );
    // listSize: at most 100; segments.top: at most 20.
    expect(parseConfig({ atRisk: { listSize: 100 } }).atRisk.listSize).toBe(100);
    expect(problemWith({ atRisk: { listSize: 101 } })).toContain('atRisk.listSize');
    expect(parseConfig({ segments: { top: 20 } }).segments.top).toBe(20);
    expect(problemWith({ segments: { top: 21 } })).toContain('segments.top');
    // period: week, also month and quarter.
    expect(problemWith({ period: 'day' })).toContain('period');
  });
});
