/**
 * Calibration: the machine's costs, measured, written as the scenario's parameters, so the
 * simulator can be checked against a real run of the same scenario (`npm run real -- --vs-sim`).
 * - round trip: the 5th percentile of sequential PINGs on one connection (loopback, plus both
 *   ends' handling, without the wake-ups of an idle machine); the one-way latency is half of it
 *   after the server's share is taken out;
 * - Redis: its CPU (INFO used_cpu_user + used_cpu_sys) over GETs sent one at a time on each of
 *   16 connections (one per read event, the server kept busy), and over pipelined GETs, a thousand per read event: the second is the per-command cost, the
 *   difference the per-read-event cost (the simulated server's commandUs and readEventUs); the
 *   median of three measurements of each;
 * - the runtime: Node runs every process on one thread (schedulers 1), and the time the runtime
 *   spends per process step on short real runs of the scenario's clients (after a warm-up run)
 *   becomes stepOverheadNs, with the other costs (codec, copy, send) folded into it and set to 0.
 */
import type { Scenario } from '../sim/scenario/schema.js';
import { Admin } from './admin.js';
import { runRealWorld } from './run.js';
import { median } from './stats.js';

export interface Calibration {
  rttUs: number;
  readEventUs: number;
  commandUs: number;
  nsPerStep: number;
  scenario: Scenario;
}

const cpuS = (m: Map<string, string>) => Number(m.get('used_cpu_user') ?? 0) + Number(m.get('used_cpu_sys') ?? 0);
const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** The largest runtime.stepOverheadNs the scenario schema accepts. */
const MAX_STEP_NS = 1_000_000;

export async function calibrate(address: string, s: Scenario): Promise<Calibration> {
  const a = await Admin.connect(address);
  try {
    await a.command(['SET', 'calibrate:k', 'v'.repeat(s.workload.valueBytes)]);
    for (let i = 0; i < 500; i++) await a.command(['PING']);
    const rtts: number[] = [];
    for (let i = 0; i < 3000; i++) {
      const t = performance.now();
      await a.command(['PING']);
      rtts.push((performance.now() - t) * 1000);
    }
    // The fast end: on an idle machine most PINGs also pay both ends waking up (up to ~70 µs
    // here), which a busy run does not.
    const rttUs = [...rtts].sort((x, y) => x - y)[Math.floor(rtts.length / 20)]!;

    // The server's CPU clock moves in scheduler ticks (4 ms at HZ=250): long runs, and the
    // median of three, keep that and the machine's other load out of the figures.
    const seqN = 32_000;
    const batch = 1000;
    const batches = 150;
    const cmds = Array.from({ length: batch }, () => ['GET', 'calibrate:k']);
    const perSeq: number[] = [];
    const perPipelined: number[] = [];
    // One command per read event from 16 connections at once: the server stays busy, as in a
    // run, instead of sleeping and waking for every command (which costs far more when idle).
    const conns = await Promise.all(Array.from({ length: 16 }, () => Admin.connect(address)));
    for (let k = 0; k < 3; k++) {
      let before = cpuS(await a.info('cpu'));
      await Promise.all(
        conns.map(async (c) => {
          for (let i = 0; i < seqN / 16; i++) await c.command(['GET', 'calibrate:k']);
        }),
      );
      perSeq.push(((cpuS(await a.info('cpu')) - before) * 1e6) / seqN);
      before = cpuS(await a.info('cpu'));
      for (let i = 0; i < batches; i++) await a.pipeline(cmds);
      perPipelined.push(((cpuS(await a.info('cpu')) - before) * 1e6) / (batch * batches));
    }
    for (const c of conns) c.close();
    const perSeqUs = median(perSeq);
    const perPipelinedUs = median(perPipelined);
    await a.command(['DEL', 'calibrate:k']);

    const commandUs = round3(Math.max(0.1, perPipelinedUs));
    const readEventUs = round3(Math.max(0, perSeqUs - perPipelinedUs));
    const latencyMs = round3(Math.max(1, (rttUs - perSeqUs) / 2) / 1000);

    // The runtime's cost per step: short real runs of each of the scenario's clients, after one
    // to warm the JIT up (a cold run costs twice as much per step), pooled over every step.
    const place = { redisAddress: address, address, own: null, proxy: null };
    await runRealWorld({ ...s, durationMs: 300, faults: [] }, { spec: s.clients[0]! }, place);
    let busyNs = 0;
    let steps = 0;
    for (const spec of s.clients) {
      const w = await runRealWorld({ ...s, durationMs: Math.min(s.durationMs, 2000), faults: [] }, { spec }, place);
      busyNs += w.server.nsPerStep * w.server.steps;
      steps += w.server.steps;
    }
    // On a loaded machine a step's wall time includes waiting for a core and can pass what the
    // schema accepts (1 ms): keep the written scenario valid, say it was capped.
    const measuredNs = steps === 0 ? 0 : Math.round(busyNs / steps);
    const nsPerStep = Math.min(measuredNs, MAX_STEP_NS);

    const scenario: Scenario = {
      ...s,
      name: `${s.name}-calibrated`.slice(0, 80),
      description: `${s.name}, calibrated on this machine: round trip ${Math.round(rttUs)} µs, Redis ${readEventUs} µs per read event + ${commandUs} µs per command, runtime ${nsPerStep} ns per step${measuredNs > nsPerStep ? ` (measured ${measuredNs}, capped: the machine was busy)` : ''}`.slice(0, 400),
      network: { ...s.network, latencyMs, jitterMs: 0 },
      server: { ...s.server, commandUs, commandDist: 'fixed', readEventUs },
      runtime: { schedulers: 1, codecNsPerByte: 0, copyNsPerByte: 0, sendNs: 0, stepOverheadNs: nsPerStep },
    };
    return { rttUs: Math.round(rttUs), readEventUs, commandUs, nsPerStep, scenario };
  } finally {
    a.close();
  }
}
