/**
 * The extra tracks a world's timeline draws for the tour's claims, as figures read from the
 * view: what each track shows, in words and numbers, and which part of the world it is drawn
 * in. The page puts an element per track over that part (data-testid track-<kind>-<world>), so
 * a test — or a learner's screen reader — can find the track and read its figures.
 */
import type { WorldView } from '../../../../sim/views/types.js';
import { stripKinds } from './layout.js';
import { firstSends, waitKind } from './world-index.js';

export type TrackKind = 'mailbox' | 'late-drops' | 'killed' | 'resends' | 'cpu' | 'connects' | 'latency';

export interface TrackFigure {
  kind: TrackKind;
  /** Where it is drawn: the caller rows, the connection rows, or a strip between them. */
  region: 'callers' | 'connections' | 'busy' | 'connects' | 'latency';
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
export function trackFigures(world: WorldView, durationUs: number): TrackFigure[] {
  const out: TrackFigure[] = [];
  const mailbox = mailboxFigure(world);
  if (mailbox !== null) out.push(mailbox);
  const cpu = cpuFigure(world, durationUs);
  if (cpu !== null) out.push(cpu);
  const connects = connectsFigure(world);
  if (connects !== null) out.push(connects);
  const latency = latencyFigure(world);
  if (latency !== null) out.push(latency);
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

const pct = (x: number) => `${x.toLocaleString('en-GB', { maximumFractionDigits: x < 10 ? 1 : 0 })}%`;

/**
 * How busy the client's own process was over the run's duration (value: percent, one decimal; the
 * metrics' busiest-process figure when it is the busiest), and its
 * callers each on average; without a process of its own (a connection per command), the callers.
 */
export function cpuFigure(world: WorldView, durationUs: number): TrackFigure | null {
  const until = Math.min(durationUs, world.endUs);
  if (world.busy.length === 0 || until <= 0) return null;
  const share = (b: WorldView['busy'][number]) => (100 * integral(b.points, until)) / b.processes / until;
  const proc = world.busy.find((b) => b.who === 'process');
  const callers = world.busy.find((b) => b.who === 'callers');
  const head = proc ?? callers!;
  const parts = [proc === undefined ? null : `its process ${pct(share(proc))} busy`, callers === undefined ? null : `each caller ${pct(share(callers))}`].filter((x) => x !== null);
  return { kind: 'cpu', region: 'busy', count: world.busy.length, value: Math.round(10 * share(head)) / 10, notable: share(head) >= 50, text: `CPU over the run: ${parts.join(', ')}` };
}

/** The area under a step function from 0 to `until`. */
function integral(points: WorldView['busy'][number]['points'], until: number): number {
  let a = 0;
  for (let i = 0; i < points.length && points[i]!.t < until; i++) {
    const next = i + 1 < points.length ? Math.min(points[i + 1]!.t, until) : until;
    a += points[i]!.v * (next - points[i]!.t);
  }
  return a;
}

/**
 * A world that connected more often than it has connection lanes (it reconnected, or connects
 * per command): its attempts (count), and in how many different milliseconds its reconnects —
 * attempts that were not a process's first — fall (value): lockstep reconnects share a few
 * columns, jittered ones spread over many.
 */
export function connectsFigure(world: WorldView): TrackFigure | null {
  if (!stripKinds(world).includes('connects')) return null;
  const n = world.connects.length;
  const cols = new Set(world.reconnects.map((t) => Math.floor(t / 1000))).size;
  const again = world.client.kind === 'naive' ? 'connects after the first' : 'reconnects';
  return { kind: 'connects', region: 'connects', count: n, value: cols, notable: true, text: `${n.toLocaleString('en-GB')} connect attempts; its ${world.reconnects.length.toLocaleString('en-GB')} ${again} fall in ${cols.toLocaleString('en-GB')} different milliseconds` };
}

/**
 * Too many callers for a row each: each call's latency as a dot. value: the median latency of
 * the calls served ok, µs; count: the calls that ended.
 */
export function latencyFigure(world: WorldView): TrackFigure | null {
  if (!stripKinds(world).includes('latency')) return null;
  const ok: number[] = [];
  let failed = 0;
  for (const r of world.requests) {
    if (r.end === null) continue;
    if (r.ok === true) ok.push(r.end - r.start);
    else failed++;
  }
  ok.sort((a, b) => a - b);
  const p50 = ok.length === 0 ? 0 : ok[Math.floor((ok.length - 1) / 2)]!;
  return { kind: 'latency', region: 'latency', count: ok.length + failed, value: Math.round(p50), notable: true, text: `each call's latency, a dot at its end: ${ok.length.toLocaleString('en-GB')} served, median ${ms(p50)}; ${failed.toLocaleString('en-GB')} failed` };
}
