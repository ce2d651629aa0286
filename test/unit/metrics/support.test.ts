/**
 * Support metrics (METRICS.md "Support"): `ticket_volume` (also per channel),
 * `tickets_per_100_customers`, `first_response_time_p50`, on hand-made tickets; expected
 * values worked out in the comments.
 */
import { describe, expect, it } from 'vitest';
import { metric, reasonOf, run, sub, ticket, valueIn } from './helpers';

// UTC ISO weeks of 2026: W10 = [2 Mar, 9 Mar), W11 = [9 Mar, 16 Mar), W12 = [16 Mar, 23 Mar).
const TICKETS = [
  // W10 — response minutes 30, 5, 120, 1440; t4 has no response.
  ticket('t1', '2026-03-02T00:00:00Z', { channel: 'email', firstResponse: '2026-03-02T00:30:00Z' }),
  ticket('t2', '2026-03-03T10:00:00Z', { channel: 'chat', firstResponse: '2026-03-03T10:05:00Z' }),
  ticket('t3', '2026-03-04T10:00:00Z', { channel: 'email', firstResponse: '2026-03-04T12:00:00Z' }),
  ticket('t4', '2026-03-05T10:00:00Z'),
  ticket('t5', '2026-03-06T10:00:00Z', { channel: 'chat', firstResponse: '2026-03-07T10:00:00Z' }),
  // W11 — on W10's end; response minutes 10, 40, 20.
  ticket('t6', '2026-03-09T00:00:00Z', { channel: 'email', firstResponse: '2026-03-09T00:10:00Z' }),
  ticket('t7', '2026-03-10T00:00:00Z', { channel: 'email', firstResponse: '2026-03-10T00:40:00Z' }),
  // Created in W11, answered in W12: counts in W11, where it was created.
  ticket('t8', '2026-03-15T23:50:00Z', { channel: 'phone', firstResponse: '2026-03-16T00:10:00Z' }),
];

// Four customers active throughout (E = 4 at every end).
const SUBSCRIPTIONS = ['a', 'b', 'c', 'd'].map((id) => sub(`s${id}`, id, '2026-01-01T00:00:00Z'));

const PERIODS = ['2026-W10', '2026-W11', '2026-W12'];

