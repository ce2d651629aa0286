/**
 * A send claimed by a run that stopped before recording the outcome (a crash between the
 * claim and SES, or SES's answer lost) stays `pending`. Past the lease, the next run records
 * it `unknown` with the reason instead of leaving it silent, and still never re-sends it.
 * The DynamoDB ledger and the SES stand-in, through the production clients.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Runtime } from '../../functions/adapters/runtime';
import { deliverEach, MAX_FUNCTION_TIMEOUT_MS } from '../../functions/core/jobs/deliver';
import type { JobLogger } from '../../functions/core/jobs/ports';
import { type Harness, SENDER, startHarness } from '../support/harness';

const REPORT_ID = 'lease';
const T0 = Date.parse('2026-11-23T15:00:00Z');
const MINUTE = 60_000;

let h: Harness;
let rt: Runtime;

beforeAll(async () => {
  h = await startHarness({
    dynamodbEndpoint: inject('dynamodbEndpoint'),
    config: { reportId: REPORT_ID, timezone: 'America/New_York' },
    setProcessEnv: false,
  });
  rt = h.runtime();
});
afterAll(async () => {
  await h?.stop();
});

const send = (week: number, recipient = 'b@example.com') => ({
  reportId: REPORT_ID,
  periodKey: `2026-W${week}`,
  revision: 0,
  recipient,
});
const at = (ms: number) => new Date(ms);
const LEASE = 15 * MINUTE;

describe('DynamoDbSendLedger.expirePending', () => {
  it('leaves a pending claim younger than the lease as it is', async () => {
    // Prepare: a claim 14 minutes old.
    await rt.ledger.claim(send(40), { now: at(T0) });

    // Act
    const expired = await rt.ledger.expirePending(
      REPORT_ID,
      '2026-W40',
      LEASE,
      at(T0 + 14 * MINUTE),
    );

    // Assess
    expect(expired).toEqual([]);
    const [record] = await rt.ledger.sendsFor(REPORT_ID, '2026-W40');
    expect(record?.state).toBe('pending');
  });

  it('records claims pending past the lease as unknown, with the reason, once', async () => {
    // Prepare: revision 0 and revision 1 claimed by runs that stopped 16 minutes ago; a
    // sent one beside them.
    await rt.ledger.claim(send(41), { now: at(T0) });
    await rt.ledger.claim({ ...send(41), revision: 1 }, { now: at(T0) });
    const done = await rt.ledger.claim(send(41, 'c@example.com'), { now: at(T0) });
    if (!done.claimed) throw new Error('expected a claim');
    await rt.ledger.complete(send(41, 'c@example.com'), done.token, { state: 'sent' }, 1);

    // Act
    const expired = await rt.ledger.expirePending(
      REPORT_ID,
      '2026-W41',
      LEASE,
      at(T0 + 16 * MINUTE),
    );
    const again = await rt.ledger.expirePending(REPORT_ID, '2026-W41', LEASE, at(T0 + 30 * MINUTE));

    // Assess: both recorded with why and how to re-send; the sent one untouched; not twice.
    expect(expired.map((r) => [r.revision, r.recipient, r.state]).sort()).toEqual([
      [0, 'b@example.com', 'unknown'],
      [1, 'b@example.com', 'unknown'],
    ]);
    const records = await rt.ledger.sendsFor(REPORT_ID, '2026-W41');
    const b0 = records.find((r) => r.recipient === 'b@example.com' && r.revision === 0);
    expect(b0?.state).toBe('unknown');
    expect(b0?.error).toContain('whether the email went out is unknown');
    expect(b0?.error).toContain(
      '{"period":"2026-W41","force":true,"recipients":["b@example.com"]}',
    );
    expect(b0?.claimedAt).toBe(at(T0).toISOString());
    expect(records.find((r) => r.recipient === 'c@example.com')?.state).toBe('sent');
    expect(again).toEqual([]);
    // Still never claimed again automatically; force re-sends.
    expect((await rt.ledger.claim(send(41))).claimed).toBe(false);
    expect((await rt.ledger.claim(send(41), { force: true })).claimed).toBe(true);
  });

  it('never touches an outcome recorded in the meantime', async () => {
    // Prepare: a slow run claims and completes; a look within the lease changes nothing.
    const first = await rt.ledger.claim(send(42), { now: at(T0) });
    if (!first.claimed) throw new Error('expected a claim');
    await rt.ledger.expirePending(REPORT_ID, '2026-W42', LEASE, at(T0 + 10 * MINUTE));
    await rt.ledger.complete(send(42), first.token, { state: 'sent', messageId: 'm42' }, 1);

    // Act
    const expired = await rt.ledger.expirePending(
      REPORT_ID,
      '2026-W42',
      LEASE,
      at(T0 + 20 * MINUTE),
    );

    // Assess
    expect(expired).toEqual([]);
    const [record] = await rt.ledger.sendsFor(REPORT_ID, '2026-W42');
    expect(record?.state).toBe('sent');
    expect(record?.messageId).toBe('m42');
  });
});

describe('deliverEach with a claim left pending', () => {
  function recordingLogger(lines: { message: string; extra?: Record<string, unknown> }[]) {
    const log = (message: string, extra?: Record<string, unknown>) => {
      lines.push({ message, extra });
    };
    const logger: JobLogger = { debug: log, info: log, warn: log, error: log };
    return logger;
  }
  const recipients = ['ana@example.com', 'bo@example.com', 'cy@example.com'];
  const email = (subject: string) => ({
    from: SENDER,
    subject,
    html: '<p>numbers</p>',
    text: 'numbers',
    images: [],
  });

  it('sends to the others, records the stopped claim unknown and reports its position only', async () => {
    // Prepare: a run claimed bo's send, then stopped (nothing recorded after the claim).
    await rt.ledger.claim({ ...send(44), recipient: 'bo@example.com' }, { now: at(T0) });
    const lines: { message: string; extra?: Record<string, unknown> }[] = [];

    // Act: the next run, 16 minutes later, with the default lease (15 minutes).
    const result = await deliverEach(
      {
        ledger: rt.ledger,
        mailer: rt.mailer,
        logger: recordingLogger(lines),
        now: () => T0 + 16 * MINUTE,
      },
      {
        reportId: REPORT_ID,
        periodKey: '2026-W44',
        revision: 0,
        recipients,
        email: email('Lease W44'),
      },
    );

    // Assess: ana and cy got it, bo did not get a second one; bo is reported as position 2.
    expect(result.deliveries.map((d) => [d.to, d.status])).toEqual([
      ['ana@example.com', 'sent'],
      ['cy@example.com', 'sent'],
    ]);
    expect(result.unknown).toEqual([{ revision: 0, recipient: 2 }]);
    expect(result.skipped.map((r) => r.state)).toEqual(['unknown']);
    expect((await rt.ledger.sendsFor(REPORT_ID, '2026-W44')).map((r) => r.state).sort()).toEqual([
      'sent',
      'sent',
      'unknown',
    ]);
    const sent = (await h.ses.emails()).filter((e) => e.subject === 'Lease W44');
    expect(sent.map((e) => e.destination.to).sort()).toEqual([
      ['ana@example.com'],
      ['cy@example.com'],
    ]);
    const logged = lines.find((l) => l.message.includes('recorded unknown'));
    expect(logged?.extra).toMatchObject({ period: '2026-W44', recipient: 2 });
    expect(JSON.stringify(lines)).not.toContain('bo@example.com');
  });

  it('keeps a claim of a run that may still be sending', async () => {
    // Prepare: a claim 5 minutes old.
    await rt.ledger.claim({ ...send(45), recipient: 'bo@example.com' }, { now: at(T0) });

    // Act
    const result = await deliverEach(
      {
        ledger: rt.ledger,
        mailer: rt.mailer,
        logger: recordingLogger([]),
        now: () => T0 + 5 * MINUTE,
      },
      {
        reportId: REPORT_ID,
        periodKey: '2026-W45',
        revision: 0,
        recipients: ['bo@example.com'],
        email: email('Lease W45'),
      },
    );

    // Assess
    expect(result.deliveries).toEqual([]);
    expect(result.unknown).toEqual([]);
    expect(result.skipped.map((r) => r.state)).toEqual(['pending']);
  });

  it('refuses a lease shorter than the function timeout', async () => {
    // Act
    const run = deliverEach(
      {
        ledger: rt.ledger,
        mailer: rt.mailer,
        logger: recordingLogger([]),
        now: () => T0,
        delivery: { pendingLeaseMs: 5 * MINUTE, functionTimeoutMs: MAX_FUNCTION_TIMEOUT_MS },
      },
      {
        reportId: REPORT_ID,
        periodKey: '2026-W46',
        revision: 0,
        recipients,
        email: email('Lease W46'),
      },
    );

    // Assess: nothing claimed, nothing sent.
    await expect(run).rejects.toThrow(/shorter than the function timeout/);
    expect(await rt.ledger.sendsFor(REPORT_ID, '2026-W46')).toEqual([]);
  });
});
