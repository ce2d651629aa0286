/**
 * At-risk signals (METRICS.md "At-risk customers and their reasons") on hand-made rows:
 * each signal's rule and its words, the subscribers at risk of a subscription business and
 * `at_risk_subscribers`, the model's list getting its reasons, and the signals surviving
 * the engine's own tables (orders.status, tickets.resolved_at). Expected values are worked
 * out by hand in the comments.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseConfig, type ReportConfigInput } from '../../../functions/core/config';
import type {
  EventRow,
  OrderRow,
  SurveyResponseRow,
  TicketRow,
} from '../../../functions/core/datasets/rows';
import { computeSnapshots } from '../../../functions/core/engine';
import { explainAtRisk, pAliveReason } from '../../../functions/core/metrics/at-risk';
import type { ComputedMetrics } from '../../../functions/core/metrics/compute';
import type { AtRiskCustomer, Snapshot } from '../../../functions/core/snapshot';
import type { ExportFile } from '../../../functions/core/sources';
import { parsePeriodKey, toPeriodInfo } from '../../../functions/core/time/periods';
import { at, type Data, sub, withComputed } from './helpers';

// UTC ISO weeks of 2026: W07 = [9 Feb, 16 Feb), W08 = [16 Feb, 23 Feb) … W11 = [9 Mar,
// 16 Mar), W12 = [16 Mar, 23 Mar). The reported week is W12; with the default
// atRisk.trailingPeriods = 4 its trailing weeks are W08–W11, and the NPS window is
// [16 Feb, 23 Mar).
const WEEK_STARTS = [
  '2026-02-09',
  '2026-02-16',
  '2026-02-23',
  '2026-03-02',
  '2026-03-09',
  '2026-03-16',
];

/** `counts[w]` events of `user` in week W07 + w, on the Tuesday of that week, one a minute. */
function weekly(user: string, counts: readonly number[]): EventRow[] {
  return counts.flatMap((n, w) =>
    Array.from({ length: n }, (_, k) => ({
      user_id: user,
      occurred_at: at(`${WEEK_STARTS[w]}T00:00:00Z`) + 86_400_000 + k * 60_000,
      event_type: 'app_open',
      event_id: undefined,
      feature: undefined,
      page: undefined,
      session_id: undefined,
    })),
  );
}

const order = (id: string, customer: string, when: string, status?: string): OrderRow => ({
  order_id: id,
  customer_id: customer,
  ordered_at: at(when),
  amount: 10,
  currency: undefined,
  status,
});

const nps = (id: string, customer: string, when: string, score: number): SurveyResponseRow => ({
  response_id: id,
  responded_at: at(when),
  survey_type: 'nps',
  score,
  customer_id: customer,
  touchpoint: undefined,
  comment: undefined,
});

const ticket = (id: string, customer: string, created: string, resolved?: string): TicketRow => ({
  ticket_id: id,
  created_at: at(created),
  customer_id: customer,
  channel: undefined,
  first_response_at: undefined,
  resolved_at: resolved === undefined ? undefined : at(resolved),
});

//                      W07  W08 W09 W10 W11 W12
const EVENTS = [
  // a: trailing 8 a week (W07 is outside the window and must not count), 3 now:
  //    3 ≤ 8 × 0.5 and 3 < 8 (its lowest trailing week) → flagged, a fall of
  //    (8 − 3) / 8 = 62.5 %, shown as a whole −62 %.
  ...weekly('a', [100, 8, 8, 8, 8, 3]),
  // b: trailing 4, now 2 = exactly 50 % down → flagged.
  ...weekly('b', [0, 4, 4, 4, 4, 2]),
  // c: trailing average 2 < the minimum of 3 events a week → never flagged.
  ...weekly('c', [0, 2, 2, 2, 2, 0]),
  // d: trailing 4, now 3 > 2 → not flagged.
  ...weekly('d', [0, 4, 4, 4, 4, 3]),
  // e: 12 trailing events, average exactly 3 (the minimum), none now → −100 % (0 vs 3.0).
  ...weekly('e', [0, 3, 3, 3, 3, 0]),
  // x: average (6 + 0 + 6 + 6) / 4 = 4.5, none now: a 100 % drop, but x had a week of none
  //    in the window (W09), so none is within its own range → not flagged.
  ...weekly('x', [0, 6, 0, 6, 6, 0]),
  // y: average (10 + 4 + 10 + 10) / 4 = 8.5, 4 now ≤ 4.25, but 4 is not below its lowest
  //    trailing week (W09, 4) → not flagged.
  ...weekly('y', [0, 10, 4, 10, 10, 4]),
];

