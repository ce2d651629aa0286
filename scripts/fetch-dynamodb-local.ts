/**
 * Fetches DynamoDB Local (the official jar and its native libraries) into
 * `.cache/dynamodb-local/` for the integration tests and the demo.
 *
 * The jar ships inside the npm package `amplify-dynamodb-simulator` (folder `emulator/`).
 * As a dependency that package pulls ~295 MB of unrelated packages, so instead we
 * `npm pack` the one tarball, check it against a pinned integrity hash, and keep only
 * `package/emulator` (~64 MB). Runs in well under a minute and does nothing when the folder
 * is already there.
 *
 * Usage: `npx tsx scripts/fetch-dynamodb-local.ts`
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DYNAMODB_LOCAL_PACKAGE = 'amplify-dynamodb-simulator@2.9.30';
/** `npm view amplify-dynamodb-simulator@2.9.30 dist.integrity` */
export const DYNAMODB_LOCAL_INTEGRITY =
  'sha512-xTeeRLvzEfqyd5lh3bH4c0kHvSHHmmhD5ZDsHFKAQ5g2Zl6JqlFdutaQhCLHzxEp6Ry1o7TB6niIoXuQAnSewQ==';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export class FetchDynamoDbLocalError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FetchDynamoDbLocalError';
  }
}

/** The folder holding `DynamoDBLocal.jar` and `DynamoDBLocal_lib/`. */
export function dynamoDbLocalDir(root = projectRoot): string {
  return join(root, '.cache', 'dynamodb-local');
}

/** Downloads and unpacks DynamoDB Local unless present; returns its folder. */
export function fetchDynamoDbLocal(root = projectRoot, log = (_: string) => {}): string {
  const target = dynamoDbLocalDir(root);
  if (existsSync(join(target, 'DynamoDBLocal.jar'))) return target;

  const cache = join(root, '.cache');
  mkdirSync(cache, { recursive: true });
  log(`fetching ${DYNAMODB_LOCAL_PACKAGE} from the npm registry …`);
  let tarballName: string;
  try {
    const out = execFileSync(
      'npm',
      ['pack', DYNAMODB_LOCAL_PACKAGE, '--pack-destination', cache, '--json', '--silent'],
      { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const parsed = JSON.parse(out) as { filename: string }[];
    const first = parsed[0];
    if (!first) throw new Error('npm pack printed no file name');
    tarballName = first.filename;
  } catch (error) {
    throw new FetchDynamoDbLocalError(
      `could not download ${DYNAMODB_LOCAL_PACKAGE} with "npm pack" (is the npm registry reachable?)`,
      { cause: error },
    );
  }
  const tarball = join(cache, tarballName);

  const digest = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
  if (digest !== DYNAMODB_LOCAL_INTEGRITY) {
    rmSync(tarball, { force: true });
    throw new FetchDynamoDbLocalError(
      `${tarballName} does not match its pinned integrity hash (got ${digest}, expected ${DYNAMODB_LOCAL_INTEGRITY}); refusing to run it`,
    );
  }

  // Unpack into a scratch folder and rename at the end, so an interrupted run never leaves a
  // half-extracted folder that the presence check above would take for a complete one.
  const scratch = join(cache, `dynamodb-local.partial-${process.pid}`);
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  try {
    execFileSync('tar', ['-xzf', tarball, '-C', scratch, 'package/emulator'], { stdio: 'pipe' });
    rmSync(target, { recursive: true, force: true });
    renameSync(join(scratch, 'package', 'emulator'), target);
  } catch (error) {
    throw new FetchDynamoDbLocalError(`could not unpack ${tarball} with tar`, { cause: error });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    rmSync(tarball, { force: true });
  }
  log(`DynamoDB Local is in ${target}`);
  return target;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const dir = fetchDynamoDbLocal(projectRoot, (line) => console.log(line));
    console.log(`ready: ${dir}`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  }
}
