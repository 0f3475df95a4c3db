// Runs a TypeScript entry — a benchmark, or the command-line lab (npm run sim) — as plain bundled
// JavaScript. tsx would work too, but it compiles with keepNames, which wraps every closure in a
// helper call and skews hot-path figures (a CLI run of 200k requests: ~6 s of CPU under tsx, ~4 s
// bundled), and its loader takes ~0.5 s to start in each thread. The thread that reads a shipped
// trace (cli/trace-worker.ts) is bundled beside the entry, where cli/trace-runner.ts looks for it.
import { build } from 'esbuild';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const entry = process.argv[2];
if (!entry) {
  console.error('usage: node scripts/run-bench.mjs FILE.ts [args...]');
  process.exit(2);
}
// Inside the project, so the bundle's external imports resolve from node_modules.
const cache = join(process.cwd(), 'node_modules', '.cache');
mkdirSync(cache, { recursive: true });
const dir = mkdtempSync(join(cache, 'duplex-bench-'));
try {
  await build({
    entryPoints: { main: resolve(entry), 'trace-worker': resolve('cli/trace-worker.ts') },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outdir: dir,
    outExtension: { '.js': '.mjs' },
    sourcemap: 'inline',
    logLevel: 'warning',
    packages: 'external',
    absWorkingDir: process.cwd(),
  });
  // A stack trace names the TypeScript sources, not the bundle.
  process.setSourceMapsEnabled(true);
  process.argv.splice(2, 1);
  await import(pathToFileURL(join(dir, 'main.mjs')).href);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
