/**
 * The extra tracks a world's timeline draws for the tour's claims, as figures read from the
 * view: what each track shows, in words and numbers, and which part of the world it is drawn
 * in. The page puts an element per track over that part (data-testid track-<kind>-<world>), so
 * a test — or a learner's screen reader — can find the track and read its figures.
 */
import type { RequestView, WorldView } from '../../../../sim/views/types.js';
import { INTS, NONE, requestRows, T_CHECKED_OUT, T_END, T_QUEUED, T_REPLY, T_SENT, T_START, TIMES } from '../../../../sim/views/pack.js';
import { freshArray } from '../../../../sim/views/room.js';
import { stepIntegral, stepMax } from '../../../../sim/views/steps.js';
import { stripKinds } from './layout.js';
import { firstSends, nthSmallest, waitKind } from './world-index.js';
import { numberFormat } from '../charts/format.js';

/** Counts as en-GB writes them (1,234), with one formatter (see numberFormat). */
const gb = numberFormat('en-GB');

export type TrackKind = 'mailbox' | 'queue' | 'handshake' | 'wire' | 'backoff' | 'blocked' | 'outcomes' | 'late-drops' | 'killed' | 'resends' | 'cpu' | 'connects' | 'latency';

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

const ms = (us: number) => `${numberFormat('en-GB', { max: us < 10_000 ? 2 : 0 }).format(us / 1000)} ms`;

/**
 * What the figures read from each request, in one pass: the page makes a world's figures once per
 * run, mostly before V8 has optimised the code, where each pass over 55k requests costs about the
 * same however little it does (profiled: five passes, a third of the page's work on a 100k run).
 */
interface Tally {
  /** Requests that ended; of them, ok, and the failed ones by error (in order of first seen). */
  ended: number;
  ok: number;
  errors: Map<string, number>;
  /** The wait (see waitFigure), summed over the calls that ended, their length, and how many queued. */
  wait: number;
  took: number;
  queued: number;
  /** The latencies of the calls served ok, µs (the first `ok` places). */
  latencies: Float64Array;
  killed: number;
  /** Blocking commands that were answered (see blockedFigure). */
  blockers: RequestView[];
}

function tally(world: WorldView): Tally {
  const first = waitKind(world) === 'waiting' ? null : firstSends(world);
  const rows = requestRows(world);
  const { n, times, ints, flags, names, errors: errorIds, strings } = rows;
  const t: Tally = { ended: 0, ok: 0, errors: new Map(), wait: 0, took: 0, queued: 0, latencies: freshArray(Float64Array, n), killed: 0, blockers: [] };
  // Read from the columns (NONE for null), each name and error by its number in `strings`.
  const killed = strings.indexOf('killed');
  const blocking = strings.map((s) => BLOCKING.has(s));
  // Failures by error, counted by number, kept in the order first seen.
  const failures = new Float64Array(strings.length);
  const seen: number[] = [];
  for (let i = 0; i < n; i++) {
    const to = i * TIMES;
    const error = errorIds[i]!;
    if (error === killed) t.killed++;
    if (blocking[names[i]!] && ints[i * INTS + 4] !== NONE && times[to + T_SENT] !== NONE && times[to + T_REPLY] !== NONE) t.blockers.push(rows.at(i)!);
    const end = times[to + T_END]!;
    if (end === NONE) continue;
    const start = times[to + T_START]!;
    t.ended++;
    if (flags[i * 3] === 1) t.latencies[t.ok++] = end - start;
    else if (failures[error]!++ === 0) seen.push(error);
    if (first === null) {
      // Every checkout is stamped queuedAt; only those not handed a connection at once waited.
      const queuedAt = times[to + T_QUEUED]!;
      const out = times[to + T_CHECKED_OUT]!;
      const w = queuedAt === NONE ? 0 : Math.min(out === NONE ? end : out, end) - queuedAt;
      if (w > 0) {
        t.wait += w;
        t.queued++;
      }
    } else {
      const sentAt = times[to + T_SENT]!;
      const sent = first.get(ints[i * INTS]!) ?? (sentAt === NONE ? end : sentAt);
      t.wait += Math.min(sent, end) - start;
    }
    t.took += end - start;
  }
  for (const e of seen) t.errors.set(strings[e]!, failures[e]!);
  return t;
}

