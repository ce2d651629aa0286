/**
 * The links function in the synthesized template: a public Function URL, the signing key,
 * and exactly the grants its adapters need (functions/links.ts and functions/adapters).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/paths';
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

let base: Synthesized;
let template: Template;
let ids: { links: string; secret: string; bucket: string; table: string; url: string };

beforeAll(() => {
  base = synthesize();
  template = base.template;
  const { stack } = base;
  ids = {
    links: logicalId(stack.links.handler.function),
    secret: logicalId(stack.links.signingKey),
    bucket: logicalId(stack.storage.bucket),
    table: logicalId(stack.storage.table),
    url: logicalId(stack.links.url),
  };
});

const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

/** `<action> on <resource>` for every Allow statement of a role, resources named. */
function grantsOf(statements: PolicyStatement[]): string[] {
  const name = (resource: unknown): string => {
    const json = JSON.stringify(resource);
    if (json === JSON.stringify(arnOf(ids.table))) return 'table';
    if (json === JSON.stringify({ Ref: ids.secret })) return 'signing key';
    const join = (resource as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
    if (join?.[0] === '' && JSON.stringify(join[1][0]) === JSON.stringify(arnOf(ids.bucket))) {
      return `bucket${String(join[1][1])}`;
    }
    return json;
  };
  return statements
    .filter((s) => s.Effect === 'Allow')
    .flatMap((s) => {
      const resources = Array.isArray(s.Resource) ? s.Resource : [s.Resource];
      return actionsOf(s).flatMap((a) => resources.map((r) => `${a} on ${name(r)}`));
    })
    .filter((line) => !line.startsWith('logs:'))
    .sort();
}

describe('Links', () => {
  it('serves the function through a Function URL that takes no AWS authentication', () => {
    template.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'NONE',
      TargetFunctionArn: arnOf(ids.links),
    });
    // Both permissions a public URL needs, and only through the URL.
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunctionUrl',
      FunctionName: arnOf(ids.links),
      Principal: '*',
      FunctionUrlAuthType: 'NONE',
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: arnOf(ids.links),
      Principal: '*',
      InvokedViaFunctionUrl: true,
    });
  });

  it('generates a 64-character signing key and does not rotate it', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true, IncludeSpace: false },
    });
    template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 0);
  });

  it('lets the links function read reports/, put and get items, and read the key: nothing else', () => {
    expect(grantsOf(statementsOfRole(template, base.stack.links.handler.role))).toEqual(
      [
        's3:GetObject on bucket/reports/*',
        'dynamodb:PutItem on table',
        'dynamodb:GetItem on table',
        'secretsmanager:GetSecretValue on signing key',
        // The dead-letter queue every HandlerFunction has.
        `sqs:SendMessage on ${JSON.stringify(arnOf(logicalId(base.stack.links.handler.deadLetterQueue)))}`,
      ].sort(),
    );
  });

  it('grants what the suppression list sends (Put, and Get for an existing entry)', () => {
    // The commands of the DynamoDbSuppressionList section of the adapter.
    const adapter = readFileSync(join(REPO_ROOT, 'functions/adapters/dynamodb.ts'), 'utf8');
    const section = adapter.slice(adapter.indexOf('export class DynamoDbSuppressionList'));
    const suppress = section.slice(section.indexOf('async suppress('));
    const used = [...new Set([...suppress.matchAll(/new (\w+)Command\(/g)].map((m) => m[1]))];
    expect(used.sort()).toEqual(['Get', 'Put']);
  });

  it('gives the links function and the report function the key and URL variables', () => {
    const variables = (id: string) =>
      template.toJSON().Resources[id].Properties.Environment.Variables as Record<string, unknown>;
    const links = variables(ids.links);
    expect(links).toMatchObject({
      BUCKET_NAME: { Ref: ids.bucket },
      TABLE_NAME: { Ref: ids.table },
      LINKS_KEY_SECRET_ARN: { Ref: ids.secret },
    });
    // A small function: no DuckDB settings, 256 MB.
    expect(Object.keys(links).filter((k) => k.startsWith('DUCKDB_'))).toEqual([]);
    expect(template.toJSON().Resources[ids.links].Properties.MemorySize).toBe(256);
    const report = variables(logicalId(base.stack.reporting.handler.function));
    expect(report).toMatchObject({
      LINKS_KEY_SECRET_ARN: { Ref: ids.secret },
      LINKS_BASE_URL: { 'Fn::GetAtt': [ids.url, 'FunctionUrl'] },
    });
  });

  it('lets the report function, and the ingest for revised emails, read the key only', () => {
    for (const handler of [base.stack.reporting.handler, base.stack.ingestion.handler]) {
      const secrets = statementsOfRole(template, handler.role).filter((s) =>
        actionsOf(s).some((a) => a.startsWith('secretsmanager:')),
      );
      expect(secrets).toEqual([
        { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: { Ref: ids.secret } },
      ]);
    }
  });

  it('gives the ingest no key when revisions are only marked (it sends nothing)', () => {
    const marking = synthesize({
      ...BASE_INPUT,
      report: {
        ...BASE_INPUT.report,
        email: { ...BASE_INPUT.report.email, revisions: { mode: 'mark' } },
      },
    });
    const ingest = statementsOfRole(marking.template, marking.stack.ingestion.handler.role);
    expect(ingest.flatMap(actionsOf).filter((a) => a.startsWith('secretsmanager:'))).toEqual([]);
  });

  it('alarms on errors of the links function', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: ids.links } }],
    });
  });

  it('stays cdk-nag clean, the key rotation suppressed with its reason', () => {
    expect(findings(base.stack)).toEqual([]);
    const rules = template.toJSON().Resources[ids.secret].Metadata.cdk_nag.rules_to_suppress as {
      id: string;
      reason: string;
    }[];
    expect(rules.map((r) => r.id)).toEqual(['AwsSolutions-SMG4']);
    expect(rules[0]?.reason).toMatch(/RFC 8058/);
  });
});
