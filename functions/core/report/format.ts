/**
 * Number, delta and duration formatting for the report, with Intl for the report's locale
 * and currency. Every string the email shows for a metric value comes from here, so the
 * HTML and the plain-text versions cannot disagree.
 */

import type { Better, DeltaKind, Unit } from '../metrics/catalogue';
import type { MetricValue } from '../snapshot';

export interface FormatOptions {
  locale: string;
  currency: string;
}

/**
 * How a delta is shown. `change`: a non-zero change at display precision; `unchanged`: it
 * rounds to zero; `new`: no previous value; `from-zero`: a relative change from 0, which
 * has no percentage and is shown as a difference in the metric's unit; `none`: the metric
 * itself is null.
 */
export type DeltaState = 'change' | 'unchanged' | 'new' | 'from-zero' | 'none';
export type Tone = 'good' | 'bad' | 'neutral';

export interface DeltaView {
  state: DeltaState;
  /** ▲ up, ▼ down, = unchanged, '' otherwise. The arrow is the direction, never the verdict. */
  arrow: '▲' | '▼' | '=' | '';
  /** `+0.4 pp`, `-8.4 %`, `+3`, `new`, or '' when there is nothing to show. */
  text: string;
  /** good/bad by the metric's direction (churn up is bad); neutral when unchanged or new. */
  tone: Tone;
  /** The previous value formatted, for "was …". */
  previous: string | null;
}

/** The locale when Intl knows it, else `en-US` (config does not validate locales). */
export function resolveLocale(locale: string): string {
  try {
    return Intl.NumberFormat.supportedLocalesOf([locale]).length > 0 ? locale : 'en-US';
  } catch {
    return 'en-US';
  }
}

/**
 * A duration in seconds in words: `45 s`, `3 min 20 s`, `1 h 5 min`, `2 d 3 h`. Two units
 * at most, the smaller rounded; negative durations keep their sign.
 */
export function formatDuration(totalSeconds: number, locale = 'en-US'): string {
  const int = new Intl.NumberFormat(resolveLocale(locale), { maximumFractionDigits: 0 });
  const sign = totalSeconds < 0 ? '-' : '';
  const s = Math.round(Math.abs(totalSeconds));
  const two = (big: number, bigUnit: string, small: number, smallUnit: string) =>
    small === 0
      ? `${sign}${int.format(big)} ${bigUnit}`
      : `${sign}${int.format(big)} ${bigUnit} ${int.format(small)} ${smallUnit}`;
  if (s < 60) return `${sign}${int.format(s)} s`;
  if (s < 3600) return two(Math.floor(s / 60), 'min', s % 60, 's');
  // Round to whole minutes first so 1 h 59 min 50 s reads "2 h", not "1 h 60 min".
  const minutes = Math.round(s / 60);
  if (minutes < 1440) return two(Math.floor(minutes / 60), 'h', minutes % 60, 'min');
  const hours = Math.round(s / 3600);
  return two(Math.floor(hours / 24), 'd', hours % 24, 'h');
}

interface Precision {
  min: number;
  max: number;
}

/** Display precision per unit; deltas in absolute points use the same precision. */
const PRECISION: Record<Exclude<Unit, 'money' | 'seconds' | 'minutes'>, Precision> = {
  count: { min: 0, max: 1 },
  users: { min: 0, max: 1 },
  percent: { min: 1, max: 1 },
  nps: { min: 0, max: 1 },
  score: { min: 2, max: 2 },
  ratio: { min: 1, max: 1 },
  orders_per_customer: { min: 2, max: 2 },
  visits: { min: 2, max: 2 },
};

export class ReportFormatter {
  readonly locale: string;
  readonly currency: string;
  private readonly cache = new Map<string, Intl.NumberFormat>();

  constructor(options: FormatOptions) {
    this.locale = resolveLocale(options.locale);
    this.currency = options.currency;
  }

  private nf(key: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
    let format = this.cache.get(key);
    if (!format) {
      format = new Intl.NumberFormat(this.locale, options);
      this.cache.set(key, format);
    }
    return format;
  }

  /** A grouped count: `1,234`, or `312.4` for a mean. */
  count(value: number): string {
    return this.nf('count', { maximumFractionDigits: 1 }).format(value);
  }

  /** A share in 0..100 with one decimal: `2.3%`. */
  percent(value: number): string {
    return this.nf('percent', {
      style: 'percent',
      minimumFractionDigits: 1,
      maximumFractionDigits: 1,
    }).format(value / 100);
  }

