import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../functions/core/config';

describe('config slack', () => {
  it('is optional, and takes a secret name, a partial ARN or a complete ARN', () => {
    expect(parseConfig({}).slack).toBeUndefined();
    for (const webhookSecret of [
      'engagement/slack-webhook',
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:team/slack',
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:team/slack-AbC123',
    ]) {
      expect(parseConfig({ slack: { webhookSecret } }).slack).toEqual({ webhookSecret });
    }
  });

  it('refuses the webhook URL itself, in plain words', () => {
    const parse = () =>
      parseConfig({ slack: { webhookSecret: 'https://hooks.slack.com/services/T0/B0/xyz' } });
    expect(parse).toThrow(ConfigError);
    expect(parse).toThrow(/holding the webhook URL, not the URL itself/);
  });

  it('refuses unknown keys (a "url" must not slip in next to the secret)', () => {
    expect(() =>
      parseConfig({ slack: { webhookSecret: 'x', url: 'https://hooks.slack.com/x' } }),
    ).toThrow(ConfigError);
  });
});
