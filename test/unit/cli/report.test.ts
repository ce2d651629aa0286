import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../functions/core/config';
import type { Snapshot } from '../../../functions/core/snapshot';
import type { RejectedRow } from '../../../functions/core/sources';
import type { CliIo } from '../../../scripts/cli/io';
import { parseReportArgs, reportMain, resolveReportPeriod } from '../../../scripts/cli/report';

/** Monday 23 Nov 2026, 10:00 UTC: the last complete ISO week is 2026-W47. */
const NOW = Date.UTC(2026, 10, 23, 10);

function fakeIo(now = NOW): CliIo & { lines: string[]; errText: () => string } {
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
    now: () => now,
  };
}

/**
 * A hand-made business, reported for 2026-W44 in UTC: [Mon 26 Oct, Mon 2 Nov). The previous
 * week W43 is [Mon 19 Oct, Mon 26 Oct).
 *
 * Subscriptions (customer: covered interval, mrr):
 *   c1 1 Sep →,            50      c4 20 Oct → 22 Oct, 10 (joins and leaves inside W43)
 *   c2 15 Sep → 28 Oct,    30      c5 27 Oct →,        40 (new in W44)
 *   c3 1 Oct →,            20      c6 10 Oct → 25 Oct 23:00, 25 (churns in W43)
 */
const SUBSCRIPTIONS = [
  'subscription_id,customer_id,started_at,ended_at,mrr,currency,plan',
  's1,c1,2026-09-01T00:00:00Z,,50.00,USD,basic',
  's2,c2,2026-09-15T00:00:00Z,2026-10-28T12:00:00Z,30.00,USD,basic',
  's3,c3,2026-10-01T00:00:00Z,,20.00,USD,basic',
  's4,c4,2026-10-20T09:00:00Z,2026-10-22T09:00:00Z,10.00,USD,basic',
  's5,c5,2026-10-27T08:00:00Z,,40.00,USD,basic',
  's6,c6,2026-10-10T00:00:00Z,2026-10-25T23:00:00Z,25.00,USD,basic',
].join('\n');

const CUSTOMERS = [
  'customer_id,created_at,acquisition_channel',
  'c1,2026-09-01T00:00:00Z,organic',
  'c2,2026-09-15T00:00:00Z,organic',
  'c3,2026-10-01T00:00:00Z,referral',
  'c4,2026-10-20T09:00:00Z,organic',
  'c5,2026-10-27T08:00:00Z,organic',
  'c6,2026-10-10T00:00:00Z,referral',
].join('\n');

// Two order files in an `orders/` folder, one gzip'd. Line 4 of the first is in EUR.
const ORDERS_A = [
  'order_id,customer_id,ordered_at,amount,currency,status',
  'o1,c1,2026-10-27T10:00:00Z,100.00,USD,paid',
  'o2,c3,2026-10-30T15:30:00Z,50.50,USD,paid',
  'o9,c3,2026-10-30T16:00:00Z,70.00,EUR,paid',
].join('\n');
const ORDERS_B = [
  'order_id,customer_id,ordered_at,amount,currency,status',
  'o1-R,c1,2026-10-31T11:00:00Z,-20.00,USD,refunded',
  'o0,c2,2026-10-21T11:00:00Z,40.00,USD,paid',
].join('\n');

// NPS in W44: 10, 9, 7, 3, 10; line 6 has a score of 11 and is rejected.
const SURVEYS = [
  { response_id: 'r1', responded_at: '2026-10-26T09:00:00Z', survey_type: 'nps', score: 10 },
  { response_id: 'r2', responded_at: '2026-10-27T09:00:00Z', survey_type: 'nps', score: 9 },
  { response_id: 'r3', responded_at: '2026-10-28T09:00:00Z', survey_type: 'nps', score: 7 },
  { response_id: 'r4', responded_at: '2026-10-29T09:00:00Z', survey_type: 'nps', score: 3 },
  { response_id: 'r5', responded_at: '2026-11-01T23:59:00Z', survey_type: 'nps', score: 10 },
  { response_id: 'r6', responded_at: '2026-10-30T09:00:00Z', survey_type: 'nps', score: 11 },
  { response_id: 'r7', responded_at: '2026-10-20T09:00:00Z', survey_type: 'nps', score: 2 },
]
  .map((r) => JSON.stringify(r))
  .join('\n');

