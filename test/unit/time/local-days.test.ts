import { describe, expect, it } from 'vitest';
import {
  addLocalDays,
  localDayNumber,
  PeriodError,
  parsePeriodKey,
  startOfLocalDay,
  startOfLocalDayNumber,
} from '../../../functions/core/time/periods';

const HOUR = 3_600_000;
const NY = 'America/New_York';
const BERLIN = 'Europe/Berlin';
const at = (iso: string): number => Date.parse(iso);

// Day numbers worked out by hand: 1970–2025 is 56 years with 14 leap years (1972 … 2024),
// so 2026-01-01 is day 56 × 365 + 14 = 20454. 2026-11-01 is 304 days later (Jan–Oct hold
// 31+28+31+30+31+30+31+31+30+31 = 304 days): 20758.
const NOV_1_2026 = 20758;

describe('localDayNumber', () => {
  it('counts days of the local calendar date, changing at local midnight', () => {
    // New York, Sunday 1 Nov 2026 ends at Monday 00:00 EST = 2 Nov 05:00Z.
    expect(localDayNumber(at('2026-11-02T04:59:59.999Z'), NY)).toBe(NOV_1_2026);
    expect(localDayNumber(at('2026-11-02T05:00:00Z'), NY)).toBe(NOV_1_2026 + 1);
    // In UTC the same instants are both on 2 Nov.
    expect(localDayNumber(at('2026-11-02T04:59:59.999Z'), 'UTC')).toBe(NOV_1_2026 + 1);
  });

  it('keeps both copies of a repeated hour on the same day', () => {
    // 1 Nov 2026 starts at 00:00 EDT = 04:00Z; 01:30 happens at 05:30Z (EDT) and 06:30Z (EST).
    expect(localDayNumber(at('2026-11-01T03:59:59.999Z'), NY)).toBe(NOV_1_2026 - 1);
    expect(localDayNumber(at('2026-11-01T04:00:00Z'), NY)).toBe(NOV_1_2026);
    expect(localDayNumber(at('2026-11-01T05:30:00Z'), NY)).toBe(NOV_1_2026);
    expect(localDayNumber(at('2026-11-01T06:30:00Z'), NY)).toBe(NOV_1_2026);
  });

  it('follows a positive offset into the next day and counts backwards before 1970', () => {
    // 2026-10-31T23:30Z is 1 Nov 00:30 CET in Berlin.
    expect(localDayNumber(at('2026-10-31T23:30:00Z'), BERLIN)).toBe(NOV_1_2026);
    // 1969-12-31T23:00Z is day −1 in UTC; in New York (−05:00) it is 18:00 on 31 Dec too.
    expect(localDayNumber(at('1969-12-31T23:00:00Z'), 'UTC')).toBe(-1);
    expect(localDayNumber(at('1970-01-01T03:00:00Z'), NY)).toBe(-1);
  });
});

describe('startOfLocalDay', () => {
  it('gives local midnight of a 25-hour day', () => {
    // Sunday 1 Nov 2026 in New York starts 00:00 EDT = 04:00Z and lasts until 05:00Z the next
    // day: 25 h. 15:00 EST that day is 20:00Z.
    const start = startOfLocalDay(at('2026-11-01T20:00:00Z'), NY);

    expect(start).toBe(at('2026-11-01T04:00:00Z'));
    expect(startOfLocalDay(at('2026-11-02T05:00:00Z'), NY) - start).toBe(25 * HOUR);
  });

  it('gives local midnight of a 23-hour day', () => {
    // Sunday 29 Mar 2026 in Berlin: 00:00 CET = 28 Mar 23:00Z → Monday 00:00 CEST = 29 Mar 22:00Z.
    const start = startOfLocalDay(at('2026-03-29T12:00:00Z'), BERLIN);

    expect(start).toBe(at('2026-03-28T23:00:00Z'));
    expect(startOfLocalDay(at('2026-03-29T22:00:00Z'), BERLIN) - start).toBe(23 * HOUR);
  });

  it('is the identity on a local midnight and goes back to midnight from late evening', () => {
    // Monday 26 Oct 2026 00:00 in Berlin is CET (+01:00, since 25 Oct) = 25 Oct 23:00Z.
    const monday = at('2026-10-25T23:00:00Z');
    // 25 Oct 22:00Z is 23:00 CET on Sunday 25 Oct, whose midnight was 00:00 CEST = 24 Oct 22:00Z.
    const sundayEvening = at('2026-10-25T22:00:00Z');

    expect(startOfLocalDay(monday, BERLIN)).toBe(monday);
    expect(startOfLocalDay(sundayEvening, BERLIN)).toBe(at('2026-10-24T22:00:00Z'));
  });

  it('starts a day whose midnight was skipped at the end of the gap', () => {
    // Santiago, Sunday 6 Sep 2026: 00:00 −04:00 became 01:00 −03:00 at 04:00Z.
    expect(startOfLocalDay(at('2026-09-06T15:00:00Z'), 'America/Santiago')).toBe(
      at('2026-09-06T04:00:00Z'),
    );
    // Havana, Sunday 8 Mar 2026: 00:00 −05:00 became 01:00 −04:00 at 05:00Z.
    expect(startOfLocalDay(at('2026-03-08T15:00:00Z'), 'America/Havana')).toBe(
      at('2026-03-08T05:00:00Z'),
    );
  });

  it('starts a day whose midnight repeats at the first of the two', () => {
    // Havana, Sunday 1 Nov 2026: 01:00 −04:00 fell back to 00:00 −05:00 at 05:00Z, so
    // midnight was 04:00Z and again 05:00Z. 05:30Z reads 00:30 (second time round).
    expect(startOfLocalDay(at('2026-11-01T05:30:00Z'), 'America/Havana')).toBe(
      at('2026-11-01T04:00:00Z'),
    );
  });
});

