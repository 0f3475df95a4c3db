import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EventHeap, Kernel, Rng, Trace, ms } from '../../sim/kernel/index.js';
import { Fifo } from '../../sim/kernel/fifo.js';
import { EventQueue, type QueueEntry } from '../../sim/kernel/queue.js';
import { Weighted } from '../../sim/kernel/rng.js';

describe('kernel event ordering', () => {
  it('same_time_events_run_in_insertion_order', () => {
    const k = new Kernel({ seed: 1 });
    const order: string[] = [];
    k.at(10, () => order.push('a'));
    k.at(5, () => order.push('early'));
    k.at(10, () => order.push('b'));
    k.at(10, () => order.push('c'));
    k.run();
    expect(order).toEqual(['early', 'a', 'b', 'c']);
  });

  it('events_scheduled_while_running_at_the_same_time_run_after_those_already_queued', () => {
    const k = new Kernel({ seed: 1 });
    const order: string[] = [];
    k.at(10, () => {
      order.push('first');
      k.at(10, () => order.push('nested'));
    });
    k.at(10, () => order.push('second'));
    k.run();
    expect(order).toEqual(['first', 'second', 'nested']);
  });

  it('any_schedule_runs_in_time_then_insertion_order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 200 }), (times) => {
        const k = new Kernel({ seed: 1 });
        const ran: Array<[number, number]> = [];
        times.forEach((t, i) => k.at(t, () => ran.push([k.now, i])));
        k.run();
        const expected = times.map((t, i) => [t, i] as [number, number]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        expect(ran).toEqual(expected);
      }),
    );
  });

  it('events_for_the_current_instant_keep_the_time_then_seq_order_with_the_heap', () => {
    // Events scheduled for the instant the clock is at skip the heap (a queue of their own). A
    // naive kernel (one list sorted by time, then seq) runs the same plan: events that schedule
    // others (often at the same instant), cancel others, and events scheduled from outside any
    // event after run(until) left the clock between events.
    type Plan = Array<[number[], number | null]>;
    interface Clock {
      readonly now: number;
      at(time: number, fn: () => void): { cancel(): void };
      run(until?: number): unknown;
    }
    class Naive implements Clock {
      now = 0;
      private seq = 0;
      private queue: Array<{ time: number; seq: number; fn: () => void; cancelled: boolean }> = [];
      at(time: number, fn: () => void) {
        const e = { time, seq: this.seq++, fn, cancelled: false };
        this.queue.push(e);
        this.queue.sort((a, b) => a.time - b.time || a.seq - b.seq);
        return { cancel: () => void (e.cancelled = true) };
      }
      run(until = Infinity) {
        while (this.queue.length > 0 && this.queue[0]!.time <= until) {
          const e = this.queue.shift()!;
          if (e.cancelled) continue;
          this.now = e.time;
          e.fn();
        }
        if (Number.isFinite(until) && until > this.now) this.now = until;
      }
    }
    const play = (clock: Clock, plan: Plan, pauseAt: number): number[] => {
      const ran: number[] = [];
      const events: Array<{ cancel(): void }> = [];
      const schedule = (time: number): void => {
        const id = events.length;
        if (id >= plan.length) return;
        events.push(
          clock.at(time, () => {
            ran.push(id);
            const [children, cancel] = plan[id]!;
            for (const d of children) schedule(clock.now + d);
            if (cancel !== null) events[cancel % events.length]!.cancel();
          }),
        );
      };
      schedule(0);
      schedule(pauseAt);
      clock.run(pauseAt);
      schedule(pauseAt);
      schedule(pauseAt + 1);
      clock.run();
      return ran;
    };
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }), fc.option(fc.nat(), { nil: null })), { minLength: 1, maxLength: 80 }),
        fc.integer({ min: 0, max: 6 }),
        (plan, pauseAt) => {
          const k = new Kernel({ seed: 1 });
          expect(play(k, plan, pauseAt)).toEqual(play(new Naive(), plan, pauseAt));
          expect(k.nextTime()).toBeUndefined();
        },
      ),
    );
  });

  it('a_fifo_that_never_drains_compacts_and_keeps_its_order', () => {
    // The property below draws short arrays (fast-check's default size): this one runs long.
    const q = new Fifo<number>();
    for (let i = 0; i < 2000; i++) q.push(i);
    let next = 0;
    for (let i = 2000; i < 100_000; i++) {
      q.push(i);
      expect(q.shift()).toBe(next++);
    }
    expect(q.size).toBe(2000);
    // Without compaction its array would hold 100,000 slots.
    expect((q as unknown as { items: unknown[] }).items.length).toBeLessThan(4200);
    q.retain((n) => n % 3 === 0);
    const rest: number[] = [];
    for (let x = q.shift(); x !== undefined; x = q.shift()) rest.push(x);
    expect(rest).toEqual(Array.from({ length: 2000 }, (_, i) => 98_000 + i).filter((n) => n % 3 === 0));
  });

  it('cancelling_most_events_at_one_instant_purges_them_and_keeps_the_order', () => {
    // 300 events for the current instant (the same-instant queue) and 300 later (the heap);
    // 450 cancelled: more than 64 and more than half of what is pending, so both are purged.
    const k = new Kernel({ seed: 1 });
    const ran: string[] = [];
    k.at(10, () => {
      const evs = [];
      for (let i = 0; i < 300; i++) evs.push(k.at(10, () => ran.push(`now${i}`)));
      for (let i = 0; i < 300; i++) evs.push(k.at(20, () => ran.push(`later${i}`)));
      for (let i = 0; i < 600; i++) if (i % 4 !== 0) evs[i]!.cancel();
    });
    k.run();
    const expected = [...Array.from({ length: 300 }, (_, i) => i).filter((i) => i % 4 === 0).map((i) => `now${i}`), ...Array.from({ length: 300 }, (_, i) => i + 300).filter((i) => i % 4 === 0).map((i) => `later${i - 300}`)];
    expect(ran).toEqual(expected);
    expect(k.pending).toBe(0);
    expect(k.nextTime()).toBeUndefined();
  });

  it('a_fifo_drained_and_refilled_keeps_its_order', () => {
    fc.assert(
      // Mostly pushes and shifts, so the queue runs long without draining and compacts.
      fc.property(fc.array(fc.oneof({ arbitrary: fc.nat(), weight: 30 }, { arbitrary: fc.constant(-1), weight: 20 }, { arbitrary: fc.constant(-2), weight: 1 }), { maxLength: 4000 }), (ops) => {
        const q = new Fifo<number>();
        let model: number[] = [];
        for (const op of ops) {
          if (op === -1) expect(q.shift()).toBe(model.shift());
          else if (op === -2) {
            q.retain((n) => n % 2 === 0);
            model = model.filter((n) => n % 2 === 0);
          } else {
            q.push(op);
            model.push(op);
          }
          expect(q.peek()).toBe(model[0]);
          expect(q.size).toBe(model.length);
        }
      }),
    );
  });

  it('the_heap_pops_what_a_sorted_list_would', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 20 }))), (ops) => {
        const heap = new EventHeap<{ time: number; seq: number }>();
        const model: Array<{ time: number; seq: number }> = [];
        let seq = 0;
        for (const [push, time] of ops) {
          if (push) {
            const e = { time, seq: seq++ };
            heap.push(e);
            model.push(e);
            model.sort((a, b) => a.time - b.time || a.seq - b.seq);
          } else {
            expect(heap.pop()).toBe(model.shift());
          }
        }
        expect(heap.size).toBe(model.length);
      }),
    );
  });
});

