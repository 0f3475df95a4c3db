import type { Kernel } from '../kernel/kernel.js';
import type { Rng } from '../kernel/rng.js';
import type { Pid, Runtime } from '../runtime/index.js';
import { defineFault, type Callers } from './fault.js';
import { whole } from '../scenario/fields.js';

declare module '../kernel/trace.js' {
  interface TraceEvents {
    'fault.kill_caller': { pid: number };
  }
}

export const killCaller = defineFault(
  'kill_caller',
  { caller: whole(0, 'a caller index >= 0', 99_999).optional().meta({ title: 'Caller', unit: 'index', empty: 'a live one at random', description: 'empty: a live one at random' }) },
  {
    label: 'Kill a caller',
    description: 'A caller process is killed mid-request (caller: its index, else a live one at random): the client must not leak what it held.',
    defaults: {},
    detail: (f) => (f.caller !== undefined ? ` #${f.caller}` : ''),
    sim: (f, w) => w.callers.kill(f.caller),
    // An exit signal in the runtime, as in the simulator.
    real: async (f, r) => r.callers.kill(f.caller),
    events: ['fault.kill_caller'],
    check(f, s) {
      if (f.caller === undefined) return null;
      if (s.workload.mode === 'open') return { field: 'caller', message: 'expected no caller index in open mode (a random live caller is killed)' };
      if (f.caller >= s.workload.callers) return { field: 'caller', message: `expected a caller index below workload.callers (${s.workload.callers})` };
      return null;
    },
  },
);

/** The workload's callers as faults reach them, in a simulated world and on the real driver alike. */
export function workloadCallers(kernel: Kernel, rt: Runtime, callers: readonly Pid[], live: ReadonlySet<Pid>, rng: Rng): Callers {
  return {
    kill(index) {
      const pid = index !== undefined ? callers[index] : [...live][rng.int(0, Math.max(0, live.size - 1))];
      if (pid === undefined || !rt.isAlive(pid)) return;
      kernel.trace.record('fault.kill_caller', { pid });
      rt.exit(pid, 'kill');
    },
  };
}