const figuresOf = new WeakMap<WorldView, { durationUs: number; figures: TrackFigure[] }>();

/** trackFigures, computed once per world (and run length): see ./prepare.ts. */
export function trackFiguresOf(world: WorldView, durationUs: number): TrackFigure[] {
  const known = figuresOf.get(world);
  if (known !== undefined && known.durationUs === durationUs) return known.figures;
  const figures = trackFigures(world, durationUs);
  figuresOf.set(world, { durationUs, figures });
  return figures;
}

/** Every track the world has something to draw on, in a fixed order. */
export function trackFigures(world: WorldView, durationUs: number): TrackFigure[] {
  const out: TrackFigure[] = [];
  const t = tally(world);
  const wait = waitFigure(world, t);
  if (wait !== null) out.push(wait);
  const wire = wireFigure(world);
  if (wire !== null) out.push(wire);
  const backoff = backoffFigure(world);
  if (backoff !== null) out.push(backoff);
  const blocked = blockedFigure(world, t);
  if (blocked !== null) out.push(blocked);
  const outcomes = outcomesFigure(world, t);
  if (outcomes !== null) out.push(outcomes);
  const cpu = cpuFigure(world, durationUs);
  if (cpu !== null) out.push(cpu);
  const connects = connectsFigure(world);
  if (connects !== null) out.push(connects);
  const latency = latencyFigure(world, t);
  if (latency !== null) out.push(latency);
  const drops = world.lateDrops.length;
  if (drops > 0) out.push({ kind: 'late-drops', region: 'callers', count: drops, value: drops, notable: true, text: `${drops} late ${drops === 1 ? 'reply' : 'replies'} dropped (inactive alias), each marked ⊘ where it arrived` });
  const killed = t.killed;
  if (killed > 0) out.push({ kind: 'killed', region: 'callers', count: killed, value: killed, notable: true, text: `${killed} ${killed === 1 ? 'caller' : 'callers'} killed: the bar ends at the kill` });
  const resent = world.resends.length;
  if (resent > 0) {
    const reqs = new Set(world.resends.map((r) => r.req)).size;
    out.push({ kind: 'resends', region: 'callers', count: resent, value: reqs, notable: true, text: `${reqs} ${reqs === 1 ? 'request' : 'requests'} sent (▸), lost with the connection (✕) and sent again (↻)` });
  }
  return out;
}

/** Serial and multiplexed clients' wait in the mailbox (waitFigure), or null. */
export function mailboxFigure(world: WorldView): TrackFigure | null {
  return waitKind(world) === 'mailbox' ? waitFigure(world, tally(world)) : null;
}

const WAIT_WORDS = {
  mailbox: { kind: 'mailbox', text: "waiting in the GenServer's mailbox" },
  waiting: { kind: 'queue', text: 'waiting for a pooled connection' },
  connect: { kind: 'handshake', text: 'opening its own connection (a handshake) before sending' },
} as const;

/**
 * The first part of each caller's bar, over the calls that ended: in the socket owner's mailbox
 * from the call until that process writes it (serial, multiplexed: kind mailbox), in the pool's
 * queue until a connection is handed over (queue), or opening its own connection until the
 * command is written (a connection per command: handshake). value: the mean wait, µs; count:
 * the calls that ended; text: the wait against the mean latency.
 */
export function waitFigure(world: WorldView, t: Tally = tally(world)): TrackFigure | null {
  const how = waitKind(world);
  if (requestRows(world).n === 0) return null;
  const { wait, took, queued, ended: n } = t;
  if (n === 0) return null;
  const meanWait = wait / n;
  const share = took > 0 ? Math.round((100 * wait) / took) : 0;
  const words = WAIT_WORDS[how];
  const who = how === 'waiting' ? `; ${gb.format(queued)} of ${gb.format(n)} queued` : '';
  return { kind: words.kind, region: 'callers', count: n, value: Math.round(meanWait), notable: share >= 10, text: `${words.text}: ${ms(meanWait)} of a ${ms(took / n)} call on average (${share}%${who})` };
}

