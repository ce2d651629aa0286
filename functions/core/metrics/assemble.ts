/**
 * From the families' per-period aggregates (SQL, metrics/<family>.ts) to the metric values of
 * one period. Every formula of
 * METRICS.md is applied here, once; the joins across datasets (new customers × acquisition
 * channel, customers × onboarding events, tickets and revenue × the customer base) happen
 * here too, at result time, so the order in which datasets are read does not matter.
 */
import type { DatasetName, ReportConfig } from '../config';
import type { MetricValue } from '../snapshot';
import type { ActivityPeriod } from './activity';
import type { AtRiskState } from './at-risk';
import type { CustomerBaseState } from './customer-base';
import type { FirstWeekState } from './customers';
import type { EmailTally } from './email';
import type { SpendPeriod } from './marketing';
import { type BoundaryPair, MAU_WINDOW_DAYS, type PeriodPlan } from './plan';
import type { HistoricValue, RevenuePeriod } from './revenue';
import type { SessionTally } from './sessions';
import type { SocialPeriod } from './social';
import type { TicketTally } from './support';
import { SURVEY_TYPES, type SurveyTally, type SurveyType } from './surveys';
import {
  divide,
  divideOrNull,
  fromOutcome,
  known,
  missing,
  netPromoterScore,
  type Outcome,
} from './values';

/** `absent`: no file; `empty`: files but no accepted row; `present`: at least one row. */
export type DatasetStatus = 'absent' | 'empty' | 'present';

/**
 * What each family's SQL (metrics/<family>.ts) hands the formulas: per-period aggregates,
 * read by period index i of `plan.periods`. A family whose dataset is not `present` is not
 * queried at all and is null here; every formula checks `unusable` first.
 */
export interface RevenueState {
  period(i: number): RevenuePeriod;
  historic(i: number): HistoricValue;
}
export interface SpendState {
  period(i: number): SpendPeriod;
}
export interface SurveysState {
  period(i: number): Record<SurveyType, SurveyTally>;
}
export interface ActivityState {
  period(i: number): ActivityPeriod;
}
export interface SessionsState {
  period(i: number): SessionTally;
}
export interface TicketsState {
  period(i: number): TicketTally;
}
export interface EmailState {
  readonly hasBounces: boolean;
  period(i: number): EmailTally;
}
export interface SocialState {
  readonly hasEngagement: boolean;
  readonly hasMentions: boolean;
  period(i: number): SocialPeriod;
}

export interface EngineState {
  plan: PeriodPlan;
  config: ReportConfig;
  status: Record<DatasetName, DatasetStatus>;
  /** The customer base of the activity mode; null when its dataset is unusable. */
  base: CustomerBaseState | null;
  /** Why `base` is null. */
  baseReason: string;
  /** The subscriptions-based base (MRR metrics), also in orders mode when subscriptions exist. */
  mrrBase: CustomerBaseState | null;
  revenue: RevenueState | null;
  marketing: SpendState | null;
  firstWeek: FirstWeekState | null;
  surveys: SurveysState | null;
  activity: ActivityState | null;
  sessions: SessionsState | null;
  tickets: TicketsState | null;
  email: EmailState | null;
  social: SocialState | null;
  /** The at-risk signals (metrics/at-risk.ts); null outside subscriptions mode or without subscriptions. */
  atRisk: AtRiskState | null;
  /** Why `atRisk` is null. */
  atRiskReason: string;
}

/** A family's state, known to be there because its dataset passed `unusable`. */
function loaded<T>(state: T | null, family: string): T {
  if (state === null) throw new Error(`the ${family} family was not loaded`);
  return state;
}

/** Plain-English reason why a dataset cannot feed a metric, or undefined when it can. */
export function unusable(state: EngineState, dataset: DatasetName): string | undefined {
  switch (state.status[dataset]) {
    case 'absent':
      return `no ${dataset} export`;
    case 'empty':
      return `the ${dataset} export has no accepted rows`;
    case 'present':
      return undefined;
  }
}

