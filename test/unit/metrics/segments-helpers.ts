/** Runs the engine on hand-made rows and returns one period's metrics and segment breakdowns. */
import {
  type DatasetName,
  parseConfig,
  type ReportConfigInput,
} from '../../../functions/core/config';
import type { RowOf } from '../../../functions/core/datasets/rows';
import { withDuck } from '../../../functions/core/duck/db';
import { appendRows, createDatasetTables } from '../../../functions/core/duck/tables';
import { computeMetrics } from '../../../functions/core/metrics/compute';
import type { MetricValue, SegmentBreakdown } from '../../../functions/core/snapshot';
import { parsePeriodKey } from '../../../functions/core/time/periods';
import type { Data } from './helpers';

/** Metrics and segment breakdowns of one period. */
export async function runSegments(
  data: Data,
  period: string,
  config: ReportConfigInput = {},
): Promise<{ metrics: Record<string, MetricValue>; segments: SegmentBreakdown[] | undefined }> {
  const parsed = parseConfig(config);
  const p = parsePeriodKey(period, parsed.timezone);
  const datasets = Object.keys(data) as DatasetName[];
  return withDuck(async (db) => {
    await createDatasetTables(db);
    for (const dataset of datasets) {
      const files = data[dataset] as RowOf[typeof dataset][][];
      for (const [file, rows] of files.entries()) await appendRows(db, dataset, file, rows);
    }
    const result = await computeMetrics(db, {
      config: parsed,
      periods: [p],
      datasetsWithFiles: datasets,
    });
    return {
      metrics: result.metrics[0] as Record<string, MetricValue>,
      segments: result.segments.get(p.key),
    };
  });
}
