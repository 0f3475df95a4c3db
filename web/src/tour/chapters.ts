/**
 * The guided tour: the talk (TALK.md), told by the simulator. One chapter per lesson L1–L8 and
 * per "beyond the slides" point, each on one of the presets (sim/scenario/presets.ts). A
 * chapter's highlight, focus and answer are computed from the run it loads, so they follow the
 * simulator instead of quoting numbers that could drift.
 */
import type { FaultSpec } from '../../../sim/scenario/schema.js';
import { throughputBound } from '../../../sim/sweep/bounds.js';
import type { LabView, RequestView, WorldView } from '../../../sim/views/index.js';
import type { TimelineHighlight } from '../components/Timeline.js';

/** What the timeline points at, and the words that name it (shown and announced). */
export interface TourHighlight extends TimelineHighlight {
  label: string;
}

/** The window and playhead a chapter opens on (µs). */
export interface TourFocus {
  from: number;
  to: number;
  playhead: number;
}

/** One thing to look at: words, what the timeline points at, and where the window goes. */
export interface TourPointer {
  text: string;
  highlight(view: LabView): TourHighlight | null;
  focus?(view: LabView): TourFocus | null;
}

export interface Chapter {
  /** In the link: #tour/<id>. */
  id: string;
  /** 'L1'…'L8', or 'Beyond the slides'. */
  lesson: string;
  title: string;
  /** The preset it runs (by name). */
  preset: string;
  /** A few sentences, in paragraphs. */
  narration: string[];
  lookAt: string;
  experiment: { text: string; fault?: FaultSpec };
  /** A ready sweep (sim/sweep/presets.ts) the chapter opens from its experiment. */
  sweep?: string;
  highlight(view: LabView): TourHighlight | null;
  focus?(view: LabView): TourFocus | null;
  /** More to look at, after lookAt: the learner steps through them and the highlight follows. */
  also?: TourPointer[];
  /** The world whose client code the panel shows first. */
  codeWorld: string;
  /** The code state (code-states.ts) running in codeWorld at the focus playhead: what the panel opens on. */
  opensOn: string;
  /** The slide's Elixir, where the talk shows some. */
  elixir?: string;
  question: string;
  /** The answer, read from the run: checkable in the timeline and the comparison table. */
  answer(view: LabView): string;
}

// ---- Helpers reading the run ----

const MS = 1000;

export function world(view: LabView, label: string): WorldView | undefined {
  return view.worlds.find((w) => w.label === label);
}

function firstReq(view: LabView, label: string, pred: (r: RequestView) => boolean): RequestView | undefined {
  return world(view, label)?.requests.find(pred);
}