const NO_START = 'no customers at the start of the period (division by zero)';
const NO_END = 'no customers active at the end of the period (division by zero)';

/** Computes every engine metric of period i (index into `plan.periods`). */
export function periodMetrics(state: EngineState, i: number): Record<string, MetricValue> {
  const { plan } = state;
  const out: Record<string, MetricValue> = {};
  const put = (mv: MetricValue, id: string) => {
    out[id] = mv;
  };
  const pair = plan.own[i] as BoundaryPair;
  const period = plan.periods[i];
  if (!period) throw new RangeError(`no period ${i}`);

  // ---- Customer base ------------------------------------------------------------------
  const base = state.base;
  const c = base ? base.counts(pair) : undefined;
  const customerBaseIds = [
    'customers_start',
    'customers_end',
    'new_customers',
    'churned_customers',
    'churn_rate',
    'retention_rate',
    'customers_new_active_at_end',
    'reactivated_customers',
  ];
  if (!c) {
    for (const id of customerBaseIds) put(missing(id, state.baseReason), id);
  } else {
    put(known('customers_start', c.start), 'customers_start');
    put(known('customers_end', c.end), 'customers_end');
    put(known('new_customers', (base as CustomerBaseState).newCustomers(i)), 'new_customers');
    put(known('churned_customers', c.churned), 'churned_customers');
    put(fromOutcome('churn_rate', divide(c.churned, c.start, 100, NO_START)), 'churn_rate');
    put(
      fromOutcome('retention_rate', divide(c.retained, c.start, 100, NO_START)),
      'retention_rate',
    );
    // Movements: customers_start + customers_new_active_at_end + reactivated_customers −
    // churned_customers = customers_end, each term counted on its own in SQL.
    put(known('customers_new_active_at_end', c.newActiveAtEnd), 'customers_new_active_at_end');
    put(known('reactivated_customers', c.reactivated), 'reactivated_customers');
  }

  // ---- MRR ----------------------------------------------------------------------------
  const mrrIds = [
    'mrr_start',
    'mrr_end',
    'revenue_churn_rate',
    'net_revenue_retention',
    'mrr_new',
    'mrr_expansion',
    'mrr_reactivation',
    'mrr_contraction',
    'mrr_churned',
  ];
  const mrrReason =
    unusable(state, 'subscriptions') ??
    (state.mrrBase?.hasMrr ? undefined : 'no mrr values in the subscriptions export');
  if (mrrReason || !state.mrrBase) {
    for (const id of mrrIds) put(missing(id, mrrReason ?? 'no subscriptions export'), id);
  } else {
    const m = state.mrrBase.counts(pair);
    const zero = 'MRR at the start of the period is 0 (division by zero)';
    put(known('mrr_start', m.mrrStart), 'mrr_start');
    put(known('mrr_end', m.mrrEnd), 'mrr_end');
    put(
      fromOutcome('revenue_churn_rate', divide(m.mrrChurned, m.mrrStart, 100, zero)),
      'revenue_churn_rate',
    );
    put(
      fromOutcome('net_revenue_retention', divide(m.mrrEndOfStartCohort, m.mrrStart, 100, zero)),
      'net_revenue_retention',
    );
    // Movements: mrr_start + mrr_new + mrr_expansion + mrr_reactivation − mrr_contraction −
    // mrr_churned = mrr_end, exactly (integer millionths, customer-base.ts).
    put(known('mrr_new', m.mrrNew), 'mrr_new');
    put(known('mrr_expansion', m.mrrExpansion), 'mrr_expansion');
    put(known('mrr_reactivation', m.mrrReactivation), 'mrr_reactivation');
    put(known('mrr_contraction', m.mrrContraction), 'mrr_contraction');
    put(known('mrr_churned', m.mrrChurned), 'mrr_churned');
  }

  // ---- Revenue and value --------------------------------------------------------------
  const ordersReason = unusable(state, 'orders');
  let arpc: Outcome;
  if (ordersReason) {
    for (const id of ['revenue', 'orders', 'aov', 'purchase_frequency', 'clv_historic']) {
      put(missing(id, ordersReason), id);
    }
    arpc = { reason: ordersReason };
  } else {
    const revenue = loaded(state.revenue, 'revenue');
    const r = revenue.period(i);
    const noOrders = 'no orders in the period (division by zero)';
    put(known('revenue', r.revenue), 'revenue');
    put(known('orders', r.orders), 'orders');
    put(fromOutcome('aov', divide(r.revenue, r.orders, 1, noOrders)), 'aov');
    put(
      fromOutcome('purchase_frequency', divide(r.orders, r.buyers, 1, noOrders)),
      'purchase_frequency',
    );
    const h = revenue.historic(i);
    put(
      fromOutcome(
        'clv_historic',
        divide(h.total, h.customers, 1, 'no customer has an order before the end of the period'),
      ),
      'clv_historic',
    );
    arpc = c ? divide(r.revenue, c.end, 1, NO_END) : { reason: state.baseReason };
  }
  put(fromOutcome('arpc', arpc), 'arpc');

  const clv = predictiveClv(state, i, arpc);
  put(fromOutcome('clv_predictive', clv), 'clv_predictive');

  const cac = customerAcquisitionCost(state, i);
  put(cac, 'cac');

  let ratio: Outcome;
  if (!('value' in clv)) ratio = { reason: `CLV is unknown: ${clv.reason}` };
  else if (cac.value === null) ratio = { reason: `CAC is unknown: ${cac.reason ?? ''}` };
  else ratio = divide(clv.value, cac.value, 1, 'CAC is 0: no marketing spend in the period');
  put(fromOutcome('ltv_cac_ratio', ratio), 'ltv_cac_ratio');

  // ---- Surveys ------------------------------------------------------------------------
  Object.assign(out, surveyMetrics(state, i));

  // ---- Product activity ---------------------------------------------------------------
  Object.assign(out, activityMetrics(state, i));
  put(firstWeekEngagement(state, i), 'first_week_engagement');

  // ---- Support ------------------------------------------------------------------------
  const ticketsReason = unusable(state, 'tickets');
  if (ticketsReason) {
    for (const id of ['ticket_volume', 'tickets_per_100_customers', 'first_response_time_p50']) {
      put(missing(id, ticketsReason), id);
    }
  } else {
    const t = loaded(state.tickets, 'tickets').period(i);
    put(known('ticket_volume', t.volume, Object.fromEntries(t.byChannel)), 'ticket_volume');
    put(
      fromOutcome(
        'tickets_per_100_customers',
        c ? divide(t.volume, c.end, 100, NO_END) : { reason: state.baseReason },
      ),
      'tickets_per_100_customers',
    );
    put(
      t.responseMinutesP50 === null
        ? missing('first_response_time_p50', 'no ticket created in the period has a first response')
        : known('first_response_time_p50', t.responseMinutesP50),
      'first_response_time_p50',
    );
  }

  // ---- Campaigns ----------------------------------------------------------------------
  Object.assign(out, emailMetrics(state, i));
  Object.assign(out, socialMetrics(state, i));

  // ---- At risk (subscriptions mode; the model's at_risk_customers is set by its hook) ----
  put(
    !state.atRisk
      ? missing('at_risk_subscribers', state.atRiskReason)
      : state.atRisk.unavailable !== null
        ? missing('at_risk_subscribers', state.atRisk.unavailable)
        : known('at_risk_subscribers', state.atRisk.period(i).subscribers),
    'at_risk_subscribers',
  );
  return out;
}

