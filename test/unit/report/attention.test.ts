import mjml2html from 'mjml';
import { describe, expect, it } from 'vitest';
import { renderReport } from '../../../functions/core/report/render';
import { buildReportView, type ReportInput } from '../../../functions/core/report/view';
import type { Snapshot } from '../../../functions/core/snapshot';
import { reportMjml } from '../../../templates/report';
import {
  fixtureConfig,
  fixtureHistory,
  fixtureSnapshot,
  HOSTILE,
} from '../../fixtures/report-snapshot';

const GREEN = '#1a7f37';
const GREY = '#666';

function input(snapshot: Snapshot = fixtureSnapshot(), config = fixtureConfig()): ReportInput {
  return { snapshot, history: fixtureHistory(), config };
}

/** The fixture with CES from `responses` responses: 100 % after 56 %, +44 pp. */
function cesFrom(responses: number): Snapshot {
  const s = fixtureSnapshot();
  Object.assign(s.metrics.ces ?? {}, { value: 100, previous: 56, delta: 44 });
  const survey = s.metrics.survey_responses;
  if (survey) survey.breakdown = { ...survey.breakdown, ces: responses };
  return s;
}

/** The satisfaction section's row of a metric, from its label to the end of the row. */
function row(html: string, label: string): string {
  const start = html.indexOf(`>${label}</td>`);
  if (start < 0) throw new Error(`no row for ${label}`);
  return html.slice(start, html.indexOf('</tr>', start));
}

describe('What needs attention', () => {
  it('lists thresholds crossed and values out of their usual range above the key numbers', async () => {
    // Prepare: churn 2.3 % against a 2 % threshold (in the metric's unit, 0..100).
    const config = fixtureConfig({ flags: { thresholds: { churn_rate: { above: 2 } } } });

    // Act
    const { html, text } = await renderReport(input(fixtureSnapshot(), config));

    // Assess. CLV, last 8 weeks by hand: 560 571 577 580 590 598 605 612.5, median 585,
    // distances 5 5 8 13 14 20 25 27.5 → MAD 13.5, 3 × 1.4826 × 13.5 = 60.045: 524.96–645.05
    // (524.955 is just under in binary, hence .95), and 650 is above. CAC: 43.6 44 44.2
    // 44.8 44.9 45.1 45.8 46, median 44.85, MAD (0.65 + 0.85) / 2 = 0.75, band 44.85 ±
    // 3.33585 = 41.51–48.19, and 41.50 is below.
    const reasons = [
      'Churn 2.3% is above the 2.0% threshold',
      'CLV $650.00 is above its usual range $524.95–$645.05 (median of the last 8 weeks ± 3·MAD)',
      'CAC $41.50 is below its usual range $41.51–$48.19 (median of the last 8 weeks ± 3·MAD)',
    ];
    expect(
      buildReportView(input(fixtureSnapshot(), config)).attention.map((a) => a.reason),
    ).toEqual(reasons);
    const top = html.indexOf('What needs attention');
    expect(top).toBeGreaterThan(0);
    expect(top).toBeLessThan(html.indexOf('hl-customers_end'));
    for (const reason of reasons) expect(html).toContain(reason);
    expect(text.indexOf('WHAT NEEDS ATTENTION')).toBeLessThan(text.indexOf('KEY NUMBERS'));
    expect(text).toContain('  - Churn 2.3% is above the 2.0% threshold\n');
  });

  it('shows the usual range of a share from 0, never below', () => {
    // Prepare: churn over the last 8 weeks, by hand: sorted 0.1 0.2 0.4 0.5 1 2 2.5 3,
    // median 0.75; distances .25 .25 .35 .55 .65 1.25 1.75 2.25 → MAD 0.6; 3 × 1.4826 ×
    // 0.6 = 2.66868: −1.92 … 3.42, shown as 0.0%–3.4%; 9 % is above it.
    const history = fixtureHistory();
    [0.5, 1, 3, 0.2, 2, 0.4, 2.5, 0.1].forEach((v, i) => {
      const m = history[3 + i]?.metrics.churn_rate;
      if (m) m.value = v;
    });
    const s = fixtureSnapshot();
    Object.assign(s.metrics.churn_rate ?? {}, { value: 9 });

    // Act
    const view = buildReportView({ snapshot: s, history, config: fixtureConfig() });

    // Assess
    expect(view.attention.find((a) => a.id === 'churn_rate')?.reason).toBe(
      'Churn 9.0% is above its usual range 0.0%–3.4% (median of the last 8 weeks ± 3·MAD)',
    );
  });

  it('leaves the section out when nothing is flagged', async () => {
    const config = fixtureConfig({ flags: { anomaly: { enabled: false } } });
    const { html, text } = await renderReport(input(fixtureSnapshot(), config));
    expect(html).not.toContain('What needs attention');
    expect(text).not.toContain('WHAT NEEDS ATTENTION');
  });

  it('escapes every reason', async () => {
    // Prepare: a reason with markup (reasons are built from labels and values, which hold
    // none today; the template must not rely on that).
    const view = buildReportView(input());
    view.attention = [{ id: 'cac', label: 'CAC', kind: 'threshold', reason: HOSTILE.reason }];

    // Act
    const { html, errors } = await mjml2html(reportMjml(view), { validationLevel: 'strict' });

    // Assess
    expect(errors).toEqual([]);
    expect(html).toContain('bad &amp; &quot;quoted&quot; &lt;i&gt;value&lt;/i&gt;');
    expect(html).not.toContain('<i>value</i>');
  });
});

