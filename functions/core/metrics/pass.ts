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

/** V8 Sets hold at most 2^24 entries; the set of wide ids chains a new Set before that. */
const SET_LIMIT = 16_000_000;

/** FNV-1a over the UTF-16 code units, then a murmur-style finaliser so the low bits mix. */
export function idHash(id: string): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return finishHash(h);
}

function finishHash(fnv: number): number {
  let h = fnv ^ (fnv >>> 15);
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h;
}

/**
 * An exact set of narrow ids (every code unit < 256) with their characters copied into one
 * byte arena: an open-addressing table (linear probing, at most half full) of
 * [hash, entry + 1] pairs, entry k's bytes being `bytes[starts[k], starts[k + 1])`.
 *
 * Why not a `Set<string>`: with millions of event ids a V8 Set cost 400–650 ns per new id
 * in `npm run bench` (its chained table reaches keys through the string objects), and every
 * id stays a heap object that the garbage collector copies and traces: 2 M ids took the
 * engine from 3.5 s to 4.7–6 s and 30–50 MB more memory. Here a lookup is usually one
 * access to the table, and ids are bytes the collector never looks at. Equal hashes are
 * confirmed byte by byte, so the set is exact.
 */
export class NarrowIdTable {
  size = 0;
  private readonly maxIds: number;
  private readonly maxBytes: number;
  private mask = (1 << 10) - 1;
  private slots = new Int32Array(2 << 10);
  private starts = new Uint32Array(1 << 10);
  private bytes = new Uint8Array(1 << 14);
  private used = 0;

  /** Holds at most `maxIds` ids and `maxBytes` bytes of them (see `fits`). */
  constructor(maxIds: number, maxBytes: number) {
    this.maxIds = maxIds;
    this.maxBytes = maxBytes;
  }

  /** Whether one more id of `length` characters can be inserted. */
  fits(length: number): boolean {
    return this.size < this.maxIds && this.used + length <= this.maxBytes;
  }

  /** Whether the narrow id, of hash `h = idHash(id)`, is in the table. */
  has(id: string, h: number): boolean {
    const slots = this.slots;
    const mask = this.mask;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const entry = slots[2 * i + 1] as number;
      if (entry === 0) return false;
      if (slots[2 * i] === h && this.equals(entry - 1, id)) return true;
    }
  }

  /**
   * Inserts the narrow id unless it is already in the table; true when it was inserted.
   * The id must `fits`. One probe serves both the look-up and the insertion, which matters
   * when the table is far larger than the processor's caches.
   */
  add(id: string, h: number): boolean {
    const slots = this.slots;
    const mask = this.mask;
    let i = h & mask;
    for (;;) {
      const entry = slots[2 * i + 1] as number;
      if (entry === 0) break;
      if (slots[2 * i] === h && this.equals(entry - 1, id)) return false;
      i = (i + 1) & mask;
    }
    const k = this.append(id);
    slots[2 * i] = h;
    slots[2 * i + 1] = k + 1;
    if (2 * this.size > this.mask + 1) this.rehash();
    return true;
  }

  /** Inserts a narrow id known to be absent (`has` was false) that `fits`. */
  insert(id: string, h: number): void {
    const k = this.append(id);
    if (2 * this.size > this.mask + 1) this.rehash();
    this.place(h, k + 1);
  }

  /** Copies the id's characters to the arena as entry `size` and returns that entry. */
  private append(id: string): number {
    const k = this.size;
    if (k + 1 >= this.starts.length) this.starts = grown(this.starts, k + 2);
    const start = this.used;
    const end = start + id.length;
    if (end > this.bytes.length) this.bytes = grown(this.bytes, end);
    const bytes = this.bytes;
    for (let j = 0; j < id.length; j++) bytes[start + j] = id.charCodeAt(j);
    this.starts[k] = start;
    this.starts[k + 1] = end;
    this.used = end;
    this.size = k + 1;
    return k;
  }

  private place(h: number, entryPlusOne: number): void {
    const slots = this.slots;
    const mask = this.mask;
    let i = h & mask;
    while (slots[2 * i + 1] !== 0) i = (i + 1) & mask;
    slots[2 * i] = h;
    slots[2 * i + 1] = entryPlusOne;
  }

  private equals(k: number, id: string): boolean {
    const start = this.starts[k] as number;
    if ((this.starts[k + 1] as number) - start !== id.length) return false;
    const bytes = this.bytes;
    for (let j = 0; j < id.length; j++) if (bytes[start + j] !== id.charCodeAt(j)) return false;
    return true;
  }

  private rehash(): void {
    const old = this.slots;
    const capacity = 2 * (this.mask + 1);
    this.mask = capacity - 1;
    this.slots = new Int32Array(2 * capacity);
    for (let i = 1; i < old.length; i += 2) {
      const entry = old[i] as number;
      if (entry !== 0) this.place(old[i - 1] as number, entry);
    }
  }
}

