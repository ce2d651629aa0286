/** Survey responses per period and type: counts for `nps`, `csat`, `ces` and their means. */
import type { SurveyResponseRow } from '../datasets/rows';
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

function emptyTally(): SurveyTally {
  return { responses: 0, scoreSum: 0, top: 0, detractors: 0 };
}

export class Surveys {
  rows = 0;
  private readonly plan: PeriodPlan;
  private readonly tallies: Record<SurveyType, SurveyTally>[];

  constructor(plan: PeriodPlan) {
    this.plan = plan;
    this.tallies = plan.periods.map(() => ({
      nps: emptyTally(),
      csat: emptyTally(),
      ces: emptyTally(),
    }));
  }

  add(row: SurveyResponseRow): void {
    this.rows++;
    const p = this.plan.locate(row.responded_at);
    if (p < 0) return;
    const t = (this.tallies[p] as Record<SurveyType, SurveyTally>)[row.survey_type];
    t.responses++;
    t.scoreSum += row.score;
    if (row.score >= TOP_FROM[row.survey_type]) t.top++;
    if (row.survey_type === 'nps' && row.score <= NPS_DETRACTOR_MAX) t.detractors++;
  }

  period(i: number): Record<SurveyType, SurveyTally> {
    return this.tallies[i] as Record<SurveyType, SurveyTally>;
  }
}