describe('the kernel event queue', () => {
  it('the_event_queue_takes_what_a_sorted_list_would_near_and_far', () => {
    // Times from the clock to three of its 8192 µs windows ahead, so entries go to the buckets
    // and the heap and move between them; an entry dropped unrun (a cancelled one) leaves the
    // clock where it was, and what is pushed next may come before it; retain keeps the order.
    type E = QueueEntry & { id: number };
    const op = fc.oneof(
      { arbitrary: fc.tuple(fc.constant('push'), fc.integer({ min: 0, max: 30 })), weight: 4 },
      { arbitrary: fc.tuple(fc.constant('push'), fc.integer({ min: 0, max: 3 * 8192 + 40 })), weight: 2 },
      // About the window's end: its last buckets share a bitmap word with the clock's.
      { arbitrary: fc.tuple(fc.constant('push'), fc.integer({ min: 8192 - 40, max: 8192 + 40 })), weight: 2 },
      { arbitrary: fc.tuple(fc.constant('pop'), fc.constant(0)), weight: 4 },
      { arbitrary: fc.tuple(fc.constant('drop'), fc.constant(0)), weight: 1 },
      { arbitrary: fc.tuple(fc.constant('retain'), fc.integer({ min: 2, max: 4 })), weight: 1 },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 600 }), (ops) => {
        const q = new EventQueue<E>();
        let model: E[] = [];
        let clock = 0;
        let seq = 0;
        for (const [kind, n] of ops) {
          if (kind === 'push') {
            const e: E = { time: clock + n, seq: seq, id: seq, next: null };
            seq++;
            q.push(e);
            model.push(e);
            model.sort((a, b) => a.time - b.time || a.seq - b.seq);
          } else if (kind === 'retain') {
            q.retain((e) => e.id % n !== 0);
            model = model.filter((e) => e.id % n !== 0);
          } else {
            expect(q.peek()).toBe(model[0]);
            const e = kind === 'pop' ? q.pop() : q.drop();
            expect(e).toBe(model.shift());
            if (kind === 'pop' && e !== undefined) clock = e.time;
          }
          expect(q.size).toBe(model.length);
        }
        for (let e = q.pop(); e !== undefined; e = q.pop()) expect(e).toBe(model.shift());
        expect(model).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('kernel timers', () => {
  it('cancelled_timer_never_fires_and_others_still_do', () => {
    const k = new Kernel({ seed: 1 });
    const fired: string[] = [];
    const t1 = k.after(ms(1), () => fired.push('t1'));
    k.after(ms(2), () => fired.push('t2'));
    const t3 = k.after(ms(3), () => fired.push('t3'));
    k.after(ms(1), () => t3.cancel());
    t1.cancel();
    k.run();
    expect(fired).toEqual(['t2']);
    expect(k.now).toBe(ms(2));
  });

  it('run_until_stops_at_the_bound_and_leaves_the_clock_there', () => {
    const k = new Kernel({ seed: 1 });
    const fired: number[] = [];
    for (const t of [10, 20, 30]) k.at(t, () => fired.push(t));
    k.run(20);
    expect(fired).toEqual([10, 20]);
    expect(k.now).toBe(20);
    k.run(25);
    expect(k.now).toBe(25);
    expect(k.nextTime()).toBe(30);
    k.run();
    expect(fired).toEqual([10, 20, 30]);
  });

  it('run_with_max_events_reports_that_work_remains', () => {
    const k = new Kernel({ seed: 1 });
    for (let i = 0; i < 10; i++) k.at(i, () => {});
    expect(k.run(Infinity, 4)).toBe(true);
    expect(k.eventsRun).toBe(4);
    expect(k.run(Infinity, 100)).toBe(false);
    expect(k.eventsRun).toBe(10);
  });

  it('refuses_past_and_fractional_times', () => {
    const k = new Kernel({ seed: 1 });
    k.at(10, () => {});
    k.run();
    expect(() => k.at(5, () => {})).toThrow(/past/);
    expect(() => k.at(10.5, () => {})).toThrow(/integer number of microseconds/);
  });
});

describe('random streams', () => {
  it('a_weighted_choice_taken_once_picks_what_rng_weighted_picks', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 4 }), fc.double({ min: 0, max: 10, noNaN: true }), { minKeys: 1, maxKeys: 6 }), fc.integer(), (weights, seed) => {
        const a = Rng.fromSeed(seed);
        const b = Rng.fromSeed(seed);
        const once = new Weighted(weights);
        for (let i = 0; i < 50; i++) expect(once.pick(b)).toBe(a.weighted(weights));
      }),
    );
  });


  const draws = (r: Rng, n: number) => Array.from({ length: n }, () => r.float());

  it('same_seed_gives_the_same_stream_and_another_seed_does_not', () => {
    expect(draws(Rng.fromSeed(42).child('w'), 5)).toEqual(draws(Rng.fromSeed(42).child('w'), 5));
    expect(draws(Rng.fromSeed(42).child('w'), 5)).not.toEqual(draws(Rng.fromSeed(43).child('w'), 5));
  });

  it('a_draw_in_one_child_stream_never_shifts_another', () => {
    const a = Rng.fromSeed(7);
    const alone = draws(a.child('workload'), 10);
    const b = Rng.fromSeed(7);
    const jitter = b.child('jitter');
    draws(jitter, 3); // an added fault that draws jitter...
    draws(b, 2); // ...and draws from the parent
    expect(draws(b.child('workload'), 10)).toEqual(alone);
  });

  it('children_with_different_names_differ', () => {
    const r = Rng.fromSeed(7);
    expect(draws(r.child('a'), 5)).not.toEqual(draws(r.child('b'), 5));
    expect(draws(r.child('a').child('x'), 5)).not.toEqual(draws(r.child('b').child('x'), 5));
  });

  it('large_seeds_that_differ_only_in_high_bits_give_different_streams', () => {
    expect(draws(Rng.fromSeed(2 ** 40), 3)).not.toEqual(draws(Rng.fromSeed(2 ** 41), 3));
  });

  it('exponential_draws_have_the_requested_mean', () => {
    const r = Rng.fromSeed(3).child('exp');
    const n = 20000;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += r.exp(100);
    // Standard error of the mean is 100/sqrt(n) ~ 0.7; 4 sigma is ~2.8.
    expect(Math.abs(sum / n - 100)).toBeLessThan(3);
  });

  it('int_stays_within_bounds_and_weighted_follows_weights', () => {
    const r = Rng.fromSeed(5);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      const x = r.int(1, 6);
      expect(x).toBeGreaterThanOrEqual(1);
      expect(x).toBeLessThanOrEqual(6);
      seen.add(x);
    }
    expect(seen.size).toBe(6);
    let gets = 0;
    for (let i = 0; i < 10000; i++) if (r.weighted({ GET: 0.8, SET: 0.2 }) === 'GET') gets++;
    expect(gets / 10000).toBeGreaterThan(0.78);
    expect(gets / 10000).toBeLessThan(0.82);
  });
});

