/**
 * The command line of `npm run sim` and `npm run real`: node's util.parseArgs, with its errors
 * said once, in the CLIs' own style (a UsageError: exit 2 with the message and the usage).
 */
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { StuckError } from '../sim/kernel/kernel.js';
import { ClientStartError } from '../sim/scenario/index.js';
import { TraceThreadError } from './trace-runner.js';
import { UsageError, fail, presetList } from './report.js';

/** The options both commands take. */
export const COMMON_OPTIONS = {
  preset: { type: 'string' },
  scenario: { type: 'string' },
  seed: { type: 'string' },
  json: { type: 'boolean', default: false },
  list: { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
} as const satisfies ParseArgsOptionsConfig;

/** --help prints the usage, --list the presets, and the command ends there (0); null when neither is given. */
export function helpOrList(args: { readonly help?: boolean; readonly list?: boolean }, usage: string): 0 | null {
  if (args.help === true) process.stdout.write(`${usage}\n`);
  else if (args.list === true) process.stdout.write(presetList());
  else return null;
  return 0;
}

/** The option values of `argv`, or a UsageError naming the option that is wrong. */
export function parseCommandLine<O extends ParseArgsOptionsConfig>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    fail(usageMessage(e as Error & { code?: string }, Object.keys(options)));
  }
}

function usageMessage(e: Error & { code?: string }, names: string[]): string {
  const quoted = /'([^']*)'/.exec(e.message)?.[1] ?? '';
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const near = nearest(quoted.replace(/^-+/, ''), names);
      return `unknown option ${quoted}${near !== null ? ` (did you mean --${near}?)` : ''}`;
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const name = quoted.split(' ')[0]!;
      return /missing/.test(e.message) ? `${name} needs a value` : `${name} takes no value`;
    }
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument "${quoted}" (every argument is an option: --name or --name VALUE)`;
    default:
      return e.message;
  }
}

/** The option closest to a mistyped one (at most two edits away), if any. */
function nearest(typed: string, names: string[]): string | null {
  let best: string | null = null;
  let bestD = 3;
  for (const n of names) {
    const d = editDistance(typed, n);
    if (d < bestD) [best, bestD] = [n, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

/**
 * Text from the user's input (a scenario's name, an argument) made safe for a terminal: control
 * characters (ANSI escapes included) are stripped; line breaks are kept unless `oneLine`.
 */
export function printable(text: string, oneLine = false): string {
  // eslint-disable-next-line no-control-regex
  const safe = text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g, '');
  return oneLine ? safe.replace(/[\r\n\t]+/g, ' ') : safe.replace(/\r/g, '');
}

/**
 * What a command prints for an error and its exit code: bad input (a UsageError) is the message
 * and the usage, a run that cannot go on (a client that cannot start) the message alone, both
 * exit 2; a world stuck at one instant is a bug of the model, said plainly (exit 1); anything
 * else is a bug, shown with its stack (exit 1).
 */
export function exitOnError(e: unknown, usage: string): number {
  if (e instanceof UsageError) {
    process.stderr.write(`error: ${printable(e.message)}\n\n${usage}\n`);
    return 2;
  }
  if (e instanceof ClientStartError) {
    process.stderr.write(`error: ${printable(e.message)}\n`);
    return 2;
  }
  if (e instanceof TraceThreadError) {
    process.stderr.write(`error: ${printable(e.message)}\n`);
    return 1;
  }
  if (e instanceof StuckError) {
    // A bug of the model (every step costs CPU, so a scenario alone cannot do this): said plainly.
    process.stderr.write(`error: ${printable(e.message)}\n`);
    return 1;
  }
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  return 1;
}
