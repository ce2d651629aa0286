/**
 * Lambda entry point behind the public Function URL of the email's links: unsubscribe and
 * the report archive (functions/core/jobs/links.ts). The URL needs no AWS credentials
 * (email recipients click it); every request carries a signed token, so the URL alone
 * allows nothing.
 *
 * The event is the API Gateway v2 payload a Function URL sends; only the method, path, `t`
 * query parameter and body are read, each checked. The body may arrive base64-encoded.
 */

import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';
import { z } from 'zod';
import { createDynamoDbClient, createS3Client } from './adapters/clients';
import { DynamoDbSuppressionList } from './adapters/dynamodb';
import { requireVar } from './adapters/env';
import { LINKS_ENV, S3ArchiveReader } from './adapters/links';
import { createSecretsClient, secretReader } from './adapters/secrets';
import { handleLinkRequest, type LinkRequest, type LinksDeps } from './core/jobs/links';
import type { JobLogger } from './core/jobs/ports';
import { LinkSigner } from './core/report/links';

// Its own logger, not adapters/runtime's: that module builds the report runtime, and
// importing it would bundle the metric engine (DuckDB) into this small function.
const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'engagement-links',
});
const jobLogger: JobLogger = {
  debug: (message, extra) => logger.debug(message, { ...extra }),
  info: (message, extra) => logger.info(message, { ...extra }),
  warn: (message, extra) => logger.warn(message, { ...extra }),
  error: (message, extra) => logger.error(message, { ...extra }),
};

/** Far more than a one-click POST or the button's form; anything bigger is not read. */
const MAX_BODY_BYTES = 8 * 1024;

const FunctionUrlEvent = z.object({
  rawPath: z.string(),
  requestContext: z.object({ http: z.object({ method: z.string() }) }),
  queryStringParameters: z.record(z.string(), z.string().optional()).optional(),
  body: z.string().optional(),
  isBase64Encoded: z.boolean().optional(),
});

/** The request the core answers, or undefined when the event is not a Function URL request. */
export function parseLinkEvent(event: unknown): LinkRequest | undefined {
  const parsed = FunctionUrlEvent.safeParse(event);
  if (!parsed.success) return undefined;
  const { rawPath, requestContext, queryStringParameters, body, isBase64Encoded } = parsed.data;
  let text: string | undefined;
  if (body !== undefined) {
    const bytes = isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
    text = bytes.subarray(0, MAX_BODY_BYTES).toString('utf8');
  }
  return {
    method: requestContext.http.method.toUpperCase(),
    path: rawPath,
    token: queryStringParameters?.t,
    body: text,
  };
}

const BAD_REQUEST: LambdaFunctionURLResult = {
  statusCode: 400,
  headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
  body: 'Bad request\n',
};

const UNAVAILABLE: LambdaFunctionURLResult = {
  statusCode: 503,
  headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
  body: 'This page is not available just now. Please try again in a few minutes.\n',
};

/** The handler over given dependencies (tests build their own). */
export function createLinksHandler(deps: () => Promise<LinksDeps>) {
  return async (
    event: LambdaFunctionURLEvent | unknown,
    context?: Context,
  ): Promise<LambdaFunctionURLResult> => {
    if (context) logger.addContext(context);
    const request = parseLinkEvent(event);
    if (!request) return BAD_REQUEST;
    let resolved: LinksDeps;
    try {
      resolved = await deps();
    } catch (error) {
      // A missing variable or an unreadable key: the deployment's problem, logged in full.
      logger.error('the links function could not start', {
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
      return UNAVAILABLE;
    }
    const response = await handleLinkRequest(resolved, request);
    return { statusCode: response.status, headers: response.headers, body: response.body };
  };
}

/**
 * Built on the first request and kept for the container; a failed build (the secret could
 * not be read) is not kept, so the next request tries again.
 */
function cached(load: () => Promise<LinksDeps>): () => Promise<LinksDeps> {
  let pending: Promise<LinksDeps> | undefined;
  return () => {
    pending ??= load().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}

/** The dependencies from the environment the stack sets (infra/constructs/links.ts). */
export async function loadLinksDeps(
  source: Record<string, string | undefined> = process.env,
): Promise<LinksDeps> {
  const keySecretArn = requireVar(
    source,
    LINKS_ENV.keySecretArn,
    'the ARN of the secret holding the link signing key',
  );
  const bucketName = requireVar(source, 'BUCKET_NAME', 'the name of the exports bucket');
  const tableName = requireVar(source, 'TABLE_NAME', 'the name of the snapshots table');
  const readSecret = secretReader(createSecretsClient());
  return {
    signer: new LinkSigner(await readSecret(keySecretArn)),
    suppressions: new DynamoDbSuppressionList(createDynamoDbClient(), tableName),
    archive: new S3ArchiveReader(createS3Client(), bucketName),
    logger: jobLogger,
  };
}

export const handler = createLinksHandler(cached(() => loadLinksDeps()));