const ORDERS = [
  // f: a failed and a declined (any case) payment in W12 → "2 failed payments, last on 20 Mar".
  order('o1', 'f', '2026-03-17T10:00:00Z', 'failed'),
  order('o2', 'f', '2026-03-20T10:00:00Z', 'Declined'),
  // g: failed in W11 only; h: paid in W12 → neither is flagged in W12.
  order('o3', 'g', '2026-03-12T10:00:00Z', 'failed'),
  order('o4', 'h', '2026-03-18T10:00:00Z', 'paid'),
  // A quote in an id must not break the look-up of the model's list.
  order('o5', "o'hara", '2026-03-18T10:00:00Z', 'failed'),
];

const JAN = '2026-01-01T00:00:00Z';
const SUBSCRIPTIONS = [
  sub('sa', 'a', JAN, undefined, 29),
  // b: active without an mrr value: MRR 0 at risk, ranked last.
  sub('sb', 'b', JAN),
  // i: 99 until 18 Mar, then 49 → downgrade "MRR 99 → 49".
  sub('si1', 'i', JAN, '2026-03-18T00:00:00Z', 99),
  sub('si2', 'i', '2026-03-18T00:00:00Z', undefined, 49),
  // j: an upgrade 29 → 79 is no downgrade (and j has no other signal).
  sub('sj1', 'j', JAN, '2026-03-18T00:00:00Z', 29),
  sub('sj2', 'j', '2026-03-18T00:00:00Z', undefined, 79),
  // k: churned inside W12 (not active at the end): not a downgrade, not listed.
  sub('sk', 'k', JAN, '2026-03-19T00:00:00Z', 99),
  // l: 49.50 at the start; two subscriptions of 20 and 10.25 at the end → "MRR 49.50 → 30.25".
  sub('sl1', 'l', JAN, '2026-03-17T00:00:00Z', 49.5),
  sub('sl2', 'l', '2026-03-17T00:00:00Z', undefined, 20),
  sub('sl3', 'l', '2026-03-17T00:00:00Z', undefined, 10.25),
  sub('sm', 'm', JAN, undefined, 79),
  sub('so', 'o', JAN, undefined, 79),
  sub('ss', 's', JAN, undefined, 199),
];

const SURVEYS = [
  // m: NPS 3 in W12 → "NPS 3 on 2026-03-18".
  nps('r1', 'm', '2026-03-18T09:00:00Z', 3),
  // n: a 2 in W09, then a 9 in W11: the latest answer counts → not flagged.
  nps('r2', 'n', '2026-02-24T09:00:00Z', 2),
  nps('r3', 'n', '2026-03-10T09:00:00Z', 9),
  // o: a 6 (a detractor) in W08, inside the window → "NPS 6 on 2026-02-20".
  nps('r4', 'o', '2026-02-20T09:00:00Z', 6),
  // p: a 1 before the window (15 Feb); q: a passive 7 → neither is flagged.
  nps('r5', 'p', '2026-02-15T09:00:00Z', 1),
  nps('r6', 'q', '2026-03-18T09:00:00Z', 7),
  // r: a CSAT of 1 is not an NPS answer.
  { ...nps('r7', 'r', '2026-03-18T09:00:00Z', 1), survey_type: 'csat' as const },
];

const TICKETS = [
  // s: open since 10 Mar, and one of 20 Mar resolved only after the end (25 Mar) → 2 open;
  //    the oldest is 23 Mar − 10 Mar = 13 days old.
  ticket('t1', 's', '2026-03-10T00:00:00Z'),
  ticket('t2', 's', '2026-03-20T00:00:00Z', '2026-03-25T00:00:00Z'),
  // u: resolved on 5 Mar → closed; v: created exactly at the end → not before it.
  ticket('t3', 'u', '2026-03-01T00:00:00Z', '2026-03-05T00:00:00Z'),
  ticket('t4', 'v', '2026-03-23T00:00:00Z'),
  // w: open 1.5 days at the end → "1 open ticket, 1 day old".
  ticket('t5', 'w', '2026-03-21T12:00:00Z'),
  // m: a second signal for m, 10 hours old → "1 open ticket, 0 days old".
  ticket('t6', 'm', '2026-03-22T14:00:00Z'),
];

