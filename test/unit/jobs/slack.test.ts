/**
 * How the webhook's answers are recorded (the integration test shows the 500 path against
 * a real server): a 4xx is refused for good, a timeout may have posted and is left pending,
 * a refused connection is retried, plain http is refused except to this machine, and no
 * message ever holds the URL.
 */
import { describe, expect, it } from 'vitest';
import type { SlackWebhook } from '../../../functions/core/config';
import type {
  ClaimResult,
  JobLogger,
  SendKey,
  SendLedger,
  SendRecord,
} from '../../../functions/core/jobs/ports';
import { postSlackSummary, SLACK_RECIPIENT } from '../../../functions/core/jobs/slack';
import type { ReportDigest } from '../../../functions/core/report/slack';

const SLACK: SlackWebhook = { webhookSecret: 'team/slack' };
const URL_VALUE = 'https://hooks.slack.com/services/T9/B9/topSecretToken';
const DIGEST: ReportDigest = {
  reportName: 'Weekly',
  periodKey: '2026-W47',
  periodLabel: 'Week 47, Nov 16–22 2026',
  revision: 0,
  headline: [],
  attention: 0,
};

/** The ledger's rules in memory: one record per key, claimable again only in `retry`. */
class MemoryLedger implements SendLedger {
  readonly records = new Map<string, SendRecord>();
  private id = (k: SendKey) => `${k.periodKey}#${k.revision}#${k.recipient}`;
  async claim(key: SendKey): Promise<ClaimResult> {
    const existing = this.records.get(this.id(key));
    if (existing && existing.state !== 'retry') return { claimed: false, existing };
    const record: SendRecord = {
      ...key,
      state: 'pending',
      claimedAt: 'now',
      claims: (existing?.claims ?? 0) + 1,
      attempts: existing?.attempts ?? 0,
      error: existing?.error,
    };
    this.records.set(this.id(key), record);
    return { claimed: true, token: 't', attempts: record.attempts };
  }
  async expirePending() {
    return [];
  }
  async complete(
    key: SendKey,
    _t: string,
    outcome: { state: 'sent' | 'rejected' | 'failed'; error?: string },
    attempts: number,
  ) {
    const r = this.records.get(this.id(key)) as SendRecord;
    this.records.set(this.id(key), { ...r, ...outcome, attempts: r.attempts + attempts });
    return true;
  }
  async release(key: SendKey, _t: string, error: string, attempts: number) {
    const r = this.records.get(this.id(key)) as SendRecord;
    this.records.set(this.id(key), {
      ...r,
      state: 'retry',
      error,
      attempts: r.attempts + attempts,
    });
  }
  async sendsFor() {
    return [...this.records.values()];
  }
  async revisions() {
    return [];
  }
  async addRevision() {
    return true;
  }
  get slack() {
    return this.records.get(`2026-W47#0#${SLACK_RECIPIENT}`);
  }
}

function setup(answer: (calls: number) => Promise<Response>, secret = URL_VALUE) {
  const ledger = new MemoryLedger();
  const logs: string[] = [];
  const log = (m: string, x?: Record<string, unknown>) => logs.push(`${m} ${JSON.stringify(x)}`);
  const logger: JobLogger = { debug: log, info: log, warn: log, error: log };
  let calls = 0;
  const deps = {
    ledger,
    logger,
    now: () => Date.parse('2026-11-23T07:00:00Z'),
    delivery: { sleep: async () => {} },
    webhook: {
      readSecret: async (id: string) => {
        if (id !== SLACK.webhookSecret) throw new Error(`unexpected secret ${id}`);
        return secret;
      },
      fetch: (async () => answer(++calls)) as typeof fetch,
    },
  };
  const post = () => postSlackSummary(deps, SLACK, { reportId: 'weekly', digest: DIGEST });
  return { ledger, logs, post, calls: () => calls };
}

const noUrl = (texts: (string | undefined)[]) => {
  for (const text of texts) {
    expect(text ?? '').not.toContain('topSecretToken');
    expect(text ?? '').not.toContain('hooks.slack.com');
  }
};

describe('postSlackSummary', () => {
  it('records a 4xx as refused for good after one attempt', async () => {
    const t = setup(async () => new Response('no_service', { status: 404 }));
    expect(await t.post()).toBe('failed');
    expect(t.calls()).toBe(1);
    expect(t.ledger.slack?.state).toBe('rejected');
    expect(t.ledger.slack?.error).toBe(
      'the webhook of secret team/slack answered HTTP 404 no_service',
    );
    expect(await t.post()).toBe('already');
    expect(t.calls()).toBe(1);
    noUrl([...t.logs, t.ledger.slack?.error]);
  });

  it('leaves a timed-out post pending: it may have gone out', async () => {
    const t = setup(async () => {
      throw new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    });
    expect(await t.post()).toBe('failed');
    expect(t.calls()).toBe(1);
    expect(t.ledger.slack?.state).toBe('pending');
    expect(await t.post()).toBe('already');
    expect(t.calls()).toBe(1);
  });

  it('retries a refused connection within the run and on the next one', async () => {
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED hooks.slack.com:443'), {
        code: 'ECONNREFUSED',
      }),
    });
    const t = setup(async (n) => {
      if (n <= 4) throw refused;
      return new Response('ok', { status: 200 });
    });
    expect(await t.post()).toBe('failed');
    expect(t.calls()).toBe(3);
    expect(t.ledger.slack?.state).toBe('retry');
    expect(t.ledger.slack?.error).toBe(
      'the webhook of secret team/slack could not be reached (ECONNREFUSED)',
    );
    expect(await t.post()).toBe('posted');
    expect(t.calls()).toBe(5);
    expect(t.ledger.slack?.state).toBe('sent');
    noUrl(t.logs);
  });

  it('does not send the numbers over plain http to another machine', async () => {
    const t = setup(async () => new Response('ok'), 'http://hooks.example.com/x/topSecretToken');
    expect(await t.post()).toBe('failed');
    expect(t.calls()).toBe(0);
    expect(t.ledger.slack?.error).toBe('secret team/slack holds a URL that is not https');
  });

  it('does nothing, and says so, when the run cannot read secrets', async () => {
    const t = setup(async () => new Response('ok'));
    const logs: string[] = [];
    const log = (m: string) => logs.push(m);
    const outcome = await postSlackSummary(
      {
        ledger: t.ledger,
        logger: { debug: log, info: log, warn: log, error: log },
        now: Date.now,
      },
      SLACK,
      { reportId: 'weekly', digest: DIGEST },
    );
    expect(outcome).toBe('not-configured');
    expect(t.ledger.records.size).toBe(0);
    expect(logs).toEqual(['slack is configured but this run cannot read secrets; not posting']);
  });
});
