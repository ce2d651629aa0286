/**
 * Cold start of a Lambda function with DuckDB, measured on this machine: builds the
 * function's asset the way `cdk synth` does (the whole stack with esbuild bundling, from
 * report.config.json or the committed example), swaps the linux-arm64 binding for this
 * machine's, and then, N times in a fresh Node process each, times
 *
 * - `import`: loading the bundle's `index.mjs` (what Lambda's init phase does: the bundle,
 *   the SDK clients' modules, MJML, and DuckDB's native library, which the bundle imports
 *   statically);
 * - `first query`: opening a DuckDB database with the function's settings (memory limit,
 *   spill folder, threads from its environment) and running a first query, as the first
 *   invocation does.
 *
 * A second series imports `@duckdb/node-api` alone, to tell DuckDB's share from the rest.
 *
 *   npx tsx scripts/bench-cold-start.ts [--runs 10] [--function report|ingest] [--asset <dir>]
 *
 * `--asset` times an asset folder that exists already (e.g. `cdk.out/asset.<hash>` after
 * `npm run synth`) with the settings of a 1024 MB function, instead of building one.
 *
 * Lambda runs arm64 on a CPU share of its memory (about 0.6 vCPU at 1024 MB) and reads the
 * code from a freshly unpacked asset, so its figures are higher than these; the split between
 * import and first query, and what a change to the bundle costs, carry over.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { App } from 'aws-cdk-lib';
import { ENGINE_ENV, engineEnvironment } from '../functions/adapters/engine-env';
import { loadDeployConfig, resolveConfigPath } from '../infra/config';
import { REPO_ROOT } from '../infra/paths';
import { EngagementReportStack } from '../infra/stack';

const BINDING = 'node_modules/@duckdb/node-bindings-linux-arm64';
const HOST_BINDING = `node_modules/@duckdb/node-bindings-${process.platform}-${process.arch}`;

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    function: { type: 'string', default: 'report' },
    asset: { type: 'string' },
  },
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1 || !['report', 'ingest'].includes(values.function)) {
  console.error(
    'usage: tsx scripts/bench-cold-start.ts [--runs N] [--function report|ingest] [--asset <dir>]',
  );
  process.exit(1);
}

/** The asset folder and plain-string environment of the function, built with bundling. */
function buildAsset(outdir: string, fn: string): { asset: string; env: Record<string, string> } {
  const app = new App({ outdir });
  const config = loadDeployConfig(resolveConfigPath(REPO_ROOT));
  const stack = new EngagementReportStack(app, 'ColdStart', { config });
  const handler = fn === 'ingest' ? stack.ingestion.handler : stack.reporting.handler;
  const template = app.synth().getStackByName(stack.stackName).template as {
    Resources: Record<string, { Properties: Record<string, unknown> }>;
  };
  const id = stack.getLogicalId(handler.function.node.defaultChild as never);
  const props = template.Resources[id]?.Properties as {
    Code: { S3Key: string };
    Environment: { Variables: Record<string, unknown> };
  };
  // Tokens (bucket and table names) stay out: importing the handler reads no variable.
  const env = Object.fromEntries(
    Object.entries(props.Environment.Variables).filter(
      (e): e is [string, string] => typeof e[1] === 'string',
    ),
  );
  return { asset: join(outdir, `asset.${props.Code.S3Key.replace(/\.zip$/, '')}`), env };
}

/** Child code: times the import of `specifier`, then a first DuckDB query. */
function childCode(specifier: string): string {
  return `
const t0 = performance.now();
await import(${JSON.stringify(specifier)});
const t1 = performance.now();
const { DuckDBInstance } = await import('@duckdb/node-api');
const env = process.env;
const settings = {};
if (env.${ENGINE_ENV.memoryLimitMb}) settings.memory_limit = env.${ENGINE_ENV.memoryLimitMb} + 'MB';
if (env.${ENGINE_ENV.tempDirectory}) settings.temp_directory = env.${ENGINE_ENV.tempDirectory};
if (env.${ENGINE_ENV.threads}) settings.threads = env.${ENGINE_ENV.threads};
const db = await DuckDBInstance.create(':memory:', settings);
const connection = await db.connect();
const reader = await connection.runAndReadAll('SELECT count(*) AS n, sum(i) AS s FROM range(100000) t(i)');
reader.getRowObjectsJS();
const t2 = performance.now();
console.log(JSON.stringify({ boot: t0, importMs: t1 - t0, queryMs: t2 - t1, rssMiB: process.memoryUsage().rss / 1048576 }));
`;
}

