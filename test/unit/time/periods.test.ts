import { describe, expect, it } from 'vitest';
import {
  daysInPeriod,
  formatInstantWithOffset,
  isoWeekOfDayNumber,
  isoWeeksInYear,
  lastCompletePeriod,
  nextPeriod,
  type Period,
  PeriodError,
  parsePeriodKey,
  periodContaining,
  periodIncludes,
  periodKindOfKey,
  periodsBetween,
  previousPeriod,
  shiftPeriod,
  toPeriodInfo,
} from '../../../functions/core/time/periods';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NY = 'America/New_York';
const BERLIN = 'Europe/Berlin';

const at = (iso: string): number => Date.parse(iso);
const hours = (p: Period): number => (p.end - p.start) / HOUR;
/** Calendar date as days since 1970-01-01, from Date.UTC (not the code's own arithmetic). */
const day = (y: number, m: number, d: number): number => Date.UTC(y, m - 1, d) / DAY;

describe('parsePeriodKey', () => {
  it('gives New York 2026-W44 from Monday 00:00 EDT to Monday 00:00 EST, 169 hours', () => {
    // 2026-01-01 is a Thursday, so ISO week 1 starts Monday 2025-12-29 and week 44 starts
    // 43 × 7 = 301 days later: 2026-10-26. DST ends Sunday 2026-11-01 (02:00 EDT → 01:00 EST).
    // start 2026-10-26 00:00 −04:00 = 04:00Z; end 2026-11-02 00:00 −05:00 = 05:00Z.
    const p = parsePeriodKey('2026-W44', NY);

    expect(p).toEqual({
      key: '2026-W44',
      kind: 'week',
      start: at('2026-10-26T04:00:00Z'),
      end: at('2026-11-02T05:00:00Z'),
      timezone: NY,
    });
    // 7 × 24 + 1 (the repeated hour) = 169.
    expect(hours(p)).toBe(169);
  });

  it('gives Berlin 2026-W43 from 2026-10-19 to 2026-10-26, 169 hours', () => {
    // Week 43 starts 42 × 7 = 294 days after 2025-12-29: 2026-10-19. The change is Sunday
    // 2026-10-25 03:00 CEST → 02:00 CET, inside the week.
    // start 2026-10-19 00:00 +02:00 = 2026-10-18 22:00Z; end 2026-10-26 00:00 +01:00 = 25th 23:00Z.
    const p = parsePeriodKey('2026-W43', BERLIN);

    expect(p.start).toBe(at('2026-10-18T22:00:00Z'));
    expect(p.end).toBe(at('2026-10-25T23:00:00Z'));
    expect(hours(p)).toBe(169);
  });

  it('gives the spring-forward weeks 167 hours and the week after 168', () => {
    // US DST starts Sunday 2026-03-08, in the week Monday 2026-03-02 (day-of-year 61;
    // (61 + 2) / 7 = 9 weeks after 2025-12-29, so week 10).
    // start 2026-03-02 00:00 −05:00 = 05:00Z; end 2026-03-09 00:00 −04:00 = 04:00Z.
    const ny = parsePeriodKey('2026-W10', NY);
    expect(ny.start).toBe(at('2026-03-02T05:00:00Z'));
    expect(ny.end).toBe(at('2026-03-09T04:00:00Z'));
    expect(hours(ny)).toBe(167);
    expect(hours(parsePeriodKey('2026-W11', NY))).toBe(168);

    // EU DST starts Sunday 2026-03-29, in the week Monday 2026-03-23 (day-of-year 82;
    // (82 + 2) / 7 = 12 weeks after 2025-12-29, so week 13).
    // start 2026-03-23 00:00 +01:00 = 22nd 23:00Z; end 2026-03-30 00:00 +02:00 = 29th 22:00Z.
    const berlin = parsePeriodKey('2026-W13', BERLIN);
    expect(berlin.start).toBe(at('2026-03-22T23:00:00Z'));
    expect(berlin.end).toBe(at('2026-03-29T22:00:00Z'));
    expect(hours(berlin)).toBe(167);
  });

  it('gives months from local midnight of the 1st to the next 1st', () => {
    // Berlin October 2026: 1 Oct 00:00 CEST (+02) → 1 Nov 00:00 CET (+01); 31 × 24 + 1 = 745 h.
    const october = parsePeriodKey('2026-10', BERLIN);
    expect(october.kind).toBe('month');
    expect(october.start).toBe(at('2026-09-30T22:00:00Z'));
    expect(october.end).toBe(at('2026-10-31T23:00:00Z'));
    expect(hours(october)).toBe(745);

    // Kolkata (+05:30 all year) February 2026: 28 × 24 = 672 h.
    const february = parsePeriodKey('2026-02', 'Asia/Kolkata');
    expect(february.start).toBe(at('2026-01-31T18:30:00Z'));
    expect(february.end).toBe(at('2026-02-28T18:30:00Z'));
    expect(hours(february)).toBe(672);
  });

  it('gives quarters from local midnight of their first day', () => {
    // New York 2026-Q4: 1 Oct 00:00 EDT (04:00Z) → 1 Jan 2027 00:00 EST (05:00Z);
    // 92 days + the hour repeated on 1 Nov = 92 × 24 + 1 = 2209 h.
    const q4 = parsePeriodKey('2026-Q4', NY);
    expect(q4.kind).toBe('quarter');
    expect(q4.start).toBe(at('2026-10-01T04:00:00Z'));
    expect(q4.end).toBe(at('2027-01-01T05:00:00Z'));
    expect(hours(q4)).toBe(2209);

    // Sydney 2026-Q2 (southern DST ends Sunday 5 April, 03:00 AEDT → 02:00 AEST):
    // 1 Apr 00:00 +11:00 = 31 Mar 13:00Z → 1 Jul 00:00 +10:00 = 30 Jun 14:00Z.
    const q2 = parsePeriodKey('2026-Q2', 'Australia/Sydney');
    expect(q2.start).toBe(at('2026-03-31T13:00:00Z'));
    expect(q2.end).toBe(at('2026-06-30T14:00:00Z'));
    // 30 + 31 + 30 = 91 days, plus 1 h: 2185 h.
    expect(hours(q2)).toBe(2185);
  });

  it('starts a period at the first of two midnights when a fall-back repeats midnight', () => {
    // Havana falls back on Sunday 2026-11-01 at 01:00 CDT → 00:00 CST, so 00:00 happens at
    // −04:00 (04:00Z) and again at −05:00 (05:00Z). November starts at the first one, which
    // is also where October ends.
    const november = parsePeriodKey('2026-11', 'America/Havana');
    const october = parsePeriodKey('2026-10', 'America/Havana');

    expect(november.start).toBe(at('2026-11-01T04:00:00Z'));
    expect(october.end).toBe(november.start);
  });

  it('starts a day at the end of the gap when a spring-forward skips midnight', () => {
    // Santiago springs forward on Sunday 2026-09-06 at 00:00 −04:00 → 01:00 −03:00 (04:00Z),
    // so ISO week 36 (Mon 31 Aug → Mon 7 Sep) is 167 h; and the month of September starts
    // normally on Tuesday 1 Sep 00:00 −04:00 = 04:00Z.
    expect(hours(parsePeriodKey('2026-W36', 'America/Santiago'))).toBe(167);
    expect(parsePeriodKey('2026-09', 'America/Santiago').start).toBe(at('2026-09-01T04:00:00Z'));
  });

  it('accepts week 53 only in ISO years that have it', () => {
    // 2026 starts on a Thursday → 53 weeks; W53 = Mon 2026-12-28 → Mon 2027-01-04 (UTC).
    const w53 = parsePeriodKey('2026-W53', 'UTC');
    expect(w53.start).toBe(at('2026-12-28T00:00:00Z'));
    expect(w53.end).toBe(at('2027-01-04T00:00:00Z'));
    // 2025 starts on a Wednesday and is not a leap year → 52 weeks.
    expect(() => parsePeriodKey('2025-W53', 'UTC')).toThrow(/ISO year 2025 has 52 weeks/);
  });

  it.each([
    ['2026-W54', /no week 54: use 1 to 53/],
    ['2026-W00', /no week 0/],
    ['2026-13', /no month 13: use 1 to 12/],
    ['2026-00', /no month 0/],
    ['2026-Q5', /no quarter 5: use 1 to 4/],
    ['2026-Q0', /no quarter 0/],
    ['0999-01', /year between 1000 and 9999/],
    ['2026-w44', /not a period key/],
    ['2026-W4', /not a period key/],
    ['26-W44', /not a period key/],
    ['2026-11-01', /not a period key/],
    [' 2026-11', /not a period key/],
    ['2026', /not a period key/],
    ['', /not a period key/],
  ])('rejects %j with a PeriodError', (key, message) => {
    expect(() => parsePeriodKey(key, 'UTC')).toThrow(PeriodError);
    expect(() => parsePeriodKey(key, 'UTC')).toThrow(message);
  });
});

