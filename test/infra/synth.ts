/**
 * Builds the stack the way infra/app.ts does (cdk-nag included), from a deploy-file object,
 * without bundling the handlers with esbuild (LOCAL-AWS.md: `aws:cdk:bundling-stacks`) unless
 * `bundle` gives the folder for the assets (slow: only lambda-bundle.test.ts does that).
 */
import { App, Aspects, type CfnElement, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { type DeployFileInput, parseDeployConfig } from '../../infra/config';
import { EngagementReportStack } from '../../infra/stack';

/** A complete, valid deploy file; tests spread changes over it. */
export const BASE_INPUT = {
  report: {
    reportId: 'test-report',
    name: 'Test engagement',
    timezone: 'America/New_York',
    currency: 'USD',
    period: 'week',
    email: { sender: 'reports@example.org', recipients: ['team@example.org'] },
  },
  deploy: {
    alarmEmail: 'ops@example.org',
    rejectedRetentionDays: 45,
  },
} satisfies DeployFileInput;

export interface Synthesized {
  stack: EngagementReportStack;
  template: Template;
}

export function synthesize(
  input: DeployFileInput = BASE_INPUT,
  options: { bundle?: { outdir: string } } = {},
): Synthesized {
  const config = parseDeployConfig(input, 'test.config.json');
  const app = options.bundle
    ? new App({ outdir: options.bundle.outdir })
    : new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new EngagementReportStack(app, 'TestStack', { config });
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  return { stack, template: Template.fromStack(stack) };
}

/**
 * Every error and warning annotation on the stack (cdk-nag 2.x reports its findings as
 * annotations when the aspect runs during synthesis), as `<path>: <message>` lines.
 */
export function findings(stack: Stack): string[] {
  const annotations = Annotations.fromStack(stack);
  return [
    ...annotations.findError('*', Match.anyValue()),
    ...annotations.findWarning('*', Match.anyValue()),
  ].map((m) => `${m.id}: ${String(m.entry.data)}`);
}

/** The logical id of a construct's CloudFormation resource. */
export function logicalId(construct: IConstruct): string {
  const resource = construct.node.defaultChild as CfnElement;
  return Stack.of(construct).getLogicalId(resource);
}

export interface PolicyStatement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
  Principal?: unknown;
}

export function actionsOf(statement: PolicyStatement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

/** Every statement of the AWS::IAM::Policy resources attached to `role`. */
export function statementsOfRole(template: Template, role: IConstruct): PolicyStatement[] {
  const roleId = logicalId(role);
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: roleId }] },
  });
  return Object.values(policies).flatMap(
    (p) => (p.Properties.PolicyDocument.Statement as PolicyStatement[]) ?? [],
  );
}
