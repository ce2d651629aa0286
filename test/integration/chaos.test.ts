/**
 * A short seeded fault campaign (test/chaos/campaign.ts) as part of `npm test`: 6 runs of
 * the real handlers on the stand-ins with faults, crashes, retries, duplicate and
 * concurrent invocations, each checked against a fault-free serial run. The long campaign
 * is `npm run chaos -- --runs 100 --seed <n>` (figures in RELIABILITY.md).
 *
 * CHAOS_RUNS / CHAOS_SEED override the size and the first seed; a failing seed is named
 * in the assertion message and replays alone with `npm run chaos -- --runs 1 --seed <n>`.
 */
import { describe, expect, inject, it } from 'vitest';
import { FAULT_KINDS, formatSummary, runCampaign } from '../chaos/campaign';

// Six runs take about a minute on 2 idle cores (about 9 s a run, plus the serial run).
const RUNS = Number(process.env.CHAOS_RUNS ?? 6);
const SEED = Number(process.env.CHAOS_SEED ?? 1);

describe('the fault campaign', () => {
  it('keeps every invariant through injected faults, crashes, retries and concurrent runs', async () => {
    // Act
    const summary = await runCampaign({
      runs: RUNS,
      seed: SEED,
      dynamodbEndpoint: inject('dynamodbEndpoint'),
    });

    // Assess: no run broke an invariant (the message names the seeds to replay).
    expect(summary.failing, formatSummary(summary)).toEqual([]);
    expect(summary.runs).toBe(RUNS);
    expect(summary.emails.duplicates).toBe(0);
    expect(summary.emails.lost).toBe(0);
    // The campaign did what it claims: faults were injected, crashes hit, and writers
    // really collided in DynamoDB Local (conditional failures it answered).
    const injected = FAULT_KINDS.reduce((n, k) => n + summary.faults[k], 0);
    expect(injected).toBeGreaterThan(RUNS);
    expect(summary.faults['crash.beforeCall'] + summary.faults['crash.afterCall']).toBeGreaterThan(
      0,
    );
    expect(
      summary.collisions.snapshotInjected + summary.collisions.snapshotConcurrent,
    ).toBeGreaterThan(0);
    expect(summary.collisions.claim).toBeGreaterThan(0);
    // Faults inside the SDK's retry loop were injected (and retried away by the SDK).
    expect(
      summary.faults['retried.s3.ServiceUnavailable'] +
        summary.faults['retried.dynamodb.throughputExceeded'],
    ).toBeGreaterThan(0);
    // Every expected email went out once, or its ledger record says why not.
    const { sent, expected, rejected, failed, unknown, notOwed } = summary.emails;
    expect(sent + rejected + failed + unknown + notOwed).toBe(expected);
  }, 300_000);
});
