/**
 * A representative subset of the bad-input corpus (test/corpus/cases.ts) through the local
 * runner, `npm run report`: each file alone in its dataset's folder. The run exits 0 with
 * one clear stdout line for a file it could not read, no stack trace on stderr, every bad
 * row in rejected/<dataset>.jsonl, the good rows' metrics in snapshot.json, and the file
 * left as it was. Then hostile HTML in every text field that reaches the email.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../../functions/core/snapshot';
import type { RejectedRow } from '../../../functions/core/sources';
import type { CliIo } from '../../../scripts/cli/io';
import { reportMain } from '../../../scripts/cli/report';
import { CASES, PERIOD } from '../../corpus/cases';

/** Monday 2 Nov 2026: 2026-W44 is the last closed week. */
const NOW = Date.UTC(2026, 10, 2, 10);

function fakeIo(): CliIo & { lines: string[]; errText: () => string } {
  const lines: string[] = [];
  let err = '';
  return {
    lines,
    errText: () => err,
    out: (line) => lines.push(line),
    err: (text) => {
      err += text;
    },
    errIsTTY: false,
    now: () => NOW,
  };
}

const SUBSET = [
  'truncated gzip (CSV)',
  'duplicated column in the header',
  'lone CR line ends',
  'a 100 MB line (CSV, unclosed cell)',
  'unterminated quote at EOF',
  'mixed currencies',
  'lines that are not objects',
  'a subscription that ends before it starts',
  'survey scores outside their scale, unknown types',
  'tickets resolved before they were opened',
];

let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'cli-corpus-'));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

const readJsonl = (path: string): RejectedRow[] =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as RejectedRow);

describe('bad-input corpus through npm run report', () => {
  it('covers cases that exist', () => {
    for (const name of SUBSET) expect(CASES.map((c) => c.name)).toContain(name);
  });

  for (const name of SUBSET) {
    const c = CASES.find((x) => x.name === name);
    if (!c) continue;
    it(name, async () => {
      // Prepare
      const dir = join(root, String(SUBSET.indexOf(name)));
      const data = join(dir, 'data');
      const out = join(dir, 'out');
      mkdirSync(join(data, c.dataset), { recursive: true });
      const path = join(data, c.dataset, c.file);
      if (c.generate) await c.generate(path);
      else writeFileSync(path, c.bytes ?? '');
      const original = c.generate ? undefined : readFileSync(path);
      const io = fakeIo();

      // Act
      const code = await reportMain(['--data', data, '--out', out, '--period', PERIOD], io);

      // Assess
      expect(io.errText()).toBe('');
      expect(code).toBe(0);
      const stdout = io.lines.join('\n');
      expect(stdout).not.toMatch(/\n\s+at /);
      if (original) expect(readFileSync(path).equals(original)).toBe(true);
      const snapshot = JSON.parse(readFileSync(join(out, 'snapshot.json'), 'utf8')) as Snapshot;
      const notRead = io.lines.filter((l) => l.startsWith('File not read: '));
      if (c.fileError !== undefined) {
        expect(notRead).toHaveLength(1);
        const prefix = `File not read: ${path}: `;
        expect(notRead[0]?.startsWith(prefix)).toBe(true);
        const reason = notRead[0]?.slice(prefix.length);
        if (c.fileError instanceof RegExp) expect(reason).toMatch(c.fileError);
        else expect(reason).toBe(c.fileError);
      } else {
        expect(notRead).toEqual([]);
        const expected = c.rejects ?? [];
        if (expected.length === 0) expect(stdout).toContain('Rejected rows: none');
        else {
          expect(stdout).toContain(
            `Rejected rows: ${expected.length} (${c.dataset} ${expected.length}) in ${join(out, 'rejected')}/`,
          );
          const rows = readJsonl(join(out, 'rejected', `${c.dataset}.jsonl`));
          expect(rows.map((r) => [r.file, r.line, r.column, r.reason])).toEqual(
            expected.map(([line, column, reason]) => [path, line, column, reason]),
          );
        }
      }
      expect(snapshot.quality[c.dataset]?.rowsAccepted).toBe(c.accepted);
      for (const [id, value] of Object.entries(c.metrics ?? {})) {
        expect(snapshot.metrics[id]?.value, id).toEqual(value);
      }
      if (c.generate) rmSync(path, { force: true });
    }, 30_000);
  }
});