  /** An amount in the report currency's major unit: `$1,234.50`. */
  money(value: number): string {
    return this.nf('money', { style: 'currency', currency: this.currency }).format(value);
  }

  /** A metric value in its unit; null is `—` (the reason is shown beside it). */
  value(unit: Unit, value: number | null): string {
    if (value === null || !Number.isFinite(value)) return '—';
    switch (unit) {
      case 'money':
        return this.money(value);
      case 'percent':
        return this.percent(value);
      case 'seconds':
        return formatDuration(value, this.locale);
      case 'minutes':
        // Under a minute, seconds say more than "0 min"; above, whole minutes are enough.
        return formatDuration(
          Math.abs(value) < 1 ? value * 60 : Math.round(value) * 60,
          this.locale,
        );
      default: {
        const p = precisionOf(unit);
        return this.nf(`v:${unit}`, {
          minimumFractionDigits: p.min,
          maximumFractionDigits: p.max,
        }).format(value);
      }
    }
  }

  /**
   * The delta of a metric: percentage points for percentages, absolute points for scores,
   * NPS and ratios, relative % for counts, money and durations (METRICS.md "Deltas"). A
   * delta that rounds to zero at display precision is shown as unchanged (grey), so an
   * arrow never sits next to `+0.0`.
   */
  delta(
    metric: Pick<MetricValue, 'value' | 'previous' | 'delta' | 'unit' | 'better' | 'deltaKind'>,
  ): DeltaView {
    const previous = metric.previous === null ? null : this.value(metric.unit, metric.previous);
    if (metric.value === null) {
      return { state: 'none', arrow: '', text: '', tone: 'neutral', previous };
    }
    if (metric.previous === null) {
      return { state: 'new', arrow: '', text: 'new', tone: 'neutral', previous: null };
    }
    if (metric.delta === null || !Number.isFinite(metric.delta)) {
      return this.changeFromZero(metric.value, metric.previous, metric.unit, metric.better);
    }
    const digits = this.deltaDigits(metric.deltaKind, metric.unit);
    const rounded = roundTo(metric.delta, digits);
    const minDigits = metric.deltaKind === 'absolute' ? precisionOf(metric.unit).min : digits;
    const number = this.nf(`d:${minDigits}:${digits}`, {
      minimumFractionDigits: minDigits,
      maximumFractionDigits: digits,
      signDisplay: 'exceptZero',
    });
    // Units are written out after a space ("+8.4 %", "+0.4 pp") so a relative change and a
    // change in percentage points never look alike, whatever the locale's percent style.
    const suffix = { pp: ' pp', relative: ' %', absolute: '' }[metric.deltaKind];
    const text = `${number.format(rounded === 0 ? 0 : metric.delta)}${suffix}`;
    if (rounded === 0) {
      return { state: 'unchanged', arrow: '=', text, tone: 'neutral', previous };
    }
    const up = rounded > 0;
    return {
      state: 'change',
      arrow: up ? '▲' : '▼',
      text,
      tone: toneOf(up, metric.better),
      previous,
    };
  }

  /**
   * A relative change from 0 has no percentage (METRICS.md: never ∞), but the direction is
   * known, so the change is shown as a difference in the metric's own unit: `▲ +57`
   * beside "was 0". 0 → 0 arrives as delta 0 and never reaches here.
   */
  private changeFromZero(value: number, previous: number, unit: Unit, better: Better): DeltaView {
    const shown = this.value(unit, previous);
    const difference = value - previous;
    if (!Number.isFinite(difference) || difference === 0) {
      return { state: 'from-zero', arrow: '', text: '—', tone: 'neutral', previous: shown };
    }
    const up = difference > 0;
    const magnitude = this.value(unit, Math.abs(difference));
    return {
      state: 'from-zero',
      arrow: up ? '▲' : '▼',
      text: `${up ? '+' : '-'}${magnitude}`,
      tone: toneOf(up, better),
      previous: shown,
    };
  }

  private deltaDigits(kind: DeltaKind, unit: Unit): number {
    return kind === 'absolute' ? precisionOf(unit).max : 1;
  }
}

function precisionOf(unit: Unit): Precision {
  return (PRECISION as Partial<Record<Unit, Precision>>)[unit] ?? { min: 0, max: 1 };
}

function roundTo(value: number, digits: number): number {
  const factor = 10 ** digits;
  const rounded = Math.round(Math.abs(value) * factor) / factor;
  return value < 0 ? -rounded : rounded;
}

function toneOf(up: boolean, better: Better): Tone {
  return up === (better === 'up') ? 'good' : 'bad';
}
