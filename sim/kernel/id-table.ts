/**
 * Values by whole-number id, for ids handed out in increasing order (refs, requests) that mostly
 * live briefly: the recent ones sit in a column indexed by id from the oldest still held, and one
 * still held RECENT_MAX ids later (a pool's monitor of its connection), or set again after the
 * column has moved past it (a request resent after it was settled), sits in a map. Setting,
 * finding and dropping a short-lived id is then an array access. A Map hashed the number, and the
 * tables it allocated as it grew and shrank with every call, with the entries they held, were a
 * quarter of what outlived a young-generation GC in a 200k-request world (the runtime's refs;
 * sampled: 63-69 MB -> 44-47 MB).
 */
const RECENT_MAX = 4096;

export class IdTable<V> {
  /** The column: col[head + i] is id `first + i`, undefined where none is held; undefined outside [head, tail). */
  private readonly col: Array<V | undefined> = [];
  private head = 0;
  private tail = 0;
  private first = 0;
  /** Ids below `first`, still held. */
  private readonly old = new Map<number, V>();

  set(id: number, v: V): void {
    const i = id - this.first;
    if (i < 0) {
      this.old.set(id, v);
      return;
    }
    if (i < this.tail - this.head) {
      this.col[this.head + i] = v;
      return;
    }
    while (this.head < this.tail && id - this.first >= RECENT_MAX) this.age();
    if (this.head === this.tail) {
      this.head = this.tail = 0;
      this.first = id;
    }
    for (let k = this.first + this.tail - this.head; k < id; k++) this.put(undefined);
    this.put(v);
  }

  get(id: number): V | undefined {
    const i = id - this.first;
    if (i >= 0) return i < this.tail - this.head ? this.col[this.head + i] : undefined;
    return this.old.size === 0 ? undefined : this.old.get(id);
  }

  delete(id: number): void {
    const i = id - this.first;
    if (i < 0) {
      this.old.delete(id);
      return;
    }
    if (i >= this.tail - this.head) return;
    this.col[this.head + i] = undefined;
    if (i === 0) this.trim();
  }

  /** How many ids are held (counts the column: for reports and tests, not hot paths). */
  get size(): number {
    let n = this.old.size;
    for (let i = this.head; i < this.tail; i++) if (this.col[i] !== undefined) n++;
    return n;
  }

  /** The values held, in no particular order. */
  values(): V[] {
    const out = [...this.old.values()];
    for (let i = this.head; i < this.tail; i++) {
      const v = this.col[i];
      if (v !== undefined) out.push(v);
    }
    return out;
  }

  private put(v: V | undefined): void {
    if (this.tail < this.col.length) this.col[this.tail] = v;
    else this.col.push(v);
    this.tail++;
  }

  /**
   * Moves the front past the slots no longer held; once the front half of the array is unused, the
   * rest moves to its start. (The array never shrinks: emptied with `length = 0` it would be
   * allocated again by the next push, once per call in a world of one caller.)
   */
  private trim(): void {
    const col = this.col;
    const tail = this.tail;
    let h = this.head;
    while (h < tail && col[h] === undefined) h++;
    this.first += h - this.head;
    if (h === tail) {
      this.head = this.tail = 0;
    } else if (h > 1024 && h * 2 > tail) {
      col.copyWithin(0, h, tail);
      col.fill(undefined, tail - h, tail);
      this.head = 0;
      this.tail = tail - h;
    } else {
      this.head = h;
    }
  }

  /** The oldest id in the column (held: trim leaves none unheld at the front) moves to the map. */
  private age(): void {
    this.old.set(this.first, this.col[this.head]!);
    this.col[this.head] = undefined;
    this.trim();
  }
}
