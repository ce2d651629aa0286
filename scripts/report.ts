/**
 * The report without AWS: `npm run report -- --data <dir> --out <dir> [--period <key>] …`.
 * See scripts/cli/report.ts, or run with --help.
 */
import { processIo } from './cli/io';
import { reportMain } from './cli/report';

process.exitCode = await reportMain(process.argv.slice(2), processIo);
