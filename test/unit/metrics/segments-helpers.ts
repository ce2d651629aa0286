/** Runs the engine on hand-made rows and returns one period's metrics and segment breakdowns. */
import { parseConfig, type ReportConfigInput } from '../../../functions/core/config';
import type { MetricValue, SegmentBreakdown } from '../../../functions/core/snapshot';
import { parsePeriodKey } from '../../../functions/core/time/periods';
import { type Data, withComputed } from './helpers';

/** Metrics and segment breakdowns of one period. */
export function runSegments(
  data: Data,
  period: string,
  config: ReportConfigInput = {},
): Promise<{ metrics: Record<string, MetricValue>; segments: SegmentBreakdown[] | undefined }> {
  const key = parsePeriodKey(period, parseConfig(config).timezone).key;
  return withComputed(config, [period], data, (result) => ({
    metrics: result.metrics[0] as Record<string, MetricValue>,
    segments: result.segments.get(key),
  }));
}