describe('periodKindOfKey', () => {
  it('infers the kind from the form of the key', () => {
    expect(periodKindOfKey('2026-W44')).toBe('week');
    expect(periodKindOfKey('2026-11')).toBe('month');
    expect(periodKindOfKey('2026-Q4')).toBe('quarter');
    expect(() => periodKindOfKey('2026-H2')).toThrow(PeriodError);
  });
});

describe('isoWeeksInYear', () => {
  it('gives 53 weeks exactly in the long ISO years of 2000–2040', () => {
    // Years starting on a Thursday, or leap years starting on a Wednesday (ISO 8601):
    // 2004 (Thu), 2009 (Thu), 2015 (Thu), 2020 (Wed, leap), 2026 (Thu), 2032 (Thu, leap),
    // 2037 (Thu).
    const long = [2004, 2009, 2015, 2020, 2026, 2032, 2037];
    for (let year = 2000; year <= 2040; year++) {
      expect(isoWeeksInYear(year), String(year)).toBe(long.includes(year) ? 53 : 52);
    }
  });
});

describe('isoWeekOfDayNumber', () => {
  it('puts days at the turn of the year in the ISO week-year of their Thursday', () => {
    // 2026-12-31 is a Thursday → 2026-W53; 2027-01-01 (Fri) and 2027-01-03 (Sun) are in
    // the same week; Monday 2027-01-04 starts 2027-W01.
    expect(isoWeekOfDayNumber(day(2026, 12, 31))).toEqual({ isoYear: 2026, week: 53 });
    expect(isoWeekOfDayNumber(day(2027, 1, 1))).toEqual({ isoYear: 2026, week: 53 });
    expect(isoWeekOfDayNumber(day(2027, 1, 3))).toEqual({ isoYear: 2026, week: 53 });
    expect(isoWeekOfDayNumber(day(2027, 1, 4))).toEqual({ isoYear: 2027, week: 1 });
    // Monday 2024-12-30: its Thursday is 2025-01-02 → 2025-W01; Sunday 2024-12-29 is 2024-W52.
    expect(isoWeekOfDayNumber(day(2024, 12, 30))).toEqual({ isoYear: 2025, week: 1 });
    expect(isoWeekOfDayNumber(day(2024, 12, 29))).toEqual({ isoYear: 2024, week: 52 });
    // Friday 2021-01-01 still belongs to 2020-W53.
    expect(isoWeekOfDayNumber(day(2021, 1, 1))).toEqual({ isoYear: 2020, week: 53 });
  });

  it('agrees with a day-by-day count of Mondays from a known week 1', () => {
    // Second implementation: start at Monday 2000-01-03 (2000-W01; 1 Jan 2000 was a
    // Saturday) and walk forward one day at a time; on every Monday the week goes up by one,
    // and resets to 1 on the Monday whose Thursday (Monday + 3) falls on 1–7 January.
    let isoYear = 2000;
    let week = 1;
    for (let d = day(2000, 1, 3); d < day(2041, 1, 1); d++) {
      const date = new Date(d * DAY);
      if (date.getUTCDay() === 1 && d !== day(2000, 1, 3)) {
        const thursday = new Date((d + 3) * DAY);
        if (thursday.getUTCMonth() === 0 && thursday.getUTCDate() <= 7) {
          isoYear = thursday.getUTCFullYear();
          week = 1;
        } else {
          week += 1;
        }
      }
      const got = isoWeekOfDayNumber(d);
      if (got.isoYear !== isoYear || got.week !== week) {
        expect(got, date.toISOString()).toEqual({ isoYear, week });
      }
    }
    // The walk itself reached the end: 2041-01-01 is a Tuesday, so Monday 2040-12-31 (its
    // Thursday is 2041-01-03) is already 2041-W01.
    expect({ isoYear, week }).toEqual({ isoYear: 2041, week: 1 });
  });
});

