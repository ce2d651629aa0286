/**
 * The report as data: every string the email shows, already formatted, in the order it
 * is shown. The MJML templates and the plain-text renderer both read this view, so the
 * two versions always carry the same numbers. Strings here are raw (unescaped); escaping
 * happens where HTML is written.
 */
import type { DatasetName, ReportConfig } from '../config';
import {
  type Family,
  METRICS,
  type MetricDefinition,
  metricDefinition,
  type Unit,
} from '../metrics/catalogue';
import { COUNTED_AS } from '../metrics/consistency';
import type { AtRiskReason, ConsistencyIssue, MetricValue, Snapshot } from '../snapshot';
import { type CohortsView, cohortsView } from './cohorts';
import { computeFlags, type Flag, smallSample } from './flags';
import { type DeltaView, formatDuration, ReportFormatter } from './format';
import type { EmailLinks } from './links';
import { periodWords, plainSpaces, shortLabel } from './period-words';
import type { MetricChange } from './revision';
import { type SegmentsView, segmentsView } from './segments';

export interface ReportInput {
  snapshot: Snapshot;
  /** Earlier snapshots of the same report, oldest first (for the trend charts). */
  history: Snapshot[];
  config: ReportConfig;
  /** Where rejected rows are kept, e.g. `s3://bucket/rejected/` or a local folder. */
  rejectedLocation?: string;
  /** A link to the stored copy of this report (http or https only). */
  reportUrl?: string;
  /**
   * The footer's signed links (archive, index, unsubscribe), https only.
   * @default - none shown (the local runner has no links function)
   */
  links?: EmailLinks;
  /**
   * How long computing the snapshot took, in seconds, shown in the footer.
   * @default - not shown (a snapshot read back from the store has no timing)
   */
  computeSeconds?: number;
  /**
   * Set for a revised email (late data changed numbers already sent): the subject is marked
   * "Revised" and the changed metrics are listed, old → new.
   * @default - an ordinary report
   */
  revision?: { number: number; changes: MetricChange[] };
}

/** One changed metric of a revised email, both values formatted. */
export interface ChangeView {
  id: string;
  label: string;
  before: string;
  after: string;
}

export interface MetricView {
  id: string;
  label: string;
  /** Formatted value, or `—` when null. */
  value: string;
  isNull: boolean;
  /** Why the value is null. */
  reason?: string;
  delta: DeltaView;
  /**
   * `n = 8` when the value is a rate from fewer observations than `flags.minSample`; its
   * delta is then neutral (uncoloured), however large.
   */
  sample?: string;
}

/** One line of "What needs attention": a threshold crossed or a value out of its range. */
export interface AttentionView {
  id: string;
  label: string;
  kind: Flag['kind'];
  /** `Churn 6.2% is above the 5.0% threshold`. */
  reason: string;
}

export interface TrendView {
  id: string;
  label: string;
  /** Values oldest first, the current period last; null where a period has no value. */
  values: (number | null)[];
  cid: string;
  filename: string;
  /** Alt text with every number, e.g. `Churn, last 12 weeks: 2.1%, 2.3%, …`. */
  alt: string;
  /** `min 1.9% · max 2.9% · last 2.3%`. */
  summary: string;
  /** `Week 33 – Week 44`. */
  span: string;
}

export interface TableColumn {
  header: string;
  align: 'left' | 'right';
}

export interface TableRow {
  cells: string[];
  /** Small print under the first cell. */
  note?: string;
  /** At-risk tables: the customer's reasons, `Why: MRR 99 → 49 · 2 open tickets …`. */
  why?: string;
}

export interface TableView {
  title: string;
  columns: TableColumn[];
  rows: TableRow[];
  /** `and 4 more` when the table was cut. */
  more?: string;
  /**
   * The first column holds customer ids: they break anywhere when too wide (the cell's
   * `word-break`), not at each underscore like a name (a `<wbr>` each adds up over 30 rows).
   */
  ids?: boolean;
}

export interface SectionView {
  id: string;
  title: string;
  metrics: MetricView[];
  tables: TableView[];
  /** Small print under the section (model fit, definitions the tables rely on). */
  notes: string[];
}

