/**
 * The network's fault windows: one object the network consults on every SYN and segment, as
 * turmoil's topology is (which links are partitioned or held, with what latency). Every windowed
 * fault has one shape: it opens with a value for a while, is traced as 'net.fault' when it opens
 * and 'net.heal' when it ends, and the network only asks what holds now. The policy (which fault
 * opens which window, with what value) is sim/faults/'s; the mechanism is here.
 */
import type { Kernel } from '../kernel/kernel.js';
import type { Micros } from '../kernel/time.js';

type Trace = Kernel['trace']['record'];

function checkDuration(forUs: Micros): void {
  if (!(forUs >= 0) || !Number.isFinite(forUs)) throw new RangeError(`a fault's duration must be a number of µs >= 0, got ${forUs}`);
}

/**
 * A fault that holds one value over a span of time; another of the same kind while it holds replaces
 * the value (as `merge` says) and extends the window if it ends later: only the latest end heals
 * it, so overlapping faults of one kind read as one.
 */
export class Window<V> {
  private current: { until: Micros; value: V } | null = null;

  constructor(
    private readonly kernel: Kernel,
    private readonly trace: Trace,
    /** The fault's name in the trace. */
    readonly fault: string,
    /** What it does when it ends (by time or by `end`), after the heal is traced. */
    private readonly onEnd: () => void = () => {},
  ) {}

  /** The value while it holds, else null. */
  get value(): V | null {
    return this.current === null ? null : this.current.value;
  }

  /** Opens it (or extends it) for `forUs`; `merge` gets the value that still holds, if any. */
  open(forUs: Micros, value: V, detail = '', merge: (held: V, value: V) => V = (_held, v) => v): void {
    this.trace('net.fault', { fault: this.fault, forUs, detail });
    checkDuration(forUs);
    const until = this.kernel.now + Math.round(forUs);
    const w = this.current;
    if (w !== null) w.value = merge(w.value, value);
    if (w !== null && w.until >= until) return;
    const next = { until, value: w === null ? value : w.value };
    this.current = next;
    this.kernel.at(until, () => {
      if (this.current === next) this.end();
    });
  }

  /** Ends it now (nothing happens if it does not hold). */
  end(): void {
    if (this.current === null) return;
    this.current = null;
    this.trace('net.heal', { fault: this.fault });
    this.onEnd();
  }
}

/**
 * A fault whose windows add up, each with its own end: the latency spike (two overlapping spikes
 * add both delays). Asked for the sum at a time, so a segment gets the delay of when it was sent.
 */
export class SummedWindows {
  private windows: Array<{ from: Micros; until: Micros; value: number }> = [];

  constructor(
    private readonly kernel: Kernel,
    private readonly trace: Trace,
    readonly fault: string,
  ) {}

  open(forUs: Micros, value: number, detail = ''): void {
    this.trace('net.fault', { fault: this.fault, forUs, detail });
    checkDuration(forUs);
    const w = { from: this.kernel.now, until: this.kernel.now + forUs, value };
    this.windows.push(w);
    this.kernel.at(w.until, () => {
      this.windows = this.windows.filter((x) => x !== w);
      this.trace('net.heal', { fault: this.fault });
    });
  }

  /** The sum of the windows that hold at `t`. */
  at(t: Micros): number {
    let sum = 0;
    for (const w of this.windows) if (t >= w.from && t < w.until) sum += w.value;
    return sum;
  }
}

/** Every fault window of one network. */
export class FaultWindows {
  /** New connections are refused (RST on SYN). */
  readonly refuse: Window<true>;
  /** No byte crosses: 'hold' keeps them for the heal, 'drop' loses them (and wins over 'hold'). */
  readonly partition: Window<'hold' | 'drop'>;
  /** One-way latency added to segments sent in the window, µs. */
  readonly latency: SummedWindows;
  /** Both directions of every connection capped, Mbps (the latest fault's). */
  readonly bandwidth: Window<number>;

  constructor(kernel: Kernel, trace: Trace, healPartition: () => void) {
    this.refuse = new Window(kernel, trace, 'refuse_connections');
    this.partition = new Window(kernel, trace, 'partition', healPartition);
    this.latency = new SummedWindows(kernel, trace, 'latency');
    this.bandwidth = new Window(kernel, trace, 'bandwidth');
  }
}