describe('periodContaining', () => {
  it('finds the week by the local date, not the UTC date', () => {
    // 2026-10-26T02:00Z is Monday in UTC but Sunday 25 Oct 22:00 EDT in New York → W43.
    expect(periodContaining(at('2026-10-26T02:00:00Z'), 'week', NY).key).toBe('2026-W43');
    expect(periodContaining(at('2026-10-26T02:00:00Z'), 'week', 'UTC').key).toBe('2026-W44');
  });

  it('puts an instant just before a boundary in the earlier period and the boundary in the later', () => {
    // NY 2026-W44 ends at 2026-11-02T05:00Z (Monday 00:00 EST).
    expect(periodContaining(at('2026-11-02T04:59:59.999Z'), 'week', NY).key).toBe('2026-W44');
    expect(periodContaining(at('2026-11-02T05:00:00Z'), 'week', NY).key).toBe('2026-W45');
    // Both 01:30 on 1 Nov (EDT at 05:30Z, EST at 06:30Z) are in W44 and in November.
    expect(periodContaining(at('2026-11-01T05:30:00Z'), 'month', NY).key).toBe('2026-11');
    expect(periodContaining(at('2026-11-01T06:30:00Z'), 'week', NY).key).toBe('2026-W44');
  });

  it('names months and quarters by the local date', () => {
    // 2026-09-30T22:30Z is 1 Oct 00:30 in Berlin (+02:00) but still 30 Sep in UTC.
    expect(periodContaining(at('2026-09-30T22:30:00Z'), 'month', BERLIN).key).toBe('2026-10');
    expect(periodContaining(at('2026-09-30T22:30:00Z'), 'quarter', BERLIN).key).toBe('2026-Q4');
    expect(periodContaining(at('2026-09-30T22:30:00Z'), 'quarter', 'UTC').key).toBe('2026-Q3');
  });

  it('returns the period whose own boundaries hold the instant, in many zones', () => {
    // Self-consistency over two years of hourly instants in zones with DST on either side
    // of the equator, a half-hour offset, midnight transitions, and no DST.
    const zones = [NY, BERLIN, 'Australia/Sydney', 'America/Havana', 'Asia/Kolkata', 'UTC'];
    for (const zone of zones) {
      for (let t = at('2025-12-01T00:00:00Z'); t < at('2027-02-01T00:00:00Z'); t += 7 * HOUR) {
        for (const kind of ['week', 'month', 'quarter'] as const) {
          const p = periodContaining(t, kind, zone);
          if (!(p.start <= t && t < p.end)) {
            expect({ zone, t: new Date(t).toISOString(), key: p.key }).toBe('inside its period');
          }
        }
      }
    }
  });
});

