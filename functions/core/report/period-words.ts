/**
 * A report period in words, in the report's time zone: `Week 44 · 26 Oct – 1 Nov 2026,
 * New York time`, `November 2026, …`, `Q4 2026 · 1 Oct – 31 Dec 2026, …`; for the subject
 * `Week 47, Nov 16–22 2026`, `November 2026`, `Q4 2026, Oct–Dec`.
 */
import type { PeriodInfo } from '../snapshot';

export interface PeriodWords {
  /** Header line: label, dates and zone. */
  long: string;
  /** `Week 44`, `November 2026`, `Q4 2026`. */
  short: string;
  /**
   * The subject's words, label with year and dates: `Week 47, Nov 16–22 2026`,
   * `November 2026`, `Q4 2026, Oct–Dec`.
   */
  dated: string;
  /** `weeks`, `months`, `quarters`: "last 12 weeks". */
  plural: string;
  /** `26 Oct – 1 Nov 2026` (first and last day, inclusive). */
  range: string;
  /** `New York time`, `UTC`. */
  zone: string;
}

/**
 * The zone as people say it: the IANA name's last segment with `_` → space, plus "time"
 * (`America/Argentina/Buenos_Aires` → `Buenos Aires time`). `UTC`, `Etc/GMT+5` and other
 * names without a city are shown as they are.
 */
export function zoneLabel(timeZone: string): string {
  if (!timeZone.includes('/') || timeZone.startsWith('Etc/')) {
    return timeZone.replace(/^Etc\//, '');
  }
  const city = timeZone.slice(timeZone.lastIndexOf('/') + 1).replaceAll('_', ' ');
  return `${city} time`;
}

/**
 * The period's first and last day. The stored end is exclusive (the next period's local
 * midnight), so the last day shown is the day of `end − 1 ms` in the zone, which is
 * `end − 1 day` even across a daylight-saving change (a 25-hour day stays one day).
 */
export function periodWords(period: PeriodInfo, locale: string): PeriodWords {
  const timeZone = period.timezone;
  const start = new Date(period.start);
  const lastInstant = new Date(new Date(period.end).getTime() - 1);
  const range = plainSpaces(
    new Intl.DateTimeFormat(locale, {
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      timeZone,
    }).formatRange(start, lastInstant),
  );
  const zone = zoneLabel(timeZone);
  const short = shortLabel(period, locale);
  const plural = { week: 'weeks', month: 'months', quarter: 'quarters' }[period.kind];
  const long = period.kind === 'month' ? `${short}, ${zone}` : `${short} · ${range}, ${zone}`;
  return { long, short, dated: datedLabel(period, locale), plural, range, zone };
}

/**
 * ICU puts thin and narrow no-break spaces around range dashes and before AM/PM; some
 * mail fonts and plain-text readers show them as boxes or squeeze them away, so they
 * become ordinary spaces.
 */
export function plainSpaces(text: string): string {
  return text.replace(/[\u2009\u202f]/g, ' ');
}

/** `Week 44`, `November 2026`, `Q4 2026`; the period key when it does not parse. */
export function shortLabel(period: PeriodInfo, locale: string): string {
  switch (period.kind) {
    case 'week': {
      const week = /-W(\d{1,2})$/.exec(period.key)?.[1];
      return week ? `Week ${Number(week)}` : period.key;
    }
    case 'month':
      return new Intl.DateTimeFormat(locale, {
        month: 'long',
        year: 'numeric',
        timeZone: period.timezone,
      }).format(new Date(period.start));
    case 'quarter': {
      const match = /^(\d{4})-Q([1-4])$/.exec(period.key);
      return match ? `Q${match[2]} ${match[1]}` : period.key;
    }
  }
}

/** Day, short month name and year of an instant in the zone, and whether the locale puts
 * the day first (`16 Nov`) or the month first (`Nov 16`). */
function dayParts(
  instant: Date,
  locale: string,
  timeZone: string,
): { day: string; month: string; year: string; dayFirst: boolean } {
  const parts = new Intl.DateTimeFormat(locale, {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone,
  }).formatToParts(instant);
  const value = (type: Intl.DateTimeFormatPartTypes) =>
    parts.find((p) => p.type === type)?.value ?? '';
  const dayFirst =
    parts.findIndex((p) => p.type === 'day') < parts.findIndex((p) => p.type === 'month');
  return { day: value('day'), month: value('month'), year: value('year'), dayFirst };
}

/**
 * `Week 47, Nov 16–22 2026` (`16–22 Nov 2026` where the locale puts the day first),
 * `November 2026`, `Q4 2026, Oct–Dec`: the period as the subject names it, with the year
 * and the days of the period in the report's zone. A week across two months or two years
 * names both (`Oct 26 – Nov 1 2026`, `Dec 28 2026 – Jan 3 2027`); the dash is spaced only
 * when a side has a space in it. The year is the calendar year of the days, which for
 * ISO week 1 or 53 can differ from the week's year: 2026-W01 is `Dec 29 2025 – Jan 4 2026`.
 */
export function datedLabel(period: PeriodInfo, locale: string): string {
  const short = shortLabel(period, locale);
  if (period.kind === 'month') return short;
  const first = dayParts(new Date(period.start), locale, period.timezone);
  // The stored end is exclusive: the last day is the one of `end − 1 ms` (see periodWords).
  const last = dayParts(new Date(new Date(period.end).getTime() - 1), locale, period.timezone);
  if (period.kind === 'quarter') return `${short}, ${first.month}–${last.month}`;
  const dayMonth = (p: typeof first) =>
    p.dayFirst ? `${p.day} ${p.month}` : `${p.month} ${p.day}`;
  let range: string;
  if (first.year !== last.year) {
    range = `${dayMonth(first)} ${first.year} – ${dayMonth(last)} ${last.year}`;
  } else if (first.month !== last.month) {
    range = `${dayMonth(first)} – ${dayMonth(last)} ${last.year}`;
  } else {
    const days = `${first.day}–${last.day}`;
    range = first.dayFirst
      ? `${days} ${first.month} ${last.year}`
      : `${first.month} ${days} ${last.year}`;
  }
  return `${short}, ${range}`;
}
