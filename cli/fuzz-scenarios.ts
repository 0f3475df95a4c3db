/**
 * Random scenarios over every client, option and fault kind (fast-check), and what must hold in
 * each of their worlds: nothing lost, duplicated, misrouted or reported as not run that ran,
 * nothing run twice unless the client resends, and no process crash (an exit with an error
 * reason is a bug even when no invariant breaks). Used by `npm run fuzz` and the property test.
 */
import fc from 'fast-check';
import { parseScenario, runScenario, type Scenario, type ScenarioInput } from '../sim/scenario/index.js';

const backoff = fc.record({
  strategy: fc.constantFrom('redix', 'exp', 'rand', 'rand_exp', 'ioredis', 'none'),
  initialMs: fc.integer({ min: 1, max: 20 }),
  maxMs: fc.integer({ min: 20, max: 200 }),
});
const established = fc.constantFrom('reply', 'accept');
const connect = fc.constantFrom('sync', 'async');

const client = fc.oneof(
  fc.constant({ kind: 'naive' }),
  fc.record({ kind: fc.constant('serial'), backoff, connect, established, connectTimeoutMs: fc.integer({ min: 1, max: 200 }) }),
  fc.record({
    kind: fc.constant('pool'),
    size: fc.integer({ min: 1, max: 6 }),
    onExhausted: fc.constantFrom('error', 'queue', 'codel'),
    checkoutTimeoutMs: fc.integer({ min: 1, max: 50 }),
    maxQueue: fc.option(fc.integer({ min: 1, max: 8 }), { nil: null }),
    queueTargetMs: fc.integer({ min: 1, max: 20 }),
    queueIntervalMs: fc.integer({ min: 5, max: 100 }),
    backoff,
    connect,
    established,
    connectTimeoutMs: fc.integer({ min: 1, max: 200 }),
  }),
  fc.record({
    kind: fc.constant('multiplex'),
    whileDisconnected: fc.constantFrom('error', 'queue'),
    offlineQueueMax: fc.integer({ min: 1, max: 20 }),
    inFlightOnDisconnect: fc.constantFrom('fail', 'resend'),
    backoff,
    connect,
    exitOnDisconnection: fc.boolean(),
    healthCheckMs: fc.option(fc.integer({ min: 2, max: 50 }), { nil: null }),
    connectTimeoutMs: fc.integer({ min: 1, max: 200 }),
    established,
  }),
);

const at = fc.integer({ min: 0, max: 250 });
const forMs = fc.integer({ min: 1, max: 80 });
const fault = fc.oneof(
  fc.record({ atMs: at, kind: fc.constant('drop_connections') }),
  fc.record({ atMs: at, kind: fc.constant('refuse_connections'), forMs }),
  fc.record({ atMs: at, kind: fc.constant('partition'), forMs, mode: fc.constantFrom('hold', 'drop') }),
  fc.record({ atMs: at, kind: fc.constant('latency'), addMs: fc.integer({ min: 1, max: 30 }), forMs }),
  fc.record({ atMs: at, kind: fc.constant('bandwidth'), mbps: fc.constantFrom(0.05, 1, 10), forMs }),
  fc.record({ atMs: at, kind: fc.constant('server_down'), forMs }),
  fc.record({ atMs: at, kind: fc.constant('slow_server'), factor: fc.integer({ min: 2, max: 500 }), forMs }),
  fc.record({ atMs: at, kind: fc.constant('kill_caller') }),
);

const mix = fc
  .record({ GET: fc.nat(4), SET: fc.nat(4), INCR: fc.nat(4), ECHO: fc.nat(4), BLPOP: fc.nat(2), LPUSH: fc.nat(2), PIPELINE: fc.nat(3), SLEEP: fc.nat(2) })
  .map((m) => (Object.values(m).some((w) => w > 0) ? m : { ...m, GET: 1 }));

/** One random scenario: one to three clients, up to four faults, small and short. */
export const scenarioArb: fc.Arbitrary<ScenarioInput> = fc
  .record({
    seed: fc.integer({ min: 1, max: 1_000_000 }),
    durationMs: fc.integer({ min: 20, max: 300 }),
    drainMs: fc.option(fc.integer({ min: 0, max: 400 }), { nil: undefined }),
    network: fc.record({
      latencyMs: fc.constantFrom(0, 0.05, 0.25, 1),
      jitterMs: fc.constantFrom(0, 0.05, 0.5),
      mss: fc.constantFrom(1, 7, 64, 1460),
      connectRtts: fc.constantFrom(1, 2),
    }),
    server: fc.record({ commandDist: fc.constantFrom('fixed', 'exp'), maxClients: fc.constantFrom(1, 2, 4, 10000) }),
    workload: fc.record({
      mode: fc.constantFrom('closed', 'closed', 'open'),
      callers: fc.integer({ min: 1, max: 8 }),
      thinkMs: fc.constantFrom(0, 0.5, 2),
      ratePerSec: fc.constantFrom(200, 2000),
      mix,
      valueBytes: fc.constantFrom(0, 16, 3000),
      pipelineSize: fc.integer({ min: 1, max: 8 }),
      blpopTimeoutMs: fc.integer({ min: 1, max: 50 }),
      sleepMs: fc.integer({ min: 0, max: 20 }),
      callTimeoutMs: fc.integer({ min: 1, max: 200 }),
    }),
    clients: fc.array(client, { minLength: 1, maxLength: 3 }),
    faults: fc.array(fault, { maxLength: 4 }),
  })
  // A fault must fall inside the run (the schema refuses one that would never fire).
  .map((s) => ({ ...s, name: 'fuzz', clients: s.clients.map((c, i) => ({ ...c, label: `c${i}` })), faults: s.faults.map((f) => ({ ...f, atMs: f.atMs % s.durationMs })) }) as ScenarioInput);

export interface FuzzOutcome {
  worlds: number;
  requests: number;
  /** What broke, one line each (an invariant, or a process that crashed). */
  violations: string[];
  crashes: string[];
}

/** Runs one scenario and says what broke in it. */
export function fuzzRun(input: ScenarioInput): FuzzOutcome {
  const p = parseScenario(input);
  if (!p.ok) return { worlds: 0, requests: 0, violations: [`invalid scenario: ${p.errors.join('; ')}`], crashes: [] };
  return checkScenario(p.scenario);
}

export function checkScenario(s: Scenario): FuzzOutcome {
  const out: FuzzOutcome = { worlds: 0, requests: 0, violations: [], crashes: [] };
  for (const w of runScenario(s).worlds) {
    out.worlds++;
    out.requests += w.metrics.requests.issued;
    const inv = w.metrics.invariants;
    const resends = w.client.kind === 'multiplex' && w.client.inFlightOnDisconnect === 'resend';
    const bad: Array<[string, number]> = [
      ['lost', inv.lost],
      ['duplicated replies', inv.duplicatedReplies],
      ['misrouted', inv.misrouted],
      ['reported as not run but ran', inv.falselyDeterminate],
      ['executed twice', resends ? 0 : inv.executedTwice],
    ];
    for (const [what, n] of bad) if (n > 0) out.violations.push(`${w.label} (${w.client.kind}): ${what} ${n}`);
    for (const c of w.world.rt.crashes) out.crashes.push(`${w.label} (${w.client.kind}): process ${c.name} crashed: ${c.error instanceof Error ? c.error.message : String(c.error)}`);
  }
  return out;
}