describe('previousPeriod', () => {
  it('crosses year boundaries for every kind', () => {
    // 2025 has 52 ISO weeks (starts on a Wednesday, not leap); 2020 has 53 (leap, Wednesday).
    expect(previousPeriod(parsePeriodKey('2026-W01', NY)).key).toBe('2025-W52');
    expect(previousPeriod(parsePeriodKey('2021-W01', NY)).key).toBe('2020-W53');
    expect(previousPeriod(parsePeriodKey('2026-01', NY)).key).toBe('2025-12');
    expect(previousPeriod(parsePeriodKey('2026-Q1', NY)).key).toBe('2025-Q4');
  });

  it('ends exactly where the given period starts, in the same zone', () => {
    const p = parsePeriodKey('2026-W45', NY);

    const previous = previousPeriod(p);

    expect(previous).toEqual(parsePeriodKey('2026-W44', NY));
    expect(previous.end).toBe(p.start);
  });
});

describe('nextPeriod', () => {
  it('steps through week 53 into week 1 of the next ISO year', () => {
    const w52 = parsePeriodKey('2026-W52', 'UTC');

    const w53 = nextPeriod(w52);
    const w01 = nextPeriod(w53);

    expect(w53.key).toBe('2026-W53');
    expect(w01.key).toBe('2027-W01');
    // 2027-W01 starts Monday 2027-01-04 (the Monday of the week holding 4 January).
    expect(w01.start).toBe(at('2027-01-04T00:00:00Z'));
    expect(nextPeriod(parsePeriodKey('2026-12', 'UTC')).key).toBe('2027-01');
    expect(nextPeriod(parsePeriodKey('2026-Q4', 'UTC')).key).toBe('2027-Q1');
  });

  it('tiles the timeline: each week starts where the previous one ended, 2000–2040', () => {
    // 41 years hold 41 × 52 weeks plus one per long year (7 in 2000–2040, listed above).
    let p = parsePeriodKey('2000-W01', BERLIN);
    let count = 1;
    while (p.key !== '2040-W52') {
      const next = nextPeriod(p);
      if (next.start !== p.end) expect(next.start).toBe(p.end);
      p = next;
      count += 1;
    }
    expect(count).toBe(41 * 52 + 7);
  });
});

