/**
 * The row rules of DATASETS.md: each test puts one row that breaks a rule between good rows
 * and checks that exactly that row is rejected, with its line, the column at fault and a
 * reason a user can act on, while the rows around it are still accepted.
 */
import { describe, expect, it } from 'vitest';
import { at, readCsv } from './helpers';

describe('row rules', () => {
  it('rejects an unparseable timestamp', async () => {
    // Prepare: line 1 is the header, so the data rows are lines 2–4.
    const lines = [
      'user_id,occurred_at,event_type',
      'u1,2026-11-02T09:30:00Z,login',
      'u2,02/11/2026 09:30,login',
      'u3,2026-11-02,login',
    ];

    // Act
    const { rows, rejects, stats } = await readCsv('events', lines);

    // Assess
    expect(rows.map((r) => [r.line, r.row.user_id])).toEqual([
      [2, 'u1'],
      [4, 'u3'],
    ]);
    // A bare date is local midnight in the report zone: Berlin is UTC+1 in November.
    expect(rows[1]?.row.occurred_at).toBe(at('2026-11-01T23:00:00Z'));
    expect(rejects).toHaveLength(1);
    expect(rejects[0]).toMatchObject({
      dataset: 'events',
      file: 'exports/events/test.csv',
      line: 3,
      column: 'occurred_at',
      record: { user_id: 'u2', occurred_at: '02/11/2026 09:30', event_type: 'login' },
    });
    expect(rejects[0]?.reason).toBe(
      '"02/11/2026 09:30" is not a valid date or time (expected ISO 8601 such as 2026-11-02 or 2026-11-02T09:30:00Z)',
    );
    expect(stats).toMatchObject({ rowsRead: 3, rowsAccepted: 2, rowsRejected: 1 });
  });

  it('rejects an impossible calendar date', async () => {
    const { rows, rejects } = await readCsv('customers', [
      'customer_id,created_at',
      'c1,2026-02-28',
      'c2,2026-02-30',
      'c3,2028-02-29',
    ]);

    expect(rows.map((r) => r.row.customer_id)).toEqual(['c1', 'c3']);
    expect(rejects.map((r) => [r.line, r.column])).toEqual([[3, 'created_at']]);
    expect(rejects[0]?.reason).toContain('"2026-02-30" is not a valid date or time');
  });

  it('rejects an unparseable number: decimal comma, thousands separator, overflow', async () => {
    const { rows, rejects } = await readCsv('orders', [
      'order_id,customer_id,ordered_at,amount',
      'o1,c1,2026-11-02,12.50',
      'o2,c1,2026-11-02,"12,50"',
      'o3,c1,2026-11-02,1 234',
      'o4,c1,2026-11-02,twelve',
      'o5,c1,2026-11-02,0.5',
      `o6,c1,2026-11-02,${'9'.repeat(400)}`,
    ]);

    expect(rows.map((r) => [r.row.order_id, r.row.amount])).toEqual([
      ['o1', 12.5],
      ['o5', 0.5],
    ]);
    expect(rejects.map((r) => [r.line, r.column, r.reason])).toEqual([
      [3, 'amount', '"12,50" is not a number (expected a decimal such as 12.50)'],
      [4, 'amount', '"1 234" is not a number (expected a decimal such as 12.50)'],
      [5, 'amount', '"twelve" is not a number (expected a decimal such as 12.50)'],
      [7, 'amount', `"${'9'.repeat(400)}" is not a finite number`],
    ]);
  });

  it('rejects a count with decimals', async () => {
    const { rows, rejects } = await readCsv('sessions', [
      'session_id,user_id,started_at,duration_seconds,pageviews',
      's1,u1,2026-11-02T10:00:00Z,30.5,3',
      's2,u1,2026-11-02T11:00:00Z,12,2.5',
      's3,u2,2026-11-02T12:00:00Z,0,1',
    ]);

    expect(rows.map((r) => r.row.session_id)).toEqual(['s1', 's3']);
    expect(rows[0]?.row.duration_seconds).toBe(30.5);
    expect(rejects.map((r) => [r.line, r.column, r.reason])).toEqual([
      [3, 'pageviews', '"2.5" is not a whole number (a count cannot have decimals)'],
    ]);
  });

  it('rejects a value outside its enum', async () => {
    const { rows, rejects } = await readCsv('survey_responses', [
      'response_id,responded_at,survey_type,score',
      'r1,2026-11-02,nps,9',
      'r2,2026-11-02,promoter,9',
      'r3,2026-11-02,CSAT,4',
    ]);

    // Enum values are compared ignoring case and stored lower case.
    expect(rows.map((r) => [r.row.response_id, r.row.survey_type])).toEqual([
      ['r1', 'nps'],
      ['r3', 'csat'],
    ]);
    expect(rejects.map((r) => [r.line, r.column, r.reason])).toEqual([
      [3, 'survey_type', '"promoter" is not one of nps, csat, ces'],
    ]);
  });

  it('rejects a negative count', async () => {
    const { rows, rejects } = await readCsv('email_campaigns', [
      'campaign_id,sent_at,sent,delivered,unique_opens,unique_clicks,bounces',
      'e1,2026-11-02,100,98,40,10,2',
      'e2,2026-11-03,100,98,40,10,-2',
      'e3,2026-11-04,100,95,30,5,',
    ]);

    expect(rows.map((r) => [r.row.campaign_id, r.row.bounces])).toEqual([
      ['e1', 2],
      ['e3', undefined],
    ]);
    expect(rejects.map((r) => [r.line, r.column, r.reason])).toEqual([
      [3, 'bounces', '"-2" is negative (a count cannot be below 0)'],
    ]);
  });

  it('rejects negative spend but keeps a negative order amount as a refund', async () => {
    const spend = await readCsv('marketing_spend', [
      'date,channel,amount',
      '2026-11-02,search,120.00',
      '2026-11-02,social,-5',
      '2026-11-03,search,80',
    ]);
    const orders = await readCsv('orders', [
      'order_id,customer_id,ordered_at,amount',
      'o1,c1,2026-11-02,-12.50',
    ]);

    expect(spend.rows.map((r) => r.row.amount)).toEqual([120, 80]);
    expect(spend.rejects.map((r) => [r.line, r.column, r.reason])).toEqual([
      [3, 'amount', '"-5" is negative (only an order amount may be negative, for a refund)'],
    ]);
    expect(orders.rows.map((r) => r.row.amount)).toEqual([-12.5]);
    expect(orders.rejects).toEqual([]);
  });

  it('rejects a score outside the scale of its survey type', async () => {
    // Scales (METRICS.md): nps 0–10, csat 1–5, ces 1–7.
    const { rows, rejects } = await readCsv('survey_responses', [
      'response_id,responded_at,survey_type,score',
      'r1,2026-11-02,nps,0',
      'r2,2026-11-02,nps,11',
      'r3,2026-11-02,csat,5',
      'r4,2026-11-02,csat,0',
      'r5,2026-11-02,ces,7',
      'r6,2026-11-02,ces,8',
      'r7,2026-11-02,nps,-1',
      'r8,2026-11-02,nps,10',
    ]);

    expect(rows.map((r) => r.row.response_id)).toEqual(['r1', 'r3', 'r5', 'r8']);
    expect(rejects.map((r) => [r.line, r.column, r.reason])).toEqual([
      [3, 'score', '11 is outside the nps scale (0 to 10)'],
      [5, 'score', '0 is outside the csat scale (1 to 5)'],
      [7, 'score', '8 is outside the ces scale (1 to 7)'],
      [8, 'score', '-1 is outside the nps scale (0 to 10)'],
    ]);
  });

  it('rejects a subscription that ends before it starts', async () => {
    const { rows, rejects } = await readCsv('subscriptions', [
      'subscription_id,customer_id,started_at,ended_at',
      'sub1,c1,2026-10-01,2026-11-01',
      'sub2,c2,2026-10-01,2026-09-30',
      'sub3,c3,2026-10-01,',
      'sub4,c4,2026-10-01,2026-10-01',
    ]);

    // Ending on the day it started is allowed (zero length), one day before is not.
    expect(rows.map((r) => [r.row.subscription_id, r.row.ended_at])).toEqual([
      ['sub1', at('2026-10-31T23:00:00Z')],
      ['sub3', undefined],
      ['sub4', at('2026-09-30T22:00:00Z')],
    ]);
    expect(rejects.map((r) => [r.line, r.column, r.reason])).toEqual([
      [3, 'ended_at', '"2026-09-30" is before started_at "2026-10-01"'],
    ]);
  });

  it('rejects a ticket resolved before it was opened', async () => {
    const { rows, rejects } = await readCsv('tickets', [
      'ticket_id,created_at,first_response_at,resolved_at',
      't1,2026-11-02T09:00:00Z,2026-11-02T09:30:00Z,2026-11-02T12:00:00Z',
      't2,2026-11-02T09:00:00Z,,2026-11-02T08:59:00Z',
    ]);

    expect(rows.map((r) => r.row.ticket_id)).toEqual(['t1']);
    expect(rejects.map((r) => [r.line, r.column, r.reason])).toEqual([
      [3, 'resolved_at', '"2026-11-02T08:59:00Z" is before created_at "2026-11-02T09:00:00Z"'],
    ]);
  });

  it('rejects a currency other than the report currency', async () => {
    const { rows, rejects } = await readCsv(
      'orders',
      [
        'order_id,customer_id,ordered_at,amount,currency',
        'o1,c1,2026-11-02,10.00,EUR',
        'o2,c1,2026-11-02,10.00,USD',
        'o3,c1,2026-11-02,10.00,eur',
        'o4,c1,2026-11-02,10.00,euro',
        'o5,c1,2026-11-02,10.00,',
      ],
      { currency: 'EUR' },
    );

    expect(rows.map((r) => [r.row.order_id, r.row.currency])).toEqual([
      ['o1', 'EUR'],
      ['o3', 'EUR'],
      ['o5', undefined],
    ]);
    expect(rejects.map((r) => [r.line, r.column, r.reason])).toEqual([
      [3, 'currency', 'currency USD is not the report currency EUR (a report has one currency)'],
      [5, 'currency', '"euro" is not an ISO 4217 currency code such as EUR'],
    ]);
  });

  it('rejects an empty cell in a required column', async () => {
    const { rows, rejects } = await readCsv('events', [
      'user_id,occurred_at,event_type',
      'u1,2026-11-02,login',
      ' ,2026-11-02,login',
      'u3,2026-11-02,login',
    ]);

    expect(rows.map((r) => r.row.user_id)).toEqual(['u1', 'u3']);
    expect(rejects.map((r) => [r.line, r.column, r.reason])).toEqual([
      [3, 'user_id', 'is empty, but the column is required'],
    ]);
  });

  it('rejects a record with more or fewer fields than the header', async () => {
    const { rows, rejects } = await readCsv('events', [
      'user_id,occurred_at,event_type',
      'u1,2026-11-02,login,extra',
      'u2,2026-11-02',
      'u3,2026-11-02,login',
    ]);

    expect(rows.map((r) => r.row.user_id)).toEqual(['u3']);
    expect(rejects.map((r) => [r.line, r.column, r.reason])).toEqual([
      [2, null, 'has 4 fields, but the header has 3'],
      [3, null, 'has 2 fields, but the header has 3'],
    ]);
    expect(rejects[0]?.record).toEqual({
      user_id: 'u1',
      occurred_at: '2026-11-02',
      event_type: 'login',
      '(field 4)': 'extra',
    });
  });

  it('rejects a record with text after a closing quote', async () => {
    const { rows, rejects } = await readCsv('events', [
      'user_id,occurred_at,event_type',
      '"u1"x,2026-11-02,login',
      'u2,2026-11-02,login',
    ]);

    expect(rows.map((r) => r.row.user_id)).toEqual(['u2']);
    expect(rejects.map((r) => [r.line, r.column, r.reason])).toEqual([
      [2, null, 'has text after the closing quote of a quoted field'],
    ]);
  });

  it('passes every row of a duplicate id on, in order, for the engine to keep the last', async () => {
    // DATASETS.md: a duplicate id keeps the last row and counts the drop. That needs every
    // file of the dataset, so the engine applies it; the reader must not drop either row.
    const { rows, rejects } = await readCsv('orders', [
      'order_id,customer_id,ordered_at,amount',
      'o1,c1,2026-11-02,10',
      'o1,c1,2026-11-02,12',
    ]);

    expect(rows.map((r) => [r.line, r.row.order_id, r.row.amount])).toEqual([
      [2, 'o1', 10],
      [3, 'o1', 12],
    ]);
    expect(rejects).toEqual([]);
  });
});
