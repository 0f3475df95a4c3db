/**
 * The URL holds the whole scenario (seed and faults included), compressed, so a link replays
 * the exact run: `#s=<lz-string>`. A malformed link is explained and the default is loaded.
 */
import { compressToEncodedURIComponent, decompressFromEncodedURIComponent } from 'lz-string';
import { parseScenario, type ScenarioInput } from '../../sim/scenario/schema.js';

export type LinkState = { kind: 'none' } | { kind: 'scenario'; input: ScenarioInput } | { kind: 'invalid'; reason: string };

export function encodeScenario(input: ScenarioInput): string {
  return `s=${compressToEncodedURIComponent(JSON.stringify(input))}`;
}

export function readHash(hash: string): LinkState {
  const h = hash.replace(/^#/, '');
  if (h === '' || h.startsWith('tour')) return { kind: 'none' };
  if (!h.startsWith('s=')) return { kind: 'invalid', reason: `the link's fragment "#${h.slice(0, 30)}" is not a Duplex scenario (expected #s=...)` };
  const text = decompressFromEncodedURIComponent(h.slice(2));
  if (!text) return { kind: 'invalid', reason: 'the scenario in the link is damaged (it does not decompress)' };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: 'invalid', reason: 'the scenario in the link is damaged (it is not JSON)' };
  }
  const r = parseScenario(json);
  if (!r.ok) return { kind: 'invalid', reason: `the scenario in the link is invalid: ${r.errors.slice(0, 3).join('; ')}${r.errors.length > 3 ? '; …' : ''}` };
  return { kind: 'scenario', input: json as ScenarioInput };
}
