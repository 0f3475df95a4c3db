/**
 * What validates must run (issue 15, items 2 and 3): cross-field rules checked against the
 * defaults, a bound on every number that keeps virtual time representable, errors formatted
 * without recursion, and a client that cannot start reported as the run's error.
 */
import { describe, expect, it } from 'vitest';
import { ClientStartError, parseScenario, runScenario, runWorld, type Scenario } from '../../sim/scenario/index.js';
import { BACKOFF_DEFAULTS, makeBackoff, type BackoffStrategy } from '../../sim/clients/backoff.js';
import { MAX_MS } from '../../sim/scenario/fields.js';
import { Rng } from '../../sim/kernel/rng.js';

function scenario(input: object): Scenario {
  const r = parseScenario(input);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.scenario;
}

function errors(input: object): string[] {
  const r = parseScenario(input);
  return r.ok ? [] : r.errors;
}

const base = { durationMs: 20, workload: { callers: 2, callTimeoutMs: 50 }, clients: [{ label: 'c', kind: 'naive' }] };
const STRATEGIES = Object.keys(BACKOFF_DEFAULTS) as BackoffStrategy[];
const KINDS = ['serial', 'pool', 'multiplex'] as const;

describe('cross-field rules', () => {
  it('backoff_maxMs_is_checked_against_the_strategys_default_initialMs', () => {
    for (const strategy of STRATEGIES) {
      const initial = BACKOFF_DEFAULTS[strategy].initialMs;
      if (initial > 0) {
        const bad = errors({ ...base, clients: [{ label: 'c', kind: 'pool', backoff: { strategy, maxMs: initial - 1 } }] });
        expect(bad, strategy).toEqual([`clients[0].backoff.maxMs: expected maxMs >= ${initial}, the default initialMs of "${strategy}", got ${initial - 1}`]);
      }
      expect(errors({ ...base, clients: [{ label: 'c', kind: 'pool', backoff: { strategy, maxMs: initial } }] }), strategy).toEqual([]);
    }
    expect(errors({ ...base, clients: [{ label: 'c', kind: 'serial', backoff: { strategy: 'exp', initialMs: 50, maxMs: 10 } }] })).toEqual(['clients[0].backoff.maxMs: expected maxMs >= initialMs, 50, got 10']);
  });

  it('a_backoff_validates_exactly_when_the_client_can_make_it', () => {
    const rng = Rng.fromSeed(1);
    for (const strategy of STRATEGIES)
      for (const initialMs of [undefined, 0, 10, 700, 5000])
        for (const maxMs of [undefined, 0, 5, 400, 600, 3000, 40_000]) {
          const backoff = { strategy, ...(initialMs === undefined ? {} : { initialMs }), ...(maxMs === undefined ? {} : { maxMs }) };
          const valid = parseScenario({ ...base, clients: [{ label: 'c', kind: 'multiplex', backoff }] }).ok;
          let makes = true;
          try {
            makeBackoff(backoff, rng);
          } catch {
            makes = false;
          }
          expect(valid, JSON.stringify(backoff)).toBe(makes);
        }
  });

  it('every_client_kind_starts_with_a_backoff_that_validates', () => {
    // The case: rand's maxMs below its default initialMs; here at the smallest valid value.
    for (const kind of KINDS)
      for (const connect of ['sync', 'async']) {
        const s = scenario({ ...base, clients: [{ label: 'c', kind, connect, backoff: { strategy: 'rand', maxMs: BACKOFF_DEFAULTS.rand.initialMs } }] });
        const w = runScenario(s).worlds[0]!;
        expect(w.metrics.requests.errors.noproc ?? 0, `${kind} ${connect}`).toBe(0);
        expect(w.metrics.requests.ok, `${kind} ${connect}`).toBeGreaterThan(0);
      }
  });
});