describe('shiftPeriod', () => {
  it('moves by several periods in either direction', () => {
    // 2026-11 − 14 months = 2025-09; 2026-Q1 + 5 quarters = 2027-Q2.
    expect(shiftPeriod(parsePeriodKey('2026-11', 'UTC'), -14).key).toBe('2025-09');
    expect(shiftPeriod(parsePeriodKey('2026-Q1', 'UTC'), 5).key).toBe('2027-Q2');
    // 2026-W50 + 4 weeks: W51, W52, W53, 2027-W01.
    expect(shiftPeriod(parsePeriodKey('2026-W50', 'UTC'), 4).key).toBe('2027-W01');
    expect(shiftPeriod(parsePeriodKey('2026-W50', 'UTC'), 0).key).toBe('2026-W50');
  });

  it('rejects a fractional step', () => {
    expect(() => shiftPeriod(parsePeriodKey('2026-W50', 'UTC'), 0.5)).toThrow(PeriodError);
  });
});

describe('lastCompletePeriod', () => {
  it('gives the week before the current one until the boundary is reached', () => {
    // NY: W44 ends Monday 2026-11-02 00:00 EST = 05:00Z. One ms before, W44 is still running.
    expect(lastCompletePeriod(at('2026-11-02T04:59:59.999Z'), 'week', NY).key).toBe('2026-W43');
  });

  it('counts a period whose end is exactly now as complete', () => {
    expect(lastCompletePeriod(at('2026-11-02T05:00:00Z'), 'week', NY).key).toBe('2026-W44');
  });

  it('uses local midnight for months and quarters', () => {
    // Berlin: 1 Nov 2026 00:00 CET = 31 Oct 23:00Z.
    expect(lastCompletePeriod(at('2026-10-31T23:00:00Z'), 'month', BERLIN).key).toBe('2026-10');
    expect(lastCompletePeriod(at('2026-10-31T22:59:59.999Z'), 'month', BERLIN).key).toBe('2026-09');
    // Berlin: 1 Jan 2027 00:00 CET = 31 Dec 23:00Z.
    expect(lastCompletePeriod(at('2026-12-31T23:00:00Z'), 'quarter', BERLIN).key).toBe('2026-Q4');
    expect(lastCompletePeriod(at('2026-12-31T22:00:00Z'), 'quarter', BERLIN).key).toBe('2026-Q3');
  });
});

describe('periodsBetween', () => {
  it('lists weeks across a 53-week year, both ends included', () => {
    const keys = periodsBetween('2026-W52', '2027-W02', NY).map((p) => p.key);

    expect(keys).toEqual(['2026-W52', '2026-W53', '2027-W01', '2027-W02']);
  });

  it('lists months across a year and a single period for equal keys', () => {
    expect(periodsBetween('2025-11', '2026-02', 'UTC').map((p) => p.key)).toEqual([
      '2025-11',
      '2025-12',
      '2026-01',
      '2026-02',
    ]);
    expect(periodsBetween('2026-Q3', '2026-Q3', 'UTC').map((p) => p.key)).toEqual(['2026-Q3']);
  });

  it('gives adjacent periods in the requested zone', () => {
    const [a, b] = periodsBetween('2026-10', '2026-11', BERLIN);

    expect(a?.timezone).toBe(BERLIN);
    expect(a?.end).toBe(at('2026-10-31T23:00:00Z'));
    expect(b?.start).toBe(a?.end);
  });

  it('rejects keys of different kinds', () => {
    expect(() => periodsBetween('2026-W40', '2026-11', 'UTC')).toThrow(PeriodError);
    expect(() => periodsBetween('2026-W40', '2026-11', 'UTC')).toThrow(/same kind/);
  });

  it('rejects a start after the end', () => {
    expect(() => periodsBetween('2026-12', '2026-11', 'UTC')).toThrow(/comes after/);
    expect(() => periodsBetween('2027-W01', '2026-W53', 'UTC')).toThrow(PeriodError);
  });
});

