/**
 * Read access to the Secrets Manager secret of a report's Slack-compatible webhook (config
 * `slack.webhookSecret`): `secretsmanager:GetSecretValue` on that one secret, nothing else.
 * The secret is the user's, made outside the stack (the URL must never be in a template).
 */
import { createHash } from 'node:crypto';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { HandlerFunction } from './handler-function';

/** A complete secret ARN ends in the six characters Secrets Manager adds to the name. */
const COMPLETE_ARN = /^arn:[^:]+:secretsmanager:[^:]+:\d{12}:secret:.+-[A-Za-z0-9]{6}$/;

/**
 * Grants `handler` `secretsmanager:GetSecretValue` on the secret named by `secretId` (a name,
 * a partial ARN or a complete ARN). A name or partial ARN does not carry the random suffix
 * Secrets Manager adds, so the resource ends in `-??????`: exactly six characters, which
 * matches that one secret and not `<name>-other`. A secret encrypted with a customer managed
 * KMS key also needs `kms:Decrypt` on that key, which is not granted here.
 */
export function grantWebhookSecret(handler: HandlerFunction, secretId: string): void {
  // One grant per secret and function, whichever report names it.
  const id = `WebhookSecret${createHash('sha256').update(secretId).digest('hex').slice(0, 8)}`;
  if (handler.node.tryFindChild(id)) return;
  let secret: secretsmanager.ISecret;
  let complete = false;
  if (!secretId.startsWith('arn:')) {
    secret = secretsmanager.Secret.fromSecretNameV2(handler, id, secretId);
  } else if (COMPLETE_ARN.test(secretId)) {
    secret = secretsmanager.Secret.fromSecretCompleteArn(handler, id, secretId);
    complete = true;
  } else {
    secret = secretsmanager.Secret.fromSecretPartialArn(handler, id, secretId);
  }
  const resource = complete ? secret.secretArn : `${secret.secretArn}-??????`;
  handler.role.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [resource] }),
  );
  // cdk-nag's AwsSolutions-IAM5 looks for `*`; `?` matches one character and needs no
  // suppression.
}
