/**
 * npm run fuzz -- --runs N --seed S: random scenarios (cli/fuzz-scenarios.ts) over every client,
 * option and fault kind; prints runs, worlds, requests, violations, crashes and wall time, and
 * each failing scenario as JSON (to run again with npm run sim -- --scenario). Exit 1 on any.
 */
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { fuzzRun, scenarioArb } from './fuzz-scenarios.js';

const USAGE = `usage: npm run fuzz -- [--runs N] [--seed S]

  --runs N   how many random scenarios (default 100)
  --seed S   the generator's seed, a whole number (default 1): the same seed, the same scenarios
  --help     this text`;

function whole(name: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < min) throw new Error(`--${name} must be a whole number >= ${min}, got "${text}"`);
  return n;
}

function main(argv: string[]): number {
  const { values } = parseArgs({ args: argv, options: { runs: { type: 'string' }, seed: { type: 'string' }, help: { type: 'boolean', default: false } }, strict: true, allowPositionals: false });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const runs = whole('runs', values.runs, 100, 1);
  const seed = whole('seed', values.seed, 1, -2147483648);
  const started = performance.now();
  let worlds = 0;
  let requests = 0;
  let violations = 0;
  let crashes = 0;
  const failing: string[] = [];
  const scenarios = fc.sample(scenarioArb, { seed, numRuns: runs });
  scenarios.forEach((s, i) => {
    const r = fuzzRun(s);
    worlds += r.worlds;
    requests += r.requests;
    violations += r.violations.length;
    crashes += r.crashes.length;
    if (r.violations.length + r.crashes.length > 0 && failing.length < 10) failing.push(`run ${i + 1}: ${[...r.violations, ...r.crashes].join('; ')}\n  ${JSON.stringify(s)}`);
    if (process.stderr.isTTY === true) process.stderr.write(`\rfuzz: ${i + 1} / ${runs}`);
  });
  if (process.stderr.isTTY === true) process.stderr.write('\r\x1b[K');
  const wall = (performance.now() - started) / 1000;
  for (const f of failing) process.stdout.write(`${f}\n`);
  process.stdout.write(`fuzz seed ${seed}: runs ${runs}  worlds ${worlds}  requests ${requests}  violations ${violations}  crashes ${crashes}  wall ${wall.toFixed(1)} s\n`);
  return violations + crashes > 0 ? 1 : 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  if (e instanceof Error && (e.message.startsWith('--') || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))) {
    process.stderr.write(`error: ${e.message}\n\n${USAGE}\n`);
    process.exitCode = 2;
  } else throw e;
}