const DATA: Data = {
  events: [EVENTS],
  orders: [ORDERS],
  subscriptions: [SUBSCRIPTIONS],
  survey_responses: [SURVEYS],
  tickets: [TICKETS],
};

/** Computes W12 (and the periods asked for) and hands the open database to `inspect`. */
function compute<T>(
  inspect: (c: ComputedMetrics, index: (key: string) => number) => Promise<T>,
  options: { config?: ReportConfigInput; periods?: string[]; data?: Data } = {},
): Promise<T> {
  return withComputed(
    options.config ?? {},
    options.periods ?? ['2026-W12'],
    options.data ?? DATA,
    (computed) => inspect(computed, (key) => computed.plan.periods.findIndex((p) => p.key === key)),
  );
}

/** The reasons of every customer with a signal at the end of W12, as words. */
async function reasonsAtW12(ids: string[]): Promise<Record<string, string[]>> {
  return compute(async (c, index) => {
    const found = await c.atRisk.reasonsFor(index('2026-W12'), ids);
    return Object.fromEntries([...found].map(([id, r]) => [id, r.map((x) => x.detail)]));
  });
}

const EVERYONE = 'abcdefghijklmnopqrstuvw'.split('');

describe('at-risk signals', () => {
  it('flags an activity drop of at least 50 % against the customer’s own 4-week average', async () => {
    const reasons = await reasonsAtW12(['a', 'b', 'c', 'd', 'e', 'x', 'y']);
    expect(reasons).toEqual({
      a: ['activity −62 % vs its 4-period average (3 vs 8.0)'],
      b: ['activity −50 % vs its 4-period average (2 vs 4.0)'],
      e: ['activity −100 % vs its 4-period average (0 vs 3.0)'],
    });
  });

  it('follows the configured drop, window and minimum', async () => {
    // 2 trailing weeks (W10, W11), a 60 % drop, a minimum of 5 events a week:
    // a: average (8 + 8) / 2 = 8, 3 ≤ 8 × 0.4 = 3.2 → flagged, (8 − 3) / 8 = 62.5 % → −62 %;
    // b: average 4 < 5 → no; e: average (3 + 3) / 2 = 3 < 5 → no.
    const reasons = await compute(
      async (c, index) => {
        const found = await c.atRisk.reasonsFor(index('2026-W12'), ['a', 'b', 'e']);
        return Object.fromEntries([...found].map(([id, r]) => [id, r.map((x) => x.detail)]));
      },
      {
        config: { atRisk: { trailingPeriods: 2, activityDropPercent: 60, minTrailingEvents: 5 } },
      },
    );
    expect(reasons).toEqual({ a: ['activity −62 % vs its 2-period average (3 vs 8.0)'] });
  });

  it('flags failed or declined payments of the period, not paid ones or earlier ones', async () => {
    const reasons = await reasonsAtW12(['f', 'g', 'h', "o'hara"]);
    expect(reasons).toEqual({
      f: ['2 failed payments, last on 2026-03-20'],
      "o'hara": ['payment failed on 2026-03-18'],
    });
  });

  it('flags a lower MRR at the end than at the start, for customers still active', async () => {
    const reasons = await reasonsAtW12(['i', 'j', 'k', 'l']);
    expect(reasons).toEqual({ i: ['MRR 99 → 49'], l: ['MRR 49.50 → 30.25'] });
  });

  it('flags a latest NPS answer of 0–6 in the period or its trailing weeks', async () => {
    const reasons = await reasonsAtW12(['n', 'o', 'p', 'q', 'r']);
    expect(reasons).toEqual({ o: ['NPS 6 on 2026-02-20'] });
  });

  it('counts tickets created before the end and not resolved by it, with the oldest’s age', async () => {
    const reasons = await reasonsAtW12(['s', 'u', 'v', 'w']);
    expect(reasons).toEqual({
      s: ['2 open tickets, oldest 13 days'],
      w: ['1 open ticket, 1 day old'],
    });
  });

  it('lists every signal of a customer, in a fixed order', async () => {
    const reasons = await reasonsAtW12(['m']);
    expect(reasons).toEqual({ m: ['NPS 3 on 2026-03-18', '1 open ticket, 0 days old'] });
  });

  it('puts an event in the week of its local time when a boundary is not on the hour', async () => {
    // Prepare: Lord Howe Island leaves summer time (+11:00 → +10:30) on Sunday 5 April 2026,
    // so its week starts move by half an hour: W11 = 2026-03-08T13:00Z, W12 03-15, W13 03-22,
    // W14 03-29 (all 13:00Z), W15 = 04-05T13:30Z. z: 4 events at the first millisecond of
    // each of W11–W14, 6 at the last millisecond of W14, 1 at the first of W15. Trailing
    // (4 + 4 + 4 + 10) / 4 = 5.5, lowest 4, now 1 ≤ 2.75 → flagged, (5.5 − 1) / 5.5 = 81.8 %
    // → "−81 % (1 vs 5.5)". One millisecond off at 13:30Z, it reads 0 vs 5.8 or 7 vs 4.0.
    const starts = ['2026-03-08T13:00', '2026-03-15T13:00', '2026-03-22T13:00', '2026-03-29T13:00'];
    const w15 = at('2026-04-05T13:30:00Z');
    const event = (t: number): EventRow => ({
      user_id: 'z',
      occurred_at: t,
      event_type: 'app_open',
      event_id: undefined,
      feature: undefined,
      page: undefined,
      session_id: undefined,
    });
    const rows = [
      ...starts.flatMap((start) => Array.from({ length: 4 }, () => event(at(`${start}:00Z`)))),
      ...Array.from({ length: 6 }, () => event(w15 - 1)),
      event(w15),
    ];

    // Act
    const found = await compute(
      async (c, index) => (await c.atRisk.reasonsFor(index('2026-W15'), ['z'])).get('z'),
      {
        config: { timezone: 'Australia/Lord_Howe' },
        periods: ['2026-W15'],
        data: { events: [rows] },
      },
    );

    // Assess
    expect(found?.map((r) => r.detail)).toEqual([
      'activity −81 % vs its 4-period average (1 vs 5.5)',
    ]);
  });

  it('does not count open tickets when no ticket has a resolved_at', async () => {
    // Without resolutions in the export every ticket would look open: the signal is off.
    const data: Data = { tickets: [TICKETS.map((t) => ({ ...t, resolved_at: undefined }))] };
    const found = await compute(
      async (c, index) => c.atRisk.reasonsFor(index('2026-W12'), EVERYONE),
      { data },
    );
    expect(found.size).toBe(0);
  });
});

