/**
 * The local runner on the CDNOW sample as the `orders` export, reported for September 1997
 * (monthly, UTC): the snapshot's models must carry the published fits, because the period's
 * last day, 1997-09-30, is the calibration end of Fader, Hardie & Lee (2005).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../functions/core/snapshot';
import type { CliIo } from '../../scripts/cli/io';
import { reportMain } from '../../scripts/cli/report';

const FIXTURE = new URL('../fixtures/cdnow/CDNOW_sample.txt', import.meta.url);

/** CDNOW lines (master id, sample id, YYYYMMDD, CDs, dollars) as an orders CSV, by hand. */
function cdnowAsOrdersCsv(): string {
  const out = ['order_id,customer_id,ordered_at,amount'];
  readFileSync(FIXTURE, 'utf8')
    .split(/\r?\n/)
    .forEach((line, i) => {
      const f = line.trim().split(/\s+/);
      if (f.length !== 5) return;
      const d = f[2] as string;
      out.push(`L${i + 1},${f[1]},${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)},${f[4]}`);
    });
  return `${out.join('\n')}\n`;
}

const relative = (actual: number, expected: number) =>
  Math.abs(actual - expected) / Math.abs(expected);

describe('npm run report on the CDNOW sample', () => {
  let dir: string;
  let snapshot: Snapshot;
  let exitCode: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cdnow-'));
    const data = join(dir, 'data');
    const out = join(dir, 'out');
    await import('node:fs/promises').then((fs) => fs.mkdir(data));
    writeFileSync(join(data, 'orders.csv'), cdnowAsOrdersCsv());
    // Only the headline metrics the orders can feed, so the run stays about the models.
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({ email: { headline: ['revenue', 'clv_bgnbd'], trendPeriods: 2 } }),
    );
    const io: CliIo = { out: () => {}, err: () => {}, errIsTTY: false, now: () => Date.now() };
    exitCode = await reportMain(
      [
        '--data',
        data,
        '--out',
        out,
        '--period',
        '1997-09',
        '--timezone',
        'UTC',
        '--currency',
        'USD',
        '--config',
        join(dir, 'config.json'),
      ],
      io,
    );
    snapshot = JSON.parse(readFileSync(join(out, 'snapshot.json'), 'utf8')) as Snapshot;
  }, 120_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 0 and reports the month in UTC', () => {
    expect(exitCode).toBe(0);
    expect(snapshot.period.key).toBe('1997-09');
    expect(snapshot.period.timezone).toBe('UTC');
  });

  it('puts the published BG/NBD fit into snapshot.models (CLVTools, within 0.1 %)', () => {
    const fit = snapshot.models?.bgnbd;
    expect(fit?.converged).toBe(true);
    expect(fit?.n).toBe(2357);
    expect(relative(fit?.params.r ?? 0, 0.2425945)).toBeLessThan(0.001);
    expect(relative(fit?.params.alpha ?? 0, 4.4136019)).toBeLessThan(0.001);
    expect(relative(fit?.params.a ?? 0, 0.7929199)).toBeLessThan(0.001);
    expect(relative(fit?.params.b ?? 0, 2.4258881)).toBeLessThan(0.001);
    expect(relative(fit?.logLikelihood ?? 0, -9582.429)).toBeLessThan(0.001);
  });

  it('puts the published Gamma-Gamma fit into snapshot.models (Fader & Hardie, 2 decimals)', () => {
    const fit = snapshot.models?.gammaGamma;
    expect(fit?.converged).toBe(true);
    expect(fit?.n).toBe(946);
    expect(fit?.params.p).toBeCloseTo(6.25, 1);
    expect(fit?.params.q).toBeCloseTo(3.74, 1);
    expect(fit?.params.gamma).toBeCloseTo(15.44, 1);
    expect(fit?.logLikelihood).toBeCloseTo(-4055.92, 1);
  });

  it('publishes the model metrics with values', () => {
    expect(snapshot.metrics.clv_bgnbd?.value).toBeGreaterThan(0);
    expect(snapshot.metrics.expected_purchases_next_period?.value).toBeGreaterThan(0);
    // at_risk_customers counts repeat buyers only: at most the 946 of the Gamma-Gamma fit.
    const atRisk = snapshot.metrics.at_risk_customers?.value ?? -1;
    expect(atRisk).toBeGreaterThan(0);
    expect(atRisk).toBeLessThanOrEqual(946);
  });
});