export interface QualityView {
  datasets: TableView;
  /** Files that could not be read at all: `key: reason`. */
  filesRejected: string[];
  /** First rejection reasons, `dataset: file:line:column: reason`. */
  reasons: string[];
  /**
   * Cross-dataset findings, each with how the metrics count the rows and a few ids:
   * `4 orders reference 3 unknown customers (kept in revenue and orders): x10, x8, x9, …`.
   */
  consistency: string[];
  rejectedNote: string;
  inputFiles: { total: number; shown: string[]; more: number };
  computedAt: string;
  /** `in 3.2 s`, or '' when the timing is not known. */
  took: string;
  /** `Report engagement · period 2026-W44 · version 3`. */
  identity: string;
}

export interface ReportView {
  name: string;
  subject: string;
  /** Preheader: the one-line summary mail clients show after the subject. */
  preview: string;
  period: { key: string; long: string; short: string };
  revised: string | null;
  /** Revised email only: the metrics whose numbers changed since the last email. */
  changes: ChangeView[];
  /** Thresholds crossed and values outside their usual range, shown first. */
  attention: AttentionView[];
  headline: MetricView[];
  /** `Last 12 weeks`. */
  trendsTitle: string;
  trends: TrendView[];
  sections: SectionView[];
  /** Segment breakdowns (tables per customer column), when the snapshot has any with rows. */
  segments: SegmentsView | null;
  /** The cohort retention matrix (heatmaps and their numbers), when the snapshot has one. */
  cohorts: CohortsView | null;
  quality: QualityView;
  glossary: { label: string; definition: string }[];
  /** The glossary was left out of this HTML to fit the size budget (EMAIL_LAYOUTS). */
  glossaryLeftOut: boolean;
  reportUrl: string | null;
  links: EmailLinks | null;
}

interface SectionSpec {
  id: string;
  title: string;
  families: readonly Family[];
}

/** The email's sections, in order; a section shows only when one of its metrics has data. */
export const SECTIONS: readonly SectionSpec[] = [
  { id: 'customers', title: 'Customers & revenue', families: ['customers', 'revenue'] },
  { id: 'value', title: 'Lifetime value & acquisition', families: ['value'] },
  { id: 'satisfaction', title: 'Satisfaction', families: ['satisfaction'] },
  { id: 'activity', title: 'Product activity', families: ['activity'] },
  { id: 'support', title: 'Support', families: ['support'] },
  { id: 'campaigns', title: 'Campaigns & social', families: ['campaigns'] },
  { id: 'models', title: 'Predicted value & customers at risk', families: ['models'] },
];

interface BreakdownSpec {
  title: string;
  key: string;
  /** Rows shown; the rest are summed up as "and N more". */
  limit: number;
}

const BREAKDOWNS: Record<string, BreakdownSpec> = {
  cac: { title: 'CAC by channel', key: 'Channel', limit: 10 },
  feature_usage: { title: 'Top features (share of active users)', key: 'Feature', limit: 8 },
  ticket_volume: { title: 'Tickets by channel', key: 'Channel', limit: 10 },
  social_engagement_rate: { title: 'Social engagement by platform', key: 'Platform', limit: 10 },
  survey_responses: { title: 'Survey responses by type', key: 'Survey', limit: 10 },
};

// Caps that keep the HTML under Gmail's 102 KB clip whatever the data: the full lists stay
// in the snapshot (and rejected/), the email says how many more there are.
const INPUT_FILES_SHOWN = 12;
const REASONS_PER_DATASET = 3;
const AT_RISK_SHOWN = 20;
/** Subscribers at risk carry a line of reasons each: fewer rows fit the budget. */
const AT_RISK_SUBSCRIBERS_SHOWN = 10;
/** Example ids of a consistency finding are cut to this many characters (then `…`). */
const EXAMPLE_ID_CHARS = 32;
const FILES_REJECTED_SHOWN = 10;

/**
 * How much optional detail the HTML carries. The caps above bound every list, but 30 at-risk
 * rows each with every reason, every finding and the glossary together still pass Gmail's
 * 102 KB clip (which hides the footer and its unsubscribe link). renderReport tries these in
 * order and keeps the first that fits; the plain-text part is always built from the first.
 */
