/**
 * The at-risk reasons, the subscribers at risk and the cross-dataset findings in the email
 * (HTML and text): the words, the escaping of ids from the data, and the bytes they add to
 * the worst-case email (Gmail clips the HTML at 102 KB).
 */
import { describe, expect, it } from 'vitest';
import { recipientHash } from '../../../functions/core/jobs/recipients';
import { emailLinks, LinkSigner, personalLinks } from '../../../functions/core/report/links';
import { HTML_BUDGET_BYTES, renderReport } from '../../../functions/core/report/render';
import {
  buildReportView,
  EMAIL_LAYOUTS,
  type ReportInput,
} from '../../../functions/core/report/view';
import type { Snapshot } from '../../../functions/core/snapshot';
import {
  fixtureConfig,
  fixtureHistory,
  fixtureSnapshot,
  longestAtRiskReasons,
  withLongestAtRiskAndConsistency,
  worstCaseSnapshot,
} from '../../fixtures/report-snapshot';

const HOSTILE_ID = '<img src=x onerror=alert(1)>';

function input(snapshot: Snapshot): ReportInput {
  return { snapshot, history: fixtureHistory(), config: fixtureConfig() };
}

function withReasons(): Snapshot {
  const s = fixtureSnapshot();
  const second = s.atRisk?.[1];
  if (second) {
    second.reasons = [
      { kind: 'p_alive', detail: 'P(alive) 9 %' },
      { kind: 'downgrade', detail: 'MRR 99 → 49' },
      { kind: 'open_tickets', detail: '2 open tickets, oldest 9 days' },
    ];
  }
  const third = s.atRisk?.[2];
  if (third) third.reasons = [{ kind: 'p_alive', detail: 'P(alive) 13 %' }];
  s.atRiskSubscribers = [
    {
      customerId: 'acme-co',
      mrr: 199,
      reasons: [{ kind: 'failed_payment', detail: 'payment failed on 2026-10-29' }],
    },
    {
      customerId: HOSTILE_ID,
      mrr: 49.5,
      reasons: [{ kind: 'low_nps', detail: 'NPS 3 on 2026-10-28' }],
    },
  ];
  s.consistency = [
    {
      check: 'unknown_customer',
      dataset: 'orders',
      count: 12,
      ids: 4,
      examples: ['c_991', 'c_992', HOSTILE_ID],
    },
    { check: 'user_not_customer', dataset: 'events', count: 1, ids: 1, examples: ['visitor-1'] },
    { check: 'before_signup', dataset: 'subscriptions', count: 2, ids: 2, examples: ['c1', 'c2'] },
    { check: 'failed_order_in_revenue', dataset: 'orders', count: 3, ids: 1, examples: ['c7'] },
    {
      check: 'channel_without_spend',
      dataset: 'customers',
      count: 5,
      ids: 2,
      examples: ['podcast', 'tiktok'],
    },
  ];
  return s;
}

describe('at-risk reasons in the email', () => {
  const view = buildReportView(input(withReasons()));
  const models = view.sections.find((s) => s.id === 'models');

  it('shows the model’s customers’ other reasons under their row, not P(alive) again', () => {
    const table = models?.tables.find((t) => t.title === 'Customers at risk');
    // Sorted by value lost: cus_1037 (row 2) has P(alive) 0.09 and two more reasons.
    expect(table?.rows[1]?.cells[0]).toBe('cus_1037');
    expect(table?.rows[1]?.why).toBe('Why: MRR 99 → 49 · 2 open tickets, oldest 9 days');
    // Only P(alive), or no reasons at all (an older snapshot): no "Why" line.
    expect(table?.rows[2]?.why).toBeUndefined();
    expect(table?.rows[0]?.why).toBeUndefined();
  });

  it('lists the subscribers at risk with their MRR, reasons and how many more there are', () => {
    const table = models?.tables.find((t) => t.title === 'Subscribers at risk');
    expect(table?.columns.map((c) => c.header)).toEqual(['Customer', 'MRR']);
    expect(table?.rows).toEqual([
      { cells: ['acme-co', '$199.00'], why: 'Why: payment failed on 2026-10-29' },
      { cells: [HOSTILE_ID, '$49.50'], why: 'Why: NPS 3 on 2026-10-28' },
    ]);
    // at_risk_subscribers of the fixture is 6, two are listed.
    expect(table?.more).toBe('and 4 more at-risk subscribers');
  });

  it('says what each cross-dataset finding is, how the metrics count it, and names ids', () => {
    expect(view.quality.consistency).toEqual([
      `12 orders reference 4 unknown customers (kept in revenue and orders): c_991, c_992, ${HOSTILE_ID}, …`,
      '1 event comes from 1 user who is not a customer (kept in the product activity metrics): visitor-1',
      '2 subscriptions of 2 customers are dated before the customer’s created_at (kept in the customer base and MRR): c1, c2',
      '3 orders of 1 customer have status failed or declined (kept in revenue and orders): c7',
      '5 new customers came from 2 channels without any marketing spend (kept in the blended CAC, absent from CAC by channel): podcast, tiktok',
    ]);
  });

  it('escapes ids and reasons in the HTML and keeps them verbatim in the text', async () => {
    const { html, text } = await renderReport(input(withReasons()));
    expect(html).not.toContain(HOSTILE_ID);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('Why: MRR 99 → 49 · 2 open tickets, oldest 9 days');
    expect(html).toContain('Across datasets (rows kept as they are)');
    expect(text).toContain(HOSTILE_ID);
    expect(text).toContain('      Why: MRR 99 → 49 · 2 open tickets, oldest 9 days');
    expect(text).toContain(
      '  Across datasets (rows kept as they are):\n    - 12 orders reference 4',
    );
  });

  it('shows nothing new for a snapshot without reasons or findings', () => {
    const plain = buildReportView(input(fixtureSnapshot()));
    expect(plain.quality.consistency).toEqual([]);
    const tables = plain.sections.find((s) => s.id === 'models')?.tables ?? [];
    expect(tables.map((t) => t.title)).toEqual(['Customers at risk']);
    expect(tables[0]?.rows.every((r) => r.why === undefined)).toBe(true);
  });
});

