import { describe, expect, it } from 'vitest';
import type { Better, DeltaKind, Unit } from '../../../functions/core/metrics/catalogue';
import { formatDuration, ReportFormatter } from '../../../functions/core/report/format';

const en = new ReportFormatter({ locale: 'en-US', currency: 'USD' });

/** A metric as the email receives it; `delta` is written out by hand in each test. */
function m(
  unit: Unit,
  better: Better,
  deltaKind: DeltaKind,
  value: number | null,
  previous: number | null,
  delta: number | null,
) {
  return { unit, better, deltaKind, value, previous, delta };
}

describe('ReportFormatter.value', () => {
  it('formats each unit in en-US', () => {
    expect(en.value('count', 1234)).toBe('1,234');
    expect(en.value('count', 318.44)).toBe('318.4');
    expect(en.value('percent', 2.3)).toBe('2.3%');
    expect(en.value('percent', 0)).toBe('0.0%');
    expect(en.value('money', 49120.5)).toBe('$49,120.50');
    expect(en.value('money', -50)).toBe('-$50.00');
    expect(en.value('nps', -20)).toBe('-20');
    expect(en.value('score', 4.3)).toBe('4.30');
    expect(en.value('ratio', 15.71)).toBe('15.7');
    expect(en.value('seconds', 200)).toBe('3 min 20 s');
    expect(en.value('minutes', 65)).toBe('1 h 5 min');
    // Under a minute, seconds: 0.5 min = 30 s.
    expect(en.value('minutes', 0.5)).toBe('30 s');
  });

  it('shows null and non-finite values as a dash', () => {
    expect(en.value('percent', null)).toBe('—');
    expect(en.value('count', Number.NaN)).toBe('—');
  });

  it('follows the locale and currency', () => {
    const de = new ReportFormatter({ locale: 'de-DE', currency: 'EUR' });
    // German: comma decimals, dot grouping, a (no-break) space before % and €.
    expect(de.value('count', 1234)).toBe('1.234');
    expect(de.value('percent', 2.3)).toBe('2,3\u00a0%');
    expect(de.value('money', 650)).toBe('650,00\u00a0€');
  });

  it('falls back to en-US for a locale Intl does not know', () => {
    expect(new ReportFormatter({ locale: 'not a locale!', currency: 'USD' }).locale).toBe('en-US');
  });
});

