/**
 * What the stack gives the DuckDB engine in each function: ephemeral storage, and DuckDB's
 * memory limit, spill folder and threads derived from the function's memory. Synthesized
 * without bundling; the asset itself (DuckDB and its arm64 binding) is checked in
 * lambda-bundle.test.ts.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { readEngineEnv } from '../../functions/adapters/engine-env';
import { HandlerFunction } from '../../infra/constructs/handler-function';
import { BASE_INPUT, logicalId, type Synthesized, synthesize } from './synth';

let base: Synthesized;
let template: Template;

beforeAll(() => {
  base = synthesize();
  template = base.template;
});

const functionsOf = (s: Synthesized) => [
  { name: 'ingest', id: logicalId(s.stack.ingestion.handler.function) },
  { name: 'report', id: logicalId(s.stack.reporting.handler.function) },
];

function propertiesOf(t: Template, id: string) {
  return t.toJSON().Resources[id].Properties;
}

describe('the engine in the stack', () => {
  it('gives both functions 2 GiB of ephemeral storage for export copies and spill', () => {
    for (const fn of functionsOf(base)) {
      expect(propertiesOf(template, fn.id).EphemeralStorage, fn.name).toEqual({ Size: 2048 });
    }
  });

  it('sets DuckDB to 256 of the 1024 MB, one thread, and folders under /tmp', () => {
    for (const fn of functionsOf(base)) {
      // Prepare
      const variables = propertiesOf(template, fn.id).Environment.Variables;

      // Act
      const settings = readEngineEnv(variables);

      // Assess
      expect(variables, fn.name).toMatchObject({
        DUCKDB_MEMORY_LIMIT_MB: '128',
        DUCKDB_TEMP_DIRECTORY: '/tmp/duckdb-spill',
        DUCKDB_THREADS: '1',
        ENGINE_SCRATCH_DIRECTORY: '/tmp/engine-exports',
      });
      expect(settings).toEqual({
        duck: { memoryLimitMb: 128, tempDirectory: '/tmp/duckdb-spill', threads: 1 },
        scratchDirectory: '/tmp/engine-exports',
      });
    }
  });

  it('derives the settings from the deploy file’s memory', () => {
    const big = synthesize({ ...BASE_INPUT, deploy: { ...BASE_INPUT.deploy, memoryMb: 4096 } });
    for (const fn of functionsOf(big)) {
      expect(propertiesOf(big.template, fn.id).Environment.Variables, fn.name).toMatchObject({
        DUCKDB_MEMORY_LIMIT_MB: '2048',
        DUCKDB_THREADS: '3',
      });
    }
  });
});

describe('HandlerFunction engine props', () => {
  const newStack = () => new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'T');
  const fixture = {
    entry: 'test/infra/fixtures/esm-handler.ts',
    description: 't',
    serviceName: 't',
  };

  it('sets no DuckDB variable on a function without the engine', () => {
    const stack = newStack();
    const handler = new HandlerFunction(stack, 'Plain', fixture);
    const variables = propertiesOf(Template.fromStack(stack), logicalId(handler.function))
      .Environment.Variables as Record<string, string>;
    expect(Object.keys(variables).filter((k) => k.startsWith('DUCKDB_'))).toEqual([]);
  });

  it('refuses ephemeral storage Lambda would refuse', () => {
    expect(
      () => new HandlerFunction(newStack(), 'Small', { ...fixture, ephemeralStorageMb: 256 }),
    ).toThrow(/ephemeralStorageMb must be a whole number from 512 to 10240 \(got 256\)/);
  });

  it('refuses the engine on a function with less than 512 MB', () => {
    expect(
      () => new HandlerFunction(newStack(), 'Tiny', { ...fixture, duckDb: true, memoryMb: 256 }),
    ).toThrow(/needs memoryMb of at least 512 \(got 256\)/);
  });
});