describe('at_risk_subscribers', () => {
  it('lists active subscribers with a signal, most MRR first, then most signals', async () => {
    // Active at the end with a signal: s 199 (tickets), m 79 (NPS + ticket: 2 signals, before
    // o), o 79 (NPS), i 49 (downgrade), l 30.25 (downgrade), a 29 (activity), b 0 (activity).
    // Not listed: j (active, no signal), k (churned), f and e (a signal, no subscription).
    const { list, count } = await compute(async (c, index) => {
      const i = index('2026-W12');
      return { list: c.atRisk.period(i).list, count: c.metrics[0]?.at_risk_subscribers };
    });
    expect(list.map((s) => [s.customerId, s.mrr])).toEqual([
      ['s', 199],
      ['m', 79],
      ['o', 79],
      ['i', 49],
      ['l', 30.25],
      ['a', 29],
      ['b', 0],
    ]);
    expect(list[1]?.reasons).toEqual([
      { kind: 'low_nps', detail: 'NPS 3 on 2026-03-18' },
      { kind: 'open_tickets', detail: '1 open ticket, 0 days old' },
    ]);
    expect(count?.value).toBe(7);
  });

  it('keeps atRisk.listSize subscribers in the list and counts them all', async () => {
    const { list, count } = await compute(
      async (c) => ({ list: c.atRisk.period(0).list, count: c.metrics[0]?.at_risk_subscribers }),
      { config: { atRisk: { listSize: 3 } } },
    );
    expect(list.map((s) => s.customerId)).toEqual(['s', 'm', 'o']);
    expect(count?.value).toBe(7);
  });

  it('still counts with a list of size 0', async () => {
    const { list, count } = await compute(
      async (c) => ({ list: c.atRisk.period(0).list, count: c.metrics[0]?.at_risk_subscribers }),
      { config: { atRisk: { listSize: 0 } } },
    );
    expect(list).toEqual([]);
    expect(count?.value).toBe(7);
  });

  it('compares the trailing average with a fractional minimum exactly', async () => {
    // c averages 2 events a week: at a minimum of 2 it flags (0 ≤ 2 × 0.5), at 2.5 not.
    const cAt = (minTrailingEvents: number) =>
      compute(async (c) => (await c.atRisk.reasonsFor(0, ['c'])).get('c')?.[0]?.detail, {
        config: { atRisk: { minTrailingEvents } },
      });
    expect(await cAt(2)).toBe('activity −100 % vs its 4-period average (0 vs 2.0)');
    expect(await cAt(2.5)).toBeUndefined();
  });

  it('counts each period on its own', async () => {
    // W11 = [9 Mar, 16 Mar), trailing W07–W10, NPS window [9 Feb, 16 Mar). Subscribers:
    // s, whose ticket of 10 Mar is open at 16 Mar (6 days old); o, whose 6 of 20 Feb is in
    // the window. a has 8 events vs (100 + 8 + 8 + 8) / 4 = 31, 74.2 % down, but 8 is its
    // usual week (not below its lowest trailing week, 8): one spike does not make a drop.
    // No downgrade or failed payment of a subscriber yet; p's 1 of 15 Feb is in the
    // window but p has no subscription; e has 3 vs (0 + 3 + 3 + 3) / 4 = 2.25 < 3.
    const { w11, w12 } = await compute(
      async (c, index) => ({
        w11: c.atRisk
          .period(index('2026-W11'))
          .list.map((s) => [s.customerId, s.reasons.map((r) => r.detail)]),
        w12: c.atRisk.period(index('2026-W12')).subscribers,
      }),
      { periods: ['2026-W11', '2026-W12'] },
    );
    expect(w11).toEqual([
      ['s', ['1 open ticket, 6 days old']],
      ['o', ['NPS 6 on 2026-02-20']],
    ]);
    expect(w12).toBe(7);
  });

  it('is null in orders mode, where the purchase model finds customers at risk', async () => {
    const mv = await compute(async (c) => c.metrics[0]?.at_risk_subscribers, {
      config: { activity: { mode: 'orders' } },
    });
    expect(mv?.value).toBeNull();
    expect(mv?.reason).toContain('activity.mode is "orders"');
  });

  it('is null without a subscriptions export', async () => {
    const mv = await compute(async (c) => c.metrics[0]?.at_risk_subscribers, {
      config: { activity: { mode: 'subscriptions' } },
      data: { orders: [ORDERS] },
    });
    expect(mv?.value).toBeNull();
    expect(mv?.reason).toBe('no subscriptions export');
  });
});

