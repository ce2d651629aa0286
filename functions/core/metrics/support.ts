/** Tickets per period: volume (also per channel) and the median first-response time. */
import type { Duck } from '../duck/db';
import type { PeriodPlan } from './plan';

const MINUTE_MS = 60_000;
/** Breakdown key for tickets without a channel. */
export const NO_CHANNEL = 'unknown';

export interface TicketTally {
  volume: number;
  byChannel: Map<string, number>;
  /**
   * Median of the minutes from creation to first response over the tickets with a response;
   * null when none has one.
   */
  responseMinutesP50: number | null;
}

/**
 * `ticket_volume` (by channel) and `first_response_time_p50`: per period i, the tickets
 * created in [start, end), by channel, and the exact median of their response minutes.
 *
 * The median is that of values.ts `median`: the middle value of the sorted minutes, or
 * (lower + upper) / 2 of the two middle ones. Not DuckDB's `median`/`quantile_cont`, which
 * interpolates as lower + 0.5 × (upper − lower) and can differ in the last bit.
 * Minutes are elapsed time (the difference of two instants), so a response across a DST
 * change is not an hour off.
 */
const TICKETS_SQL = `
  SELECT i, volume, map_keys(by_channel) AS channels, map_values(by_channel) AS channel_counts,
    CASE
      WHEN n = 0 THEN NULL
      WHEN n % 2 = 1 THEN sorted[n // 2 + 1]
      ELSE (sorted[n // 2] + sorted[n // 2 + 1]) / 2
    END AS p50
  FROM (
    SELECT i, volume, by_channel, sorted, coalesce(len(sorted), 0) AS n
    FROM (
      SELECT p.i,
        count(*) AS volume,
        histogram(coalesce(t.channel, $noChannel)) AS by_channel,
        list_sort(list((t.first_response_at - t.created_at)::DOUBLE / $minuteMs)
          FILTER (WHERE t.first_response_at IS NOT NULL)) AS sorted
      FROM tickets t
      JOIN plan_periods p ON t.created_at >= p.start_ms AND t.created_at < p.end_ms
      GROUP BY p.i
    )
  )`;

type TicketGroup = {
  i: number;
  volume: number;
  channels: string[];
  channel_counts: number[];
  p50: number | null;
};

export async function loadTickets(
  db: Duck,
  plan: PeriodPlan,
): Promise<{ period(i: number): TicketTally }> {
  const tallies = plan.periods.map(
    (): TicketTally => ({ volume: 0, byChannel: new Map(), responseMinutesP50: null }),
  );
  const groups = await db.all<TicketGroup>(TICKETS_SQL, {
    noChannel: NO_CHANNEL,
    minuteMs: MINUTE_MS,
  });
  for (const g of groups) {
    tallies[g.i] = {
      volume: g.volume,
      byChannel: new Map(g.channels.map((c, k) => [c, g.channel_counts[k] as number])),
      responseMinutesP50: g.p50,
    };
  }
  return { period: (i) => tallies[i] as TicketTally };
}