export interface EmailLayout {
  /** The definitions of the metrics shown (else a line saying where they are). */
  glossary: boolean;
  /** At most this many reasons on an at-risk row (then `and N more`); null for all. */
  reasonsPerRow: number | null;
}

export const EMAIL_LAYOUTS: readonly EmailLayout[] = [
  { glossary: true, reasonsPerRow: null },
  { glossary: false, reasonsPerRow: null },
  { glossary: false, reasonsPerRow: 2 },
  { glossary: false, reasonsPerRow: 1 },
];

export function buildReportView(
  input: ReportInput,
  layout: EmailLayout = EMAIL_LAYOUTS[0] as EmailLayout,
): ReportView {
  const { snapshot, config } = input;
  const fmt = new ReportFormatter({ locale: config.locale, currency: snapshot.currency });
  const words = periodWords(snapshot.period, fmt.locale);

  const metricView = (def: MetricDefinition): MetricView => {
    const metric = snapshot.metrics[def.id];
    if (!metric) {
      return {
        id: def.id,
        label: def.label,
        value: '—',
        isNull: true,
        reason: 'Not computed for this period.',
        delta: { state: 'none', arrow: '', text: '', tone: 'neutral', previous: null },
      };
    }
    const isNull = metric.value === null || !Number.isFinite(metric.value);
    const n = isNull ? null : smallSample(snapshot, def.id, config);
    const delta = fmt.delta(metric);
    return {
      id: def.id,
      label: def.label,
      value: fmt.value(metric.unit, metric.value),
      isNull,
      ...(isNull ? { reason: metric.reason ?? 'No value for this period.' } : {}),
      // A change from a handful of observations is mostly noise: no colour, no verdict.
      delta: n === null ? delta : { ...delta, tone: 'neutral' },
      ...(n === null ? {} : { sample: `n = ${fmt.count(n)}` }),
    };
  };

  const headlineDefs = config.email.headline.flatMap((id) => {
    const def = METRICS.find((d) => d.id === id);
    return def ? [def] : [];
  });
  const headline = headlineDefs.map(metricView);

  const trends = headlineDefs.flatMap((def) => {
    const trend = trendView(def, input, fmt, words.plural);
    return trend ? [trend] : [];
  });

  const sections: SectionView[] = [];
  /** Metrics shown only as cells of the movement table (still defined in the glossary). */
  const movementIds = new Set<string>();
  for (const spec of SECTIONS) {
    const defs = METRICS.filter(
      (d) => spec.families.includes(d.family) && snapshot.metrics[d.id] !== undefined,
    );
    const tables = defs.flatMap((d) => breakdownTable(d, snapshot.metrics[d.id], fmt));
    const notes: string[] = [];
    if (spec.id === 'customers') {
      const movements = movementTable(snapshot, fmt);
      if (movements) {
        tables.unshift(movements.table);
        notes.push(movements.note);
        for (const id of movements.ids) movementIds.add(id);
      }
    }
    if (spec.id === 'models') {
      const atRisk = atRiskTable(snapshot, fmt, layout.reasonsPerRow);
      if (atRisk) {
        tables.push(atRisk);
        notes.push('Value lost = historic value × (1 − P(alive)).');
      }
      const subscribers = atRiskSubscribersTable(snapshot, fmt, layout.reasonsPerRow);
      if (subscribers) tables.push(subscribers);
      notes.push(...modelNotes(snapshot, fmt));
    }
    const hasData = defs.some((d) => hasValue(snapshot.metrics[d.id])) || tables.length > 0;
    if (!hasData) continue;
    sections.push({ id: spec.id, title: spec.title, metrics: defs.map(metricView), tables, notes });
  }

  const shown = new Set([
    ...headline.map((m) => m.id),
    ...sections.flatMap((s) => s.metrics.map((m) => m.id)),
    ...movementIds,
  ]);
  const glossary = METRICS.filter((d) => shown.has(d.id)).map((d) => ({
    label: d.label,
    definition: d.definition,
  }));

  const { subject, summary } = subjectLine(config.name, words.dated, headline);
  const changes: ChangeView[] = (input.revision?.changes ?? []).map((c) => ({
    id: c.id,
    label: METRICS.find((d) => d.id === c.id)?.label ?? c.id,
    before: fmt.value(c.before.unit, c.before.value),
    after: fmt.value(c.after.unit, c.after.value),
  }));
  return {
    name: config.name,
    subject: input.revision ? `[Revised] ${subject}` : subject,
    preview: summary || words.long,
    period: { key: snapshot.period.key, long: words.long, short: words.short },
    revised:
      snapshot.revised || input.revision
        ? `Revised: data for ${words.short} changed after this report was first sent. These numbers replace the earlier ones.`
        : null,
    changes,
    attention: computeFlags(snapshot, input.history, config).map((flag) =>
      attentionView(flag, snapshot, config, fmt, words.plural),
    ),
    headline,
    trendsTitle: `Last ${Math.max(0, ...trends.map((t) => t.values.length))} ${words.plural}`,
    trends,
    sections,
    segments: segmentsView(snapshot, fmt),
    cohorts: cohortsView(snapshot, fmt.locale),
    quality: qualityView(input, fmt),
    glossary: layout.glossary ? glossary : [],
    glossaryLeftOut: !layout.glossary && glossary.length > 0,
    reportUrl: input.reportUrl && /^https?:\/\//i.test(input.reportUrl) ? input.reportUrl : null,
    links:
      input.links && Object.values(input.links).every((url) => url.startsWith('https://'))
        ? input.links
        : null,
  };
}