describe('daysInPeriod', () => {
  it('counts calendar days, whatever DST does to the hours', () => {
    // NY 2026-W44 is 169 h but 7 days; NY 2026-03 is 31 × 24 − 1 = 743 h but 31 days.
    expect(daysInPeriod(parsePeriodKey('2026-W44', NY))).toBe(7);
    expect(daysInPeriod(parsePeriodKey('2026-03', NY))).toBe(31);
    // February 2026 has 28 days, February 2024 (leap) 29.
    expect(daysInPeriod(parsePeriodKey('2026-02', BERLIN))).toBe(28);
    expect(daysInPeriod(parsePeriodKey('2024-02', BERLIN))).toBe(29);
    // Q1 2026: 31 + 28 + 31 = 90; Q4: 31 + 30 + 31 = 92.
    expect(daysInPeriod(parsePeriodKey('2026-Q1', NY))).toBe(90);
    expect(daysInPeriod(parsePeriodKey('2026-Q4', NY))).toBe(92);
  });

  it('leaves out a day the zone skipped', () => {
    // Samoa moved across the date line: Thursday 2011-12-29 23:59:59 −10:00 was followed by
    // Saturday 2011-12-31 00:00:00 +14:00. 2011-W52 (Mon 26 Dec → Mon 2 Jan) therefore runs
    // from 26 Dec 00:00 −10:00 = 10:00Z to 2 Jan 00:00 +14:00 = 1 Jan 10:00Z: 6 × 24 h.
    const p = parsePeriodKey('2011-W52', 'Pacific/Apia');

    expect(p.start).toBe(at('2011-12-26T10:00:00Z'));
    expect(p.end).toBe(at('2012-01-01T10:00:00Z'));
    expect(daysInPeriod(p)).toBe(6);
  });
});

describe('toPeriodInfo', () => {
  it('writes the boundaries as local ISO times with the offset of each instant', () => {
    const info = toPeriodInfo(parsePeriodKey('2026-W44', NY));

    expect(info).toEqual({
      key: '2026-W44',
      kind: 'week',
      start: '2026-10-26T00:00:00-04:00',
      end: '2026-11-02T00:00:00-05:00',
      timezone: NY,
    });
    // The strings parse back to the same instants.
    expect(Date.parse(info.start)).toBe(at('2026-10-26T04:00:00Z'));
    expect(Date.parse(info.end)).toBe(at('2026-11-02T05:00:00Z'));
  });

  it('writes half-hour, positive and zero offsets', () => {
    expect(toPeriodInfo(parsePeriodKey('2026-02', 'Asia/Kolkata'))).toMatchObject({
      start: '2026-02-01T00:00:00+05:30',
      end: '2026-03-01T00:00:00+05:30',
    });
    expect(toPeriodInfo(parsePeriodKey('2026-Q2', 'Australia/Sydney'))).toMatchObject({
      start: '2026-04-01T00:00:00+11:00',
      end: '2026-07-01T00:00:00+10:00',
    });
    expect(toPeriodInfo(parsePeriodKey('2026-Q1', 'UTC'))).toMatchObject({
      start: '2026-01-01T00:00:00+00:00',
      end: '2026-04-01T00:00:00+00:00',
    });
  });
});

describe('formatInstantWithOffset', () => {
  it('writes milliseconds only when present and offset seconds for local mean time', () => {
    // 12:34:56.789Z in New York summer (−04:00) reads 08:34:56.789.
    expect(formatInstantWithOffset(at('2026-07-01T12:34:56.789Z'), NY)).toBe(
      '2026-07-01T08:34:56.789-04:00',
    );
    // Liberia kept Monrovia mean time, −00:44:30, until 1972: 00:00Z − 0:44:30 = 23:15:30.
    expect(formatInstantWithOffset(at('1960-01-01T00:00:00Z'), 'Africa/Monrovia')).toBe(
      '1959-12-31T23:15:30-00:44:30',
    );
  });
});

describe('periodIncludes', () => {
  it('includes the start and excludes the end', () => {
    const p = parsePeriodKey('2026-W44', NY);

    expect(periodIncludes(p, p.start)).toBe(true);
    expect(periodIncludes(p, p.end - 1)).toBe(true);
    expect(periodIncludes(p, p.end)).toBe(false);
    expect(periodIncludes(p, p.start - 1)).toBe(false);
  });
});
