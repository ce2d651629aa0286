/**
 * A report's customer filter (config `filter`, functions/core/duck/filter.ts) through
 * `computeSnapshots` on small export files. Every expected value is worked out by hand
 * from the fixture below for March 2026 (UTC).
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  type DatasetName,
  parseConfig,
  type ReportConfigInput,
} from '../../../functions/core/config';
import { computeSnapshots } from '../../../functions/core/engine';
import type { Snapshot } from '../../../functions/core/snapshot';
import type { ExportFile } from '../../../functions/core/sources';
import { parsePeriodKey } from '../../../functions/core/time/periods';

const file = (dataset: DatasetName, lines: string[]): ExportFile => {
  const bytes = Buffer.from(`${lines.join('\n')}\n`, 'utf8');
  return { dataset, key: `${dataset}/part.csv`, open: async () => Readable.from(bytes) };
};

// Customers: a, b, c (segment " smb " with spaces), e are smb; d is enterprise.
// Channels: a, c, d, e came through ads, b through seo.
const FILES = [
  file('customers', [
    'customer_id,created_at,acquisition_channel,segment,country',
    'a,2026-01-01T00:00:00Z,ads,smb,DE',
    'b,2026-01-01T00:00:00Z,seo,smb,AT',
    'c,2026-01-01T00:00:00Z,ads," smb ",FR',
    'd,2026-01-01T00:00:00Z,ads,enterprise,DE',
    'e,2026-03-05T00:00:00Z,ads,smb,DE',
  ]),
  // Active at the start of March: a, b, c, d. b and d end in March (churn); e starts in
  // March (new). Active at the end: a, c, e.
  file('subscriptions', [
    'subscription_id,customer_id,started_at,ended_at,mrr,plan',
    's1,a,2026-01-01T00:00:00Z,,10,basic',
    's2,b,2026-01-01T00:00:00Z,2026-03-10T00:00:00Z,20,pro',
    's3,c,2026-01-01T00:00:00Z,,30,pro',
    's4,d,2026-01-01T00:00:00Z,2026-03-15T00:00:00Z,40,basic',
    's5,e,2026-03-05T00:00:00Z,,50,basic',
  ]),
  file('orders', [
    'order_id,customer_id,ordered_at,amount',
    'o1,a,2026-03-02T00:00:00Z,100',
    'o2,d,2026-03-03T00:00:00Z,50',
  ]),
  file('marketing_spend', ['date,channel,amount', '2026-03-10,ads,300', '2026-03-10,seo,100']),
];

async function march(filter?: ReportConfigInput['filter']): Promise<Snapshot> {
  const config = parseConfig({ period: 'month', timezone: 'UTC', ...(filter ? { filter } : {}) });
  const { snapshots } = await computeSnapshots({
    files: FILES,
    config,
    periods: [parsePeriodKey('2026-03', 'UTC')],
    modelPeriods: [],
    onReject: () => {},
  });
  return snapshots[0] as Snapshot;
}

const value = (snapshot: Snapshot, id: string) => snapshot.metrics[id]?.value ?? null;

describe('report filter', () => {
  it('counts every customer without a filter', async () => {
    const s = await march();
    // S = {a, b, c, d}, E = {a, c, e}, churned {b, d}: 2 / 4 = 50 %.
    expect(value(s, 'customers_start')).toBe(4);
    expect(value(s, 'customers_end')).toBe(3);
    expect(value(s, 'churn_rate')).toBeCloseTo(50, 10);
    // Spend 300 + 100 over one new customer (e).
    expect(value(s, 'cac')).toBeCloseTo(400, 10);
    expect(value(s, 'revenue')).toBeCloseTo(150, 10);
  });

  it('restricts the customer-base metrics to a segment, trimming values', async () => {
    const s = await march({ segment: ['smb'] });
    // smb: a, b, c (" smb " trimmed), e. S = {a, b, c}, E = {a, c, e}, churned {b}: 1 / 3.
    expect(value(s, 'customers_start')).toBe(3);
    expect(value(s, 'customers_end')).toBe(3);
    expect(value(s, 'churned_customers')).toBe(1);
    expect(value(s, 'churn_rate')).toBeCloseTo((1 / 3) * 100, 10);
    expect(value(s, 'new_customers')).toBe(1);
    // MRR at start of a, b, c: 10 + 20 + 30.
    expect(value(s, 'mrr_start')).toBeCloseTo(60, 10);
    // Only a's order: d is not smb.
    expect(value(s, 'revenue')).toBeCloseTo(100, 10);
    // Without an acquisition_channel filter the spend is all of it: 400 / e.
    expect(value(s, 'cac')).toBeCloseTo(400, 10);
  });

  it('requires every given key to hold', async () => {
    const s = await march({ segment: ['smb', 'nonexistent'], country: [' DE '] });
    // smb and DE: a, e. S = {a}, E = {a, e}, nobody churned.
    expect(value(s, 'customers_start')).toBe(1);
    expect(value(s, 'customers_end')).toBe(2);
    expect(value(s, 'churn_rate')).toBe(0);
  });

  it('selects by plan through any of the customer’s subscriptions', async () => {
    const s = await march({ plan: ['pro'] });
    // pro: b, c. S = {b, c}, E = {c}, churned {b}: 1 / 2; MRR at start 20 + 30.
    expect(value(s, 'customers_start')).toBe(2);
    expect(value(s, 'customers_end')).toBe(1);
    expect(value(s, 'churn_rate')).toBeCloseTo(50, 10);
    expect(value(s, 'mrr_start')).toBeCloseTo(50, 10);
  });

  it('keeps only the filtered channels’ spend for CAC', async () => {
    const ads = await march({ acquisition_channel: ['ads'] });
    // ads customers: a, c, d, e; new in March: e. Spend of ads only: 300 / 1.
    expect(value(ads, 'new_customers')).toBe(1);
    expect(value(ads, 'cac')).toBeCloseTo(300, 10);
    const seo = await march({ acquisition_channel: ['seo'] });
    // seo: b, not new in March: 100 spent on nobody new, so CAC has no value.
    expect(value(seo, 'new_customers')).toBe(0);
    expect(value(seo, 'cac')).toBeNull();
  });

  it('leaves the data-quality counts those of the files', async () => {
    const s = await march({ segment: ['enterprise'], plan: ['pro'] });
    // enterprise ∩ pro is nobody.
    expect(value(s, 'customers_start')).toBe(0);
    expect(s.quality.customers?.rowsAccepted).toBe(5);
    expect(s.quality.subscriptions?.rowsAccepted).toBe(5);
    expect(s.quality.marketing_spend?.rowsAccepted).toBe(2);
  });
});

// The datasets the fixture above leaves out, for the rules of METRICS.md "Report filters"
// on them. "v" is a visitor: a user_id with no customers row.
const TICKETS = file('tickets', [
  'ticket_id,customer_id,created_at,first_response_at',
  't1,a,2026-03-02T00:00:00Z,2026-03-02T01:00:00Z', // smb, 60 min
  't2,d,2026-03-03T00:00:00Z,2026-03-03T02:00:00Z', // enterprise, 120 min
  't3,,2026-03-04T00:00:00Z,2026-03-04T03:00:00Z', // nobody's, 180 min
  't4,b,2026-03-05T00:00:00Z,2026-03-05T01:30:00Z', // smb, 90 min
  't2,d,2026-03-03T00:00:00Z,2026-03-03T02:00:00Z', // t2 again: a duplicate id
]);
const SURVEYS = file('survey_responses', [
  'response_id,responded_at,survey_type,score,customer_id',
  'r1,2026-03-02T00:00:00Z,nps,10,a', // smb promoter
  'r2,2026-03-03T00:00:00Z,nps,0,d', // enterprise detractor
  'r3,2026-03-04T00:00:00Z,nps,0,', // nobody's detractor
  'r4,2026-03-05T00:00:00Z,nps,9,c', // smb promoter
  'r5,2026-03-06T00:00:00Z,nps,11,b', // outside 0–10: a rejected row
]);
const EVENTS = file('events', [
  'event_id,user_id,occurred_at,event_type',
  'e1,a,2026-03-02T10:00:00Z,app_open',
  'e2,a,2026-03-02T10:05:00Z,purchase',
  'e3,d,2026-03-03T10:00:00Z,app_open',
  'e4,v,2026-03-04T10:00:00Z,app_open',
  'e5,c,2026-03-05T10:00:00Z,app_open',
  'e6,v,2026-03-06T10:00:00Z,app_open',
]);
const SESSIONS = file('sessions', [
  'session_id,user_id,started_at,duration_seconds,pageviews',
  'x1,a,2026-03-02T10:00:00Z,60,1',
  'x2,d,2026-03-03T10:00:00Z,120,3',
  'x3,v,2026-03-04T10:00:00Z,300,2',
  'x4,c,2026-03-05T10:00:00Z,180,4',
]);
const CAMPAIGNS = file('email_campaigns', [
  'campaign_id,sent_at,sent,delivered,unique_opens,unique_clicks,bounces',
  'm1,2026-03-05T09:00:00Z,100,80,40,10,20',
]);
const SOCIAL = file('social', [
  'date,platform,followers,likes,comments,shares,reposts,mentions',
  '2026-03-10,x,1000,30,10,5,5,4',
]);
const MORE = [TICKETS, SURVEYS, EVENTS, SESSIONS, CAMPAIGNS, SOCIAL];

/** March 2026 of FILES plus `extra`; an extra file replaces FILES' file of its dataset. */
async function marchWith(
  extra: ExportFile[],
  filter?: ReportConfigInput['filter'],
): Promise<Snapshot> {
  const replaced = new Set(extra.map((f) => f.dataset));
  const config = parseConfig({ period: 'month', timezone: 'UTC', ...(filter ? { filter } : {}) });
  const { snapshots } = await computeSnapshots({
    files: [...FILES.filter((f) => !replaced.has(f.dataset)), ...extra],
    config,
    periods: [parsePeriodKey('2026-03', 'UTC')],
    modelPeriods: [],
    onReject: () => {},
  });
  return snapshots[0] as Snapshot;
}