describe('the worst-case email with reasons and findings', () => {
  /** The worst case of render.test.ts ("the longest lists a snapshot can hold"). */
  function worstCase(): Snapshot {
    return worstCaseSnapshot();
  }

  it('shows 10 of 100 subscribers and every finding, and reports the bytes they add', async () => {
    const before = Buffer.byteLength((await renderReport(input(worstCase()))).html, 'utf8');
    const { html } = await renderReport(input(withLongestAtRiskAndConsistency(worstCase())));
    const after = Buffer.byteLength(html, 'utf8');
    // The fixture's at_risk_subscribers is 6 but 100 are listed: the count of the list wins.
    expect(html).toContain('and 90 more at-risk subscribers');
    // 20 model customers and 10 subscribers shown, each with every reason.
    expect(html.split(longestAtRiskReasons()[5]?.detail ?? '?').length - 1).toBe(30);
    // Example ids cut to 32 characters: 31 and "…".
    expect(html).toContain(
      '12,345,678 orders reference 1,234,567 unknown customers (kept in revenue and orders): very_long_name_very_long_name_v…,',
    );
    // What the additions cost, for the email budget (read in the test output).
    console.info(`at-risk reasons and findings add ${after - before} bytes: ${before} → ${after}`);
    expect(after).toBeGreaterThan(before);
  });
});

describe('the email size budget', () => {
  const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

  it('keeps the worst case with every reason, every finding and the footer links under 102 KB', async () => {
    // Prepare: the longest lists, every at-risk reason and finding, the longest report id and
    // a real Function URL's length in the per-recipient links (as links-size.test.ts).
    const snapshot = withLongestAtRiskAndConsistency(worstCaseSnapshot());
    const links = {
      baseUrl: 'https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.ap-southeast-2.on.aws',
      signer: new LinkSigner('k'.repeat(64)),
    };
    const reportId = `r${'-long-id'.repeat(7)}${'x'.repeat(6)}`;
    const footer = emailLinks(links, reportId, snapshot.period.key);

    // Act
    const rendered = await renderReport({
      ...input(snapshot),
      rejectedLocation: 's3://acme-reports/rejected/',
      computeSeconds: 3.24,
      links: footer,
    });
    const personal = personalLinks(rendered, {
      links,
      emailLinks: footer,
      reportId,
      reportName: 'Customer engagement',
      sender: 'reports@example.com',
      recipientHash: recipientHash('team@example.com'),
    });

    // Assess: under Gmail's clip with the links in; the glossary made way, and says where it is.
    console.info(`worst-case HTML with links: ${bytes(personal.html)} bytes`);
    expect(bytes(personal.html)).toBeLessThan(102 * 1024);
    expect(bytes(rendered.html)).toBeLessThanOrEqual(HTML_BUDGET_BYTES);
    expect(personal.html).toContain('<strong>Glossary</strong>: left out of this view');
    expect(personal.html).not.toContain('<strong>Churn</strong>:');
    // The plain text keeps the glossary and every reason of every row shown.
    expect(personal.text).toContain('Churn: Churned customers ÷ customers at start × 100.');
    expect(personal.text.split('12345 open tickets, oldest 1234 days').length - 1).toBe(30);
  });

  it('keeps the glossary when the email fits', async () => {
    const { html } = await renderReport(input(fixtureSnapshot()));
    expect(html).toContain('<strong>Glossary</strong><br /><strong>');
    expect(html).not.toContain('left out of this view');
  });

  it('cuts the reasons of a row to the layout’s count, saying how many more', () => {
    // Prepare: every layout after the first drops the glossary; the third keeps 2 reasons.
    const layout = EMAIL_LAYOUTS[2];
    expect(layout).toEqual({ glossary: false, reasonsPerRow: 2 });
    const s = withLongestAtRiskAndConsistency(worstCaseSnapshot());

    // Act
    const view = buildReportView(input(s), layout);

    // Assess: model rows skip P(alive) (its own column): 5 reasons, 2 shown, 3 more;
    // subscriber rows have the same 5.
    const tables = view.sections.find((x) => x.id === 'models')?.tables ?? [];
    const [customers, subscribers] = tables;
    const expected =
      'Why: activity −100 % vs its 26-period average (0 vs 123456.0) · 12345 failed payments, last on 2026-10-31 · and 3 more';
    expect(customers?.rows[0]?.why).toBe(expected);
    expect(subscribers?.rows[0]?.why).toBe(expected);
    expect(view.glossary).toEqual([]);
    expect(view.glossaryLeftOut).toBe(true);
  });
});