let root: string;
let data: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'cli-report-'));
  data = join(root, 'data');
  mkdirSync(join(data, 'orders'), { recursive: true });
  writeFileSync(join(data, 'subscriptions.csv'), `${SUBSCRIPTIONS}\n`);
  writeFileSync(join(data, 'customers.csv'), `${CUSTOMERS}\n`);
  writeFileSync(join(data, 'orders', 'a.csv'), `${ORDERS_A}\n`);
  writeFileSync(join(data, 'orders', 'b.csv.gz'), gzipSync(`${ORDERS_B}\n`));
  writeFileSync(join(data, 'survey_responses.jsonl'), `${SURVEYS}\n`);
  writeFileSync(join(data, '.notes'), 'ignored: dot files are no exports');
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('npm run report', () => {
  let out: string;
  let io: ReturnType<typeof fakeIo>;
  let code: number;
  let snapshot: Snapshot;

  beforeAll(async () => {
    out = join(root, 'out');
    io = fakeIo();
    code = await reportMain(['--data', data, '--out', out, '--period', '2026-W44'], io);
    snapshot = JSON.parse(readFileSync(join(out, 'snapshot.json'), 'utf8'));
  });

  it('exits 0 and writes snapshot, history, report and rejected rows', () => {
    expect(io.errText()).toBe('');
    expect(code).toBe(0);
    const names = readdirSync(out);
    for (const name of ['snapshot.json', 'history.json', 'report.html', 'report.txt']) {
      expect(names).toContain(name);
    }
    expect(names.some((n) => /^trend-.*\.png$/.test(n))).toBe(true);
    expect(readdirSync(join(out, 'rejected')).sort()).toEqual([
      'orders.jsonl',
      'survey_responses.jsonl',
    ]);
  });

  it('writes the period in the snapshot with its local boundaries', () => {
    expect(snapshot.period).toEqual({
      key: '2026-W44',
      kind: 'week',
      start: '2026-10-26T00:00:00+00:00',
      end: '2026-11-02T00:00:00+00:00',
      timezone: 'UTC',
    });
    expect(snapshot.inputFiles.map((f) => f.key)).toEqual([
      join(data, 'customers.csv'),
      join(data, 'subscriptions.csv'),
      join(data, 'orders', 'a.csv'),
      join(data, 'orders', 'b.csv.gz'),
      join(data, 'survey_responses.jsonl'),
    ]);
  });

  it('computes the churn of W44 and its change from W43', () => {
    // W44: active at start c1, c2, c3 (S = 3); c2 leaves on 28 Oct → churn 1/3.
    // W43: active at start c1, c2, c3, c6 (S = 4); c6 leaves on 25 Oct → churn 1/4. c4
    // joined and left inside W43, so it was never active at a boundary.
    const churn = snapshot.metrics.churn_rate;
    expect(churn?.value).toBeCloseTo((1 / 3) * 100, 9);
    expect(churn?.previous).toBeCloseTo((1 / 4) * 100, 9);
    expect(churn?.delta).toBeCloseTo((1 / 3) * 100 - 25, 9);
    expect(churn?.unit).toBe('percent');
    // Active at the end of W44: c1, c3, c5; c5 is the only customer acquired in W44.
    expect(snapshot.metrics.customers_end?.value).toBe(3);
    expect(snapshot.metrics.new_customers?.value).toBe(1);
    // MRR at start: 50 + 30 + 20; at end: 50 + 20 + 40.
    expect(snapshot.metrics.mrr_start?.value).toBeCloseTo(100, 9);
    expect(snapshot.metrics.mrr_end?.value).toBeCloseTo(110, 9);
  });

  it('computes revenue across a folder of CSV and gzip files, net of the refund', () => {
    // W44: 100.00 + 50.50 − 20.00 (the EUR order is rejected); W43: 40.00.
    expect(snapshot.metrics.revenue?.value).toBeCloseTo(130.5, 9);
    expect(snapshot.metrics.revenue?.previous).toBeCloseTo(40, 9);
    expect(snapshot.metrics.revenue?.delta).toBeCloseTo(((130.5 - 40) / 40) * 100, 9);
    // Two positive orders, so an average of 130.50 / 2.
    expect(snapshot.metrics.orders?.value).toBe(2);
    expect(snapshot.metrics.aov?.value).toBeCloseTo(65.25, 9);
  });

  it('computes NPS from the JSON Lines surveys without the rejected score', () => {
    // Promoters 10, 9, 10 (3 of 5); detractor 3 (1 of 5): 60 − 20.
    expect(snapshot.metrics.nps?.value).toBeCloseTo(40, 9);
    // W43 has one response, a 2: −100.
    expect(snapshot.metrics.nps?.previous).toBeCloseTo(-100, 9);
  });

  it('gives a reason for metrics whose dataset is missing', () => {
    const dau = snapshot.metrics.dau;
    expect(dau?.value).toBeNull();
    expect(dau?.reason).toMatch(/events/);
  });

  it('counts rejected rows in the quality section and writes each to its JSONL', () => {
    expect(snapshot.quality.orders?.rowsRejected).toBe(1);
    expect(snapshot.quality.survey_responses?.rowsRejected).toBe(1);
    const orders = readFileSync(join(out, 'rejected', 'orders.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as RejectedRow);
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({
      dataset: 'orders',
      file: join(data, 'orders', 'a.csv'),
      line: 4,
      column: 'currency',
      record: { order_id: 'o9', currency: 'EUR' },
    });
    expect(orders[0]?.reason).toMatch(/EUR/);
    const surveys = readFileSync(join(out, 'rejected', 'survey_responses.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as RejectedRow);
    expect(surveys).toHaveLength(1);
    expect(surveys[0]).toMatchObject({ line: 6, column: 'score' });
  });

  it('writes the trend periods to history.json, oldest first, the reported one last', () => {
    const history = JSON.parse(readFileSync(join(out, 'history.json'), 'utf8')) as Snapshot[];
    // email.trendPeriods defaults to 12: W33 … W44.
    expect(history.map((s) => s.period.key)).toEqual(
      Array.from({ length: 12 }, (_, i) => `2026-W${33 + i}`),
    );
    expect(history[11]).toEqual(snapshot);
    // W43 carries its own delta against W42 (no subscription ended in W42: churn 0).
    expect(history[10]?.metrics.churn_rate?.value).toBeCloseTo(25, 9);
    expect(history[10]?.metrics.churn_rate?.previous).toBe(0);
  });

  it('writes a readable report.txt and an HTML page whose charts are the files beside it', () => {
    const text = readFileSync(join(out, 'report.txt'), 'utf8');
    expect(text).toMatch(/KEY NUMBERS/);
    expect(text).toMatch(/Churn\s+33\.3%/);
    expect(text).toMatch(/Week 44/);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).not.toMatch(/cid:/);
    expect(html).toMatch(/src="trend-churn_rate\.png"/);
  });

  it('prints the headline and the paths of the report', () => {
    const stdout = io.lines.join('\n');
    expect(stdout).toMatch(/2026-W44/);
    expect(stdout).toMatch(/Churn: 33\.3%/);
    expect(stdout).toMatch(/Rejected rows: 2 \(orders 1, survey_responses 1\)/);
    expect(stdout).toContain(join(out, 'report.html'));
    expect(stdout).toContain(join(out, 'report.txt'));
  });

  it('removes the rejected rows of an earlier run into the same folder', async () => {
    const again = join(root, 'again');
    mkdirSync(join(again, 'rejected'), { recursive: true });
    writeFileSync(join(again, 'rejected', 'tickets.jsonl'), 'stale\n');
    const code2 = await reportMain(
      ['--data', data, '--out', again, '--period', '2026-W44'],
      fakeIo(),
    );
    expect(code2).toBe(0);
    expect(readdirSync(join(again, 'rejected')).sort()).toEqual([
      'orders.jsonl',
      'survey_responses.jsonl',
    ]);
  });
});

describe('npm run report with a config file and flags', () => {
  it('reads the report part of a deploy-style config and lets the flags win', async () => {
    const config = join(root, 'deploy.json');
    writeFileSync(
      config,
      JSON.stringify({
        report: { name: 'Acme weekly', timezone: 'Europe/Berlin', currency: 'EUR' },
        deploy: { memoryMb: 1024 },
      }),
    );
    const out = join(root, 'out-config');
    const io = fakeIo();
    const code = await reportMain(
      ['--data', data, '--out', out, '--config', config, '--timezone', 'UTC', '--currency', 'usd'],
      io,
    );
    expect(io.errText()).toBe('');
    expect(code).toBe(0);
    const snapshot = JSON.parse(readFileSync(join(out, 'snapshot.json'), 'utf8')) as Snapshot;
    // No --period: the last complete week before Mon 23 Nov 2026, 10:00 UTC.
    expect(snapshot.period.key).toBe('2026-W47');
    expect(snapshot.period.timezone).toBe('UTC');
    expect(snapshot.currency).toBe('USD');
    expect(io.lines[0]).toMatch(/^Acme weekly/);
  });

  it('accepts a bare report config and takes the period kind from the key', async () => {
    const config = join(root, 'bare.json');
    writeFileSync(config, JSON.stringify({ period: 'week', email: { trendPeriods: 3 } }));
    const out = join(root, 'out-month');
    const code = await reportMain(
      ['--data', data, '--out', out, '--config', config, '--period', '2026-10'],
      fakeIo(),
    );
    expect(code).toBe(0);
    const snapshot = JSON.parse(readFileSync(join(out, 'snapshot.json'), 'utf8')) as Snapshot;
    expect(snapshot.period).toMatchObject({ key: '2026-10', kind: 'month' });
    // October: active at 1 Oct 00:00 are c1, c2 and c3 (s3 starts exactly then: started_at
    // ≤ t); at 1 Nov c1, c3, c5. Only c2 churned: 1 of 3. September: c1 alone at the start,
    // still active at the end: 0 %.
    expect(snapshot.metrics.churn_rate?.value).toBeCloseTo((1 / 3) * 100, 9);
    expect(snapshot.metrics.churn_rate?.previous).toBe(0);
    const history = JSON.parse(readFileSync(join(out, 'history.json'), 'utf8')) as Snapshot[];
    expect(history.map((s) => s.period.key)).toEqual(['2026-08', '2026-09', '2026-10']);
  });
});

describe('npm run report errors', () => {
  const cases: [string, () => string[], RegExp][] = [
    ['an unknown flag', () => ['--data', data, '--out', root, '--nope'], /--nope/],
    ['a missing --data', () => ['--out', root], /--data <dir> is required/],
    ['a missing --out', () => ['--data', data], /--out <dir> is required/],
    [
      'an unknown time zone',
      () => ['--data', data, '--out', root, '--timezone', 'Mars/Olympus'],
      /--timezone "Mars\/Olympus" is not a known IANA time zone/,
    ],
    [
      'a bad currency',
      () => ['--data', data, '--out', root, '--currency', 'dollars'],
      /--currency must be a three-letter/,
    ],
    [
      'a folder that does not exist',
      () => ['--data', join(root, 'missing'), '--out', root],
      /does not exist/,
    ],
    [
      'a folder without exports',
      () => ['--data', join(root, 'empty'), '--out', join(root, 'out-empty')],
      /holds no export files/,
    ],
    [
      'a config file that does not exist',
      () => ['--data', data, '--out', root, '--config', join(root, 'nope.json')],
      /--config file .* does not exist/,
    ],
    [
      'a config file that is not JSON',
      () => ['--data', data, '--out', root, '--config', join(root, 'broken.json')],
      /is not valid JSON/,
    ],
    [
      'a config that breaks the schema',
      () => ['--data', data, '--out', root, '--config', join(root, 'invalid.json')],
      /invalid configuration: .*currency/,
    ],
    [
      'a malformed period key',
      () => ['--data', data, '--out', root, '--period', 'last-week'],
      /--period "last-week" is not a period key; use an ISO week "2026-W44"/,
    ],
    [
      'a week that does not exist',
      () => ['--data', data, '--out', root, '--period', '2026-W54'],
      /--period "2026-W54"/,
    ],
    [
      'a period that has not ended',
      () => ['--data', data, '--out', root, '--period', '2026-W48'],
      /has not ended yet.*2026-W47/,
    ],
  ];

  beforeAll(() => {
    mkdirSync(join(root, 'empty'), { recursive: true });
    writeFileSync(join(root, 'broken.json'), '{"report": {');
    writeFileSync(join(root, 'invalid.json'), JSON.stringify({ currency: 'euro' }));
  });

  for (const [what, argv, message] of cases) {
    it(`exits 2 with one line on stderr for ${what}`, async () => {
      const io = fakeIo();
      const code = await reportMain(argv(), io);
      expect(code).toBe(2);
      const err = io.errText();
      expect(err.endsWith('\n')).toBe(true);
      expect(err.trimEnd().split('\n')).toHaveLength(1);
      expect(err).toMatch(/^report: /);
      expect(err).toMatch(message);
      expect(io.lines).toEqual([]);
    });
  }

  it('prints the help on stdout and exits 0', async () => {
    const io = fakeIo();
    expect(await reportMain(['--help'], io)).toBe(0);
    const help = io.lines.join('\n');
    for (const flag of ['--data', '--out', '--period', '--timezone', '--currency', '--config']) {
      expect(help).toContain(flag);
    }
  });
});

describe('parseReportArgs', () => {
  it('keeps the flags given and nothing else', () => {
    expect(parseReportArgs(['--data', 'd', '--out', 'o', '--period', '2026-Q4'])).toEqual({
      data: 'd',
      out: 'o',
      period: '2026-Q4',
      progress: false,
    });
  });
});

describe('resolveReportPeriod', () => {
  it('takes the last complete period of the configured kind in the report zone', () => {
    // 23 Nov 2026 10:00 UTC is still Monday 23 Nov in New York; the last whole month there
    // is October, the last whole quarter Q3.
    const config = parseConfig({ timezone: 'America/New_York', period: 'month' });
    expect(resolveReportPeriod(config, undefined, NOW).key).toBe('2026-10');
    const quarterly = parseConfig({ timezone: 'America/New_York', period: 'quarter' });
    expect(resolveReportPeriod(quarterly, undefined, NOW).key).toBe('2026-Q3');
  });

  it('takes the week before when the new week has not begun in the zone', () => {
    // 02:00 UTC on Mon 23 Nov is still Sunday 22 Nov in New York (UTC−5): W47 has not ended.
    const config = parseConfig({ timezone: 'America/New_York' });
    expect(resolveReportPeriod(config, undefined, Date.UTC(2026, 10, 23, 2)).key).toBe('2026-W46');
  });
});