/** Units whose values are never below 0 (money and NPS can be). */
const NEVER_NEGATIVE: ReadonlySet<Unit> = new Set<Unit>([
  'count',
  'users',
  'percent',
  'score',
  'ratio',
  'seconds',
  'minutes',
  'orders_per_customer',
  'visits',
]);

/**
 * A flag in words, values in the metric's unit: `Churn 6.2% is above the 5.0% threshold`,
 * `Revenue $1,200.00 is below its usual range $3,000.00–$4,100.00 (median of the last
 * 8 weeks ± 3·MAD)`.
 */
function attentionView(
  flag: Flag,
  snapshot: Snapshot,
  config: ReportConfig,
  fmt: ReportFormatter,
  plural: string,
): AttentionView {
  const def = metricDefinition(flag.id);
  const unit = snapshot.metrics[flag.id]?.unit ?? def.unit;
  const show = (v: number) => fmt.value(unit, v);
  const fact = `${def.label} ${show(flag.value)} is ${flag.side}`;
  if (flag.kind === 'threshold') {
    const n = smallSample(snapshot, flag.id, config);
    const few = n === null ? '' : ` (from only ${fmt.count(n)} observations)`;
    return {
      id: flag.id,
      label: def.label,
      kind: flag.kind,
      reason: `${fact} the ${show(flag.threshold)} threshold${few}`,
    };
  }
  // A count or a share cannot be negative: the range is shown from 0 (the flag is the same).
  const low = NEVER_NEGATIVE.has(unit) ? Math.max(0, flag.low) : flag.low;
  const k = new Intl.NumberFormat(fmt.locale, { maximumFractionDigits: 2 }).format(
    config.flags.anomaly.k,
  );
  const periods =
    flag.used === flag.window
      ? `the last ${flag.window} ${plural}`
      : `${flag.used} of the last ${flag.window} ${plural}`;
  return {
    id: flag.id,
    label: def.label,
    kind: flag.kind,
    reason: `${fact} its usual range ${show(low)}–${show(flag.high)} (median of ${periods} ± ${k}·MAD)`,
  };
}

function hasValue(metric: MetricValue | undefined): boolean {
  if (!metric) return false;
  if (metric.value !== null && Number.isFinite(metric.value)) return true;
  return Object.values(metric.breakdown ?? {}).some((v) => v !== null);
}

/**
 * `Customer engagement · Week 44, Oct 26 – Nov 1 2026: 1,234 customers (+2.1%), churn 2.3%
 * (+0.4 pp)`: the period with its year and dates, then the first two headline metrics
 * that have a value. Counts read "1,234 customers", the rest
 * "churn 2.3%".
 */
