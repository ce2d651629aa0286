/**
 * The small numeric building blocks every metric goes through, and the unit and direction
 * each engine metric outside the customer base carries, checked against the tables of
 * METRICS.md (copied here by hand, so a change in the catalogue fails this test).
 */
import { describe, expect, it } from 'vitest';
import { METRIC_IDS } from '../../../functions/core/metrics/catalogue';
import {
  divide,
  divideOrNull,
  fromOutcome,
  known,
  median,
  missing,
  netPromoterScore,
  tidy,
} from '../../../functions/core/metrics/values';

describe('tidy', () => {
  it('strips binary noise from a finished value', () => {
    // 0.1 + 0.2 is 0.30000000000000004 in binary floating point.
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(tidy(0.1 + 0.2)).toBe(0.3);
  });

  it('keeps 15 significant digits and leaves 0 and negatives alone', () => {
    // 100 / 7 = 14.285714285714286 (17 digits) → 14.2857142857143 (15 digits).
    expect(tidy(100 / 7)).toBe(14.2857142857143);
    expect(tidy(0)).toBe(0);
    expect(tidy(-2.5)).toBe(-2.5);
  });
});

describe('divide', () => {
  it('returns numerator / denominator × scale', () => {
    // 3 / 4 × 100 = 75.
    expect(divide(3, 4, 100, 'none')).toEqual({ value: 75 });
    // 9 / 2 × 1 = 4.5.
    expect(divide(9, 2, 1, 'none')).toEqual({ value: 4.5 });
  });

  it('returns the reason instead of a value for a zero denominator', () => {
    expect(divide(3, 0, 100, 'no responses')).toEqual({ reason: 'no responses' });
    expect(divide(0, 0, 100, 'no responses')).toEqual({ reason: 'no responses' });
  });

  it('returns 0 for a zero numerator over a positive denominator', () => {
    expect(divide(0, 5, 100, 'none')).toEqual({ value: 0 });
  });
});

describe('divideOrNull', () => {
  it('is the quotient, or null for a zero denominator', () => {
    // 1 / 8 × 100 = 12.5.
    expect(divideOrNull(1, 8, 100)).toBe(12.5);
    expect(divideOrNull(1, 0, 100)).toBeNull();
  });
});

