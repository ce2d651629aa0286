/**
 * Cross-dataset consistency (METRICS.md "Data quality") on hand-made rows: each check's
 * count, distinct ids and examples per period, and that the rows found still count in the
 * metrics. Expected values are worked out by hand in the comments.
 */
import { describe, expect, it } from 'vitest';
import type { OrderRow, TicketRow } from '../../../functions/core/datasets/rows';
import type { ConsistencyIssue } from '../../../functions/core/snapshot';
import { customer, type Data, event, session, spend, sub, survey, withComputed } from './helpers';

// UTC ISO weeks of 2026: W11 = [9 Mar, 16 Mar), W12 = [16 Mar, 23 Mar).
const order = (id: string, customerId: string, when: string, status?: string): OrderRow => ({
  order_id: id,
  customer_id: customerId,
  ordered_at: Date.parse(when),
  amount: 10,
  currency: undefined,
  status,
});

const ticket = (id: string, customerId: string | undefined, when: string): TicketRow => ({
  ticket_id: id,
  created_at: Date.parse(when),
  customer_id: customerId,
  channel: undefined,
  first_response_at: undefined,
  resolved_at: undefined,
});

const answer = (id: string, customerId: string, when: string) => ({
  ...survey(id, when, 'nps', 9),
  customer_id: customerId,
});

const DATA: Data = {
  customers: [
    [
      customer('c1', '2026-01-01T00:00:00Z', { channel: 'paid_search' }),
      // c2 signed up on 19 Mar, after its order of 17 Mar.
      customer('c2', '2026-03-19T00:00:00Z', { channel: 'paid_search' }),
      // Created in W12 from channels without any spend row, podcast (c3, c4) and tiktok
      // (c5); only c4 subscribes, so only c4 is a new customer that the CAC counts.
      customer('c3', '2026-03-17T00:00:00Z', { channel: 'podcast' }),
      // c4 signed up on 18 Mar, after its subscription of 16 Mar.
      customer('c4', '2026-03-18T00:00:00Z', { channel: 'podcast' }),
      customer('c5', '2026-03-20T00:00:00Z', { channel: 'tiktok' }),
      customer('c6', '2026-03-20T00:00:00Z'),
    ],
  ],
  marketing_spend: [[spend('2026-03-16', 'paid_search', 100), spend('2026-01-05', 'organic', 50)]],
  orders: [
    [
      order('o1', 'c1', '2026-03-16T10:00:00Z', 'paid'),
      // Unknown customers in W12: x9 twice, x8, x10 → 4 rows, 3 ids; examples in string
      // order: x10 < x8 < x9.
      order('o2', 'x9', '2026-03-17T10:00:00Z'),
      order('o3', 'x9', '2026-03-18T10:00:00Z'),
      order('o4', 'x8', '2026-03-18T10:00:00Z'),
      order('o8', 'x10', '2026-03-19T10:00:00Z'),
      order('o5', 'c2', '2026-03-17T10:00:00Z'),
      order('o6', 'c1', '2026-03-20T10:00:00Z', 'FAILED'),
      // W11: an unknown customer of that week only.
      order('o7', 'x7', '2026-03-12T10:00:00Z'),
    ],
  ],
  subscriptions: [
    [
      sub('s1', 'c1', '2026-01-01T00:00:00Z'),
      // x9: overlaps W11 and W12 (ends 17 Mar) → unknown in both.
      sub('s2', 'x9', '2026-01-01T00:00:00Z', '2026-03-17T00:00:00Z'),
      // x6: ended 10 Mar → in W11 only.
      sub('s3', 'x6', '2026-01-01T00:00:00Z', '2026-03-10T00:00:00Z'),
      sub('s4', 'c4', '2026-03-16T00:00:00Z'),
      // x5: starts at the end of W12 → in neither week.
      sub('s5', 'x5', '2026-03-23T00:00:00Z'),
    ],
  ],
  tickets: [
    [
      ticket('t1', 'c1', '2026-03-17T10:00:00Z'),
      ticket('t2', 'x1', '2026-03-17T10:00:00Z'),
      ticket('t3', undefined, '2026-03-17T10:00:00Z'),
    ],
  ],
  survey_responses: [
    [
      answer('r1', 'c1', '2026-03-17T10:00:00Z'),
      answer('r2', 'x2', '2026-03-17T10:00:00Z'),
      answer('r3', 'x2', '2026-03-18T10:00:00Z'),
    ],
  ],
  events: [
    [
      event('c1', '2026-03-17T10:00:00Z'),
      event('visitor-1', '2026-03-17T10:00:00Z'),
      event('visitor-1', '2026-03-17T11:00:00Z'),
      event('visitor-2', '2026-03-18T10:00:00Z'),
    ],
  ],
  sessions: [[session('se1', 'visitor-3', '2026-03-17T10:00:00Z', 60, 2)]],
};

