import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

// Design rules 1 and 2: sim/ runs unchanged in Node and in a Web Worker, with no DOM, no UI
// library and no wall clock or Math.random. tsconfig.sim.json (no DOM, no Node types) catches
// globals at type-check time; this test catches imports and clock reads by name.
const root = join(import.meta.dirname, '..', '..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return /\.(ts|tsx)$/.test(name) ? [path] : [];
  });
}

const simFiles = files(join(root, 'sim'));

const forbiddenImports = /from\s+['"](react|react-dom|zustand|d3(-[a-z]+)?|node:[a-z_/]+|fs|path|net|os|child_process)(\/[^'"]*)?['"]|from\s+['"][^'"]*\/web\/|import\(['"][^'"]*\/web\//;
const forbiddenGlobals = /\b(Math\.random|Date\.now|performance\.now|new Date\(|setTimeout|setInterval|document\.|window\.)/;

function stripComments(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

describe('sim/ stays pure', () => {
  it('has_files_to_check', () => {
    expect(simFiles.length).toBeGreaterThan(5);
  });

  it.each(simFiles.map((f) => [relative(root, f)]))('%s_imports_no_dom_ui_or_node_module', (file) => {
    const src = stripComments(readFileSync(join(root, file), 'utf8'));
    expect(src.match(forbiddenImports)?.[0] ?? null).toBeNull();
  });

  it.each(simFiles.map((f) => [relative(root, f)]))('%s_reads_no_wall_clock_or_math_random', (file) => {
    const src = stripComments(readFileSync(join(root, file), 'utf8'));
    expect(src.match(forbiddenGlobals)?.[0] ?? null).toBeNull();
  });

  it('the_patterns_catch_what_they_are_meant_to', () => {
    expect(forbiddenImports.test(`import { create } from 'zustand';`)).toBe(true);
    expect(forbiddenImports.test(`import { zoom } from 'd3-zoom';`)).toBe(true);
    expect(forbiddenImports.test(`import x from '../../web/src/store.js';`)).toBe(true);
    expect(forbiddenImports.test(`import { readFileSync } from 'node:fs';`)).toBe(true);
    expect(forbiddenImports.test(`import { Kernel } from '../kernel/kernel.js';`)).toBe(false);
    expect(forbiddenGlobals.test('const t = Date.now();')).toBe(true);
    expect(forbiddenGlobals.test('const r = Math.random();')).toBe(true);
    expect(forbiddenGlobals.test('const r = rng.float();')).toBe(false);
  });
});
