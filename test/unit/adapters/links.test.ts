import { describe, expect, it } from 'vitest';
import { EnvError } from '../../../functions/adapters/env';
import {
  cachedReportLinks,
  readLinksEnv,
  readOptionalLinksEnv,
} from '../../../functions/adapters/links';

const ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:links-key-AbCdEf';
const URL = 'https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-east-1.on.aws/';

describe('readOptionalLinksEnv', () => {
  it('is undefined when the stack set no links variables (no links in the email)', () => {
    expect(readOptionalLinksEnv({})).toBeUndefined();
    expect(readOptionalLinksEnv({ LINKS_BASE_URL: ' ', LINKS_KEY_SECRET_ARN: '' })).toBeUndefined();
  });

  it('reads both, the Function URL without its trailing slash', () => {
    expect(readOptionalLinksEnv({ LINKS_BASE_URL: URL, LINKS_KEY_SECRET_ARN: ARN })).toEqual({
      baseUrl: URL.slice(0, -1),
      keySecretArn: ARN,
    });
  });

  it('refuses half the settings, naming the missing variable', () => {
    expect(() => readOptionalLinksEnv({ LINKS_BASE_URL: URL })).toThrow(
      /LINKS_KEY_SECRET_ARN is missing/,
    );
    expect(() => readOptionalLinksEnv({ LINKS_KEY_SECRET_ARN: ARN })).toThrow(
      /LINKS_BASE_URL is missing/,
    );
  });

  it('refuses a base URL that is not plain https', () => {
    const error = (() => {
      try {
        readLinksEnv({ LINKS_BASE_URL: 'http://example.com', LINKS_KEY_SECRET_ARN: ARN });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(EnvError);
    expect((error as Error).message).toMatch(/LINKS_BASE_URL is wrong: .*must be a plain https/);
  });
});

describe('cachedReportLinks', () => {
  it('reads the key once, and again after a failed read', async () => {
    // Prepare: a secret read that fails the first time.
    const reads: string[] = [];
    let fail = true;
    const links = cachedReportLinks({ LINKS_BASE_URL: URL, LINKS_KEY_SECRET_ARN: ARN }, () => {
      return async (id: string) => {
        reads.push(id);
        if (fail) throw new Error('throttled');
        return 'k'.repeat(64);
      };
    });

    // Act, Assess
    await expect(links()).rejects.toThrow('throttled');
    fail = false;
    const first = await links();
    const second = await links();
    expect(first?.baseUrl).toBe(URL.slice(0, -1));
    expect(second).toBe(first);
    expect(reads).toEqual([ARN, ARN]);
  });

  it('gives no links and reads no secret without the variables', async () => {
    const links = cachedReportLinks({}, () => {
      throw new Error('must not build a secrets reader');
    });
    expect(await links()).toBeUndefined();
  });
});
