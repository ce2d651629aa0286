/**
 * Product-activity metrics from events (METRICS.md "Product activity"): `dau`, `wau`,
 * `mau`, `stickiness`, `conversion_rate`, `feature_usage`, `core_action_rate`, `pageviews`
 * from page_view events, and `first_week_engagement`. Expected values are worked out by
 * hand in the comments; days are calendar days in the report time zone.
 */
import { describe, expect, it } from 'vitest';
import { customer, event, metric, reasonOf, run, valueIn } from './helpers';

// UTC ISO weeks of 2026: W01 = [Mon 29 Dec 2025, 5 Jan), W10 = [2 Mar, 9 Mar),
// W11 = [9 Mar, 16 Mar). MAU windows [end − 30 days, end): W10 [7 Feb, 9 Mar),
// W11 [14 Feb, 16 Mar), W01 [6 Dec, 5 Jan).
const EVENTS = [
  event('u1', '2026-03-02T00:00:00Z', 'page_view'), // exactly W10's start
  event('u1', '2026-03-03T08:00:00Z'),
  event('u1', '2026-03-03T09:00:00Z', 'feature_used', { feature: 'export' }),
  event('u1', '2026-03-08T23:59:59Z', 'page_view'),
  event('u2', '2026-03-03T10:00:00Z', 'feature_used', { feature: 'export' }),
  event('u2', '2026-03-05T10:00:00Z', 'purchase', { event_id: 'p1' }),
  event('u2', '2026-03-05T11:00:00Z', 'feature_used', { feature: 'search' }),
  event('u3', '2026-03-09T00:00:00Z'), // exactly W10's end: W11
  event('u4', '2026-02-10T12:00:00Z'), // in W10's MAU window only
  event('u5', '2026-02-06T23:00:00Z'), // before every MAU window
  event('u6', '2026-03-04T12:00:00Z', 'report_created'),
  event('u7', '2026-03-06T12:00:00Z', 'feature_used'), // a feature event naming no feature
];
// Users per day in W10: 2 Mar u1; 3 Mar u1, u2; 4 Mar u6; 5 Mar u2; 6 Mar u7; 7 Mar none;
// 8 Mar u1 → 1 + 2 + 1 + 1 + 1 + 0 + 1 = 7 user-days. Users in W10: u1, u2, u6, u7 = 4.
// W11: 9 Mar u3 → 1 user-day; users u3.

const PERIODS = ['2026-W01', '2026-W10', '2026-W11'];

