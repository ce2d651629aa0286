import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'] },
      },
      {
        extends: true,
        test: { name: 'infra', include: ['test/infra/**/*.test.ts'] },
      },
      {
        // Real local stand-ins; DynamoDB Local is started once for the whole project.
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          // s3rver's ListObjectsV2 continuation token uses DES, which OpenSSL 3 refuses
          // without the legacy provider (paginated listings answer 500 otherwise).
          execArgv: ['--openssl-legacy-provider'],
        },
      },
    ],
  },
});
