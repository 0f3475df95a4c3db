/** The README's commands: what they write is ignored by git, and their options are documented. */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
/** Every shell block of the README, joined. */
const shell = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!).join('\n');

describe('the README', () => {
  it('example_outputs_are_in_gitignore', () => {
    // Files the examples write (--out-*, --calibrate, > FILE) or ask you to write (my.json).
    const written = new Set<string>();
    for (const m of shell.matchAll(/(?:--out-[a-z]+|--calibrate|--scenario|>)\s+([\w.-]+\.json)\b/g)) written.add(m[1]!);
    expect([...written].sort()).toEqual(expect.arrayContaining(['cal.json', 'l3-cal.json', 'l4-cal.json', 'my.json', 'report.json', 'run.json']));
    for (const f of written) {
      const r = spawnSync('git', ['check-ignore', '-q', f], { cwd: root });
      expect(r.status, `${f} is not in .gitignore`).toBe(0);
    }
  });

  it('documents_every_option_of_bench_scenario', () => {
    // Whatever flag the bench reads ('--quick', '--million', ...) is shown in a README command.
    const source = readFileSync(join(root, 'bench', 'scenario.ts'), 'utf8');
    const flags = [...new Set([...source.matchAll(/'(--[a-z][a-z-]*)'/g)].map((m) => m[1]!))];
    expect(flags).toContain('--quick');
    for (const flag of flags) expect(readme, `${flag} of bench:scenario is not in the README`).toMatch(new RegExp(`npm run bench:scenario -- [^\n]*${flag}\\b`));
  });
});
