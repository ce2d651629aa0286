/**
 * Survey metrics (METRICS.md "Surveys"): `nps`, `csat`, `csat_avg`, `ces`, `ces_avg`,
 * `survey_responses`, on hand-made responses; expected values worked out in the comments.
 */
import { describe, expect, it } from 'vitest';
import { metric, reasonOf, run, survey, valueIn } from './helpers';

// UTC ISO weeks of 2026: W10 = [Mon 2 Mar, Mon 9 Mar), W11 = [9 Mar, 16 Mar).
const IN_W10 = '2026-03-04T12:00:00Z';
const RESPONSES = [
  // nps in W10: 10, 9, 8, 7, 6, 0, 10 → promoters 3 (10, 9, 10), detractors 2 (6, 0).
  survey('n1', '2026-03-02T00:00:00Z', 'nps', 10), // exactly W10's start: W10
  survey('n2', IN_W10, 'nps', 9),
  survey('n3', IN_W10, 'nps', 8),
  survey('n4', IN_W10, 'nps', 7),
  survey('n5', IN_W10, 'nps', 6),
  survey('n6', IN_W10, 'nps', 0),
  survey('n7', '2026-03-08T23:59:59Z', 'nps', 10),
  survey('n8', '2026-03-09T00:00:00Z', 'nps', 10), // exactly W10's end: W11
  // csat in W10: 5, 4, 3, 1 → top two boxes (4–5): 2.
  survey('c1', IN_W10, 'csat', 5),
  survey('c2', IN_W10, 'csat', 4),
  survey('c3', IN_W10, 'csat', 3),
  survey('c4', IN_W10, 'csat', 1),
  // ces in W10: 7, 5, 4, 1, 6 → 5 or more: 3.
  survey('e1', IN_W10, 'ces', 7),
  survey('e2', IN_W10, 'ces', 5),
  survey('e3', IN_W10, 'ces', 4),
  survey('e4', IN_W10, 'ces', 1),
  survey('e5', IN_W10, 'ces', 6),
];