/**
 * `clv_predictive` = arpc × gross margin × expected lifetime (in periods).
 *
 * Choice: the trailing churn is pooled over the `clv.trailingPeriods` periods ending with P,
 * Σ churned / Σ customers at start, rather than a mean of per-period rates, so that a small
 * period (few customers, a rate of 0 % or 100 %) weighs only as much as its customers.
 * Periods before the first data have no customers at start and contribute nothing. Expected
 * lifetime = 1 / churn (geometric lifetime), capped at `clv.maxLifetimePeriods`, which is
 * also the lifetime when nobody churned.
 */
function predictiveClv(state: EngineState, i: number, arpc: Outcome): Outcome {
  if (!('value' in arpc)) return { reason: `revenue per customer is unknown: ${arpc.reason}` };
  const base = state.base;
  if (!base) return { reason: state.baseReason };
  let churned = 0;
  let atStart = 0;
  const trailing = state.plan.trailing[i] ?? [];
  for (const pair of trailing) {
    const c = base.counts(pair);
    churned += c.churned;
    atStart += c.start;
  }
  if (atStart === 0) {
    return {
      reason: `no customers at the start of any of the ${trailing.length} trailing periods (churn unknown)`,
    };
  }
  const cap = state.plan.maxLifetimePeriods;
  const churn = churned / atStart;
  const lifetime = churn === 0 ? cap : Math.min(1 / churn, cap);
  return { value: arpc.value * state.config.clv.grossMargin * lifetime };
}