describe('at-risk settings compared exactly', () => {
  /** `counts[w]` events of `user` in the weeks ending with W12 (the last count is W12's). */
  const weeksToW12 = (user: string, counts: readonly number[]): EventRow[] =>
    counts.flatMap((n, w) =>
      Array.from({ length: n }, (_, k) => ({
        user_id: user,
        occurred_at:
          at('2026-03-17T00:00:00Z') - (counts.length - 1 - w) * 7 * 86_400_000 + k * 60_000,
        event_type: 'app_open',
        event_id: undefined,
        feature: undefined,
        page: undefined,
        session_id: undefined,
      })),
    );
  const detailOf = (events: EventRow[], atRisk: ReportConfigInput['atRisk']) =>
    compute(async (c) => (await c.atRisk.reasonsFor(0, ['h'])).get('h')?.[0]?.detail, {
      config: { atRisk },
      data: { events: [events] },
    });

  it('flags a drop of exactly a fractional activityDropPercent', async () => {
    // a = 250, n = 89: 250 × (1 − 0.644) = 89 exactly, so 89 ≤ 89 flags (and 89 < 250);
    // (250 − 89) / 250 = 64.4 % → −64 %. In doubles 100 − 64.4 = 35.599999999999994 and
    // 89 × 100 × 4 = 35,600 > 250 × 4 × 35.5999… would miss it.
    const h = weeksToW12('h', [250, 250, 250, 250, 89]);
    expect(await detailOf(h, { activityDropPercent: 64.4 })).toBe(
      'activity −64 % vs its 4-period average (89 vs 250.0)',
    );
    // One event more is no longer a 64.4 % drop.
    expect(
      await detailOf(weeksToW12('h', [250, 250, 250, 250, 90]), { activityDropPercent: 64.4 }),
    ).toBeUndefined();
  });

  it('flags an average of exactly a fractional minTrailingEvents', async () => {
    // 25 trailing weeks: 20 of 2 events and 5 of 3 = 55 = 2.2 × 25, none now: a = 2.2 is
    // the minimum (2.2 × 25 is 55.00000000000001 in doubles). With 54 events it is not.
    const counts = [...Array(20).fill(2), ...Array(5).fill(3), 0];
    const settings = { trailingPeriods: 25, minTrailingEvents: 2.2 };
    expect(await detailOf(weeksToW12('h', counts), settings)).toBe(
      'activity −100 % vs its 25-period average (0 vs 2.2)',
    );
    const fewer = [...Array(21).fill(2), ...Array(4).fill(3), 0]; // 54 events, a = 2.16
    expect(await detailOf(weeksToW12('h', fewer), settings)).toBeUndefined();
  });

  it('shows the average to one decimal, half up, from the whole numbers', async () => {
    // 20 trailing weeks: 17 of 1 event and 3 of 2 = 23, a = 1.15 exactly → 1.2 (the double
    // 1.15 is 1.149999…, which toFixed(1) shows as 1.1); none now → −100 %.
    const counts = [...Array(17).fill(1), ...Array(3).fill(2), 0];
    expect(
      await detailOf(weeksToW12('h', counts), { trailingPeriods: 20, minTrailingEvents: 1 }),
    ).toBe('activity −100 % vs its 20-period average (0 vs 1.2)');
  });

  it('refuses settings with more than 6 decimal places', () => {
    expect(() => parseConfig({ atRisk: { activityDropPercent: 64.4444444 } })).toThrow(
      /activityDropPercent.*must have at most 6 decimal places/s,
    );
    expect(() => parseConfig({ atRisk: { minTrailingEvents: 1e-7 } })).toThrow(
      /minTrailingEvents.*must have at most 6 decimal places/s,
    );
    expect(parseConfig({ atRisk: { activityDropPercent: 64.444444 } }).atRisk).toMatchObject({
      activityDropPercent: 64.444444,
    });
  });
});