describe('activity metrics from events', async () => {
  const result = await run({ periods: PERIODS, data: { events: [EVENTS] } });

  describe('dau', async () => {
    it('is the mean over the days of the period of the users active that day', async () => {
      // W10: 7 user-days / 7 days = 1; W11: 1 / 7. A user active twice a day counts once.
      expect(valueIn(result, '2026-W10', 'dau')).toBe(1);
      expect(valueIn(result, '2026-W11', 'dau')).toBeCloseTo(1 / 7, 12);
      expect(valueIn(result, '2026-W01', 'dau')).toBe(0);
    });
  });

  describe('wau', async () => {
    it('counts the users with an event in the week', async () => {
      expect(valueIn(result, '2026-W10', 'wau')).toBe(4);
      expect(valueIn(result, '2026-W11', 'wau')).toBe(1);
      expect(valueIn(result, '2026-W01', 'wau')).toBe(0);
    });
  });

  describe('mau', async () => {
    it('counts the users with an event in the 30 days ending with the period', async () => {
      // W10 [7 Feb, 9 Mar): u1, u2, u6, u7 + u4 (10 Feb) = 5; u5 (6 Feb) is out.
      expect(valueIn(result, '2026-W10', 'mau')).toBe(5);
      // W11 [14 Feb, 16 Mar): u1, u2, u6, u7, u3 = 5; u4 is out.
      expect(valueIn(result, '2026-W11', 'mau')).toBe(5);
    });
  });

  describe('stickiness', async () => {
    it('is dau / mau × 100', async () => {
      // W10: 1 / 5 × 100 = 20; W11: (1/7) / 5 × 100 = 20/7.
      expect(valueIn(result, '2026-W10', 'stickiness')).toBe(20);
      expect(valueIn(result, '2026-W11', 'stickiness')).toBeCloseTo(20 / 7, 12);
    });

    it('is null with a reason when nobody was active in the MAU window', async () => {
      expect(reasonOf(result, '2026-W01', 'stickiness')).toBe(
        'no users with an event in the 30 days ending with the period (division by zero)',
      );
    });
  });

  describe('conversion_rate', async () => {
    it('is users with a conversion event / users with any event × 100', async () => {
      // W10: u2 purchased → 1 / 4 × 100 = 25. W11: 0 / 1 = 0.
      expect(valueIn(result, '2026-W10', 'conversion_rate')).toBe(25);
      expect(valueIn(result, '2026-W11', 'conversion_rate')).toBe(0);
    });

    it('is null with a reason when nobody was active in the period', async () => {
      expect(reasonOf(result, '2026-W01', 'conversion_rate')).toBe(
        'no users with an event in the period (division by zero)',
      );
    });

    it('uses the configured conversion event names', async () => {
      const custom = await run({
        config: { events: { conversion: ['report_created', 'purchase'] } },
        periods: ['2026-W10'],
        data: { events: [EVENTS] },
      });
      // u2 (purchase) and u6 (report_created) → 2 / 4 × 100 = 50.
      expect(valueIn(custom, '2026-W10', 'conversion_rate')).toBe(50);
    });
  });

  describe('feature_usage', async () => {
    it('gives each feature its share of active users in the breakdown', async () => {
      // export: u1, u2 → 2 / 4 × 100 = 50; search: u2 → 1 / 4 × 100 = 25.
      expect(metric(result, '2026-W10', 'feature_usage').breakdown).toEqual({
        export: 50,
        search: 25,
      });
    });

    it('has as headline the share of active users who used any feature', async () => {
      // u1, u2 and u7 (feature event without a name) → 3 / 4 × 100 = 75.
      expect(valueIn(result, '2026-W10', 'feature_usage')).toBe(75);
    });

    it('is 0 with an empty breakdown when nobody used a feature', async () => {
      expect(valueIn(result, '2026-W11', 'feature_usage')).toBe(0);
      expect(metric(result, '2026-W11', 'feature_usage').breakdown).toEqual({});
    });
  });

  describe('core_action_rate', async () => {
    it('is null with a reason until core actions are configured', async () => {
      expect(reasonOf(result, '2026-W10', 'core_action_rate')).toBe(
        'no core actions configured (events.coreActions)',
      );
    });

    it('is users with a core action / users with any event × 100', async () => {
      const configured = await run({
        config: { events: { coreActions: ['report_created'] } },
        periods: ['2026-W10'],
        data: { events: [EVENTS] },
      });
      // u6 → 1 / 4 × 100 = 25.
      expect(valueIn(configured, '2026-W10', 'core_action_rate')).toBe(25);
    });
  });

  describe('pageviews', async () => {
    it('counts page_view events when there is no sessions export', async () => {
      // W10: u1's two page_view events; W11: none.
      expect(valueIn(result, '2026-W10', 'pageviews')).toBe(2);
      expect(valueIn(result, '2026-W11', 'pageviews')).toBe(0);
    });
  });

  it('keeps the first event of a repeated event_id', async () => {
    const result = await run({
      periods: ['2026-W10'],
      data: {
        events: [EVENTS, [event('u9', '2026-03-05T10:00:00Z', 'purchase', { event_id: 'p1' })]],
      },
    });
    // The repeat of p1 (now attributed to u9) is dropped: still 4 users, 1 converted.
    expect(valueIn(result, '2026-W10', 'wau')).toBe(4);
    expect(valueIn(result, '2026-W10', 'conversion_rate')).toBe(25);
  });

  it('is null with a reason without an events export, or with an empty one', async () => {
    const ids = ['dau', 'wau', 'mau', 'stickiness', 'conversion_rate', 'feature_usage'];
    const absent = await run({ periods: ['2026-W10'], data: {} });
    const empty = await run({ periods: ['2026-W10'], data: { events: [[]] } });
    for (const id of ids) {
      expect(reasonOf(absent, '2026-W10', id)).toBe('no events export');
      expect(reasonOf(empty, '2026-W10', id)).toBe('the events export has no accepted rows');
    }
    expect(reasonOf(absent, '2026-W10', 'pageviews')).toBe('no sessions or events export');
    expect(reasonOf(empty, '2026-W10', 'pageviews')).toBe('the events export has no accepted rows');
  });
});

