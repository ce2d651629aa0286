/**
 * The metric catalogue (METRICS.md) as data: id, unit, direction, datasets read, and the
 * family the email groups it under. The id is the name everywhere: accumulator, snapshot
 * key, template variable, test `describe`.
 */
import type { DatasetName } from '../config';

/** percent: 0..100; nps: −100..100; money: report currency major unit. */
export type Unit =
  | 'count'
  | 'percent'
  | 'money'
  | 'score'
  | 'nps'
  | 'ratio'
  | 'seconds'
  | 'minutes'
  | 'users'
  | 'orders_per_customer'
  | 'visits';

export type Better = 'up' | 'down';

export type Family =
  | 'customers'
  | 'movements'
  | 'revenue'
  | 'value'
  | 'satisfaction'
  | 'activity'
  | 'support'
  | 'campaigns'
  | 'models';

export interface MetricDefinition {
  readonly id: string;
  readonly label: string;
  readonly unit: Unit;
  readonly better: Better;
  readonly family: Family;
  /** Datasets the metric reads (any one missing → null with a reason), before config choices. */
  readonly datasets: readonly DatasetName[];
  /** One-line definition for the email glossary; METRICS.md has the exact formula. */
  readonly definition: string;
}

const m = (
  id: string,
  label: string,
  unit: Unit,
  better: Better,
  family: Family,
  datasets: DatasetName[],
  definition: string,
): MetricDefinition => ({ id, label, unit, better, family, datasets, definition });