describe('startOfLocalDayNumber', () => {
  it('gives the first instant of a local calendar day', () => {
    // Day 20758 is 1 Nov 2026 (see above): 00:00 EDT in New York = 04:00Z.
    expect(startOfLocalDayNumber(NOV_1_2026, NY)).toBe(at('2026-11-01T04:00:00Z'));
    expect(startOfLocalDayNumber(NOV_1_2026, 'UTC')).toBe(at('2026-11-01T00:00:00Z'));
  });
});

describe('addLocalDays', () => {
  it('moves a local midnight back 30 calendar days across a fall-back (MAU window)', () => {
    // Berlin 2026-W44 ends Mon 2 Nov 00:00 CET = 1 Nov 23:00Z. 30 days earlier is
    // Sat 3 Oct 00:00 CEST = 2 Oct 22:00Z: 30 × 24 + 1 = 721 elapsed hours.
    const end = parsePeriodKey('2026-W44', BERLIN).end;

    const from = addLocalDays(end, -30, BERLIN);

    expect(from).toBe(at('2026-10-02T22:00:00Z'));
    expect((end - from) / HOUR).toBe(721);
  });

  it('moves a local midnight back 30 calendar days across a spring-forward', () => {
    // New York March 2026 ends 1 Apr 00:00 EDT = 04:00Z; 30 days earlier is 2 Mar 00:00 EST
    // = 05:00Z: 30 × 24 − 1 = 719 elapsed hours.
    const end = parsePeriodKey('2026-03', NY).end;

    const from = addLocalDays(end, -30, NY);

    expect(from).toBe(at('2026-03-02T05:00:00Z'));
    expect((end - from) / HOUR).toBe(719);
  });

  it('keeps the wall time of other instants, forwards and backwards', () => {
    // Sat 7 Mar 2026 12:00 EST = 17:00Z; one day later is Sun 8 Mar 12:00 EDT = 16:00Z (23 h).
    expect(addLocalDays(at('2026-03-07T17:00:00Z'), 1, NY)).toBe(at('2026-03-08T16:00:00Z'));
    // Tue 3 Nov 2026 08:15:30.250 EST = 13:15:30.250Z; 7 days back is Tue 27 Oct 08:15:30.250
    // EDT = 12:15:30.250Z.
    expect(addLocalDays(at('2026-11-03T13:15:30.250Z'), -7, NY)).toBe(
      at('2026-10-27T12:15:30.250Z'),
    );
  });

  it('lands a midnight on the first of two repeated midnights', () => {
    // Havana: 2 Nov 2026 00:00 −05:00 = 05:00Z; one day back is 1 Nov, whose first
    // midnight is 00:00 −04:00 = 04:00Z (25 h earlier).
    expect(addLocalDays(at('2026-11-02T05:00:00Z'), -1, 'America/Havana')).toBe(
      at('2026-11-01T04:00:00Z'),
    );
  });

  it('moves the start of a day whose midnight was skipped to the start of the target day', () => {
    // Santiago, Sunday 6 Sep 2026 starts at 01:00 −03:00 = 04:00Z (midnight was skipped).
    // One day later is Monday 7 Sep 00:00 −03:00 = 03:00Z (a 23-hour day), not 01:00.
    expect(addLocalDays(at('2026-09-06T04:00:00Z'), 1, 'America/Santiago')).toBe(
      at('2026-09-07T03:00:00Z'),
    );
  });

  it('rejects a fractional number of days', () => {
    expect(() => addLocalDays(at('2026-09-06T04:00:00Z'), 1.5, 'UTC')).toThrow(PeriodError);
  });

  it('returns the instant unchanged for zero days, even in a repeated hour', () => {
    // 06:30Z on 1 Nov 2026 is 01:30 EST, the second 01:30 of that night in New York.
    const t = at('2026-11-01T06:30:00Z');
    expect(addLocalDays(t, 0, NY)).toBe(t);
  });
});