/**
 * `cac`: blended = spend in P / new customers in P. Per channel: that channel's spend in P /
 * new customers in P whose `customers.acquisition_channel` is that channel (exact match),
 * null when none; one entry per channel with spend rows in P.
 */
function customerAcquisitionCost(state: EngineState, i: number): MetricValue {
  const reason = unusable(state, 'marketing_spend');
  if (reason) return missing('cac', reason);
  if (!state.base) return missing('cac', state.baseReason);
  const spend = loaded(state.marketing, 'marketing_spend').period(i);
  const newByChannel = state.base.newByChannel(i);
  const newCustomers = state.base.newCustomers(i);
  const breakdown: Record<string, number | null> = {};
  for (const [channel, amount] of spend.byChannel) {
    breakdown[channel] = divideOrNull(amount, newByChannel.get(channel) ?? 0, 1);
  }
  return fromOutcome(
    'cac',
    divide(spend.total, newCustomers, 1, 'no new customers in the period (division by zero)'),
    breakdown,
  );
}

function surveyMetrics(state: EngineState, i: number): Record<string, MetricValue> {
  const ids = ['nps', 'csat', 'csat_avg', 'ces', 'ces_avg', 'survey_responses'];
  const reason = unusable(state, 'survey_responses');
  if (reason) return Object.fromEntries(ids.map((id) => [id, missing(id, reason)]));
  const s = loaded(state.surveys, 'survey_responses').period(i);
  const none = (type: string) => `no ${type} responses in the period`;
  const byType: Record<string, number> = {};
  let total = 0;
  for (const type of SURVEY_TYPES) {
    byType[type] = s[type].responses;
    total += s[type].responses;
  }
  return {
    nps:
      s.nps.responses === 0
        ? missing('nps', none('nps'))
        : known('nps', netPromoterScore(s.nps.top, s.nps.detractors, s.nps.responses)),
    csat: fromOutcome('csat', divide(s.csat.top, s.csat.responses, 100, none('csat'))),
    csat_avg: fromOutcome('csat_avg', divide(s.csat.scoreSum, s.csat.responses, 1, none('csat'))),
    ces: fromOutcome('ces', divide(s.ces.top, s.ces.responses, 100, none('ces'))),
    ces_avg: fromOutcome('ces_avg', divide(s.ces.scoreSum, s.ces.responses, 1, none('ces'))),
    survey_responses: known('survey_responses', total, byType),
  };
}

