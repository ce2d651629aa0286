/**
 * What s3rver cannot show: S3 refusing a read or copy because the object changed since its
 * ETag was taken (412 PreconditionFailed on If-Match / x-amz-copy-source-if-match). The
 * adapter must turn that into ObjectChangedError, which the jobs treat as "a newer upload
 * supersedes this one", and must send the ETag condition in the first place.
 */
import {
  CopyObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../../../functions/adapters/s3';
import { ObjectChangedError } from '../../../functions/core/jobs/ports';

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

describe('S3ObjectStore conditional reads and copies', () => {
  it('reads with If-Match and reports a changed object as ObjectChangedError', async () => {
    s3Mock.on(GetObjectCommand).rejects(s3Error('PreconditionFailed', 412));
    await expect(store().open('incoming/orders/a.csv', 'etag-1')).rejects.toBeInstanceOf(
      ObjectChangedError,
    );
    const sent = s3Mock.commandCalls(GetObjectCommand)[0]?.args[0].input;
    expect(sent).toEqual({ Bucket: 'bucket', Key: 'incoming/orders/a.csv', IfMatch: 'etag-1' });
  });

  it('reports an object deleted before the read as ObjectChangedError', async () => {
    s3Mock.on(GetObjectCommand).rejects(s3Error('NoSuchKey', 404));
    await expect(store().open('incoming/orders/a.csv', 'etag-1')).rejects.toThrow(
      /no longer exists/,
    );
  });

  it('copies with x-amz-copy-source-if-match and reports a changed source', async () => {
    s3Mock.on(CopyObjectCommand).rejects(s3Error('PreconditionFailed', 412));
    const error = await store()
      .copy('incoming/orders/a b.csv', 'exports/orders/a b.csv', 'etag-2')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ObjectChangedError);
    expect((error as Error).message).toContain('changed or vanished before it could be copied');
    const sent = s3Mock.commandCalls(CopyObjectCommand)[0]?.args[0].input;
    // The copy source is URL-encoded per path segment, as S3 requires.
    expect(sent?.CopySource).toBe('bucket/incoming/orders/a%20b.csv');
    expect(sent?.CopySourceIfMatch).toBe('etag-2');
  });

  it('lets other errors through unchanged', async () => {
    const denied = s3Error('AccessDenied', 403);
    s3Mock.on(GetObjectCommand).rejects(denied);
    await expect(store().open('exports/orders/a.csv', 'etag-1')).rejects.toBe(denied);
    s3Mock.on(CopyObjectCommand).rejects(denied);
    await expect(store().copy('incoming/x/a.csv', 'exports/x/a.csv', 'e')).rejects.toBe(denied);
  });

  it('answers undefined for a missing object on head', async () => {
    s3Mock.on(HeadObjectCommand).rejects(s3Error('NotFound', 404));
    expect(await store().head('rejected/orders/a.csv.jsonl')).toBeUndefined();
  });
});