describe('activity metrics in a monthly report in a non-UTC time zone', async () => {
  // America/New_York, March 2026 = [1 Mar 00:00 EST = 05:00Z, 1 Apr 00:00 EDT = 04:00Z),
  // 31 local days; 8 Mar is 23 hours long (daylight saving starts). MAU window
  // [1 Apr − 30 days, 1 Apr) = [2 Mar, 1 Apr) local: 1 Mar is not in it.
  const rows = [
    event('x', '2026-03-01T00:30:00-05:00'), // 1 Mar local
    event('y', '2026-03-08T00:30:00-05:00'), // 8 Mar local (05:30Z)
    event('y', '2026-03-08T23:30:00-04:00'), // 8 Mar local too (9 Mar 03:30Z)
    event('y', '2026-03-31T23:30:00-04:00'), // 31 Mar local (1 Apr 03:30Z)
    event('z', '2026-02-28T23:00:00-05:00'), // 28 Feb local (1 Mar 04:00Z)
  ];
  const ny = await run({
    config: { timezone: 'America/New_York', period: 'month' },
    periods: ['2026-03'],
    data: { events: [rows] },
  });

  it('counts local days for dau, the 23-hour day as one day', async () => {
    // User-days: 1 Mar x, 8 Mar y (twice, once), 31 Mar y → 3 / 31 days.
    expect(valueIn(ny, '2026-03', 'dau')).toBeCloseTo(3 / 31, 12);
  });

  it('counts mau over the 30 local days ending with the month', async () => {
    // [2 Mar, 1 Apr): y only (x's 1 Mar is outside) → 1; stickiness (3/31) / 1 × 100.
    expect(valueIn(ny, '2026-03', 'mau')).toBe(1);
    expect(valueIn(ny, '2026-03', 'stickiness')).toBeCloseTo(300 / 31, 12);
    // Users active in the month (x, y) are the denominator of conversion: 0 / 2 = 0.
    expect(valueIn(ny, '2026-03', 'conversion_rate')).toBe(0);
  });

  it('is null for wau with a reason: WAU is a weekly metric', async () => {
    expect(reasonOf(ny, '2026-03', 'wau')).toBe(
      'WAU is defined for weekly reports; this report is monthly',
    );
    const quarter = await run({
      config: { period: 'quarter' },
      periods: ['2026-Q1'],
      data: { events: [rows] },
    });
    expect(reasonOf(quarter, '2026-Q1', 'wau')).toBe(
      'WAU is defined for weekly reports; this report is quarterly',
    );
  });

  it('places the same instants on other days in UTC', async () => {
    const utc = await run({
      config: { period: 'month' },
      periods: ['2026-03'],
      data: { events: [rows] },
    });
    // UTC days: 1 Mar x (05:30Z) and z (04:00Z); 8 Mar y; 9 Mar y; y's 1 Apr 03:30Z is
    // April → 2 + 1 + 1 = 4 user-days / 31.
    expect(valueIn(utc, '2026-03', 'dau')).toBeCloseTo(4 / 31, 12);
  });
});

