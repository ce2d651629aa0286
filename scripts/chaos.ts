/**
 * The seeded fault campaign (test/chaos/campaign.ts) from the command line:
 *
 *   npm run chaos -- --runs 100 --seed 1 [--rate 0.04]
 *
 * Starts its own stand-ins (DynamoDB Local here; each run starts its own s3rver and SES
 * stand-in), prints one line per run and the campaign's figures, and exits 1 when any run
 * broke an invariant. A failing run's seed replays it: `--runs 1 --seed <seed>`.
 */
import { parseArgs } from 'node:util';
import { formatSummary, runCampaign } from '../test/chaos/campaign';
import { startDynamoDbLocal } from '../test/support/standins';

function number(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`--${name} must be a non-negative number (got "${raw}")`);
  }
  return value;
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      runs: { type: 'string' },
      seed: { type: 'string' },
      rate: { type: 'string' },
    },
  });
  const runs = Math.floor(number('runs', values.runs, 10));
  const seed = Math.floor(number('seed', values.seed, 1));
  const rate = number('rate', values.rate, 0.04);
  const dynamodb = await startDynamoDbLocal({ log: (line) => console.error(line) });
  try {
    const summary = await runCampaign({
      runs,
      seed,
      rate,
      dynamodbEndpoint: dynamodb.endpoint,
      log: (line) => console.log(line),
    });
    console.log('');
    console.log(formatSummary(summary));
    return summary.failing.length === 0 ? 0 : 1;
  } finally {
    await dynamodb.stop();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = 2;
  },
);