describe('survey metrics', async () => {
  const result = await run({
    periods: ['2026-W10', '2026-W11'],
    data: { survey_responses: [RESPONSES] },
  });

  describe('nps', async () => {
    it('is % promoters − % detractors', async () => {
      // W10: (3 − 2) / 7 × 100 = 14.285714…
      expect(valueIn(result, '2026-W10', 'nps')).toBeCloseTo(100 / 7, 12);
      // W11: only n8 (on W10's end), a promoter: 100.
      expect(valueIn(result, '2026-W11', 'nps')).toBe(100);
    });

    it('is 0, not null, when every response is passive', async () => {
      const passive = await run({
        periods: ['2026-W10'],
        data: {
          survey_responses: [[survey('p1', IN_W10, 'nps', 7), survey('p2', IN_W10, 'nps', 8)]],
        },
      });
      // (0 − 0) / 2 × 100 = 0.
      expect(valueIn(passive, '2026-W10', 'nps')).toBe(0);
    });
  });

  describe('csat', async () => {
    it('is responses scoring 4 or 5 / responses × 100', async () => {
      // 2 / 4 × 100 = 50.
      expect(valueIn(result, '2026-W10', 'csat')).toBe(50);
    });

    it('is null with a reason when the period has no csat response', async () => {
      expect(reasonOf(result, '2026-W11', 'csat')).toBe('no csat responses in the period');
    });
  });

  describe('csat_avg', async () => {
    it('is the mean score', async () => {
      // (5 + 4 + 3 + 1) / 4 = 3.25.
      expect(valueIn(result, '2026-W10', 'csat_avg')).toBe(3.25);
      expect(reasonOf(result, '2026-W11', 'csat_avg')).toBe('no csat responses in the period');
    });
  });

  describe('ces', async () => {
    it('is responses scoring 5 or more of 7 / responses × 100', async () => {
      // 3 / 5 × 100 = 60.
      expect(valueIn(result, '2026-W10', 'ces')).toBe(60);
      expect(reasonOf(result, '2026-W11', 'ces')).toBe('no ces responses in the period');
    });
  });

  describe('ces_avg', async () => {
    it('is the mean score', async () => {
      // (7 + 5 + 4 + 1 + 6) / 5 = 23 / 5 = 4.6.
      expect(valueIn(result, '2026-W10', 'ces_avg')).toBe(4.6);
    });
  });

  describe('survey_responses', async () => {
    it('counts the responses of the period, broken down by type', async () => {
      // W10: 7 nps + 4 csat + 5 ces = 16.
      expect(valueIn(result, '2026-W10', 'survey_responses')).toBe(16);
      expect(metric(result, '2026-W10', 'survey_responses').breakdown).toEqual({
        ces: 5,
        csat: 4,
        nps: 7,
      });
      // W11: n8 only.
      expect(valueIn(result, '2026-W11', 'survey_responses')).toBe(1);
      expect(metric(result, '2026-W11', 'survey_responses').breakdown).toEqual({
        ces: 0,
        csat: 0,
        nps: 1,
      });
    });
  });

  it('keeps the last row of a response id exported twice', async () => {
    const result = await run({
      periods: ['2026-W10'],
      data: {
        survey_responses: [
          [survey('r1', IN_W10, 'csat', 1), survey('r2', IN_W10, 'csat', 5)],
          [survey('r1', IN_W10, 'csat', 4)],
        ],
      },
    });
    // r1 is 4 (the later file), r2 5: 2 responses, both satisfied → 100; mean 4.5.
    expect(valueIn(result, '2026-W10', 'survey_responses')).toBe(2);
    expect(valueIn(result, '2026-W10', 'csat')).toBe(100);
    expect(valueIn(result, '2026-W10', 'csat_avg')).toBe(4.5);
  });

  it('is null with a reason without a survey_responses export, or with an empty one', async () => {
    const ids = ['nps', 'csat', 'csat_avg', 'ces', 'ces_avg', 'survey_responses'];
    const absent = await run({ periods: ['2026-W10'], data: {} });
    const empty = await run({ periods: ['2026-W10'], data: { survey_responses: [[]] } });
    for (const id of ids) {
      expect(reasonOf(absent, '2026-W10', id)).toBe('no survey_responses export');
      expect(reasonOf(empty, '2026-W10', id)).toBe(
        'the survey_responses export has no accepted rows',
      );
    }
  });

  it('places responses in the report time zone', async () => {
    // Asia/Tokyo (+09:00): W10 = [1 Mar 15:00Z, 8 Mar 15:00Z).
    const rows = [
      survey('t1', '2026-03-01T15:00:00Z', 'nps', 10), // 2 Mar 00:00 JST: W10's start
      survey('t2', '2026-03-08T14:59:59Z', 'nps', 0), // 8 Mar 23:59:59 JST: W10
      survey('t3', '2026-03-08T16:00:00Z', 'nps', 0), // 9 Mar 01:00 JST: W11
      survey('t4', '2026-03-01T14:00:00Z', 'nps', 0), // 1 Mar 23:00 JST: W09
    ];
    const tokyo = await run({
      config: { timezone: 'Asia/Tokyo' },
      periods: ['2026-W10'],
      data: { survey_responses: [rows] },
    });
    // t1 promoter, t2 detractor: (1 − 1) / 2 × 100 = 0.
    expect(valueIn(tokyo, '2026-W10', 'survey_responses')).toBe(2);
    expect(valueIn(tokyo, '2026-W10', 'nps')).toBe(0);
    // In UTC, W10 = [2 Mar 00:00Z, 9 Mar 00:00Z) holds t2 and t3 (two detractors) → −100.
    const utc = await run({ periods: ['2026-W10'], data: { survey_responses: [rows] } });
    expect(valueIn(utc, '2026-W10', 'nps')).toBe(-100);
  });
});
