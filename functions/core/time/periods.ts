/**
 * Report periods (METRICS.md "Notation"): ISO weeks (`2026-W44`), calendar months
 * (`2026-11`) and quarters (`2026-Q4`), each the half-open interval `[start, end)` between
 * two local midnights of the report's IANA time zone.
 *
 * Everything calendar-shaped is done on local day numbers (days since 1970-01-01 of the
 * local calendar date), which no daylight-saving change can disturb; only the last step,
 * "which instant is the first of this local day", asks the zone. That is why a week is 167
 * or 169 hours long around a DST change and never ends at 23:00 or 01:00.
 */
import type { PeriodKind } from '../config';
import type { PeriodInfo } from '../snapshot';
import { localWallTimeToInstant, zoneOffsetMs } from './timestamps';

export interface Period {
  /** `2026-W44`, `2026-11`, `2026-Q4`. */
  readonly key: string;
  readonly kind: PeriodKind;
  /** Epoch ms of the first instant (a local midnight). */
  readonly start: number;
  /** Epoch ms of the first instant of the next period: exclusive. */
  readonly end: number;
  readonly timezone: string;
}

export class PeriodError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PeriodError';
  }
}

const DAY_MS = 86_400_000;
const MIN_YEAR = 1000;
const MAX_YEAR = 9999;

/** A period as calendar data: `index` is the ISO week (1–53), month (1–12) or quarter (1–4). */
interface CalendarPeriod {
  kind: PeriodKind;
  year: number;
  index: number;
}

// ---------------------------------------------------------------------------------------
// Civil calendar on day numbers (proleptic Gregorian, no time zone involved)
// ---------------------------------------------------------------------------------------

/** Day number (days since 1970-01-01) of a calendar date; month 1–12, may overflow by one. */
function dayNumberOf(year: number, month: number, day: number): number {
  return Math.floor(Date.UTC(year, month - 1, day) / DAY_MS);
}

