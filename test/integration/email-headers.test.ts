/**
 * The report email through the SES stand-in (aws-ses-v2-local, which parses the raw
 * message with mailparser, an independent MIME parser): the stored email has exactly the
 * intended recipient and subject whatever the name, subject and addresses hold, a hostile
 * address is refused before anything is sent, and the metrics CSV arrives as an attachment
 * that parses back to the snapshot's numbers.
 */
import { SendRawEmailCommand } from '@aws-sdk/client-ses';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSesClient } from '../../functions/adapters/clients';
import { SesMailer } from '../../functions/adapters/ses';
import { RecipientRejectedError } from '../../functions/core/jobs/ports';
import { MimeError } from '../../functions/core/report/mime';
import { type RenderedReport, renderReport } from '../../functions/core/report/render';
import { fixtureConfig, fixtureHistory, fixtureSnapshot } from '../fixtures/report-snapshot';
import {
  type SesStandIn,
  STANDIN_CREDENTIALS,
  STANDIN_REGION,
  startSes,
} from '../support/standins';

const SENDER = 'reports@example.com';
const NAME = 'Kundenbindung – Zoë’s Café ☕ 山田商店';
const RECIPIENTS = ['zoe.mueller@example.com', "o'brien+weekly@mail.example.co.uk"];

let ses: SesStandIn;
let mailer: SesMailer;
let report: RenderedReport;

beforeAll(async () => {
  ses = await startSes();
  mailer = new SesMailer(
    createSesClient({
      endpoint: ses.endpoint,
      region: STANDIN_REGION,
      credentials: STANDIN_CREDENTIALS,
      maxAttempts: 1,
    }),
  );
  report = await renderReport({
    snapshot: fixtureSnapshot(),
    history: fixtureHistory(),
    config: fixtureConfig({ name: NAME, email: { recipients: RECIPIENTS } }),
  });
});
afterAll(async () => {
  await ses?.stop();
});
beforeEach(async () => {
  await ses.clear();
});

/** As runReport sends: one message per recipient. */
async function sendToEach(recipients: string[], subject = report.subject): Promise<void> {
  for (const to of recipients) {
    await mailer.send({
      from: SENDER,
      to,
      subject,
      html: report.html,
      text: report.text,
      images: report.images,
      attachments: report.attachments,
    });
  }
}

describe('the report email in the SES stand-in', () => {
  it('has exactly the intended recipient, no Cc or Bcc, and the Unicode subject intact', async () => {
    // Act
    await sendToEach(RECIPIENTS);

    // Assess
    const emails = await ses.emails();
    expect(emails.map((e) => e.destination)).toEqual(
      RECIPIENTS.map((to) => ({ to: [to], cc: [], bcc: [] })),
    );
    expect(report.subject.startsWith(`${NAME} · Week 44, Oct 26 – Nov 1 2026: `)).toBe(true);
    for (const email of emails) {
      expect(email.subject).toBe(report.subject);
      expect(email.from).toBe(SENDER);
    }
  });

  it('would show an injected Bcc: the check above can fail', async () => {
    // Prepare: what a builder that passed CR/LF through would send.
    const client = createSesClient({
      endpoint: ses.endpoint,
      region: STANDIN_REGION,
      credentials: STANDIN_CREDENTIALS,
      maxAttempts: 1,
    });
    const raw = [
      `From: ${SENDER}`,
      `To: ${RECIPIENTS[0]}`,
      'Subject: Week 44',
      'Bcc: c@d.com',
      'Content-Type: text/plain; charset=UTF-8',
      '',
      'x',
    ].join('\r\n');

    // Act
    await client.send(new SendRawEmailCommand({ RawMessage: { Data: Buffer.from(raw) } }));

    // Assess
    const [email] = await ses.emails();
    expect(email?.destination.bcc).toEqual(['c@d.com']);
    client.destroy();
  });

  it('keeps a subject of over 998 characters whole and adds no header', async () => {
    const subject = `${'Wöche 44 Bcc: c@d.com '.repeat(30)}${'x'.repeat(400)}`;
    expect(subject.length).toBeGreaterThan(998);
    await sendToEach([RECIPIENTS[0] ?? ''], subject);
    const [email] = await ses.emails();
    expect(email?.subject).toBe(subject);
    expect(email?.destination).toEqual({ to: [RECIPIENTS[0]], cc: [], bcc: [] });
  });

  it('refuses injected, bare-host and quoted addresses and sends nothing', async () => {
    for (const to of ['a@b.com\r\nBcc: c@d.com', 'a@b', '"x"@y.com']) {
      await expect(sendToEach([to]), JSON.stringify(to)).rejects.toBeInstanceOf(
        RecipientRejectedError,
      );
    }
    await expect(sendToEach([RECIPIENTS[0] ?? ''], 'Week 44\r\nBcc: c@d.com')).rejects.toThrow(
      MimeError,
    );
    expect(await ses.emails()).toEqual([]);
  });

  it('carries the metrics CSV, which parses back to the snapshot’s numbers', async () => {
    // Act
    await sendToEach([RECIPIENTS[0] ?? '']);

    // Assess
    const [email] = await ses.emails();
    const csv = email?.attachments.find((a) => a.filename === 'metrics-2026-W44.csv');
    expect(csv?.contentType).toBe('text/csv');
    const rows: Record<string, string>[] = parse(Buffer.from(csv?.content ?? '', 'base64'), {
      columns: true,
    });
    const snapshot = fixtureSnapshot();
    expect(rows).toHaveLength(Object.keys(snapshot.metrics).length);
    const cell = (v: string | undefined) => (v === '' || v === undefined ? null : Number(v));
    for (const row of rows) {
      const m = snapshot.metrics[row.id ?? ''];
      expect(cell(row.value), row.id).toBe(m?.value);
      expect(cell(row.previous), row.id).toBe(m?.previous);
      expect(cell(row.delta), row.id).toBe(m?.delta);
      expect(row.unit, row.id).toBe(m?.unit);
    }
    // The trend charts are still inline images beside it.
    expect(email?.attachments.filter((a) => a.cid).map((a) => a.cid)).toEqual(
      report.images.map((i) => i.cid),
    );
  });
});
