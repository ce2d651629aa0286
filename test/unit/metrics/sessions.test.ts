/**
 * Session metrics (METRICS.md "Product activity"): `sessions`, `avg_session_duration`,
 * `bounce_rate`, `pageviews`, `visits_per_user`, on hand-made sessions; expected values
 * worked out in the comments.
 */
import { describe, expect, it } from 'vitest';
import { event, reasonOf, run, session, valueIn } from './helpers';

// UTC ISO weeks of 2026: W10 = [2 Mar, 9 Mar), W11 = [9 Mar, 16 Mar), W12 = [16 Mar, 23 Mar).
const SESSIONS = [
  session('s1', 'u1', '2026-03-02T00:00:00Z', 120, 1), // W10's start; a bounce
  session('s2', 'u1', '2026-03-04T10:00:00Z', 300, 5),
  session('s3', 'u2', '2026-03-08T23:59:59Z', 60, 1), // a bounce
  session('s4', 'u3', '2026-03-09T00:00:00Z', 30, 2), // W10's end: W11
  session('s5', 'u2', '2026-02-28T10:00:00Z', 999, 9), // W09, not requested
];
// W10: s1, s2, s3 — 480 s, 7 pageviews, 2 bounces, users u1, u2.
// W11: s4 — 30 s, 2 pageviews, no bounce, user u3. W12: nothing.

const PERIODS = ['2026-W10', '2026-W11', '2026-W12'];

describe('session metrics', async () => {
  const result = await run({ periods: PERIODS, data: { sessions: [SESSIONS] } });

  describe('sessions', async () => {
    it('counts sessions started in [start, end)', () => {
      expect(valueIn(result, '2026-W10', 'sessions')).toBe(3);
      expect(valueIn(result, '2026-W11', 'sessions')).toBe(1);
      expect(valueIn(result, '2026-W12', 'sessions')).toBe(0);
    });
  });

  describe('avg_session_duration', async () => {
    it('is total seconds / sessions', async () => {
      // W10: (120 + 300 + 60) / 3 = 160; W11: 30 / 1 = 30.
      expect(valueIn(result, '2026-W10', 'avg_session_duration')).toBe(160);
      expect(valueIn(result, '2026-W11', 'avg_session_duration')).toBe(30);
    });
  });

  describe('bounce_rate', async () => {
    it('is sessions with exactly one pageview / sessions × 100', async () => {
      // W10: 2 / 3 × 100 = 66.67; W11: 0 / 1 = 0.
      expect(valueIn(result, '2026-W10', 'bounce_rate')).toBeCloseTo(200 / 3, 12);
      expect(valueIn(result, '2026-W11', 'bounce_rate')).toBe(0);
    });
  });

  describe('pageviews', async () => {
    it('sums session pageviews', async () => {
      // W10: 1 + 5 + 1 = 7; W11: 2; W12: 0.
      expect(valueIn(result, '2026-W10', 'pageviews')).toBe(7);
      expect(valueIn(result, '2026-W11', 'pageviews')).toBe(2);
      expect(valueIn(result, '2026-W12', 'pageviews')).toBe(0);
    });

    it('prefers sessions over page_view events when both exports exist', async () => {
      const both = await run({
        periods: ['2026-W10'],
        data: {
          sessions: [SESSIONS],
          events: [[event('u1', '2026-03-03T00:00:00Z', 'page_view')]],
        },
      });
      expect(valueIn(both, '2026-W10', 'pageviews')).toBe(7);
    });

    it('is null with the sessions reason when the sessions export is empty', async () => {
      const emptySessions = await run({
        periods: ['2026-W10'],
        data: {
          sessions: [[]],
          events: [[event('u1', '2026-03-03T00:00:00Z', 'page_view')]],
        },
      });
      expect(reasonOf(emptySessions, '2026-W10', 'pageviews')).toBe(
        'the sessions export has no accepted rows',
      );
    });
  });

  describe('visits_per_user', async () => {
    it('is sessions / users with a session in the period', async () => {
      // W10: 3 / 2 (u1, u2) = 1.5; W11: 1 / 1 = 1.
      expect(valueIn(result, '2026-W10', 'visits_per_user')).toBe(1.5);
      expect(valueIn(result, '2026-W11', 'visits_per_user')).toBe(1);
    });
  });

  it('is null with a reason for the rates of a period without sessions', async () => {
    for (const id of ['avg_session_duration', 'bounce_rate', 'visits_per_user']) {
      expect(reasonOf(result, '2026-W12', id)).toBe('no sessions in the period (division by zero)');
    }
  });

  it('keeps the last row of a session id exported twice', async () => {
    const result = await run({
      periods: ['2026-W10'],
      data: { sessions: [SESSIONS, [session('s2', 'u1', '2026-03-04T10:00:00Z', 600, 1)]] },
    });
    // s2 is now 600 s with one pageview: (120 + 600 + 60) / 3 = 260 s; 3 bounces of 3.
    expect(valueIn(result, '2026-W10', 'sessions')).toBe(3);
    expect(valueIn(result, '2026-W10', 'avg_session_duration')).toBe(260);
    expect(valueIn(result, '2026-W10', 'bounce_rate')).toBe(100);
  });

  it('is null with a reason without a sessions export, or with an empty one', async () => {
    const ids = ['sessions', 'avg_session_duration', 'bounce_rate', 'visits_per_user'];
    const absent = await run({ periods: ['2026-W10'], data: {} });
    const empty = await run({ periods: ['2026-W10'], data: { sessions: [[]] } });
    for (const id of ids) {
      expect(reasonOf(absent, '2026-W10', id)).toBe('no sessions export');
      expect(reasonOf(empty, '2026-W10', id)).toBe('the sessions export has no accepted rows');
    }
  });

  it('places sessions in the report time zone', async () => {
    // Asia/Kolkata (+05:30): W10 = [1 Mar 18:30Z, 8 Mar 18:30Z).
    const rows = [
      session('k1', 'u1', '2026-03-01T18:30:00Z', 10, 1), // 2 Mar 00:00 IST: W10's start
      session('k2', 'u1', '2026-03-08T18:29:59Z', 20, 3), // 8 Mar 23:59:59 IST: W10
      session('k3', 'u2', '2026-03-08T18:30:00Z', 40, 2), // 9 Mar 00:00 IST: W11
      session('k4', 'u2', '2026-03-01T18:29:59Z', 80, 2), // 1 Mar 23:59:59 IST: W09
    ];
    const kolkata = await run({
      config: { timezone: 'Asia/Kolkata' },
      periods: ['2026-W10'],
      data: { sessions: [rows] },
    });
    // k1, k2: 2 sessions, (10 + 20) / 2 = 15 s, 1 bounce of 2 = 50 %, 1 user.
    expect(valueIn(kolkata, '2026-W10', 'sessions')).toBe(2);
    expect(valueIn(kolkata, '2026-W10', 'avg_session_duration')).toBe(15);
    expect(valueIn(kolkata, '2026-W10', 'bounce_rate')).toBe(50);
    expect(valueIn(kolkata, '2026-W10', 'visits_per_user')).toBe(2);
    // In UTC, W10 = [2 Mar 00:00Z, 9 Mar 00:00Z) holds k2 and k3: (20 + 40) / 2 = 30 s.
    const utc = await run({ periods: ['2026-W10'], data: { sessions: [rows] } });
    expect(valueIn(utc, '2026-W10', 'avg_session_duration')).toBe(30);
  });
});