describe('report filter on the other datasets', () => {
  it('counts every ticket, answer, event and session without a filter', async () => {
    const s = await marchWith(MORE);
    // Tickets t1, t2, t3, t4 (t2 once): 4; E = {a, c, e} = 3, so 4 / 3 × 100.
    expect(value(s, 'ticket_volume')).toBe(4);
    expect(value(s, 'tickets_per_100_customers')).toBeCloseTo((4 / 3) * 100, 10);
    // Median of 60, 90, 120, 180 minutes: (90 + 120) / 2.
    expect(value(s, 'first_response_time_p50')).toBeCloseTo(105, 10);
    // r1..r4: promoters r1, r4, detractors r2, r3 of 4: 50 − 50.
    expect(value(s, 'survey_responses')).toBe(4);
    expect(value(s, 'nps')).toBeCloseTo(0, 10);
    // Users with an event: a, d, v, c; a converted (purchase): 1 / 4. All in [Mar 2, Apr 1).
    expect(value(s, 'mau')).toBe(4);
    expect(value(s, 'conversion_rate')).toBeCloseTo(25, 10);
    // Sessions x1..x4: (60 + 120 + 300 + 180) / 4 s; one single-page session of 4;
    // pageviews 1 + 3 + 2 + 4.
    expect(value(s, 'sessions')).toBe(4);
    expect(value(s, 'avg_session_duration')).toBeCloseTo(165, 10);
    expect(value(s, 'bounce_rate')).toBeCloseTo(25, 10);
    expect(value(s, 'pageviews')).toBe(10);
  });

  it('drops tickets and survey answers without a customer_id', async () => {
    const s = await marchWith(MORE, { segment: ['smb'] });
    // smb: a, b, c, e. Tickets t1 (a) and t4 (b); t2 is d's, t3 nobody's. E = {a, c, e}.
    expect(value(s, 'ticket_volume')).toBe(2);
    expect(value(s, 'tickets_per_100_customers')).toBeCloseTo((2 / 3) * 100, 10);
    // Median of 60 and 90 minutes (with t3 kept it would be 90).
    expect(value(s, 'first_response_time_p50')).toBeCloseTo(75, 10);
    // Answers r1 (a) and r4 (c), both promoters: 100 − 0 (with r3 kept, 66.7 − 33.3).
    expect(value(s, 'survey_responses')).toBe(2);
    expect(value(s, 'nps')).toBeCloseTo(100, 10);
  });

  it('filters events and sessions by user_id as the customer_id', async () => {
    const s = await marchWith(MORE, { segment: ['smb'] });
    // Users a and c (d is enterprise, v is no customer); a converted: 1 / 2.
    expect(value(s, 'mau')).toBe(2);
    expect(value(s, 'conversion_rate')).toBeCloseTo(50, 10);
    // Sessions x1 (a) and x4 (c): (60 + 180) / 2 s, x1 has one page: 1 / 2; 1 + 4 pages.
    expect(value(s, 'sessions')).toBe(2);
    expect(value(s, 'avg_session_duration')).toBeCloseTo(120, 10);
    expect(value(s, 'bounce_rate')).toBeCloseTo(50, 10);
    expect(value(s, 'pageviews')).toBe(5);
    expect(value(s, 'visits_per_user')).toBeCloseTo(1, 10);
  });

  it('leaves email_campaigns and social unfiltered', async () => {
    // A filter of a segment, and one nobody passes (enterprise ∩ pro), see the same rows.
    for (const filter of [{ segment: ['smb'] }, { segment: ['enterprise'], plan: ['pro'] }]) {
      const s = await marchWith(MORE, filter);
      // m1: 40 opens / 80 delivered, 10 clicks / 80, 10 clicks / 40 opens, 20 bounces / 100 sent.
      expect(value(s, 'email_open_rate'), JSON.stringify(filter)).toBeCloseTo(50, 10);
      expect(value(s, 'email_ctr')).toBeCloseTo(12.5, 10);
      expect(value(s, 'email_click_to_open')).toBeCloseTo(25, 10);
      expect(value(s, 'email_bounce_rate')).toBeCloseTo(20, 10);
      // (30 + 10 + 5 + 5) / 1000 followers × 100; 4 mentions.
      expect(value(s, 'social_engagement_rate')).toBeCloseTo(5, 10);
      expect(value(s, 'social_mentions')).toBe(4);
    }
  });

  it('keeps every subscription of a customer a plan filter keeps, whatever its plan', async () => {
    const subscriptions = file('subscriptions', [
      'subscription_id,customer_id,started_at,ended_at,mrr,plan',
      's0,a,2025-06-01T00:00:00Z,2026-01-01T00:00:00Z,15,pro',
      's1,a,2026-01-01T00:00:00Z,,10,basic',
      's2,b,2026-01-01T00:00:00Z,2026-03-10T00:00:00Z,20,pro',
      's3,c,2026-01-01T00:00:00Z,,30,pro',
      's6,c,2026-02-01T00:00:00Z,,5,basic',
      's4,d,2026-01-01T00:00:00Z,2026-03-15T00:00:00Z,40,basic',
      's5,e,2026-03-05T00:00:00Z,,50,basic',
    ]);
    const s = await marchWith([subscriptions], { plan: ['pro'] });
    // "At least one subscription whose plan is listed": a (s0, ended before March), b, c.
    // Their subscriptions on any plan: at 1 March a (s1), b (s2), c (s3, s6) are active,
    // at 1 April a and c. Were the basic ones dropped, a would not be active at the start
    // and mrr_start would be 50.
    expect(value(s, 'customers_start')).toBe(3);
    expect(value(s, 'customers_end')).toBe(2);
    expect(value(s, 'churn_rate')).toBeCloseTo((1 / 3) * 100, 10);
    // mrr_start = 10 + 20 + (30 + 5) = 65; mrr_end = 10 + (30 + 5) = 45.
    expect(value(s, 'mrr_start')).toBeCloseTo(65, 10);
    expect(value(s, 'mrr_end')).toBeCloseTo(45, 10);
    // b's 20 of 65 churned; 45 of 65 retained.
    expect(value(s, 'revenue_churn_rate')).toBeCloseTo((20 / 65) * 100, 10);
    expect(value(s, 'net_revenue_retention')).toBeCloseTo((45 / 65) * 100, 10);
  });

  it('leaves the data-quality counts of the other datasets those of the files', async () => {
    const s = await marchWith(MORE, { segment: ['smb'] });
    // tickets: 5 rows read and accepted, t2 repeated once, though d's and t3 are filtered.
    expect(s.quality.tickets).toMatchObject({
      rowsRead: 5,
      rowsAccepted: 5,
      rowsRejected: 0,
      duplicatesDropped: 1,
    });
    // survey_responses: 5 read, r5 (score 11) rejected, 4 accepted of which 2 are smb.
    expect(s.quality.survey_responses).toMatchObject({
      rowsRead: 5,
      rowsAccepted: 4,
      rowsRejected: 1,
      duplicatesDropped: 0,
    });
    // events 6 and sessions 4, visitor's and enterprise's included; orders 2 (d's too).
    expect(s.quality.events).toMatchObject({ rowsRead: 6, rowsAccepted: 6, rowsRejected: 0 });
    expect(s.quality.sessions).toMatchObject({ rowsRead: 4, rowsAccepted: 4, rowsRejected: 0 });
    expect(s.quality.orders).toMatchObject({ rowsRead: 2, rowsAccepted: 2, rowsRejected: 0 });
    expect(s.quality.email_campaigns?.rowsAccepted).toBe(1);
    expect(s.quality.social?.rowsAccepted).toBe(1);
  });
});
