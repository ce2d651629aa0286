/**
 * Email campaign metrics (METRICS.md "Campaigns"): `email_open_rate`, `email_ctr`,
 * `email_click_to_open`, `email_bounce_rate` over the campaigns sent in the period;
 * expected values worked out in the comments.
 */
import { describe, expect, it } from 'vitest';
import { campaign, reasonOf, run, valueIn } from './helpers';

// UTC ISO weeks of 2026: W10 = [2 Mar, 9 Mar), W11 = [9 Mar, 16 Mar), W12 = [16 Mar, 23 Mar).
// W10 (C1 on its start).
const C1 = campaign('c1', '2026-03-02T00:00:00Z', {
  sent: 1000,
  delivered: 950,
  opens: 380,
  clicks: 95,
  bounces: 50,
});
const C2 = campaign('c2', '2026-03-05T10:00:00Z', {
  sent: 500,
  delivered: 490,
  opens: 98,
  clicks: 49,
  bounces: 10,
});
// No bounces value: left out of the bounce rate, counted in the other rates.
const C3 = campaign('c3', '2026-03-06T10:00:00Z', {
  sent: 200,
  delivered: 200,
  opens: 50,
  clicks: 10,
});
// W11 (on W10's end): nothing delivered, everything bounced.
const C4 = campaign('c4', '2026-03-09T00:00:00Z', {
  sent: 100,
  delivered: 0,
  opens: 0,
  clicks: 0,
  bounces: 100,
});
const CAMPAIGNS = [C1, C2, C3, C4];
// W10 sums: delivered 950 + 490 + 200 = 1640; opens 380 + 98 + 50 = 528;
// clicks 95 + 49 + 10 = 154; bounces 50 + 10 = 60 over sent 1000 + 500 = 1500 (c1, c2).

const PERIODS = ['2026-W10', '2026-W11', '2026-W12'];