describe('median', () => {
  it('takes the middle value of an odd sample', () => {
    // Sorted: 1, 3, 7 → 3.
    expect(median([7, 1, 3])).toBe(3);
  });

  it('takes the mean of the two middle values of an even sample', () => {
    // Sorted: 1, 2, 3, 4 → (2 + 3) / 2 = 2.5.
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('sorts numerically, not as text', () => {
    // As text 100 < 20 < 3; numerically 3, 20, 100 → 20.
    expect(median([100, 3, 20])).toBe(20);
  });

  it('refuses an empty sample', () => {
    expect(() => median([])).toThrow(RangeError);
  });
});

describe('netPromoterScore', () => {
  it('is % promoters − % detractors', () => {
    // 5 promoters, 2 detractors of 10: 50 % − 20 % = 30.
    expect(netPromoterScore(5, 2, 10)).toBe(30);
    // All detractors: 0 % − 100 % = −100.
    expect(netPromoterScore(0, 4, 4)).toBe(-100);
  });

  it('refuses zero responses', () => {
    expect(() => netPromoterScore(0, 0, 0)).toThrow(RangeError);
  });
});

describe('known, missing and fromOutcome', () => {
  it('carry the catalogue unit, direction and delta kind, with no previous or delta', () => {
    expect(known('bounce_rate', 12.5)).toEqual({
      value: 12.5,
      unit: 'percent',
      better: 'down',
      previous: null,
      delta: null,
      deltaKind: 'pp',
    });
  });

  it('gives a null value a reason', () => {
    const mv = missing('nps', 'no nps responses in the period');
    expect(mv.value).toBeNull();
    expect(mv.reason).toBe('no nps responses in the period');
  });

  it('tidies the value and every breakdown entry, sorted by key, keeping nulls', () => {
    const mv = fromOutcome('cac', { value: 0.1 + 0.2 }, { seo: null, ads: 0.1 + 0.2 });
    expect(mv.value).toBe(0.3);
    expect(mv.breakdown).toEqual({ ads: 0.3, seo: null });
    expect(Object.keys(mv.breakdown ?? {})).toEqual(['ads', 'seo']);
  });

  it('turns a reason outcome into a null value with that reason', () => {
    const mv = fromOutcome('aov', { reason: 'no orders in the period (division by zero)' });
    expect(mv).toMatchObject({ value: null, reason: 'no orders in the period (division by zero)' });
  });

  it('refuses an id the catalogue does not have', () => {
    expect(() => known('arpu', 1)).toThrow(/unknown metric id "arpu"/);
  });
});

describe('catalogue units and directions (METRICS.md)', () => {
  // [id, unit, better] as METRICS.md states them; "%" → percent, "−100..100" → nps.
  const table: [string, string, 'up' | 'down'][] = [
    ['customers_new_active_at_end', 'count', 'up'],
    ['reactivated_customers', 'count', 'up'],
    ['mrr_new', 'money', 'up'],
    ['mrr_expansion', 'money', 'up'],
    ['mrr_reactivation', 'money', 'up'],
    ['mrr_contraction', 'money', 'down'],
    ['mrr_churned', 'money', 'down'],
    ['revenue', 'money', 'up'],
    ['orders', 'count', 'up'],
    ['aov', 'money', 'up'],
    ['purchase_frequency', 'orders_per_customer', 'up'],
    ['arpc', 'money', 'up'],
    ['clv_historic', 'money', 'up'],
    ['clv_predictive', 'money', 'up'],
    ['cac', 'money', 'down'],
    ['ltv_cac_ratio', 'ratio', 'up'],
    ['nps', 'nps', 'up'],
    ['csat', 'percent', 'up'],
    ['csat_avg', 'score', 'up'],
    ['ces', 'percent', 'up'],
    ['ces_avg', 'score', 'up'],
    ['survey_responses', 'count', 'up'],
    ['dau', 'users', 'up'],
    ['wau', 'users', 'up'],
    ['mau', 'users', 'up'],
    ['stickiness', 'percent', 'up'],
    ['sessions', 'count', 'up'],
    ['avg_session_duration', 'seconds', 'up'],
    ['bounce_rate', 'percent', 'down'],
    ['pageviews', 'count', 'up'],
    ['visits_per_user', 'visits', 'up'],
    ['conversion_rate', 'percent', 'up'],
    ['feature_usage', 'percent', 'up'],
    ['core_action_rate', 'percent', 'up'],
    ['first_week_engagement', 'percent', 'up'],
    ['ticket_volume', 'count', 'down'],
    ['tickets_per_100_customers', 'count', 'down'],
    ['first_response_time_p50', 'minutes', 'down'],
    ['email_open_rate', 'percent', 'up'],
    ['email_ctr', 'percent', 'up'],
    ['email_click_to_open', 'percent', 'up'],
    ['email_bounce_rate', 'percent', 'down'],
    ['social_engagement_rate', 'percent', 'up'],
    ['social_mentions', 'count', 'up'],
  ];

  it.each(table)('%s is in %s, better %s', (id, unit, better) => {
    const mv = known(id, 1);
    expect(mv.unit).toBe(unit);
    expect(mv.better).toBe(better);
  });

  it('expresses deltas of percentages in pp, of scores and ratios absolutely, of counts and money relatively', () => {
    expect(known('csat', 1).deltaKind).toBe('pp');
    expect(known('nps', 1).deltaKind).toBe('absolute');
    expect(known('csat_avg', 1).deltaKind).toBe('absolute');
    expect(known('ltv_cac_ratio', 1).deltaKind).toBe('absolute');
    expect(known('revenue', 1).deltaKind).toBe('relative');
    expect(known('ticket_volume', 1).deltaKind).toBe('relative');
  });

  // The ids the table above leaves out: "Customer base", "Model-based CLV" and the
  // subscribers at risk, [id, unit, better] copied by hand from those tables.
  const customerBaseAndModels: [string, string, 'up' | 'down'][] = [
    ['customers_start', 'count', 'up'],
    ['customers_end', 'count', 'up'],
    ['new_customers', 'count', 'up'],
    ['churned_customers', 'count', 'down'],
    ['churn_rate', 'percent', 'down'],
    ['retention_rate', 'percent', 'up'],
    ['mrr_start', 'money', 'up'],
    ['mrr_end', 'money', 'up'],
    ['revenue_churn_rate', 'percent', 'down'],
    ['net_revenue_retention', 'percent', 'up'],
    ['clv_bgnbd', 'money', 'up'],
    ['expected_purchases_next_period', 'count', 'up'],
    ['at_risk_customers', 'count', 'down'],
    ['at_risk_subscribers', 'count', 'down'],
  ];

  it.each(customerBaseAndModels)('%s is in %s, better %s', (id, unit, better) => {
    const mv = known(id, 1);
    expect(mv.unit).toBe(unit);
    expect(mv.better).toBe(better);
  });

  it('has a hand-checked unit and direction for every catalogue id, each once', () => {
    // A metric added to catalogue.ts without a row here fails, as does an id listed twice.
    const listed = [...table, ...customerBaseAndModels].map(([id]) => id);
    expect(new Set(listed).size).toBe(listed.length);
    expect([...listed].sort()).toEqual([...METRIC_IDS].sort());
    // 44 + 14 ids: the 58 of METRICS.md's tables.
    expect(listed).toHaveLength(58);
  });
});
