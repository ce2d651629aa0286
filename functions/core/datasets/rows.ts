/**
 * The shape of one accepted row of each dataset after parsing (DATASETS.md), as zod
 * schemas so that the row types have one source. Timestamps and dates are epoch
 * milliseconds (a bare date is local midnight in the report's time zone); amounts are
 * numbers in the report currency's major unit; optional columns are `undefined` when the
 * column is absent or the cell is empty.
 */
import { z } from 'zod';
import type { DatasetName } from '../config';

const id = z.string().min(1);
const instant = z.number().int();
const text = z.string().min(1).optional();
const count = z.number().int().nonnegative();

export const CustomerRow = z.object({
  customer_id: id,
  created_at: instant,
  acquisition_channel: text,
  segment: text,
  country: text,
  onboarding_completed_at: instant.optional(),
});

export const SubscriptionRow = z.object({
  subscription_id: id,
  customer_id: id,
  started_at: instant,
  ended_at: instant.optional(),
  mrr: z.number().nonnegative().optional(),
  currency: text,
  plan: text,
});

export const OrderRow = z.object({
  order_id: id,
  customer_id: id,
  ordered_at: instant,
  /** Negative for a refund. */
  amount: z.number(),
  currency: text,
  status: text,
});

export const MarketingSpendRow = z.object({
  date: instant,
  channel: id,
  amount: z.number().nonnegative(),
  campaign: text,
  currency: text,
});

export const SurveyResponseRow = z.object({
  response_id: id,
  responded_at: instant,
  survey_type: z.enum(['nps', 'csat', 'ces']),
  /** 0–10 for nps, 1–5 for csat, 1–7 for ces (integers). */
  score: z.number().int(),
  customer_id: text,
  touchpoint: text,
  comment: text,
});

export const EventRow = z.object({
  user_id: id,
  occurred_at: instant,
  event_type: id,
  event_id: text,
  feature: text,
  page: text,
  session_id: text,
});

export const SessionRow = z.object({
  session_id: id,
  user_id: id,
  started_at: instant,
  duration_seconds: z.number().nonnegative(),
  pageviews: count,
  landing_page: text,
  channel: text,
});

export const TicketRow = z.object({
  ticket_id: id,
  created_at: instant,
  customer_id: text,
  channel: text,
  first_response_at: instant.optional(),
  resolved_at: instant.optional(),
});

export const EmailCampaignRow = z.object({
  campaign_id: id,
  sent_at: instant,
  sent: count,
  delivered: count,
  unique_opens: count,
  unique_clicks: count,
  bounces: count.optional(),
  unsubscribes: count.optional(),
  name: text,
});

export const SocialRow = z.object({
  date: instant,
  platform: id,
  followers: count,
  likes: count.optional(),
  comments: count.optional(),
  shares: count.optional(),
  reposts: count.optional(),
  mentions: count.optional(),
  post_id: text,
});

export type CustomerRow = z.infer<typeof CustomerRow>;
export type SubscriptionRow = z.infer<typeof SubscriptionRow>;
export type OrderRow = z.infer<typeof OrderRow>;
export type MarketingSpendRow = z.infer<typeof MarketingSpendRow>;
export type SurveyResponseRow = z.infer<typeof SurveyResponseRow>;
export type EventRow = z.infer<typeof EventRow>;
export type SessionRow = z.infer<typeof SessionRow>;
export type TicketRow = z.infer<typeof TicketRow>;
export type EmailCampaignRow = z.infer<typeof EmailCampaignRow>;
export type SocialRow = z.infer<typeof SocialRow>;

/** Row type by dataset name. */
export interface RowOf {
  customers: CustomerRow;
  subscriptions: SubscriptionRow;
  orders: OrderRow;
  marketing_spend: MarketingSpendRow;
  survey_responses: SurveyResponseRow;
  events: EventRow;
  sessions: SessionRow;
  tickets: TicketRow;
  email_campaigns: EmailCampaignRow;
  social: SocialRow;
}
export type AnyRow = RowOf[DatasetName];
