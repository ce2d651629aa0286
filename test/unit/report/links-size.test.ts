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
import { fixtureConfig, fixtureHistory, worstCaseSnapshot } from '../../fixtures/report-snapshot';

/** A Function URL is `https://<32 characters>.lambda-url.<region>.on.aws`. */
const BASE = 'https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.ap-southeast-2.on.aws';
/** The longest report id the config accepts: 63 characters. */
const REPORT_ID = `r${'-long-id'.repeat(7)}${'x'.repeat(6)}`;

function worstCase(): ReportInput {
  const s = worstCaseSnapshot();
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