describe('email campaign metrics', async () => {
  const result = await run({ periods: PERIODS, data: { email_campaigns: [CAMPAIGNS] } });

  describe('email_open_rate', async () => {
    it('is Σ unique opens / Σ delivered × 100', async () => {
      // 528 / 1640 × 100 = 32.195…
      expect(valueIn(result, '2026-W10', 'email_open_rate')).toBeCloseTo((528 / 1640) * 100, 12);
    });
  });

  describe('email_ctr', async () => {
    it('is Σ unique clicks / Σ delivered × 100', async () => {
      // 154 / 1640 × 100 = 9.390…
      expect(valueIn(result, '2026-W10', 'email_ctr')).toBeCloseTo((154 / 1640) * 100, 12);
    });
  });

  describe('email_click_to_open', async () => {
    it('is Σ unique clicks / Σ unique opens × 100', async () => {
      // 154 / 528 × 100 = 29.166…
      expect(valueIn(result, '2026-W10', 'email_click_to_open')).toBeCloseTo((154 / 528) * 100, 12);
    });
  });

  describe('email_bounce_rate', async () => {
    it('is Σ bounces / Σ sent × 100 over the campaigns that report bounces', async () => {
      // 60 / 1500 × 100 = 4 (C3, without a bounces value, is neither 0 bounces nor 200 sent).
      expect(valueIn(result, '2026-W10', 'email_bounce_rate')).toBe(4);
      // W11: 100 / 100 × 100 = 100.
      expect(valueIn(result, '2026-W11', 'email_bounce_rate')).toBe(100);
    });

    it('is null with a reason when no campaign of the period reports bounces', async () => {
      const result = await run({
        periods: ['2026-W10', '2026-W11'],
        data: { email_campaigns: [[C3, C4]] },
      });
      // W10 has only C3 (no bounces value); W11's C4 shows the export has the column.
      expect(reasonOf(result, '2026-W10', 'email_bounce_rate')).toBe(
        'no campaign sent in the period has a bounces value',
      );
      expect(valueIn(result, '2026-W11', 'email_bounce_rate')).toBe(100);
    });

    it('is null with a reason when the export has no bounces values at all', async () => {
      const result = await run({
        periods: ['2026-W10'],
        data: { email_campaigns: [[C3]] },
      });
      expect(reasonOf(result, '2026-W10', 'email_bounce_rate')).toBe(
        'no bounces values in the email_campaigns export',
      );
      // 50 / 200 × 100 = 25.
      expect(valueIn(result, '2026-W10', 'email_open_rate')).toBe(25);
    });
  });

  it('gives reasons for zero denominators', async () => {
    // W11: delivered 0 and opens 0.
    expect(reasonOf(result, '2026-W11', 'email_open_rate')).toBe(
      'no emails delivered in the period (division by zero)',
    );
    expect(reasonOf(result, '2026-W11', 'email_ctr')).toBe(
      'no emails delivered in the period (division by zero)',
    );
    expect(reasonOf(result, '2026-W11', 'email_click_to_open')).toBe(
      'no unique opens in the period (division by zero)',
    );
  });

  it('is null with a reason for a period without campaigns', async () => {
    for (const id of ['email_open_rate', 'email_ctr', 'email_click_to_open', 'email_bounce_rate']) {
      expect(reasonOf(result, '2026-W12', id)).toBe('no email campaigns sent in the period');
    }
  });

  it('keeps the last row of a campaign id exported twice (counters updated later)', async () => {
    const result = await run({
      periods: ['2026-W10'],
      data: {
        email_campaigns: [
          CAMPAIGNS,
          [
            campaign('c3', '2026-03-06T10:00:00Z', {
              sent: 200,
              delivered: 200,
              opens: 90,
              clicks: 30,
              bounces: 0,
            }),
          ],
        ],
      },
    });
    // Opens 380 + 98 + 90 = 568 over 1640; bounces 60 over sent 1000 + 500 + 200 = 1700.
    expect(valueIn(result, '2026-W10', 'email_open_rate')).toBeCloseTo((568 / 1640) * 100, 12);
    expect(valueIn(result, '2026-W10', 'email_bounce_rate')).toBeCloseTo((60 / 1700) * 100, 12);
  });

  it('is null with a reason without an email_campaigns export, or with an empty one', async () => {
    const absent = await run({ periods: ['2026-W10'], data: {} });
    const empty = await run({ periods: ['2026-W10'], data: { email_campaigns: [[]] } });
    for (const id of ['email_open_rate', 'email_ctr', 'email_click_to_open', 'email_bounce_rate']) {
      expect(reasonOf(absent, '2026-W10', id)).toBe('no email_campaigns export');
      expect(reasonOf(empty, '2026-W10', id)).toBe(
        'the email_campaigns export has no accepted rows',
      );
    }
  });

  it('places campaigns in the report time zone', async () => {
    // Pacific/Auckland (+13:00 in March): W10 = [1 Mar 11:00Z, 8 Mar 11:00Z).
    const rows = [
      // 2 Mar 00:00 NZDT: W10's start (UTC's W09).
      campaign('a1', '2026-03-01T11:00:00Z', { sent: 100, delivered: 100, opens: 10, clicks: 1 }),
      // 1 Mar 23:59 NZDT: W09 (UTC's W09 too).
      campaign('a2', '2026-03-01T10:59:00Z', { sent: 100, delivered: 100, opens: 70, clicks: 1 }),
      // 9 Mar 00:00 NZDT: W11 (UTC's W10).
      campaign('a3', '2026-03-08T11:00:00Z', { sent: 100, delivered: 100, opens: 90, clicks: 1 }),
    ];
    const nz = await run({
      config: { timezone: 'Pacific/Auckland' },
      periods: ['2026-W10'],
      data: { email_campaigns: [rows] },
    });
    // a1 only: 10 / 100 × 100 = 10.
    expect(valueIn(nz, '2026-W10', 'email_open_rate')).toBe(10);
    // UTC W10 = [2 Mar 00:00Z, 9 Mar 00:00Z) holds a3 only: 90 / 100 × 100 = 90.
    const utc = await run({ periods: ['2026-W10'], data: { email_campaigns: [rows] } });
    expect(valueIn(utc, '2026-W10', 'email_open_rate')).toBe(90);
  });
});