describe('backoff waits', () => {
  it('stay_whole_µs_within_the_bound_after_thousands_of_failed_attempts', () => {
    // A server down for an hour sees thousands of attempts (ioredis with initialMs 0 went NaN at the 1026th).
    for (const strategy of STRATEGIES)
      for (const initialMs of [0, 1, MAX_MS])
        for (const maxMs of [MAX_MS]) {
          const b = makeBackoff({ strategy, initialMs, maxMs }, Rng.fromSeed(3));
          for (let k = 0; k < 3000; k++) {
            const w = b.next();
            if (!(Number.isSafeInteger(w) && w >= 0 && w <= (MAX_MS + 200) * 1000)) throw new Error(`${strategy} ${initialMs}..${maxMs}: attempt ${k} waits ${w}`);
          }
        }
  });
});

describe('a client that cannot start', () => {
  it('is_the_runs_error_naming_the_client_and_why_not_thousands_of_noprocs', () => {
    for (const kind of KINDS)
      for (const connect of ['sync', 'async']) {
        // Past the schema (as a caller of runWorld could be): the client's own check throws at start.
        const s = scenario({ ...base, clients: [{ label: 'c', kind, connect }] });
        const spec = { ...s.clients[0]!, backoff: { strategy: 'rand', maxMs: 500 } } as Scenario['clients'][number];
        let thrown: unknown = null;
        try {
          runWorld(s, spec);
        } catch (e) {
          thrown = e;
        }
        expect(thrown, `${kind} ${connect}`).toBeInstanceOf(ClientStartError);
        expect((thrown as Error).message).toBe('client "c" cannot start: backoff.maxMs must be >= initialMs (1000), got 500');
      }
  });
});

describe('bounds keep virtual time representable', () => {
  it('rejects_the_values_that_used_to_validate_and_then_throw_or_hang', () => {
    const cases: Array<[object, RegExp]> = [
      [{ network: { latencyMs: 1e300 } }, /^network\.latencyMs: expected at most 3600000 ms, got 1e\+300$/],
      [{ network: { bandwidthMbps: 1e-300 } }, /^network\.bandwidthMbps: expected at least 0\.001 Mbps, got 1e-300$/],
      [{ network: { jitterMs: 1e13 } }, /^network\.jitterMs: expected at most 3600000 ms/],
      [{ workload: { thinkMs: 1e13 } }, /^workload\.thinkMs: expected at most 3600000 ms/],
      [{ workload: { callTimeoutMs: 1e-300 } }, /^workload\.callTimeoutMs: expected at least 0\.001 ms/],
      [{ workload: { mode: 'open', ratePerSec: 1e-300 } }, /^workload\.ratePerSec: expected at least 0\.001 per second/],
      [{ workload: { keys: 1e20 } }, /^workload\.keys: expected at most 10000000/],
      [{ workload: { mix: { GET: 1e308 } } }, /^workload\.mix\.GET: expected at most 1000000/],
      [{ faults: [{ atMs: 1e13, kind: 'drop_connections' }] }, /^faults\[0\]\.atMs: expected at most 3600000 ms/],
      [{ faults: [{ atMs: 1, kind: 'server_down', forMs: 1e13 }] }, /^faults\[0\]\.forMs: expected at most 3600000 ms/],
      [{ faults: [{ atMs: 1, kind: 'bandwidth', mbps: 1e-300, forMs: 5 }] }, /^faults\[0\]\.mbps: expected at least 0\.001 Mbps/],
      [{ faults: [{ atMs: 1, kind: 'slow_server', factor: 1e300, forMs: 5 }] }, /^faults\[0\]\.factor: expected at most 10000/],
      [{ clients: [{ label: 'c', kind: 'multiplex', healthCheckMs: 1e-300 }] }, /^clients\[0\]\.healthCheckMs: expected at least 0\.001 ms/],
      [{ clients: [{ label: 'c', kind: 'serial', backoff: { strategy: 'exp', maxMs: 1e300 } }] }, /^clients\[0\]\.backoff\.maxMs: expected at most 3600000 ms/],
      [{ server: { commandUs: 1e300 } }, /^server\.commandUs: expected at most 1000000 µs/],
      [{ runtime: { stepOverheadNs: 1e300 } }, /^runtime\.stepOverheadNs: expected at most 1000000 ns/],
      [{ seed: 2 ** 60 }, /^seed: expected at most/],
    ];
    for (const [extra, want] of cases) {
      const e = errors({ ...base, ...extra });
      expect(e, JSON.stringify(extra)).toHaveLength(1);
      expect(e[0], JSON.stringify(extra)).toMatch(want);
    }
  });

  it('a_scenario_at_every_bound_runs', () => {
    const extremes = scenario({
      durationMs: 5,
      drainMs: 600_000,
      network: { latencyMs: MAX_MS, jitterMs: MAX_MS, bandwidthMbps: 0.001, connectRtts: 100 },
      server: { commandUs: 1_000_000, readEventUs: 1_000_000 },
      runtime: { stepOverheadNs: 1_000_000, sendNs: 1_000_000, codecNsPerByte: 1000, copyNsPerByte: 1000 },
      workload: { callers: 2, thinkMs: MAX_MS, callTimeoutMs: MAX_MS, valueBytes: 1024, mix: { SET: 1_000_000, GET: 1 } },
      clients: [
        { label: 'p', kind: 'pool', size: 2, connectTimeoutMs: MAX_MS, backoff: { strategy: 'ioredis', initialMs: MAX_MS, maxMs: MAX_MS } },
        { label: 'm', kind: 'multiplex', healthCheckMs: MAX_MS, backoff: { strategy: 'exp', initialMs: 0, maxMs: MAX_MS } },
      ],
      faults: [
        // The latest a fault may start: just before the run's end (durationMs + drainMs).
        { atMs: 600_004.999, kind: 'server_down', forMs: MAX_MS },
        { atMs: 1, kind: 'latency', addMs: MAX_MS, forMs: MAX_MS },
        { atMs: 2, kind: 'slow_server', factor: 10_000, forMs: MAX_MS },
      ],
    });
    expect(() => runScenario(extremes)).not.toThrow();
    const tiny = scenario({
      durationMs: 0.001,
      drainMs: 2,
      network: { latencyMs: 0, bandwidthMbps: 0.001 },
      workload: { mode: 'open', ratePerSec: 0.001, callTimeoutMs: 0.001 },
      clients: [{ label: 'm', kind: 'multiplex', healthCheckMs: 0.001, connectTimeoutMs: 0.001 }],
      faults: [{ atMs: 0, kind: 'partition', forMs: 0.001 }],
    });
    expect(() => runScenario(tiny)).not.toThrow();
  });
});