function subjectLine(
  name: string,
  period: string,
  headline: MetricView[],
): { subject: string; summary: string } {
  const parts = headline
    .filter((m) => !m.isNull)
    .slice(0, 2)
    .map((m) => {
      const unit = metricDefinition(m.id).unit;
      const label = lowerFirst(m.label);
      const fact =
        unit === 'count' || unit === 'users' ? `${m.value} ${label}` : `${label} ${m.value}`;
      const change =
        m.delta.state === 'unchanged' ? 'no change' : m.delta.text === '—' ? '' : m.delta.text;
      return change ? `${fact} (${change})` : fact;
    });
  const summary = parts.join(', ');
  // Control characters in a configured name must not reach a mail header.
  const cleanName = [...name]
    .map((ch) => (ch.charCodeAt(0) < 0x20 || ch === '\u007f' ? ' ' : ch))
    .join('')
    .replace(/ {2,}/g, ' ')
    .trim();
  return { subject: `${cleanName} · ${period}${summary ? `: ${summary}` : ''}`, summary };
}

/** `Churn` → `churn`, but `CAC`, `NPS`, `LTV : CAC` keep their capitals. */
function lowerFirst(label: string): string {
  const second = label.charAt(1);
  return second && second === second.toLowerCase() && second !== second.toUpperCase()
    ? label.charAt(0).toLowerCase() + label.slice(1)
    : label;
}

function trendView(
  def: MetricDefinition,
  input: ReportInput,
  fmt: ReportFormatter,
  plural: string,
): TrendView | null {
  const periods = [...input.history, input.snapshot].slice(-input.config.email.trendPeriods);
  const values = periods.map((s) => {
    const v = s.metrics[def.id]?.value ?? null;
    return v !== null && Number.isFinite(v) ? v : null;
  });
  const present = values.filter((v): v is number => v !== null);
  if (present.length < 2) return null;
  const unit = input.snapshot.metrics[def.id]?.unit ?? def.unit;
  const show = (v: number | null) => (v === null ? 'no data' : fmt.value(unit, v));
  const last = values[values.length - 1] ?? null;
  const first = periods[0];
  const safeId = def.id.replace(/[^a-z0-9_-]/gi, '');
  return {
    id: def.id,
    label: def.label,
    values,
    cid: `trend-${safeId}@report`,
    filename: `trend-${safeId}.png`,
    alt: `${def.label}, last ${values.length} ${plural}: ${values.map(show).join(', ')}`,
    summary: `min ${show(Math.min(...present))} · max ${show(Math.max(...present))} · last ${show(last)}`,
    span: first
      ? `${shortLabel(first.period, fmt.locale)} – ${shortLabel(input.snapshot.period, fmt.locale)}`
      : '',
  };
}

function breakdownTable(
  def: MetricDefinition,
  metric: MetricValue | undefined,
  fmt: ReportFormatter,
): TableView[] {
  const entries = Object.entries(metric?.breakdown ?? {});
  if (!metric || entries.length === 0) return [];
  const spec = BREAKDOWNS[def.id] ?? { title: `${def.label} by group`, key: 'Group', limit: 10 };
  // Largest first; nulls last; ties by name so the order is stable.
  entries.sort(([ka, a], [kb, b]) => {
    if (a === null || b === null) return a === null ? (b === null ? ka.localeCompare(kb) : 1) : -1;
    return b - a || ka.localeCompare(kb);
  });
  const shown = entries.slice(0, spec.limit);
  const rest = entries.length - shown.length;
  return [
    {
      title: spec.title,
      columns: [
        { header: spec.key, align: 'left' },
        { header: def.label, align: 'right' },
      ],
      rows: shown.map(([key, value]) => ({ cells: [key, fmt.value(metric.unit, value)] })),
      ...(rest > 0 ? { more: `and ${rest} more` } : {}),
    },
  ];
}

/**
 * The rows of the movement table (METRICS.md "Movements"): each row a term of
 * start + new + reactivated (+ expansion − contraction) − churned = end, by its metric id
 * in the customers and the MRR column. Expansion and contraction exist for MRR only.
 */
