import { describe, expect, it } from 'vitest';
import {
  daysFromCivil,
  localWallTimeToInstant,
  makeTimestampBytesParser,
  makeTimestampParser,
  zoneOffsetMs,
} from '../../../functions/core/time/timestamps';

const HOUR = 3_600_000;
const NY = 'America/New_York';
const BERLIN = 'Europe/Berlin';
const at = (iso: string): number => Date.parse(iso);

/**
 * A second, simple implementation of a zone's offset, independent of the day cache under
 * test: Intl's `longOffset` time-zone name ("GMT-04:00", or "GMT" at zero).
 */
const offsetFormats = new Map<string, Intl.DateTimeFormat>();
function intlOffset(instant: number, timezone: string): number {
  let format = offsetFormats.get(timezone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: timezone, timeZoneName: 'longOffset' });
    offsetFormats.set(timezone, format);
  }
  const name = format.formatToParts(instant).find((p) => p.type === 'timeZoneName')
    ?.value as string;
  const match = /^GMT(?:([+-])(\d\d):(\d\d))?$/.exec(name);
  if (match === null) throw new Error(`unexpected zone name ${name}`);
  if (match[1] === undefined) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return (match[1] === '-' ? -1 : 1) * minutes * 60_000;
}

/**
 * Brute-force wall time → instant with the documented rules: of the instants whose local
 * wall time is `wall`, the earliest; if none (a gap), the wall time read with the offset in
 * force a day before.
 */
function bruteForceLocal(wall: number, timezone: string): number {
  const candidates = new Set<number>();
  for (let offset = -14 * HOUR; offset <= 14 * HOUR; offset += 15 * 60_000) {
    const instant = wall - offset;
    if (instant + intlOffset(instant, timezone) === wall) candidates.add(instant);
  }
  if (candidates.size > 0) return Math.min(...candidates);
  return wall - intlOffset(wall - 24 * HOUR, timezone);
}

describe('makeTimestampParser', () => {
  const ny = makeTimestampParser(NY);

  it('reads a bare date as local midnight in the report zone', () => {
    // New York is UTC−5 in January and UTC−4 in July.
    expect(ny('2026-01-15')).toBe(at('2026-01-15T00:00:00-05:00'));
    expect(ny('2026-07-15')).toBe(at('2026-07-15T00:00:00-04:00'));
    expect(makeTimestampParser(BERLIN)('2026-11-02')).toBe(at('2026-11-01T23:00:00Z'));
  });

  it('reads a date-time without offset as local wall time', () => {
    expect(ny('2026-07-15T09:30')).toBe(at('2026-07-15T13:30:00Z'));
    expect(ny('2026-07-15 09:30:15')).toBe(at('2026-07-15T13:30:15Z'));
    // Fractions are truncated to milliseconds, as Date.parse does.
    expect(ny('2026-07-15T09:30:15.2509')).toBe(at('2026-07-15T13:30:15.250Z'));
    expect(ny('  2026-07-15T09:30:15.5  ')).toBe(at('2026-07-15T13:30:15.500Z'));
  });

  it('reads a date-time with Z or an offset as that instant, whatever the zone', () => {
    expect(ny('2026-07-15T09:30:00Z')).toBe(at('2026-07-15T09:30:00Z'));
    expect(ny('2026-07-15T09:30:00+05:30')).toBe(at('2026-07-15T04:00:00Z'));
    expect(ny('2026-07-15T09:30:00+0530')).toBe(at('2026-07-15T04:00:00Z'));
    expect(ny('2026-07-15T09:30:00-02')).toBe(at('2026-07-15T11:30:00Z'));
    expect(ny('2026-07-15T23:30:00-02:00')).toBe(at('2026-07-16T01:30:00Z'));
  });

  it('shifts a wall time in the spring-forward gap forward by the gap', () => {
    // New York 8 Mar 2026: 02:00 EST jumps to 03:00 EDT; 02:30 does not exist and is read
    // with the offset before the change (−5): 07:30Z, which the clocks show as 03:30 EDT.
    expect(ny('2026-03-08T02:30')).toBe(at('2026-03-08T07:30:00Z'));
    expect(ny('2026-03-08T01:59:59')).toBe(at('2026-03-08T06:59:59Z'));
    expect(ny('2026-03-08T03:00')).toBe(at('2026-03-08T07:00:00Z'));
    // Berlin 29 Mar 2026: 02:00 CET jumps to 03:00 CEST; 02:30 is read with +1 → 01:30Z.
    expect(makeTimestampParser(BERLIN)('2026-03-29T02:30')).toBe(at('2026-03-29T01:30:00Z'));
  });

  it('reads a wall time in the fall-back overlap as the earlier instant', () => {
    // New York 1 Nov 2026: 02:00 EDT falls back to 01:00 EST; 01:30 happens at 05:30Z (EDT)
    // and at 06:30Z (EST); the earlier is taken. With an explicit offset, either is exact.
    expect(ny('2026-11-01T01:30')).toBe(at('2026-11-01T05:30:00Z'));
    expect(ny('2026-11-01T01:30-05:00')).toBe(at('2026-11-01T06:30:00Z'));
    expect(ny('2026-11-01T02:00')).toBe(at('2026-11-01T07:00:00Z'));
    expect(ny('2026-11-01')).toBe(at('2026-11-01T04:00:00Z'));
    // Berlin 25 Oct 2026: 03:00 CEST falls back to 02:00 CET; 02:30 → 00:30Z (CEST).
    expect(makeTimestampParser(BERLIN)('2026-10-25T02:30')).toBe(at('2026-10-25T00:30:00Z'));
  });

  it('agrees with a brute-force reading every 20 minutes across both change days', () => {
    for (const [zone, day] of [
      [NY, '2026-03-08'],
      [NY, '2026-11-01'],
      [BERLIN, '2026-03-29'],
      [BERLIN, '2026-10-25'],
      ['Australia/Lord_Howe', '2026-04-05'],
      ['Asia/Kolkata', '2026-06-01'],
    ] as const) {
      const parse = makeTimestampParser(zone);
      const midnight = at(`${day}T00:00:00Z`);
      for (let wall = midnight - 6 * HOUR; wall < midnight + 30 * HOUR; wall += 20 * 60_000) {
        const text = new Date(wall).toISOString().slice(0, 19);
        expect([zone, text, parse(text)]).toEqual([zone, text, bruteForceLocal(wall, zone)]);
      }
    }
  });

  it('returns null for text that is not an accepted form or not a real date', () => {
    for (const text of [
      '',
      'yesterday',
      '02/11/2026',
      '2026-11-2',
      '2026-02-29',
      '2026-13-01',
      '2026-11-00',
      '2026-11-02T24:00',
      '2026-11-02T09:60',
      '2026-11-02T09',
      '2026-11-02Z',
      '2026-11-02T09:30:00+24:00',
      '2026-11-02T09:30:00 +01:00',
      '2026-11-02T09:30:00.',
      '2026-11-02T09:30:00.1234567890',
      '2026-11-02T09:30:00ZZ',
      '２０２６-11-02',
    ]) {
      expect([text, ny(text)]).toEqual([text, null]);
    }
    expect(ny('2028-02-29')).toBe(at('2028-02-29T00:00:00-05:00'));
  });
});

