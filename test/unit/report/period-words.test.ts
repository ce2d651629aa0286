import { describe, expect, it } from 'vitest';
import { periodWords, shortLabel, zoneLabel } from '../../../functions/core/report/period-words';
import type { PeriodInfo } from '../../../functions/core/snapshot';

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
