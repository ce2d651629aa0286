/**
 * The process's one Secrets Manager reader: the Slack webhook and the links' signing key
 * share its client and its cache. Secrets Manager has no local stand-in here, so its
 * answers are mocked.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { sharedSecretReader } from '../../../functions/adapters/secrets';
import { sharedWebhook } from '../../../functions/adapters/webhook';

const secrets = mockClient(SecretsManagerClient);
const SLACK = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:slack-AbCdEf';
const KEY = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:links-key-GhIjKl';

beforeEach(() => secrets.reset());
afterAll(() => secrets.restore());

describe('sharedSecretReader', () => {
  it('is one reader for the process, whose cache the webhook shares', async () => {
    secrets.on(GetSecretValueCommand, { SecretId: SLACK }).resolves({ SecretString: 'hook' });
    secrets.on(GetSecretValueCommand, { SecretId: KEY }).resolves({ SecretString: 'key' });

    expect(sharedSecretReader()).toBe(sharedSecretReader());
    expect(await sharedWebhook.readSecret(SLACK)).toBe('hook');
    expect(await sharedSecretReader()(SLACK)).toBe('hook');
    expect(await sharedSecretReader()(KEY)).toBe('key');
    expect(await sharedWebhook.readSecret(KEY)).toBe('key');

    // One read per secret, whoever asked first.
    const ids = secrets.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input.SecretId);
    expect(ids).toEqual([SLACK, KEY]);
  });

  it('does not keep a failed read', async () => {
    const id = `${KEY}-other`;
    secrets
      .on(GetSecretValueCommand, { SecretId: id })
      .rejectsOnce(new Error('throttled'))
      .resolves({ SecretString: 'later' });

    await expect(sharedSecretReader()(id)).rejects.toThrow('throttled');
    expect(await sharedSecretReader()(id)).toBe('later');
  });
});
