/**
 * Segment breakdowns (METRICS.md "Segments") on a small hand-made export: every number
 * below is worked out by hand from the rows, customer by customer, in the comments.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../functions/core/config';
import type { CustomerRow, SubscriptionRow } from '../../../functions/core/datasets/rows';
import { breakdownOf, type SegmentGroup } from '../../../functions/core/metrics/segments';
import type { SegmentBreakdown, SegmentRow } from '../../../functions/core/snapshot';
import { at, type Data, order, spend } from './helpers';
import { runSegments } from './segments-helpers';

const person = (
  customer_id: string,
  segment?: string,
  country?: string,
  channel?: string,
): CustomerRow => ({
  customer_id,
  created_at: at('2026-01-01T00:00:00Z'),
  acquisition_channel: channel,
  segment,
  country,
  onboarding_completed_at: undefined,
});

const planSub = (
  id: string,
  customer: string,
  started: string,
  ended: string | undefined,
  plan: string | undefined,
): SubscriptionRow => ({
  subscription_id: id,
  customer_id: customer,
  started_at: at(started),
  ended_at: ended === undefined ? undefined : at(ended),
  mrr: 10,
  currency: undefined,
  plan,
});

/**
 * Week 2026-W10 in UTC: start S = Mon 2 Mar, end E = Mon 9 Mar.
 *
 * | customer | segment | country | channel | subscriptions | at S | at E | new | orders (≤ E) |
 * |---|---|---|---|---|---|---|---|---|
 * | a | smb | US | ads | pro Jan 1 → open; enterprise from Mar 10 (after E) | yes | yes | – | Feb 10 50, Mar 3 100 |
 * | b | smb | US | ads | basic Jan 1 → Mar 5 | yes | – | – | |
 * | c | ent | DE | seo | pro Mar 3 → open | – | yes | yes | Mar 5 40, Mar 6 −10 |
 * | d | ent | (empty) | ads | basic Jan 10 → Feb 1; pro Mar 4 → open | – | yes | – (Jan) | |
 * | e | no customers row | | | (no plan) Feb 1 → open | yes | yes | – | Mar 4 20 |
 * | f | mid | FR | tv | basic Mar 4 → Mar 6 | – | – | yes | |
 * | g | smb | US | ads | none | – | – | – | Mar 5 60 |
 * | h | ent | DE | seo | basic Feb 1 → open; pro Feb 15 → open | yes | yes | – | |
 *
 * Also an order of a at E itself (after the period) and spend dated E: neither counts.
 * Totals: customers_start 4 (a b e h), customers_end 5 (a c d e h), new 2 (c f), churned
 * 1 (b); revenue 100 + 30 + 20 + 60 = 210; clv_historic over a c e g: (150 + 30 + 20 + 60)
 * / 4 = 65; spend in W10 ads 300, seo 80, tv 50, radio 25.
 */
const DATA: Data = {
  customers: [
    [
      person('a', 'smb', 'US', 'ads'),
      person('b', 'smb', 'US', 'ads'),
      person('c', 'ent', 'DE', 'seo'),
      person('d', 'ent', '', 'ads'),
      person('f', 'mid', 'FR', 'tv'),
      person('g', 'smb', 'US', 'ads'),
      person('h', 'ent', 'DE', 'seo'),
    ],
  ],
  subscriptions: [
    [
      planSub('a1', 'a', '2026-01-01T00:00:00Z', undefined, 'pro'),
      planSub('a2', 'a', '2026-03-10T00:00:00Z', undefined, 'enterprise'),
      planSub('b1', 'b', '2026-01-01T00:00:00Z', '2026-03-05T00:00:00Z', 'basic'),
      planSub('c1', 'c', '2026-03-03T00:00:00Z', undefined, 'pro'),
      planSub('d1', 'd', '2026-01-10T00:00:00Z', '2026-02-01T00:00:00Z', 'basic'),
      planSub('d2', 'd', '2026-03-04T00:00:00Z', undefined, 'pro'),
      planSub('e1', 'e', '2026-02-01T00:00:00Z', undefined, undefined),
      planSub('f1', 'f', '2026-03-04T00:00:00Z', '2026-03-06T00:00:00Z', 'basic'),
      planSub('h1', 'h', '2026-02-01T00:00:00Z', undefined, 'basic'),
      planSub('h2', 'h', '2026-02-15T00:00:00Z', undefined, 'pro'),
    ],
  ],
  orders: [
    [
      order('o1', 'a', '2026-02-10T00:00:00Z', 50),
      order('o2', 'a', '2026-03-03T00:00:00Z', 100),
      order('o3', 'a', '2026-03-09T00:00:00Z', 999),
      order('o4', 'c', '2026-03-05T00:00:00Z', 40),
      order('o5', 'c', '2026-03-06T00:00:00Z', -10),
      order('o6', 'e', '2026-03-04T00:00:00Z', 20),
      order('o7', 'g', '2026-03-05T00:00:00Z', 60),
    ],
  ],
  marketing_spend: [
    [
      spend('2026-03-02', 'ads', 300),
      spend('2026-03-05', 'seo', 80),
      spend('2026-03-06', 'tv', 50),
      spend('2026-03-08', 'radio', 25),
      spend('2026-03-09', 'ads', 1000),
    ],
  ],
};

