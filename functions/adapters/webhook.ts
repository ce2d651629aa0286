/**
 * How the functions read config `slack`'s webhook URL: from Secrets Manager, through one
 * client per container, built on first use (a report without `slack` never builds it). The
 * reader keeps a value for the container and does not keep a failed read.
 */
import type { WebhookDeps } from '../core/jobs/slack';
import { createSecretsClient, type SecretReader, secretReader } from './secrets';

let shared: SecretReader | undefined;

export const sharedWebhook: WebhookDeps = {
  readSecret: (secretId) => {
    shared ??= secretReader(createSecretsClient());
    return shared(secretId);
  },
};