/**
 * How the connections were used: how many the world opened (count) and the most requests in
 * flight on one of them at once (value) — many on a multiplexed socket, one on a pooled one.
 */
export function wireFigure(world: WorldView): TrackFigure | null {
  const conns = new Set(world.connLanes.flatMap((l) => l.bands.filter((b) => b.state === 'up').map((b) => b.conn))).size;
  if (conns === 0) return requestRows(world).n === 0 ? null : { kind: 'wire', region: 'connections', count: 0, value: 0, notable: true, text: 'no connection ever opened' };
  let max = 0;
  for (const s of world.connInFlight) max = Math.max(max, stepMax(s.points));
  const c = gb.format(conns);
  const text =
    conns === 1
      ? `1 connection, up to ${max} ${max === 1 ? 'request' : 'requests'} in flight on it at once`
      : `${c} connections, at most ${max} ${max === 1 ? 'request' : 'requests'} in flight on any one`;
  // A connection per command says it in its connect attempts.
  return { kind: 'wire', region: 'connections', count: conns, value: max, notable: world.client.kind !== 'naive', text };
}

/**
 * Backoff bands (a connection process waiting before it connects again; a backoff of 0 is none):
 * how many (count), the
 * longest (value, µs), and their lengths in order when there are few.
 */
export function backoffFigure(world: WorldView): TrackFigure | null {
  const bs = world.backoffs;
  if (bs.length === 0) return null;
  const lens = bs.map((b) => b.to - b.from);
  // A loop, not Math.max(...lens): a long outage's backoffs can pass the arguments' limit.
  let longest = 0;
  let shortest = Number.POSITIVE_INFINITY;
  for (const l of lens) {
    if (l > longest) longest = l;
    if (l < shortest) shortest = l;
  }
  const list = (xs: number[]) => xs.map((x) => numberFormat('en-GB', { max: x < 10_000 ? 1 : 0 }).format(x / 1000)).join(', ');
  const detail = bs.length <= 8 ? `${list(lens)} ms` : shortest === longest ? `each ${ms(longest)}` : `${ms(shortest)} to ${ms(longest)}`;
  return { kind: 'backoff', region: 'connections', count: bs.length, value: Math.round(longest), notable: true, text: `${gb.format(bs.length)} ${bs.length === 1 ? 'backoff' : 'backoffs'} before connecting again: ${detail}` };
}