describe('at_risk_subscribers without any signal to look at', () => {
  it('is null with a reason when no signal has its input', async () => {
    // Subscriptions without mrr, and nothing else: no signal can be raised.
    const mv = await compute(async (c) => c.metrics[0]?.at_risk_subscribers, {
      data: { subscriptions: [[sub('s1', 'a', JAN), sub('s2', 'b', JAN)]] },
    });
    expect(mv?.value).toBeNull();
    expect(mv?.reason).toBe(
      'no at-risk signal can be evaluated: no events, no order with a status, no subscription with an mrr, no NPS answer with a customer_id, no ticket with a customer_id and a resolved_at in the export',
    );
  });

  it('counts 0 once one signal has its input', async () => {
    // The same subscribers, one with an mrr (the downgrade signal can be looked at): 0.
    const mv = await compute(async (c) => c.metrics[0]?.at_risk_subscribers, {
      data: { subscriptions: [[sub('s1', 'a', JAN, undefined, 29), sub('s2', 'b', JAN)]] },
    });
    expect(mv?.value).toBe(0);
    // Tickets without any resolved_at do not count as an input (no ticket is open then).
    const tickets = await compute(async (c) => c.metrics[0]?.at_risk_subscribers, {
      data: {
        subscriptions: [[sub('s1', 'a', JAN)]],
        tickets: [[ticket('t1', 'a', '2026-03-10T00:00:00Z')]],
      },
    });
    expect(tickets?.value).toBeNull();
  });
});

