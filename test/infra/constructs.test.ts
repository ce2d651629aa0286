/**
 * The constructs' own prop validation: mistakes fail `cdk synth` with the value and the fix,
 * instead of deploying something wrong. No template is synthesized here.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/core/config';
import { Alarms } from '../../infra/constructs/alarms';
import { HandlerFunction } from '../../infra/constructs/handler-function';
import { StoredReportConfig } from '../../infra/constructs/report-config';
import { Reporting } from '../../infra/constructs/reporting';
import { Storage } from '../../infra/constructs/storage';
import { BASE_INPUT } from './synth';

function newStack(): Stack {
  return new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Test');
}

function newHandler(stack: Stack): HandlerFunction {
  return new HandlerFunction(stack, 'Handler', {
    entry: 'test/infra/fixtures/esm-handler.ts',
    description: 'test',
    serviceName: 'test',
  });
}

describe('HandlerFunction', () => {
  it('refuses an entry that does not exist', () => {
    expect(
      () =>
        new HandlerFunction(newStack(), 'Missing', {
          entry: 'functions/nope.ts',
          description: 'test',
          serviceName: 'test',
        }),
    ).toThrow(/entry "functions\/nope\.ts" does not exist/);
  });

  it('refuses bucket prefixes with wildcards or without the trailing slash', () => {
    const stack = newStack();
    const handler = newHandler(stack);
    const bucket = new s3.Bucket(stack, 'Bucket');
    expect(() => handler.useBucket(bucket, { read: ['exports/*'] })).toThrow(
      /read prefix "exports\/\*" must be a plain key prefix ending in "\/"/,
    );
    expect(() => handler.useBucket(bucket, { write: ['reports'] })).toThrow(
      /write prefix "reports"/,
    );
    expect(() => handler.useBucket(bucket, {})).toThrow(
      /give at least one read, list or write prefix/,
    );
  });

  it('refuses memory and timeouts Lambda would refuse', () => {
    expect(
      () =>
        new HandlerFunction(newStack(), 'Big', {
          entry: 'test/infra/fixtures/esm-handler.ts',
          description: 'test',
          serviceName: 'test',
          memoryMb: 20_000,
        }),
    ).toThrow(/memoryMb must be a whole number from 128 to 10240 \(got 20000\)/);
  });

  it("refuses an environment over Lambda's 4 KB, naming the largest variable", () => {
    expect(
      () =>
        new HandlerFunction(newStack(), 'Large', {
          entry: 'test/infra/fixtures/esm-handler.ts',
          description: 'test',
          serviceName: 'test',
          environment: { BIG_SETTING: 'x'.repeat(4200) },
        }),
    ).toThrow(
      /over Lambda's 4 KB limit; the largest variable is BIG_SETTING \(4200 bytes\); keep large settings out of the environment/,
    );
  });
});

describe('StoredReportConfig', () => {
  it('refuses a config the functions would refuse at cold start', () => {
    // Prepare: a config that skipped parseDeployConfig (a bad time zone).
    const config = { ...parseConfig(BASE_INPUT.report), timezone: 'Mars/Olympus_Mons' };

    // Act and Assess
    expect(() => new StoredReportConfig(newStack(), 'Config', { config })).toThrow(
      /StoredReportConfig Config: the report config would be refused by the functions at cold start \(invalid configuration: timezone is not a known IANA time zone/,
    );
  });
});

describe('Reporting', () => {
  const props = (stack: Stack) => {
    const storage = new Storage(stack, 'Storage');
    return {
      bucket: storage.bucket,
      table: storage.table,
      reportConfig: new StoredReportConfig(stack, 'Config', {
        config: parseConfig(BASE_INPUT.report),
      }),
      sender: 'reports@example.org',
      scheduleExpression: 'cron(0 7 ? * MON *)',
    };
  };

  it('refuses a sender that differs from the report config', () => {
    const stack = newStack();
    expect(
      () => new Reporting(stack, 'Reporting', { ...props(stack), sender: 'other@example.org' }),
    ).toThrow(
      /sender "other@example.org" differs from the report config's email.sender "reports@example.org"/,
    );
  });

  it('refuses a schedule expression EventBridge Scheduler would refuse', () => {
    const stack = newStack();
    expect(
      () =>
        new Reporting(stack, 'Reporting', {
          ...props(stack),
          scheduleExpression: 'cron(0 7 * * * *)',
        }),
    ).toThrow(
      /scheduleExpression cron\(…\) needs "\?" in exactly one of day-of-month and day-of-week/,
    );
  });
});

describe('Storage', () => {
  it('refuses a retention that is not a whole number of days', () => {
    expect(() => new Storage(newStack(), 'Storage', { rejectedRetentionDays: 0.5 })).toThrow(
      /rejectedRetentionDays must be a whole number of days, at least 1 \(got 0.5\)/,
    );
  });
});

describe('Alarms', () => {
  it('refuses names that would make unreadable alarm ids', () => {
    const stack = newStack();
    const handler = newHandler(stack);
    expect(
      () =>
        new Alarms(stack, 'Alarms', {
          functions: { 'ingest-fn': handler.function },
          deadLetterQueues: {},
        }),
    ).toThrow(/name "ingest-fn" must be PascalCase/);
    expect(
      () =>
        new Alarms(stack, 'Alarms2', {
          functions: { Ingest: handler.function },
          deadLetterQueues: {},
          email: 'ops',
        }),
    ).toThrow(/email must be an email address such as ops@example.com \(got "ops"\)/);
  });
});
