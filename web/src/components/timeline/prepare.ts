/**
 * What the page builds of a world before it can draw it: its timeline index, its tracks' figures
 * and the index of its state at time t (sim/views/at.ts), each cached by world. The lab's client
 * (web/src/sim-client.ts) calls this as soon as a world arrives, while the other world may still
 * be simulating, so that little is left to do once the last one is in.
 */
import { indexWorldAt, type WorldView } from '../../../../sim/views/index.js';
import { trackFiguresOf } from './tracks.js';
import { worldIndexOf } from './world-index.js';

export function prepareWorld(world: WorldView, durationUs: number): void {
  worldIndexOf(world);
  trackFiguresOf(world, durationUs);
  indexWorldAt(world);
}
