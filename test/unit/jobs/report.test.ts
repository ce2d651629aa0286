import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../../functions/core/jobs/ports';
import { checkRecipients, type ReportDeps, runReport } from '../../../functions/core/jobs/report';
import { fixtureConfig } from '../../fixtures/report-snapshot';

/** A dependency that fails the test if the job touches it at all. */
function untouchable<T extends object>(name: string): T {
  return new Proxy({} as T, {
    get(_, property) {
      throw new Error(`${name}.${String(property)} must not be used`);
    },
  });
}

function deps(): ReportDeps {
  return {
    config: fixtureConfig({ email: { recipients: ['team@example.com'] } }),
    source: untouchable('source'),
    store: untouchable('store'),
    ledger: untouchable('ledger'),
    mailer: untouchable('mailer'),
    sender: 'reports@example.com',
    now: () => Date.parse('2026-11-23T15:00:00Z'),
  };
}

describe('checkRecipients', () => {
  it('accepts plain addresses and no list at all', () => {
    expect(() => checkRecipients(undefined)).not.toThrow();
    expect(() => checkRecipients(['ceo@example.com', 'cfo@example.com'])).not.toThrow();
  });

  it('names each bad entry by position and reason, without echoing the address', () => {
    const error = (() => {
      try {
        checkRecipients(['ok@example.com', 'a@b.com\r\nBcc: c@d.com', 'a@b', '"x"@y.com']);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as Error).message).toBe(
      'invalid recipients: ' +
        'recipients[1] must be an email address such as reports@example.com: it contains a line break or another control character; ' +
        'recipients[2] must be an email address such as reports@example.com: the domain "b" needs a dot, e.g. example.com; ' +
        'recipients[3] must be an email address such as reports@example.com: quoted local parts ("x"@example.com) are not accepted',
    );
    expect((error as Error).message).not.toContain('Bcc');
  });

  it('refuses an empty list, which would otherwise fall back to nobody', () => {
    expect(() => checkRecipients([])).toThrow(/at least one address/);
  });
});

describe('runReport', () => {
  it('refuses hostile invoke recipients before computing, claiming or sending anything', async () => {
    for (const dryRun of [false, true]) {
      await expect(
        runReport(deps(), { recipients: ['a@b.com\r\nBcc: c@d.com'], dryRun }),
      ).rejects.toThrow(InvalidRequestError);
    }
  });
});