describe('explainAtRisk', () => {
  const modelCustomer = (customerId: string, pAlive: number): AtRiskCustomer => ({
    customerId,
    pAlive,
    historicValue: 100,
    expectedValueLost: 100 * (1 - pAlive),
    lastPurchase: '2026-01-10',
  });

  it('gives the model’s customers P(alive) and their other signals as reasons', async () => {
    const snapshot = await compute(async (c) => {
      const s = {
        period: toPeriodInfo(parsePeriodKey('2026-W12', 'UTC')),
        atRisk: [
          modelCustomer('f', 0.314),
          modelCustomer('zz', 0.2),
          modelCustomer("o'hara", 0.456),
        ],
      } as Snapshot;
      await explainAtRisk(s, c, 0);
      return s;
    });
    // 0.314 → 31 %, 0.456 → 46 %; zz has no other signal.
    expect(snapshot.atRisk?.map((c) => c.reasons)).toEqual([
      [
        { kind: 'p_alive', detail: 'P(alive) 31 %' },
        { kind: 'failed_payment', detail: '2 failed payments, last on 2026-03-20' },
      ],
      [{ kind: 'p_alive', detail: 'P(alive) 20 %' }],
      [
        { kind: 'p_alive', detail: 'P(alive) 46 %' },
        { kind: 'failed_payment', detail: 'payment failed on 2026-03-18' },
      ],
    ]);
    // Subscriptions mode: the subscribers at risk are on the snapshot too.
    expect(snapshot.atRiskSubscribers?.map((s) => s.customerId)).toEqual([
      's',
      'm',
      'o',
      'i',
      'l',
      'a',
      'b',
    ]);
  });

  it('adds no subscriber list in orders mode', async () => {
    const snapshot = await compute(
      async (c) => {
        const s = { period: toPeriodInfo(parsePeriodKey('2026-W12', 'UTC')) } as Snapshot;
        await explainAtRisk(s, c, 0);
        return s;
      },
      { config: { activity: { mode: 'orders' } } },
    );
    expect(snapshot.atRiskSubscribers).toBeUndefined();
  });

  it('rounds P(alive) to a whole percent', () => {
    expect(pAliveReason(0.005)).toEqual({ kind: 'p_alive', detail: 'P(alive) 1 %' });
    expect(pAliveReason(0.3149)).toEqual({ kind: 'p_alive', detail: 'P(alive) 31 %' });
  });
});

describe('at-risk signals from export files', () => {
  const file = (dataset: ExportFile['dataset'], key: string, body: string): ExportFile => ({
    dataset,
    key,
    open: async () => Readable.from(Buffer.from(body, 'utf8')),
  });

  it('reads orders.status and tickets.resolved_at into the engine’s tables', async () => {
    // x: subscribed (50), a declined payment on 18 Mar and a ticket open since 20 Mar
    // (resolved after the end); y: subscribed, its ticket resolved inside W12 → no signal.
    const { snapshots } = await computeSnapshots({
      files: [
        file(
          'subscriptions',
          'subscriptions/a.csv',
          'subscription_id,customer_id,started_at,mrr\nsx,x,2026-01-01T00:00:00Z,50\nsy,y,2026-01-01T00:00:00Z,40\n',
        ),
        file(
          'orders',
          'orders/a.csv',
          'order_id,customer_id,ordered_at,amount,status\no1,x,2026-03-18T10:00:00Z,50,declined\n',
        ),
        file(
          'tickets',
          'tickets/a.csv',
          'ticket_id,created_at,customer_id,resolved_at\nt1,2026-03-20T00:00:00Z,x,2026-03-24T00:00:00Z\nt2,2026-03-19T00:00:00Z,y,2026-03-20T00:00:00Z\n',
        ),
      ],
      config: parseConfig({}),
      periods: [parsePeriodKey('2026-W12', 'UTC')],
      onReject: () => {},
    });
    const s = snapshots[0];
    expect(s?.metrics.at_risk_subscribers?.value).toBe(1);
    expect(s?.atRiskSubscribers).toEqual([
      {
        customerId: 'x',
        mrr: 50,
        reasons: [
          { kind: 'failed_payment', detail: 'payment failed on 2026-03-18' },
          { kind: 'open_tickets', detail: '1 open ticket, 3 days old' },
        ],
      },
    ]);
  });
});