/** A copy of the array at least `min` long: doubled, so appending stays amortised O(1). */
function grown<T extends Uint8Array | Uint32Array>(a: T, min: number): T {
  let length = a.length * 2;
  while (length < min) length *= 2;
  const copy = new (a.constructor as new (n: number) => T)(length);
  copy.set(a);
  return copy;
}

/** Ids per narrow table, and bytes of them, before another table is chained. */
const TABLE_IDS = 1 << 24;
const TABLE_BYTES = 2 ** 31;

/**
 * Event ids seen so far, across files; exact. Narrow ids (the usual ASCII ones) live in
 * `NarrowIdTable`s, chained when one is full; an id with a code unit ≥ 256 can never equal
 * a narrow one, so those few live apart in plain Sets.
 */
export class SeenIds {
  private readonly tables: NarrowIdTable[];
  private readonly wide: Set<string>[] = [new Set()];
  private readonly tableIds: number;
  private readonly tableBytes: number;

  /** The limits are parameters so that tests can make tables chain with a few ids. */
  constructor(tableIds = TABLE_IDS, tableBytes = TABLE_BYTES) {
    this.tableIds = tableIds;
    this.tableBytes = tableBytes;
    this.tables = [new NarrowIdTable(tableIds, tableBytes)];
  }

  /** Adds the id; false when it was already there. */
  add(id: string): boolean {
    // `idHash`, fused with the check that every code unit fits in a byte (one pass over the id).
    let fnv = 0x811c9dc5 | 0;
    let units = 0;
    for (let i = 0; i < id.length; i++) {
      const code = id.charCodeAt(i);
      units |= code;
      fnv = Math.imul(fnv ^ code, 0x01000193);
    }
    if (units > 0xff) return this.addWide(id);
    const h = finishHash(fnv);
    const tables = this.tables;
    const n = tables.length;
    for (let t = 0; t < n - 1; t++) if ((tables[t] as NarrowIdTable).has(id, h)) return false;
    const last = tables[n - 1] as NarrowIdTable;
    if (last.fits(id.length)) return last.add(id, h);
    if (last.has(id, h)) return false;
    const next = new NarrowIdTable(this.tableIds, Math.max(this.tableBytes, id.length));
    tables.push(next);
    next.insert(id, h);
    return true;
  }

  private addWide(id: string): boolean {
    for (const set of this.wide) if (set.has(id)) return false;
    let last = this.wide[this.wide.length - 1] as Set<string>;
    if (last.size >= SET_LIMIT) {
      last = new Set();
      this.wide.push(last);
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

  /** @internal The accumulators of a dataset, for a feed that delivers rows itself. */
  sinksOf(dataset: DatasetName): readonly ((row: AnyRow) => void)[] {
    return this.sinks[dataset] as ((row: AnyRow) => void)[];
  }

  /** @internal Counts rows that a feed delivered itself (see `sinksOf`). */
  countFed(dataset: DatasetName, rows: number): void {
    this.fed[dataset] += rows;
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
  private readonly events: boolean;
  /**
   * `events` rows go to these accumulators straight from `row`, counted in `delivered`
   * (added to the pass's count on commit or abort): the per-row path then does no look-up
   * by dataset name, a measurable share at millions of rows.
   */
  private readonly sinks: readonly ((row: AnyRow) => void)[];
  private delivered = 0;
  private accepted = 0;
  private duplicates = 0;
  private done = false;

  constructor(pass: MetricPass, dataset: D) {
    this.pass = pass;
    this.dataset = dataset;
    this.idColumn = ID_COLUMN[dataset];
    this.events = dataset === 'events';
    this.sinks = pass.sinksOf(dataset);
  }

  row(row: RowOf[D]): void {
    this.accepted++;
    if (this.events) {
      const id = (row as RowOf['events']).event_id;
      if (id !== undefined && !this.pass.firstEvent(id)) {
        this.duplicates++;
        return;
      }
      this.delivered++;
      const sinks = this.sinks;
      for (let i = 0; i < sinks.length; i++) (sinks[i] as (row: AnyRow) => void)(row);
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
    this.pass.countFed(this.dataset, this.delivered);
  }
}
