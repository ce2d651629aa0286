/**
 * Social metrics (METRICS.md "Campaigns"): `social_engagement_rate`, overall and per
 * platform, and `social_mentions`. Followers at the end of P are, per platform, the count
 * on the latest row dated on or before P's last day, summed. Dates are local midnights.
 */
import { describe, expect, it } from 'vitest';
import { metric, reasonOf, run, social, valueIn } from './helpers';

// UTC ISO weeks of 2026: W01 = [29 Dec 2025, 5 Jan), W09 = [23 Feb, 2 Mar),
// W10 = [2 Mar, 9 Mar), W11 = [9 Mar, 16 Mar).
const ROWS = [
  social('2026-02-20T00:00:00Z', 'twitter', 1000),
  // W10's first day: engagement 10 + 2 + 3 + 5 = 20, 4 mentions.
  social('2026-03-02T00:00:00Z', 'twitter', 1010, {
    likes: 10,
    comments: 2,
    shares: 3,
    reposts: 5,
    mentions: 4,
  }),
  // W10's last day: engagement 20, 1 mention; its 1000 followers are W10's end count.
  social('2026-03-08T00:00:00Z', 'twitter', 1000, { likes: 20, mentions: 1 }),
  // W10's end date belongs to W11, not to "on or before W10's last day".
  social('2026-03-09T00:00:00Z', 'twitter', 2000, { likes: 100 }),
  social('2026-03-01T00:00:00Z', 'instagram', 400), // W09's last day
  // W10: engagement 30 + 10 = 40, 0 mentions.
  social('2026-03-04T00:00:00Z', 'instagram', 500, { likes: 30, comments: 10, mentions: 0 }),
  // A platform with no row in W10 keeps its last count.
  social('2026-02-01T00:00:00Z', 'linkedin', 300),
];

const PERIODS = ['2026-W01', '2026-W09', '2026-W10', '2026-W11'];