const fmt = (x: number, digits = 0) => x.toLocaleString('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** The same sentence for every world, or "(not in this run)" when the world is missing. */
function perWorld(view: LabView, labels: string[], say: (w: WorldView) => string): string {
  return labels.map((l) => (world(view, l) === undefined ? `${l}: not in this run` : `${l}: ${say(world(view, l)!)}`)).join('; ') + '.';
}

const span = (fromMs: number, toMs: number, playheadMs: number) => (): TourFocus => ({ from: fromMs * MS, to: toMs * MS, playhead: playheadMs * MS });

/** A window around a request, wide enough to see its neighbours; the playhead just after `at`. */
function aroundReq(r: RequestView | undefined, beforeUs: number, afterUs: number, at?: (r: RequestView) => number | null): TourFocus | null {
  if (r === undefined) return null;
  const end = Math.max(r.end ?? r.start, r.replyAt ?? r.start);
  const t = at?.(r) ?? r.start;
  return { from: Math.max(0, r.start - beforeUs), to: end + afterUs, playhead: t + 1 };
}

// ---- The slides' Elixir ----

const SLIDE_SILLY = `defmodule Redis do
  def command(cmd) do
    {:ok, sock} = :gen_tcp.connect(...)
    :gen_tcp.send(sock, encode(cmd))
    {:ok, data} = :gen_tcp.recv(sock, 0)
    :gen_tcp.close(sock)
    decode(data)
  end
end`;

const SLIDE_CHECKOUT = `defmodule Redis do
  def command(conn, cmd) do
    sock = checkout(conn)
    # send and recv
    checkin(conn, sock)
  end
end

# when every socket is out:
{:error, :checked_out}   # VS   :queue.in()`;

const SLIDE_ACTIVE = `# the GenServer owns the socket
active: true

# handle_call: send, remember from
{:noreply, _}

# reply bytes arrive as messages
GenServer.reply/2

# tcp is FULL DUPLEX`;

const SLIDE_RESILIENCY = `# GenServer  <-  Redis
{:tcp_closed, reason}

# backoff + reconnect`;

const SLIDE_CONNECTION = `# hex.pm/packages/connection
init/1
connect/2
disconnect/2
handle_call/3  handle_cast/2  handle_info/2
terminate/2    code_change/3

{:backoff, timeout, state}

{:disconnect, reason, state}`;

const SLIDE_SYNC_ASYNC = `# SYNC
start_link
  init()
    connect
  {:ok, pid}

# ASYNC
start_link
  init()
  {:ok, pid}
connect()
  connect`;

// ---- The chapters ----

export const chapters: Chapter[] = [
  {
    id: 'silly-way',
    lesson: 'L1',
    title: 'The silly way: a connection per command',
    preset: 'l1-silly-way',
    narration: [
      'Inside the Erlang VM everything is easy; outside it, a Redis server sits at the end of a socket, and sockets are slow to open. The simplest client opens one for every command: connect, send, recv, close.',
      'It is correct. But every call pays a TCP handshake — one extra round trip before the command even leaves — and Redis accepts a new connection for each (the connects strip above the lanes counts them). Below it, the same callers share one multiplexed connection that stays open the whole run.',
    ],
    lookAt: 'Watch the per-command connection lane: a short connecting band, then a short up band, for every single request — and each caller’s bar opens with the same yellow striped handshake before its command leaves (the line under the world’s title gives its share of every call, and a connect attempt per call). The multiplexed world has one band, up from start to end.',
    experiment: { text: 'Add a latency spike at 300 ms (+20 ms for 200 ms): every handshake pays it too, so the per-command client pays it twice per call.', fault: { atMs: 300, kind: 'latency', addMs: 20, forMs: 200 } },
    highlight: () => ({ world: 'per-command', label: 'per-command: one new connection, and its handshake, per request' }),
    focus: span(100, 130, 110),
    also: [
      { text: 'Now the multiplexed world’s connection lane: one connection, opened once, up the whole run — and every request on it.', highlight: () => ({ world: 'multiplex', lane: 'connections', label: 'multiplex: one connection for the whole run' }), focus: span(100, 130, 110) },
    ],
    codeWorld: 'per-command',
    opensOn: 'connect',
    elixir: SLIDE_SILLY,
    question: 'How many connections did the per-command client open in this run, and how many did the multiplexed one?',
    answer: (v) => perWorld(v, ['per-command', 'multiplex'], (w) => `${fmt(w.metrics.connections.opened)} connection${w.metrics.connections.opened === 1 ? "" : "s"} for ${fmt(w.metrics.requests.issued)} requests, median latency ${fmt(w.metrics.latencyMs.p50, 2)} ms`),
  },
  {
    id: 'genserver',
    lesson: 'L2',
    title: 'Keep the socket in a GenServer',
    preset: 'l2-genserver',
    narration: [
      'Opening connections is expensive, so keep one open, owned by a GenServer; callers GenServer.call it. The connect cost is gone.',
      'But this GenServer sends the command and then blocks in recv inside handle_call. While it waits for one reply it serves nobody else: callers queue in its mailbox, and throughput is capped at one request per round trip.',
    ],
    lookAt: 'Watch the serial world: its single connection carries exactly one request at a time, a short arrow pair each, yet the callers’ bars are long — the yellow striped part of each bar is the call waiting in the GenServer’s mailbox (the line under the world’s title gives the mean). Step with ] and see the code panel sit in recv.',
    experiment: { text: 'Add a latency spike at 400 ms (+20 ms for 200 ms): one request per round trip now means one per 41 ms, for everyone.', fault: { atMs: 400, kind: 'latency', addMs: 20, forMs: 200 } },
    highlight: () => ({ world: 'serial', lane: 'callers', label: 'serial: every caller queued behind one blocking recv' }),
    focus: span(200, 230, 210),
    also: [
      { text: 'Now the multiplexed callers: short bars, because nobody waits for anybody else’s reply.', highlight: () => ({ world: 'multiplex', lane: 'callers', label: 'multiplex: callers that do not queue behind each other' }), focus: span(200, 230, 210) },
    ],
    codeWorld: 'serial',
    opensOn: 'recv',
    question: 'How many requests per second did the serial GenServer complete, with a 1 ms round trip? And the multiplexed connection?',
    answer: (v) => perWorld(v, ['serial', 'multiplex'], (w) => `${fmt(w.metrics.throughputPerSec)} requests/s, median latency ${fmt(w.metrics.latencyMs.p50, 2)} ms`) + (v.scenario.network.latencyMs > 0 ? ` The serial one is capped near 1 / round trip = ${fmt(1000 / (2 * v.scenario.network.latencyMs))}/s (one-way latency ${fmt(v.scenario.network.latencyMs, 1)} ms).` : ''),
  },
  {
    id: 'pool',
    lesson: 'L3',
    title: 'Blocking: a pool, and what to do when it is empty',
    preset: 'l3-pool',
    narration: [
      'The first of two ways. A caller checks a socket out, does send and recv itself in passive mode — encoding and decoding in the caller, the reply straight from the socket to it — and checks it back in. One request per socket at a time, so many callers need a pool of sockets.',
      'When every socket is out there are two answers, side by side here: reply {:error, :checked_out} at once, or :queue.in() the caller and hand it the next socket checked in. Four sockets, thirty callers.',
    ],
    lookAt: 'Watch the pool-error callers: a dense rain of short orange checked_out failures (each marked +; the line under its title counts them). In pool-queue the same callers wait (the yellow dotted part of each bar, its mean in the line under the title) and every call succeeds, later.',
    experiment: { text: 'Kill a caller at 500 ms: if it held a socket, the pool (which monitors holders) closes that socket and opens a new one — there are still four.', fault: { atMs: 500, kind: 'kill_caller' } },
    highlight: () => ({ world: 'pool-error', lane: 'callers', label: 'pool-error: callers told checked_out when all four sockets are out' }),
    focus: span(200, 215, 205),
    also: [
      { text: 'Now pool-queue’s callers: the yellow dotted part of each bar is the wait for a socket (:queue.in), and then the call succeeds.', highlight: () => ({ world: 'pool-queue', lane: 'callers', label: 'pool-queue: callers waiting in the queue for a socket' }), focus: span(200, 215, 205) },
    ],
    codeWorld: 'pool-error',
    opensOn: 'checked-out',
    elixir: SLIDE_CHECKOUT,
    question: 'How many calls did pool-error answer with checked_out, and how many did pool-queue fail?',
    answer: (v) => perWorld(v, ['pool-error', 'pool-queue'], (w) => `${fmt(w.metrics.requests.errors.checked_out ?? 0)} checked_out of ${fmt(w.metrics.requests.issued)} calls, ${fmt(w.metrics.requests.failed)} failed in all, ${fmt(w.metrics.requests.ok)} ok`),
  },
  {
    id: 'multiplex',
    lesson: 'L4',
    title: 'Non-blocking: one multiplexed connection',
    preset: 'l4-multiplex',
    narration: [
      'The second way. One GenServer owns the socket in active mode: bytes arrive as messages. handle_call encodes and sends the command, remembers the caller’s from in a FIFO and returns {:noreply, state}. When a reply arrives it pops the oldest from and answers with GenServer.reply/2.',
      'TCP is full duplex: requests keep going out while replies come in, so many requests are in flight on one socket at once. No pool needed.',
    ],
    lookAt: 'Watch the multiplexed connection lane: dozens of arrows in flight on one socket, overlapping (the line under its title gives the most at once). Each of the pool’s ten lanes carries one request at a time, with a gap between.',
    experiment: { text: 'Drop the connections at 500 ms and compare what each world loses.', fault: { atMs: 500, kind: 'drop_connections' } },
    highlight: () => ({ world: 'multiplex', lane: 'connections', label: 'multiplex: one socket, many requests in flight' }),
    focus: span(100, 104, 102),
    also: [
      { text: 'Now the pool’s ten connection lanes: one request at a time on each (its line: at most 1 in flight on any one), a send, a reply, and a gap until the next caller checks the socket out.', highlight: () => ({ world: 'pool', lane: 'connections', label: 'pool: ten sockets, one request at a time on each' }), focus: span(100, 104, 102) },
    ],
    codeWorld: 'multiplex',
    opensOn: 'noreply',
    elixir: SLIDE_ACTIVE,
    question: 'What is the largest number of requests in flight on one connection, in each world?',
    answer: (v) => perWorld(v, ['pool', 'multiplex'], (w) => `${fmt(w.metrics.maxInFlightPerConnection)} at most on one connection, over ${fmt(w.metrics.connections.opened)} connection${w.metrics.connections.opened === 1 ? "" : "s"}`),
  },
  {
    id: 'tradeoffs',
    lesson: 'L5',
    title: 'The trade-offs, measured',
    preset: 'l5-tradeoffs',
    narration: [
      'The slide’s table: blocking copies less data and encodes/decodes in the callers, but needs pooling and does not use full duplex. Non-blocking needs no pool and uses full duplex, but every reply crosses a process boundary and one process decodes them all.',
      'Here the values are 16 KB. The multiplexer is the bottleneck: one process decoding and copying every reply, busy nearly all the time, while the pool spreads that work over forty callers.',
    ],
    lookAt: 'Watch the multiplexed world: the CPU strip at its top is nearly solid — its one process busy almost all the time, decoding and copying every reply — and the calls wait in its mailbox (the yellow striped part of each bar; its mean in the line under the title) while that one process works through the replies before them.',
    experiment: { text: 'Add a bandwidth limit at 200 ms (1 Mbps for 200 ms): with 16 KB values the wire, not the CPU, is now the bottleneck for both.', fault: { atMs: 200, kind: 'bandwidth', mbps: 1, forMs: 200 } },
    highlight: () => ({ world: 'multiplex', label: 'multiplex: one process decodes and copies every 16 KB reply' }),
    focus: span(100, 110, 105),
    also: [
      { text: 'Now the pool: its process’s CPU strip is nearly empty (it only checks sockets out and in), and each caller decodes its own 16 KB reply — a few percent of each caller’s time, spread over forty processes and four schedulers.', highlight: () => ({ world: 'pool', lane: 'callers', label: 'pool: every caller decodes its own reply' }), focus: span(100, 110, 105) },
    ],
    codeWorld: 'multiplex',
    opensOn: 'noreply',
    question: 'How busy was each world’s busiest process, and how many requests per second did each complete?',
    answer: (v) => perWorld(v, ['pool', 'multiplex'], (w) => `busiest process ${w.metrics.cpu.busiestProcess || '—'} at ${fmt(w.metrics.cpu.busiestProcessBusyPct, 1)}% busy, ${fmt(w.metrics.throughputPerSec)} requests/s, ${fmt(w.metrics.bytes.copiedBetweenProcesses / 1e6, 1)} MB copied between processes`),
  },
  {
    id: 'resiliency',
    lesson: 'L6',
    title: 'Resiliency: tcp_closed, backoff, reconnect',
    preset: 'l6-resiliency',
    narration: [
      'Sockets die. The process that owns one gets {:tcp_closed, reason}. It must fail what was in flight — and an error does not prove the command did not run — then wait, and reconnect.',
      'At 500 ms every connection is dropped: Redis is still up, so both clients reconnect at once. At 1.2 s Redis restarts and is down for 300 ms: connects are refused, and each client waits before trying again — a backoff, growing (× 1.5 for the multiplexer, as Redix does; random exponential for the pool), capped.',
    ],
    lookAt: 'Watch the multiplexed connection lane from 1.2 s: the socket closes, then backoff bands of 50, 75, 113 and 170 ms between refused attempts (each labelled; the line under the world’s title lists them), then a new connection once Redis is back. Calls made meanwhile fail fast with closed (counted in the same line).',
    experiment: { text: 'Drop the connections again at 900 ms, while Redis is up: both clients reconnect at once, without a backoff.', fault: { atMs: 900, kind: 'drop_connections' } },
    highlight: () => ({ world: 'multiplex', lane: 'connections', from: 1190 * MS, to: 1630 * MS, label: 'multiplex: tcp_closed at 1.2 s, then backoff and reconnect' }),
    focus: (v) => {
      const b = world(v, 'multiplex')?.backoffs.find((x) => x.from >= 1200 * MS);
      return { from: 1150 * MS, to: 1700 * MS, playhead: b === undefined ? 1300 * MS : Math.round((b.from + b.to) / 2) };
    },
    also: [
      { text: 'Back to 500 ms, the drop: Redis is up, so the multiplexer reconnects at once (a backoff of 0 first, as the Redix of the talk did); the calls in flight fail with disconnected.', highlight: () => ({ world: 'multiplex', lane: 'connections', from: 498 * MS, to: 504 * MS, label: 'multiplex: the drop at 500 ms and the immediate reconnect' }), focus: span(496, 506, 500.2) },
      { text: 'The pool at 1.2 s: ten connection processes, each backing off with random exponential waits, so they come back at different times.', highlight: () => ({ world: 'pool', lane: 'connections', from: 1190 * MS, to: 1700 * MS, label: 'pool: ten connections backing off with jitter' }), focus: span(1150, 1700, 1300) },
    ],
    codeWorld: 'multiplex',
    opensOn: 'backoff',
    elixir: SLIDE_RESILIENCY,
    question: 'In the multiplexed world, how many calls failed with disconnected (in flight when the socket died) and how many with closed (made while it was down)?',
    answer: (v) => perWorld(v, ['pool', 'multiplex'], (w) => `${fmt(w.metrics.requests.errors.disconnected ?? 0)} disconnected, ${fmt(w.metrics.requests.errors.closed ?? 0)} closed, ${fmt(w.metrics.connections.opened)} connections opened in ${fmt(w.metrics.connections.connectAttempts)} attempts`),
  },
  {
    id: 'connection',
    lesson: 'L7',
    title: 'The Connection behaviour: backoff as a return value',
    preset: 'l7-connection',
    narration: [
      'The pattern of L6 has a shape: the Connection behaviour (hex.pm/packages/connection), a GenServer with init/1, connect/2 and disconnect/2. connect/2 may return {:backoff, timeout, state}: try again later. A callback may return {:disconnect, reason, state}: drop the socket, then decide.',
      'The simulator’s clients are written in that shape — read the code panel. Redis is down for two seconds: one client grows its backoff as Redix does (× 1.5), the other has none.',
    ],
    lookAt: 'Watch the no-backoff world’s connect attempts (the strip above its connection lane) while Redis is down: a solid wall of them, thousands in the line under its title. The redix-backoff world knocks a handful of times, further apart each time.',
    experiment: { text: 'Make the outage shorter: drag the Redis-down band’s end, or add a second outage at 3 s (Redis restart) and count the attempts again.', fault: { atMs: 3000, kind: 'server_down', forMs: 500 } },
    highlight: () => ({ world: 'no-backoff', lane: 'connections', from: 500 * MS, to: 2500 * MS, label: 'no-backoff: a reconnect attempt after every refusal' }),
    focus: span(0, 4000, 1000),
    also: [
      { text: 'Now the redix-backoff lane: each refused attempt is followed by a longer wait — 100, 150, 225, 338 ms… — a handful of knocks in two seconds.', highlight: () => ({ world: 'redix-backoff', lane: 'connections', from: 500 * MS, to: 2600 * MS, label: 'redix-backoff: waits growing × 1.5' }), focus: span(0, 4000, 1000) },
    ],
    codeWorld: 'redix-backoff',
    opensOn: 'backoff',
    elixir: SLIDE_CONNECTION,
    question: 'How many connection attempts did each client make?',
    answer: (v) => perWorld(v, ['redix-backoff', 'no-backoff'], (w) => `${fmt(w.metrics.connections.connectAttempts)} attempts for ${fmt(w.metrics.connections.opened)} connections`),
  },
  {
    id: 'sync-async',
    lesson: 'L8',
    title: 'Sync or async connect, when Redis is down at boot',
    preset: 'l8-sync-async',
    narration: [
      'Sync: start_link → init → connect → {:ok, pid}. When start returns, the connection is up; if Redis is down, start fails, and the supervisor may give up. Async: start_link → init → {:ok, pid}, then connect. Start always succeeds; calls made before the connection is up must be handled.',
      'In Fred Hebert’s words, the guarantee moves from “the connection is available” to “the connection manager is available”. Here Redis is down for the first second.',
    ],
    lookAt: 'Watch the sync world: no connection ever, every call fails with noproc (the line under its title: no connection opened, 0 ok). The async world fails fast with closed while Redis is down, then connects and serves.',
    experiment: { text: 'Drag the Redis-down band so it starts at 300 ms instead of 0: both start fine, and the difference disappears — sync connect only matters at boot.' },
    highlight: () => ({ world: 'sync', lane: 'callers', label: 'sync: start failed, so every call finds no process' }),
    focus: span(0, 2000, 500),
    also: [
      { text: 'Now the async world while Redis is down: start succeeded, calls fail fast with closed, and the connection comes up on its own soon after Redis is back at 1 s.', highlight: () => ({ world: 'async', from: 0, to: 1100 * MS, label: 'async: up after Redis is, without a restart' }), focus: span(0, 2000, 500) },
    ],
    codeWorld: 'sync',
    opensOn: 'sync-init',
    elixir: SLIDE_SYNC_ASYNC,
    question: 'How many calls did each world answer successfully, and what error did the sync world’s callers get?',
    answer: (v) => perWorld(v, ['sync', 'async'], (w) => `${fmt(w.metrics.requests.ok)} ok, ${fmt(w.metrics.requests.failed)} failed (${Object.entries(w.metrics.requests.errors).map(([k, n]) => `${fmt(n)} ${k}`).join(', ') || 'none'})`),
  },
  {
    id: 'head-of-line',
    lesson: 'Beyond the slides',
    title: 'Head-of-line blocking',
    preset: 'hol-blpop',
    narration: [
      'A multiplexed connection answers in order. A blocking command — BLPOP waiting for a list to fill — or a huge reply holds every request behind it on the same socket, however quick they are.',
      'In a pool, the same BLPOP holds one connection; the other callers check out the others.',
    ],
    lookAt: 'Watch the highlighted BLPOP on the multiplexed connection: the requests after it wait for it to finish, then all complete at once (the line under the world’s title counts the requests held behind BLPOPs; in the pool’s line, none).',
    experiment: { text: 'Add a slow server at 500 ms (×10 for 200 ms): a slow command hurts everyone on the multiplexed socket, and only its holder in the pool.', fault: { atMs: 500, kind: 'slow_server', factor: 10, forMs: 200 } },
    highlight: (v) => {
      const r = firstReq(v, 'multiplex', (x) => x.name === 'blpop' && x.start > 50 * MS);
      return r === undefined ? null : { world: 'multiplex', req: r.req, label: `multiplex: a BLPOP (request ${r.req}) blocking the callers behind it` };
    },
    focus: (v) => aroundReq(firstReq(v, 'multiplex', (x) => x.name === 'blpop' && x.start > 50 * MS), 5 * MS, 10 * MS, (r) => r.replyAt),
    also: [
      { text: 'Now a BLPOP in the pool: it holds one connection for its whole wait; the other callers check out the other nine.', highlight: (v) => { const r = firstReq(v, 'pool', (x) => x.name === 'blpop' && x.start > 50 * MS); return r === undefined ? null : { world: 'pool', req: r.req, label: `pool: a BLPOP (request ${r.req}) holding only its own connection` }; }, focus: (v) => aroundReq(firstReq(v, 'pool', (x) => x.name === 'blpop' && x.start > 50 * MS), 5 * MS, 10 * MS) },
    ],
    codeWorld: 'multiplex',
    opensOn: 'reply',
    question: 'How many requests did each world complete in the run?',
    answer: (v) => perWorld(v, ['pool', 'multiplex'], (w) => `${fmt(w.metrics.requests.ok)} requests, ${fmt(w.metrics.throughputPerSec)}/s`),
  },
  {
    id: 'late-replies',
    lesson: 'Beyond the slides',
    title: 'Late replies after timeouts',
    preset: 'late-replies',
    narration: [
      'A caller on a multiplexed connection gives up after its timeout; its command is still on the wire, and its reply still comes, later. That reply must be dropped — never handed to the next caller in the FIFO.',
      'Here the call timeout is 10 ms and one command in ten sleeps 20 ms. The runtime uses process aliases, as OTP 24 does: a timed-out call deactivates its alias, and the late reply is dropped on arrival.',
    ],
    lookAt: 'Watch the highlighted request: it fails with a timeout, and its reply arrives after that — and goes nowhere. The pool cannot reuse a socket with a reply still coming: it closes it and opens another.',
    // Not "even more calls" in both: nearly every multiplexed call times out already (836 of 858).
    experiment: { text: 'Add a latency spike at 500 ms (+5 ms for 200 ms): more of the pool’s calls time out (the line under the toolbar counts them), and in both worlds still no reply goes to the wrong caller.', fault: { atMs: 500, kind: 'latency', addMs: 5, forMs: 200 } },
    highlight: (v) => {
      const r = firstReq(v, 'multiplex', (x) => x.ok === false && x.error === 'timeout' && x.replyAt !== null && x.end !== null && x.replyAt > x.end);
      return r === undefined ? null : { world: 'multiplex', req: r.req, label: `multiplex: request ${r.req} timed out; its reply came later and was dropped` };
    },
    focus: (v) => aroundReq(firstReq(v, 'multiplex', (x) => x.ok === false && x.error === 'timeout' && x.replyAt !== null && x.end !== null && x.replyAt > x.end), 5 * MS, 10 * MS, (r) => r.replyAt),
    also: [
      { text: 'Now a pool caller that timed out: its socket may still get the reply, so it is checked in as broken — closed, and a new one opened. That is why the pool opens hundreds of connections here.', highlight: (v) => { const r = firstReq(v, 'pool', (x) => x.ok === false && x.error === 'timeout' && x.sentAt !== null); return r === undefined ? null : { world: 'pool', req: r.req, label: `pool: request ${r.req} timed out; its socket is replaced` }; }, focus: (v) => aroundReq(firstReq(v, 'pool', (x) => x.ok === false && x.error === 'timeout' && x.sentAt !== null), 5 * MS, 10 * MS, (r) => r.end) },
    ],
    codeWorld: 'multiplex',
    opensOn: 'late-reply',
    question: 'How many multiplexed calls timed out — and how many replies were misrouted to another caller?',
    answer: (v) => perWorld(v, ['pool', 'multiplex'], (w) => `${fmt(w.metrics.requests.errors.timeout ?? 0)} timed out, ${fmt(w.metrics.invariants.misrouted)} misrouted, ${fmt(w.metrics.connections.opened)} connection${w.metrics.connections.opened === 1 ? "" : "s"} opened`),
  },
  {
    id: 'pool-overload',
    lesson: 'Beyond the slides',
    title: 'Pool queues under overload',
    preset: 'pool-overload',
    narration: [
      'When demand outgrows a pool, an unbounded FIFO makes every caller late: each waits behind everyone who came before, and latency grows for as long as the overload lasts.',
      'DBConnection manages its queue like CoDel: while waits stay above a target for an interval, it sheds the callers who waited longest, so the rest stay fast.',
    ],
    lookAt: 'Watch the codel world: some callers are shed with queue_timeout (the ▽ marks on its callers’ band; red-orange dots in its latency strip, a dot per call at its end, as high as the call took); the calls it serves (blue dots) sit lower than the queue world’s — the line under each title gives the medians. In the queue world nobody fails and everybody waits.',
    experiment: { text: 'Add a slow server at 1 s (×10 for 200 ms) and compare how long each queue takes to recover.', fault: { atMs: 1000, kind: 'slow_server', factor: 10, forMs: 200 } },
    highlight: () => ({ world: 'codel', label: 'codel: shedding the longest waiters, serving the rest sooner' }),
    focus: span(900, 1000, 950),
    also: [
      { text: 'Now the unbounded queue: nobody fails, and everybody waits behind everybody — the yellow dotted waits fill the callers’ band, and every dot of its latency strip sits high.', highlight: () => ({ world: 'queue', label: 'queue: every caller waits behind the whole queue' }), focus: span(900, 1000, 950) },
    ],
    codeWorld: 'codel',
    opensOn: 'checkout-wait',
    question: 'What is the 99th-percentile latency of each world, and how many callers did CoDel shed?',
    answer: (v) => perWorld(v, ['queue', 'codel'], (w) => `p99 ${fmt(w.metrics.latencyMs.p99, 1)} ms, ${fmt(w.metrics.requests.errors.queue_timeout ?? 0)} shed (queue_timeout), ${fmt(w.metrics.requests.ok)} ok`),
  },
  {
    id: 'pool-size',
    lesson: 'Beyond the slides',
    title: 'How big a pool? Sweep it',
    preset: 'l4-multiplex',
    narration: [
      'A pool of c connections, each held for D per request (a round trip and Redis’s time), serves at most c/D requests a second; N callers who think Z between requests ask for at most N/(D+Z). Here ten connections with D ≈ 1 ms make 10/D ≈ 10,000 a second, while forty callers thinking 1 ms ask for 40/(D+Z) ≈ 20,000: the pool is the bottleneck and callers queue for a connection.',
      'The multiplexer has no c: its one connection carries every caller’s request, so it sits on N/(D+Z). One run says which is better here; a sweep of the pool’s size says from where on. The pool climbs along c/D until it has a connection for every caller in flight, then meets the multiplexer’s line — HikariCP’s “About Pool Sizing” makes the same argument.',
    ],
    lookAt: 'Watch the pool’s callers: before each request many wait for a free connection (the yellow dotted part of each bar; the line under its title gives the mean wait). The multiplexer’s callers never wait for one.',
    experiment: { text: 'Run the ready sweep of the pool’s size, 1 to 64 connections against one multiplexed connection, and find the size where the pool catches up; the dashed lines are the bounds c/D and N/(D+Z).' },
    sweep: 'pool-size',
    highlight: () => ({ world: 'pool', lane: 'callers', label: 'pool: callers waiting for one of ten connections' }),
    focus: span(100, 104, 102),
    also: [
      { text: 'Now the multiplexer’s one connection: every caller’s request in flight at once, no checkout, no wait for a socket.', highlight: () => ({ world: 'multiplex', lane: 'connections', label: 'multiplex: one connection, every caller in flight' }), focus: span(100, 104, 102) },
    ],
    codeWorld: 'pool',
    opensOn: 'checkout-wait',
    question: 'How many requests a second does each world serve, and how close is each to its bound?',
    answer: (v) =>
      perWorld(v, ['pool', 'multiplex'], (w) => {
        const spec = v.scenario.clients.find((c) => c.label === w.label);
        const b = spec === undefined ? null : throughputBound(v.scenario, spec);
        return `${fmt(w.metrics.throughputPerSec)} a second${b === null ? '' : ` against its bound ${b.law} = ${fmt(b.perSec)} (${fmt((100 * w.metrics.throughputPerSec) / b.perSec)}%)`}`;
      }),
  },
  {
    id: 'reconnect-storm',
    lesson: 'Beyond the slides',
    title: 'A reconnect storm: no jitter against jitter',
    preset: 'reconnect-storm',
    narration: [
      'Back to L6’s backoff, with fifty pooled connections and a Redis restart of 1.5 s. Without jitter, every connection process waits exactly as long as the others: they knock on the restarting server all at once, in lockstep, and all at once again.',
      'With random exponential backoff, the attempts spread out over time: the same number of knocks, never all together.',
    ],
    lookAt: 'Watch the exp-no-jitter connect attempts (the “connects” strip above its connection lanes) while Redis is down: a few full columns, all fifty connections knocking in the same millisecond. In rand-exp-jitter the same knocks are low marks scattered all along.',
    // Not refused connects at 2.2 s: by then exp-no-jitter's fifty are all up, and nothing knocks.
    experiment: { text: 'Restart Redis again at 2.2 s (down for 300 ms): exp-no-jitter’s fifty knock in lockstep again, full columns, while rand-exp-jitter’s knocks stay scattered.', fault: { atMs: 2200, kind: 'server_down', forMs: 300 } },
    highlight: () => ({ world: 'exp-no-jitter', lane: 'connections', from: 500 * MS, to: 2100 * MS, label: 'exp-no-jitter: fifty reconnects in lockstep' }),
    focus: span(400, 2200, 700),
    also: [
      { text: 'Now rand-exp-jitter: the same restart, about the same number of knocks, spread out in time — the line under its title counts the different milliseconds they fall in.', highlight: () => ({ world: 'rand-exp-jitter', lane: 'connections', from: 500 * MS, to: 2100 * MS, label: 'rand-exp-jitter: reconnects spread out' }), focus: span(400, 2200, 700) },
    ],
    codeWorld: 'exp-no-jitter',
    opensOn: 'backoff',
    question: 'How many connection attempts did each pool make, and how many did it need?',
    answer: (v) => perWorld(v, ['exp-no-jitter', 'rand-exp-jitter'], (w) => `${fmt(w.metrics.connections.connectAttempts)} attempts, ${fmt(w.metrics.connections.opened)} connection${w.metrics.connections.opened === 1 ? "" : "s"} opened`),
  },
  {
    id: 'backoff-reset',
    lesson: 'Beyond the slides',
    title: 'Why backoff resets must wait for a reply',
    preset: 'backoff-reset',
    narration: [
      'Redis is full: maxclients is 4 and each pool wants six connections. Redis still accepts the TCP connect, then writes “-ERR max number of clients reached” and closes — a load balancer or a proxy in front of a dead server does the same.',
      'reset-on-accept counts the accept as a connection and starts its backoff over: it knocks again after 10 ms, for ever. reset-on-reply counts a connection as up only when its handshake PING is answered (as ioredis waits for its ready check, Redix for HELLO / AUTH / SELECT): the refusal is a failed connection, and the waits grow to a second.',
    ],
    lookAt: 'Watch the connection lanes of reset-on-accept: the two refused slots connect and fail every 10 ms, all run long. In reset-on-reply the same slots try a few times, further and further apart.',
    experiment: { text: 'Drop every connection at 1 s: the four good slots reconnect at once in both worlds, and only the refused ones storm.', fault: { atMs: 1000, kind: 'drop_connections' } },
    highlight: () => ({ world: 'reset-on-accept', lane: 'connections', from: 0, to: 300 * MS, label: 'reset-on-accept: accepted, refused, again after 10 ms' }),
    focus: span(0, 300, 100),
    also: [
      { text: 'Now reset-on-reply: the refused slots wait 10, 20, 40, 80 ms... between attempts: a failed handshake does not reset the backoff.', highlight: () => ({ world: 'reset-on-reply', lane: 'connections', from: 0, to: 2000 * MS, label: 'reset-on-reply: the backoff grows' }), focus: span(0, 2000, 500) },
    ],
    codeWorld: 'reset-on-accept',
    opensOn: 'backoff',
    question: 'How many connections did each pool open for its six slots?',
    answer: (v) => perWorld(v, ['reset-on-accept', 'reset-on-reply'], (w) => `${fmt(w.metrics.connections.opened)} connections opened, ${fmt(w.metrics.connections.openAtEnd)} open at the end`),
  },
  {
    id: 'at-least-once',
    lesson: 'Beyond the slides',
    title: 'At least once: resending can run a command twice',
    preset: 'at-least-once',
    narration: [
      'L6 said an error does not prove the command did not run. Here the link goes dark just after some INCRs reached Redis; a health check notices and the clients reconnect.',
      'at-most-once (Redix, node-redis) fails what was in flight: the caller is told it cannot know. at-least-once (ioredis, lettuce) writes them again after reconnecting: nobody fails, and some INCRs run twice.',
    ],
    lookAt: 'Watch the highlighted request in at-least-once: sent (▸), lost with the connection (✕, its dashed arrow on the old socket never answered), sent again on the new one (↻).',
    experiment: { text: 'Drop the connections at 700 ms too: at-least-once resends what was in flight again. Does the count of commands run twice grow? Check the answer again.', fault: { atMs: 700, kind: 'drop_connections' } },
    highlight: (v) => {
      const r = firstReq(v, 'at-least-once', (x) => x.resent);
      return r === undefined ? null : { world: 'at-least-once', req: r.req, label: `at-least-once: request ${r.req}, sent again after the reconnect` };
    },
    focus: (v) => aroundReq(firstReq(v, 'at-least-once', (x) => x.resent), 15 * MS, 20 * MS, (r) => r.sentAt),
    also: [
      { text: 'Now at-most-once: the same request lost with the connection is failed with disconnected — “may have run” — and never sent again.', highlight: (v) => { const r = firstReq(v, 'at-most-once', (x) => x.ok === false && x.error === 'disconnected'); return r === undefined ? null : { world: 'at-most-once', req: r.req, label: `at-most-once: request ${r.req} failed as disconnected: it may have run` }; }, focus: (v) => aroundReq(firstReq(v, 'at-most-once', (x) => x.ok === false && x.error === 'disconnected'), 15 * MS, 20 * MS, (r) => r.end) },
    ],
    codeWorld: 'at-least-once',
    opensOn: 'resend',
    question: 'How many calls failed in at-most-once, and how many commands ran twice in at-least-once?',
    answer: (v) => perWorld(v, ['at-most-once', 'at-least-once'], (w) => `${fmt(w.metrics.requests.failed)} failed, ${fmt(w.metrics.invariants.executedTwice)} ran twice, ${fmt(w.metrics.invariants.indeterminate)} told “may have run”`),
  },
];

/** What a chapter points at, in order: its lookAt first, then `also`. */
export function pointers(ch: Chapter): TourPointer[] {
  return [{ text: ch.lookAt, highlight: ch.highlight, focus: ch.focus }, ...(ch.also ?? [])];
}

export function chapterById(id: string): Chapter | undefined {
  return chapters.find((c) => c.id === id);
}

export function chapterIndex(id: string): number {
  return chapters.findIndex((c) => c.id === id);
}

/** `#tour` → the first chapter; `#tour/<id>` → that one; anything else is not the tour (null). */
/** The suffix of a chapter's link once its experiment is added: `#tour/<id>/experiment`. */
const EXPERIMENT = '/experiment';

export function parseTourHash(hash: string): { chapter: string; known: boolean; experiment: boolean } | null {
  const h = hash.replace(/^#/, '');
  if (h !== 'tour' && !h.startsWith('tour/')) return null;
  let rest = h.slice('tour/'.length);
  const experiment = rest.endsWith(EXPERIMENT);
  if (experiment) rest = rest.slice(0, -EXPERIMENT.length);
  let id: string;
  try {
    id = decodeURIComponent(rest);
  } catch {
    return { chapter: chapters[0]!.id, known: false, experiment: false };
  }
  if (h === 'tour' || id === '') return { chapter: chapters[0]!.id, known: true, experiment: false };
  const ch = chapterById(id);
  if (ch === undefined) return { chapter: chapters[0]!.id, known: false, experiment: false };
  return { chapter: id, known: true, experiment: experiment && ch.experiment.fault !== undefined };
}

export function tourHash(id: string, experiment = false): string {
  return `#tour/${encodeURIComponent(id)}${experiment ? EXPERIMENT : ''}`;
}
