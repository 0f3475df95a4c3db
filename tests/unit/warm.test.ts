import { describe, expect, it } from 'vitest';
import { FAULT_KINDS } from '../../sim/faults/index.js';
import { parseScenario, presets, runWorld, type ScenarioInput } from '../../sim/scenario/index.js';
import { viewPass } from '../../sim/views/index.js';
import { MAX_PIECES, MIN_PIECES, PARK_EVENTS, PIECE_EVENTS, WARM_EVENTS, parkWorld, warmDone, warmPiece } from '../../web/src/worker/warm.js';

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

  it('are cut to about PIECE_EVENTS trace events of the world they warm, however busy its requests', () => {
    const pipelined: ScenarioInput = {
      name: 'pipelined',
      durationMs: 400,
      workload: { callers: 4, thinkMs: 1, mix: { PIPELINE: 1 }, pipelineSize: 2000 },
      clients: [{ label: 'pool', kind: 'pool', size: 4 }, { label: 'multiplex', kind: 'multiplex' }],
    };
    for (const input of [presets.find((p) => p.name === 'l4-multiplex')!.scenario as ScenarioInput, pipelined]) {
      const full = parseScenario(input);
      if (!full.ok) throw new Error(full.errors.join());
      for (const [i, spec] of full.scenario.clients.entries()) {
        const events = runWorld(full.scenario, spec).trace.length;
        expect(events).toBeGreaterThan(PIECE_EVENTS * 5);
        // A caller killed: the piece's pace stays about the world's (other faults slow it on purpose).
        const kill = FAULT_KINDS.indexOf('kill_caller');
        const piece = parseScenario(warmPiece(input, full.scenario.durationMs, events, kill));
        if (!piece.ok) throw new Error(piece.errors.join());
        expect(piece.scenario.faults[0]!.kind).toBe('kill_caller');
        const n = runWorld(piece.scenario, piece.scenario.clients[i]!).trace.length;
        expect(n, `${input.name} ${spec.label}`).toBeGreaterThan(PIECE_EVENTS / 2);
        expect(n, `${input.name} ${spec.label}`).toBeLessThan(PIECE_EVENTS * 1.5);
      }
    }
  });

  it('are the whole scenario when it records fewer events than a piece, or none', () => {
    const input: ScenarioInput = { name: 'tiny', durationMs: 50, clients: [{ label: 'mux', kind: 'multiplex' }] };
    expect(warmPiece(input, 50, 1000, 0).durationMs).toBe(50);
    expect(warmPiece(input, 50, 0, 0).durationMs).toBe(50);
  });

  it('go on until the worker has recorded WARM_EVENTS and run MIN_PIECES pieces, and stop at MAX_PIECES', () => {
    // A first run of the 100k budget scenario records ~1.5M events on its own: pieces still run.
    expect(warmDone(1_500_000, 0)).toBe(false);
    expect(warmDone(1_500_000, MIN_PIECES - 1)).toBe(false);
    expect(warmDone(1_500_000, MIN_PIECES)).toBe(true);
    // The default scenario's worlds: the events decide, past MIN_PIECES pieces.
    expect(warmDone(WARM_EVENTS - 1, MIN_PIECES + 10)).toBe(false);
    expect(warmDone(WARM_EVENTS, MIN_PIECES + 10)).toBe(true);
    // A world too small to ever reach WARM_EVENTS in pieces stops at MAX_PIECES.
    expect(warmDone(0, MAX_PIECES - 1)).toBe(false);
    expect(warmDone(0, MAX_PIECES)).toBe(true);
  });

  it('park a world partway: PARK_EVENTS kernel events in, with its processes alive and events still queued', () => {
    for (const name of ['l4-multiplex', 'l6-resiliency']) {
      const s = presets.find((p) => p.name === name)!.scenario as ScenarioInput;
      const parsed = parseScenario(s);
      if (!parsed.ok) throw new Error(parsed.errors.join());
      for (const spec of parsed.scenario.clients) {
        const { world } = parkWorld(parsed.scenario, spec);
        expect(world.kernel.eventsRun, `${name} ${spec.label}`).toBe(PARK_EVENTS);
        expect(world.kernel.now).toBeGreaterThan(0);
        expect(world.kernel.now).toBeLessThan(parsed.scenario.durationMs * 1000);
        expect(world.kernel.pending).toBeGreaterThan(0);
        // The client, its connections and the callers are still running.
        expect(world.rt.processCount).toBeGreaterThan(parsed.scenario.workload.callers);
      }
    }
  });

  it('a parked world starts its view small, not with the columns of the run it follows (size hints)', () => {
    const parsed = parseScenario(presets.find((p) => p.name === 'l4-multiplex')!.scenario as ScenarioInput);
    if (!parsed.ok) throw new Error(parsed.errors.join());
    const s = parsed.scenario;
    const spec = s.clients[0]!;
    const view = viewPass(spec.label, s);
    const w = runWorld(s, spec, undefined, 20_000, false, Number.POSITIVE_INFINITY, view);
    view.finishPacked({ ...w, endUs: w.world.kernel.now });
    // The next run of it is made room for at once ...
    const rows = w.metrics.requests.issued;
    expect(rows).toBeGreaterThan(5_000);
    expect(viewPass(spec.label, s).rowsRoom).toBeGreaterThanOrEqual(rows);
    // ... a parked world, which sees PARK_EVENTS of it, is not.
    const parked = parkWorld(s, spec);
    expect(parked.view.rowsRoom).toBeLessThan(1_000);
  });
});

