/**
 * A report period in words, in the report's time zone: `Week 44 · 26 Oct – 1 Nov 2026,
 * New York time`, `November 2026, …`, `Q4 2026 · 1 Oct – 31 Dec 2026, …`.
 */
import type { PeriodInfo } from '../snapshot';

export interface PeriodWords {
  /** Header line: label, dates and zone. */
  long: string;
  /** `Week 44`, `November 2026`, `Q4 2026`. */
  short: string;
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
  return { long, short, plural, range, zone };
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