const MOVEMENT_ROWS: readonly { label: string; customers?: string; mrr: string }[] = [
  { label: 'Start', customers: 'customers_start', mrr: 'mrr_start' },
  { label: '+ New', customers: 'customers_new_active_at_end', mrr: 'mrr_new' },
  { label: '+ Reactivated', customers: 'reactivated_customers', mrr: 'mrr_reactivation' },
  { label: '+ Expansion', mrr: 'mrr_expansion' },
  { label: '− Contraction', mrr: 'mrr_contraction' },
  { label: '− Churned', customers: 'churned_customers', mrr: 'mrr_churned' },
  { label: '= End', customers: 'customers_end', mrr: 'mrr_end' },
];

/** Under the movement table: how it adds up, and why its New is not `new_customers`. */
function movementsNote(withMrr: boolean): string {
  const mrr = withMrr ? ' (MRR also + expansion − contraction)' : '';
  return (
    `Start + new + reactivated − churned = end${mrr}. New here counts the new customers ` +
    'still active at the end; New customers above also counts those who joined and left ' +
    'within the period.'
  );
}

/**
 * Customers and MRR from start to end, as a table with one column per base. A column is
 * shown only when every one of its terms has a value: with a term missing it could not add
 * up. Terms are shown as amounts, their sign is in the row label.
 */
function movementTable(
  snapshot: Snapshot,
  fmt: ReportFormatter,
): { table: TableView; ids: string[]; note: string } | null {
  const valueIn = (id: string) => {
    const v = snapshot.metrics[id]?.value;
    return v !== null && v !== undefined && Number.isFinite(v) ? v : null;
  };
  const complete = (ids: string[]) => ids.length > 0 && ids.every((id) => valueIn(id) !== null);
  const customerIds = MOVEMENT_ROWS.flatMap((r) => (r.customers ? [r.customers] : []));
  const mrrIds = MOVEMENT_ROWS.map((r) => r.mrr);
  const bases = [
    { header: 'Customers', key: 'customers' as const, unit: 'count' as const, ids: customerIds },
    { header: 'MRR', key: 'mrr' as const, unit: 'money' as const, ids: mrrIds },
  ].filter((b) => complete(b.ids));
  if (bases.length === 0) return null;
  return {
    ids: bases.flatMap((b) => b.ids),
    note: movementsNote(bases.some((b) => b.key === 'mrr')),
    table: {
      title: 'Movements',
      columns: [
        { header: 'Movement', align: 'left' },
        ...bases.map((b) => ({ header: b.header, align: 'right' as const })),
      ],
      rows: MOVEMENT_ROWS.filter((r) => bases.some((b) => r[b.key] !== undefined)).map((r) => ({
        cells: [
          r.label,
          ...bases.map((b) => {
            const id = r[b.key];
            return id === undefined ? '' : fmt.value(b.unit, valueIn(id));
          }),
        ],
      })),
    },
  };
}

function atRiskTable(
  snapshot: Snapshot,
  fmt: ReportFormatter,
  reasonsPerRow: number | null,
): TableView | null {
  const list = snapshot.atRisk ?? [];
  if (list.length === 0) return null;
  const sorted = [...list].sort((a, b) => b.expectedValueLost - a.expectedValueLost);
  const date = new Intl.DateTimeFormat(fmt.locale, {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: snapshot.period.timezone,
  });
  return {
    title: 'Customers at risk',
    ids: true,
    columns: [
      { header: 'Customer', align: 'left' },
      { header: 'P(alive)', align: 'right' },
      { header: 'Value lost', align: 'right' },
    ],
    ...(sorted.length > AT_RISK_SHOWN
      ? { more: `and ${sorted.length - AT_RISK_SHOWN} more in the snapshot` }
      : {}),
    rows: sorted.slice(0, AT_RISK_SHOWN).map((c) => {
      const last = new Date(c.lastPurchase);
      // P(alive) has its own column: the other reasons are the news.
      const why = whyWords(c.reasons, reasonsPerRow, 'p_alive');
      return {
        cells: [c.customerId, fmt.percent(c.pAlive * 100), fmt.money(c.expectedValueLost)],
        note: `historic ${fmt.money(c.historicValue)}${Number.isNaN(last.getTime()) ? '' : ` · last order ${date.format(last)}`}`,
        ...(why ? { why } : {}),
      };
    }),
  };
}

/**
 * `Why: activity −62 % … · 2 open tickets, oldest 9 days`, or '' without reasons; with a
 * `max`, the first `max` (the engine orders them) and `and 2 more`.
 */
