import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { METRICS } from '../../../functions/core/metrics/catalogue';
import {
  csvField,
  csvNumber,
  METRICS_CSV_HEADER,
  metricsCsv,
  metricsCsvFilename,
} from '../../../functions/core/report/csv';
import { renderReport } from '../../../functions/core/report/render';
import {
  fixtureConfig,
  fixtureHistory,
  fixtureSnapshot,
  metric,
} from '../../fixtures/report-snapshot';

/** The CSV read back by csv-parse, an independent RFC 4180 parser, as strings. */
function readBack(text: string): Record<string, string>[] {
  return parse(text, { columns: true, record_delimiter: '\r\n', relax_column_count: false });
}

/** A cell as a number: empty is null, anything else must be a plain decimal. */
function numberOf(cell: string | undefined): number | null {
  if (cell === '' || cell === undefined) return null;
  const n = Number(cell);
  if (!Number.isFinite(n)) throw new Error(`not a number: ${cell}`);
  return n;
}

describe('metricsCsv', () => {
  it('parses back to exactly the snapshot’s values, previous values, deltas and units', () => {
    // Prepare
    const snapshot = fixtureSnapshot();

    // Act
    const rows = readBack(metricsCsv(snapshot));

    // Assess: every metric once, in catalogue order, every number bit for bit.
    const ids = METRICS.map((d) => d.id).filter((id) => snapshot.metrics[id] !== undefined);
    expect(rows.map((r) => r.id)).toEqual(ids);
    for (const row of rows) {
      const m = snapshot.metrics[row.id ?? ''];
      expect(m, row.id).toBeDefined();
      expect(numberOf(row.value), row.id).toBe(m?.value ?? null);
      expect(numberOf(row.previous), row.id).toBe(m?.previous ?? null);
      expect(numberOf(row.delta), row.id).toBe(m?.delta ?? null);
      expect(row.unit, row.id).toBe(m?.unit);
    }
  });

  it('writes the RFC 4180 header, CRLF line ends and unformatted numbers', () => {
    // Prepare: churn 2.3 → 1.9 by hand is +0.4 pp, which in binary floating point is
    // 0.3999999999999999: the CSV keeps it as stored, the email rounds it.
    const snapshot = fixtureSnapshot();
    snapshot.metrics = {
      churn_rate: metric('churn_rate', 2.3, 1.9),
      customers_end: metric('customers_end', 1234, 1209),
      core_action_rate: metric('core_action_rate', null, null),
    };

    // Act
    const text = metricsCsv(snapshot);

    // Assess: customers 1209 → 1234 is 25 / 1209 × 100 = 2.0678246484698097 %.
    expect(text).toBe(
      'id,value,previous,delta,unit\r\n' +
        'customers_end,1234,1209,2.0678246484698097,count\r\n' +
        'churn_rate,2.3,1.9,0.3999999999999999,percent\r\n' +
        'core_action_rate,,,,percent\r\n',
    );
    expect(METRICS_CSV_HEADER).toEqual(['id', 'value', 'previous', 'delta', 'unit']);
  });

  it('puts ids the catalogue does not know last, alphabetically, quoted when they need it', () => {
    const snapshot = fixtureSnapshot();
    snapshot.metrics = {
      'zeta,"odd"': metric('churn_rate', 1, null),
      alpha: metric('churn_rate', 2, null),
      churn_rate: metric('churn_rate', 3, null),
    };
    const rows = readBack(metricsCsv(snapshot));
    expect(rows.map((r) => r.id)).toEqual(['churn_rate', 'alpha', 'zeta,"odd"']);
  });
});

describe('csvNumber', () => {
  it('writes the shortest round-trip decimal and leaves non-numbers empty', () => {
    expect(csvNumber(2.5)).toBe('2.5');
    expect(csvNumber(-0.4)).toBe('-0.4');
    expect(csvNumber(-0)).toBe('0');
    expect(csvNumber(1e-7)).toBe('1e-7');
    expect(csvNumber(18450.75)).toBe('18450.75');
    for (const empty of [null, undefined, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(csvNumber(empty)).toBe('');
    }
  });
});

describe('csvField', () => {
  it('quotes only fields with a comma, a quote or a line break, doubling quotes', () => {
    expect(csvField('churn_rate')).toBe('churn_rate');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\r\nlines')).toBe('"two\r\nlines"');
  });
});

describe('metricsCsvFilename', () => {
  it('names the file after the period', () => {
    expect(metricsCsvFilename('2026-W47')).toBe('metrics-2026-W47.csv');
    expect(metricsCsvFilename('2026-11')).toBe('metrics-2026-11.csv');
    expect(metricsCsvFilename('2026-Q4')).toBe('metrics-2026-Q4.csv');
  });
});

describe('renderReport attachments', () => {
  const input = { snapshot: fixtureSnapshot(), history: fixtureHistory() };

  it('attaches the metrics CSV by default', async () => {
    const { attachments } = await renderReport({ ...input, config: fixtureConfig() });
    expect(attachments).toHaveLength(1);
    expect(attachments[0]?.filename).toBe('metrics-2026-W44.csv');
    expect(attachments[0]?.contentType).toBe('text/csv');
    expect(attachments[0]?.content.toString('utf8')).toBe(metricsCsv(input.snapshot));
  });

  it('attaches nothing with email.attachCsv false', async () => {
    const config = fixtureConfig({ email: { attachCsv: false } });
    const { attachments } = await renderReport({ ...input, config });
    expect(attachments).toEqual([]);
  });
});