describe('first_week_engagement', async () => {
  // Cohorts [start − 7 days, end − 7 days): W10 [23 Feb, 2 Mar), W11 [2 Mar, 9 Mar),
  // W09 [16 Feb, 23 Feb), W08 [9 Feb, 16 Feb).
  const CUSTOMERS = [
    // On the cohort's start, onboarded a day later: yes.
    customer('c1', '2026-02-23T00:00:00Z', { onboarded: '2026-02-24T00:00:00Z' }),
    // Onboarded exactly 7 × 24 h after creation: not within the first week.
    customer('c2', '2026-02-25T12:00:00Z', { onboarded: '2026-03-04T12:00:00Z' }),
    // Onboarded 1 s before 7 × 24 h: yes.
    customer('c3', '2026-02-26T00:00:00Z', { onboarded: '2026-03-04T23:59:59Z' }),
    // Never onboarded: no.
    customer('c4', '2026-03-01T23:00:00Z'),
    // Onboarding recorded before creation (clocks of two systems): counts as onboarded.
    customer('c7', '2026-02-24T00:00:00Z', { onboarded: '2026-02-23T23:00:00Z' }),
    // On W10's cohort end: W11's cohort.
    customer('c5', '2026-03-02T00:00:00Z', { onboarded: '2026-03-03T00:00:00Z' }),
    // Just before W10's cohort: W09's.
    customer('c6', '2026-02-22T23:59:00Z', { onboarded: '2026-02-23T00:00:00Z' }),
  ];

  it('is the share of the cohort onboarded within 7 × 24 h, from onboarding_completed_at', async () => {
    const result = await run({
      periods: ['2026-W08', '2026-W09', '2026-W10', '2026-W11'],
      data: { customers: [CUSTOMERS] },
    });
    // W10 cohort: c1, c2, c3, c4, c7 = 5; onboarded in time: c1, c3, c7 = 3 → 60.
    expect(valueIn(result, '2026-W10', 'first_week_engagement')).toBe(60);
    // W11: c5 → 1 / 1 = 100; W09: c6 → 100.
    expect(valueIn(result, '2026-W11', 'first_week_engagement')).toBe(100);
    expect(valueIn(result, '2026-W09', 'first_week_engagement')).toBe(100);
    // W08: nobody created in [9 Feb, 16 Feb).
    expect(reasonOf(result, '2026-W08', 'first_week_engagement')).toBe(
      'no customers whose first week ended in the period',
    );
  });

  it('falls back on the first onboarding event when the column has no values', async () => {
    const plain = CUSTOMERS.map((c) => ({ ...c, onboarding_completed_at: undefined }));
    const result = await run({
      periods: ['2026-W10'],
      data: {
        customers: [plain],
        events: [
          [
            event('c1', '2026-02-27T00:00:00Z', 'onboarding_completed'), // yes
            event('c2', '2026-02-26T00:00:00Z', 'onboarding_completed'), // yes
            event('c3', '2026-03-10T00:00:00Z', 'onboarding_completed'), // 12 days: no
            event('c3', '2026-02-27T00:00:00Z', 'app_open'), // not onboarding
            event('c4', '2026-02-01T00:00:00Z', 'app_open'),
          ],
        ],
      },
    });
    // Cohort c1, c2, c3, c4, c7; onboarded c1, c2 → 2 / 5 × 100 = 40.
    expect(valueIn(result, '2026-W10', 'first_week_engagement')).toBe(40);
  });

  it('uses the configured onboarding event name', async () => {
    const plain = CUSTOMERS.map((c) => ({ ...c, onboarding_completed_at: undefined }));
    const result = await run({
      config: { events: { onboarding: 'setup_done' } },
      periods: ['2026-W10'],
      data: {
        customers: [plain],
        events: [
          [
            event('c1', '2026-02-24T00:00:00Z', 'setup_done'),
            event('c2', '2026-02-26T00:00:00Z', 'onboarding_completed'), // not the configured name
          ],
        ],
      },
    });
    // c1 only → 1 / 5 × 100 = 20.
    expect(valueIn(result, '2026-W10', 'first_week_engagement')).toBe(20);
  });

  it('is null with a reason without customers, or without any onboarding source', async () => {
    const noCustomers = await run({ periods: ['2026-W10'], data: { events: [[]] } });
    expect(reasonOf(noCustomers, '2026-W10', 'first_week_engagement')).toBe('no customers export');
    const plain = CUSTOMERS.map((c) => ({ ...c, onboarding_completed_at: undefined }));
    const noSource = await run({ periods: ['2026-W10'], data: { customers: [plain] } });
    expect(reasonOf(noSource, '2026-W10', 'first_week_engagement')).toBe(
      'no onboarding_completed_at values in the customers export and no events export',
    );
  });

  it('takes cohort days in the report time zone and 7 × 24 h as elapsed time', async () => {
    // America/New_York, W11 cohort = [2 Mar 00:00 EST, 9 Mar 00:00 EDT); daylight saving
    // starts on 8 Mar, so a wall-clock week across it is 167 elapsed hours.
    const result = await run({
      config: { timezone: 'America/New_York' },
      periods: ['2026-W11'],
      data: {
        customers: [
          [
            // 7 Mar 12:00 EST (17:00Z) → 14 Mar 12:30 EDT (16:30Z): 167.5 h elapsed, within
            // the week (the wall clock shows 7 days 30 min).
            customer('d1', '2026-03-07T12:00:00-05:00', { onboarded: '2026-03-14T12:30:00-04:00' }),
            // 8 Mar 23:30 EDT (9 Mar 03:30Z): in New York's cohort, never onboarded.
            customer('d2', '2026-03-08T23:30:00-04:00'),
            // 9 Mar 00:00 EDT: the next cohort.
            customer('d3', '2026-03-09T00:00:00-04:00', { onboarded: '2026-03-09T01:00:00-04:00' }),
          ],
        ],
      },
    });
    // Cohort d1, d2; onboarded d1 → 50.
    expect(valueIn(result, '2026-W11', 'first_week_engagement')).toBe(50);
  });
});

