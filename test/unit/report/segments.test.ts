/**
 * The segment breakdowns in the email (METRICS.md "Segments"): one table per column with
 * rows, formatted from the fixture's counts (test/fixtures/report-snapshot.ts), escaped in
 * the HTML and verbatim in the plain text.
 */
import { describe, expect, it } from 'vitest';
import { renderReport } from '../../../functions/core/report/render';
import { buildReportView, type ReportInput } from '../../../functions/core/report/view';
import type { Snapshot } from '../../../functions/core/snapshot';
import {
  fixtureConfig,
  fixtureHistory,
  fixtureSnapshot,
  fixtureSnapshotWithCohorts,
  HOSTILE,
  segmentRow,
} from '../../fixtures/report-snapshot';

function input(snapshot: Snapshot): ReportInput {
  return { snapshot, history: fixtureHistory(), config: fixtureConfig() };
}

describe('segments in the report', () => {
  it('shows one table per column with rows, CAC only where it has a value', () => {
    // Act
    const view = buildReportView(input(fixtureSnapshotWithCohorts()));

    // Assess
    const tables = view.segments?.tables ?? [];
    expect(tables.map((t) => t.title)).toEqual([
      'By segment',
      'By country',
      'By plan',
      'By acquisition channel',
    ]);
    expect(tables[0]?.columns.map((c) => c.header)).toEqual([
      'Value',
      'Customers',
      'New',
      'Churn',
      'Retention',
      'ARPC',
      'CLV',
    ]);
    // smb: 716 at end, 34 new, churn 20 / 702 = 2.85 %, retention 682 / 702 = 97.15 %.
    // (none): churn 2 / 18 = 11.1 %, retention 88.9 %.
    expect(tables[0]?.rows.map((r) => r.cells)).toEqual([
      ['smb', '716', '34', '2.8%', '97.2%', '$11.20', '$198.40'],
      ['mid-market', '350', '13', '1.2%', '98.8%', '$17.85', '$342.10'],
      ['enterprise', '150', '4', '1.4%', '98.6%', '$28.40', '$611.75'],
      ['(none)', '18', '2', '11.1%', '88.9%', '$6.10', '$88.00'],
    ]);
    // country: the 14 folded values, 4 churned of 128: 3.1 %.
    expect(tables[1]?.rows.at(-1)?.cells).toEqual([
      'Other (14)',
      '133',
      '6',
      '3.1%',
      '96.9%',
      '$12.20',
      '$240.60',
    ]);
    // channel: CAC $52.10 for paid search; affiliate has no new customers: —.
    expect(tables[3]?.columns.at(-1)?.header).toBe('CAC');
    expect(tables[3]?.rows[0]?.cells.at(-1)).toBe('$52.10');
    expect(tables[3]?.rows[4]?.cells).toEqual([
      'affiliate',
      '22',
      '0',
      '4.5%',
      '95.5%',
      '$12.50',
      '$250.00',
      '—',
    ]);
  });

  it('leaves the section out without breakdowns, and a column without rows', async () => {
    // Prepare
    const s = fixtureSnapshotWithCohorts();
    s.segments = [
      { column: 'country', values: 0, rows: [], reason: 'not in the exports' },
      ...(s.segments ?? []).filter((b) => b.column === 'plan'),
    ];

    // Act
    const plain = await renderReport(input(fixtureSnapshot()));
    const one = buildReportView(input(s));

    // Assess
    expect(plain.html).not.toContain('section-segments');
    expect(plain.text).not.toContain('SEGMENTS');
    expect(one.segments?.tables.map((t) => t.title)).toEqual(['By plan']);
  });

  it('escapes markup in a value in the HTML and keeps it verbatim in the text', async () => {
    // Prepare
    const s = fixtureSnapshot();
    s.segments = [
      {
        column: 'segment',
        values: 1,
        rows: [segmentRow(HOSTILE.channel, [10, 9, 1, 1], { arpc: 2, clv: 30 })],
      },
    ];

    // Act
    const { html, text } = await renderReport(input(s));

    // Assess: churn 1 / 10 = 10 %, retention 90 %.
    expect(html).toContain('<td class="v">&lt;script&gt;alert(1)&lt;/script&gt;</td>');
    expect(html).not.toContain('<script>alert(1)');
    // 4 + 25 + 50 columns of numbers do not fit 76: the value on its own line.
    expect(text).toMatch(
      /\n {4}<script>alert\(1\)<\/script>\n {6} +9 +1 +10\.0% +90\.0% +\$2\.00 +\$30\.00\n/,
    );
  });

  it('cuts a long value to 40 characters, and puts it on its own line in the text', async () => {
    // Prepare
    const long = `${'a'.repeat(50)}`;
    const s = fixtureSnapshot();
    s.segments = [
      {
        column: 'plan',
        values: 1,
        rows: [segmentRow(long, [4, 4, 0, 0], { arpc: 12.5, clv: null })],
      },
    ];

    // Act
    const view = buildReportView(input(s));
    const { text } = await renderReport(input(s));

    // Assess: 39 characters and the ellipsis; 4 + 40 + the numbers run over 76 columns.
    const label = `${'a'.repeat(39)}…`;
    expect(view.segments?.tables[0]?.rows[0]?.cells[0]).toBe(label);
    expect(text).toContain(`\n    ${label}\n`);
    expect(text).toMatch(/\n {4}a{39}…\n {6} +4 +0 +0\.0% +100\.0% +\$12\.50\n/);
    for (const line of text.split('\n')) {
      if (!line.includes('exports/')) expect([...line].length).toBeLessThanOrEqual(76);
    }
  });
});
