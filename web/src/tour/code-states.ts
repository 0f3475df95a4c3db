/**
 * What a client's code is doing at the playhead, read from the run's view, and where that code
 * is in the client's source. A state is found in the source by a marker — a string of the code
 * itself, never a line number — so an edit to a client moves the highlight with it, and a marker
 * that no longer matches fails a unit test instead of pointing at the wrong line.
 */
import type { ClientSpec } from '../../../sim/scenario/schema.js';
import type { RequestView, WorldView } from '../../../sim/views/index.js';

export type CodeFile = 'naive' | 'serial' | 'pool' | 'multiplex' | 'backoff';

/** Lines from the one containing `start` through the first one at or after it containing `end`. */
export interface CodeMarker {
  start: string;
  end?: string;
}

export interface LineRange {
  from: number; // 1-based, inclusive
  to: number;
}

/** Finds a marker's lines in a source; null if `start` is missing, or `end` after it. */
export function findMarker(source: string, m: CodeMarker): LineRange | null {
  const lines = source.split('\n');
  const from = lines.findIndex((l) => l.includes(m.start));
  if (from < 0) return null;
  if (m.end === undefined) return { from: from + 1, to: from + 1 };
  for (let i = from; i < lines.length; i++) if (lines[i]!.includes(m.end)) return { from: from + 1, to: i + 1 };
  return null;
}

/** How many times `start` occurs in the source (a marker must name one place). */
export function markerCount(source: string, m: CodeMarker): number {
  return source.split('\n').filter((l) => l.includes(m.start)).length;
}

/** A moment at the playhead: t, and how far back an instant event still counts as "now" (µs). */
export interface Moment {
  t: number;
  recentUs: number;
}

/** The moment the code panel reads: instants count as "now" for 1% of the visible window (at least 200 µs). */
export function momentAt(t: number, window: { from: number; to: number }): Moment {
  return { t, recentUs: Math.max(200, (window.to - window.from) * 0.01) };
}