/** The first index of sorted `xs` whose value is above x (or, when !strict, at least x). */
function firstIndex(xs: number[], x: number, strict: boolean): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (strict ? xs[mid]! <= x : xs[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Redis commands that block their connection until they can answer. */
const BLOCKING = new Set(['blpop', 'brpop', 'brpoplpush', 'blmove', 'bzpopmin', 'bzpopmax']);

/**
 * Head-of-line blocking: each blocking command that was answered, and the requests written on
 * its connection while it blocked (their replies queue behind its reply). count: the blocking
 * commands; value: the requests held behind them in all.
 */
export function blockedFigure(world: WorldView, t: Tally = tally(world)): TrackFigure | null {
  const { blockers } = t;
  if (blockers.length === 0) return null;
  // The send times on each connection, sorted once: each blocker's count is two binary searches
  // (a scan of every request per blocker is blockers × requests on the page's thread).
  const sent = new Map<number, number[]>();
  const { n, ints, times } = requestRows(world);
  for (let i = 0; i < n; i++) {
    const conn = ints[i * INTS + 4]!;
    const sentAt = times[i * TIMES + T_SENT]!;
    if (conn === NONE || sentAt === NONE) continue;
    let ts = sent.get(conn);
    if (ts === undefined) sent.set(conn, (ts = []));
    ts.push(sentAt);
  }
  for (const ts of sent.values()) ts.sort((a, b) => a - b);
  let held = 0;
  let most = 0;
  for (const b of blockers) {
    const ts = sent.get(b.conn!)!;
    // Sent strictly after the blocker was written and strictly before its reply.
    const n = Math.max(0, firstIndex(ts, b.replyAt!, false) - firstIndex(ts, b.sentAt!, true));
    held += n;
    most = Math.max(most, n);
  }
  const what = `${blockers.length} blocking ${blockers.length === 1 ? 'command' : 'commands'} (${blockers[0]!.name.toUpperCase()})`;
  const text = held === 0 ? `${what} held no other request: each blocked only its own connection` : `${what} held ${gb.format(held)} requests behind them on their connection (up to ${most} behind one)`;
  return { kind: 'blocked', region: 'connections', count: blockers.length, value: held, notable: true, text };
}

/** How the calls that ended ended: count, those calls; value, the failed ones; by error kind. */
export function outcomesFigure(world: WorldView, t: Tally = tally(world)): TrackFigure | null {
  const { ended: n, ok, errors } = t;
  if (n === 0) return null;
  const failed = n - ok;
  const kinds = [...errors].sort((a, b) => b[1] - a[1]).map(([k, c]) => `${gb.format(c)} ${k}`);
  const text = `${gb.format(n)} calls ended: ${gb.format(ok)} ok, ${gb.format(failed)} failed${kinds.length === 0 ? '' : ` (${kinds.join(', ')})`}`;
  return { kind: 'outcomes', region: 'callers', count: n, value: failed, notable: failed > 0, text };
}

const pct = (x: number) => `${numberFormat('en-GB', { max: x < 10 ? 1 : 0 }).format(x)}%`;

/**
 * How busy the client's own process was over the run's duration (value: percent, one decimal; the
 * metrics' busiest-process figure when it is the busiest), and its
 * callers each on average; without a process of its own (a connection per command), the callers.
 */
export function cpuFigure(world: WorldView, durationUs: number): TrackFigure | null {
  const until = Math.min(durationUs, world.endUs);
  if (world.busy.length === 0 || until <= 0) return null;
  // Each row's integral once: the callers' row of a 100k run has ~200k points.
  const share = (b: WorldView['busy'][number] | undefined) => (b === undefined ? 0 : (100 * stepIntegral(b.points, until)) / b.processes / until);
  const proc = world.busy.find((b) => b.who === 'process');
  const callers = world.busy.find((b) => b.who === 'callers');
  const procShare = share(proc);
  const callerShare = share(callers);
  const head = proc === undefined ? callerShare : procShare;
  const parts = [proc === undefined ? null : `its process ${pct(procShare)} busy`, callers === undefined ? null : `each caller ${pct(callerShare)}`].filter((x) => x !== null);
  return { kind: 'cpu', region: 'busy', count: world.busy.length, value: Math.round(10 * head) / 10, notable: head >= 50, text: `CPU over the run: ${parts.join(', ')}` };
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
  const attempts = `${gb.format(n)} connect ${n === 1 ? 'attempt' : 'attempts'}`;
  if (world.client.kind === 'naive') {
    const calls = requestRows(world).n;
    return { kind: 'connects', region: 'connects', count: n, value: cols, notable: true, text: `${attempts} for ${gb.format(calls)} calls: a new connection for every call` };
  }
  const r = world.reconnects.length;
  const where = r === 1 ? 'its 1 reconnect falls in 1 millisecond' : `its ${gb.format(r)} reconnects fall in ${gb.format(cols)} different ${cols === 1 ? 'millisecond' : 'milliseconds'}`;
  return { kind: 'connects', region: 'connects', count: n, value: cols, notable: true, text: `${attempts}; ${where}` };
}

/**
 * Too many callers for a row each: each call's latency as a dot. value: the median latency of
 * the calls served ok, µs; count: the calls that ended.
 */
export function latencyFigure(world: WorldView, t: Tally = tally(world)): TrackFigure | null {
  if (!stripKinds(world).includes('latency')) return null;
  // The median selected in linear time: sorting 55k latencies (with a comparator, then a typed
  // array's numeric sort) was the slowest part of drawing a 100k run's figures.
  const failed = t.ended - t.ok;
  // Reordered where they are (nothing else reads the tally's latencies): no copy.
  const ok = t.latencies.subarray(0, t.ok);
  const p50 = ok.length === 0 ? 0 : nthSmallest(ok, Math.floor((ok.length - 1) / 2));
  return { kind: 'latency', region: 'latency', count: ok.length + failed, value: Math.round(p50), notable: true, text: `latency, a dot per call: ${gb.format(ok.length)} served, median ${ms(p50)}; ${gb.format(failed)} failed` };
}
