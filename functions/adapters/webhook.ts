/**
 * How the functions read config `slack`'s webhook URL: from Secrets Manager, through the
 * process's one secret reader (secrets.ts), built on first use (a report without `slack` or
 * links never builds it). The reader keeps a value for the container and does not keep a
 * failed read.
 */
import type { WebhookDeps } from '../core/jobs/slack';
import { sharedSecretReader } from './secrets';

export const sharedWebhook: WebhookDeps = {
  readSecret: (secretId) => sharedSecretReader()(secretId),
};
