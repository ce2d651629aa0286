/**
 * A dataset's first file changes every stored period, not only the periods its rows fall
 * in: with subscriptions, `customers_end` counts active subscriptions instead of recent
 * buyers and `mrr_end` goes from null to a sum. The fault campaign found a week stored
 * before the first subscriptions file that kept its old numbers (RELIABILITY.md); this is
 * that scenario without faults, on the stand-ins: customers, then orders, then
 * subscriptions, one at a time.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseConfig, type ReportConfigInput } from '../../functions/core/config';
import { computeSnapshots } from '../../functions/core/engine';
import { parsePeriodKey } from '../../functions/core/time/periods';
import { createIngestHandler } from '../../functions/ingest';
import { type Harness, startHarness } from '../support/harness';
import { encodeEventKey } from '../support/standins';

/** Monday 23 November 2026, 10:00 in New York: the last closed week is 2026-W47. */
const NOW = Date.parse('2026-11-23T15:00:00Z');
const REPORT_ID = 'datasets';
const CONFIG: ReportConfigInput = {
  reportId: REPORT_ID,
  name: 'Dataset change',
  timezone: 'America/New_York',
  currency: 'USD',
  period: 'week',
  email: { recipients: ['team@example.com'] },
};

// One customer, signed up and buying in 2026-W43 (19–25 October); their subscription
// starts in 2026-W46 (9–15 November).
const FILES = [
  {
    key: 'incoming/customers/customers.csv',
    body: 'customer_id,created_at\ncus_1,2026-10-20T10:00:00-04:00\n',
  },
  {
    key: 'incoming/orders/orders.csv',
    body: 'order_id,customer_id,ordered_at,amount,currency,status\nord_1,cus_1,2026-10-21T12:00:00-04:00,30.00,USD,paid\n',
  },
  {
    key: 'incoming/subscriptions/subscriptions.csv',
    body: 'subscription_id,customer_id,started_at,mrr,currency\nsub_1,cus_1,2026-11-10T09:00:00-05:00,50.00,USD\n',
  },
];

function s3Event(bucket: string, key: string) {
  return {
    Records: [
      {
        eventName: 'ObjectCreated:Put',
        s3: { bucket: { name: bucket }, object: { key: encodeEventKey(key), size: 1 } },
      },
    ],
  };
}

describe('ingest of the first file of a dataset', () => {
  let h: Harness;
  const value = async (period: string, id: string) =>
    (await h.runtime().store.get(REPORT_ID, period))?.snapshot.metrics[id]?.value;

  beforeAll(async () => {
    h = await startHarness({
      dynamodbEndpoint: inject('dynamodbEndpoint'),
      config: CONFIG,
      setProcessEnv: false,
    });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('recomputes every stored period, also those its rows do not fall in', async () => {
    // Prepare: customers, then orders (orders recompute 2026-W43 to W47).
    const ingest = createIngestHandler(() => h.runtime(), { now: () => NOW });
    const [customers, orders, subscriptions] = FILES;
    if (!customers || !orders || !subscriptions) throw new Error('three files expected');
    for (const file of [customers, orders]) {
      await h.putObject(file.key, file.body);
      await ingest(s3Event(h.bucket, file.key));
    }
    // Worked out by hand, orders mode (no subscriptions file): cus_1 ordered on 21 October,
    // within 90 days of the end of W43, so 1 active customer; no MRR without subscriptions.
    expect(await value('2026-W43', 'customers_end')).toBe(1);
    expect(await value('2026-W43', 'mrr_end')).toBeNull();

    // Act: the first subscriptions file; its rows fall in W46 and later only.
    await h.putObject(subscriptions.key, subscriptions.body);
    const response = await ingest(s3Event(h.bucket, subscriptions.key));

    // Assess: W43 was recomputed too. By hand, subscriptions mode: at the end of W43
    // (26 October, 00:00) no subscription has started, so 0 active customers and 0 MRR;
    // at the end of W46 sub_1 (50.00 a month, since 10 November) is active.
    const outcome = response.outcomes[0];
    expect(outcome?.status).toBe('accepted');
    if (outcome?.status !== 'accepted') return;
    expect(outcome.periods).toEqual(['2026-W46', '2026-W47']);
    expect(outcome.recomputed).toEqual(
      expect.arrayContaining(['2026-W43', '2026-W44', '2026-W45', '2026-W46', '2026-W47']),
    );
    expect(await value('2026-W43', 'customers_end')).toBe(0);
    expect(await value('2026-W43', 'mrr_end')).toBe(0);
    expect(await value('2026-W46', 'customers_end')).toBe(1);
    expect(await value('2026-W46', 'mrr_end')).toBe(50);

    // And every stored week equals a fresh compute of all three files (the order the files
    // arrived in no longer matters).
    const rt = h.runtime();
    const weeks = ['2026-W43', '2026-W44', '2026-W45', '2026-W46', '2026-W47'];
    const fresh = await computeSnapshots({
      files: await rt.source.list(),
      config: parseConfig(CONFIG),
      periods: weeks.map((k) => parsePeriodKey(k, 'America/New_York')),
      onReject: () => {},
    });
    for (const snapshot of fresh.snapshots) {
      const stored = await rt.store.get(REPORT_ID, snapshot.period.key);
      expect(stored?.snapshot.metrics, snapshot.period.key).toEqual(snapshot.metrics);
      expect(stored?.snapshot.inputFiles.map((f) => f.dataset).sort()).toEqual([
        'customers',
        'orders',
        'subscriptions',
      ]);
    }
  }, 120_000);
});
