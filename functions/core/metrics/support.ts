/**
 * Tickets per period: volume (also per channel) and the first-response times in minutes.
 * The response times of a period are kept to take an exact median; tickets are an entity
 * dataset, already held per id for de-duplication, so this adds one number per ticket.
 */
import type { TicketRow } from '../datasets/rows';
import type { PeriodPlan } from './plan';

const MINUTE_MS = 60_000;
/** Breakdown key for tickets without a channel. */
export const NO_CHANNEL = 'unknown';

export interface TicketTally {
  volume: number;
  byChannel: Map<string, number>;
  /** Minutes from creation to first response, tickets with a response only. */
  responseMinutes: number[];
}

export class Tickets {
  rows = 0;
  private readonly plan: PeriodPlan;
  private readonly tallies: TicketTally[];

  constructor(plan: PeriodPlan) {
    this.plan = plan;
    this.tallies = plan.periods.map(() => ({
      volume: 0,
      byChannel: new Map<string, number>(),
      responseMinutes: [],
    }));
  }

  add(row: TicketRow): void {
    this.rows++;
    const p = this.plan.locate(row.created_at);
    if (p < 0) return;
    const t = this.tallies[p] as TicketTally;
    t.volume++;
    const channel = row.channel ?? NO_CHANNEL;
    t.byChannel.set(channel, (t.byChannel.get(channel) ?? 0) + 1);
    if (row.first_response_at !== undefined) {
      // Elapsed time, not wall time: a response across a DST change is not an hour off.
      t.responseMinutes.push((row.first_response_at - row.created_at) / MINUTE_MS);
    }
  }

  period(i: number): TicketTally {
    return this.tallies[i] as TicketTally;
  }
}
