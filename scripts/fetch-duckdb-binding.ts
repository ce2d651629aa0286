/**
 * Fetches DuckDB's native binding for Lambda (`@duckdb/node-bindings-linux-arm64`) into
 * `.cache/duckdb-bindings-linux-arm64/`, for HandlerFunction to copy into the function's asset.
 *
 * `npm ci` installs only the binding of the machine it runs on (linux-x64 here and in CI), so
 * the arm64 one never lands in node_modules. Instead we `npm pack` its tarball at the version
 * package-lock.json pins, check it against the lock file's integrity hash, and unpack it.
 * Takes a few seconds (about 21 MB) and does nothing when the folder already holds that
 * version.
 *
 * Usage: `npx tsx scripts/fetch-duckdb-binding.ts` (the synth runs it when the folder is missing)
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DUCKDB_BINDING_PACKAGE = '@duckdb/node-bindings-linux-arm64';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export class FetchDuckDbBindingError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FetchDuckDbBindingError';
  }
}

/** The folder holding the package's files (`package.json`, `duckdb.node`, `libduckdb.so`). */
export function duckDbBindingDir(root = projectRoot): string {
  return join(root, '.cache', 'duckdb-bindings-linux-arm64');
}

/** The version and integrity hash package-lock.json records for the arm64 binding. */
export function lockedDuckDbBinding(root = projectRoot): { version: string; integrity: string } {
  const lockPath = join(root, 'package-lock.json');
  const lock = JSON.parse(readFileSync(lockPath, 'utf8')) as {
    packages?: Record<string, { version?: string; integrity?: string }>;
  };
  const entry = lock.packages?.[`node_modules/${DUCKDB_BINDING_PACKAGE}`];
  if (!entry?.version) {
    throw new FetchDuckDbBindingError(
      `${lockPath} has no entry for ${DUCKDB_BINDING_PACKAGE}: run "npm install" and "node scripts/lock-platforms.mjs"`,
    );
  }
  if (!entry.integrity) {
    throw new FetchDuckDbBindingError(
      `${lockPath} records no integrity hash for ${DUCKDB_BINDING_PACKAGE}@${entry.version}; add the one ` +
        `"npm view ${DUCKDB_BINDING_PACKAGE}@${entry.version} dist.integrity" prints to its entry`,
    );
  }
  return { version: entry.version, integrity: entry.integrity };
}

function installedVersion(target: string): string | undefined {
  if (!existsSync(join(target, 'duckdb.node'))) return undefined;
  try {
    return (JSON.parse(readFileSync(join(target, 'package.json'), 'utf8')) as { version?: string })
      .version;
  } catch {
    return undefined;
  }
}

/** Downloads and unpacks the locked arm64 binding unless present; returns its folder. */
export function fetchDuckDbBinding(root = projectRoot, log = (_: string) => {}): string {
  const { version, integrity } = lockedDuckDbBinding(root);
  const target = duckDbBindingDir(root);
  if (installedVersion(target) === version) return target;

  const spec = `${DUCKDB_BINDING_PACKAGE}@${version}`;
  const cache = join(root, '.cache');
  mkdirSync(cache, { recursive: true });
  log(`fetching ${spec} from the npm registry …`);
  let tarballName: string;
  try {
    const out = execFileSync(
      'npm',
      ['pack', spec, '--pack-destination', cache, '--json', '--silent'],
      {
        cwd: root,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const parsed = JSON.parse(out) as { filename: string }[];
    const first = parsed[0];
    if (!first) throw new Error('npm pack printed no file name');
    tarballName = first.filename;
  } catch (error) {
    throw new FetchDuckDbBindingError(
      `could not download ${spec} with "npm pack" (is the npm registry reachable?)`,
      { cause: error },
    );
  }
  const tarball = join(cache, tarballName);

  const algorithm = integrity.slice(0, integrity.indexOf('-'));
  const digest = `${algorithm}-${createHash(algorithm).update(readFileSync(tarball)).digest('base64')}`;
  if (digest !== integrity) {
    rmSync(tarball, { force: true });
    throw new FetchDuckDbBindingError(
      `${tarballName} does not match the integrity hash in package-lock.json (got ${digest}, expected ${integrity}); refusing to ship it`,
    );
  }

  // Unpack into a scratch folder and rename at the end, so an interrupted run never leaves a
  // half-extracted folder that the presence check above would take for a complete one.
  const scratch = join(cache, `duckdb-bindings-linux-arm64.partial-${process.pid}`);
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  try {
    execFileSync('tar', ['-xzf', tarball, '-C', scratch], { stdio: 'pipe' });
    if (installedVersion(join(scratch, 'package')) !== version) {
      throw new Error(`the tarball holds no duckdb.node of version ${version}`);
    }
    rmSync(target, { recursive: true, force: true });
    renameSync(join(scratch, 'package'), target);
  } catch (error) {
    throw new FetchDuckDbBindingError(`could not unpack ${tarball}`, { cause: error });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    rmSync(tarball, { force: true });
  }
  log(`${spec} is in ${target}`);
  return target;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const dir = fetchDuckDbBinding(projectRoot, (line) => console.log(line));
    console.log(`ready: ${dir}`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  }
}