describe('small-sample marker', () => {
  it('shows CES +44 pp from 8 responses uncoloured with n = 8, in HTML and text', async () => {
    // Act
    const { html, text } = await renderReport(input(cesFrom(8)));

    // Assess
    const ces = row(html, 'CES');
    expect(ces).toContain(
      `<span style="color:${GREY}" title="small sample (n = 8)">▲ +44.0 pp</span>`,
    );
    expect(ces).toContain('n = 8</small>');
    expect(ces).not.toContain(GREEN);
    expect(text).toMatch(/^ {2}CES +100\.0% {2}▲ \+44\.0 pp +n = 8, small sample +was 56\.0%$/m);
  });

  it('colours the same change from 30 responses, the default minimum', async () => {
    const { html, text } = await renderReport(input(cesFrom(30)));
    const ces = row(html, 'CES');
    expect(ces).toContain(`<span style="color:${GREEN}" title="better">▲ +44.0 pp</span>`);
    expect(ces).not.toContain('n = ');
    expect(text).toMatch(/^ {2}CES +100\.0% {2}▲ \+44\.0 pp +better +was 56\.0%$/m);
  });

  it('marks a headline rate too: 29 customers at start is a small sample for churn', async () => {
    // Prepare
    const s = fixtureSnapshot();
    Object.assign(s.metrics.customers_start ?? {}, { value: 29 });

    // Act
    const view = buildReportView(input(s));
    const { html } = await renderReport(input(s));

    // Assess
    const churn = view.headline.find((m) => m.id === 'churn_rate');
    expect(churn?.sample).toBe('n = 29');
    expect(churn?.delta.tone).toBe('neutral');
    const card = html.slice(html.indexOf('hl-churn_rate'));
    expect(card.slice(0, card.indexOf('</td>'))).toContain('n = 29</span>');
  });

  it('keeps a report with a flag on every metric under Gmail’s 102 KB clip', async () => {
    // Prepare: a threshold every value crosses, on every metric of the fixture.
    const s = fixtureSnapshot();
    const thresholds = Object.fromEntries(
      Object.keys(s.metrics).map((id) => [id, { above: -1e12 }]),
    );
    const config = fixtureConfig({ flags: { thresholds } });

    // Act
    const { html } = await renderReport(input(s, config));

    // Assess
    expect(html).toContain('What needs attention');
    expect(Buffer.byteLength(html, 'utf8')).toBeLessThan(102 * 1024);
  });
});
