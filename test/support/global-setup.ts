/**
 * Starts DynamoDB Local once for the integration tests (the JVM takes ~3 s; s3rver and the
 * SES stand-in take milliseconds, so each test file starts its own and can listen to its
 * events). Fetches the jar first on a fresh clone (`scripts/fetch-dynamodb-local.ts`).
 * Each test file creates its own table, so files running in parallel never share state.
 */
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from './standins';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dynamodb = await startDynamoDbLocal({ log: (line) => console.log(line) });
  project.provide('dynamodbEndpoint', dynamodb.endpoint);
  return () => dynamodb.stop();
}
