import { describe, expect, it } from 'vitest';
import { FAULTS, FAULT_KINDS, addedLatencyUs, describeFault, faultSchema, faultWithDefaults } from '../../../sim/faults/index.js';
import { parseScenario } from '../../../sim/scenario/index.js';
import { FAULT_KINDS as PICKER, actions, faultKey } from '../../../web/src/actions.js';

describe('the fault registry', () => {
  it('gives_every_kind_defaults_its_own_schema_accepts', () => {
    for (const kind of FAULT_KINDS) expect(faultSchema.safeParse(faultWithDefaults(kind, 10)).success, kind).toBe(true);
  });

  it('names_every_kind_in_the_error_for_an_unknown_one', () => {
    const r = parseScenario({ clients: [{ label: 'p', kind: 'pool' }], faults: [{ atMs: 1, kind: 'meteor' }] });
    expect(r.ok).toBe(false);
    if (!r.ok) for (const kind of FAULT_KINDS) expect(r.errors[0]).toContain(`"${kind}"`);
  });

  it('gives_the_lab_one_picker_entry_and_one_key_per_kind_in_order', () => {
    expect(PICKER.map((f) => f.kind)).toEqual(FAULT_KINDS);
    FAULT_KINDS.forEach((kind, i) => {
      const a = actions.find((x) => x.id === `select-fault-${kind}`);
      expect(a?.keys, kind).toEqual([faultKey(i)].filter((k) => k !== null));
    });
    // Each key is one a keyboard has: 1-9 then 0; a kind beyond the tenth is picked from the list.
    expect([0, 8, 9, 10].map(faultKey)).toEqual(['1', '9', '0', null]);
    for (const d of FAULTS) expect(d.label.length * d.description.length, d.kind).toBeGreaterThan(0);
  });

  it('describes_a_fault_by_its_kind_parameters_and_window', () => {
    expect(describeFault({ atMs: 300, kind: 'latency', addMs: 20, forMs: 200 })).toBe('latency +20 ms at 300 ms for 200 ms');
    expect(describeFault({ atMs: 5, kind: 'kill_caller', caller: 2 })).toBe('kill caller #2 at 5 ms');
  });

  it('checks_a_kill_caller_index_against_the_workload', () => {
    const r = parseScenario({ workload: { callers: 3 }, clients: [{ label: 'p', kind: 'pool' }], faults: [{ atMs: 1, kind: 'kill_caller', caller: 3 }] });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors).toEqual([expect.stringMatching(/^faults\[0\]\.caller: expected a caller index below workload.callers \(3\)/)]);
  });

  it('adds_the_latency_of_each_fault_that_holds_at_t_as_its_module_declares', () => {
    const faults = [
      { atMs: 10, kind: 'latency', addMs: 20, forMs: 5 },
      { atMs: 12, kind: 'latency', addMs: 1.5, forMs: 10 },
      { atMs: 0, kind: 'server_pause', forMs: 100 },
      { atMs: 0, kind: 'partition', forMs: 100 },
    ] as const;
    expect(addedLatencyUs(faults, 9_999)).toBe(0);
    expect(addedLatencyUs(faults, 10_000)).toBe(20_000);
    expect(addedLatencyUs(faults, 12_000)).toBe(21_500);
    // Each window is [atMs, atMs + forMs): the first has ended at 15 ms.
    expect(addedLatencyUs(faults, 15_000)).toBe(1_500);
    expect(addedLatencyUs(faults, 22_000)).toBe(0);
  });
});
