/**
 * One pass over parsed rows, for every requested period at once: rows go through
 * de-duplication to the accumulators of their dataset, and the metric values of each
 * period are assembled at the end. No I/O here — `computeSnapshots` (engine.ts) reads the
 * files and feeds this; tests feed hand-made rows the same way.
 *
 * Feeding protocol, per dataset: for each file (in key order) `openFile`, `row` for each
 * accepted row, then `commit` (or `abort` when the file turned out unreadable); after the
 * dataset's last file, `finishDataset`. Then `metrics()`.
 */
import type { DatasetName, ReportConfig } from '../config';
import type { AnyRow, RowOf } from '../datasets/rows';
import type { MetricValue } from '../snapshot';
import type { Period } from '../time/periods';
import { EventActivity } from './activity';
import { type DatasetStatus, type EngineState, periodMetrics } from './assemble';
import { type ActivityMode, type BaseCounts, CustomerBase } from './customer-base';
import { Customers } from './customers';
import { EmailCampaigns } from './email';
import { MarketingSpend } from './marketing';
import { type BoundaryPair, EngineError, PeriodPlan } from './plan';
import { Revenue } from './revenue';
import { Sessions } from './sessions';
import { Social } from './social';
import { Tickets } from './support';
import { Surveys } from './surveys';

/**
 * Something that wants the rows of one dataset during the pass (after de-duplication), e.g.
 * the RFM summary of the customer-base models on `orders`. It reads its own state after the
 * pass; `finish` is called once the dataset's last file is done.
 */
export interface RowAccumulator<D extends DatasetName = DatasetName> {
  readonly dataset: D;
  add(row: RowOf[D]): void;
  finish?(): void;
}

/**
 * The id column of each dataset with one. Entity datasets keep the last row per id (a Map
 * id → row while their files are read); `events` keeps the first (see `FileFeed`).
 */
export const ID_COLUMN: Partial<Record<DatasetName, string>> = {
  customers: 'customer_id',
  subscriptions: 'subscription_id',
  orders: 'order_id',
  survey_responses: 'response_id',
  events: 'event_id',
  sessions: 'session_id',
  tickets: 'ticket_id',
  email_campaigns: 'campaign_id',
};

/** V8 Sets hold at most 2^24 entries; the event-id set chains a new Set before that. */
const SET_LIMIT = 16_000_000;

/** Event ids seen so far, across files; exact, in as many Sets as needed. */
class SeenIds {
  private readonly sets: Set<string>[] = [new Set()];

  /** Adds the id; false when it was already there. */
  add(id: string): boolean {
    for (const set of this.sets) if (set.has(id)) return false;
    let last = this.sets[this.sets.length - 1] as Set<string>;
    if (last.size >= SET_LIMIT) {
      last = new Set();
      this.sets.push(last);
    }
    last.add(id);
    return true;
  }
}

/** Counts of one dataset as the pass saw them. */
export interface PassCounts {
  /** Accepted rows of committed files (and of aborted `events` files, see `abort`). */
  rowsAccepted: number;
  duplicatesDropped: number;
}

export interface PassOptions {
  config: ReportConfig;
  periods: readonly Period[];
  /** Datasets with at least one export file (even an empty or unreadable one). */
  datasetsWithFiles: Iterable<DatasetName>;
  extraAccumulators?: readonly RowAccumulator[];
}

export class MetricPass {
  readonly plan: PeriodPlan;
  readonly mode: ActivityMode;
  readonly counts: Record<DatasetName, PassCounts>;
  private readonly config: ReportConfig;
  private readonly withFiles: Set<DatasetName>;
  private readonly sinks: Record<DatasetName, ((row: never) => void)[]>;
  private readonly finishers: Partial<Record<DatasetName, (() => void)[]>>;
  /** Entity datasets: id → last row, across committed files. */
  private readonly latest = new Map<DatasetName, Map<string, AnyRow>>();
  private readonly seenEvents = new SeenIds();
  private readonly fed: Record<DatasetName, number>;
  private readonly families: Omit<
    EngineState,
    'plan' | 'config' | 'status' | 'base' | 'baseReason' | 'mrrBase'
  >;
  private readonly base: CustomerBase | null;
  private readonly mrrBase: CustomerBase | null;