function whyWords(
  reasons: readonly AtRiskReason[] | undefined,
  max: number | null,
  skip?: AtRiskReason['kind'],
) {
  const all = (reasons ?? []).filter((r) => r.kind !== skip).map((r) => r.detail);
  if (all.length === 0) return '';
  const shown = max === null ? all : all.slice(0, max);
  const rest = all.length - shown.length;
  return `Why: ${shown.join(' · ')}${rest > 0 ? ` · and ${rest} more` : ''}`;
}

/**
 * Subscriptions mode: subscribers at risk, most MRR first (the engine's order: then most
 * signals, then id), each with their reasons.
 */
function atRiskSubscribersTable(
  snapshot: Snapshot,
  fmt: ReportFormatter,
  reasonsPerRow: number | null,
): TableView | null {
  const list = snapshot.atRiskSubscribers ?? [];
  if (list.length === 0) return null;
  const total = Math.max(list.length, snapshot.metrics.at_risk_subscribers?.value ?? 0);
  const more = Math.max(0, total - Math.min(list.length, AT_RISK_SUBSCRIBERS_SHOWN));
  return {
    title: 'Subscribers at risk',
    ids: true,
    columns: [
      { header: 'Customer', align: 'left' },
      { header: 'MRR', align: 'right' },
    ],
    ...(more > 0 ? { more: `and ${fmt.count(more)} more at-risk subscribers` } : {}),
    rows: list.slice(0, AT_RISK_SUBSCRIBERS_SHOWN).map((s) => {
      const why = whyWords(s.reasons, reasonsPerRow);
      return { cells: [s.customerId, fmt.money(s.mrr)], ...(why ? { why } : {}) };
    }),
  };
}

const DATASET_NOUNS: Record<DatasetName, [string, string]> = {
  customers: ['new customer', 'new customers'],
  subscriptions: ['subscription', 'subscriptions'],
  orders: ['order', 'orders'],
  marketing_spend: ['spend row', 'spend rows'],
  survey_responses: ['survey answer', 'survey answers'],
  events: ['event', 'events'],
  sessions: ['session', 'sessions'],
  tickets: ['ticket', 'tickets'],
  email_campaigns: ['campaign', 'campaigns'],
  social: ['social row', 'social rows'],
};

/**
 * One consistency finding in words, with how the metrics count its rows (consistency.ts
 * `COUNTED_AS`) and its example ids: `4 orders reference 3 unknown customers (kept in
 * revenue and orders): x10, x8, x9, …`.
 */
function consistencyLine(issue: ConsistencyIssue, fmt: ReportFormatter): string {
  const n = (count: number, one: string, many: string) =>
    `${fmt.count(count)} ${count === 1 ? one : many}`;
  const [one, many] = DATASET_NOUNS[issue.dataset] ?? [issue.dataset, issue.dataset];
  const rows = n(issue.count, one, many);
  const verb = (singular: string, plural: string) => (issue.count === 1 ? singular : plural);
  const fact = {
    unknown_customer: `${rows} ${verb('references', 'reference')} ${n(issue.ids, 'unknown customer', 'unknown customers')}`,
    user_not_customer: `${rows} ${verb('comes', 'come')} from ${n(issue.ids, 'user who is not a customer', 'users who are not customers')}`,
    before_signup: `${rows} of ${n(issue.ids, 'customer', 'customers')} ${verb('is', 'are')} dated before the customer’s created_at`,
    failed_order_in_revenue: `${rows} of ${n(issue.ids, 'customer', 'customers')} ${verb('has', 'have')} status failed or declined`,
    channel_without_spend: `${rows} came from ${n(issue.ids, 'channel', 'channels')} without any marketing spend`,
  }[issue.check];
  const counted = COUNTED_AS[issue.check]?.[issue.dataset];
  const cut = (id: string) =>
    [...id].length > EXAMPLE_ID_CHARS ? `${[...id].slice(0, EXAMPLE_ID_CHARS - 1).join('')}…` : id;
  const examples =
    issue.examples.map(cut).join(', ') + (issue.ids > issue.examples.length ? ', …' : '');
  return `${fact}${counted ? ` (${counted})` : ''}: ${examples}`;
}

