/**
 * What each export dataset's columns hold (DATASETS.md), as one table of data that every
 * reader and rule works from. The row types stay those of the zod schemas in `rows.ts`: the
 * table's type is derived from them, so a column added to a schema without a line here, a
 * required column marked optional, or a number column given a text kind does not compile.
 */
import type { DatasetName } from '../config';
import { type RowOf, SurveyResponseRow } from './rows';

/**
 * How a cell is read:
 * - `id`, `text`: a string (an `id` is a key or reference to one);
 * - `timestamp`: an ISO 8601 instant, or a local date-time read in the report's zone;
 * - `date`: the same, in a column that usually holds a bare date (local midnight);
 * - `money`: a decimal in major units (`12.50`), at least 0 unless `negative` is set;
 * - `number`: a decimal of at least 0 (e.g. seconds);
 * - `count`: a whole number of at least 0;
 * - `score`: a whole number on the scale of the row's `scaleBy` column (`SCORE_SCALES`);
 * - `enum`: one of `values`, compared case-insensitively;
 * - `currency`: an ISO 4217 code that must be the report's currency.
 */
export type ColumnKind =
  | 'id'
  | 'text'
  | 'timestamp'
  | 'date'
  | 'money'
  | 'number'
  | 'count'
  | 'score'
  | 'enum'
  | 'currency';

type TextKind = 'id' | 'text' | 'enum' | 'currency';
type NumericKind = Exclude<ColumnKind, TextKind>;

export interface ColumnSpec {
  readonly kind: ColumnKind;
  /** A required column must be in the header, and its cells must not be empty. */
  readonly required: boolean;
  /** `money` only: negative values are allowed (an order refund). */
  readonly negative?: boolean;
  /** `enum` only: the accepted values, lower case. */
  readonly values?: readonly string[];
  /** `score` only: the column whose value picks the scale in `SCORE_SCALES`. */
  readonly scaleBy?: string;
}

/** A column's spec, checked against the zod row type: kind by value type, required by `?`. */
type ColumnSpecOf<Row, K extends keyof Row> = ColumnSpec & {
  readonly kind: NonNullable<Row[K]> extends string ? TextKind : NumericKind;
  readonly required: object extends Pick<Row, K> ? false : true;
};

export interface DatasetSpec<D extends DatasetName = DatasetName> {
  /**
   * The column that identifies a row for duplicate detection (the engine keeps the last of
   * a duplicate id across files), or null when rows have no identity. An optional id column
   * (`events.event_id`) dedupes only the rows that have one.
   */
  readonly idColumn: (keyof RowOf[D] & string) | null;
  /** Every canonical column of the dataset, in the order rows are checked. */
  readonly columns: { readonly [K in keyof RowOf[D] & string]-?: ColumnSpecOf<RowOf[D], K> };
  /**
   * Pairs `[later, earlier]`: when both cells are present, `later` must not be before
   * `earlier` (a subscription cannot end before it starts).
   */
  readonly notBefore: readonly (readonly [keyof RowOf[D] & string, keyof RowOf[D] & string])[];
}

export type SurveyType = SurveyResponseRow['survey_type'];

/** Inclusive integer scale of each survey type (METRICS.md "Surveys"). */
export const SCORE_SCALES: {
  readonly [T in SurveyType]: { readonly min: number; readonly max: number };
} = {
  nps: { min: 0, max: 10 },
  csat: { min: 1, max: 5 },
  ces: { min: 1, max: 7 },
};

const required = <K extends ColumnKind>(kind: K) => ({ kind, required: true }) as const;
const optional = <K extends ColumnKind>(kind: K) => ({ kind, required: false }) as const;