  constructor(options: PassOptions) {
    const { config } = options;
    this.config = config;
    this.plan = new PeriodPlan(options.periods, config);
    this.withFiles = new Set(options.datasetsWithFiles);
    // Default activity mode (METRICS.md): subscriptions when that dataset has files.
    this.mode =
      config.activity.mode ?? (this.withFiles.has('subscriptions') ? 'subscriptions' : 'orders');
    const window = config.activity.activeWindowDays;
    this.mrrBase = this.withFiles.has('subscriptions')
      ? new CustomerBase(this.plan, 'subscriptions', window)
      : null;
    this.base =
      this.mode === 'subscriptions' ? this.mrrBase : new CustomerBase(this.plan, 'orders', window);
    this.families = {
      revenue: new Revenue(this.plan),
      marketing: new MarketingSpend(this.plan),
      customers: new Customers(),
      surveys: new Surveys(this.plan),
      activity: new EventActivity(this.plan, config.events),
      sessions: new Sessions(this.plan),
      tickets: new Tickets(this.plan),
      email: new EmailCampaigns(this.plan),
      social: new Social(this.plan),
    };
    const f = this.families;
    const zero = () => ({ rowsAccepted: 0, duplicatesDropped: 0 });
    this.counts = {} as Record<DatasetName, PassCounts>;
    this.fed = {} as Record<DatasetName, number>;
    this.sinks = {} as Record<DatasetName, ((row: never) => void)[]>;
    const on = <D extends DatasetName>(dataset: D, ...adds: ((row: RowOf[D]) => void)[]) => {
      this.sinks[dataset] = adds as ((row: never) => void)[];
      this.counts[dataset] = zero();
      this.fed[dataset] = 0;
    };
    const subscriptionSinks: ((row: RowOf['subscriptions']) => void)[] = [];
    if (this.mrrBase) {
      const b = this.mrrBase;
      subscriptionSinks.push((row) => b.addSubscription(row));
    }
    const orderSinks: ((row: RowOf['orders']) => void)[] = [(row) => f.revenue.add(row)];
    if (this.mode === 'orders' && this.base) {
      const b = this.base;
      orderSinks.push((row) => b.addOrder(row));
    }
    on('customers', (row) => f.customers.add(row));
    on('subscriptions', ...subscriptionSinks);
    on('orders', ...orderSinks);
    on('marketing_spend', (row) => f.marketing.add(row));
    on('survey_responses', (row) => f.surveys.add(row));
    on('events', (row) => f.activity.add(row));
    on('sessions', (row) => f.sessions.add(row));
    on('tickets', (row) => f.tickets.add(row));
    on('email_campaigns', (row) => f.email.add(row));
    on('social', (row) => f.social.add(row));
    this.finishers = {};
    for (const extra of options.extraAccumulators ?? []) {
      (this.sinks[extra.dataset] as ((row: never) => void)[]).push((row: never) => extra.add(row));
      if (extra.finish) {
        const list = this.finishers[extra.dataset] ?? [];
        list.push(() => extra.finish?.());
        this.finishers[extra.dataset] = list;
      }
    }
  }

  /** Starts one file of a dataset; its rows count only once the feed is committed. */
  openFile<D extends DatasetName>(dataset: D): FileFeed<D> {
    return new FileFeed(this, dataset);
  }

  /** @internal Sends a de-duplicated row to every accumulator of its dataset. */
  deliver(dataset: DatasetName, row: AnyRow): void {
    this.fed[dataset]++;
    for (const add of this.sinks[dataset]) (add as (row: AnyRow) => void)(row);
  }

  /** @internal Event ids, first one wins. */
  firstEvent(id: string): boolean {
    return this.seenEvents.add(id);
  }

  /** @internal The id → last row map of an entity dataset. */
  latestRows(dataset: DatasetName): Map<string, AnyRow> {
    let map = this.latest.get(dataset);
    if (!map) {
      map = new Map();
      this.latest.set(dataset, map);
    }
    return map;
  }

  /** After the last file of a dataset: entity rows (the last per id) reach the accumulators. */
  finishDataset(dataset: DatasetName): void {
    const map = this.latest.get(dataset);
    if (map) {
      for (const row of map.values()) this.deliver(dataset, row);
      this.latest.delete(dataset);
    }
    for (const finish of this.finishers[dataset] ?? []) finish();
  }

  /** Convenience for tests and small inputs: every file of a dataset, rows already parsed. */
  feedDataset<D extends DatasetName>(dataset: D, files: readonly (readonly RowOf[D][])[]): void {
    for (const rows of files) {
      const feed = this.openFile(dataset);
      for (const row of rows) feed.row(row);
      feed.commit();
    }
    this.finishDataset(dataset);
  }

  private status(dataset: DatasetName): DatasetStatus {
    if (!this.withFiles.has(dataset)) return 'absent';
    return this.fed[dataset] > 0 ? 'present' : 'empty';
  }

  private baseReason(status: Record<DatasetName, DatasetStatus>): string {
    const explicit = this.config.activity.mode !== undefined;
    if (this.mode === 'subscriptions') {
      return status.subscriptions === 'empty'
        ? 'the subscriptions export has no accepted rows'
        : 'no subscriptions export (activity.mode is "subscriptions")';
    }
    if (status.orders === 'empty') return 'the orders export has no accepted rows';
    return explicit
      ? 'no orders export (activity.mode is "orders")'
      : 'no subscriptions or orders export';
  }

