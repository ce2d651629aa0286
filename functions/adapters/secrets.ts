/**
 * Secrets Manager reads for the values that must never sit in the config, the environment
 * or a log line: the Slack webhook URL and the key that signs the email's links. A value is
 * read once per cold start and kept in memory; a failed read is not cached, so the next
 * invocation tries again.
 */
import {
  GetSecretValueCommand,
  SecretsManagerClient,
  type SecretsManagerClientConfig,
} from '@aws-sdk/client-secrets-manager';
import { MAX_ATTEMPTS } from './clients';

export function createSecretsClient(
  overrides: SecretsManagerClientConfig = {},
): SecretsManagerClient {
  return new SecretsManagerClient({
    maxAttempts: MAX_ATTEMPTS,
    retryMode: 'standard',
    ...overrides,
  });
}

/** Reads a secret's string value by name or ARN. */
export type SecretReader = (secretId: string) => Promise<string>;

export function secretReader(client: SecretsManagerClient): SecretReader {
  const cache = new Map<string, Promise<string>>();
  return (secretId) => {
    let value = cache.get(secretId);
    if (value === undefined) {
      value = read(client, secretId);
      cache.set(secretId, value);
      value.catch(() => cache.delete(secretId));
    }
    return value;
  };
}

async function read(client: SecretsManagerClient, secretId: string): Promise<string> {
  const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  if (out.SecretString === undefined || out.SecretString === '') {
    // The id is a name or ARN, not the value: safe to name.
    throw new Error(`secret ${secretId} has no string value`);
  }
  return out.SecretString;
}

let shared: SecretReader | undefined;

/**
 * The process's one reader, built on first use (a function that reads no secret never
 * builds a client): the Slack webhook (webhook.ts) and the links' signing key (links.ts)
 * share its client and its cache.
 */
export function sharedSecretReader(): SecretReader {
  shared ??= secretReader(createSecretsClient());
  return shared;
}
