/**
 * The product on one machine, no AWS: `npm run demo:local`. See scripts/cli/demo.ts.
 */

import { demoMain } from './cli/demo';
import { processIo } from './cli/io';

process.exitCode = await demoMain(process.argv.slice(2), processIo);
