/**
 * Two reports in one deployment, on the local stand-ins: a weekly report of every customer
 * (UTC) and a monthly report of the SMB segment (Europe/Berlin), stored in one config
 * object as the deploy stores it and read back as a cold start does. One ingest updates
 * both reports' snapshots; each schedule's payload sends its report once, to its own
 * recipients. "Now" is Tuesday 3 November 2026, 12:00 UTC: the last closed week is
 * 2026-W44 (26 October – 1 November), the last closed month 2026-10.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  encodeReportConfigs,
  reportConfigEnvironment,
} from '../../functions/adapters/report-config';
import { loadRuntime, type Runtime } from '../../functions/adapters/runtime';
import { parseConfig, type ReportConfigInput } from '../../functions/core/config';
import { silentLogger } from '../../functions/core/jobs/ports';
import type { ReportResult } from '../../functions/core/jobs/report';
import { createIngestHandler, type IngestResponse } from '../../functions/ingest';
import { createReportHandler } from '../../functions/report';
import { type Harness, startHarness } from '../support/harness';
import { bridgeS3Events, type S3EventBridge } from '../support/standins';

const NOW = Date.parse('2026-11-03T12:00:00Z');
const now = () => NOW;

const WEEKLY: ReportConfigInput = {
  reportId: 'weekly',
  name: 'Weekly engagement',
  timezone: 'UTC',
  period: 'week',
  email: { recipients: ['team@example.com'], trendPeriods: 3 },
};
const MONTHLY_SMB: ReportConfigInput = {
  reportId: 'monthly-smb',
  name: 'Monthly SMB',
  timezone: 'Europe/Berlin',
  period: 'month',
  filter: { segment: ['smb'] },
  email: { recipients: ['smb@example.com'], trendPeriods: 3 },
};

// a and b are smb, c enterprise. All three subscribe on 1 September; b ends on 15 October.
const CUSTOMERS = [
  'customer_id,created_at,segment',
  'a,2026-09-01T00:00:00Z,smb',
  'b,2026-09-01T00:00:00Z,smb',
  'c,2026-09-01T00:00:00Z,enterprise',
].join('\n');
const SUBSCRIPTIONS = [
  'subscription_id,customer_id,started_at,ended_at,mrr',
  's1,a,2026-09-01T00:00:00Z,,10',
  's2,b,2026-09-01T00:00:00Z,2026-10-15T00:00:00Z,20',
  's3,c,2026-09-01T00:00:00Z,,30',
].join('\n');

describe('a deployment of two reports', () => {
  let h: Harness;
  let rt: Runtime;
  let bridge: S3EventBridge;

  beforeAll(async () => {
    h = await startHarness({ dynamodbEndpoint: inject('dynamodbEndpoint'), config: WEEKLY });
    // Both reports in one object, as StoredReportConfig stores them, and the variables that
    // point a cold start at it (the harness's own object holds the weekly report alone).
    const { body, sha256 } = encodeReportConfigs([parseConfig(WEEKLY), parseConfig(MONTHLY_SMB)]);
    const location = { bucket: h.configBucket, key: `report-config/${sha256}.json`, sha256 };
    const helper = h.runtime();
    await helper.clients.s3.send(
      new PutObjectCommand({ Bucket: location.bucket, Key: location.key, Body: body }),
    );
    rt = await loadRuntime(
      { ...h.env, ...reportConfigEnvironment(location) },
      helper.clients,
      silentLogger,
    );

    bridge = bridgeS3Events(
      h.s3,
      createIngestHandler(() => rt, { now }),
    );
    await h.putObject('incoming/customers/customers.csv', `${CUSTOMERS}\n`);
    await bridge.idle();
    await h.putObject('incoming/subscriptions/subscriptions.csv', `${SUBSCRIPTIONS}\n`);
    await bridge.idle();
  });
  afterAll(async () => {
    bridge?.stop();
    await h?.stop();
  });

  it('reads both reports from the stored config', () => {
    expect(rt.env.reports?.map((r) => r.reportId)).toEqual(['weekly', 'monthly-smb']);
  });

  it('recomputes both reports’ periods on an ingest', async () => {
    expect(bridge.errors).toEqual([]);
    const last = bridge.results.at(-1) as IngestResponse;
    const outcome = last.outcomes[0];
    expect(outcome?.status).toBe('accepted');
    if (outcome?.status !== 'accepted') return;
    const byReport = new Map(outcome.reports.map((r) => [r.reportId, r]));
    // A subscriptions file touches every closed period from its first start (1 September)
    // to the last closed one. The file is read in the first report's zone (UTC); in another
    // zone the span is widened by 26 hours (a time without an offset may be that much
    // earlier there), which reaches back into August.
    expect(byReport.get('weekly')?.recomputed).toContain('2026-W44');
    expect(byReport.get('weekly')?.recomputed).not.toContain('2026-W35');
    expect(byReport.get('monthly-smb')?.recomputed).toEqual(['2026-08', '2026-09', '2026-10']);

    // Weekly, every customer: active at the end of W44 (2 November 00:00 UTC) are a and c.
    const week = await rt.store.get('weekly', '2026-W44');
    expect(week?.snapshot.metrics.customers_end?.value).toBe(2);
    expect(week?.snapshot.inputFiles).toHaveLength(2);
    // Monthly, smb only: a and b active on 1 October, a alone on 1 November; b churned.
    const month = await rt.store.get('monthly-smb', '2026-10');
    expect(month?.snapshot.period.timezone).toBe('Europe/Berlin');
    expect(month?.snapshot.metrics.customers_start?.value).toBe(2);
    expect(month?.snapshot.metrics.customers_end?.value).toBe(1);
    expect(month?.snapshot.metrics.churn_rate?.value).toBeCloseTo(50, 10);
  });

  it('sends each schedule’s report once, to its own recipients', async () => {
    const report = createReportHandler(() => rt, { now });
    await h.ses.clear();

    // Act: each schedule's payload, twice.
    const weekly = (await report({ reportId: 'weekly' })) as ReportResult;
    const monthly = (await report({ reportId: 'monthly-smb' })) as ReportResult;
    const again = [
      (await report({ reportId: 'weekly' })) as ReportResult,
      (await report({ reportId: 'monthly-smb' })) as ReportResult,
    ];

    // Assess
    expect([weekly.reportId, weekly.period]).toEqual(['weekly', '2026-W44']);
    expect([monthly.reportId, monthly.period]).toEqual(['monthly-smb', '2026-10']);
    expect(again.map((r) => r.skipped)).toEqual(['already-sent', 'already-sent']);
    const emails = await h.ses.emails();
    expect(emails.map((e) => [e.destination.to, e.messageId]).sort()).toEqual(
      [
        [['smb@example.com'], monthly.messageId],
        [['team@example.com'], weekly.messageId],
      ].sort(),
    );
    const subjectOf = (to: string) => emails.find((e) => e.destination.to[0] === to)?.subject;
    expect(subjectOf('team@example.com')).toContain('Weekly engagement');
    expect(subjectOf('smb@example.com')).toContain('Monthly SMB');
    expect(await h.getText('reports/monthly-smb/2026-10/report.html')).toContain('Monthly SMB');
  });

  it('sends each report’s revision to its own recipients when a late file changes both', async () => {
    // Prepare: the sends of the test above are done; an order of a (smb) on Wednesday
    // 28 October falls in W44 and in October, both already sent.
    await h.ses.clear();
    const orders = ['order_id,customer_id,ordered_at,amount', 'o1,a,2026-10-28T10:00:00Z,40'];

    // Act
    await h.putObject('incoming/orders/late.csv', `${orders.join('\n')}\n`);
    await bridge.idle();

    // Assess: one revised email per report, each to that report's recipient only.
    expect(bridge.errors).toEqual([]);
    const revised = (await h.ses.emails()).filter((e) => e.subject.startsWith('[Revised] '));
    expect(revised.map((e) => e.destination.to).sort()).toEqual([
      ['smb@example.com'],
      ['team@example.com'],
    ]);
    expect((await rt.store.get('weekly', '2026-W44'))?.snapshot.metrics.revenue?.value).toBe(40);
    expect((await rt.store.get('monthly-smb', '2026-10'))?.snapshot.metrics.revenue?.value).toBe(
      40,
    );
  });

  it('refuses a payload that names no report, or an unknown one, listing the ids', async () => {
    const report = createReportHandler(() => rt, { now });
    await expect(report({})).rejects.toThrow(
      'this deployment has 2 reports; name one with "reportId": "weekly", "monthly-smb"',
    );
    await expect(report({ reportId: 'quarterly' })).rejects.toThrow(
      'there is no report "quarterly" in this deployment; its reports are "weekly", "monthly-smb"',
    );
  });
});
