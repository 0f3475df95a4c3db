/**
 * Random scenarios over every client, option and fault kind (fast-check), and what must hold in
 * each of their worlds: nothing lost, duplicated, misrouted or reported as not run that ran,
 * nothing run twice unless the client resends, and no process crash (an exit with an error
 * reason is a bug even when no invariant breaks). Used by `npm run fuzz` and the property test.
 */
import fc from 'fast-check';
import { checkFault, faultSchema, type Fault } from '../sim/faults/index.js';
import { clientConfigSchema } from '../sim/scenario/schema.js';
import { parseScenario, runScenario, type Scenario, type ScenarioInput } from '../sim/scenario/index.js';
import { arbitraryOf } from './arbitrary.js';

// Every client kind and option, every fault kind and parameter, drawn from their schemas
// (cli/arbitrary.ts): a kind or an option is fuzzed by being declared. Draws the schema refuses
// as a whole (a backoff's maxMs below its initialMs) are drawn again.
const client = arbitraryOf(clientConfigSchema, ['label']).filter((c) => clientConfigSchema.safeParse({ ...(c as object), label: 'c' }).success);
const fault = arbitraryOf(faultSchema).filter((f) => faultSchema.safeParse(f).success) as fc.Arbitrary<Fault>;

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
  .map(
    (s) =>
      ({
        ...s,
        name: 'fuzz',
        clients: s.clients.map((c, i) => ({ ...(c as object), label: `c${i}` })),
        // A fault must fall inside the run (the schema refuses one that would never fire), and
        // one its scenario refuses (a caller index beyond the callers) is left out.
        faults: s.faults.map((f) => ({ ...f, atMs: f.atMs % s.durationMs })).filter((f) => checkFault(f, s) === null),
      }) as ScenarioInput,
  );

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
