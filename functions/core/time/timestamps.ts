/**
 * ISO 8601 timestamps read in the report's IANA time zone (DATASETS.md "Timestamps").
 *
 * Accepted forms (leading and trailing spaces or tabs are ignored):
 * - `2026-11-02`: local midnight of that date in the zone;
 * - `2026-11-02T09:30`, `…T09:30:15`, `…T09:30:15.250` (a space may replace the `T`, the
 *   fraction may have 1–9 digits and is truncated to milliseconds): local wall time;
 * - any date-time above followed by `Z`, `±HH:MM`, `±HHMM` or `±HH`: that instant, whatever
 *   the report's zone.
 *
 * A local wall time that a daylight-saving change makes ambiguous (it happens twice, at
 * fall-back) resolves to the EARLIER instant; one that does not exist (skipped at
 * spring-forward) is shifted forward by the length of the gap, i.e. read with the offset in
 * force before the change: America/New_York 2026-03-08 02:30 becomes 03:30 EDT. Both are
 * what JavaScript's Temporal calls `disambiguation: 'compatible'` and what most databases
 * and spreadsheets do, so a row lands where its author most likely meant it.
 *
 * Speed: exports hold millions of rows, and `Intl.DateTimeFormat#formatToParts` costs
 * about 10 µs. Offsets are therefore looked up per UTC day: each day's offset is asked of
 * Intl once (at its first instant) and a day whose first offset differs from the next
 * day's has its transition instant found once by bisection. This assumes a zone changes its
 * offset at most once within a UTC day, which holds for every rule in the tz database
 * since 1970 and for nearly all before.
 */

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

// ---------------------------------------------------------------------------------------
// Civil calendar (proleptic Gregorian) without Date, so years below 100 are not remapped
// ---------------------------------------------------------------------------------------

/**
 * Days since 1970-01-01 of a calendar date (month 1–12); negative before 1970.
 * Algorithm `days_from_civil` of H. Hinnant, "chrono-Compatible Low-Level Date Algorithms".
 */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
    return leap ? 29 : 28;
  }
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

// ---------------------------------------------------------------------------------------
// Zone offsets, cached per UTC day
// ---------------------------------------------------------------------------------------

interface Transition {
  /** First instant (epoch ms) with the `after` offset. */
  at: number;
  before: number;
  after: number;
}

interface Zone {
  format: Intl.DateTimeFormat;
  /** Offset at the first instant of a UTC day, by day number. */
  startOffsets: Map<number, number>;
  /** Offset of a UTC day that holds no transition, by day number. */
  constantDays: Map<number, number>;
  transitions: Map<number, Transition>;
}

const zones = new Map<string, Zone>();

