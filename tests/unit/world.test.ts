import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ms } from '../../sim/kernel/index.js';
import { tcp } from '../../sim/net/index.js';
import { encodeCommand } from '../../sim/resp/index.js';
import { World, type Fault } from '../../sim/worlds/world.js';
import { FAULT_KINDS, faultWithDefaults } from '../../sim/faults/index.js';

/** A world with a few raw callers that PING in a loop and reconnect after errors. */
function run(seed: number, faults: Fault[]): World {
  const w = new World({ seed, network: { latencyUs: 200, jitterUs: 50 }, server: { commandDist: 'exp' } });
  w.schedule(faults);
  for (let i = 0; i < 3; i++) {
    w.rt.spawn(function* (ctx) {
      const rng = ctx.random(`caller${i}`);
      while (ctx.now < ms(50)) {
        const r = yield* tcp.connect(ctx, w.net, w.address, { timeout: ms(5) });
        if (!r.ok) {
          yield* ctx.sleep(ms(1));
          continue;
        }
        while (ctx.now < ms(50)) {
          tcp.send(ctx, r.socket, encodeCommand(['PING']));
          const got = yield* tcp.recv(ctx, r.socket, 0, ms(5));
          if (!got.ok) break;
          yield* ctx.sleep(Math.round(rng.exp(500)));
        }
        tcp.close(ctx, r.socket);
      }
    });
  }
  w.kernel.run();
  return w;
}

/** A kind's defaults, shortened to fit these 50 ms runs; a few made harsher so they show. */
const faultAt = (kind: Fault['kind'], atMs: number): Fault => {
  const f = faultWithDefaults(kind, atMs);
  const harsher: Partial<Record<Fault['kind'], object>> = { latency: { addMs: 3 }, slow_server: { factor: 20 }, partition: { mode: 'drop' } };
  return { ...f, ...('forMs' in f ? { forMs: 5 } : {}), ...harsher[kind] } as Fault;
};

/** Every kind a world applies by itself (kill_caller needs a workload's callers). */
const kinds = FAULT_KINDS.filter((k) => k !== 'kill_caller');

describe('a world with a fault schedule', () => {
  it('same_seed_and_faults_give_the_same_trace_hash', () => {
    const faults: Fault[] = [{ atMs: 10, kind: 'drop_connections' }];
    expect(run(3, faults).kernel.trace.hash()).toBe(run(3, faults).kernel.trace.hash());
    expect(run(3, faults).kernel.trace.hash()).not.toBe(run(4, faults).kernel.trace.hash());
  });

  it('every_fault_kind_changes_what_happens_after_it', () => {
    const base = run(5, []).kernel.trace.hash();
    for (const kind of kinds) {
      const w = run(5, [faultAt(kind, 20)]);
      expect(w.kernel.trace.hash(), kind).not.toBe(base);
    }
  });

  it('adding_a_fault_at_t_leaves_every_event_before_t_unchanged', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.constantFrom(...kinds), fc.integer({ min: 1, max: 45 }), (seed, kind, atMs) => {
        const before = run(seed, []).kernel.trace;
        const after = run(seed, [faultAt(kind, atMs)]).kernel.trace;
        const cut = ms(atMs);
        const prefix = (t: typeof before) => {
          const lines: string[] = [];
          for (let i = 0; i < t.length && t.at(i).t < cut; i++) lines.push(t.line(i));
          return lines;
        };
        const a = prefix(before);
        expect(a.length).toBeGreaterThan(0);
        expect(prefix(after)).toEqual(a);
      }),
      { numRuns: 25 },
    );
  });

  it('a_fault_in_the_past_is_refused_with_its_name', () => {
    const w = new World({ seed: 1 });
    w.kernel.run(ms(5));
    expect(() => w.schedule([{ atMs: 1, kind: 'drop_connections' }])).toThrow(/drop_connections atMs must be >= now/);
  });
});
