import { describe, expect, it } from 'vitest';
import { FAULT_KINDS } from '../../sim/faults/index.js';
import { parseScenario, presets, runWorld, type ScenarioInput } from '../../sim/scenario/index.js';
import { PIECE_REQUESTS, warmPiece } from '../../web/src/worker/warm.js';

describe("a worker's warm-up pieces (web/src/worker/warm.ts)", () => {
  it('go round every fault kind, each a valid scenario for every preset', () => {
    for (const p of presets) {
      const input = p.scenario as ScenarioInput;
      const kinds = new Set<string>();
      for (let n = 0; n < FAULT_KINDS.length * 2; n++) {
        const piece = warmPiece(input, input.durationMs ?? 1000, 20_000, n);
        const parsed = parseScenario(piece);
        expect(parsed.ok ? [] : parsed.errors, `${p.name}, piece ${n}`).toEqual([]);
        expect(piece.faults).toHaveLength(1);
        kinds.add(piece.faults![0]!.kind);
        // The rest of the scenario is the world's own: its clients, workload, network.
        expect(piece.clients).toBe(input.clients);
        expect(piece.workload).toBe(input.workload);
      }
      expect([...kinds].sort()).toEqual([...FAULT_KINDS].sort());
    }
  });

  it('are cut to about PIECE_REQUESTS requests of the world they warm', () => {
    const input = presets.find((p) => p.name === 'l4-multiplex')!.scenario as ScenarioInput;
    const full = parseScenario(input);
    if (!full.ok) throw new Error(full.errors.join());
    for (const [i, spec] of full.scenario.clients.entries()) {
      const issued = runWorld(full.scenario, spec).metrics.requests.issued;
      expect(issued).toBeGreaterThan(PIECE_REQUESTS * 5);
      // A caller killed: the piece's pace stays about the world's (other faults slow it on purpose).
      const kill = FAULT_KINDS.indexOf('kill_caller');
      const piece = parseScenario(warmPiece(input, full.scenario.durationMs, issued, kill));
      if (!piece.ok) throw new Error(piece.errors.join());
      expect(piece.scenario.faults[0]!.kind).toBe('kill_caller');
      const n = runWorld(piece.scenario, piece.scenario.clients[i]!).metrics.requests.issued;
      expect(n, spec.label).toBeGreaterThan(PIECE_REQUESTS / 2);
      expect(n, spec.label).toBeLessThan(PIECE_REQUESTS * 1.5);
    }
  });

  it('are the whole scenario when it issues fewer requests than a piece, or none', () => {
    const input: ScenarioInput = { name: 'tiny', durationMs: 50, clients: [{ label: 'mux', kind: 'multiplex' }] };
    expect(warmPiece(input, 50, 100, 0).durationMs).toBe(50);
    expect(warmPiece(input, 50, 0, 0).durationMs).toBe(50);
  });
});