describe('conversion_rate without conversion events', async () => {
  it('is null with a reason when events.conversion is empty, as core actions are', async () => {
    // u2's purchase would convert with the default list; with none configured nobody can.
    const none = await run({
      config: { events: { conversion: [] } },
      periods: ['2026-W10'],
      data: { events: [EVENTS] },
    });
    expect(reasonOf(none, '2026-W10', 'conversion_rate')).toBe(
      'no conversion events configured (events.conversion)',
    );
  });
});

describe('local days next to a daylight-saving change', async () => {
  // America/New_York, March 2026 (31 local days, 8 Mar has 23 hours; MAU window
  // [2 Mar 00:00 EST = 05:00Z, 1 Apr 00:00 EDT = 04:00Z)). Each event sits where days of
  // 24 h counted from the month's start (1 Mar 05:00Z), or a window of 30 × 24 h before
  // the end (from 2 Mar 04:00Z), would put it elsewhere:
  const rows = [
    event('p', '2026-03-08T12:00:00-05:00'), // 8 Mar local (17:00Z)
    event('p', '2026-03-09T00:30:00-04:00'), // 9 Mar local (04:30Z: "8 Mar" in 24 h days)
    event('q', '2026-03-01T23:30:00-05:00'), // 1 Mar local (2 Mar 04:30Z: inside 30 × 24 h)
  ];
  const ny = await run({
    config: { timezone: 'America/New_York', period: 'month' },
    periods: ['2026-03'],
    data: { events: [rows] },
  });

  it('puts the first hour after the short day on the next local day', async () => {
    // User-days: p on 8 and 9 Mar, q on 1 Mar → 3 / 31 (24 h days would give 2 / 31).
    expect(valueIn(ny, '2026-03', 'dau')).toBeCloseTo(3 / 31, 12);
  });

  it('starts the MAU window at a local midnight', async () => {
    // [2 Mar, 1 Apr) local holds p only: q's 1 Mar 23:30 is outside (30 × 24 h: 2 users).
    expect(valueIn(ny, '2026-03', 'mau')).toBe(1);
  });

  it('averages dau over the days that exist when the zone skips a date', async () => {
    // Pacific/Apia skipped Friday 30 Dec 2011 (29 Dec 23:59:59 −10:00 was followed by
    // 31 Dec 00:00 +14:00), so ISO week 2011-W52 [Mon 26 Dec, Mon 2 Jan) has 6 local days.
    // One user on 26 Dec → dau 1 / 6 (1 / 7 if the skipped date were a day).
    const apia = await run({
      config: { timezone: 'Pacific/Apia' },
      periods: ['2011-W52'],
      data: { events: [[event('a', '2011-12-26T12:00:00-10:00')]] },
    });
    expect(valueIn(apia, '2011-W52', 'dau')).toBeCloseTo(1 / 6, 12);
    expect(valueIn(apia, '2011-W52', 'wau')).toBe(1);
  });
});
