// Runs a TypeScript benchmark as plain bundled JavaScript. tsx would work too, but it compiles
// with keepNames, which wraps every closure in a helper call and skews hot-path figures.
import { build } from 'esbuild';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const entry = process.argv[2];
if (!entry) {
  console.error('usage: node scripts/run-bench.mjs bench/NAME.ts [args...]');
  process.exit(2);
}
// Inside the project, so the bundle's external imports resolve from node_modules.
const cache = join(process.cwd(), 'node_modules', '.cache');
mkdirSync(cache, { recursive: true });
const dir = mkdtempSync(join(cache, 'duplex-bench-'));
const outfile = join(dir, 'bench.mjs');
try {
  await build({ entryPoints: [resolve(entry)], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile, logLevel: 'warning', packages: 'external', absWorkingDir: process.cwd() });
  process.argv.splice(2, 1);
  await import(pathToFileURL(outfile).href);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