interface Sample {
  boot: number;
  importMs: number;
  queryMs: number;
  rssMiB: number;
  wallMs: number;
}

function measure(cwd: string, env: Record<string, string>, specifier: string): Sample {
  const start = performance.now();
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', childCode(specifier)], {
    cwd,
    encoding: 'utf8',
    // NODE_OPTIONS (--enable-source-maps) comes from the function's environment, as in Lambda.
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  const wallMs = performance.now() - start;
  if (run.status !== 0) throw new Error(`the child failed:\n${run.stderr}`);
  const line = run.stdout.trim().split('\n').at(-1) ?? '';
  return { ...(JSON.parse(line) as Omit<Sample, 'wallMs'>), wallMs };
}

function stats(xs: number[]): string {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median =
    sorted.length % 2
      ? (sorted[mid] as number)
      : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  const f = (x: number) => x.toFixed(0).padStart(5);
  return `${f(median)} ${f(sorted[0] as number)} ${f(sorted.at(-1) as number)}`;
}

function report(title: string, samples: Sample[]): void {
  console.log(`\n${title} (${samples.length} runs; median / min / max)`);
  console.log(`  node start (ms)      ${stats(samples.map((s) => s.boot))}`);
  console.log(`  import (ms)          ${stats(samples.map((s) => s.importMs))}`);
  console.log(`  first query (ms)     ${stats(samples.map((s) => s.queryMs))}`);
  console.log(`  import + query (ms)  ${stats(samples.map((s) => s.importMs + s.queryMs))}`);
  console.log(`  process, wall (ms)   ${stats(samples.map((s) => s.wallMs))}`);
  console.log(`  RSS after (MiB)      ${stats(samples.map((s) => s.rssMiB))}`);
}

const scratch = mkdtempSync(join(tmpdir(), 'bench-cold-start-'));
try {
  let asset: string;
  let env: Record<string, string>;
  if (values.asset) {
    asset = values.asset;
    env = { ...engineEnvironment(1024), NODE_OPTIONS: '--enable-source-maps' };
  } else {
    const t0 = performance.now();
    ({ asset, env } = buildAsset(join(scratch, 'cdk.out'), values.function));
    console.log(
      `built the ${values.function} asset in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
  }
  if (!existsSync(join(asset, 'index.mjs'))) throw new Error(`${asset} has no index.mjs`);
  if (!existsSync(join(asset, BINDING, 'duckdb.node'))) {
    throw new Error(`${asset} has no ${BINDING}: is it the asset of a DuckDB function?`);
  }
  const du = spawnSync('du', ['-sm', asset], { encoding: 'utf8' }).stdout.split('\t')[0];
  console.log(`asset: ${asset} (${du} MB unpacked)`);

  // This machine cannot load the arm64 binary: run a copy with its own binding instead.
  const run = join(scratch, 'run');
  cpSync(asset, run, { recursive: true });
  rmSync(join(run, BINDING), { recursive: true });
  cpSync(join(REPO_ROOT, HOST_BINDING), join(run, HOST_BINDING), { recursive: true });

  const handler: Sample[] = [];
  const duckOnly: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    handler.push(measure(run, env, './index.mjs'));
    duckOnly.push(measure(run, env, '@duckdb/node-api'));
  }
  console.log(
    `\nNode ${process.version}, ${process.platform}-${process.arch}; DuckDB settings: ${[
      ENGINE_ENV.memoryLimitMb,
      ENGINE_ENV.threads,
    ]
      .map((k) => `${k}=${env[k]}`)
      .join(' ')}`,
  );
  report(
    `${values.asset ? 'the given' : values.function} handler: import index.mjs, then the first DuckDB query`,
    handler,
  );
  report('@duckdb/node-api alone: import, then the first DuckDB query', duckOnly);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