declare module '../../sim/kernel/trace.js' {
  interface TraceEvents {
    'test.tick': { n: number; label: string };
  }
}

describe('trace', () => {
  function traceOf(labels: string[]): Trace {
    const clock = { now: 0 };
    const t = new Trace(clock);
    labels.forEach((label, n) => {
      clock.now = n * 10;
      t.record('test.tick', { n, label });
    });
    return t;
  }

  it('same_events_give_the_same_hash_and_any_change_gives_another', () => {
    expect(traceOf(['a', 'b']).hash()).toBe(traceOf(['a', 'b']).hash());
    expect(traceOf(['a', 'b']).hash()).not.toBe(traceOf(['a', 'c']).hash());
    expect(traceOf(['a', 'b']).hash()).not.toBe(traceOf(['a']).hash());
  });

  it('incremental_hashing_equals_hashing_at_the_end', () => {
    const clock = { now: 0 };
    const t = new Trace(clock);
    t.record('test.tick', { n: 0, label: 'a' });
    t.hash();
    clock.now = 10;
    t.record('test.tick', { n: 1, label: 'b' });
    expect(t.hash()).toBe(traceOf(['a', 'b']).hash());
  });

  it('rows_carry_time_kind_and_fields', () => {
    const t = traceOf(['a', 'b']);
    expect(t.toArray()).toEqual([
      { t: 0, kind: 'test.tick', n: 0, label: 'a' },
      { t: 10, kind: 'test.tick', n: 1, label: 'b' },
    ]);
    expect([...t.ofKind('test.tick')].map((e) => e.label)).toEqual(['a', 'b']);
  });
});
