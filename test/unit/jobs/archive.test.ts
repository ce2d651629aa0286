import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ArchiveConflictError, updateArchiveIndex } from '../../../functions/core/jobs/archive';
import type { VersionedText, VersionedTextStore } from '../../../functions/core/jobs/ports';
import { type ArchiveEntry, parseArchiveIndex } from '../../../functions/core/report/archive';
import { LocalArchiveStore } from '../../../scripts/cli/archive';

const REPORT = { reportId: 'weekly', name: 'Weekly' };
const JSON_KEY = 'reports/weekly/index.json';
const HTML_KEY = 'reports/weekly/index.html';

function entry(periodKey: string, revision = 0): ArchiveEntry {
  return {
    periodKey,
    label: periodKey,
    sentAt: '2026-11-23T07:00:00.000Z',
    revision,
    headline: [{ label: 'Customers', value: '10' }],
  };
}

/**
 * Objects in memory with S3's conditional-write rule (a write naming a version that is no
 * longer current, or `undefined` over an existing object, is refused), and a hook run on
 * every read so a test can hold readers until all of them have read.
 */
class ConditionalMemory implements VersionedTextStore {
  readonly objects = new Map<string, VersionedText>();
  conflicts = 0;
  private version = 0;
  onRead: () => Promise<void> = async () => {};

  async getText(key: string) {
    const found = this.objects.get(key);
    await this.onRead();
    return found;
  }

  async putTextIfUnchanged(key: string, text: string, _type: string, etag: string | undefined) {
    if (this.objects.get(key)?.etag !== etag) {
      this.conflicts++;
      return undefined;
    }
    return this.write(key, text);
  }

  async putText(key: string, text: string) {
    this.write(key, text);
  }

  private write(key: string, text: string) {
    const etag = `v${++this.version}`;
    this.objects.set(key, { text, etag });
    return etag;
  }
}

const noWait = async () => {};

describe('updateArchiveIndex', () => {
  it('creates the index with the first entry and renders the page from it', async () => {
    const store = new ConditionalMemory();
    const index = await updateArchiveIndex(store, REPORT, entry('2026-W44'), { sleep: noWait });
    expect(index.entries.map((e) => e.periodKey)).toEqual(['2026-W44']);
    const stored = parseArchiveIndex(store.objects.get(JSON_KEY)?.text ?? '');
    expect(stored).toEqual({ ...REPORT, entries: [entry('2026-W44')] });
    expect(store.objects.get(HTML_KEY)?.text).toContain('href="2026-W44/report.html"');
  });

  it('loses no entry when two runs read the same version and write at once', async () => {
    // Prepare: both runs' first read returns before either writes.
    const store = new ConditionalMemory();
    await updateArchiveIndex(store, REPORT, entry('2026-W40'), { sleep: noWait });
    let waiting: (() => void)[] = [];
    store.onRead = () =>
      new Promise<void>((resolve) => {
        waiting.push(resolve);
        if (waiting.length === 2) {
          for (const release of waiting) release();
          waiting = [];
          store.onRead = async () => {};
        }
      });

    // Act
    await Promise.all([
      updateArchiveIndex(store, REPORT, entry('2026-W41'), { sleep: noWait }),
      updateArchiveIndex(store, REPORT, entry('2026-W42'), { sleep: noWait }),
    ]);

    // Assess: one write lost the race, re-read and kept the other's entry.
    expect(store.conflicts).toBe(1);
    const stored = parseArchiveIndex(store.objects.get(JSON_KEY)?.text ?? '');
    expect(stored.entries.map((e) => e.periodKey)).toEqual(['2026-W42', '2026-W41', '2026-W40']);
    // The page ends up showing all three, whichever run wrote it last.
    const page = store.objects.get(HTML_KEY)?.text ?? '';
    for (const key of ['2026-W40', '2026-W41', '2026-W42'])
      expect(page).toContain(`${key}/report.html`);
  });

  it('gives up with a plain error when every attempt loses', async () => {
    const store = new ConditionalMemory();
    store.putTextIfUnchanged = async () => {
      store.conflicts++;
      return undefined;
    };
    await expect(
      updateArchiveIndex(store, REPORT, entry('2026-W41'), { attempts: 3, sleep: noWait }),
    ).rejects.toThrow(ArchiveConflictError);
    expect(store.conflicts).toBe(3);
  });

  it('leaves a damaged index alone and says which it is', async () => {
    const store = new ConditionalMemory();
    await store.putText(JSON_KEY, '{ not json');
    await expect(updateArchiveIndex(store, REPORT, entry('2026-W41'))).rejects.toThrow(
      /the archive index is not valid JSON/,
    );
    expect(store.objects.get(JSON_KEY)?.text).toBe('{ not json');
  });
});

describe('LocalArchiveStore', () => {
  const root = mkdtempSync(join(tmpdir(), 'archive-store-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('refuses a write over a version it did not read, and a create over an existing file', async () => {
    const store = new LocalArchiveStore(join(root, 'rule'));
    const first = await store.putTextIfUnchanged('a/b.json', 'one', 'x', undefined);
    expect(first).toBeDefined();
    expect(await store.putTextIfUnchanged('a/b.json', 'two', 'x', undefined)).toBeUndefined();
    expect(
      await store.putTextIfUnchanged('a/b.json', 'two', 'x', 'not-the-version'),
    ).toBeUndefined();
    expect(await store.putTextIfUnchanged('a/b.json', 'two', 'x', first)).toBeDefined();
    expect(readFileSync(join(root, 'rule', 'a', 'b.json'), 'utf8')).toBe('two');
  });

  it('keeps every entry of twelve concurrent updates', async () => {
    const store = new LocalArchiveStore(join(root, 'many'));
    const keys = Array.from({ length: 12 }, (_, i) => `2026-W${String(i + 1).padStart(2, '0')}`);
    await Promise.all(
      keys.map((k) =>
        updateArchiveIndex(store, REPORT, entry(k), { attempts: 40, baseDelayMs: 2 }),
      ),
    );
    const stored = parseArchiveIndex(readFileSync(store.path(JSON_KEY), 'utf8'));
    expect(stored.entries.map((e) => e.periodKey)).toEqual([...keys].reverse());
    const page = readFileSync(store.path(HTML_KEY), 'utf8');
    for (const key of keys) expect(page).toContain(`${key}/report.html`);
  });
});
