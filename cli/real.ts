/** npm run real: the command of cli/real-main.ts, with its exit code (2 for bad input). */
import { USAGE, main } from './real-main.js';
import { UsageError } from './report.js';
import { StuckError } from '../sim/kernel/kernel.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof UsageError) {
      process.stderr.write(`error: ${e.message}\n\n${USAGE}\n`);
      process.exitCode = 2;
    } else if (e instanceof StuckError) {
      process.stderr.write(`error: ${e.message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 1;
    }
  },
);