  /** Metric values of every requested period, in the caller's order of `periods`. */
  metrics(): Record<string, MetricValue>[] {
    const status = {} as Record<DatasetName, DatasetStatus>;
    for (const dataset of Object.keys(this.sinks) as DatasetName[]) {
      status[dataset] = this.status(dataset);
    }
    const baseDataset = this.mode === 'subscriptions' ? 'subscriptions' : 'orders';
    const state: EngineState = {
      plan: this.plan,
      config: this.config,
      status,
      base: status[baseDataset] === 'present' ? this.base : null,
      baseReason: this.baseReason(status),
      mrrBase: status.subscriptions === 'present' ? this.mrrBase : null,
      ...this.families,
    };
    const memo = new Map<CustomerBase, Map<string, BaseCounts>>();
    const counts = (base: CustomerBase, pair: BoundaryPair): BaseCounts => {
      let byPair = memo.get(base);
      if (!byPair) {
        byPair = new Map();
        memo.set(base, byPair);
      }
      const key = `${pair.startK}:${pair.endK}`;
      let c = byPair.get(key);
      if (!c) {
        c = base.counts(pair);
        byPair.set(key, c);
      }
      return c;
    };
    const out: Record<string, MetricValue>[] = new Array(this.plan.size);
    for (let i = 0; i < this.plan.size; i++) {
      out[this.plan.inputIndex[i] as number] = periodMetrics(state, i, counts);
    }
    return out;
  }
}

/**
 * The rows of one file. Entity datasets stage the file's rows (id → last row) and merge
 * them into the dataset's map on `commit`, so a file found unreadable half-way contributes
 * nothing. Datasets without an id column stage rows in an array (they are small: spend and
 * social are a few rows a day).
 *
 * `events` is the exception, a reasoned one: events are append-only and can be millions of
 * rows, so they go straight to the accumulators. A repeated `event_id` is a re-delivery of
 * the same event, and the FIRST occurrence is kept and the repeat counted as dropped —
 * keeping the last, as DATASETS.md says for entities, would mean holding the whole export
 * in memory until its end. Events without an `event_id` cannot be told apart and are all
 * kept. For the same reason an events file that fails half-way keeps its earlier rows.
 */
export class FileFeed<D extends DatasetName> {
  private readonly pass: MetricPass;
  private readonly dataset: D;
  private readonly idColumn: string | undefined;
  private readonly staged = new Map<string, RowOf[D]>();
  private readonly stagedRows: RowOf[D][] = [];
  private accepted = 0;
  private duplicates = 0;
  private done = false;

  constructor(pass: MetricPass, dataset: D) {
    this.pass = pass;
    this.dataset = dataset;
    this.idColumn = ID_COLUMN[dataset];
  }

  row(row: RowOf[D]): void {
    this.accepted++;
    if (this.dataset === 'events') {
      const id = (row as RowOf['events']).event_id;
      if (id !== undefined && !this.pass.firstEvent(id)) {
        this.duplicates++;
        return;
      }
      this.pass.deliver(this.dataset, row);
      return;
    }
    if (this.idColumn === undefined) {
      this.stagedRows.push(row);
      return;
    }
    const id = (row as unknown as Record<string, string>)[this.idColumn] as string;
    if (this.staged.has(id)) {
      this.duplicates++;
      // Delete first so the map's order is the order of the rows kept.
      this.staged.delete(id);
    }
    this.staged.set(id, row);
  }

  /** The file was read to its end: its rows count. */
  commit(): void {
    this.close();
    const counts = this.pass.counts[this.dataset];
    counts.rowsAccepted += this.accepted;
    counts.duplicatesDropped += this.duplicates;
    if (this.dataset === 'events') return;
    if (this.idColumn === undefined) {
      for (const row of this.stagedRows) this.pass.deliver(this.dataset, row);
      return;
    }
    const latest = this.pass.latestRows(this.dataset);
    for (const [id, row] of this.staged) {
      if (latest.has(id)) {
        counts.duplicatesDropped++;
        latest.delete(id);
      }
      latest.set(id, row);
    }
  }

  /**
   * The file could not be read to its end: its staged rows are dropped. Events already
   * delivered stay (see the class comment); they are counted as accepted so the quality
   * numbers say what the metrics saw. Returns how many rows stay counted.
   */
  abort(): number {
    this.close();
    if (this.dataset !== 'events') return 0;
    const counts = this.pass.counts[this.dataset];
    counts.rowsAccepted += this.accepted;
    counts.duplicatesDropped += this.duplicates;
    return this.accepted - this.duplicates;
  }

  private close(): void {
    if (this.done) throw new EngineError(`file of ${this.dataset} committed or aborted twice`);
    this.done = true;
  }
}
