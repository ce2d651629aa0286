import mjml2html from 'mjml';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildMimeMessage } from '../../../functions/core/report/mime';
import { type RenderedReport, renderReport } from '../../../functions/core/report/render';
import { buildReportView, type ReportInput } from '../../../functions/core/report/view';
import type { Snapshot } from '../../../functions/core/snapshot';
import { reportMjml } from '../../../templates/report';
import {
  fixtureConfig,
  fixtureHistory,
  fixtureSnapshot,
  HOSTILE,
  hostileSnapshot,
  worstCaseSnapshot,
} from '../../fixtures/report-snapshot';

const RED = '#cf222e';
const GREEN = '#1a7f37';
const GREY = '#666';

function fullInput(snapshot: Snapshot = fixtureSnapshot()): ReportInput {
  return {
    snapshot,
    history: fixtureHistory(),
    config: fixtureConfig(),
    rejectedLocation: 's3://acme-reports/rejected/',
    computeSeconds: 3.24,
  };
}

/** The headline card of a metric: from its `hl-<id>` class to the end of its column. */
function card(html: string, id: string): string {
  const start = html.indexOf(`hl-${id}`);
  if (start < 0) throw new Error(`no headline card for ${id}`);
  return html.slice(start, html.indexOf('</td>', start));
}

/** Only the metrics of the given families' ids, as a snapshot from a partial export. */
function only(ids: string[]): Snapshot {
  const s = fixtureSnapshot();
  s.metrics = Object.fromEntries(Object.entries(s.metrics).filter(([id]) => ids.includes(id)));
  delete s.atRisk;
  delete s.models;
  return s;
}