describe('makeTimestampBytesParser', () => {
  /**
   * A reused parser remembers the last date it read (and the offset of its local day); a
   * parser made for one text cannot, so it takes the full path. Over texts in time order
   * (the remembered date mostly reused), shuffled (mostly not) and mixed with invalid ones,
   * both must agree, and with an independent reading: `Date.parse` for texts with `Z` or an
   * offset, the brute-force wall-time reading for local ones.
   */
  it('reads a stream of texts like a fresh parser per text, across changes in several zones', () => {
    const zones = [
      [NY, '2026-03-08'],
      [NY, '2026-11-01'],
      [BERLIN, '2026-03-29'],
      [BERLIN, '2026-10-25'],
      ['Australia/Lord_Howe', '2026-10-04'],
      ['Asia/Kolkata', '2026-06-01'],
      ['UTC', '2024-02-29'],
    ] as const;
    const pad = (n: number, width = 2) => String(n).padStart(width, '0');
    let checked = 0;
    for (const [zone, day] of zones) {
      const texts: { text: string; expected: number }[] = [];
      const midnight = at(`${day}T00:00:00Z`);
      // Every 7 min 13.417 s over 54 hours, so minutes, seconds and milliseconds all vary.
      for (let t = midnight - 18 * HOUR; t < midnight + 36 * HOUR; t += 433_417) {
        const iso = new Date(t).toISOString(); // 2026-03-08T01:02:03.456Z
        const date = iso.slice(0, 10);
        const ms = t % 1000;
        texts.push({ text: iso, expected: t });
        texts.push({ text: `${iso.slice(0, 19)}.${pad(ms, 3)}999Z`, expected: t });
        // The same instant written with an offset of +05:45, and without its milliseconds
        // with one of -03:30.
        const plus = new Date(t + (5 * 60 + 45) * 60_000).toISOString();
        texts.push({ text: `${plus.slice(0, 23)}+05:45`, expected: t });
        const minus = new Date(t - (3 * 60 + 30) * 60_000).toISOString();
        texts.push({ text: `${minus.slice(0, 19)}-0330`, expected: t - ms });
        // Local forms: the date alone and the wall time, checked against the brute force
        // once an hour (it asks Intl a hundred times).
        const wall = t - (t % 60_000);
        const local = new Date(wall).toISOString().slice(0, 16).replace('T', ' ');
        const hourly = wall % HOUR === 0 || texts.length % 40 === 0;
        texts.push({ text: local, expected: hourly ? bruteForceLocal(wall, zone) : Number.NaN });
        texts.push({
          text: date,
          expected: hourly ? bruteForceLocal(at(`${date}T00:00:00Z`), zone) : Number.NaN,
        });
        texts.push({ text: `${date.slice(0, 8)}31T10:00Z`, expected: Number.NaN });
        texts.push({ text: `${date}T24:00Z`, expected: Number.NaN });
      }
      // Shuffled with a fixed linear congruential sequence, so a run is repeatable.
      const shuffled = texts.slice();
      let seed = 12345;
      for (let i = shuffled.length - 1; i > 0; i--) {
        seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
        const j = seed % (i + 1);
        [shuffled[i], shuffled[j]] = [
          shuffled[j] as (typeof texts)[0],
          shuffled[i] as (typeof texts)[0],
        ];
      }
      for (const order of [texts, shuffled]) {
        const reused = makeTimestampBytesParser(zone);
        for (const { text, expected } of order) {
          const bytes = Buffer.from(` ${text} `);
          const got = reused(bytes, 0, bytes.length);
          const fresh = makeTimestampBytesParser(zone)(bytes, 0, bytes.length);
          expect([zone, text, got]).toEqual([zone, text, fresh]);
          if (!Number.isNaN(expected)) expect([zone, text, got]).toEqual([zone, text, expected]);
          // Invalid dates: the 31st of a month that has 30 days or fewer, and hour 24.
          if (text.endsWith('T24:00Z')) expect(got).toBeNaN();
          const month = Number(text.slice(5, 7));
          if (text.includes('-31T10:00Z') && [2, 4, 6, 9, 11].includes(month))
            expect(got).toBeNaN();
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(20_000);
  });

  it('parses a range of a byte buffer and gives NaN for a bad one', () => {
    const bytes = Buffer.from('x,2026-11-02T09:30:00Z,bad,y');
    const parse = makeTimestampBytesParser('UTC');

    expect(parse(bytes, 2, 22)).toBe(at('2026-11-02T09:30:00Z'));
    expect(parse(bytes, 23, 26)).toBeNaN();
  });
});

describe('zoneOffsetMs', () => {
  it('matches Intl around the changes of several zones', () => {
    for (const zone of [NY, BERLIN, 'Asia/Kolkata', 'Australia/Lord_Howe', 'UTC']) {
      for (let t = at('2026-01-01T00:00:00Z'); t < at('2027-01-01T00:00:00Z'); t += 7 * HOUR) {
        expect([zone, t, zoneOffsetMs(t, zone)]).toEqual([zone, t, intlOffset(t, zone)]);
      }
    }
  });

  it('changes at the exact instant of a transition', () => {
    // New York springs forward at 2026-03-08T07:00:00Z.
    expect(zoneOffsetMs(at('2026-03-08T06:59:59.999Z'), NY)).toBe(-5 * HOUR);
    expect(zoneOffsetMs(at('2026-03-08T07:00:00Z'), NY)).toBe(-4 * HOUR);
  });

  it('throws a RangeError naming an unknown zone', () => {
    expect(() => zoneOffsetMs(0, 'Mars/Olympus')).toThrow(
      '"Mars/Olympus" is not a known IANA time zone',
    );
  });
});

describe('localWallTimeToInstant', () => {
  it('applies the gap and overlap rules and rolls months over', () => {
    expect(localWallTimeToInstant(2026, 3, 8, 2, 30, 0, 0, NY)).toBe(at('2026-03-08T07:30:00Z'));
    expect(localWallTimeToInstant(2026, 11, 1, 1, 30, 0, 0, NY)).toBe(at('2026-11-01T05:30:00Z'));
    // Month 13 of 2026 is January 2027.
    expect(localWallTimeToInstant(2026, 13, 1, 0, 0, 0, 0, BERLIN)).toBe(
      at('2027-01-01T00:00:00+01:00'),
    );
  });
});

describe('daysFromCivil', () => {
  it('counts days from 1970-01-01', () => {
    // 1970–2025: 56 years with 14 leap years, so 2026-01-01 is day 56 × 365 + 14 = 20454.
    expect(daysFromCivil(2026, 1, 1)).toBe(20454);
    expect(daysFromCivil(1970, 1, 1)).toBe(0);
    expect(daysFromCivil(1969, 12, 31)).toBe(-1);
  });
});