export const DATASET_SPECS: { readonly [D in DatasetName]: DatasetSpec<D> } = {
  customers: {
    idColumn: 'customer_id',
    columns: {
      customer_id: required('id'),
      created_at: required('timestamp'),
      acquisition_channel: optional('text'),
      segment: optional('text'),
      country: optional('text'),
      onboarding_completed_at: optional('timestamp'),
    },
    notBefore: [],
  },
  subscriptions: {
    idColumn: 'subscription_id',
    columns: {
      subscription_id: required('id'),
      customer_id: required('id'),
      started_at: required('timestamp'),
      ended_at: optional('timestamp'),
      mrr: optional('money'),
      currency: optional('currency'),
      plan: optional('text'),
    },
    notBefore: [['ended_at', 'started_at']],
  },
  orders: {
    idColumn: 'order_id',
    columns: {
      order_id: required('id'),
      customer_id: required('id'),
      ordered_at: required('timestamp'),
      amount: { ...required('money'), negative: true },
      currency: optional('currency'),
      status: optional('text'),
    },
    notBefore: [],
  },
  marketing_spend: {
    idColumn: null,
    columns: {
      date: required('date'),
      channel: required('id'),
      amount: required('money'),
      campaign: optional('text'),
      currency: optional('currency'),
    },
    notBefore: [],
  },
  survey_responses: {
    idColumn: 'response_id',
    columns: {
      response_id: required('id'),
      responded_at: required('timestamp'),
      survey_type: { ...required('enum'), values: SurveyResponseRow.shape.survey_type.options },
      score: { ...required('score'), scaleBy: 'survey_type' },
      customer_id: optional('id'),
      touchpoint: optional('text'),
      comment: optional('text'),
    },
    notBefore: [],
  },
  events: {
    idColumn: 'event_id',
    columns: {
      user_id: required('id'),
      occurred_at: required('timestamp'),
      event_type: required('text'),
      event_id: optional('id'),
      feature: optional('text'),
      page: optional('text'),
      session_id: optional('id'),
    },
    notBefore: [],
  },
  sessions: {
    idColumn: 'session_id',
    columns: {
      session_id: required('id'),
      user_id: required('id'),
      started_at: required('timestamp'),
      duration_seconds: required('number'),
      pageviews: required('count'),
      landing_page: optional('text'),
      channel: optional('text'),
    },
    notBefore: [],
  },
  tickets: {
    idColumn: 'ticket_id',
    columns: {
      ticket_id: required('id'),
      created_at: required('timestamp'),
      customer_id: optional('id'),
      channel: optional('text'),
      first_response_at: optional('timestamp'),
      resolved_at: optional('timestamp'),
    },
    // DATASETS.md (Reader details): the same impossibility as a subscription ending before
    // it starts; a ticket answered or resolved before it was opened would give a negative
    // response or resolution time.
    notBefore: [
      ['first_response_at', 'created_at'],
      ['resolved_at', 'created_at'],
    ],
  },
  email_campaigns: {
    idColumn: 'campaign_id',
    columns: {
      campaign_id: required('id'),
      sent_at: required('timestamp'),
      sent: required('count'),
      delivered: required('count'),
      unique_opens: required('count'),
      unique_clicks: required('count'),
      bounces: optional('count'),
      unsubscribes: optional('count'),
      name: optional('text'),
    },
    notBefore: [],
  },
  social: {
    idColumn: null,
    columns: {
      date: required('date'),
      platform: required('id'),
      followers: required('count'),
      likes: optional('count'),
      comments: optional('count'),
      shares: optional('count'),
      reposts: optional('count'),
      mentions: optional('count'),
      post_id: optional('id'),
    },
    notBefore: [],
  },
};

/** The dataset's canonical columns with their specs, in table order. */
export function columnsOf(dataset: DatasetName): [string, ColumnSpec][] {
  return Object.entries(DATASET_SPECS[dataset].columns);
}

/** The canonical columns a file of the dataset must have. */
export function requiredColumns(dataset: DatasetName): string[] {
  return columnsOf(dataset)
    .filter(([, spec]) => spec.required)
    .map(([name]) => name);
}