function zoneFor(timezone: string): Zone {
  let zone = zones.get(timezone);
  if (zone === undefined) {
    let format: Intl.DateTimeFormat;
    try {
      format = new Intl.DateTimeFormat('en-US', {
        timeZone: timezone,
        hourCycle: 'h23',
        era: 'short',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch (error) {
      throw new RangeError(`"${timezone}" is not a known IANA time zone (e.g. "Europe/Berlin")`, {
        cause: error,
      });
    }
    zone = { format, startOffsets: new Map(), constantDays: new Map(), transitions: new Map() };
    zones.set(timezone, zone);
  }
  return zone;
}

/** The zone's offset at an instant on a whole second, asked of Intl (slow: ~10 µs). */
function intlOffset(zone: Zone, secondMs: number): number {
  let year = 0;
  let month = 0;
  let day = 0;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let beforeCommonEra = false;
  for (const part of zone.format.formatToParts(secondMs)) {
    switch (part.type) {
      case 'year':
        year = Number(part.value);
        break;
      case 'month':
        month = Number(part.value);
        break;
      case 'day':
        day = Number(part.value);
        break;
      case 'hour':
        hour = Number(part.value);
        break;
      case 'minute':
        minute = Number(part.value);
        break;
      case 'second':
        second = Number(part.value);
        break;
      case 'era':
        beforeCommonEra = part.value.startsWith('B');
        break;
    }
  }
  if (beforeCommonEra) year = 1 - year;
  const wall =
    daysFromCivil(year, month, day) * DAY_MS + hour * HOUR_MS + minute * MINUTE_MS + second * 1000;
  return wall - secondMs;
}

function startOffset(zone: Zone, dayNumber: number): number {
  let offset = zone.startOffsets.get(dayNumber);
  if (offset === undefined) {
    offset = intlOffset(zone, dayNumber * DAY_MS);
    zone.startOffsets.set(dayNumber, offset);
  }
  return offset;
}

/** Fill the cache for one UTC day: either a constant offset or its one transition. */
function learnDay(zone: Zone, dayNumber: number): void {
  const before = startOffset(zone, dayNumber);
  const after = startOffset(zone, dayNumber + 1);
  if (before === after) {
    zone.constantDays.set(dayNumber, before);
    return;
  }
  // Transitions fall on whole seconds: bisect on seconds between the two day starts.
  let lo = dayNumber * 86_400;
  let hi = lo + 86_400;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (intlOffset(zone, mid * 1000) === before) lo = mid;
    else hi = mid;
  }
  zone.transitions.set(dayNumber, { at: hi * 1000, before, after });
}

function offsetIn(zone: Zone, instantMs: number): number {
  const dayNumber = Math.floor(instantMs / DAY_MS);
  for (;;) {
    const constant = zone.constantDays.get(dayNumber);
    if (constant !== undefined) return constant;
    const transition = zone.transitions.get(dayNumber);
    if (transition !== undefined) {
      return instantMs < transition.at ? transition.before : transition.after;
    }
    learnDay(zone, dayNumber);
  }
}

/**
 * Offset of the zone's local time from UTC at an instant, in milliseconds
 * (local wall time = instant + offset): −14 400 000 for New York in summer (UTC−4),
 * +19 800 000 for Asia/Kolkata (UTC+5:30).
 * @example zoneOffsetMs(Date.parse('2026-07-01T00:00:00Z'), 'America/New_York') // -14400000
 */
export function zoneOffsetMs(instantMs: number, timezone: string): number {
  return offsetIn(zoneFor(timezone), instantMs);
}

/**
 * The offset of a zone over UTC days `[dayNumber − 2, dayNumber + 2]` when it is the same
 * throughout, else NaN. A wall time on local day `dayNumber` then maps to
 * `wall − offset` without further checks, since every offset in use is under 26 hours.
 */
function steadyOffsetAround(zone: Zone, dayNumber: number): number {
  const offset = offsetIn(zone, (dayNumber - 2) * DAY_MS);
  for (let d = dayNumber - 2; d <= dayNumber + 2; d++) {
    offsetIn(zone, d * DAY_MS);
    if (zone.constantDays.get(d) !== offset) return Number.NaN;
  }
  return offset;
}

/** Wall time (as if UTC, in ms) to an instant: ambiguous → earlier, skipped → shifted forward. */
function wallToInstant(zone: Zone, wallMs: number): number {
  const before = offsetIn(zone, wallMs - DAY_MS);
  const after = offsetIn(zone, wallMs + DAY_MS);
  if (before === after) return wallMs - before;
  const withBefore = wallMs - before;
  const withAfter = wallMs - after;
  const beforeFits = offsetIn(zone, withBefore) === before;
  const afterFits = offsetIn(zone, withAfter) === after;
  if (beforeFits && afterFits) return Math.min(withBefore, withAfter);
  if (afterFits) return withAfter;
  // Either only the earlier offset fits, or neither does (a gap): reading the wall time with
  // the offset in force before the change moves it forward past the gap.
  return withBefore;
}

/**
 * The instant at which a zone's clocks show a local wall time (month 1–12, hour 0–23).
 * Ambiguous wall times (fall-back) give the earlier instant; skipped ones (spring-forward)
 * are shifted forward by the gap: New York 2026-03-08 02:30 → 03:30 EDT = 07:30Z.
 * Values out of range roll over as in `Date.UTC` (month 13 is January of the next year).
 * @example localWallTimeToInstant(2026, 11, 1, 1, 30, 0, 0, 'America/New_York') // Date.parse('2026-11-01T05:30:00Z')
 */
export function localWallTimeToInstant(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  millisecond: number,
  timezone: string,
): number {
  const monthIndex = month - 1;
  const normalizedYear = year + Math.floor(monthIndex / 12);
  const normalizedMonth = monthIndex - Math.floor(monthIndex / 12) * 12 + 1;
  const wall =
    daysFromCivil(normalizedYear, normalizedMonth, 1) * DAY_MS +
    (day - 1) * DAY_MS +
    hour * HOUR_MS +
    minute * MINUTE_MS +
    second * 1000 +
    millisecond;
  return wallToInstant(zoneFor(timezone), wall);
}

/**
 * A zone's wall time → instant map over a range, as data for SQL (datasets/load.ts reads
 * local times in DuckDB with it, so that this module stays the one source of zone rules).
 *
 * A wall time w (the local clock reading taken as if it were UTC, in ms) with
 * `from ≤ w < to` is the instant `w − offsets[i]` for the last i with `walls[i] ≤ w`
 * (`walls[0]` is `from`). That is `localWallTimeToInstant` exactly: a change from offset b
 * to offset a at instant T switches at wall time T + max(a, b), so a wall time skipped by
 * the change is read with b (moved forward by the gap) and one that happens twice is read
 * with b too (the earlier instant).
 */
export interface WallTimeSegments {
  /** First wall time covered (ms). */
  from: number;
  /** End of the wall times covered (exclusive, ms). */
  to: number;
  /** Start of each segment, ascending; `walls[0] === from`. */
  walls: number[];
  /** The offset (local − UTC, ms) of each segment. */
  offsets: number[];
}

/** Days between the probes that look for offset changes (no zone changes twice within them). */
const PROBE_DAYS = 14;

const segmentCache = new Map<string, WallTimeSegments>();

/**
 * The segments of `timezone` for wall times in `[fromMs, toMs)` (see `WallTimeSegments`).
 * Offset changes are found by probing every 14 days and bisecting to the UTC day of a
 * change, whose instant the day cache then finds: about 30 Intl calls a year, so a century
 * costs some 30 ms once per zone and process (the result is cached).
 * @example wallTimeSegments('UTC', 0, 86_400_000) // { from: 0, to: 86400000, walls: [0], offsets: [0] }
 */
export function wallTimeSegments(timezone: string, fromMs: number, toMs: number): WallTimeSegments {
  const cacheKey = `${timezone} ${fromMs} ${toMs}`;
  const cached = segmentCache.get(cacheKey);
  if (cached !== undefined) return cached;
  const zone = zoneFor(timezone);
  // Instants a wall time in the range can be: offsets stay within ±26 hours.
  const firstDay = Math.floor(fromMs / DAY_MS) - 2;
  const lastDay = Math.ceil(toMs / DAY_MS) + 2;
  const changes: Transition[] = [];
  let day = firstDay;
  let offset = startOffset(zone, day);
  while (day < lastDay) {
    const next = Math.min(day + PROBE_DAYS, lastDay);
    if (startOffset(zone, next) === offset) {
      day = next;
      continue;
    }
    // Bisect to the UTC day whose start and end offsets differ; it holds one change.
    let lo = day;
    let hi = next;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (startOffset(zone, mid) === offset) lo = mid;
      else hi = mid;
    }
    learnDay(zone, lo);
    const change = zone.transitions.get(lo);
    if (change !== undefined) changes.push(change);
    day = hi;
    offset = startOffset(zone, day);
  }

  const walls = [fromMs];
  const offsets = [changes[0]?.before ?? offset];
  for (const change of changes) {
    const wall = change.at + Math.max(change.before, change.after);
    if (wall <= fromMs) {
      offsets[0] = change.after;
    } else if (wall < toMs) {
      walls.push(wall);
      offsets.push(change.after);
    }
  }
  const segments = { from: fromMs, to: toMs, walls, offsets };
  segmentCache.set(cacheKey, segments);
  return segments;
}

// ---------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------

/**
 * Parses the ASCII bytes `bytes[start, end)` as an ISO 8601 timestamp (forms in the module
 * doc) and returns epoch ms, or NaN when they are not one. Readers call this on the raw
 * bytes of a field, without making a string first.
 */
export type TimestampBytesParser = (bytes: Uint8Array, start: number, end: number) => number;

/** Two ASCII digits at `i` as a number, or −1. The caller guarantees `i + 1 < length`. */
function twoDigits(bytes: Uint8Array, i: number): number {
  const a = (bytes[i] as number) - 48;
  const b = (bytes[i + 1] as number) - 48;
  if (a < 0 || a > 9 || b < 0 || b > 9) return -1;
  return a * 10 + b;
}

function isBlank(code: number): boolean {
  return code === 32 || code === 9;
}

/** A byte-level ISO 8601 parser for one report time zone (see `TimestampBytesParser`). */
export function makeTimestampBytesParser(timezone: string): TimestampBytesParser {
  const zone = zoneFor(timezone);
  // Rows usually arrive in time order, so consecutive local values share a local day: keep
  // that day's steady offset (NaN near a transition, where the full resolution runs).
  let memoDay = Number.NaN;
  let memoOffset = Number.NaN;
  // The digits of the last valid date read (`YYYY?MM?DD`, by position) and its day number:
  // a timestamp on the same date skips the date's parsing and calendar arithmetic.
  const lastDate = new Uint8Array(10);
  let lastDayNumber = Number.NaN;

  const local = (dayNumber: number, msOfDay: number): number => {
    if (dayNumber !== memoDay) {
      memoDay = dayNumber;
      memoOffset = steadyOffsetAround(zone, dayNumber);
    }
    const wall = dayNumber * DAY_MS + msOfDay;
    return Number.isNaN(memoOffset) ? wallToInstant(zone, wall) : wall - memoOffset;
  };

  return (bytes, start, end) => {
    let s = start;
    let e = end;
    while (s < e && isBlank(bytes[s] as number)) s++;
    while (e > s && isBlank(bytes[e - 1] as number)) e--;
    const length = e - s;
    if (length < 10 || bytes[s + 4] !== 45 || bytes[s + 7] !== 45) return Number.NaN;
    let dayNumber = lastDayNumber;
    // The day's digits first: they are the ones that change between consecutive rows.
    if (
      Number.isNaN(dayNumber) ||
      bytes[s + 9] !== lastDate[9] ||
      bytes[s + 8] !== lastDate[8] ||
      bytes[s + 6] !== lastDate[6] ||
      bytes[s + 5] !== lastDate[5] ||
      bytes[s + 3] !== lastDate[3] ||
      bytes[s + 2] !== lastDate[2] ||
      bytes[s + 1] !== lastDate[1] ||
      bytes[s] !== lastDate[0]
    ) {
      const century = twoDigits(bytes, s);
      const yy = twoDigits(bytes, s + 2);
      const month = twoDigits(bytes, s + 5);
      const day = twoDigits(bytes, s + 8);
      if (century < 0 || yy < 0 || month < 1 || month > 12 || day < 1) return Number.NaN;
      const year = century * 100 + yy;
      if (day > daysInMonth(year, month)) return Number.NaN;
      dayNumber = daysFromCivil(year, month, day);
      for (let k = 0; k < 10; k++) lastDate[k] = bytes[s + k] as number;
      lastDayNumber = dayNumber;
    }
    if (length === 10) return local(dayNumber, 0);

    const separator = bytes[s + 10];
    if ((separator !== 84 && separator !== 116 && separator !== 32) || length < 16) {
      return Number.NaN;
    }
    const hour = twoDigits(bytes, s + 11);
    const minute = twoDigits(bytes, s + 14);
    if (bytes[s + 13] !== 58 || hour < 0 || hour > 23 || minute < 0 || minute > 59) {
      return Number.NaN;
    }
    let i = s + 16;
    let second = 0;
    let millisecond = 0;
    if (i < e && bytes[i] === 58) {
      if (i + 3 > e) return Number.NaN;
      second = twoDigits(bytes, i + 1);
      if (second < 0 || second > 59) return Number.NaN;
      i += 3;
      if (i < e && (bytes[i] === 46 || bytes[i] === 44)) {
        i++;
        const fractionStart = i;
        let scale = 100;
        while (i < e) {
          const digit = (bytes[i] as number) - 48;
          if (digit < 0 || digit > 9) break;
          if (i - fractionStart >= 9) return Number.NaN;
          // Digits past the third are checked but dropped: truncation, as Date.parse does.
          millisecond += digit * scale;
          scale = (scale / 10) | 0;
          i++;
        }
        if (i === fractionStart) return Number.NaN;
      }
    }
    const msOfDay = hour * HOUR_MS + minute * MINUTE_MS + second * 1000 + millisecond;
    if (i === e) return local(dayNumber, msOfDay);

    const utcWall = dayNumber * DAY_MS + msOfDay;
    const designator = bytes[i];
    if (designator === 90 || designator === 122) {
      return i + 1 === e ? utcWall : Number.NaN;
    }
    if (designator !== 43 && designator !== 45) return Number.NaN;
    if (i + 3 > e) return Number.NaN;
    const offsetHours = twoDigits(bytes, i + 1);
    i += 3;
    let offsetMinutes = 0;
    if (i < e) {
      if (bytes[i] === 58) i++;
      if (i + 2 !== e) return Number.NaN;
      offsetMinutes = twoDigits(bytes, i);
    }
    if (offsetHours < 0 || offsetHours > 23 || offsetMinutes < 0 || offsetMinutes > 59) {
      return Number.NaN;
    }
    const offset = offsetHours * HOUR_MS + offsetMinutes * MINUTE_MS;
    return designator === 43 ? utcWall - offset : utcWall + offset;
  };
}

/**
 * A parser for ISO 8601 timestamp text in one report time zone (forms in the module doc):
 * returns epoch ms, or null when the text is not a valid date or time.
 * @example makeTimestampParser('Europe/Berlin')('2026-11-02') // Date.parse('2026-11-01T23:00:00Z')
 */
export function makeTimestampParser(timezone: string): (text: string) => number | null {
  const parseBytes = makeTimestampBytesParser(timezone);
  const scratch = new Uint8Array(64);
  return (text) => {
    const trimmed = text.length > scratch.length ? text.trim() : text;
    const length = trimmed.length;
    if (length > scratch.length) return null;
    for (let i = 0; i < length; i++) {
      const code = trimmed.charCodeAt(i);
      if (code > 127) return null;
      scratch[i] = code;
    }
    const instant = parseBytes(scratch, 0, length);
    return Number.isNaN(instant) ? null : instant;
  };
}
