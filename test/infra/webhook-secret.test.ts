/**
 * Config `slack`: the functions that post the summary (the report function, and the ingest
 * function when it sends revised reports) may read that one secret — GetSecretValue on its
 * ARN, with `-??????` for the suffix Secrets Manager adds to a name — and nothing else, and
 * the stack stays cdk-nag clean.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  actionsOf,
  BASE_INPUT,
  findings,
  type Synthesized,
  statementsOfRole,
  synthesize,
} from './synth';

const withSlack = (webhookSecret: string, revisions: 'send' | 'mark' = 'send') =>
  synthesize({
    ...BASE_INPUT,
    report: {
      ...BASE_INPUT.report,
      email: { ...BASE_INPUT.report.email, revisions: { mode: revisions } },
      slack: { webhookSecret },
    },
  });

/**
 * The role's Secrets Manager statements that name a webhook secret of these tests (every
 * name holds `slack`); the link signing key's own grant is another feature's.
 */
function secretStatements(s: Synthesized, which: 'reporting' | 'ingestion') {
  const role = s.stack[which].handler.role;
  return statementsOfRole(s.template, role).filter(
    (st) =>
      actionsOf(st).some((a) => a.startsWith('secretsmanager:')) &&
      JSON.stringify(st.Resource).includes('slack'),
  );
}

/** A resource as the template holds it (`Fn::Join` of text and pseudo parameters), as one line. */
function resourceText(resource: unknown): string {
  const join = (resource as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (!join) return String(resource);
  return join[1]
    .map((part) =>
      typeof part === 'string'
        ? part
        : `<${String((part as { Ref: string }).Ref).replace('AWS::', '')}>`,
    )
    .join(join[0]);
}

describe('the webhook secret grant', () => {
  let byName: Synthesized;
  let complete: Synthesized;
  let partial: Synthesized;
  let marking: Synthesized;
  let none: Synthesized;
  const COMPLETE = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:team/slack-AbC123';
  const PARTIAL = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:team/slack';
  beforeAll(() => {
    byName = withSlack('engagement/slack-webhook');
    complete = withSlack(COMPLETE);
    partial = withSlack(PARTIAL);
    marking = withSlack('engagement/slack-webhook', 'mark');
    none = synthesize();
  });

  it('lets the report function read that one secret by name, with the six-character suffix', () => {
    const statements = secretStatements(byName, 'reporting');
    expect(statements).toHaveLength(1);
    expect(actionsOf(statements[0] as never)).toEqual(['secretsmanager:GetSecretValue']);
    expect(resourceText(statements[0]?.Resource)).toBe(
      'arn:<Partition>:secretsmanager:<Region>:<AccountId>:secret:engagement/slack-webhook-??????',
    );
  });

  it('grants a complete ARN as it is and a partial one with the suffix wildcard', () => {
    expect(secretStatements(complete, 'reporting').map((s) => s.Resource)).toEqual([COMPLETE]);
    expect(secretStatements(partial, 'reporting').map((s) => s.Resource)).toEqual([
      `${PARTIAL}-??????`,
    ]);
  });

  it('lets the ingest function read it only when it sends revised reports', () => {
    expect(secretStatements(byName, 'ingestion')).toHaveLength(1);
    expect(secretStatements(marking, 'ingestion')).toEqual([]);
    expect(secretStatements(marking, 'reporting')).toHaveLength(1);
  });

  it('grants no secret without `slack`', () => {
    expect(secretStatements(none, 'reporting')).toEqual([]);
    expect(secretStatements(none, 'ingestion')).toEqual([]);
  });

  it('stays cdk-nag clean', () => {
    for (const s of [byName, complete, partial, marking]) expect(findings(s.stack)).toEqual([]);
  });
});
