/**
 * A stack of two reports: one schedule each (its expression, time zone and payload), one set
 * of functions, bucket and table, the IAM of a one-report stack and nothing more, cdk-nag
 * clean.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { DeployFileInput } from '../../infra/config';
import {
  actionsOf,
  BASE_INPUT,
  findings,
  logicalId,
  type PolicyStatement,
  type Synthesized,
  statementsOfRole,
  synthesize,
} from './synth';

const TWO_REPORTS = {
  reports: [
    { ...BASE_INPUT.report, reportId: 'weekly' },
    {
      ...BASE_INPUT.report,
      reportId: 'monthly-smb',
      name: 'Monthly SMB',
      period: 'month',
      timezone: 'Asia/Kolkata',
      email: { sender: 'reports@example.org', recipients: ['smb@example.org'] },
      filter: { segment: ['smb'] },
      schedule: 'cron(0 8 2 * ? *)',
    },
  ],
  deploy: BASE_INPUT.deploy,
} satisfies DeployFileInput;

let multi: Synthesized;
let single: Synthesized;
beforeAll(() => {
  multi = synthesize(TWO_REPORTS);
  single = synthesize(BASE_INPUT);
});

const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

/** Every schedule of a template, by the report its payload names. */
function schedulesByReport(s: Synthesized): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const r of Object.values(s.template.findResources('AWS::Scheduler::Schedule'))) {
    const props = r.Properties as { Target: { Input: string } };
    const input = JSON.parse(props.Target.Input) as { reportId?: string };
    out.set(input.reportId ?? '(none)', r.Properties as Record<string, unknown>);
  }
  return out;
}

/** `<action> <resource>` of every statement of every role, by the role's logical id. */
function grantsByRole(s: Synthesized): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const policy of Object.values(s.template.findResources('AWS::IAM::Policy'))) {
    const roles = (policy.Properties.Roles as { Ref: string }[]).map((r) => r.Ref);
    for (const role of roles) {
      out[role] ??= [];
      for (const st of policy.Properties.PolicyDocument.Statement as PolicyStatement[]) {
        // The stored config's key is its SHA-256, which differs with the content.
        const resource = JSON.stringify(st.Resource).replace(
          /\/[0-9a-f]{64}\.json/g,
          '/<config>.json',
        );
        for (const a of actionsOf(st)) out[role].push(`${a} ${resource}`);
      }
    }
  }
  for (const lines of Object.values(out)) lines.sort();
  return out;
}

describe('a stack of two reports', () => {
  it('schedules each report with its expression, time zone and payload', () => {
    const reportFn = logicalId(multi.stack.reporting.handler.function);
    const dlq = logicalId(multi.stack.reporting.scheduleDeadLetterQueue);
    const schedules = schedulesByReport(multi);
    expect([...schedules.keys()].sort()).toEqual(['monthly-smb', 'weekly']);
    const expected = {
      weekly: { expression: 'cron(0 7 ? * MON *)', zone: 'America/New_York' },
      'monthly-smb': { expression: 'cron(0 8 2 * ? *)', zone: 'Asia/Kolkata' },
    };
    for (const [reportId, { expression, zone }] of Object.entries(expected)) {
      expect(schedules.get(reportId)).toMatchObject({
        ScheduleExpression: expression,
        ScheduleExpressionTimezone: zone,
        State: 'ENABLED',
        Target: {
          Arn: arnOf(reportFn),
          Input: JSON.stringify({ reportId }),
          DeadLetterConfig: { Arn: arnOf(dlq) },
          RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 6 * 3600 },
        },
      });
    }
  });

  it('shares one function, bucket and table across the reports', () => {
    expect(Object.keys(multi.template.findResources('AWS::Lambda::Function')).sort()).toEqual(
      Object.keys(single.template.findResources('AWS::Lambda::Function')).sort(),
    );
    expect(Object.keys(multi.template.findResources('AWS::S3::Bucket'))).toEqual(
      Object.keys(single.template.findResources('AWS::S3::Bucket')),
    );
    expect(Object.keys(multi.template.findResources('AWS::DynamoDB::Table'))).toEqual(
      Object.keys(single.template.findResources('AWS::DynamoDB::Table')),
    );
    expect(multi.stack.reportConfig.reports.map((r) => r.reportId)).toEqual([
      'weekly',
      'monthly-smb',
    ]);
  });

  it('grants what a one-report stack grants, and lets SES reach the second report’s recipients', () => {
    // Prepare: the grants of both stacks. SES aside (the sandbox makes the functions that
    // send name each recipient's identity), they must be the same.
    const multiGrants = grantsByRole(multi);
    const singleGrants = grantsByRole(single);
    const withoutSes = (lines: string[] | undefined) =>
      (lines ?? []).filter((l) => !l.startsWith('ses:'));

    // Assess: the same roles, with the same actions on the same resources.
    expect(Object.keys(multiGrants).sort()).toEqual(Object.keys(singleGrants).sort());
    for (const role of Object.keys(singleGrants)) {
      expect(withoutSes(multiGrants[role])).toEqual(withoutSes(singleGrants[role]));
    }
    // Both functions that send (the report, and the ingest's revised emails) reach the
    // second report's recipients, from the one sender only.
    for (const fn of [multi.stack.reporting.handler, multi.stack.ingestion.handler]) {
      const ses = statementsOfRole(multi.template, fn.role).find((s) =>
        actionsOf(s).includes('ses:SendRawEmail'),
      );
      expect(JSON.stringify(ses?.Resource)).toContain(':identity/smb@example.org');
      expect(ses?.Condition).toEqual({
        StringEquals: { 'ses:FromAddress': 'reports@example.org' },
      });
    }
    expect(JSON.stringify(singleGrants)).not.toContain('smb@example.org');
  });

  it('lets the scheduler role invoke the report function and nothing else', () => {
    const roleIds = new Set(
      [...schedulesByReport(multi).values()].map(
        (p) =>
          (p as { Target: { RoleArn: { 'Fn::GetAtt': string[] } } }).Target.RoleArn[
            'Fn::GetAtt'
          ][0],
      ),
    );
    expect(roleIds.size).toBe(1);
    const reportFn = logicalId(multi.stack.reporting.handler.function);
    const dlq = logicalId(multi.stack.reporting.scheduleDeadLetterQueue);
    expect(grantsByRole(multi)[[...roleIds][0] as string]).toEqual(
      [
        `lambda:InvokeFunction ${JSON.stringify([arnOf(reportFn), { 'Fn::Join': ['', [arnOf(reportFn), ':*']] }])}`,
        `sqs:SendMessage ${JSON.stringify(arnOf(dlq))}`,
      ].sort(),
    );
  });

  it('prints the on-demand command of each report', () => {
    const outputs = multi.template.toJSON().Outputs as Record<
      string,
      { Value: { 'Fn::Join': [string, unknown[]] } }
    >;
    for (const [id, reportId] of [
      ['OnDemandReportCommandWeekly', 'weekly'],
      ['OnDemandReportCommandMonthlySmb', 'monthly-smb'],
    ] as const) {
      const parts = outputs[id]?.Value['Fn::Join'][1] ?? [];
      expect(parts.join('')).toContain(`--payload '{"reportId":"${reportId}"}'`);
    }
  });

  it('reports no unsuppressed cdk-nag error or warning', () => {
    expect(findings(multi.stack)).toEqual([]);
  });
});