function findings(data: Data = DATA, periods = ['2026-W11', '2026-W12']) {
  return withComputed({}, periods, data, (c) => ({
    consistency: c.consistency,
    metrics: c.metrics,
  }));
}

const find = (list: ConsistencyIssue[] | undefined, check: string, dataset: string) =>
  list?.find((f) => f.check === check && f.dataset === dataset);

describe('consistency checks', async () => {
  const { consistency, metrics } = await findings();
  const w11 = consistency[0];
  const w12 = consistency[1];

  it('counts orders, subscriptions, tickets and answers of unknown customers', () => {
    expect(find(w12, 'unknown_customer', 'orders')).toEqual({
      check: 'unknown_customer',
      dataset: 'orders',
      count: 4,
      ids: 3,
      examples: ['x10', 'x8', 'x9'],
    });
    // s2 (x9) overlaps W12; s3 ended before it; s5 starts at its end.
    expect(find(w12, 'unknown_customer', 'subscriptions')).toMatchObject({
      count: 1,
      ids: 1,
      examples: ['x9'],
    });
    // t3 has no customer: not an unknown one.
    expect(find(w12, 'unknown_customer', 'tickets')).toMatchObject({ count: 1, examples: ['x1'] });
    expect(find(w12, 'unknown_customer', 'survey_responses')).toMatchObject({
      count: 2,
      ids: 1,
      examples: ['x2'],
    });
  });

  it('counts each period on its own', () => {
    expect(find(w11, 'unknown_customer', 'orders')).toMatchObject({ count: 1, examples: ['x7'] });
    // W11: s2 (x9) and s3 (x6, ended 10 Mar) both overlap it.
    expect(find(w11, 'unknown_customer', 'subscriptions')).toMatchObject({
      count: 2,
      ids: 2,
      examples: ['x6', 'x9'],
    });
    expect(find(w11, 'user_not_customer', 'events')).toBeUndefined();
  });

  it('counts events and sessions of users that are not customers', () => {
    expect(find(w12, 'user_not_customer', 'events')).toMatchObject({
      count: 3,
      ids: 2,
      examples: ['visitor-1', 'visitor-2'],
    });
    expect(find(w12, 'user_not_customer', 'sessions')).toMatchObject({
      count: 1,
      examples: ['visitor-3'],
    });
  });

  it('counts orders and subscriptions dated before their customer signed up', () => {
    expect(find(w12, 'before_signup', 'orders')).toMatchObject({ count: 1, examples: ['c2'] });
    expect(find(w12, 'before_signup', 'subscriptions')).toMatchObject({
      count: 1,
      examples: ['c4'],
    });
  });

  it('counts failed payments that revenue still counts, and keeps them in revenue', () => {
    expect(find(w12, 'failed_order_in_revenue', 'orders')).toMatchObject({
      count: 1,
      examples: ['c1'],
    });
    // Revenue of W12: o1–o6, o8 — seven orders of 10, the failed one and the unknown
    // customers' included = 70.
    expect(metrics[1]?.revenue?.value).toBe(70);
    expect(metrics[1]?.orders?.value).toBe(7);
  });

  it('counts new customers from channels without any marketing spend', () => {
    // The new customers of W12 (acquired in it: c4, subscribed 16 Mar); c4's podcast has no
    // spend. c3 and c5 signed up but never subscribed: no customer of the CAC (c1 and x9
    // were acquired before; c6 has no customers row channel, c2 no subscription).
    expect(find(w12, 'channel_without_spend', 'customers')).toMatchObject({
      count: 1,
      ids: 1,
      examples: ['podcast'],
    });
  });

  it('looks at the customers the CAC counts: acquired in the period, not signed up', async () => {
    // p signs up on 3 Mar (W10) from podcast, which has no spend, and subscribes on 10 Mar
    // (W11); q (ads, with spend) subscribes on 3 Mar. W10's CAC counts q alone, W11's p.
    const { consistency: found, metrics: m } = await findings(
      {
        customers: [
          [
            customer('p', '2026-03-03T00:00:00Z', { channel: 'podcast' }),
            customer('q', '2026-03-03T00:00:00Z', { channel: 'ads' }),
          ],
        ],
        subscriptions: [
          [sub('sp', 'p', '2026-03-10T00:00:00Z'), sub('sq', 'q', '2026-03-03T00:00:00Z')],
        ],
        marketing_spend: [[spend('2026-03-02', 'ads', 100), spend('2026-03-09', 'ads', 100)]],
      },
      ['2026-W10', '2026-W11'],
    );
    expect(find(found[0], 'channel_without_spend', 'customers')).toBeUndefined();
    expect(find(found[1], 'channel_without_spend', 'customers')).toMatchObject({
      count: 1,
      ids: 1,
      examples: ['podcast'],
    });
    // p is in W11's blended CAC (100 / 1), as the line says.
    expect(m[1]?.cac?.value).toBe(100);
  });

  it('leaves out zero-length subscriptions, which feed neither the base nor MRR', async () => {
    // x9 (no customers row) and c3 (signed up 17 Mar) each have a subscription that starts
    // and ends at the same instant in W12: neither is "kept in the customer base and MRR".
    const { consistency: found } = await findings(
      {
        customers: [[customer('c3', '2026-03-17T00:00:00Z')]],
        subscriptions: [
          [
            sub('z1', 'x9', '2026-03-18T00:00:00Z', '2026-03-18T00:00:00Z'),
            sub('z2', 'c3', '2026-03-16T12:00:00Z', '2026-03-16T12:00:00Z'),
          ],
        ],
      },
      ['2026-W12'],
    );
    expect(found[0]).toEqual([]);
  });

  it('runs no CAC check without a customer base', async () => {
    // Customers from a channel without spend, but no subscriptions (the default mode's
    // base): there is no CAC to explain.
    const { consistency: found } = await findings(
      {
        customers: [[customer('p', '2026-03-10T00:00:00Z', { channel: 'podcast' })]],
        marketing_spend: [[spend('2026-03-09', 'ads', 100)]],
        subscriptions: [[]],
      },
      ['2026-W11'],
    );
    expect(found[0]?.map((f) => f.check)).toEqual([]);
  });

  it('lists the findings in a fixed order', () => {
    expect(w12?.map((f) => `${f.check}:${f.dataset}`)).toEqual([
      'unknown_customer:orders',
      'unknown_customer:subscriptions',
      'unknown_customer:tickets',
      'unknown_customer:survey_responses',
      'user_not_customer:events',
      'user_not_customer:sessions',
      'before_signup:orders',
      'before_signup:subscriptions',
      'failed_order_in_revenue:orders',
      'channel_without_spend:customers',
    ]);
  });

  it('runs no customer check without a customers export', async () => {
    const { customers: _, marketing_spend: __, ...rest } = DATA;
    const { consistency: without } = await findings(rest, ['2026-W12']);
    expect(without[0]?.map((f) => f.check)).toEqual(['failed_order_in_revenue']);
  });
});
