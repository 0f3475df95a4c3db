/**
 * The extra tracks a world's timeline draws for the tour's claims, as figures read from the
 * view: what each track shows, in words and numbers, and which part of the world it is drawn
 * in. The page puts an element per track over that part (data-testid track-<kind>-<world>), so
 * a test — or a learner's screen reader — can find the track and read its figures.
 */
import type { WorldView } from '../../../../sim/views/types.js';
import { firstSends, waitKind } from './world-index.js';

export type TrackKind = 'mailbox' | 'late-drops' | 'killed' | 'resends';

export interface TrackFigure {
  kind: TrackKind;
  /** Where it is drawn: the caller rows or the connection rows. */
  region: 'callers' | 'connections';
  /** How many marks or segments it holds. */
  count: number;
  /** Its headline figure, a plain number (data-value): see each kind. */
  value: number;
  text: string;
  /** Worth a line under the world's title (a mailbox wait of 0% is drawn, not announced). */
  notable: boolean;
}

const ms = (us: number) => `${(us / 1000).toLocaleString('en-GB', { maximumFractionDigits: us < 10_000 ? 2 : 0 })} ms`;

/** Every track the world has something to draw on, in a fixed order. */
export function trackFigures(world: WorldView): TrackFigure[] {
  const out: TrackFigure[] = [];
  const mailbox = mailboxFigure(world);
  if (mailbox !== null) out.push(mailbox);
  const drops = world.lateDrops.length;
  if (drops > 0) out.push({ kind: 'late-drops', region: 'callers', count: drops, value: drops, notable: true, text: `${drops} late ${drops === 1 ? 'reply' : 'replies'} dropped (inactive alias), each marked ⊘ where it arrived` });
  const killed = world.requests.filter((r) => r.error === 'killed').length;
  if (killed > 0) out.push({ kind: 'killed', region: 'callers', count: killed, value: killed, notable: true, text: `${killed} ${killed === 1 ? 'caller' : 'callers'} killed: the bar ends at the kill` });
  const resent = world.resends.length;
  if (resent > 0) {
    const reqs = new Set(world.resends.map((r) => r.req)).size;
    out.push({ kind: 'resends', region: 'callers', count: resent, value: reqs, notable: true, text: `${reqs} ${reqs === 1 ? 'request' : 'requests'} sent (▸), lost with the connection (✕) and sent again (↻)` });
  }
  return out;
}

/**
 * Serial and multiplexed clients: each call waits in the socket owner's mailbox from when it is
 * made until that process writes it. value: the mean wait, µs; text: it against the mean latency.
 */
export function mailboxFigure(world: WorldView): TrackFigure | null {
  if (waitKind(world) !== 'mailbox' || world.requests.length === 0) return null;
  const first = firstSends(world);
  let wait = 0;
  let took = 0;
  let n = 0;
  for (const r of world.requests) {
    if (r.end === null) continue;
    const sent = first.get(r.req) ?? r.sentAt;
    wait += Math.min(sent ?? r.end, r.end) - r.start;
    took += r.end - r.start;
    n++;
  }
  if (n === 0) return null;
  const meanWait = wait / n;
  const share = took > 0 ? Math.round((100 * wait) / took) : 0;
  return { kind: 'mailbox', region: 'callers', count: n, value: Math.round(meanWait), notable: share >= 10, text: `waiting in the GenServer's mailbox: ${ms(meanWait)} of ${ms(took / n)} per call on average (${share}%)` };
}