export interface CodeState {
  id: string;
  /** What is happening, for n of them (n ≥ 1). */
  describe(n: number): string;
  markers: CodeMarker[];
  /** Only for some clients' options (e.g. CoDel's shedding). */
  applies?(client: ClientSpec): boolean;
  /** How many requests / processes are in this state at the moment (0: not running). */
  count(w: WorldView, m: Moment): number;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function countReqs(w: WorldView, pred: (r: RequestView) => boolean): number {
  let n = 0;
  for (const r of w.requests) if (pred(r)) n++;
  return n;
}

const during = (t: number, from: number | null, to: number | null) => from !== null && from <= t && (to === null || t < to);
const recent = (m: Moment, at: number | null) => at !== null && at <= m.t && at > m.t - m.recentUs;
const endOf = (r: RequestView) => r.end ?? Number.POSITIVE_INFINITY;

function inBackoff(w: WorldView, m: Moment): number {
  let n = 0;
  for (const b of w.backoffs) if (b.from <= m.t && m.t < b.to) n++;
  return n;
}

function connecting(w: WorldView, m: Moment): number {
  let n = 0;
  for (const lane of w.connLanes) for (const b of lane.bands) if (b.state === 'connecting' && b.from <= m.t && m.t < b.to) n++;
  return n;
}

/** Connections that went down just now (not at the end of the run). */
function closedRecently(w: WorldView, m: Moment): number {
  let n = 0;
  for (const lane of w.connLanes) {
    for (const b of lane.bands) if (b.state !== 'connecting' && b.to < w.endUs && recent(m, b.to)) n++;
  }
  return n;
}

const failedRecently = (error: string) => (w: WorldView, m: Moment) => countReqs(w, (r) => r.ok === false && r.error === error && recent(m, r.end));

const BACKOFF: CodeState = {
  id: 'backoff',
  describe: (n) => `${plural(n, 'connection process', 'connection processes')} backing off: connect/2 returned {:backoff, timeout, state}`,
  markers: [{ start: "return ['backoff', s.backoff.next(), s];" }],
  count: inBackoff,
};

/** The states of each client kind, in the order the panel lists them. */
export const CODE_STATES: Record<ClientSpec['kind'], { file: CodeFile; states: CodeState[] }> = {
  naive: {
    file: 'naive',
    states: [
      {
        id: 'connect',
        describe: (n) => `${plural(n, 'caller')} opening a connection of its own (the handshake)`,
        markers: [{ start: 'const r = yield* tcp.connect(ctx, client.env.net, client.env.address, { active: false, timeout });' }],
        count: (w, m) => countReqs(w, (r) => r.start <= m.t && m.t < (r.sentAt ?? endOf(r))),
      },
      {
        id: 'recv',
        describe: (n) => `${plural(n, 'caller')} blocked in recv for the reply`,
        markers: [{ start: 'if (!wire.write(ctx, req, cmds)) return endRequest', end: 'const got = yield* tcp.recv(ctx, sock, 0' }],
        count: (w, m) => countReqs(w, (r) => during(m.t, r.sentAt, r.replyAt ?? r.end)),
      },
      {
        id: 'close',
        describe: (n) => `${plural(n, 'connection')} just closed after one command`,
        markers: [{ start: 'tcp.close(ctx, sock);' }],
        count: (w, m) => countReqs(w, (r) => recent(m, r.end)),
      },
    ],
  },
  serial: {
    file: 'serial',
    states: [
      {
        id: 'mailbox',
        describe: (n) => `${plural(n, 'caller')} waiting in GenServer.call: its request sits in the GenServer's mailbox`,
        markers: [{ start: "const r = yield* GenServer.call<CommandResult>(ctx, pid, { type: 'command', req, cmds, deadline }" }],
        count: (w, m) => countReqs(w, (r) => r.start <= m.t && m.t < (r.sentAt ?? endOf(r))),
      },
      {
        id: 'recv',
        describe: () => 'the GenServer blocked in recv inside handle_call: nothing else is served',
        markers: [{ start: '// The blocking recv inside handle_call', end: 'const got = yield* tcp.recv(ctx, wire.socket' }],
        count: (w, m) => countReqs(w, (r) => during(m.t, r.sentAt, r.replyAt ?? r.end)),
      },
      {
        id: 'closed',
        describe: (n) => `${plural(n, 'call')} answered closed: no socket`,
        markers: [{ start: "if (s.wire === null) return ['reply', failure('closed', false), s];" }],
        count: failedRecently('closed'),
      },
      BACKOFF,
    ],
  },
  pool: {
    file: 'pool',
    states: [
      {
        id: 'checkout-wait',
        describe: (n) => `${plural(n, 'caller')} queued for a connection (:queue.in)`,
        markers: [{ start: "const co = yield* GenServer.call<Lease>(ctx, pool, { type: 'checkout'" }, { start: 's.queue.push({ from, caller: from.pid, mref, ref, req, since: ctx.now, timer });' }],
        count: (w, m) => countReqs(w, (r) => during(m.t, r.queuedAt, r.checkedOutAt ?? r.end)),
      },
      {
        id: 'checked-out',
        describe: (n) => `${plural(n, 'call')} answered {:error, :checked_out}: every socket was out`,
        markers: [{ start: "if (o.onExhausted === 'error' || (o.maxQueue !== null", end: 'satisfies Lease, s];' }],
        count: failedRecently('checked_out'),
      },
      {
        id: 'shed',
        describe: (n) => `${plural(n, 'caller')} shed by CoDel after waiting more than twice the target`,
        markers: [{ start: '// Slow: shed everyone who has waited more than twice the target.', end: "reject(ctx, s.queue.shift()!, 'queue_timeout');" }],
        applies: (c) => c.kind === 'pool' && c.onExhausted === 'codel',
        count: failedRecently('queue_timeout'),
      },
      {
        id: 'queue-timeout',
        describe: (n) => `${plural(n, 'caller')} gave up waiting for a connection`,
        markers: [{ start: 'function queueTimeout(ctx: Ctx, s: PoolState', end: "reject(ctx, { ...w, timer: null }, 'queue_timeout');" }],
        applies: (c) => c.kind === 'pool' && c.onExhausted !== 'codel',
        count: failedRecently('queue_timeout'),
      },
      {
        id: 'recv',
        describe: (n) => `${plural(n, 'caller')} holding a socket, blocked in recv (send + recv in the caller)`,
        markers: [{ start: 'if (!wire.write(ctx, req, cmds)) {', end: 'const got = yield* tcp.recv(ctx, socket, 0' }],
        count: (w, m) => countReqs(w, (r) => during(m.t, r.sentAt, r.replyAt ?? r.end)),
      },
      {
        id: 'checkin',
        describe: (n) => `${plural(n, 'caller')} checking its socket back in`,
        markers: [{ start: 'checkin(false);' }, { start: 'function checkin(ctx: Ctx, s: PoolState, m: Checkin): Reply {', end: 'else release(ctx, s, slot, st.socket, st.wire);' }],
        count: (w, m) => countReqs(w, (r) => r.ok === true && recent(m, r.end)),
      },
      {
        id: 'disconnected',
        describe: (n) => `${plural(n, 'caller')} failed in recv: the socket broke under it`,
        markers: [{ start: '// A reply may still be on its way: nobody may use this socket again.', end: "return endRequest(ctx, req, failure(got.error === 'timeout'" }],
        count: (w, m) => countReqs(w, (r) => r.ok === false && (r.error === 'disconnected' || r.error === 'timeout') && r.sentAt !== null && recent(m, r.end)),
      },
      {
        id: 'tcp-closed',
        describe: (n) => `${plural(n, 'idle socket')} closed by Redis: {:tcp_closed, reason} → disconnect`,
        markers: [{ start: '// Only an idle socket is active (once)', end: "return ['disconnect', tcp.isTcpClosed(msg)" }],
        count: closedRecently,
      },
      {
        id: 'connecting',
        describe: (n) => `${plural(n, 'connection process', 'connection processes')} connecting`,
        markers: [{ start: 'const wire = yield* openConnection(ctx, client.env, o, s.backoff);' }],
        count: connecting,
      },
      BACKOFF,
    ],
  },
  multiplex: {
    file: 'multiplex',
    states: [
      {
        id: 'async-init',
        describe: () => 'async connect: init returned {:connect, …} — start_link has already returned {:ok, pid}',
        markers: [{ start: "if (options.connect === 'async') return ['connect', 'init', s];" }],
        applies: (c) => c.kind === 'multiplex' && (c.connect ?? 'async') === 'async',
        count: (w, m) => (firstUp(w) > m.t ? 1 : 0),
      },
      {
        id: 'sync-init',
        describe: () => 'sync connect: init connects before start_link returns — and fails while Redis is down',
        markers: [{ start: '// Sync connect: start_link returns only once connected', end: "return ['ok', s];" }],
        applies: (c) => c.kind === 'multiplex' && c.connect === 'sync',
        count: (w, m) => (firstUp(w) > m.t ? 1 : 0),
      },
      {
        id: 'noproc',
        describe: (n) => `${plural(n, 'call')} found no connection process (noproc)`,
        markers: [{ start: "if (pid === undefined) return endRequest(ctx, req, failure('noproc', false));" }],
        count: failedRecently('noproc'),
      },
      {
        id: 'noreply',
        describe: (n) => `${plural(n, 'request')} in flight on the socket: written, {:noreply, state}, caller waiting`,
        markers: [{ start: 'if (!write(ctx, s, p)) {', end: "return ['noreply', s];" }],
        count: (w, m) => countReqs(w, (r) => during(m.t, r.sentAt, r.replyAt ?? r.end)),
      },
      {
        id: 'reply',
        describe: (n) => `${plural(n, 'reply', 'replies')} decoded and answered with GenServer.reply/2`,
        markers: [{ start: 'for (const v of s.wire.read(ctx, msg.data)) {', end: 'else answer(ctx, p, { ok: true, replies: p.replies });' }],
        count: (w, m) => countReqs(w, (r) => r.ok === true && recent(m, r.replyAt)),
      },
      {
        id: 'late-reply',
        describe: (n) => `${plural(n, 'late reply', 'late replies')} for callers that gave up: dropped (inactive alias), never misrouted`,
        markers: [{ start: '// The caller may have given up: its alias is then inactive', end: 'else answer(ctx, p, { ok: true, replies: p.replies });' }],
        count: (w, m) => countReqs(w, (r) => r.ok === false && r.error === 'timeout' && recent(m, r.replyAt)),
      },
      {
        id: 'closed',
        describe: (n) => `${plural(n, 'call')} failed fast with closed: no connection`,
        markers: [{ start: "if (options.whileDisconnected === 'error') return ['reply', failure('closed', false), s];" }],
        count: failedRecently('closed'),
      },
      {
        id: 'tcp-closed',
        describe: () => "{:tcp_closed, reason}: handle_info returns {:disconnect, …}",
        markers: [{ start: 'if (tcp.isTcpClosed(msg)) {', end: "return msg.socket === s.socket ? ['disconnect', 'tcp_closed', s]" }],
        count: closedRecently,
      },
      {
        id: 'fail-in-flight',
        describe: (n) => `${plural(n, 'request')} in flight when the socket died: answered disconnected (may have run)`,
        markers: [{ start: "if (options.inFlightOnDisconnect === 'resend') s.resend.push(...inFlight);", end: "else failAll(ctx, inFlight, 'disconnected', true);" }],
        count: failedRecently('disconnected'),
      },
      {
        id: 'resend',
        describe: (n) => `${plural(n, 'request')} written again after the reconnect (at least once)`,
        markers: [{ start: "for (const p of s.resend) ctx.trace('pipeline.resend'", end: 'for (const p of waiting) write(ctx, s, p);' }],
        count: (w, m) => countReqs(w, (r) => r.resent && recent(m, r.sentAt)),
      },
      {
        id: 'connecting',
        describe: () => 'connecting (connect/2)',
        markers: [{ start: 'const wire = yield* openConnection(ctx, env, options, s.backoff);' }],
        count: connecting,
      },
      BACKOFF,
    ],
  },
};

/** When the world's first connection came up (Infinity: never). */
function firstUp(w: WorldView): number {
  let t = Number.POSITIVE_INFINITY;
  for (const lane of w.connLanes) for (const b of lane.bands) if (b.state === 'up' && b.from < t) t = b.from;
  return t;
}

export interface ActiveState {
  state: CodeState;
  n: number;
}

/** The states of a world's client running at the moment, in the panel's order. */
export function activeStates(w: WorldView, m: Moment): ActiveState[] {
  const out: ActiveState[] = [];
  for (const s of CODE_STATES[w.client.kind].states) {
    if (s.applies !== undefined && !s.applies(w.client)) continue;
    const n = s.count(w, m);
    if (n > 0) out.push({ state: s, n });
  }
  return out;
}

/** The client's backoff strategy (the scenario's, or the client's default). */
export function backoffStrategy(c: ClientSpec): string | null {
  if (c.kind === 'naive') return null;
  return c.backoff?.strategy ?? (c.kind === 'pool' ? 'rand_exp' : 'redix');
}

/** Where backoff.ts computes a strategy's wait: its case, through its first ms(...). */
export function backoffMarker(strategy: string): CodeMarker | null {
  if (strategy === 'none') return null;
  return { start: `case '${strategy}':`, end: 'ms(' };
}
