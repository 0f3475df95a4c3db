// Pins every preset's trace hash, world by world. A refactor must leave them as they are;
// a change of the model (costs, client behaviour) changes them on purpose: re-pin with
// `UPDATE_HASHES=1 npx vitest run tests/unit/trace-hashes.test.ts` and say why in the commit.
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadPreset, presetNames, runScenario } from '../../sim/scenario/index.js';

const file = new URL('./trace-hashes.json', import.meta.url);
const pinned: Record<string, Record<string, string>> = JSON.parse(readFileSync(file, 'utf8'));
const update = process.env.UPDATE_HASHES === '1';
const seen: Record<string, Record<string, string>> = {};

describe('every preset keeps its pinned trace hash', () => {
  for (const name of presetNames) {
    it(name, () => {
      const result = runScenario(loadPreset(name)!);
      const hashes = Object.fromEntries(result.worlds.map((w) => [w.label, w.traceHash]));
      seen[name] = hashes;
      if (update) {
        writeFileSync(file, JSON.stringify({ ...pinned, ...seen }, null, 2) + '\n');
        return;
      }
      expect(hashes).toEqual(pinned[name]);
    }, 120_000);
  }
});