export const METRICS: readonly MetricDefinition[] = [
  // Customer base: `subscriptions`, or `orders` in orders mode (the engine resolves which).
  m(
    'customers_start',
    'Customers at start',
    'count',
    'up',
    'customers',
    [],
    'Customers active at the start of the period.',
  ),
  m(
    'customers_end',
    'Customers',
    'count',
    'up',
    'customers',
    [],
    'Customers active at the end of the period.',
  ),
  m(
    'new_customers',
    'New customers',
    'count',
    'up',
    'customers',
    [],
    'Customers whose first activation falls in the period.',
  ),
  m(
    'churned_customers',
    'Churned customers',
    'count',
    'down',
    'customers',
    [],
    'Active at the start and not active at the end.',
  ),
  m(
    'churn_rate',
    'Churn',
    'percent',
    'down',
    'customers',
    [],
    'Churned customers ÷ customers at start × 100.',
  ),
  m(
    'retention_rate',
    'Retention',
    'percent',
    'up',
    'customers',
    [],
    'Customers active at both start and end ÷ customers at start × 100.',
  ),
  m(
    'mrr_start',
    'MRR at start',
    'money',
    'up',
    'revenue',
    ['subscriptions'],
    'Sum of MRR of subscriptions active at the start.',
  ),
  m(
    'mrr_end',
    'MRR',
    'money',
    'up',
    'revenue',
    ['subscriptions'],
    'Sum of MRR of subscriptions active at the end.',
  ),
  m(
    'revenue_churn_rate',
    'Revenue churn',
    'percent',
    'down',
    'revenue',
    ['subscriptions'],
    'Start MRR of churned customers ÷ MRR at start × 100.',
  ),
  m(
    'net_revenue_retention',
    'Net revenue retention',
    'percent',
    'up',
    'revenue',
    ['subscriptions'],
    'End MRR of the customers active at start ÷ MRR at start × 100.',
  ),
  // Movements (METRICS.md "Movements"): the terms of start + … = end, shown together in the
  // email's movement table rather than as rows of their own.
  m(
    'customers_new_active_at_end',
    'New customers still active',
    'count',
    'up',
    'movements',
    [],
    'Active at the end and never active before the period.',
  ),
  m(
    'reactivated_customers',
    'Reactivated customers',
    'count',
    'up',
    'movements',
    [],
    'Active at the end, not at the start, but active at some time before it.',
  ),
  m(
    'mrr_new',
    'New MRR',
    'money',
    'up',
    'movements',
    ['subscriptions'],
    'End MRR of the new customers still active at the end.',
  ),
  m(
    'mrr_expansion',
    'Expansion MRR',
    'money',
    'up',
    'movements',
    ['subscriptions'],
    'MRR increase of customers active at start and end.',
  ),
  m(
    'mrr_reactivation',
    'Reactivation MRR',
    'money',
    'up',
    'movements',
    ['subscriptions'],
    'End MRR of the reactivated customers.',
  ),
  m(
    'mrr_contraction',
    'Contraction MRR',
    'money',
    'down',
    'movements',
    ['subscriptions'],
    'MRR decrease of customers active at start and end.',
  ),
  m(
    'mrr_churned',
    'Churned MRR',
    'money',
    'down',
    'movements',
    ['subscriptions'],
    'Start MRR of the churned customers.',
  ),
  m(
    'revenue',
    'Revenue',
    'money',
    'up',
    'revenue',
    ['orders'],
    'Order amounts in the period, net of refunds.',
  ),
  m(
    'orders',
    'Orders',
    'count',
    'up',
    'revenue',
    ['orders'],
    'Orders with a positive amount in the period.',
  ),
  m('aov', 'Average order value', 'money', 'up', 'revenue', ['orders'], 'Revenue ÷ orders.'),
  m(
    'purchase_frequency',
    'Purchase frequency',
    'orders_per_customer',
    'up',
    'revenue',
    ['orders'],
    'Orders ÷ customers with an order in the period.',
  ),
  m(
    'arpc',
    'Revenue per customer',
    'money',
    'up',
    'revenue',
    ['orders'],
    'Revenue ÷ customers active at the end.',
  ),
  m(
    'clv_historic',
    'Historic CLV',
    'money',
    'up',
    'value',
    ['orders'],
    'Mean net order total per customer, all orders before the period end.',
  ),
  m(
    'clv_predictive',
    'CLV',
    'money',
    'up',
    'value',
    ['orders'],
    'Revenue per customer × gross margin × expected lifetime (1 ÷ trailing churn).',
  ),
  m(
    'cac',
    'CAC',
    'money',
    'down',
    'value',
    ['marketing_spend'],
    'Marketing spend ÷ new customers (per channel: channel spend ÷ its new customers).',
  ),
  m(
    'ltv_cac_ratio',
    'LTV : CAC',
    'ratio',
    'up',
    'value',
    ['orders', 'marketing_spend'],
    'Predictive CLV ÷ CAC.',
  ),
  m(
    'clv_bgnbd',
    'Model CLV (BG/NBD)',
    'money',
    'up',
    'models',
    ['orders'],
    'Mean discounted CLV per customer over the horizon, BG/NBD × Gamma-Gamma.',
  ),
  m(
    'expected_purchases_next_period',
    'Expected purchases next period',
    'count',
    'up',
    'models',
    ['orders'],
    'BG/NBD expected purchases of all customers in the next period.',
  ),
  m(
    'at_risk_customers',
    'At-risk customers',
    'count',
    'down',
    'models',
    ['orders'],
    'Repeat buyers whose probability of being alive is below the threshold.',
  ),
  m(
    'at_risk_subscribers',
    'At-risk subscribers',
    'count',
    'down',
    'models',
    ['subscriptions'],
    'Customers with a subscription active at the end and at least one at-risk signal: activity drop, failed payment, downgrade, low NPS or open tickets.',
  ),
  m(
    'nps',
    'NPS',
    'nps',
    'up',
    'satisfaction',
    ['survey_responses'],
    '% promoters (9–10) − % detractors (0–6).',
  ),
  m(
    'csat',
    'CSAT',
    'percent',
    'up',
    'satisfaction',
    ['survey_responses'],
    'Responses scoring 4–5 of 5 ÷ responses × 100.',
  ),
  m(
    'csat_avg',
    'CSAT average',
    'score',
    'up',
    'satisfaction',
    ['survey_responses'],
    'Mean CSAT score (1–5).',
  ),
  m(
    'ces',
    'CES',
    'percent',
    'up',
    'satisfaction',
    ['survey_responses'],
    'Responses scoring 5–7 of 7 ÷ responses × 100.',
  ),
  m(
    'ces_avg',
    'CES average',
    'score',
    'up',
    'satisfaction',
    ['survey_responses'],
    'Mean CES score (1–7).',
  ),
  m(
    'survey_responses',
    'Survey responses',
    'count',
    'up',
    'satisfaction',
    ['survey_responses'],
    'Responses in the period, by survey type.',
  ),
  m(
    'dau',
    'DAU',
    'users',
    'up',
    'activity',
    ['events'],
    'Mean daily active users over the days of the period.',
  ),
  m(
    'wau',
    'WAU',
    'users',
    'up',
    'activity',
    ['events'],
    'Users with an event in the (weekly) period.',
  ),
  m(
    'mau',
    'MAU',
    'users',
    'up',
    'activity',
    ['events'],
    'Users with an event in the 30 days ending with the period.',
  ),
  m('stickiness', 'Stickiness', 'percent', 'up', 'activity', ['events'], 'DAU ÷ MAU × 100.'),
  m(
    'sessions',
    'Sessions',
    'count',
    'up',
    'activity',
    ['sessions'],
    'Sessions started in the period.',
  ),
  m(
    'avg_session_duration',
    'Average session',
    'seconds',
    'up',
    'activity',
    ['sessions'],
    'Total session seconds ÷ sessions.',
  ),
  m(
    'bounce_rate',
    'Bounce rate',
    'percent',
    'down',
    'activity',
    ['sessions'],
    'Sessions with one pageview ÷ sessions × 100.',
  ),
  m(
    'pageviews',
    'Pageviews',
    'count',
    'up',
    'activity',
    ['sessions'],
    'Sum of session pageviews (or page_view events).',
  ),
  m(
    'visits_per_user',
    'Visits per user',
    'visits',
    'up',
    'activity',
    ['sessions'],
    'Sessions ÷ users with a session.',
  ),
  m(
    'conversion_rate',
    'Conversion',
    'percent',
    'up',
    'activity',
    ['events'],
    'Users with a conversion event ÷ users with any event × 100.',
  ),
  m(
    'feature_usage',
    'Feature usage',
    'percent',
    'up',
    'activity',
    ['events'],
    'Per feature: users who used it ÷ users with any event × 100.',
  ),
  m(
    'core_action_rate',
    'Core action rate',
    'percent',
    'up',
    'activity',
    ['events'],
    'Users completing a core action ÷ users with any event × 100.',
  ),
  m(
    'first_week_engagement',
    'First-week onboarding',
    'percent',
    'up',
    'activity',
    ['customers'],
    'Share of customers whose first week ended in the period who onboarded within 7 days.',
  ),
  m(
    'ticket_volume',
    'Tickets',
    'count',
    'down',
    'support',
    ['tickets'],
    'Tickets created in the period (also by channel).',
  ),
  m(
    'tickets_per_100_customers',
    'Tickets per 100 customers',
    'count',
    'down',
    'support',
    ['tickets'],
    'Tickets ÷ customers at end × 100.',
  ),
  m(
    'first_response_time_p50',
    'First response (median)',
    'minutes',
    'down',
    'support',
    ['tickets'],
    'Median minutes from ticket creation to first response.',
  ),
  m(
    'email_open_rate',
    'Email open rate',
    'percent',
    'up',
    'campaigns',
    ['email_campaigns'],
    'Unique opens ÷ delivered × 100.',
  ),
  m(
    'email_ctr',
    'Email click rate',
    'percent',
    'up',
    'campaigns',
    ['email_campaigns'],
    'Unique clicks ÷ delivered × 100.',
  ),
  m(
    'email_click_to_open',
    'Click-to-open',
    'percent',
    'up',
    'campaigns',
    ['email_campaigns'],
    'Unique clicks ÷ unique opens × 100.',
  ),
  m(
    'email_bounce_rate',
    'Email bounce rate',
    'percent',
    'down',
    'campaigns',
    ['email_campaigns'],
    'Bounces ÷ sent × 100.',
  ),
  m(
    'social_engagement_rate',
    'Social engagement',
    'percent',
    'up',
    'campaigns',
    ['social'],
    'Likes + comments + shares + reposts ÷ followers at end × 100.',
  ),
  m(
    'social_mentions',
    'Social mentions',
    'count',
    'up',
    'campaigns',
    ['social'],
    'Mentions in the period.',
  ),
];

export const METRIC_IDS = METRICS.map((d) => d.id);
export type MetricId = (typeof METRICS)[number]['id'];

const byId = new Map(METRICS.map((d) => [d.id, d]));

/** The definition of a metric id; throws on an id the catalogue does not have. */
export function metricDefinition(id: string): MetricDefinition {
  const def = byId.get(id);
  if (!def) throw new Error(`unknown metric id "${id}"`);
  return def;
}

/**
 * How a metric's delta is expressed (METRICS.md "Deltas"): percentage points for
 * percentages, an absolute difference for scores and ratios, a relative change in % for
 * counts, money and other quantities.
 */
export type DeltaKind = 'pp' | 'absolute' | 'relative';
export function deltaKind(unit: Unit): DeltaKind {
  switch (unit) {
    case 'percent':
      return 'pp';
    case 'score':
    case 'nps':
    case 'ratio':
      return 'absolute';
    default:
      return 'relative';
  }
}
