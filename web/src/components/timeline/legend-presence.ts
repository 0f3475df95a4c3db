/**
 * Which legend entries the visible window shows, so the legend lists only those: connection
 * states and backoffs overlapping the window, arrows or density (as drawMode picks), request
 * states and error kinds of the requests in view, and faults.
 */
import type { FaultView } from '../../../../sim/views/types.js';
import { ERROR_KINDS } from '../../palette.js';
import { ARROW_LIMIT } from './frame.js';
import { lowerBound, upperBound } from './search.js';
import type { TimeWindow, WorldData } from './types.js';
import { stripKinds } from './layout.js';
import { CODE_INFLIGHT, CODE_OK, countOnWire, countVisible, waitKey } from './world-index.js';

/** Legend keys: conn states ('connecting', 'up', 'backoff'), 'command', 'reply', 'density',
 * request states ('waiting', 'mailbox', 'connect', 'inflight', 'ok'), 'late-drop', 'resend', 'busy', 'connects', 'latency', 'error:<kind>', 'fault'. */
export function presentKeys(worlds: readonly WorldData[], faults: readonly FaultView[], w: TimeWindow): Set<string> {
  const keys = new Set<string>();
  const overlaps = (a: number, b: number) => a <= w.to && b >= w.from;
  for (const { world, ix } of worlds) {
    for (const lane of world.connLanes) for (const b of lane.bands) if (b.state !== 'closing' && overlaps(b.from, b.to)) keys.add(b.state);
    if (world.backoffs.some((b) => overlaps(b.from, b.to))) keys.add('backoff');
    const visible = countVisible(ix, w.from, w.to, ARROW_LIMIT);
    const wire = countOnWire(ix, w.from, w.to, ARROW_LIMIT);
    if (visible > 0) keys.add(wire <= ARROW_LIMIT ? 'command' : 'density');
    if (wire > 0 && wire <= ARROW_LIMIT) keys.add('reply');
    // Request states: scan the requests in view until all three are seen.
    const wait = waitKey(ix.waitCode);
    const lo = lowerBound(ix.start, w.from - ix.shortMaxDur);
    const hi = upperBound(ix.start, w.to);
    const seen = (i: number) => {
      if (ix.end[i]! < w.from) return;
      if (ix.waitTo[i]! > ix.waitFrom[i]! && overlaps(ix.waitFrom[i]!, ix.waitTo[i]!)) keys.add(wait);
      // The outcome's code: ok, in flight (not ended), or an error.
      const c = ix.code[i]!;
      if (c === CODE_OK) keys.add('ok');
      else if (c === CODE_INFLIGHT) keys.add('inflight');
    };
    const done = () => keys.has(wait) && keys.has('ok') && keys.has('inflight');
    for (let i = lo; i < hi && !done(); i++) seen(i);
    for (let j = 0; j < ix.longIdx.length && !done(); j++) {
      const i = ix.longIdx[j]!;
      if (ix.start[i]! <= w.to) seen(i);
    }
    if (upperBound(ix.dropT, w.to) > lowerBound(ix.dropT, w.from)) keys.add('late-drop');
    for (const k of stripKinds(world)) keys.add(k.startsWith('busy') ? 'busy' : k);
    if (world.resends.some((r) => r.at >= w.from && r.prevSentAt <= w.to)) keys.add('resend');
    const flo = lowerBound(ix.failEnd, w.from);
    const fhi = upperBound(ix.failEnd, w.to);
    for (let j = flo; j < fhi; j++) keys.add(`error:${ERROR_KINDS[ix.failKind[j]!] ?? 'other'}`);
  }
  if (faults.some((f) => overlaps(f.at, f.until))) keys.add('fault');
  return keys;
}