describe('error messages', () => {
  it('a_number_too_large_for_json_says_so', () => {
    const e = errors(JSON.parse('{"durationMs": 1e400, "network": {"latencyMs": -1e400}, "clients": [{"label": "c", "kind": "naive"}]}'));
    expect(e).toEqual(['durationMs: expected a number of ms > 0, got a number too large', 'network.latencyMs: expected a one-way latency in ms >= 0, got a negative number too large']);
  });

  it('deep_nesting_in_a_known_field_is_an_error_not_a_stack_overflow', () => {
    for (const depth of [5000, 200_000]) {
      const text = `{"network": {"latencyMs": ${'['.repeat(depth)}${']'.repeat(depth)}}, "clients": [{"label": "c", "kind": "naive"}]}`;
      const e = errors(JSON.parse(text));
      expect(e).toHaveLength(1);
      expect(e[0]).toMatch(/^network\.latencyMs: expected a one-way latency in ms >= 0, got \[\[\[\[.*\.\.\.$/);
      expect(e[0]!.length).toBeLessThan(200);
    }
  });

  it('a_long_value_is_cut_and_a_short_one_shown_whole', () => {
    expect(errors({ ...base, name: 7 })).toEqual(['name: expected text, got 7']);
    const [long] = errors({ ...base, network: { latencyMs: Array.from({ length: 1000 }, (_, i) => i) } });
    expect(long).toMatch(/got \[0,1,2,3,.*\.\.\.$/);
    expect(long!.length).toBeLessThan(200);
    expect(errors({ ...base, network: { latencyMs: { a: [1, 'x'], b: null } } })).toEqual(['network.latencyMs: expected a one-way latency in ms >= 0, got {"a":[1,"x"],"b":null}']);
  });
});
