/** Survey responses per period and type: counts for `nps`, `csat`, `ces` and their means. */
import type { SurveyResponseRow } from '../datasets/rows';
import type { Duck } from '../duck/db';
import type { PeriodPlan } from './plan';

export interface SurveyTally {
  responses: number;
  scoreSum: number;
  /** nps: 9–10; csat: 4–5; ces: 5–7 — the "top" answers of each scale. */
  top: number;
  /** nps only: 0–6. */
  detractors: number;
}

export type SurveyType = SurveyResponseRow['survey_type'];
export const SURVEY_TYPES: readonly SurveyType[] = ['nps', 'csat', 'ces'];

/** Lowest score of the top answers per scale (METRICS.md "Surveys"). */
const TOP_FROM: Record<SurveyType, number> = { nps: 9, csat: 4, ces: 5 };
/** NPS detractors score 0–6. */
const NPS_DETRACTOR_MAX = 6;

/**
 * `nps`, `csat`, `csat_avg`, `ces`, `ces_avg`, `survey_responses`: per period i and survey
 * type, the responses with `responded_at` in [start, end), their score sum, the top answers
 * and (nps) the detractors.
 */
const SURVEYS_SQL = `
  SELECT p.i, s.survey_type AS type,
    count(*) AS responses,
    sum(s.score) AS score_sum,
    count(*) FILTER (WHERE s.score >= CASE s.survey_type
      WHEN 'nps' THEN $npsTop WHEN 'csat' THEN $csatTop WHEN 'ces' THEN $cesTop END) AS top,
    count(*) FILTER (WHERE s.survey_type = 'nps' AND s.score <= $npsDetractorMax) AS detractors
  FROM survey_responses s
  JOIN plan_periods p ON s.responded_at >= p.start_ms AND s.responded_at < p.end_ms
  GROUP BY p.i, s.survey_type`;

type SurveyGroup = {
  i: number;
  type: SurveyType;
  responses: number;
  score_sum: number;
  top: number;
  detractors: number;
};

function emptyTally(): SurveyTally {
  return { responses: 0, scoreSum: 0, top: 0, detractors: 0 };
}

export async function loadSurveys(
  db: Duck,
  plan: PeriodPlan,
): Promise<{ period(i: number): Record<SurveyType, SurveyTally> }> {
  const tallies = plan.periods.map(
    (): Record<SurveyType, SurveyTally> => ({
      nps: emptyTally(),
      csat: emptyTally(),
      ces: emptyTally(),
    }),
  );
  const groups = await db.all<SurveyGroup>(SURVEYS_SQL, {
    npsTop: TOP_FROM.nps,
    csatTop: TOP_FROM.csat,
    cesTop: TOP_FROM.ces,
    npsDetractorMax: NPS_DETRACTOR_MAX,
  });
  for (const g of groups) {
    (tallies[g.i] as Record<SurveyType, SurveyTally>)[g.type] = {
      responses: g.responses,
      scoreSum: g.score_sum,
      top: g.top,
      detractors: g.detractors,
    };
  }
  return { period: (i) => tallies[i] as Record<SurveyType, SurveyTally> };
}
