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
 * created in [start, end), by channel, and the median of their response minutes.
 *
 * Minutes are elapsed time (the difference of two instants), so a response across a DST
 * change is not an hour off. DuckDB's `median` of doubles is the middle value, or
 * lo × ½ + hi × ½ of the two middle ones — (lo + hi) / 2 to the bit, since halving is
 * exact: the same number as values.ts `median` (checked on the installed DuckDB, also on
 * pairs where lo + (hi − lo) / 2 would differ in the last bit).
 */
const TICKETS_SQL = `
  SELECT p.i,
    count(*) AS volume,
    histogram(coalesce(t.channel, $noChannel)) AS by_channel,
    median((t.first_response_at - t.created_at)::DOUBLE / $minuteMs) AS p50
  FROM tickets t
  JOIN plan_periods p ON t.created_at >= p.start_ms AND t.created_at < p.end_ms
  GROUP BY p.i`;

type TicketGroup = {
  i: number;
  volume: number;
  by_channel: { key: string; value: number | bigint }[];
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
      byChannel: new Map(g.by_channel.map(({ key, value }) => [key, Number(value)])),
      responseMinutesP50: g.p50,
    };
  }
  return { period: (i) => tallies[i] as TicketTally };
}
