import { EventHeap, type HeapEntry } from './heap.js';

/** An entry of the queue: a heap entry with a link the queue threads its buckets through (null outside one). */
export interface QueueEntry extends HeapEntry {
  next: QueueEntry | null;
}

/** The near window, µs: one bucket per microsecond (a power of two). */
const WINDOW_BITS = 13;
const WINDOW = 1 << WINDOW_BITS;
const MASK = WINDOW - 1;
const WORDS = WINDOW >>> 5;

/**
 * The kernel's events in (time, seq) order: a calendar queue that uses what a simulation's clock
 * guarantees (it never goes back, and an entry's seq is larger than every seq before it).
 *
 * Entries due within WINDOW µs of the last one taken (`base`) sit in one bucket per microsecond,
 * a linked list in the order they came, which is seq order: pushing and taking one is a few
 * array writes, where the binary heap it replaces compared (time, seq) pairs some 2·log2(n)
 * times per event (~10% of a world's CPU). A bitmap finds the next bucket in use. Entries further
 * ahead (a call's timeout, seconds away and mostly cancelled) wait in a heap and move to their
 * bucket, in heap order, as soon as the window reaches them: before anything is pushed there
 * directly, so the bucket keeps seq order.
 */
export class EventQueue<T extends QueueEntry> {
  /** Each bucket's last entry, whose link closes the ring back to its first (one array, not two). */
  private readonly tails: Array<T | null> = new Array<T | null>(WINDOW).fill(null);
  /** Bit i of word w: bucket 32·w + i holds entries. */
  private readonly bits = new Int32Array(WORDS);
  /** The window is [base, base + WINDOW); base is the time of the entry taken last. */
  private base = 0;
  private near = 0;
  private readonly far = new EventHeap<T>();
  /** The bucket the last peek found (-1: none, or the heap's top). */
  private peeked = -1;

  get size(): number {
    return this.near + this.far.size;
  }

  /** Queues `e`; its time must be at or after the last entry taken. */
  push(e: T): void {
    if (e.time - this.base < WINDOW) this.append(e);
    else this.far.push(e);
    this.peeked = -1;
  }

  /**
   * Queues `e` in (time, seq) order even where entries of its time with a larger seq are queued
   * already (push puts it after them): for an entry whose seq was reserved earlier (a world's
   * faults, sim/worlds/world.ts). Walks its bucket: rare, not a hot path.
   */
  insert(e: T): void {
    if (e.time - this.base >= WINDOW) {
      this.far.push(e);
      this.peeked = -1;
      return;
    }
    const slot = e.time & MASK;
    const tail = this.tails[slot]!;
    if (tail === null || tail.seq < e.seq) {
      this.append(e);
    } else {
      // The ring holds one time's entries (the window maps each slot to one time) in seq order.
      let prev: QueueEntry = tail;
      while (prev.next!.seq < e.seq) prev = prev.next!;
      e.next = prev.next;
      prev.next = e;
      this.near++;
    }
    this.peeked = -1;
  }

  /** The least entry by (time, seq), left in the queue. */
  peek(): T | undefined {
    if (this.near === 0) return this.far.peek();
    const slot = this.nextSlot();
    this.peeked = slot;
    return this.tails[slot]!.next as T;
  }

  /**
   * Takes the least entry out to run it: the clock moves to its time, and the window with it.
   * (An entry dropped unrun, a cancelled one, leaves the window where it is: the clock may still
   * be before it, and an entry pushed meanwhile must find its bucket ahead of base.)
   */
  pop(): T | undefined {
    const e = this.drop();
    if (e !== undefined) this.advance(e.time);
    return e;
  }

  /** Takes the least entry out without moving the window (it will not run). */
  drop(): T | undefined {
    let e: T | undefined;
    if (this.near === 0) {
      e = this.far.pop();
      if (e === undefined) return undefined;
    } else {
      const slot = this.peeked >= 0 ? this.peeked : this.nextSlot();
      const tail = this.tails[slot]!;
      e = tail.next as T;
      if (e === tail) {
        this.tails[slot] = null;
        this.bits[slot >>> 5]! &= ~(1 << (slot & 31));
      } else {
        tail.next = e.next;
      }
      e.next = null;
      this.near--;
    }
    this.peeked = -1;
    return e;
  }

  /** Keeps only the entries `keep` accepts; the order of the others is unchanged. */
  retain(keep: (entry: T) => boolean): void {
    this.far.retain(keep);
    if (this.near === 0) return;
    const { tails, bits } = this;
    for (let w = 0; w < WORDS; w++) {
      let word = bits[w]!;
      while (word !== 0) {
        const low = word & -word;
        word ^= low;
        const slot = (w << 5) + 31 - Math.clz32(low);
        const last = tails[slot]!;
        let head: T | null = null;
        let tail: T | null = null;
        for (let e = last.next as T, more = true; more; ) {
          const next = e.next as T;
          more = e !== last;
          e.next = null;
          if (keep(e)) {
            if (tail === null) head = e;
            else tail.next = e;
            tail = e;
          } else {
            this.near--;
          }
          e = next;
        }
        if (tail === null) {
          tails[slot] = null;
          bits[w]! &= ~low;
        } else {
          tail.next = head;
          tails[slot] = tail;
        }
      }
    }
    this.peeked = -1;
  }

  private append(e: T): void {
    const slot = e.time & MASK;
    const tail = this.tails[slot]!;
    if (tail === null) {
      e.next = e;
      this.bits[slot >>> 5]! |= 1 << (slot & 31);
    } else {
      e.next = tail.next;
      tail.next = e;
    }
    this.tails[slot] = e;
    this.near++;
  }

  /** The window now starts at `t`: what the heap holds before its new end moves to its buckets. */
  private advance(t: number): void {
    this.base = t;
    const far = this.far;
    for (let top = far.peek(); top !== undefined && top.time - t < WINDOW; top = far.peek()) this.append(far.pop()!);
  }

  /** The first bucket in use from base's on, round the ring (near > 0). */
  private nextSlot(): number {
    const bits = this.bits;
    const start = this.base & MASK;
    let w = start >>> 5;
    let word = bits[w]! & (-1 << (start & 31));
    for (let k = 0; word === 0 && k < WORDS; k++) {
      w = (w + 1) & (WORDS - 1);
      word = bits[w]!;
    }
    return (w << 5) + 31 - Math.clz32(word & -word);
  }
}