describe('support metrics', async () => {
  const result = await run({
    periods: PERIODS,
    data: { tickets: [TICKETS], subscriptions: [SUBSCRIPTIONS] },
  });

  describe('ticket_volume', async () => {
    it('counts tickets created in [start, end)', () => {
      expect(valueIn(result, '2026-W10', 'ticket_volume')).toBe(5);
      expect(valueIn(result, '2026-W11', 'ticket_volume')).toBe(3);
      expect(valueIn(result, '2026-W12', 'ticket_volume')).toBe(0);
    });

    it('breaks the volume down by channel, "unknown" for tickets without one', async () => {
      expect(metric(result, '2026-W10', 'ticket_volume').breakdown).toEqual({
        chat: 2,
        email: 2,
        unknown: 1,
      });
      expect(metric(result, '2026-W11', 'ticket_volume').breakdown).toEqual({ email: 2, phone: 1 });
      expect(metric(result, '2026-W12', 'ticket_volume').breakdown).toEqual({});
    });
  });

  describe('tickets_per_100_customers', async () => {
    it('is ticket_volume / customers at the end × 100', async () => {
      // W10: 5 / 4 × 100 = 125; W11: 3 / 4 × 100 = 75; W12: 0.
      expect(valueIn(result, '2026-W10', 'tickets_per_100_customers')).toBe(125);
      expect(valueIn(result, '2026-W11', 'tickets_per_100_customers')).toBe(75);
      expect(valueIn(result, '2026-W12', 'tickets_per_100_customers')).toBe(0);
    });

    it('is null with a reason without a customer base, or with nobody active at the end', async () => {
      const noBase = await run({ periods: ['2026-W10'], data: { tickets: [TICKETS] } });
      expect(reasonOf(noBase, '2026-W10', 'tickets_per_100_customers')).toBe(
        'no subscriptions or orders export',
      );
      expect(valueIn(noBase, '2026-W10', 'ticket_volume')).toBe(5);
      const nobody = await run({
        periods: ['2026-W10'],
        data: {
          tickets: [TICKETS],
          subscriptions: [[sub('s', 'x', '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z')]],
        },
      });
      expect(reasonOf(nobody, '2026-W10', 'tickets_per_100_customers')).toBe(
        'no customers active at the end of the period (division by zero)',
      );
    });
  });

  describe('first_response_time_p50', async () => {
    it('is the median of minutes to first response over answered tickets of the period', async () => {
      // W10: 5, 30, 120, 1440 (t4 unanswered is left out) → (30 + 120) / 2 = 75.
      expect(valueIn(result, '2026-W10', 'first_response_time_p50')).toBe(75);
      // W11: 10, 20, 40 → 20.
      expect(valueIn(result, '2026-W11', 'first_response_time_p50')).toBe(20);
    });

    it('is null with a reason when no ticket of the period was answered', async () => {
      expect(reasonOf(result, '2026-W12', 'first_response_time_p50')).toBe(
        'no ticket created in the period has a first response',
      );
    });
  });

  it('keeps the last row of a ticket id exported twice (a later export adds the response)', async () => {
    const result = await run({
      periods: ['2026-W10'],
      data: {
        tickets: [
          TICKETS,
          [
            ticket('t4', '2026-03-05T10:00:00Z', {
              channel: 'web',
              firstResponse: '2026-03-05T11:00:00Z',
            }),
          ],
        ],
      },
    });
    // Still 5 tickets; t4 now web with 60 min: 5, 30, 60, 120, 1440 → 60.
    expect(valueIn(result, '2026-W10', 'ticket_volume')).toBe(5);
    expect(metric(result, '2026-W10', 'ticket_volume').breakdown).toEqual({
      chat: 2,
      email: 2,
      web: 1,
    });
    expect(valueIn(result, '2026-W10', 'first_response_time_p50')).toBe(60);
  });

  it('is null with a reason without a tickets export, or with an empty one', async () => {
    const ids = ['ticket_volume', 'tickets_per_100_customers', 'first_response_time_p50'];
    const absent = await run({ periods: ['2026-W10'], data: { subscriptions: [SUBSCRIPTIONS] } });
    const empty = await run({
      periods: ['2026-W10'],
      data: { subscriptions: [SUBSCRIPTIONS], tickets: [[]] },
    });
    for (const id of ids) {
      expect(reasonOf(absent, '2026-W10', id)).toBe('no tickets export');
      expect(reasonOf(empty, '2026-W10', id)).toBe('the tickets export has no accepted rows');
    }
  });

  it('places tickets in the report time zone and measures responses in elapsed time', async () => {
    // America/New_York: W10 = [2 Mar 00:00 EST, 9 Mar 00:00 EDT); clocks jump from 02:00
    // to 03:00 on 8 Mar.
    const rows = [
      // 01:30 EST (06:30Z) → 03:30 EDT (07:30Z): the wall clock says 2 h, 60 min elapsed.
      ticket('n1', '2026-03-08T01:30:00-05:00', { firstResponse: '2026-03-08T03:30:00-04:00' }),
      // 8 Mar 23:30 EDT = 9 Mar 03:30Z: New York's W10 (UTC's W11). 90 min.
      ticket('n2', '2026-03-08T23:30:00-04:00', { firstResponse: '2026-03-09T01:00:00-04:00' }),
      // 1 Mar 23:00 EST = 2 Mar 04:00Z: New York's W09 (UTC's W10). 1000 min.
      ticket('n3', '2026-03-01T23:00:00-05:00', { firstResponse: '2026-03-02T15:40:00-05:00' }),
    ];
    const ny = await run({
      config: { timezone: 'America/New_York' },
      periods: ['2026-W10'],
      data: { tickets: [rows] },
    });
    // n1, n2: 2 tickets; median of 60, 90 = 75.
    expect(valueIn(ny, '2026-W10', 'ticket_volume')).toBe(2);
    expect(valueIn(ny, '2026-W10', 'first_response_time_p50')).toBe(75);
    // UTC W10 holds n1 and n3: median of 60, 1000 = 530.
    const utc = await run({ periods: ['2026-W10'], data: { tickets: [rows] } });
    expect(valueIn(utc, '2026-W10', 'first_response_time_p50')).toBe(530);
  });
});
