import { describe, expect, it } from 'vitest';
import {
  datedLabel,
  periodWords,
  shortLabel,
  zoneLabel,
} from '../../../functions/core/report/period-words';
import type { PeriodInfo } from '../../../functions/core/snapshot';
import { parsePeriodKey, toPeriodInfo } from '../../../functions/core/time/periods';

// ISO week 44 of 2026 is Mon 26 Oct – Sun 1 Nov. DST ends in New York on Sun 1 Nov, so the
// week starts at EDT (−04:00) and its exclusive end, Mon 2 Nov 00:00, is in EST (−05:00).
const WEEK_44: PeriodInfo = {
  key: '2026-W44',
  kind: 'week',
  start: '2026-10-26T00:00:00-04:00',
  end: '2026-11-02T00:00:00-05:00',
  timezone: 'America/New_York',
};

describe('periodWords', () => {
  it('writes a week with its dates and zone in British English', () => {
    expect(periodWords(WEEK_44, 'en-GB').long).toBe('Week 44 · 26 Oct – 1 Nov 2026, New York time');
  });

  it('writes the dates in the order of the locale', () => {
    const words = periodWords(WEEK_44, 'en-US');
    expect(words.long).toBe('Week 44 · Oct 26 – Nov 1, 2026, New York time');
    expect(words).toMatchObject({ short: 'Week 44', plural: 'weeks', zone: 'New York time' });
  });

  it('ends on the last day before the exclusive end, across a DST change', () => {
    // Europe/Berlin, 25 Oct 2026 (DST ends) has 25 hours; the week still ends on Sun 25 Oct.
    const berlin: PeriodInfo = {
      key: '2026-W43',
      kind: 'week',
      start: '2026-10-19T00:00:00+02:00',
      end: '2026-10-26T00:00:00+01:00',
      timezone: 'Europe/Berlin',
    };
    expect(periodWords(berlin, 'en-GB').range).toBe('19 – 25 Oct 2026');
  });

  it('writes a month without a date range and a quarter with one', () => {
    const month: PeriodInfo = {
      key: '2026-11',
      kind: 'month',
      start: '2026-11-01T00:00:00+00:00',
      end: '2026-12-01T00:00:00+00:00',
      timezone: 'UTC',
    };
    expect(periodWords(month, 'en-GB')).toMatchObject({
      long: 'November 2026, UTC',
      plural: 'months',
    });
    const quarter: PeriodInfo = {
      key: '2026-Q4',
      kind: 'quarter',
      start: '2026-10-01T00:00:00+09:00',
      end: '2027-01-01T00:00:00+09:00',
      timezone: 'Asia/Tokyo',
    };
    expect(periodWords(quarter, 'en-GB').long).toBe('Q4 2026 · 1 Oct – 31 Dec 2026, Tokyo time');
  });

  it('uses ordinary spaces, not the thin spaces Intl puts around the dash', () => {
    expect(periodWords(WEEK_44, 'en-US').long).not.toMatch(/[\u2009\u202f]/);
  });
});

describe('zoneLabel', () => {
  it('names the city of an IANA zone and keeps zones without one', () => {
    expect(zoneLabel('America/Argentina/Buenos_Aires')).toBe('Buenos Aires time');
    expect(zoneLabel('UTC')).toBe('UTC');
    expect(zoneLabel('Etc/GMT+5')).toBe('GMT+5');
  });
});

describe('shortLabel', () => {
  it('drops the leading zero of a week number', () => {
    expect(shortLabel({ ...WEEK_44, key: '2026-W05' }, 'en-US')).toBe('Week 5');
  });
});

