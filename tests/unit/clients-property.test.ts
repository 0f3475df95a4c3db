import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Fault } from '../../sim/worlds/world.js';
import type { ClientConfig, Command } from '../../sim/clients/index.js';
import { runLab, wrongEchoes } from './helpers/lab.js';
import { arbitraryOf } from '../../cli/arbitrary.js';
import { faultSchema } from '../../sim/faults/index.js';

// For any workload and any fault schedule, every client must: end every call exactly once, never
// hand a caller another request's reply, never report "did not run" for a command that ran, run
// nothing twice unless it resends (at least once), and, once the faults are over, hold exactly
// the connections it is configured for.

const backoff = { strategy: 'exp', initialMs: 2, maxMs: 40 } as const;

const clientArb: fc.Arbitrary<ClientConfig> = fc.oneof(
  fc.constant<ClientConfig>({ kind: 'naive' }),
  fc.record({ connect: fc.constantFrom('sync', 'async') }).map((o): ClientConfig => ({ kind: 'serial', backoff, ...o })),
  fc
    .record({
      size: fc.integer({ min: 1, max: 4 }),
      onExhausted: fc.constantFrom('error', 'queue', 'codel'),
      checkoutTimeoutMs: fc.integer({ min: 1, max: 30 }),
      maxQueue: fc.option(fc.integer({ min: 1, max: 5 }), { nil: null }),
    })
    .map((o): ClientConfig => ({ kind: 'pool', backoff, queueTargetMs: 5, queueIntervalMs: 20, ...o })),
  fc
    .record({
      whileDisconnected: fc.constantFrom('error', 'queue'),
      inFlightOnDisconnect: fc.constantFrom('fail', 'resend'),
      healthCheckMs: fc.option(fc.integer({ min: 3, max: 30 }), { nil: null }),
      exitOnDisconnection: fc.boolean(),
      offlineQueueMax: fc.integer({ min: 1, max: 20 }),
    })
    .map((o): ClientConfig => ({ kind: 'multiplex', backoff, ...o })),
);

// Every registered fault kind, drawn from its schema (cli/arbitrary.ts, as npm run fuzz does).
const faultArb = arbitraryOf(faultSchema).filter((f) => faultSchema.safeParse(f).success) as fc.Arbitrary<Fault>;

/** A mix that identifies replies (ECHO payloads), mutates (INCR), pipelines, and sometimes dawdles. */
function workload(c: number, n: number): Command[] {
  switch ((c * 7 + n * 3) % 6) {
    case 0:
      return [['INCR', `counter${c % 2}`]];
    case 1:
      return [
        ['ECHO', `c${c}-r${n}-a`],
        ['ECHO', `c${c}-r${n}-b`],
      ];
    case 2:
      return [['DEBUG', 'SLEEP', '0.003']];
    default:
      return [['ECHO', `c${c}-r${n}`]];
  }
}

function expectedConnections(client: ClientConfig): number {
  switch (client.kind) {
    case 'naive':
      return 0;
    case 'pool':
      return client.size ?? 10;
    default:
      return 1;
  }
}

describe('client correctness under random faults', () => {
  it('every_call_ends_once_with_its_own_reply_and_no_socket_leaks', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        clientArb,
        fc.array(faultArb, { maxLength: 4 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 2, max: 60 }),
        fc.option(fc.record({ atMs: fc.integer({ min: 2, max: 150 }), caller: fc.integer({ min: 0, max: 7 }) }), { nil: undefined }),
        (seed, client, faults, callers, timeoutMs, kill) => {
          const lab = runLab({
            seed,
            client,
            faults,
            callers,
            timeoutMs,
            durationMs: 200,
            thinkMs: 1,
            workload,
            kills: kill && kill.caller < callers ? [kill] : [],
            world: { network: { latencyUs: 200, jitterUs: 100 }, server: { commandDist: 'exp' }, runtime: { schedulers: 2 } },
            settleMs: 500,
          });
          const r = lab.report;
          const where = `${JSON.stringify(client)} faults=${JSON.stringify(faults)}\n${r.problems.join('\n')}`;
          expect(r.requests, where).toBeGreaterThan(0);
          expect(r.lost, where).toBe(0);
          expect(r.duplicatedReplies, where).toBe(0);
          expect(r.misrouted, where).toBe(0);
          expect(r.falselyDeterminate, where).toBe(0);
          expect(wrongEchoes(lab.calls), where).toEqual([]);
          const resends = client.kind === 'multiplex' && client.inFlightOnDisconnect === 'resend';
          if (!resends) expect(r.executedTwice, where).toBe(0);
          expect(lab.world.rt.crashes.map((c) => String(c.error)), where).toEqual([]);
          const gaveUp = [...lab.world.kernel.trace.ofKind('supervisor.give_up')].length > 0;
          const neverStarted = [...lab.world.kernel.trace.ofKind('supervisor.start_child')].some((e) => !e.ok);
          if (!gaveUp && !neverStarted) expect(lab.openConnections, where).toBe(expectedConnections(client));
        },
      ),
      // A fixed sample in CI (FC_SEED to draw another); npm run fuzz for long runs.
      { numRuns: Number(process.env.FC_RUNS ?? 150), seed: Number(process.env.FC_SEED ?? 15) },
    );
  }, 120_000);
});