function activityMetrics(state: EngineState, i: number): Record<string, MetricValue> {
  const out: Record<string, MetricValue> = {};
  const eventsReason = unusable(state, 'events');
  const eventIds = [
    'dau',
    'wau',
    'mau',
    'stickiness',
    'conversion_rate',
    'feature_usage',
    'core_action_rate',
  ];
  const a = eventsReason ? undefined : loaded(state.activity, 'events').period(i);
  if (!a) {
    for (const id of eventIds) out[id] = missing(id, eventsReason ?? 'no events export');
  } else {
    const noUsers = 'no users with an event in the period (division by zero)';
    out.dau = known('dau', a.dau);
    out.wau =
      state.plan.kind === 'week'
        ? known('wau', a.activeUsers)
        : missing(
            'wau',
            `WAU is defined for weekly reports; this report is ${state.plan.kind === 'month' ? 'monthly' : 'quarterly'}`,
          );
    out.mau = known('mau', a.mau);
    out.stickiness = fromOutcome(
      'stickiness',
      divide(
        a.dau,
        a.mau,
        100,
        `no users with an event in the ${MAU_WINDOW_DAYS} days ending with the period (division by zero)`,
      ),
    );
    // As core actions: an empty list counts nobody, which is no rate of 0 %.
    out.conversion_rate =
      state.config.events.conversion.length === 0
        ? missing('conversion_rate', 'no conversion events configured (events.conversion)')
        : fromOutcome('conversion_rate', divide(a.converted, a.activeUsers, 100, noUsers));
    // Choice: the headline value is the share of users who used any feature; the breakdown
    // gives each feature's share.
    const features: Record<string, number | null> = {};
    for (const [name, users] of a.features) {
      features[name] = divideOrNull(users, a.activeUsers, 100);
    }
    out.feature_usage = fromOutcome(
      'feature_usage',
      divide(a.featureUsers, a.activeUsers, 100, noUsers),
      features,
    );
    out.core_action_rate =
      state.config.events.coreActions.length === 0
        ? missing('core_action_rate', 'no core actions configured (events.coreActions)')
        : fromOutcome('core_action_rate', divide(a.coreAction, a.activeUsers, 100, noUsers));
  }

  const sessionIds = ['sessions', 'avg_session_duration', 'bounce_rate', 'visits_per_user'];
  const sessionsReason = unusable(state, 'sessions');
  if (sessionsReason) {
    for (const id of sessionIds) out[id] = missing(id, sessionsReason);
  } else {
    const s = loaded(state.sessions, 'sessions').period(i);
    const none = 'no sessions in the period (division by zero)';
    out.sessions = known('sessions', s.sessions);
    out.avg_session_duration = fromOutcome(
      'avg_session_duration',
      divide(s.seconds, s.sessions, 1, none),
    );
    out.bounce_rate = fromOutcome('bounce_rate', divide(s.bounces, s.sessions, 100, none));
    out.visits_per_user = fromOutcome('visits_per_user', divide(s.sessions, s.users, 1, none));
  }

  // Choice: sessions are the source of page views whenever that dataset has files; page_view
  // events are the fallback only without any sessions export.
  if (state.status.sessions !== 'absent') {
    out.pageviews = sessionsReason
      ? missing('pageviews', sessionsReason)
      : known('pageviews', loaded(state.sessions, 'sessions').period(i).pageviews);
  } else if (state.status.events === 'absent') {
    out.pageviews = missing('pageviews', 'no sessions or events export');
  } else {
    out.pageviews = a
      ? known('pageviews', a.pageViewEvents)
      : missing('pageviews', eventsReason ?? 'no events export');
  }
  return out;
}

/**
 * `first_week_engagement`: customers created in [start − 7 days, end − 7 days) — their first
 * week ended in P — who onboarded less than 7 × 24 h (elapsed) after `created_at`.
 *
 * Choice: the onboarding time is `customers.onboarding_completed_at` when any customer row
 * has a value in that column (an empty cell then means "not onboarded"); otherwise the
 * user's first event of type `events.onboarding` (user_id = customer_id). An onboarding
 * time before `created_at` (clock skew between systems) counts as onboarded.
 */
function firstWeekEngagement(state: EngineState, i: number): MetricValue {
  const id = 'first_week_engagement';
  const customersReason = unusable(state, 'customers');
  if (customersReason) return missing(id, customersReason);
  const firstWeek = loaded(state.firstWeek, 'customers');
  if (!firstWeek.hasOnboardingColumn) {
    const eventsReason = unusable(state, 'events');
    if (eventsReason) {
      return missing(
        id,
        `no onboarding_completed_at values in the customers export and ${eventsReason}`,
      );
    }
  }
  const { customers, onboarded } = firstWeek.cohort(i);
  return fromOutcome(
    id,
    divide(onboarded, customers, 100, 'no customers whose first week ended in the period'),
  );
}

