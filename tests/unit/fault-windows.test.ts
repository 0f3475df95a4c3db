import { describe, expect, it } from 'vitest';
import { Kernel, ms } from '../../sim/kernel/index.js';
import { FaultWindows } from '../../sim/net/fault-windows.js';

function windows() {
  const kernel = new Kernel({ seed: 1 });
  const trace = kernel.trace.record.bind(kernel.trace);
  const healed: number[] = [];
  const w = new FaultWindows(kernel, trace, () => healed.push(kernel.now));
  const events = () =>
    kernel.trace
      .toArray()
      .filter((e) => e.kind === 'net.fault' || e.kind === 'net.heal')
      .map((e) => `${e.t} ${e.kind} ${String((e as unknown as { fault: string }).fault)}`);
  return { kernel, w, healed, events };
}

describe('the network fault windows', () => {
  it('overlapping_windows_of_one_kind_read_as_one_healed_at_the_latest_end', () => {
    const { kernel, w, events } = windows();
    const seen: Array<[number, true | null]> = [];
    kernel.at(0, () => w.refuse.open(ms(10), true));
    kernel.at(ms(5), () => w.refuse.open(ms(20), true)); // ends at 25 ms
    kernel.at(ms(8), () => w.refuse.open(ms(1), true)); // inside: changes nothing
    for (const t of [ms(9), ms(11), ms(24), ms(25) + 1]) kernel.at(t, () => seen.push([t, w.refuse.value]));
    kernel.run();
    expect(seen).toEqual([
      [ms(9), true],
      [ms(11), true],
      [ms(24), true],
      [ms(25) + 1, null],
    ]);
    expect(events().filter((e) => e.includes('heal'))).toEqual([`${ms(25)} net.heal refuse_connections`]);
  });

  it('a_drop_partition_stays_a_drop_when_a_hold_overlaps_it_and_ending_it_early_heals_once', () => {
    const { kernel, w, healed, events } = windows();
    const modes: Array<string | null> = [];
    kernel.at(0, () => w.partition.open(ms(10), 'drop', 'drop', (held, m) => (held === 'drop' ? 'drop' : m)));
    kernel.at(ms(1), () => w.partition.open(ms(50), 'hold', 'hold', (held, m) => (held === 'drop' ? 'drop' : m)));
    kernel.at(ms(2), () => modes.push(w.partition.value));
    kernel.at(ms(3), () => w.partition.end());
    kernel.at(ms(4), () => modes.push(w.partition.value));
    kernel.run();
    expect(modes).toEqual(['drop', null]);
    // Neither the first window's end nor the second's heals it again.
    expect(healed).toEqual([ms(3)]);
    expect(events().filter((e) => e.includes('heal'))).toEqual([`${ms(3)} net.heal partition`]);
  });

  it('the_latest_bandwidth_cap_holds_until_the_window_ends', () => {
    const { kernel, w } = windows();
    const caps: Array<number | null> = [];
    kernel.at(0, () => w.bandwidth.open(ms(10), 8));
    kernel.at(ms(2), () => w.bandwidth.open(ms(2), 1)); // ends sooner, still replaces the cap
    for (const t of [ms(1), ms(3), ms(9), ms(10) + 1]) kernel.at(t, () => caps.push(w.bandwidth.value));
    kernel.run();
    expect(caps).toEqual([8, 1, 1, null]);
  });

  it('latency_windows_add_up_each_with_its_own_end_read_at_the_send_time', () => {
    const { kernel, w, events } = windows();
    kernel.at(0, () => w.latency.open(ms(10), 100));
    kernel.at(ms(5), () => w.latency.open(ms(10), 30));
    let after = -1;
    kernel.at(ms(20), () => (after = w.latency.at(ms(7))));
    kernel.run();
    expect(after).toBe(0); // both ended: forgotten
    const k2 = windows();
    const sums: number[] = [];
    k2.kernel.at(0, () => k2.w.latency.open(ms(10), 100));
    k2.kernel.at(ms(5), () => k2.w.latency.open(ms(10), 30));
    k2.kernel.at(ms(6), () => sums.push(k2.w.latency.at(ms(1)), k2.w.latency.at(ms(6))));
    k2.kernel.at(ms(12), () => sums.push(k2.w.latency.at(ms(12))));
    k2.kernel.run();
    expect(sums).toEqual([100, 130, 30]);
    expect(events().filter((e) => e.includes('heal'))).toEqual([`${ms(10)} net.heal latency`, `${ms(15)} net.heal latency`]);
  });

  it('a_duration_that_is_not_a_number_of_us_is_refused_by_name', () => {
    const { kernel, w } = windows();
    let error = '';
    kernel.at(0, () => {
      try {
        w.refuse.open(Number.NaN, true);
      } catch (e) {
        error = String(e);
      }
    });
    kernel.run();
    expect(error).toMatch(/fault's duration must be a number of µs >= 0, got NaN/);
  });
});
