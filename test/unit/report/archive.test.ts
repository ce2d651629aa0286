import { describe, expect, it } from 'vitest';
import {
  type ArchiveEntry,
  type ArchiveIndex,
  ArchiveIndexError,
  archiveIndexHtmlKey,
  archiveIndexKey,
  parseArchiveIndex,
  renderArchiveIndex,
  upsertArchiveEntry,
} from '../../../functions/core/report/archive';

function entry(periodKey: string, revision = 0, extra: Partial<ArchiveEntry> = {}): ArchiveEntry {
  return {
    periodKey,
    label: `Label ${periodKey}`,
    sentAt: '2026-11-23T07:00:05.000Z',
    revision,
    headline: [{ label: 'Customers', value: '1,204', delta: '▲ +3.1%' }],
    ...extra,
  };
}

const EMPTY: ArchiveIndex = { reportId: 'weekly', name: 'Weekly', entries: [] };

describe('archive keys', () => {
  it('puts the index next to the period folders', () => {
    expect(archiveIndexKey('weekly')).toBe('reports/weekly/index.json');
    expect(archiveIndexHtmlKey('weekly')).toBe('reports/weekly/index.html');
  });
});

describe('upsertArchiveEntry', () => {
  it('keeps one entry per period, newest period first', () => {
    // W09 before W44 although "W9" would sort after "W4" as plain text.
    let index = upsertArchiveEntry(EMPTY, entry('2026-W44'));
    index = upsertArchiveEntry(index, entry('2026-W09'));
    index = upsertArchiveEntry(index, entry('2026-W45'));
    expect(index.entries.map((e) => e.periodKey)).toEqual(['2026-W45', '2026-W44', '2026-W09']);
    expect(EMPTY.entries).toEqual([]); // pure: the input is not changed
  });

  it('replaces a period with its revision, and never with an older revision', () => {
    const first = upsertArchiveEntry(EMPTY, entry('2026-W44', 0));
    const revised = upsertArchiveEntry(first, entry('2026-W44', 1, { label: 'revised one' }));
    expect(revised.entries).toHaveLength(1);
    expect(revised.entries[0]?.revision).toBe(1);
    expect(revised.entries[0]?.label).toBe('revised one');
    // A slow retry of revision 0 arriving after revision 1.
    const late = upsertArchiveEntry(revised, entry('2026-W44', 0, { label: 'stale' }));
    expect(late.entries[0]?.label).toBe('revised one');
  });
});

describe('parseArchiveIndex', () => {
  it('reads back what was written, sorted', () => {
    const index = {
      reportId: 'weekly',
      name: 'Weekly',
      entries: [entry('2026-W43'), entry('2026-W47', 2)],
    };
    const parsed = parseArchiveIndex(JSON.stringify(index));
    expect(parsed.entries.map((e) => e.periodKey)).toEqual(['2026-W47', '2026-W43']);
    expect(parsed.entries[0]).toEqual(entry('2026-W47', 2));
  });

  it('says what is wrong with a damaged index', () => {
    expect(() => parseArchiveIndex('{"reportId": "x", ')).toThrow(ArchiveIndexError);
    expect(() => parseArchiveIndex('{"reportId": "x", ')).toThrow(/not valid JSON/);
    const bad = JSON.stringify({ reportId: 'x', name: 'X', entries: [{ periodKey: '2026-W01' }] });
    expect(() => parseArchiveIndex(bad)).toThrow(
      /the archive index is not in the expected shape: entries\.0\.label: an entry needs its period label/,
    );
    const negative = JSON.stringify({ ...EMPTY, entries: [entry('2026-W01', -1)] });
    expect(() => parseArchiveIndex(negative)).toThrow(/entries\.0\.revision/);
  });
});

describe('renderArchiveIndex', () => {
  const index: ArchiveIndex = {
    reportId: 'weekly',
    name: 'Zoë & <Co>',
    entries: [
      entry('2026-W44', 0, {
        label: 'Week 44, Oct 26 – Nov 1 2026',
        headline: [
          { label: 'Customers', value: '1,204', delta: '▲ +3.1%' },
          { label: 'Churn', value: '2.1%' },
        ],
      }),
      entry('2026-W45', 1, {
        label: 'Week 45 <b>',
        headline: [{ label: 'Churn', value: '2.4%', delta: '▲ +0.3 pp' }],
      }),
    ],
  };
  const html = renderArchiveIndex(index, (e) => `${e.periodKey}/report.html?x="1"&y=2`);

  it('is a complete page with no external resource', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    expect(html).not.toMatch(/<(script|link|img)\b/);
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('escapes every value, the links included', () => {
    expect(html).toContain('<title>Zoë &amp; &lt;Co&gt;: report archive</title>');
    expect(html).toContain('Week 45 &lt;b&gt;');
    expect(html).not.toContain('<b>');
    expect(html).toContain('href="2026-W45/report.html?x=&quot;1&quot;&amp;y=2"');
  });

  it('lists periods newest first with each headline value, delta and the revised mark', () => {
    const rows = html.split('<tr>').slice(2); // after the header row
    expect(rows).toHaveLength(2);
    // W45 first: its Churn column, no Customers value (a dash), marked revised.
    expect(rows[0]).toContain('2026-W45/report.html');
    expect(rows[0]).toContain('<span class="revised">revised</span>');
    expect(rows[0]).toContain('<td class="num">–</td>');
    expect(rows[0]).toContain('2.4%<span class="delta">▲ +0.3 pp</span>');
    expect(rows[1]).toContain('1,204<span class="delta">▲ +3.1%</span>');
    expect(rows[1]).toContain('<td class="num">2.1%</td>');
    expect(rows[1]).not.toContain('revised');
    expect(rows[1]).toContain('2026-11-23 07:00 UTC');
    // One column per headline label, in the newest entry's order first.
    expect(html).toContain(
      '<th scope="col">Period</th><th scope="col">Churn</th><th scope="col">Customers</th><th scope="col">Sent</th>',
    );
  });

  it('says so when nothing is kept yet', () => {
    expect(renderArchiveIndex(EMPTY, () => '')).toContain('No report has been kept yet.');
  });
});
