/**
 * One preset per lesson of the talk (TALK.md L1–L8) and per "beyond the slides" point. Each is a
 * plain scenario: the app's lesson picker, the CLI's --preset and the tests all load them here.
 */
import { parseScenario, type Scenario, type ScenarioInput } from './schema.js';

export interface Preset {
  name: string;
  lesson: string;
  title: string;
  /** One line: what to look at. */
  description: string;
  scenario: ScenarioInput;
  /**
   * Where the lab opens this preset's timeline (ms), when the run's interesting part is not the
   * right picture: L4 opens in steady state, zoomed to single requests, where full duplex reads.
   */
  view?: { fromMs: number; toMs: number; playheadMs: number };
}

const pool = (size = 10, extra: object = {}) => ({ label: 'pool', kind: 'pool' as const, size, ...extra });
const mux = (extra: object = {}) => ({ label: 'multiplex', kind: 'multiplex' as const, ...extra });

export const presets: Preset[] = [
  {
    name: 'l1-silly-way',
    lesson: 'L1',
    title: 'The silly way: a connection per command',
    description: 'Every call pays a handshake and Redis sees a storm of connections; one kept connection does not.',
    scenario: {
      name: 'l1-silly-way',
      durationMs: 1000,
      network: { latencyMs: 0.5 },
      workload: { callers: 10, thinkMs: 2 },
      clients: [{ label: 'per-command', kind: 'naive' }, mux()],
    },
  },
  {
    name: 'l2-genserver',
    lesson: 'L2',
    title: 'Keep the socket in a GenServer',
    description: 'A GenServer doing send + blocking recv serves one request per round trip; callers queue in its mailbox.',
    scenario: {
      name: 'l2-genserver',
      durationMs: 1000,
      network: { latencyMs: 0.5 },
      workload: { callers: 20, thinkMs: 0.5 },
      clients: [{ label: 'serial', kind: 'serial' }, mux()],
    },
  },
  {
    name: 'l3-pool',
    lesson: 'L3',
    title: 'Blocking: a pool, and what to do when it is empty',
    description: 'Four connections for thirty callers: fail fast with checked_out, or queue and wait.',
    scenario: {
      name: 'l3-pool',
      durationMs: 1000,
      network: { latencyMs: 0.5 },
      workload: { callers: 30, thinkMs: 0.5, callTimeoutMs: 1000 },
      clients: [pool(4, { label: 'pool-error', onExhausted: 'error' }), pool(4, { label: 'pool-queue', onExhausted: 'queue', checkoutTimeoutMs: 50 })],
    },
  },
  {
    name: 'l4-multiplex',
    lesson: 'L4',
    title: 'Non-blocking: one multiplexed connection',
    description: 'TCP is full duplex: dozens of requests in flight on one socket, against a pool of ten.',
    scenario: {
      name: 'l4-multiplex',
      durationMs: 1000,
      network: { latencyMs: 0.5 },
      workload: { callers: 40, thinkMs: 1 },
      clients: [pool(10), mux()],
    },
    // Three round trips in steady state: about 60 requests crossing on the one socket.
    view: { fromMs: 100, toMs: 103, playheadMs: 100.5 },
  },
  {
    name: 'l5-tradeoffs',
    lesson: 'L5',
    title: 'The trade-offs, measured',
    description: 'Large values: the multiplexer decodes and copies every reply itself (its busy %), the pool spreads that over callers.',
    scenario: {
      name: 'l5-tradeoffs',
      durationMs: 500,
      network: { latencyMs: 0.25 },
      runtime: { schedulers: 4, codecNsPerByte: 5, copyNsPerByte: 2 },
      workload: { callers: 40, thinkMs: 1, valueBytes: 16384, mix: { GET: 0.5, SET: 0.5 } },
      clients: [pool(10), mux()],
    },
  },
  {
    name: 'l6-resiliency',
    lesson: 'L6',
    title: 'Resiliency: tcp_closed, backoff, reconnect',
    description: 'Connections drop at 0.5 s and Redis restarts at 1.2 s: in-flight calls fail, then both clients back off and reconnect.',
    scenario: {
      name: 'l6-resiliency',
      durationMs: 2000,
      network: { latencyMs: 0.5 },
      workload: { callers: 20, thinkMs: 2, callTimeoutMs: 500 },
      clients: [pool(10, { backoff: { strategy: 'rand_exp', initialMs: 50, maxMs: 1000 } }), mux({ backoff: { strategy: 'redix', initialMs: 50, maxMs: 1000 } })],
      faults: [
        { atMs: 500, kind: 'drop_connections' },
        { atMs: 1200, kind: 'server_down', forMs: 300 },
      ],
    },
  },
  {
    name: 'l7-connection',
    lesson: 'L7',
    title: 'The Connection behaviour: backoff as a return value',
    description: 'Redis is down for two seconds: connect returns {:backoff, t, s}, with t growing as Redix grows it (× 1.5).',
    scenario: {
      name: 'l7-connection',
      durationMs: 4000,
      workload: { callers: 5, thinkMs: 20, callTimeoutMs: 500 },
      clients: [mux({ label: 'redix-backoff', backoff: { strategy: 'redix', initialMs: 100, maxMs: 2000 } }), mux({ label: 'no-backoff', backoff: { strategy: 'none' } })],
      faults: [{ atMs: 500, kind: 'server_down', forMs: 2000 }],
    },
  },
  {
    name: 'l8-sync-async',
    lesson: 'L8',
    title: 'Sync or async connect, when Redis is down at boot',
    description: 'Sync: start fails and the supervisor gives up. Async: start succeeds, calls fail fast until the connection is up.',
    scenario: {
      name: 'l8-sync-async',
      durationMs: 2000,
      workload: { callers: 5, thinkMs: 20, callTimeoutMs: 500 },
      clients: [mux({ label: 'sync', connect: 'sync', backoff: { strategy: 'exp', initialMs: 100, maxMs: 400 } }), mux({ label: 'async', connect: 'async', backoff: { strategy: 'exp', initialMs: 100, maxMs: 400 } })],
      faults: [{ atMs: 0, kind: 'server_down', forMs: 1000 }],
    },
  },
  {
    name: 'hol-blpop',
    lesson: 'beyond',
    title: 'Head-of-line blocking',
    description: 'A BLPOP on the multiplexed connection holds every caller behind it; in a pool it holds one connection.',
    scenario: {
      name: 'hol-blpop',
      durationMs: 1000,
      workload: { callers: 20, thinkMs: 2, mix: { GET: 0.97, BLPOP: 0.03 }, blpopTimeoutMs: 50, callTimeoutMs: 1000 },
      clients: [pool(10), mux()],
    },
  },
  {
    name: 'late-replies',
    lesson: 'beyond',
    title: 'Late replies after timeouts',
    description: 'Slow commands outlive their callers: their replies arrive later and are dropped, never handed to the next caller.',
    scenario: {
      name: 'late-replies',
      durationMs: 1000,
      workload: { callers: 10, thinkMs: 2, mix: { GET: 0.9, SLEEP: 0.1 }, sleepMs: 20, callTimeoutMs: 10 },
      clients: [pool(5), mux()],
    },
  },
  {
    name: 'at-least-once',
    lesson: 'beyond',
    title: 'At least once: resending can run a command twice',
    description: 'The link goes dark after commands reach Redis; resending them after the reconnect runs some INCRs twice.',
    scenario: {
      name: 'at-least-once',
      durationMs: 1000,
      workload: { callers: 10, thinkMs: 1, mix: { INCR: 1 }, callTimeoutMs: 2000 },
      clients: [
        mux({ label: 'at-most-once', inFlightOnDisconnect: 'fail', healthCheckMs: 20, backoff: { strategy: 'exp', initialMs: 10, maxMs: 100 } }),
        mux({ label: 'at-least-once', inFlightOnDisconnect: 'resend', healthCheckMs: 20, backoff: { strategy: 'exp', initialMs: 10, maxMs: 100 } }),
      ],
      faults: [
        { atMs: 400, kind: 'latency', addMs: 30, forMs: 1 },
        { atMs: 410, kind: 'partition', mode: 'drop', forMs: 5 },
      ],
    },
  },
  {
    name: 'reconnect-storm',
    lesson: 'beyond',
    title: 'A reconnect storm: no jitter against jitter',
    description: 'Fifty pooled connections reconnect to a restarting Redis: without jitter they knock in lockstep.',
    scenario: {
      name: 'reconnect-storm',
      durationMs: 3000,
      workload: { callers: 50, thinkMs: 10, callTimeoutMs: 500 },
      clients: [pool(50, { label: 'exp-no-jitter', backoff: { strategy: 'exp', initialMs: 100, maxMs: 1600 } }), pool(50, { label: 'rand-exp-jitter', backoff: { strategy: 'rand_exp', initialMs: 100, maxMs: 1600 } })],
      faults: [{ atMs: 500, kind: 'server_down', forMs: 1500 }],
    },
  },
  {
    name: 'backoff-reset',
    lesson: 'beyond',
    title: 'Why backoff resets must wait for a reply',
    description: 'Redis is full (maxclients 4) and refuses two of six pooled connections right after accepting them: counting the accept as a connection restarts the backoff every time.',
    scenario: {
      name: 'backoff-reset',
      durationMs: 2000,
      server: { maxClients: 4 },
      workload: { callers: 12, thinkMs: 2, callTimeoutMs: 500 },
      // Redis accepts the connect, writes "-ERR max number of clients reached" and closes.
      clients: [
        pool(6, { label: 'reset-on-accept', established: 'accept', backoff: { strategy: 'exp', initialMs: 10, maxMs: 1000 } }),
        pool(6, { label: 'reset-on-reply', established: 'reply', backoff: { strategy: 'exp', initialMs: 10, maxMs: 1000 } }),
      ],
    },
  },
  {
    name: 'pool-overload',
    lesson: 'beyond',
    title: 'Pool queues under overload: unbounded wait against CoDel',
    description: 'More demand than a pool of four can serve: a long FIFO makes everyone late, CoDel sheds to keep the rest fast.',
    scenario: {
      name: 'pool-overload',
      durationMs: 2000,
      workload: { callers: 60, thinkMs: 1, mix: { GET: 0.8, SLEEP: 0.2 }, sleepMs: 2, callTimeoutMs: 5000 },
      clients: [pool(4, { label: 'queue', onExhausted: 'queue', checkoutTimeoutMs: 5000 }), pool(4, { label: 'codel', onExhausted: 'codel', queueTargetMs: 10, queueIntervalMs: 100 })],
    },
  },
];

export const presetNames = presets.map((p) => p.name);

/** A preset's scenario, validated (a preset that does not validate is a bug: it throws). */
export function loadPreset(name: string): Scenario | undefined {
  const p = presets.find((x) => x.name === name);
  if (p === undefined) return undefined;
  const r = parseScenario(p.scenario);
  if (!r.ok) throw new Error(`preset ${name} is invalid: ${r.errors.join('; ')}`);
  return { ...r.scenario, description: r.scenario.description || p.description };
}
