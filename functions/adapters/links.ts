/**
 * The links function's outside world, and the report function's access to the link key:
 * the environment (LINKS_BASE_URL, LINKS_KEY_SECRET_ARN), the signing key from Secrets
 * Manager, and the stored reports in S3 (read, and presigned at the moment of a click).
 */
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { ArchiveReader } from '../core/jobs/links';
import { LinkSigner, linksBaseUrl, type ReportLinks } from '../core/report/links';
import { EnvError, requireVar } from './env';
import { type SecretReader, sharedSecretReader } from './secrets';

export const LINKS_ENV = {
  baseUrl: 'LINKS_BASE_URL',
  keySecretArn: 'LINKS_KEY_SECRET_ARN',
} as const;

export interface LinksEnv {
  baseUrl: string;
  keySecretArn: string;
}

type Source = Record<string, string | undefined>;

/** Both variables, checked; an EnvError naming the one missing or wrong. */
export function readLinksEnv(source: Source = process.env): LinksEnv {
  const raw = requireVar(source, LINKS_ENV.baseUrl, "the links function's URL (https)");
  const keySecretArn = requireVar(
    source,
    LINKS_ENV.keySecretArn,
    'the ARN of the secret holding the link signing key',
  );
  try {
    return { baseUrl: linksBaseUrl(raw), keySecretArn };
  } catch (error) {
    throw new EnvError(
      `environment variable ${LINKS_ENV.baseUrl} is wrong: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/**
 * The links settings of a function that may have none (the report function of a stack
 * without links, the local runner): undefined when neither variable is set, and an
 * EnvError when only one is (a half-wired deployment is a bug, not "no links").
 */
export function readOptionalLinksEnv(source: Source = process.env): LinksEnv | undefined {
  const set = Object.values(LINKS_ENV).filter((name) => source[name]?.trim());
  return set.length === 0 ? undefined : readLinksEnv(source);
}

/** The base URL and a signer over the key read from Secrets Manager. */
export async function loadReportLinks(
  env: LinksEnv,
  readSecret: SecretReader,
): Promise<ReportLinks> {
  return { baseUrl: env.baseUrl, signer: new LinkSigner(await readSecret(env.keySecretArn)) };
}

function isMissing(error: unknown): boolean {
  const name = error instanceof Error ? error.name : '';
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  // The links function may read reports/ but not list the bucket, and S3 answers a missing
  // key with 403 to such a caller (see BucketAccess.list in infra/constructs/handler-function.ts).
  return (
    name === 'NotFound' ||
    name === 'NoSuchKey' ||
    name === 'AccessDenied' ||
    status === 404 ||
    status === 403
  );
}

/** The stored reports in S3. */
export class S3ArchiveReader implements ArchiveReader {
  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
  ) {}

  async readText(key: string): Promise<string | undefined> {
    try {
      const response = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return await response.Body?.transformToString('utf8');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  /**
   * Signed now with the function's current credentials, so the URL works for `seconds`
   * (a Lambda function's credentials have hours left, far more than that).
   */
  presignGet(key: string, seconds: number): Promise<string> {
    return getSignedUrl(this.s3, new GetObjectCommand({ Bucket: this.bucket, Key: key }), {
      expiresIn: seconds,
    });
  }
}

/**
 * The report function's links, once per container: undefined when the stack set no links
 * variables; the key is read on the first call (a failed read is retried on the next).
 */
export function cachedReportLinks(
  source: Source = process.env,
  reader: () => SecretReader = sharedSecretReader,
): () => Promise<ReportLinks | undefined> {
  let pending: Promise<ReportLinks | undefined> | undefined;
  return () => {
    pending ??= (async () => {
      const env = readOptionalLinksEnv(source);
      return env && loadReportLinks(env, reader());
    })().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}
