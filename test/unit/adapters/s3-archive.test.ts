/**
 * What s3rver cannot show: it ignores If-Match and If-None-Match on PutObject (measured: a
 * put with `If-None-Match: *` over an existing key, or `If-Match` with a wrong ETag, is
 * stored). Real S3 refuses them with 412 PreconditionFailed (or 409
 * ConditionalRequestConflict while another conditional write of the key is in flight), which
 * is what keeps two report runs from losing each other's archive entry. The adapter must
 * send the condition and report a refusal as "lost" (undefined), nothing else.
 */
import {
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../../../functions/adapters/s3';

const s3Mock = mockClient(S3Client);
afterEach(() => s3Mock.reset());

function s3Error(name: string, status: number): S3ServiceException {
  return new S3ServiceException({
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: status },
    message: name,
  });
}

const store = () => new S3ObjectStore(new S3Client({ region: 'us-east-1' }), 'bucket');
const KEY = 'reports/weekly/index.json';

describe('S3ObjectStore conditional text writes', () => {
  it('creates with If-None-Match: * and replaces with If-Match on the quoted ETag', async () => {
    s3Mock.on(PutObjectCommand).resolves({ ETag: '"abc123"' });
    expect(await store().putTextIfUnchanged(KEY, '{}', 'application/json', undefined)).toBe(
      'abc123',
    );
    expect(await store().putTextIfUnchanged(KEY, '{}', 'application/json', 'abc123')).toBe(
      'abc123',
    );
    const [create, replace] = s3Mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(create).toEqual({
      Bucket: 'bucket',
      Key: KEY,
      Body: '{}',
      ContentType: 'application/json',
      IfNoneMatch: '*',
    });
    expect(replace?.IfMatch).toBe('"abc123"');
    expect(replace?.IfNoneMatch).toBeUndefined();
  });

  it('reports a lost condition (412, 409, or 404 on a deleted object) as undefined', async () => {
    for (const [name, status] of [
      ['PreconditionFailed', 412],
      ['ConditionalRequestConflict', 409],
      ['NoSuchKey', 404],
    ] as const) {
      s3Mock.reset();
      s3Mock.on(PutObjectCommand).rejects(s3Error(name, status));
      expect(await store().putTextIfUnchanged(KEY, '{}', 'application/json', 'old'), name).toBe(
        undefined,
      );
    }
  });

  it('passes any other refusal on', async () => {
    const denied = s3Error('AccessDenied', 403);
    s3Mock.on(PutObjectCommand).rejects(denied);
    await expect(store().putTextIfUnchanged(KEY, '{}', 'application/json', undefined)).rejects.toBe(
      denied,
    );
  });

  it('reads the text with its bare ETag, and a missing index as undefined', async () => {
    s3Mock.on(GetObjectCommand).resolvesOnce({
      ETag: '"e1"',
      // The SDK's stream mixin, as much of it as the adapter uses.
      Body: { transformToString: async () => '{"a":1}' } as never,
    });
    expect(await store().getText(KEY)).toEqual({ text: '{"a":1}', etag: 'e1' });
    s3Mock.on(GetObjectCommand).rejects(s3Error('NoSuchKey', 404));
    expect(await store().getText(KEY)).toBeUndefined();
  });
});