describe('hostile HTML in text fields that reach the email', () => {
  const CAC = '<script>alert("cac")</script>';
  const FEATURE = '<img src=x onerror=alert("feature")>';
  const TICKET = '<b onmouseover=alert("ticket")>mail</b>';
  const SOCIAL = '<svg onload=alert("social")>';
  const CELL = '<iframe src=//evil.test>';
  // No slash: a file name cannot hold one.
  const FILE = '<b onclick=alert(1)>orders.csv';
  let html: string;
  let text: string;
  let snapshot: Snapshot;

  beforeAll(async () => {
    const data = join(root, 'html', 'data');
    const out = join(root, 'html', 'out');
    for (const d of ['orders', 'marketing_spend', 'events', 'tickets', 'social']) {
      mkdirSync(join(data, d), { recursive: true });
    }
    const csv = (...rows: string[]) => `${rows.join('\n')}\n`;
    const q = (s: string) => `"${s.replaceAll('"', '""')}"`;
    // c1 and c2 are new in W44 through the hostile channel (their first orders are in
    // W44; c2's first row is rejected, its second counts); 30.00 was spent on it.
    writeFileSync(
      join(data, 'customers.csv'),
      csv(
        'customer_id,created_at,acquisition_channel',
        `c1,2026-10-27T10:00:00Z,${q(CAC)}`,
        `c2,2026-10-28T10:00:00Z,${q(CAC)}`,
      ),
    );
    writeFileSync(
      join(data, 'marketing_spend', 'spend.csv'),
      csv('date,channel,amount', `2026-10-27,${q(CAC)},30.00`),
    );
    writeFileSync(
      join(data, 'orders', FILE),
      csv(
        'order_id,customer_id,ordered_at,amount',
        'o1,c1,2026-10-27T11:00:00Z,40.00',
        `o2,c2,2026-10-28T11:00:00Z,${q(CELL)}`,
        'o3,c2,2026-10-29T11:00:00Z,10.00',
      ),
    );
    writeFileSync(
      join(data, 'events', 'events.csv'),
      csv(
        'user_id,occurred_at,event_type,feature',
        `c1,2026-10-27T12:00:00Z,feature_used,${q(FEATURE)}`,
      ),
    );
    writeFileSync(
      join(data, 'tickets', 'tickets.csv'),
      csv('ticket_id,created_at,customer_id,channel', `t1,2026-10-27T12:00:00Z,c1,${q(TICKET)}`),
    );
    writeFileSync(
      join(data, 'social', 'social.csv'),
      csv('date,platform,followers,likes', `2026-10-27,${q(SOCIAL)},100,5`),
    );
    const io = fakeIo();
    const code = await reportMain(['--data', data, '--out', out, '--period', PERIOD], io);
    expect(io.errText()).toBe('');
    expect(code).toBe(0);
    html = readFileSync(join(out, 'report.html'), 'utf8');
    text = readFileSync(join(out, 'report.txt'), 'utf8');
    snapshot = JSON.parse(readFileSync(join(out, 'snapshot.json'), 'utf8')) as Snapshot;
  }, 60_000);

  it('computes the CAC of the hostile channel from the good rows', () => {
    // 30.00 spent on the channel, 2 customers acquired through it.
    expect(snapshot.metrics.cac?.value).toBeCloseTo(15, 9);
    expect(snapshot.metrics.cac?.breakdown?.[CAC]).toBeCloseTo(15, 9);
  });

  it('never puts a raw payload in the HTML', () => {
    for (const payload of [CAC, FEATURE, TICKET, SOCIAL, CELL, FILE]) {
      expect(html).not.toContain(payload);
    }
    // No tag of a payload opens (escaped, `onerror=` is only text after `&lt;img`); the
    // report's own charts are <img> tags.
    const raw = /<(script|svg|iframe)\b|<img src=x|<b on/gi;
    const found = [...html.matchAll(raw)].map((m) => html.slice(m.index - 80, m.index + 40));
    expect(found).toEqual([]);
  });

  it('shows the hostile channel escaped in the CAC breakdown', () => {
    expect(html).toContain('CAC by channel');
    expect(html).toContain('&lt;script&gt;alert(&quot;cac&quot;)&lt;/script&gt;');
    // The feature, ticket channel, file name and the rejected cell's reason, escaped too.
    expect(html).toContain('&lt;img src=x onerror=alert(&quot;feature&quot;)&gt;');
    expect(html).toContain('&lt;b onmouseover=alert(&quot;ticket&quot;)&gt;mail&lt;/b&gt;');
    expect(html).toContain('&lt;b onclick=alert(1)&gt;orders.csv');
    // The text part is plain text: the value as it is.
    expect(text).toContain(CAC);
  });
});
