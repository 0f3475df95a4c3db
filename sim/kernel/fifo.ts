/**
 * A first-in first-out queue over one array that never shrinks: drained, it starts over at the
 * front of the same array. (Emptying an array with `length = 0` frees its backing store, and the
 * next push allocates one again: per event, or per process step, that was garbage.)
 */
export class Fifo<T> {
  private items: Array<T | undefined> = [];
  private head = 0;
  private tail = 0;

  get size(): number {
    return this.tail - this.head;
  }

  push(item: T): void {
    this.items[this.tail++] = item;
  }

  /** The oldest item, left in the queue. */
  peek(): T | undefined {
    return this.head < this.tail ? this.items[this.head] : undefined;
  }

  /** Takes the oldest item out. */
  shift(): T | undefined {
    if (this.head === this.tail) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head === this.tail) this.head = this.tail = 0;
    else if (this.head > 1024 && this.head * 2 > this.tail) this.compact();
    return item;
  }

  /** Keeps only the items `keep` accepts, in order. */
  retain(keep: (item: T) => boolean): void {
    let n = 0;
    for (let i = this.head; i < this.tail; i++) {
      const item = this.items[i]!;
      if (keep(item)) this.items[n++] = item;
    }
    for (let i = n; i < this.tail; i++) this.items[i] = undefined;
    this.head = 0;
    this.tail = n;
  }

  /** Moves what is queued to the front, so a queue that never drains does not grow. */
  private compact(): void {
    const n = this.tail - this.head;
    this.items.copyWithin(0, this.head, this.tail);
    this.items.fill(undefined, n, this.tail);
    this.head = 0;
    this.tail = n;
  }
}
