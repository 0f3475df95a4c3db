/**
 * A binary min-heap of scheduled entries ordered by (time, seq).
 * `seq` is a monotonic tie-breaker, so entries at the same time come out in insertion order.
 */
export interface HeapEntry {
  time: number;
  seq: number;
}

function before(a: HeapEntry, b: HeapEntry): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}

export class EventHeap<T extends HeapEntry> {
  private items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(entry: T): void {
    const items = this.items;
    let i = items.length;
    items.push(entry);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent]!;
      if (!before(entry, p)) break;
      items[i] = p;
      i = parent;
    }
    items[i] = entry;
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    this.siftDown(last, 0);
    return top;
  }

  /**
   * Keeps only the entries `keep` accepts and restores the heap order (Floyd's bottom-up build,
   * linear). (time, seq) is a total order, so what pops afterwards does not depend on the layout.
   */
  retain(keep: (entry: T) => boolean): void {
    this.items = this.items.filter(keep);
    for (let i = (this.items.length >> 1) - 1; i >= 0; i--) this.siftDown(this.items[i]!, i);
  }

  clear(): void {
    this.items = [];
  }

  /** Places `entry` at hole `i` or below it, moving smaller children up. */
  private siftDown(entry: T, i: number): void {
    const items = this.items;
    const n = items.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && before(items[r]!, items[l]!)) c = r;
      const child = items[c]!;
      if (!before(child, entry)) break;
      items[i] = child;
      i = c;
    }
    items[i] = entry;
  }
}