function dateOfDayNumber(dayNumber: number): { year: number; month: number; day: number } {
  const d = new Date(dayNumber * DAY_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** ISO weekday with Monday = 0 … Sunday = 6; day 0 (1970-01-01) was a Thursday. */
function weekdayMonday0(dayNumber: number): number {
  return (((dayNumber + 3) % 7) + 7) % 7;
}

/**
 * Monday of ISO week 1 of an ISO week-year: the week holding 4 January, i.e. the first
 * week with at least four days in the new year (ISO 8601 §2.2.10).
 */
function isoWeekOneMonday(isoYear: number): number {
  const jan4 = dayNumberOf(isoYear, 1, 4);
  return jan4 - weekdayMonday0(jan4);
}

/**
 * Number of ISO weeks (52 or 53) in an ISO week-year: 53 exactly when the year has 371 days
 * between its week-1 Monday and the next one (it starts on a Thursday, or is a leap year
 * starting on a Wednesday).
 */
export function isoWeeksInYear(isoYear: number): number {
  return (isoWeekOneMonday(isoYear + 1) - isoWeekOneMonday(isoYear)) / 7;
}

/**
 * ISO week-year and week of a calendar day. A week belongs to the year of its Thursday, so
 * 2024-12-30 (a Monday) is 2025-W01 and 2027-01-01 (a Friday) is 2026-W53.
 */
export function isoWeekOfDayNumber(dayNumber: number): { isoYear: number; week: number } {
  const thursday = dayNumber - weekdayMonday0(dayNumber) + 3;
  const isoYear = dateOfDayNumber(thursday).year;
  const week = Math.floor((thursday - isoWeekOneMonday(isoYear)) / 7) + 1;
  return { isoYear, week };
}

/** First local day and exclusive last local day of a calendar period. */
function dayRange(p: CalendarPeriod): { firstDay: number; endDay: number } {
  switch (p.kind) {
    case 'week': {
      const firstDay = isoWeekOneMonday(p.year) + 7 * (p.index - 1);
      return { firstDay, endDay: firstDay + 7 };
    }
    case 'month':
      // Date.UTC rolls month 13 over into January of the next year.
      return {
        firstDay: dayNumberOf(p.year, p.index, 1),
        endDay: dayNumberOf(p.year, p.index + 1, 1),
      };
    case 'quarter': {
      const firstMonth = 3 * (p.index - 1) + 1;
      return {
        firstDay: dayNumberOf(p.year, firstMonth, 1),
        endDay: dayNumberOf(p.year, firstMonth + 3, 1),
      };
    }
  }
}

function calendarPeriodOfDay(dayNumber: number, kind: PeriodKind): CalendarPeriod {
  if (kind === 'week') {
    const { isoYear, week } = isoWeekOfDayNumber(dayNumber);
    return { kind, year: isoYear, index: week };
  }
  const { year, month } = dateOfDayNumber(dayNumber);
  return { kind, year, index: kind === 'month' ? month : Math.ceil(month / 3) };
}

function periodsPerYear(p: CalendarPeriod): number {
  switch (p.kind) {
    case 'week':
      return isoWeeksInYear(p.year);
    case 'month':
      return 12;
    case 'quarter':
      return 4;
  }
}

/** The period `steps` periods after `p` (before it when negative). */
function shiftCalendar(p: CalendarPeriod, steps: number): CalendarPeriod {
  if (p.kind === 'week') {
    // Weeks do not divide years evenly; step on days and read the week back.
    const { firstDay } = dayRange(p);
    return calendarPeriodOfDay(firstDay + 7 * steps, 'week');
  }
  const perYear = periodsPerYear(p);
  const ordinal = p.year * perYear + (p.index - 1) + steps;
  return { kind: p.kind, year: Math.floor(ordinal / perYear), index: (ordinal % perYear) + 1 };
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function keyOf(p: CalendarPeriod): string {
  const year = pad(p.year, 4);
  switch (p.kind) {
    case 'week':
      return `${year}-W${pad(p.index, 2)}`;
    case 'month':
      return `${year}-${pad(p.index, 2)}`;
    case 'quarter':
      return `${year}-Q${p.index}`;
  }
}

const KEY_FORMS: readonly { kind: PeriodKind; pattern: RegExp; name: string }[] = [
  { kind: 'week', pattern: /^(\d{4})-W(\d{2})$/, name: 'week' },
  { kind: 'month', pattern: /^(\d{4})-(\d{2})$/, name: 'month' },
  { kind: 'quarter', pattern: /^(\d{4})-Q(\d)$/, name: 'quarter' },
];

function parseCalendarKey(key: string): CalendarPeriod {
  for (const form of KEY_FORMS) {
    const match = form.pattern.exec(key);
    if (!match) continue;
    const year = Number(match[1]);
    const index = Number(match[2]);
    if (year < MIN_YEAR || year > MAX_YEAR) {
      throw new PeriodError(
        `period "${key}" has year ${year}; use a year between ${MIN_YEAR} and ${MAX_YEAR}`,
      );
    }
    const p: CalendarPeriod = { kind: form.kind, year, index };
    const max = periodsPerYear(p);
    if (index < 1 || index > max) {
      const more = form.kind === 'week' ? ` (ISO year ${year} has ${max} weeks)` : '';
      throw new PeriodError(`period "${key}" has no ${form.name} ${index}: use 1 to ${max}${more}`);
    }
    return p;
  }
  throw new PeriodError(
    `"${key}" is not a period key; use an ISO week "2026-W44", a month "2026-11" or a quarter "2026-Q4"`,
  );
}

function checkYear(p: CalendarPeriod): CalendarPeriod {
  if (p.year < MIN_YEAR || p.year > MAX_YEAR) {
    throw new PeriodError(`year ${p.year} is outside the supported ${MIN_YEAR}–${MAX_YEAR}`);
  }
  return p;
}

// ---------------------------------------------------------------------------------------
// Local days in a time zone
// ---------------------------------------------------------------------------------------

/**
 * Local calendar date of an instant, as days since 1970-01-01 (negative before).
 * Formula: ⌊(instant + zone offset at that instant) / 86 400 000⌋. The DAU day bucket and
 * the "N calendar days" of METRICS.md are counted on this number.
 * @example localDayNumber(Date.parse('2026-11-02T03:59:59Z'), 'America/New_York') // 20758 (2026-11-01)
 */
export function localDayNumber(instantMs: number, timezone: string): number {
  return Math.floor((instantMs + zoneOffsetMs(instantMs, timezone)) / DAY_MS);
}

/**
 * First instant of a local calendar day: its midnight when that happens once; the earlier
 * midnight when a fall-back repeats it (America/Havana, 2026-11-01 00:00 −04:00); the end
 * of the gap when a spring-forward skips it (America/Santiago, 2026-09-06 starts at 01:00).
 * The last two are exactly how `localWallTimeToInstant` resolves ambiguous (earlier
 * instant) and skipped (shifted forward by the gap) wall times, so no special case is needed.
 */
export function startOfLocalDayNumber(dayNumber: number, timezone: string): number {
  const { year, month, day } = dateOfDayNumber(dayNumber);
  return localWallTimeToInstant(year, month, day, 0, 0, 0, 0, timezone);
}

/** First instant of the local day holding `instantMs` (see `startOfLocalDayNumber`). */
export function startOfLocalDay(instantMs: number, timezone: string): number {
  return startOfLocalDayNumber(localDayNumber(instantMs, timezone), timezone);
}

/**
 * The same local wall time `days` calendar days later (earlier when negative): at a local
 * midnight this is the local midnight `days` days away, so `addLocalDays(end, -30, tz)` is
 * the start of MAU's window `[end − 30 days, end)` across DST changes. A wall time that
 * does not exist on the target day (skipped by spring-forward) resolves as the wall-time
 * conversion does; the start of a day goes to the start of the target day.
 */
export function addLocalDays(instantMs: number, days: number, timezone: string): number {
  if (!Number.isInteger(days)) throw new PeriodError(`cannot add ${days} calendar days`);
  if (days === 0) return instantMs;
  const wall = instantMs + zoneOffsetMs(instantMs, timezone);
  const dayNumber = Math.floor(wall / DAY_MS);
  const msOfDay = wall - dayNumber * DAY_MS;
  const targetDay = dayNumber + days;
  // A day's start is not always 00:00 on the clock (Santiago 2026-09-06 starts at 01:00),
  // so compare with the start of the day rather than test the wall time for midnight.
  if (msOfDay === 0 || instantMs === startOfLocalDayNumber(dayNumber, timezone)) {
    return startOfLocalDayNumber(targetDay, timezone);
  }
  const { year, month, day } = dateOfDayNumber(targetDay);
  const h = Math.floor(msOfDay / 3_600_000);
  const mi = Math.floor((msOfDay % 3_600_000) / 60_000);
  const s = Math.floor((msOfDay % 60_000) / 1000);
  return localWallTimeToInstant(year, month, day, h, mi, s, msOfDay % 1000, timezone);
}

// ---------------------------------------------------------------------------------------
// Periods
// ---------------------------------------------------------------------------------------

function build(p: CalendarPeriod, timezone: string): Period {
  const { firstDay, endDay } = dayRange(p);
  return {
    key: keyOf(p),
    kind: p.kind,
    start: startOfLocalDayNumber(firstDay, timezone),
    end: startOfLocalDayNumber(endDay, timezone),
    timezone,
  };
}

/** Kind of a period key (`2026-W44` → week), or a PeriodError for anything else. */
export function periodKindOfKey(key: string): PeriodKind {
  return parseCalendarKey(key).kind;
}

/**
 * The period named by a key in a time zone; the kind follows from the key's form. Throws a
 * PeriodError for malformed keys and for weeks, months or quarters that do not exist
 * (`2026-W54`, `2025-W53`, `2026-13`, `2026-Q5`).
 */
export function parsePeriodKey(key: string, timezone: string): Period {
  return build(parseCalendarKey(key), timezone);
}

/** The period of a kind whose `[start, end)` holds the instant. */
export function periodContaining(instantMs: number, kind: PeriodKind, timezone: string): Period {
  return build(checkYear(calendarPeriodOfDay(localDayNumber(instantMs, timezone), kind)), timezone);
}

/** The period `steps` periods after `p` (before it when `steps` is negative). */
export function shiftPeriod(p: Period, steps: number): Period {
  if (!Number.isInteger(steps)) throw new PeriodError(`cannot shift a period by ${steps} steps`);
  return build(checkYear(shiftCalendar(parseCalendarKey(p.key), steps)), p.timezone);
}

/** The period just before `p`: 2026-W01 → 2025-W52, 2026-01 → 2025-12, 2026-Q1 → 2025-Q4. */
export function previousPeriod(p: Period): Period {
  return shiftPeriod(p, -1);
}

export function nextPeriod(p: Period): Period {
  return shiftPeriod(p, 1);
}

/**
 * The most recent period of a kind that has ended by `nowMs` (its exclusive end ≤ now): the
 * one before the period holding now. At exactly a boundary the period ending there counts.
 */
export function lastCompletePeriod(nowMs: number, kind: PeriodKind, timezone: string): Period {
  return previousPeriod(periodContaining(nowMs, kind, timezone));
}

/**
 * Every period from `fromKey` to `toKey`, both included, oldest first (for backfills).
 * Throws a PeriodError when the keys are of different kinds or `fromKey` comes after `toKey`.
 */
export function periodsBetween(fromKey: string, toKey: string, timezone: string): Period[] {
  const from = parseCalendarKey(fromKey);
  const to = parseCalendarKey(toKey);
  if (from.kind !== to.kind) {
    throw new PeriodError(
      `cannot list periods from ${from.kind} "${fromKey}" to ${to.kind} "${toKey}": use two keys of the same kind`,
    );
  }
  const first = dayRange(from).firstDay;
  const last = dayRange(to).firstDay;
  if (first > last) {
    throw new PeriodError(`"${fromKey}" comes after "${toKey}": give the earlier period first`);
  }
  const periods: Period[] = [];
  for (let p = from; dayRange(p).firstDay <= last; p = shiftCalendar(p, 1)) {
    periods.push(build(p, timezone));
  }
  return periods;
}

/**
 * Number of local days the period spans: elapsed time / 24 h, rounded. DST shifts the
 * elapsed time by under 12 hours, so this is the count of calendar days (7 for any week);
 * a zone that skipped a whole day (Pacific/Apia, 2011-12-30) gets the days that happened.
 */
export function daysInPeriod(p: Period): number {
  return Math.round((p.end - p.start) / DAY_MS);
}

/** Whether an instant falls in `[start, end)`. */
export function periodIncludes(p: Period, instantMs: number): boolean {
  return instantMs >= p.start && instantMs < p.end;
}

/**
 * An instant as ISO 8601 local time with that instant's offset, e.g.
 * `2026-10-26T00:00:00-04:00`; milliseconds appear only when non-zero, offset seconds only
 * for historic local mean times (`-00:44:30`).
 */
export function formatInstantWithOffset(instantMs: number, timezone: string): string {
  const offset = zoneOffsetMs(instantMs, timezone);
  const wall = new Date(instantMs + offset);
  const date = `${pad(wall.getUTCFullYear(), 4)}-${pad(wall.getUTCMonth() + 1, 2)}-${pad(wall.getUTCDate(), 2)}`;
  const ms = wall.getUTCMilliseconds();
  const time =
    `${pad(wall.getUTCHours(), 2)}:${pad(wall.getUTCMinutes(), 2)}:${pad(wall.getUTCSeconds(), 2)}` +
    (ms === 0 ? '' : `.${pad(ms, 3)}`);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(Math.round(offset / 1000));
  const oh = Math.floor(abs / 3600);
  const om = Math.floor((abs % 3600) / 60);
  const os = abs % 60;
  return `${date}T${time}${sign}${pad(oh, 2)}:${pad(om, 2)}${os === 0 ? '' : `:${pad(os, 2)}`}`;
}

/** The snapshot's JSON form of a period: boundaries as ISO instants with their offsets. */
export function toPeriodInfo(p: Period): PeriodInfo {
  return {
    key: p.key,
    kind: p.kind,
    start: formatInstantWithOffset(p.start, p.timezone),
    end: formatInstantWithOffset(p.end, p.timezone),
    timezone: p.timezone,
  };
}
