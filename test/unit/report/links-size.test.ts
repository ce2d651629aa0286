/**
 * What the footer links add to the email, measured on the worst-case report of
 * render.test.ts (the same lists, built the same way) (Gmail clips the HTML part at 102 KB): the longest report id a config
 * accepts and a real Function URL's length, after each recipient's link is put in.
 */
import { describe, expect, it } from 'vitest';
import { recipientHash } from '../../../functions/core/jobs/recipients';
import { emailLinks, LinkSigner, personalLinks } from '../../../functions/core/report/links';
import { buildMimeMessage } from '../../../functions/core/report/mime';
import { renderReport } from '../../../functions/core/report/render';
import type { ReportInput } from '../../../functions/core/report/view';
import {
  fixtureConfig,
  fixtureHistory,
  fixtureSnapshotWithCohorts,
  worstCaseSegments,
} from '../../fixtures/report-snapshot';

/** A Function URL is `https://<32 characters>.lambda-url.<region>.on.aws`. */
const BASE = 'https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.ap-southeast-2.on.aws';
/** The longest report id the config accepts: 63 characters. */
const REPORT_ID = `r${'-long-id'.repeat(7)}${'x'.repeat(6)}`;

function worstCase(): ReportInput {
  const s = fixtureSnapshotWithCohorts();
  s.segments = worstCaseSegments();
  const long = (i: number) => `${'very_long_name_'.repeat(4)}${i}`;
  s.atRisk = Array.from({ length: 100 }, (_, i) => ({
    customerId: long(i),
    pAlive: 0.1,
    historicValue: 123456.78,
    expectedValueLost: 100000 - i,
    lastPurchase: '2026-10-01T00:00:00Z',
  }));
  const orders = s.quality.orders;
  if (orders) {
    orders.filesRejected = Array.from({ length: 40 }, (_, i) => ({
      key: `exports/orders/${long(i)}.csv.gz`,
      reason: 'not a valid gzip file',
    }));
  }
  const cac = s.metrics.cac;
  if (cac) cac.breakdown = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [long(i), i]));
  s.inputFiles = Array.from({ length: 500 }, (_, i) => ({
    dataset: 'orders' as const,
    key: `exports/orders/${long(i)}.csv`,
  }));
  return {
    snapshot: s,
    history: fixtureHistory(),
    config: fixtureConfig(),
    rejectedLocation: 's3://acme-reports/rejected/',
    computeSeconds: 3.24,
  };
}

describe('the footer links', () => {
  it('add under 1.5 KB to the worst-case HTML, which stays under 102 KB', async () => {
    // Prepare
    expect(REPORT_ID).toHaveLength(63);
    const input = worstCase();
    const links = { baseUrl: BASE, signer: new LinkSigner('k'.repeat(64)) };
    const footer = emailLinks(links, REPORT_ID, input.snapshot.period.key);

    // Act
    const without = await renderReport(input);
    const withLinks = await renderReport({ ...input, links: footer });
    const personal = personalLinks(withLinks, {
      links,
      emailLinks: footer,
      reportId: REPORT_ID,
      reportName: input.config.name,
      sender: 'reports@example.com',
      recipientHash: recipientHash('team@example.com'),
    });

    // Assess
    const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
    const addedHtml = bytes(personal.html) - bytes(without.html);
    const addedText = bytes(personal.text) - bytes(without.text);
    console.info(
      `links add ${addedHtml} bytes of HTML (${bytes(personal.html)} in all) and ${addedText} of text; unsubscribe URL ${personal.list.unsubscribeUrl.length} characters`,
    );
    expect(addedHtml).toBeGreaterThan(0);
    expect(addedHtml).toBeLessThan(1536);
    expect(bytes(personal.html)).toBeLessThan(102 * 1024);
    // The List-Unsubscribe header stays on one line within RFC 5322's 998 characters.
    const mime = buildMimeMessage({
      from: 'reports@example.com',
      to: ['team@example.com'],
      subject: without.subject,
      html: personal.html,
      text: personal.text,
      images: without.images,
      list: personal.list,
    });
    const line = mime.split('\r\n').find((l) => l.startsWith('List-Unsubscribe: '));
    expect(line?.length).toBeLessThan(998);
  });
});