describe('renderReport', () => {
  let full: RenderedReport;

  beforeAll(async () => {
    full = await renderReport(fullInput());
  });

  it('keeps the full report under Gmail’s 102 KB clip and the whole message under 1 MB', () => {
    // Act
    const mime = buildMimeMessage({
      from: 'reports@example.com',
      to: ['ops@example.com'],
      subject: full.subject,
      html: full.html,
      text: full.text,
      images: full.images,
      attachments: full.attachments,
    });

    // Assess: Gmail clips on the HTML part; the CSV is a separate part and small.
    expect(full.attachments.map((a) => a.filename)).toEqual(['metrics-2026-W44.csv']);
    expect(Buffer.byteLength(full.html, 'utf8')).toBeLessThan(102 * 1024);
    expect(full.attachments[0]?.content.length).toBeLessThan(8 * 1024);
    expect(Buffer.byteLength(mime, 'utf8')).toBeLessThan(1024 * 1024);
  });

  it('stays under 102 KB with the longest lists a snapshot can hold', async () => {
    // Prepare: the longest lists a snapshot can hold (worstCaseSnapshot).
    const s = worstCaseSnapshot();

    // Act
    const { html } = await renderReport(fullInput(s));

    // Assess
    expect(Buffer.byteLength(html, 'utf8')).toBeLessThan(102 * 1024);
    expect(html).toContain('and 80 more in the snapshot');
    // 40 unreadable orders files + the fixture's 1 tickets file = 41, 10 shown.
    expect(html).toContain('and 31 more');
    // 500 input files, 12 shown; 30 channels, 10 shown.
    expect(html).toContain('and 488 more');
    expect(html).toContain('and 20 more');
    expect(html).toContain('By acquisition channel');
  });

  it('produces MJML that strict validation accepts without errors', async () => {
    for (const input of [
      fullInput(),
      { ...fullInput(hostileSnapshot()), config: fixtureConfig({ name: HOSTILE.name }) },
      { ...fullInput(only(['customers_end'])), history: [] },
    ]) {
      // Act
      const result = await mjml2html(reportMjml(buildReportView(input)), {
        validationLevel: 'strict',
      });

      // Assess
      expect(result.errors).toEqual([]);
    }
  });

  it('writes the subject and the period in words', () => {
    // customers 1209 → 1234: 25/1209 = +2.07 %; churn 1.9 → 2.3: +0.4 pp.
    // Week 44 of 2026 is Mon 26 Oct – Sun 1 Nov in New York (DST ends on the Sunday).
    expect(full.subject).toBe(
      'Customer engagement · Week 44, Oct 26 – Nov 1 2026: 1,234 customers (+2.1 %), churn 2.3% (+0.4 pp)',
    );
    expect(full.html).toContain('Week 44 · Oct 26 – Nov 1, 2026, New York time');
  });

  it('colours headline deltas by the metric’s direction', () => {
    // Customers up (good), churn up (bad), retention down (bad), CLV up (good), CAC down
    // (good), NPS up (good).
    const expected: [string, string, string][] = [
      ['customers_end', '▲ +2.1 %', GREEN],
      ['churn_rate', '▲ +0.4 pp', RED],
      ['retention_rate', '▼ -0.4 pp', RED],
      ['clv_predictive', '▲ +6.1 %', GREEN],
      ['cac', '▼ -6.1 %', GREEN],
      ['nps', '▲ +3', GREEN],
    ];
    for (const [id, change, colour] of expected) {
      expect(card(full.html, id)).toMatch(
        new RegExp(`<span style="color:${colour};[^"]*"[^>]*>${change.replace('+', '\\+')}</span>`),
      );
    }
  });

  it('shows an unchanged headline in grey and a first value as "new"', async () => {
    // Prepare: churn 1.9 → 1.9, and CAC without a previous value.
    const s = fixtureSnapshot();
    Object.assign(s.metrics.churn_rate ?? {}, { value: 1.9, previous: 1.9, delta: 0 });
    Object.assign(s.metrics.cac ?? {}, { previous: null, delta: null });

    // Act
    const { html, text } = await renderReport(fullInput(s));

    // Assess
    expect(card(html, 'churn_rate')).toMatch(
      new RegExp(`<span style="color:${GREY};[^"]*" title="unchanged">= 0.0 pp</span>`),
    );
    expect(card(html, 'cac')).toMatch(
      new RegExp(`<span style="color:${GREY};[^"]*" title="no previous value">new</span>`),
    );
    expect(card(html, 'cac')).not.toContain('was');
    expect(text).toMatch(/^ {2}CAC +\$41\.50 {2}new$/m);
  });

  it('shows a null headline metric as a dash with its reason', async () => {
    // Prepare
    const config = fixtureConfig({ email: { headline: ['core_action_rate', 'revenue'] } });

    // Act
    const { html, text, subject } = await renderReport({ ...fullInput(), config });

    // Assess
    expect(card(html, 'core_action_rate')).toContain(
      'No core actions configured (events.coreActions).',
    );
    expect(card(html, 'revenue')).toContain('$18,450.75');
    expect(text).toContain('KEY NUMBERS\n-----------\n  Core action rate           —');
    // The subject skips the null metric: revenue 17,210.40 → 18,450.75 is +7.2 %.
    expect(subject).toBe(
      'Customer engagement · Week 44, Oct 26 – Nov 1 2026: revenue $18,450.75 (+7.2 %)',
    );
  });

  it('embeds one PNG trend chart per headline metric by Content-ID, with the numbers in alt', () => {
    // Assess
    const ids = ['customers_end', 'churn_rate', 'retention_rate', 'clv_predictive', 'cac', 'nps'];
    expect(full.images.map((i) => i.cid)).toEqual(ids.map((id) => `trend-${id}@report`));
    for (const image of full.images) {
      expect(image.contentType).toBe('image/png');
      expect(PNG.sync.read(image.content).width).toBe(520);
      expect(full.html).toContain(`src="cid:${image.cid}"`);
    }
    // Churn W33…W43 from the fixture history, then week 44 (2.3).
    expect(full.html).toContain(
      'alt="Churn, last 12 weeks: 2.6%, 2.4%, 2.9%, 2.2%, 2.1%, 2.5%, 2.0%, 2.3%, 2.2%, 2.4%, 1.9%, 2.3%"',
    );
    // CAC has no value in W35.
    expect(full.images.find((i) => i.cid === 'trend-cac@report')?.alt).toBe(
      'CAC, last 12 weeks: $48.00, $47.50, no data, $46.00, $45.10, $45.80, $44.90, $44.00, $43.60, $44.80, $44.20, $41.50',
    );
  });

  it('loads nothing from outside the message: no remote images, fonts or SVG', () => {
    const sources = [...full.html.matchAll(/\bsrc="([^"]*)"/g)].map((m) => m[1]);
    expect(sources).toHaveLength(6);
    for (const src of sources) expect(src).toMatch(/^cid:trend-[a-z_]+@report$/);
    expect(full.html).not.toMatch(/<svg|<link|@import|url\(|<script/i);
  });

  it('shows a section only when its data is present', async () => {
    // Prepare: an export with customers and tickets only.
    const s = only(['customers_end', 'churn_rate', 'ticket_volume']);

    // Act
    const view = buildReportView({ ...fullInput(s), history: [] });
    const { html, text, images } = await renderReport({ ...fullInput(s), history: [] });

    // Assess
    expect(view.sections.map((x) => x.title)).toEqual(['Customers & revenue', 'Support']);
    expect(text).not.toContain('SATISFACTION');
    expect(html).not.toContain('Customers at risk');
    expect(html).toContain('Tickets by channel');
    // No history: no charts, no "Last N weeks" heading.
    expect(images).toEqual([]);
    expect(html).not.toContain('Last ');
  });

  it('shows the revised banner only on a revised snapshot', async () => {
    const s = fixtureSnapshot();
    s.revised = true;
    const { html, text } = await renderReport(fullInput(s));
    const banner =
      'Revised: data for Week 44 changed after this report was first sent. These numbers replace the earlier ones.';
    expect(html).toContain(banner);
    expect(text).toContain('*** Revised: data for Week 44 changed after this report was first');
    expect(full.html).not.toContain('Revised:');
  });

  it('lists breakdowns largest first with nulls last, and cuts long ones', () => {
    const view = buildReportView(fullInput());
    const tables = view.sections.flatMap((s) => s.tables);
    const cac = tables.find((t) => t.title === 'CAC by channel');
    expect(cac?.rows.map((r) => r.cells)).toEqual([
      ['paid_search', '$52.10'],
      ['social', '$38.40'],
      ['referral', '$12.00'],
      ['organic', '$0.00'],
      ['affiliate', '—'],
    ]);
    // 11 features, 8 shown.
    const features = tables.find((t) => t.title.startsWith('Top features'));
    expect(features?.rows).toHaveLength(8);
    expect(features?.rows[0]?.cells).toEqual(['search', '72.5%']);
    expect(features?.more).toBe('and 3 more');
    expect(tables.find((t) => t.title === 'Tickets by channel')?.rows[0]?.cells).toEqual([
      'email',
      '52',
    ]);
    expect(
      tables.find((t) => t.title === 'Social engagement by platform')?.rows.map((r) => r.cells[0]),
    ).toEqual(['tiktok', 'instagram', 'linkedin', 'x']);
  });

  it('lists at-risk customers by value lost and summarises the model fits', () => {
    const view = buildReportView(fullInput());
    const models = view.sections.find((s) => s.id === 'models');
    const atRisk = models?.tables.find((t) => t.title === 'Customers at risk');
    // cus_1000: P(alive) 0.05, historic $1,200 → lost 1,200 × 0.95 = $1,140.
    expect(atRisk?.rows[0]).toEqual({
      cells: ['cus_1000', '5.0%', '$1,140.00'],
      note: 'historic $1,200.00 · last order Apr 10, 2026',
    });
    // cus_1333: 0.41, $390 → 390 × 0.59 = $230.10, the smallest loss, last.
    expect(atRisk?.rows.at(-1)?.cells).toEqual(['cus_1333', '41.0%', '$230.10']);
    expect(models?.notes).toContain(
      'BG/NBD fitted on 2,357 customers (r = 0.243, alpha = 4.41, a = 0.793, b = 2.43).',
    );
  });

  it('writes the data-quality footer: rows, rejected files, sources, time, glossary', () => {
    for (const out of [full.html, full.text]) {
      expect(out).toContain('exports/tickets/broken.csv.gz: not a valid gzip file');
      expect(out).toContain('s3://acme-reports/rejected/');
      expect(out).toContain('Computed from 30 input files');
      expect(out).toContain('and 18 more');
      // 11:05Z on 2 Nov is 06:05 EST; computeSeconds 3.24 → 3.2 s.
      expect(out).toContain('Nov 2, 2026, 06:05 AM EST in 3.2 s');
    }
    expect(full.html).toContain(
      '<strong>Churn</strong>: Churned customers ÷ customers at start × 100.',
    );
    expect(full.text).toContain('  Churn: Churned customers ÷ customers at start × 100.');
    // orders: 3,000 accepted, 14 rejected, 2 duplicates.
    expect(full.text).toMatch(/^ {4}orders +3,000 +14 +2$/m);
    expect(full.text).toContain('orders: and 12 more rejected rows');
  });

  it('formats numbers for the configured locale and currency', async () => {
    // Prepare
    const s = fixtureSnapshot();
    s.currency = 'EUR';

    // Act
    const { html } = await renderReport({
      ...fullInput(s),
      config: fixtureConfig({ locale: 'de-DE' }),
    });

    // Assess: 1.234 Kunden, 650,00 €, +2,1 %.
    expect(card(html, 'customers_end')).toContain('1.234');
    expect(card(html, 'customers_end')).toContain('+2,1 %');
    expect(card(html, 'clv_predictive')).toContain('650,00\u00a0€');
    expect(html).toContain('26. Okt. – 1. Nov. 2026');
  });

  it('writes the plain-text version from the same data', async () => {
    // A reviewed snapshot of the whole text version: every number in it was checked by hand
    // against the fixture (see the arithmetic in the other tests of this file).
    await expect(full.text).toMatchFileSnapshot('__snapshots__/report.txt');
    expect(full.text).toContain(
      '  Customers    1,234  ▲ +2.1 %   better  was 1,209\n' +
        '  Churn         2.3%  ▲ +0.4 pp  worse   was 1.9%\n' +
        '  Retention    97.7%  ▼ -0.4 pp  worse   was 98.1%\n',
    );
    // social_mentions 0 → 57: no % from zero, shown as the difference.
    expect(full.text).toMatch(/^ {2}Social mentions +57 {2}▲ \+57 +better {2}was 0$/m);
    for (const line of full.text.split('\n')) {
      // Long file keys may run over; prose and tables stay within 76 columns.
      if (!line.includes('exports/')) expect([...line].length).toBeLessThanOrEqual(76);
    }
  });
});

describe('escaping', () => {
  let hostile: RenderedReport;

  beforeAll(async () => {
    hostile = await renderReport({
      ...fullInput(hostileSnapshot()),
      config: fixtureConfig({ name: HOSTILE.name }),
    });
  });

  it('shows hostile names in the HTML as escaped text', () => {
    const { html } = hostile;
    expect(html).toContain('ACME &lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt; &amp; Co');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&lt;b onmouseover=&#39;alert(1)&#39;&gt;x&lt;/b&gt;');
    expect(html).toContain('&lt;svg onload=alert(1)&gt;');
    expect(html).toContain('exports/orders/&lt;iframe src=javascript:alert(1)&gt;.csv');
    expect(html).toContain('bad &amp; &quot;quoted&quot; &lt;i&gt;value&lt;/i&gt;');
    // None of it is markup.
    expect(html).not.toMatch(/<script|<img src=x|<svg|<iframe|<b onmouseover|<i>value/i);
    // Inside a tag (escaped text has no `<`), no event handler attribute.
    expect(html).not.toMatch(/<[^>]*\son[a-z]+=/i);
  });

  it('keeps hostile names verbatim in the plain text and out of the subject’s headers', () => {
    for (const value of Object.values(HOSTILE)) expect(hostile.text).toContain(value);
    expect(hostile.subject.startsWith(`${HOSTILE.name} · Week 44, Oct 26`)).toBe(true);
  });

  it('removes line breaks from a name that bypassed the config schema', async () => {
    // parseConfig refuses this name (test/unit/config.test.ts); a config built in code
    // still cannot put a line break into the subject.
    const { subject } = await renderReport({
      ...fullInput(),
      config: { ...fixtureConfig(), name: 'ACME\r\nBcc: x@evil.test' },
    });
    expect(subject.startsWith('ACME Bcc: x@evil.test · Week 44')).toBe(true);
  });
});

describe('movement table', () => {
  const movements = (input: ReportInput) =>
    buildReportView(input)
      .sections.flatMap((s) => s.tables)
      .find((t) => t.title === 'Movements');

  it('lists customers and MRR from start to end, and the terms add up as printed', async () => {
    // Act
    const table = movements(fullInput());
    const { html } = await renderReport(fullInput());

    // Assess: the fixture's movements. 1,209 + 50 + 3 − 28 = 1,234;
    // 48,210.00 + 1,520.00 + 118.00 + 402.28 − 262.00 − 867.78 = 49,120.50.
    expect(table?.columns.map((c) => c.header)).toEqual(['Movement', 'Customers', 'MRR']);
    expect(table?.rows.map((r) => r.cells)).toEqual([
      ['Start', '1,209', '$48,210.00'],
      ['+ New', '50', '$1,520.00'],
      ['+ Reactivated', '3', '$118.00'],
      ['+ Expansion', '', '$402.28'],
      ['− Contraction', '', '$262.00'],
      ['− Churned', '28', '$867.78'],
      ['= End', '1,234', '$49,120.50'],
    ]);
    expect(html).toContain('Movements');
    expect(html).toContain('− Contraction');
    expect(html).toContain('$49,120.50');
    // Its terms are in the glossary.
    expect(html).toContain('<strong>Reactivated customers</strong>');
  });

  it('leaves out a column with a missing term, and the table without any', () => {
    // Prepare: no MRR movements (an older snapshot, or no mrr values).
    const s = fixtureSnapshot();
    for (const id of ['mrr_new', 'mrr_expansion']) delete s.metrics[id];
    const none = fixtureSnapshot();
    delete none.metrics.reactivated_customers;
    delete none.metrics.mrr_churned;

    // Act
    const customersOnly = movements(fullInput(s));

    // Assess
    expect(customersOnly?.columns.map((c) => c.header)).toEqual(['Movement', 'Customers']);
    expect(customersOnly?.rows.map((r) => r.cells[0])).toEqual([
      'Start',
      '+ New',
      '+ Reactivated',
      '− Churned',
      '= End',
    ]);
    expect(movements(fullInput(none))).toBeUndefined();
    // The note under it says how it adds up, without the MRR terms it no longer shows.
    const notes = (input: ReportInput) =>
      buildReportView(input).sections.find((x) => x.id === 'customers')?.notes ?? [];
    expect(notes(fullInput())).toEqual([
      'Start + new + reactivated − churned = end (MRR also + expansion − contraction). New here counts the new customers still active at the end; New customers above also counts those who joined and left within the period.',
    ]);
    expect(notes(fullInput(s))[0]).toMatch(/^Start \+ new \+ reactivated − churned = end\. New/);
    expect(notes(fullInput(none))).toEqual([]);
  });

  it('escapes the values it prints', () => {
    // Prepare: formatted numbers hold no markup, so put some into the table's cells to
    // check they go through the escaping table writer like every breakdown.
    const view = buildReportView(fullInput());
    const table = view.sections.flatMap((x) => x.tables).find((t) => t.title === 'Movements');
    if (!table) throw new Error('no movement table');
    table.rows[0] = { cells: ['<b>x</b>', '1 & 2', '"3"'] };

    // Act
    const mjml = reportMjml(view);

    // Assess
    expect(mjml).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(mjml).toContain('1 &amp; 2');
    expect(mjml).toContain('&quot;3&quot;');
    expect(mjml).not.toContain('<b>x</b>');
  });
});