function modelNotes(snapshot: Snapshot, fmt: ReportFormatter): string[] {
  const models = snapshot.models;
  if (!models) return [];
  const num = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3));
  const fitNote = (
    name: string,
    f: { params: Record<string, number>; n: number; converged: boolean },
  ) =>
    `${name} fitted on ${fmt.count(f.n)} customers (${Object.entries(f.params)
      .map(([k, v]) => `${k} = ${num(v)}`)
      .join(', ')})${f.converged ? '' : ', did not converge'}.`;
  const notes: string[] = [];
  if (models.bgnbd) notes.push(fitNote('BG/NBD', models.bgnbd));
  if (models.gammaGamma) notes.push(fitNote('Gamma-Gamma', models.gammaGamma));
  if (models.reason) notes.push(models.reason);
  return notes;
}

function qualityView(input: ReportInput, fmt: ReportFormatter): QualityView {
  const { snapshot } = input;
  const entries = Object.entries(snapshot.quality).filter(
    (e): e is [string, NonNullable<(typeof e)[1]>] => e[1] !== undefined,
  );
  const datasets: TableView = {
    title: 'Rows per dataset',
    columns: [
      { header: 'Dataset', align: 'left' },
      { header: 'Accepted', align: 'right' },
      { header: 'Rejected', align: 'right' },
      { header: 'Duplicates', align: 'right' },
    ],
    rows: entries.map(([name, q]) => ({
      cells: [
        name,
        fmt.count(q.rowsAccepted),
        fmt.count(q.rowsRejected),
        fmt.count(q.duplicatesDropped),
      ],
    })),
  };
  const allFilesRejected = entries.flatMap(([, q]) =>
    q.filesRejected.map((f) => `${f.key}: ${f.reason}`),
  );
  const filesRejected = allFilesRejected.slice(0, FILES_REJECTED_SHOWN);
  if (allFilesRejected.length > filesRejected.length) {
    filesRejected.push(`and ${allFilesRejected.length - filesRejected.length} more`);
  }
  const reasons = entries.flatMap(([name, q]) => {
    const first = q.firstReasons.slice(0, REASONS_PER_DATASET).map((r) => `${name}: ${r}`);
    const more = q.rowsRejected - first.length;
    return more > 0 && first.length > 0
      ? [...first, `${name}: and ${fmt.count(more)} more rejected rows`]
      : first;
  });
  const anyRejected = entries.some(([, q]) => q.rowsRejected > 0 || q.filesRejected.length > 0);
  const where = input.rejectedLocation ?? 'rejected/<dataset>/ next to the exports';
  const rejectedNote = anyRejected
    ? `Rejected rows and unreadable files are kept with their reasons in ${where}.`
    : `No rows were rejected. Rejected rows would be kept with their reasons in ${where}.`;
  const files = snapshot.inputFiles.map((f) => `${f.dataset}: ${f.key}`);
  const computedAt = plainSpaces(
    new Intl.DateTimeFormat(fmt.locale, {
      year: 'numeric',
      month: 'short',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      timeZone: snapshot.period.timezone,
      timeZoneName: 'short',
    }).format(new Date(snapshot.computedAt)),
  );
  const version = snapshot.version === undefined ? '' : ` · version ${snapshot.version}`;
  return {
    datasets,
    filesRejected,
    reasons,
    consistency: (snapshot.consistency ?? []).map((issue) => consistencyLine(issue, fmt)),
    rejectedNote,
    inputFiles: {
      total: files.length,
      shown: files.slice(0, INPUT_FILES_SHOWN),
      more: Math.max(0, files.length - INPUT_FILES_SHOWN),
    },
    computedAt,
    took: tookWords(input.computeSeconds, fmt),
    identity: `Report ${snapshot.reportId} · period ${snapshot.period.key}${version}`,
  };
}

/** Seconds with one decimal under a minute (`in 3.2 s`), else in words (`in 2 min 5 s`). */
function tookWords(seconds: number | undefined, fmt: ReportFormatter): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '';
  if (seconds >= 60) return `in ${formatDuration(seconds, fmt.locale)}`;
  const n = new Intl.NumberFormat(fmt.locale, { maximumFractionDigits: 1 });
  return `in ${n.format(seconds)} s`;
}
