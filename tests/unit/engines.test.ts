/**
 * Every installed package supports the Node versions the README and package.json promise, so
 * `npm ci` prints no EBADENGINE (issue 15: @axe-core/playwright 4.14 wanted Node >= 22.12).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { engines?: { node?: string }; optional?: boolean; dev?: boolean }> };
/** The oldest Node of each line package.json's engines allow ("^20.19.0 || >=22.12.0"). */
const PROMISED = ['20.19.0', '22.12.0'];

type V = [number, number, number];
const parse = (v: string): V => {
  const [a = 0, b = 0, c = 0] = v.replace(/^v/, '').split('.').map((x) => Number.parseInt(x, 10) || 0);
  return [a, b, c];
};
const cmp = (x: V, y: V) => x[0] - y[0] || x[1] - y[1] || x[2] - y[2];

/** The subset of npm's ranges the lock file uses: a || b, space-separated comparators, ^, ~, >=, >, <=, <, =. */
export function satisfies(version: string, range: string): boolean {
  const v = parse(version);
  return range.split('||').some((alt) => {
    const parts = alt.trim().replace(/([<>=^~]+)\s+/g, '$1').split(/\s+/).filter(Boolean);
    return parts.every((p) => {
      const m = /^([<>=^~]*)(\d.*)$/.exec(p);
      if (m === null) return p === '*' || p === 'x';
      const [, op, raw] = m;
      const w = parse(raw!);
      const c = cmp(v, w);
      const given = raw!.split('.').length;
      switch (op) {
        case '>=':
          return c >= 0;
        case '>':
          return c > 0;
        case '<=':
          return c <= 0;
        case '<':
          return c < 0;
        case '^':
          return c >= 0 && (w[0] > 0 ? v[0] === w[0] : w[1] > 0 ? v[0] === 0 && v[1] === w[1] : v[0] === 0 && v[1] === 0 && v[2] === w[2]);
        case '~':
          return c >= 0 && v[0] === w[0] && (given < 2 || v[1] === w[1]);
        default:
          return given === 1 ? v[0] === w[0] : given === 2 ? v[0] === w[0] && v[1] === w[1] : c === 0;
      }
    });
  });
}

describe('the packages installed', () => {
  it('reads_npm_ranges_as_npm_does', () => {
    expect(satisfies('20.19.0', '>=22.12.0')).toBe(false);
    expect(satisfies('22.12.0', '>=22.12.0')).toBe(true);
    expect(satisfies('20.19.0', '^20.19.0 || >=22.12.0')).toBe(true);
    expect(satisfies('21.0.0', '^20.19.0 || >=22.12.0')).toBe(false);
    expect(satisfies('20.19.0', '>= 20.0.0')).toBe(true);
    expect(satisfies('20.19.0', '^10 || ^12 || ^13.7 || ^14 || >=15.0.1')).toBe(true);
    expect(satisfies('20.19.0', '^20.0.0 || ^22.0.0 || >=24.0.0')).toBe(true);
  });

  it('all_support_the_node_versions_the_project_promises', () => {
    expect(lock.packages['']!.engines!.node).toBe('^20.19.0 || >=22.12.0');
    const refused: string[] = [];
    for (const [path, p] of Object.entries(lock.packages)) {
      const range = p.engines?.node;
      if (path === '' || range === undefined || p.optional === true) continue;
      for (const v of PROMISED) if (!satisfies(v, range)) refused.push(`${path.replace(/^node_modules\//, '')} wants node ${range}, not ${v}`);
    }
    expect(refused).toEqual([]);
  });
});
