/** npm run real: the command of cli/real-main.ts, with its exit code (2 for bad input or a bad server). */
import { exitOnError } from './args.js';
import { USAGE, main } from './real-main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.exitCode = exitOnError(e, USAGE);
  },
);