describe('social metrics', async () => {
  const result = await run({ periods: PERIODS, data: { social: [ROWS] } });

  describe('social_engagement_rate', async () => {
    it('is Σ engagement in P / Σ followers at the end of P × 100', async () => {
      // W10: engagement twitter 20 + 20 = 40, instagram 40, linkedin 0 → 80. Followers at
      // end: twitter 1000 (8 Mar), instagram 500 (4 Mar), linkedin 300 (1 Feb) = 1800.
      // 80 / 1800 × 100 = 4.444…
      expect(valueIn(result, '2026-W10', 'social_engagement_rate')).toBeCloseTo(
        (80 / 1800) * 100,
        12,
      );
      // W11: engagement twitter 100; followers 2000 + 500 + 300 = 2800 → 3.571…
      expect(valueIn(result, '2026-W11', 'social_engagement_rate')).toBeCloseTo(
        (100 / 2800) * 100,
        12,
      );
      // W09: no engagement; followers 1000 + 400 + 300 = 1700 → 0.
      expect(valueIn(result, '2026-W09', 'social_engagement_rate')).toBe(0);
    });

    it('breaks the rate down by platform', async () => {
      // W10: twitter 40 / 1000 × 100 = 4; instagram 40 / 500 × 100 = 8; linkedin 0 / 300 = 0.
      expect(metric(result, '2026-W10', 'social_engagement_rate').breakdown).toEqual({
        instagram: 8,
        linkedin: 0,
        twitter: 4,
      });
      // W11: twitter 100 / 2000 × 100 = 5; the others 0.
      expect(metric(result, '2026-W11', 'social_engagement_rate').breakdown).toEqual({
        instagram: 0,
        linkedin: 0,
        twitter: 5,
      });
    });

    it('is null with a reason before any follower count', async () => {
      expect(reasonOf(result, '2026-W01', 'social_engagement_rate')).toBe(
        'no follower count on or before the end of the period (division by zero)',
      );
    });

    it('takes the row read last among rows of one platform and date', async () => {
      const result = await run({
        periods: ['2026-W10'],
        data: {
          social: [
            [
              social('2026-03-08T00:00:00Z', 'twitter', 1000, { likes: 20 }),
              social('2026-03-08T00:00:00Z', 'twitter', 1100, { likes: 2 }),
            ],
          ],
        },
      });
      // Engagement 20 + 2 = 22 over 1100 followers → 2.
      expect(valueIn(result, '2026-W10', 'social_engagement_rate')).toBe(2);
    });
  });

  describe('followers that sum to 0', async () => {
    // One account with 0 followers, counted on 4 March (2026-W10); nothing dated in W11.
    const zero = await run({
      periods: ['2026-W10', '2026-W11'],
      data: {
        social: [[social('2026-03-04T00:00:00Z', 'mastodon', 0, { likes: 5, mentions: 2 })]],
      },
    });

    it('says the counts are 0 where the period has rows', () => {
      expect(reasonOf(zero, '2026-W10', 'social_engagement_rate')).toBe(
        'the follower counts at the end of the period are 0 (division by zero)',
      );
      expect(metric(zero, '2026-W10', 'social_engagement_rate').breakdown).toEqual({
        mastodon: null,
      });
    });

    it('takes a count of 0 as a follower count: a later week without rows has no rows', () => {
      expect(reasonOf(zero, '2026-W11', 'social_engagement_rate')).toBe(
        'no social rows dated in the period',
      );
      expect(reasonOf(zero, '2026-W11', 'social_mentions')).toBe(
        'no social rows dated in the period',
      );
    });
  });

  describe('social_mentions', async () => {
    it('sums mentions in the period', async () => {
      // W10: 4 + 1 + 0 = 5; W11: its 9 Mar row has no mentions → 0. W01 has no row at all:
      // null (amendment 21; it was 0 before).
      expect(valueIn(result, '2026-W10', 'social_mentions')).toBe(5);
      expect(valueIn(result, '2026-W11', 'social_mentions')).toBe(0);
      expect(reasonOf(result, '2026-W01', 'social_mentions')).toBe(
        'no social rows dated in the period',
      );
    });
  });

  describe('a period the export does not cover', async () => {
    it('has no engagement rate and no mentions, though followers are known', async () => {
      // W20 = [11 May, 18 May): no row dated in it; followers at its end are known
      // (2000 + 500 + 300), but 0 % engagement and 0 mentions would be made up.
      const later = await run({ periods: ['2026-W20'], data: { social: [ROWS] } });
      for (const id of ['social_engagement_rate', 'social_mentions']) {
        expect(reasonOf(later, '2026-W20', id)).toBe('no social rows dated in the period');
      }
    });
  });

  it('is null with a reason when the export has no engagement or mentions values', async () => {
    const followersOnly = await run({
      periods: ['2026-W10'],
      data: { social: [[social('2026-03-03T00:00:00Z', 'twitter', 1000)]] },
    });
    expect(reasonOf(followersOnly, '2026-W10', 'social_engagement_rate')).toBe(
      'no likes, comments, shares or reposts values in the social export',
    );
    expect(reasonOf(followersOnly, '2026-W10', 'social_mentions')).toBe(
      'no mentions values in the social export',
    );
  });

  it('is null with a reason without a social export, or with an empty one', async () => {
    const absent = await run({ periods: ['2026-W10'], data: {} });
    const empty = await run({ periods: ['2026-W10'], data: { social: [[]] } });
    for (const id of ['social_engagement_rate', 'social_mentions']) {
      expect(reasonOf(absent, '2026-W10', id)).toBe('no social export');
      expect(reasonOf(empty, '2026-W10', id)).toBe('the social export has no accepted rows');
    }
  });

  it('places dates in the report time zone', async () => {
    const rows = [
      // 2 Mar in Tokyo (1 Mar 15:00Z): Tokyo's W10, UTC's W09.
      social('2026-03-02T00:00:00+09:00', 'x', 100, { likes: 10 }),
      // 9 Mar in Tokyo (8 Mar 15:00Z): Tokyo's W11, UTC's W10.
      social('2026-03-09T00:00:00+09:00', 'x', 200, { likes: 50 }),
    ];
    const tokyo = await run({
      config: { timezone: 'Asia/Tokyo' },
      periods: ['2026-W10'],
      data: { social: [rows] },
    });
    // Tokyo W10: 10 / 100 × 100 = 10.
    expect(valueIn(tokyo, '2026-W10', 'social_engagement_rate')).toBe(10);
    // UTC W10: 50 / 200 × 100 = 25.
    const utc = await run({ periods: ['2026-W10'], data: { social: [rows] } });
    expect(valueIn(utc, '2026-W10', 'social_engagement_rate')).toBe(25);
  });
});
