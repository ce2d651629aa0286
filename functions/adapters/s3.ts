/**
 * The bucket through S3: the export source the engine reads (`exports/`) and the object
 * store the ingest job moves files with. Layout (DATASETS.md):
 * `incoming/<dataset>/<name>` → `exports/<dataset>/<name>` | `rejected/<dataset>/…`,
 * and `reports/<report id>/<period>/`.
 */
import { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { DatasetName } from '../core/config';
import { EXPORTS_PREFIX } from '../core/jobs/ingest';
import {
  type JobLogger,
  ObjectChangedError,
  type ObjectInfo,
  type ObjectStore,
  silentLogger,
  type VersionedText,
  type VersionedTextStore,
} from '../core/jobs/ports';
import { compareKeys, type ExportFile, type ExportSource } from '../core/sources';

/** S3 returns ETags in double quotes; we store and compare them bare. */
export function bareEtag(etag: string | undefined): string | undefined {
  return etag?.replace(/^"|"$/g, '');
}

/**
 * The `x-amz-copy-source` value: bucket and key, URL-encoded (S3 requires it; a key with
 * spaces or non-ASCII characters fails or copies the wrong object otherwise). Segments are
 * encoded one by one so the slashes stay path separators.
 */
export function copySource(bucket: string, key: string): string {
  return `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

function errorName(error: unknown): string | undefined {
  if (error instanceof S3ServiceException) return error.name;
  if (error instanceof Error) return error.name;
  return undefined;
}

function isNotFound(error: unknown): boolean {
  const name = errorName(error);
  return name === 'NotFound' || name === 'NoSuchKey';
}

function isPreconditionFailed(error: unknown): boolean {
  return errorName(error) === 'PreconditionFailed';
}

/**
 * A conditional write lost: 412 when the object is not (or no longer) the version named,
 * 409 `ConditionalRequestConflict` when another conditional write of the key is in flight.
 */
function isConditionalWriteLost(error: unknown): boolean {
  const name = errorName(error);
  if (name === 'PreconditionFailed' || name === 'ConditionalRequestConflict') return true;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status === 412 || status === 409;
}

async function getBody(
  s3: S3Client,
  bucket: string,
  key: string,
  etag: string | undefined,
): Promise<Readable> {
  try {
    const response = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: key, IfMatch: etag }),
    );
    const body = response.Body;
    if (body instanceof Readable) return body;
    if (body && 'transformToByteArray' in body) {
      return Readable.from([Buffer.from(await body.transformToByteArray())]);
    }
    throw new ObjectChangedError(`s3://${bucket}/${key} has no body`);
  } catch (error) {
    if (isPreconditionFailed(error)) {
      throw new ObjectChangedError(
        `s3://${bucket}/${key} changed while it was being read (expected ETag ${etag}); a newer upload supersedes it`,
        { cause: error },
      );
    }
    if (isNotFound(error)) {
      throw new ObjectChangedError(`s3://${bucket}/${key} no longer exists`, { cause: error });
    }
    throw error;
  }
}

export class S3ObjectStore implements ObjectStore, VersionedTextStore {
  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
  ) {}

  async head(key: string): Promise<ObjectInfo | undefined> {
    try {
      const response = await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { etag: bareEtag(response.ETag) ?? '', size: response.ContentLength ?? 0 };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  open(key: string, etag?: string): Promise<Readable> {
    return getBody(this.s3, this.bucket, key, etag);
  }

  async copy(fromKey: string, toKey: string, etag?: string): Promise<void> {
    try {
      await this.s3.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          Key: toKey,
          CopySource: copySource(this.bucket, fromKey),
          CopySourceIfMatch: etag,
        }),
      );
    } catch (error) {
      if (isPreconditionFailed(error) || isNotFound(error)) {
        throw new ObjectChangedError(
          `s3://${this.bucket}/${fromKey} changed or vanished before it could be copied to ${toKey}`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  async put(key: string, body: string | Uint8Array | Readable, contentType: string): Promise<void> {
    if (body instanceof Readable) {
      // A stream has no length up front: lib-storage uploads it in parts (or in one part
      // when it is small) without buffering the whole body.
      await new Upload({
        client: this.s3,
        params: { Bucket: this.bucket, Key: key, Body: body, ContentType: contentType },
      }).done();
      return;
    }
    await this.s3.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }),
    );
  }

  // The archive index (functions/core/jobs/archive.ts): small text objects replaced with
  // S3's conditional writes, `If-Match: <etag>` to replace the version read and
  // `If-None-Match: *` to create one that is not there yet.

  async getText(key: string): Promise<VersionedText | undefined> {
    try {
      const response = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      const text = (await response.Body?.transformToString('utf-8')) ?? '';
      return { text, etag: bareEtag(response.ETag) ?? '' };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async putTextIfUnchanged(
    key: string,
    text: string,
    contentType: string,
    etag: string | undefined,
  ): Promise<string | undefined> {
    try {
      const response = await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: text,
          ContentType: contentType,
          ...(etag === undefined ? { IfNoneMatch: '*' } : { IfMatch: `"${etag}"` }),
        }),
      );
      return bareEtag(response.ETag) ?? '';
    } catch (error) {
      // A deleted object answers If-Match with 404: re-read, and create it.
      if (isConditionalWriteLost(error) || (etag !== undefined && isNotFound(error))) {
        return undefined;
      }
      throw error;
    }
  }

  async putText(key: string, text: string, contentType: string): Promise<void> {
    await this.put(key, text, contentType);
  }
}

/**
 * The accepted exports: every object under `exports/<dataset>/`. Objects outside a known
 * dataset folder are skipped with a warning (nothing but the ingest job should write
 * there, but a person might).
 */
export class S3ExportSource implements ExportSource {
  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
    private readonly options: { prefix?: string; pageSize?: number; logger?: JobLogger } = {},
  ) {}

  async list(): Promise<ExportFile[]> {
    const prefix = this.options.prefix ?? EXPORTS_PREFIX;
    const logger = this.options.logger ?? silentLogger;
    const files: ExportFile[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix,
          ContinuationToken: token,
          MaxKeys: this.options.pageSize,
        }),
      );
      for (const object of page.Contents ?? []) {
        const key = object.Key;
        if (!key || key.endsWith('/')) continue;
        const [folder, ...rest] = key.slice(prefix.length).split('/');
        const dataset = DatasetName.safeParse(folder);
        if (!dataset.success || rest.length === 0) {
          logger.warn('skipping an object outside a dataset folder', { key });
          continue;
        }
        const etag = bareEtag(object.ETag);
        files.push({
          dataset: dataset.data,
          key,
          etag,
          open: () => getBody(this.s3, this.bucket, key, etag),
        });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    files.sort((a, b) => compareKeys(a.key, b.key));
    return files;
  }
}
