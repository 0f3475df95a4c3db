/**
 * The URL holds the whole scenario (seed and faults included), compressed, so a link replays
 * the exact run: `#s=<lz-string>`. A malformed link is explained; the page keeps what it shows
 * (the default scenario, on a first load).
 */
import { compressToEncodedURIComponent, decompressFromEncodedURIComponent } from 'lz-string';
import { parseScenario, type ScenarioInput } from '../../sim/scenario/schema.js';

export type LinkState = { kind: 'none' } | { kind: 'scenario'; input: ScenarioInput } | { kind: 'invalid'; reason: string };

export function encodeScenario(input: ScenarioInput): string {
  return `s=${compressToEncodedURIComponent(JSON.stringify(input))}`;
}

export function readHash(hash: string): LinkState {
  const h = hash.replace(/^#/, '');
  // The tour's links (#tour, #tour/<chapter>) are read by parseTourHash, the Sweep view's (#sweep,
  // #sweep/...) by the sweep's store; "#tourist" is neither.
  if (h === '' || h === 'tour' || h.startsWith('tour/') || h === 'sweep' || h.startsWith('sweep/')) return { kind: 'none' };
  if (!h.startsWith('s=')) return { kind: 'invalid', reason: `the link's fragment "#${shown(h)}" is not a Duplex scenario (expected #s=..., #tour/... or #sweep/...)` };
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

/** A piece of the fragment fit to quote: decoded when it can be, 30 characters at most. */
function shown(h: string): string {
  let text = h;
  try {
    text = decodeURIComponent(h);
  } catch {
    // shown as it is
  }
  // eslint-disable-next-line no-control-regex
  text = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
  return text.length > 30 ? `${text.slice(0, 30)}…` : text;
}