/** A row as the test writes it: value, S, E, new, churned, churn %, retention %, ARPC, CLV, CAC. */
type Expected = [
  string | null,
  number,
  number,
  number,
  number,
  number | null,
  number | null,
  number | null,
  number | null,
  number | null,
];

function rowsOf(segments: SegmentBreakdown[] | undefined, column: string): Expected[] {
  const b = segments?.find((s) => s.column === column);
  if (!b) throw new Error(`no ${column} breakdown`);
  return b.rows.map((r: SegmentRow) => [
    r.other === undefined ? r.value : `other (${r.other})`,
    r.customers_start,
    r.customers_end,
    r.new_customers,
    r.churned_customers,
    r.churn_rate,
    r.retention_rate,
    r.arpc,
    r.clv_historic,
    r.cac,
  ]);
}

describe('segment breakdowns', () => {
  it('computes every metric per segment value, largest by customers at end first', async () => {
    // Act
    const { metrics, segments } = await runSegments(DATA, '2026-W10');

    // Assess: the totals the rows must add up to.
    expect(metrics.customers_start?.value).toBe(4);
    expect(metrics.customers_end?.value).toBe(5);
    expect(metrics.new_customers?.value).toBe(2);
    expect(metrics.churned_customers?.value).toBe(1);
    expect(segments?.map((s) => s.column)).toEqual([
      'segment',
      'country',
      'plan',
      'acquisition_channel',
    ]);
    // segment. ent {c d h}: S h, E c d h, new c; revenue c 40 − 10 = 30 → ARPC 30 / 3 = 10;
    // CLV c 30 / 1. smb {a b g}: S a b, E a, churned b (50 %); revenue a 100 + g 60 = 160 →
    // ARPC 160; CLV (a 150 + g 60) / 2 = 105. (none) {e}: S E e; ARPC 20, CLV 20. mid {f}:
    // new only; no customers at end or start → no rates; no order → no CLV. smb and (none)
    // tie on customers at end (1); smb has more at start. CAC only by channel.
    expect(rowsOf(segments, 'segment')).toEqual([
      ['ent', 1, 3, 1, 0, 0, 100, 10, 30, null],
      ['smb', 2, 1, 0, 1, 50, 50, 160, 105, null],
      [null, 1, 1, 0, 0, 0, 100, 20, 20, null],
      ['mid', 0, 0, 1, 0, null, null, null, null, null],
    ]);
    // country: d's empty cell and e (no customers row) are (none). DE {c h}: S h, E c h, new
    // c; ARPC 30 / 2 = 15; CLV 30. (none) {d e}: S e, E d e; ARPC 20 / 2 = 10; CLV e 20.
    // DE and (none) tie on end (2) and start (1); DE has a new customer. US = smb's rows.
    expect(rowsOf(segments, 'country')).toEqual([
      ['DE', 1, 2, 1, 0, 0, 100, 15, 30, null],
      [null, 1, 2, 0, 0, 0, 100, 10, 20, null],
      ['US', 2, 1, 0, 1, 50, 50, 160, 105, null],
      ['FR', 0, 0, 1, 0, null, null, null, null, null],
    ]);
    // plan: a pro (a2 starts after E), b basic (its latest, ended), c pro, d pro (d2 covers
    // E), e (none) (no plan value), f basic, g (none) (no subscription), h pro (h1 and h2
    // both cover E; h2 started later). pro {a c d h}: S a h, E a c d h, new c; ARPC
    // (100 + 30) / 4 = 32.5; CLV (150 + 30) / 2 = 90. basic {b f}: S b churned, new f.
    // (none) {e g}: S E e; ARPC (20 + 60) / 1 = 80; CLV (20 + 60) / 2 = 40.
    expect(rowsOf(segments, 'plan')).toEqual([
      ['pro', 2, 4, 1, 0, 0, 100, 32.5, 90, null],
      [null, 1, 1, 0, 0, 0, 100, 80, 40, null],
      ['basic', 1, 0, 1, 1, 100, 0, null, null, null],
    ]);
    // acquisition_channel. ads {a b d g}: S a b, E a d, churned b; ARPC 160 / 2 = 80, CLV
    // 105; CAC 300 spend / 0 new → none. seo {c h}: CAC 80 / 1 = 80. (none) {e}: no spend
    // can be attributed. tv {f}: CAC 50 / 1. radio has spend but no customer: no row.
    expect(rowsOf(segments, 'acquisition_channel')).toEqual([
      ['ads', 2, 2, 0, 1, 50, 50, 80, 105, null],
      ['seo', 1, 2, 1, 0, 0, 100, 15, 30, 80],
      [null, 1, 1, 0, 0, 0, 100, 20, 20, null],
      ['tv', 0, 0, 1, 0, null, null, null, null, 50],
    ]);
    const channel = segments?.find((s) => s.column === 'acquisition_channel');
    expect(channel?.reasons).toBeUndefined();
    expect(segments?.find((s) => s.column === 'segment')?.reasons).toEqual({
      cac: 'marketing spend is by channel: CAC is in the acquisition_channel breakdown',
    });
  });

  it('folds the values after the top N into one "other" row computed from its customers', async () => {
    // Act
    const { segments } = await runSegments(DATA, '2026-W10', { segments: { top: 2 } });

    // Assess: segment, other = (none) {e} + mid {f}: S e, E e, new f, churn 0 / 1; ARPC
    // 20 / 1; CLV e 20 / 1.
    expect(rowsOf(segments, 'segment')).toEqual([
      ['ent', 1, 3, 1, 0, 0, 100, 10, 30, null],
      ['smb', 2, 1, 0, 1, 50, 50, 160, 105, null],
      ['other (2)', 1, 1, 1, 0, 0, 100, 20, 20, null],
    ]);
    // channel, other = (none) {e} + tv {f}: CAC = tv's 50 / (0 + 1) new; (none) has no spend.
    expect(rowsOf(segments, 'acquisition_channel').at(-1)).toEqual([
      'other (2)',
      1,
      1,
      1,
      0,
      0,
      100,
      20,
      20,
      50,
    ]);
    // plan has 3 values: top 2 + one left keeps its own name rather than "other (1)".
    expect(rowsOf(segments, 'plan').map((r) => r[0])).toEqual(['pro', null, 'basic']);
  });

  it('leaves out a column without values and says so', async () => {
    // Prepare: nobody has a country; no orders, no spend.
    const data: Data = {
      customers: [[person('a', 'smb', undefined, 'ads'), person('b', undefined, '', 'ads')]],
      subscriptions: [[planSub('a1', 'a', '2026-01-01T00:00:00Z', undefined, 'pro')]],
    };

    // Act
    const { segments } = await runSegments(data, '2026-W10');

    // Assess: a is active at both ends; b has no subscription and counts nowhere.
    const country = segments?.find((s) => s.column === 'country');
    expect(country).toEqual({
      column: 'country',
      values: 0,
      rows: [],
      reason: 'not in the exports',
    });
    expect(rowsOf(segments, 'segment')).toEqual([['smb', 1, 1, 0, 0, 0, 100, null, null, null]]);
    expect(segments?.find((s) => s.column === 'acquisition_channel')?.reasons).toEqual({
      arpc: 'no orders export',
      clv_historic: 'no orders export',
      cac: 'no marketing_spend export',
    });
  });

  it('is off with segments.enabled false, and refuses a column it cannot break down by', async () => {
    const { segments } = await runSegments(DATA, '2026-W10', { segments: { enabled: false } });
    expect(segments).toBeUndefined();
    expect(() => parseConfig({ segments: { columns: ['region'] } })).toThrow(
      /segments\.columns\.0 must be one of segment, country, plan, acquisition_channel/,
    );
    expect(() => parseConfig({ segments: { columns: ['plan', 'plan'] } })).toThrow(
      /must not repeat a column/,
    );
  });
});

describe('breakdownOf', () => {
  const group = (value: string | null, end: number, start = 0, fresh = 0): SegmentGroup => ({
    value,
    start,
    end,
    new: fresh,
    churned: 0,
    retained: start,
    revenue: 0,
    historicCustomers: 0,
    historicTotal: 0,
  });

  it('ranks by customers at end, then start, then new, then name, (none) after a named tie', () => {
    const rows = breakdownOf(
      'segment',
      [group('b', 5), group(null, 5), group('a', 5), group('z', 5, 1), group('y', 5, 1, 2)],
      10,
      false,
      null,
    );
    expect(rows.map((r) => r.value)).toEqual(['y', 'z', 'a', 'b', null]);
  });
});
