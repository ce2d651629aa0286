/**
 * Local days and timestamp text for the sample generator, in one IANA zone. Kept apart from
 * functions/core/time on purpose: the sample data is an independent witness for the
 * engine's tests and demo, so it should not share the code whose output it feeds.
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

export interface LocalDay {
  /** 0 for the first day of the sample. */
  index: number;
  /** First instant of the local day (epoch ms). */
  start: number;
  /** First instant of the next local day. */
  end: number;
  /** `YYYY-MM-DD`. */
  date: string;
  /** Monday = 0 … Sunday = 6. */
  weekday: number;
  year: number;
  /** 1–12. */
  month: number;
  day: number;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `YYYY-MM-DD` → [year, month, day], or a RangeError naming the bad text. */
export function parseDate(text: string): [number, number, number] {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const [year, month, day] = match ? [Number(match[1]), Number(match[2]), Number(match[3])] : [];
  if (year === undefined || month === undefined || day === undefined) {
    throw new RangeError(`"${text}" is not a date in the form YYYY-MM-DD`);
  }
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
    throw new RangeError(`"${text}" is not a calendar date`);
  }
  return [year, month, day];
}

export class LocalCalendar {
  private readonly parts: Intl.DateTimeFormat;
  private readonly offsets = new Map<number, number>();

  constructor(readonly timezone: string) {
    this.parts = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  /** Local wall time minus UTC at an instant, in ms (e.g. −4 h in New York in summer). */
  offsetMs(instant: number): number {
    // Offsets change on whole quarter hours in every zone in use, so a 15-minute bucket
    // is a safe cache key and keeps Intl (slow) out of the per-row path.
    const bucket = Math.floor(instant / (15 * MINUTE_MS));
    const cached = this.offsets.get(bucket);
    if (cached !== undefined) return cached;
    const at = bucket * 15 * MINUTE_MS;
    const field: Record<string, number> = {};
    for (const part of this.parts.formatToParts(at)) {
      if (part.type !== 'literal') field[part.type] = Number(part.value);
    }
    const wall = Date.UTC(
      field.year ?? 1970,
      (field.month ?? 1) - 1,
      field.day ?? 1,
      field.hour ?? 0,
      field.minute ?? 0,
      field.second ?? 0,
    );
    const offset = wall - at;
    this.offsets.set(bucket, offset);
    return offset;
  }

  /** The instant of a local wall time (the later reading when a fall-back repeats it). */
  instantOf(year: number, month: number, day: number, hour = 0, minute = 0): number {
    const wall = Date.UTC(year, month - 1, day, hour, minute);
    const guess = wall - this.offsetMs(wall);
    return wall - this.offsetMs(guess);
  }

  /** Local days from `first` (included) to `endExclusive`, as `YYYY-MM-DD`. */
  days(first: string, endExclusive: string): LocalDay[] {
    const [y0, m0, d0] = parseDate(first);
    const [y1, m1, d1] = parseDate(endExclusive);
    const firstUtc = Date.UTC(y0, m0 - 1, d0);
    const count = Math.round((Date.UTC(y1, m1 - 1, d1) - firstUtc) / DAY_MS);
    const days: LocalDay[] = [];
    for (let index = 0; index < count; index++) {
      const civil = new Date(firstUtc + index * DAY_MS);
      const year = civil.getUTCFullYear();
      const month = civil.getUTCMonth() + 1;
      const day = civil.getUTCDate();
      const next = new Date(firstUtc + (index + 1) * DAY_MS);
      days.push({
        index,
        start: this.instantOf(year, month, day),
        end: this.instantOf(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate()),
        date: `${year}-${pad(month)}-${pad(day)}`,
        weekday: (civil.getUTCDay() + 6) % 7,
        year,
        month,
        day,
      });
    }
    return days;
  }

  /** `2026-03-04T10:22:05-05:00`: the local wall time with its offset. */
  withOffset(instant: number): string {
    const offset = this.offsetMs(instant);
    const sign = offset < 0 ? '-' : '+';
    const abs = Math.abs(offset);
    const local = new Date(instant + offset).toISOString().slice(0, 19);
    return `${local}${sign}${pad(Math.floor(abs / HOUR_MS))}:${pad(Math.floor((abs % HOUR_MS) / MINUTE_MS))}`;
  }

  /** `2026-03-04T10:22:05`: local wall time without an offset (read in the report's zone). */
  localWallTime(instant: number): string {
    return new Date(instant + this.offsetMs(instant)).toISOString().slice(0, 19);
  }
}

/** `2026-03-04T15:22:05Z`. */
export function isoSeconds(instant: number): string {
  return `${new Date(instant).toISOString().slice(0, 19)}Z`;
}

/** `2026-03-04T15:22:05.123Z`. */
export function isoMillis(instant: number): string {
  return new Date(instant).toISOString();
}
