/**
 * Writes the seeded sample exports: `npm run sample -- --out <dir> [--seed N] [--months N]`.
 * See scripts/sample/generate.ts for the business it simulates and the bad rows it plants.
 */
import { processIo } from './cli/io';
import { sampleMain } from './sample/cli';

process.exitCode = await sampleMain(process.argv.slice(2), processIo);
