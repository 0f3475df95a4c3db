// Pins every preset's trace hash, world by world, and a digest of the view the lab draws of it
// (sim/views: the requests, lanes, bands, step functions and figures). A refactor must leave them
// as they are; a change of the model (costs, client behaviour) changes them on purpose, and a
// change of what the view holds changes the view's: re-pin with
// `UPDATE_HASHES=1 npx vitest run tests/unit/trace-hashes.test.ts` and say why in the commit.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadPreset, presetNames, runScenario } from '../../sim/scenario/index.js';
import { deriveLab } from '../../sim/views/index.js';

const viewFile = new URL('./view-hashes.json', import.meta.url);
const pinnedViews: Record<string, Record<string, string>> = JSON.parse(readFileSync(viewFile, 'utf8'));
const seenViews: Record<string, Record<string, string>> = {};

/** SHA-256 of a view as JSON, typed arrays as plain arrays. */
function viewDigest(view: unknown): string {
  const json = JSON.stringify(view, (_k, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v));
  return createHash('sha256').update(json).digest('hex').slice(0, 16);
}

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
      const views = Object.fromEntries(deriveLab(result).worlds.map((w) => [w.label, viewDigest(w)]));
      seenViews[name] = views;
      if (update) {
        writeFileSync(file, JSON.stringify({ ...pinned, ...seen }, null, 2) + '\n');
        writeFileSync(viewFile, JSON.stringify({ ...pinnedViews, ...seenViews }, null, 2) + '\n');
        return;
      }
      expect(hashes).toEqual(pinned[name]);
      expect(views, 'the view drawn of it').toEqual(pinnedViews[name]);
    }, 120_000);
  }
});
