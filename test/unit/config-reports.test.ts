/**
 * The reports of a deployment as the functions read them back (`parseReports`), how the
 * deploy stores them (`encodeReportConfigs`), and how a request picks one (`selectReport`).
 */
import { describe, expect, it } from 'vitest';
import { encodeReportConfig, encodeReportConfigs } from '../../functions/adapters/report-config';
import { ConfigError, parseConfig, parseReports, selectReport } from '../../functions/core/config';

const weekly = parseConfig({ reportId: 'weekly' });
const monthly = parseConfig({ reportId: 'monthly', period: 'month', filter: { plan: [' pro '] } });

describe('encodeReportConfigs', () => {
  it('stores one report exactly as a deployment of one always has', () => {
    expect(encodeReportConfigs([weekly])).toEqual(encodeReportConfig(weekly));
  });

  it('stores several as { reports }, which parseReports reads back unchanged', () => {
    const { body } = encodeReportConfigs([weekly, monthly]);
    expect(Object.keys(JSON.parse(body))).toEqual(['reports']);
    expect(parseReports(JSON.parse(body))).toEqual([weekly, monthly]);
  });
});

describe('parseReports', () => {
  it('reads a single report config as a list of one', () => {
    expect(parseReports({ reportId: 'weekly' })).toEqual([weekly]);
  });

  it('trims filter values', () => {
    expect(monthly.filter).toEqual({ plan: ['pro'] });
  });

  it('names the report at fault and refuses a repeated id', () => {
    expect(() => parseReports({ reports: [{}, { period: 'year' }] })).toThrow(
      /^invalid configuration: reports\.1 period /,
    );
    expect(() => parseReports({ reports: [{ reportId: 'x' }, { reportId: 'x' }] })).toThrow(
      'invalid configuration: reports.1 has the id "x" of an earlier report; every report needs its own id',
    );
    expect(() => parseReports({ reports: [] })).toThrow(ConfigError);
    expect(() => parseReports({ reports: [{}], deploy: {} })).toThrow(/found also "deploy"/);
  });
});

describe('selectReport', () => {
  it('picks the only report without an id, and the named one among several', () => {
    expect(selectReport([weekly], undefined)).toBe(weekly);
    expect(selectReport([weekly, monthly], 'monthly')).toBe(monthly);
  });

  it('refuses no id or an unknown one among several, listing the ids', () => {
    expect(() => selectReport([weekly, monthly], undefined)).toThrow(
      'this deployment has 2 reports; name one with "reportId": "weekly", "monthly"',
    );
    expect(() => selectReport([weekly, monthly], 'daily')).toThrow(
      'there is no report "daily" in this deployment; its reports are "weekly", "monthly"',
    );
    expect(() => selectReport([weekly], 'daily')).toThrow(
      'this function serves report "weekly", not "daily"',
    );
  });
});
