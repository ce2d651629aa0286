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
