import { describe, expect, it } from 'vitest';
import type { ClientConfig } from '../../sim/clients/index.js';
import { loadPreset, runScenario } from '../../sim/scenario/index.js';
import { echoWorkload, runLab, wrongEchoes } from './helpers/lab.js';

// Issue 15, item 7: a connection counts as up (and its backoff resets) only once its handshake
// has a successful reply; the server's greeting error ("-ERR max number of clients reached",
// written right after accept) is a failed connection, never a command's reply.

const backoff = { strategy: 'exp', initialMs: 5, maxMs: 200 } as const;
const clients: ClientConfig[] = [
  { kind: 'serial', backoff },
  { kind: 'pool', size: 3, backoff },
  { kind: 'multiplex', backoff },
];

describe('a full server that accepts, then refuses', () => {
  it('never_hands_a_caller_the_greeting_error_as_its_reply', () => {
    for (const client of clients) {
      // maxclients 1: the client's second connection, and any after a drop, is refused.
      // MSS 7 and jitter: the greeting comes in pieces, some before the close (the case).
      const lab = runLab({ seed: 1, client, callers: 4, durationMs: 300, workload: echoWorkload, faults: [{ atMs: 100, kind: 'drop_connections' }], world: { network: { jitterUs: 500, mss: 7 }, server: { maxClients: 1 } }, settleMs: 300 });
      expect(wrongEchoes(lab.calls), client.kind).toEqual([]);
      expect(lab.calls.filter((c) => c.result.ok).length, client.kind).toBeGreaterThan(0);
      // The refusals are failed connections (the greeting read, or the close that follows it).
      const failed = [...lab.world.kernel.trace.ofKind('client.failed_connection')];
      if (client.kind === 'pool') expect(failed.length).toBeGreaterThan(0);
    }
  });

  it('keeps_backing_off_until_a_reply_and_storms_when_the_accept_resets_it', () => {
    const r = runScenario(loadPreset('backoff-reset')!);
    const opened = (label: string) => r.worlds.find((w) => w.label === label)!.metrics.connections.opened;
    // Two refused slots for 2 s: every 10 ms on accept (~400), a growing wait up to 1 s on reply.
    expect(opened('reset-on-accept')).toBeGreaterThan(200);
    expect(opened('reset-on-reply')).toBeLessThan(40);
    for (const w of r.worlds) expect(w.metrics.invariants.lost + w.metrics.invariants.misrouted, w.label).toBe(0);
  });
});