describe('ReportFormatter.delta', () => {
  it('shows a percentage change in pp, red when churn goes up', () => {
    // churn_rate 1.9% → 2.3%: 2.3 − 1.9 = +0.4 pp; churn is better down, so up is bad.
    expect(en.delta(m('percent', 'down', 'pp', 2.3, 1.9, 2.3 - 1.9))).toEqual({
      state: 'change',
      arrow: '▲',
      text: '+0.4 pp',
      tone: 'bad',
      previous: '1.9%',
    });
  });

  it('colours by direction: a fall is good for churn and bad for retention', () => {
    // churn 2.3 → 1.9: −0.4 pp, good; retention 98.1 → 97.7: −0.4 pp, bad.
    expect(en.delta(m('percent', 'down', 'pp', 1.9, 2.3, 1.9 - 2.3))).toMatchObject({
      arrow: '▼',
      text: '-0.4 pp',
      tone: 'good',
    });
    expect(en.delta(m('percent', 'up', 'pp', 97.7, 98.1, 97.7 - 98.1))).toMatchObject({
      arrow: '▼',
      text: '-0.4 pp',
      tone: 'bad',
    });
  });

  it('shows counts and money as a relative change in %', () => {
    // customers 1209 → 1234: 25 / 1209 × 100 = 2.0678…% → "+2.1 %", good.
    expect(en.delta(m('count', 'up', 'relative', 1234, 1209, (25 / 1209) * 100))).toEqual({
      state: 'change',
      arrow: '▲',
      text: '+2.1 %',
      tone: 'good',
      previous: '1,209',
    });
    // CAC $44.20 → $41.50: −2.7 / 44.2 × 100 = −6.108…% → "-6.1 %"; CAC down is good.
    expect(en.delta(m('money', 'down', 'relative', 41.5, 44.2, (-2.7 / 44.2) * 100))).toEqual({
      state: 'change',
      arrow: '▼',
      text: '-6.1 %',
      tone: 'good',
      previous: '$44.20',
    });
    // Revenue 17,000 → 18,428: +1,428 / 17,000 = +8.4%.
    expect(en.delta(m('money', 'up', 'relative', 18428, 17000, 8.4)).text).toBe('+8.4 %');
  });

  it('shows scores, NPS and ratios as an absolute change at the value precision', () => {
    // csat_avg 4.22 → 4.31: +0.09 (2 decimals, like the value).
    expect(en.delta(m('score', 'up', 'absolute', 4.31, 4.22, 4.31 - 4.22)).text).toBe('+0.09');
    // NPS 39 → 42: +3, no decimals.
    expect(en.delta(m('nps', 'up', 'absolute', 42, 39, 3)).text).toBe('+3');
    // ltv_cac_ratio 13.9 → 15.7: +1.8.
    expect(en.delta(m('ratio', 'up', 'absolute', 15.7, 13.9, 15.7 - 13.9)).text).toBe('+1.8');
  });

  it('handles negative values', () => {
    // NPS −12 → −20: −8, bad (NPS is better up).
    expect(en.delta(m('nps', 'up', 'absolute', -20, -12, -8))).toMatchObject({
      arrow: '▼',
      text: '-8',
      tone: 'bad',
      previous: '-12',
    });
    // Revenue −$50 → $100: (100 − (−50)) / |−50| × 100 = +300%, good.
    expect(en.delta(m('money', 'up', 'relative', 100, -50, 300))).toMatchObject({
      arrow: '▲',
      text: '+300.0 %',
      tone: 'good',
      previous: '-$50.00',
    });
    // Revenue −$100 → −$150: −50 / |−100| × 100 = −50%, bad.
    expect(en.delta(m('money', 'up', 'relative', -150, -100, -50))).toMatchObject({
      arrow: '▼',
      text: '-50.0 %',
      tone: 'bad',
    });
  });

  it('shows an unchanged value in grey with an equals sign', () => {
    // revenue_churn_rate 1.8 → 1.8.
    expect(en.delta(m('percent', 'down', 'pp', 1.8, 1.8, 0))).toEqual({
      state: 'unchanged',
      arrow: '=',
      text: '0.0 pp',
      tone: 'neutral',
      previous: '1.8%',
    });
    // 1,000 → 1,000.4 customers: −0.04% rounds to 0.0 at one decimal, so no arrow or colour.
    expect(en.delta(m('count', 'up', 'relative', 1000, 1000.4, (-0.4 / 1000.4) * 100))).toEqual({
      state: 'unchanged',
      arrow: '=',
      text: '0.0 %',
      tone: 'neutral',
      previous: '1,000.4',
    });
    // NPS 40 → 40.02: +0.02 rounds to 0 at NPS precision (at most one decimal).
    expect(en.delta(m('nps', 'up', 'absolute', 40.02, 40, 0.02))).toMatchObject({
      state: 'unchanged',
      text: '0',
    });
  });

  it('shows "new" in grey when there is no previous value', () => {
    expect(en.delta(m('money', 'up', 'relative', 512.3, null, null))).toEqual({
      state: 'new',
      arrow: '',
      text: 'new',
      tone: 'neutral',
      previous: null,
    });
  });

  it('shows nothing when the metric itself is null, but keeps the previous value', () => {
    expect(en.delta(m('percent', 'up', 'pp', null, 4.1, null))).toEqual({
      state: 'none',
      arrow: '',
      text: '',
      tone: 'neutral',
      previous: '4.1%',
    });
    expect(en.delta(m('percent', 'up', 'pp', null, null, null))).toMatchObject({
      state: 'none',
      text: '',
      previous: null,
    });
  });

  it('shows a change from 0 as a difference in the unit, never as ∞ %', () => {
    // social_mentions 0 → 57: no percentage exists; +57 mentions, good.
    expect(en.delta(m('count', 'up', 'relative', 57, 0, null))).toEqual({
      state: 'from-zero',
      arrow: '▲',
      text: '+57',
      tone: 'good',
      previous: '0',
    });
    // Refunds-only revenue $0 → −$25: down $25, bad.
    expect(en.delta(m('money', 'up', 'relative', -25, 0, null))).toMatchObject({
      arrow: '▼',
      text: '-$25.00',
      tone: 'bad',
    });
    // 0 → 0 is no change (METRICS.md): the engine stores delta 0.
    expect(en.delta(m('count', 'up', 'relative', 0, 0, 0))).toMatchObject({
      state: 'unchanged',
      text: '0.0 %',
    });
  });

  it('formats delta numbers in the locale', () => {
    const de = new ReportFormatter({ locale: 'de-DE', currency: 'EUR' });
    expect(de.delta(m('count', 'up', 'relative', 1084, 1000, 8.4)).text).toBe('+8,4 %');
    expect(de.delta(m('percent', 'down', 'pp', 2.3, 1.9, 0.4)).text).toBe('+0,4 pp');
  });
});

describe('formatDuration', () => {
  it('uses at most two units and rounds the smaller', () => {
    expect(formatDuration(45)).toBe('45 s');
    expect(formatDuration(200)).toBe('3 min 20 s');
    expect(formatDuration(3600)).toBe('1 h');
    // 1 h 59 min 50 s rounds to 120 min: "2 h", not "1 h 60 min".
    expect(formatDuration(7190)).toBe('2 h');
    // 2 d 3 h 20 min = 183,600 + 1,200 s → 51.33 h → 51 h = 2 d 3 h.
    expect(formatDuration(2 * 86400 + 3 * 3600 + 1200)).toBe('2 d 3 h');
    expect(formatDuration(-90)).toBe('-1 min 30 s');
  });
});
