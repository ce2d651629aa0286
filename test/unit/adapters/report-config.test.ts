/**
 * The parts of the stored report configuration the S3 stand-in cannot show: the variables
 * that locate it, S3's AccessDenied (s3rver allows everything), the serialisation both sides
 * share, and that a failed cold start is tried again rather than kept.
 */
import { GetObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { EnvError, readEnv } from '../../../functions/adapters/env';
import {
  encodeReportConfig,
  loadReportConfig,
  StoredConfigError,
  sha256Hex,
} from '../../../functions/adapters/report-config';
import { cachedRuntime, type Runtime } from '../../../functions/adapters/runtime';
import { parseConfig } from '../../../functions/core/config';

const s3Mock = mockClient(S3Client);
afterEach(() => s3Mock.reset());

const SHA = sha256Hex('{}');
const ENV = {
  BUCKET_NAME: 'data',
  TABLE_NAME: 'snapshots',
  SENDER: 'reports@example.com',
  REPORT_CONFIG_BUCKET: 'cdk-assets',
  REPORT_CONFIG_KEY: 'abc.json',
  REPORT_CONFIG_SHA256: SHA,
};

describe('readEnv', () => {
  it('reads the location of the stored report configuration', () => {
    expect(readEnv(ENV).reportConfig).toEqual({
      bucket: 'cdk-assets',
      key: 'abc.json',
      sha256: SHA,
    });
  });

  it('names a missing location variable and what it holds', () => {
    const { REPORT_CONFIG_KEY: _key, ...rest } = ENV;
    expect(() => readEnv(rest)).toThrow(
      new EnvError(
        'environment variable REPORT_CONFIG_KEY is missing: it should hold the S3 key of the report configuration',
      ),
    );
  });

  it('refuses a SHA-256 that is not 64 lower-case hex digits', () => {
    expect(() => readEnv({ ...ENV, REPORT_CONFIG_SHA256: 'ABC123' })).toThrow(
      'environment variable REPORT_CONFIG_SHA256 must be 64 lower-case hex digits (got "ABC123")',
    );
  });
});

describe('loadReportConfig', () => {
  it('explains an AccessDenied with the object it could not read', async () => {
    // Prepare: S3's answer to a role without s3:GetObject on the key.
    s3Mock.on(GetObjectCommand).rejects(
      new S3ServiceException({
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
        message: 'Access Denied',
      }),
    );

    // Act
    const error = await loadReportConfig(new S3Client({ region: 'us-east-1' }), {
      bucket: 'cdk-assets',
      key: 'abc.json',
      sha256: SHA,
    }).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(StoredConfigError);
    expect((error as StoredConfigError).message).toBe(
      'cannot read the report configuration s3://cdk-assets/abc.json (AccessDenied: Access Denied): ' +
        'the function may read only the object the deploy wrote; S3 also answers AccessDenied for a ' +
        'missing object to a role that cannot list the bucket, so deploy again',
    );
    expect(s3Mock.commandCalls(GetObjectCommand)[0]?.args[0].input).toEqual({
      Bucket: 'cdk-assets',
      Key: 'abc.json',
    });
  });
});

describe('encodeReportConfig', () => {
  it('writes text that parses back to the same config, with the SHA-256 of those bytes', () => {
    const config = parseConfig({
      timezone: 'Asia/Tokyo',
      columns: { orders: { amount: 'Total' } },
    });
    const { body, sha256 } = encodeReportConfig(config);
    expect(parseConfig(JSON.parse(body))).toEqual(config);
    expect(sha256).toBe(sha256Hex(Buffer.from(body, 'utf8')));
  });
});

describe('cachedRuntime', () => {
  it('loads once, and loads again after a failure instead of keeping it', async () => {
    // Prepare: a load that fails the first time (an S3 hiccup at cold start).
    const runtime = {} as Runtime;
    let calls = 0;
    const shared = cachedRuntime(async () => {
      calls += 1;
      if (calls === 1) throw new Error('S3 is having a moment');
      return runtime;
    });

    // Act and Assess
    await expect(shared()).rejects.toThrow('S3 is having a moment');
    expect(await shared()).toBe(runtime);
    expect(await shared()).toBe(runtime);
    expect(calls).toBe(2);
  });
});