function emailMetrics(state: EngineState, i: number): Record<string, MetricValue> {
  const ids = ['email_open_rate', 'email_ctr', 'email_click_to_open', 'email_bounce_rate'];
  const reason =
    unusable(state, 'email_campaigns') ??
    (loaded(state.email, 'email_campaigns').period(i).campaigns === 0
      ? 'no email campaigns sent in the period'
      : undefined);
  if (reason) return Object.fromEntries(ids.map((id) => [id, missing(id, reason)]));
  const email = loaded(state.email, 'email_campaigns');
  const e = email.period(i);
  const noDelivered = 'no emails delivered in the period (division by zero)';
  return {
    email_open_rate: fromOutcome(
      'email_open_rate',
      divide(e.uniqueOpens, e.delivered, 100, noDelivered),
    ),
    email_ctr: fromOutcome('email_ctr', divide(e.uniqueClicks, e.delivered, 100, noDelivered)),
    email_click_to_open: fromOutcome(
      'email_click_to_open',
      divide(
        e.uniqueClicks,
        e.uniqueOpens,
        100,
        'no unique opens in the period (division by zero)',
      ),
    ),
    // Over the campaigns that report bounces only (see EmailTally.sentWithBounces).
    email_bounce_rate: !email.hasBounces
      ? missing('email_bounce_rate', 'no bounces values in the email_campaigns export')
      : e.campaignsWithBounces === 0
        ? missing('email_bounce_rate', 'no campaign sent in the period has a bounces value')
        : fromOutcome(
            'email_bounce_rate',
            divide(
              e.bounces,
              e.sentWithBounces,
              100,
              'no emails sent in the period (division by zero)',
            ),
          ),
  };
}

/**
 * `social_engagement_rate` = Σ engagement in P / Σ followers at end of P × 100, over the
 * platforms with a follower count on or before the last day of P; per platform the same
 * with that platform's numbers. A period without any social row dated in it has neither
 * (amendment 21): the export does not cover it, which is no engagement of 0.
 */
function socialMetrics(state: EngineState, i: number): Record<string, MetricValue> {
  const reason = unusable(state, 'social');
  if (reason) {
    return {
      social_engagement_rate: missing('social_engagement_rate', reason),
      social_mentions: missing('social_mentions', reason),
    };
  }
  const social = loaded(state.social, 'social');
  const s = social.period(i);
  const NO_ROWS = 'no social rows dated in the period';
  let engagement = 0;
  let followers = 0;
  const breakdown: Record<string, number | null> = {};
  const platforms = new Set([...s.followers.keys(), ...s.engagement.keys()]);
  for (const platform of platforms) {
    const e = s.engagement.get(platform) ?? 0;
    const f = s.followers.get(platform) ?? 0;
    engagement += e;
    followers += f;
    breakdown[platform] = divideOrNull(e, f, 100);
  }
  return {
    social_engagement_rate: !social.hasEngagement
      ? missing(
          'social_engagement_rate',
          'no likes, comments, shares or reposts values in the social export',
        )
      : s.followers.size > 0 && !s.rows
        ? missing('social_engagement_rate', NO_ROWS)
        : fromOutcome(
            'social_engagement_rate',
            divide(
              engagement,
              followers,
              100,
              s.followers.size === 0
                ? 'no follower count on or before the end of the period (division by zero)'
                : 'the follower counts at the end of the period are 0 (division by zero)',
            ),
            breakdown,
          ),
    social_mentions: !social.hasMentions
      ? missing('social_mentions', 'no mentions values in the social export')
      : !s.rows
        ? missing('social_mentions', NO_ROWS)
        : known('social_mentions', s.mentions),
  };
}