describe('datedLabel', () => {
  // Every expected string below was worked out with a calendar: ISO week 1 is the week with
  // the year's first Thursday, weeks start on Monday, and the last day shown is the day
  // before the exclusive end in the report's zone.

  it('writes a week with its days and year: Week 47 of 2026 is Mon 16 – Sun 22 Nov', () => {
    const week47: PeriodInfo = {
      key: '2026-W47',
      kind: 'week',
      start: '2026-11-16T00:00:00-05:00',
      end: '2026-11-23T00:00:00-05:00',
      timezone: 'America/New_York',
    };
    expect(datedLabel(week47, 'en-US')).toBe('Week 47, Nov 16–22 2026');
    expect(datedLabel(week47, 'en-GB')).toBe('Week 47, 16–22 Nov 2026');
    expect(periodWords(week47, 'en-US').dated).toBe('Week 47, Nov 16–22 2026');
  });

  it('names both months of a week that spans two, across the New York DST change', () => {
    // Week 44: EDT on Mon 26 Oct, EST from Sun 1 Nov; the end is Mon 2 Nov 00:00 EST.
    expect(datedLabel(WEEK_44, 'en-US')).toBe('Week 44, Oct 26 – Nov 1 2026');
  });

  it('takes the days in the zone, not in UTC, in a spring-forward week', () => {
    // Berlin, week 13 of 2026: Mon 23 Mar 00:00 CET is Sun 22 Mar 23:00 UTC, and Sun 29
    // Mar has 23 hours (CEST from 02:00); the exclusive end is Mon 30 Mar 00:00 CEST.
    const berlin: PeriodInfo = {
      key: '2026-W13',
      kind: 'week',
      start: '2026-03-23T00:00:00+01:00',
      end: '2026-03-30T00:00:00+02:00',
      timezone: 'Europe/Berlin',
    };
    expect(datedLabel(berlin, 'en-US')).toBe('Week 13, Mar 23–29 2026');
    expect(parsePeriodKey('2026-W13', 'Europe/Berlin').start).toBe(Date.parse(berlin.start));
  });

  it('names both years of a week across New Year: 2026-W01 starts on Mon 29 Dec 2025', () => {
    // 1 Jan 2026 is a Thursday, so ISO week 1 of 2026 is 29 Dec 2025 – 4 Jan 2026. 2026 has
    // 53 ISO weeks; W53 is 28 Dec 2026 – 3 Jan 2027, and 2027-W01 starts on Mon 4 Jan 2027
    // (1 Jan 2027 is a Friday, which belongs to the week before).
    const utc = (key: string) => toPeriodInfo(parsePeriodKey(key, 'UTC'));
    expect(utc('2026-W01')).toMatchObject({
      start: '2025-12-29T00:00:00+00:00',
      end: '2026-01-05T00:00:00+00:00',
    });
    expect(datedLabel(utc('2026-W01'), 'en-US')).toBe('Week 1, Dec 29 2025 – Jan 4 2026');
    expect(datedLabel(utc('2026-W53'), 'en-US')).toBe('Week 53, Dec 28 2026 – Jan 3 2027');
    expect(datedLabel(utc('2027-W01'), 'en-US')).toBe('Week 1, Jan 4–10 2027');
    expect(datedLabel(utc('2026-W53'), 'en-GB')).toBe('Week 53, 28 Dec 2026 – 3 Jan 2027');
  });

  it('writes a month as its name and year, in the zone', () => {
    // Tokyo, November 2026: starts 1 Nov 00:00 JST, which is 31 Oct 15:00 UTC.
    const month: PeriodInfo = {
      key: '2026-11',
      kind: 'month',
      start: '2026-11-01T00:00:00+09:00',
      end: '2026-12-01T00:00:00+09:00',
      timezone: 'Asia/Tokyo',
    };
    expect(datedLabel(month, 'en-US')).toBe('November 2026');
  });

  it('writes a quarter with its first and last month, in the zone', () => {
    // Tokyo, Q4 2026: starts 1 Oct 00:00 JST (30 Sep 15:00 UTC), ends before 1 Jan 2027.
    const quarter: PeriodInfo = {
      key: '2026-Q4',
      kind: 'quarter',
      start: '2026-10-01T00:00:00+09:00',
      end: '2027-01-01T00:00:00+09:00',
      timezone: 'Asia/Tokyo',
    };
    expect(datedLabel(quarter, 'en-US')).toBe('Q4 2026, Oct–Dec');
    // Los Angeles, Q1 2027: 1 Jan 00:00 PST – 31 Mar (PDT from 14 Mar).
    expect(
      datedLabel(toPeriodInfo(parsePeriodKey('2027-Q1', 'America/Los_Angeles')), 'en-US'),
    ).toBe('Q1 2027, Jan–Mar');
  });
});
