/**
 * The runtime's live refs (monitors, aliases) by number. Refs are made in increasing order and
 * most live briefly (a call's alias: made, answered, dropped), so the recent ones sit in a column
 * indexed by ref number from the oldest still held, and one still held RECENT_MAX refs later (a
 * pool's monitor of its connection) moves to a map. Setting, finding and dropping a call's ref is
 * then an array access. A Map hashed the number, and the tables it allocated as it grew and shrank
 * with every call, with the entries they held, were a quarter of what outlived a young-generation
 * GC in a 200k-request world (sampled: 63-69 MB -> 44-47 MB).
 */
const RECENT_MAX = 4096;

export class RefTable<E extends { readonly ref: number }> {
  /** The column: col[head + i] is ref `first + i`, undefined where none is held; undefined outside [head, tail). */
  private readonly col: Array<E | undefined> = [];
  private head = 0;
  private tail = 0;
  private first = 0;
  /** Refs older than `first`, still held. */
  private readonly old = new Map<number, E>();

  /** Holds `e` under `e.ref`, which is larger than every ref held before. */
  set(e: E): void {
    const ref = e.ref;
    while (this.head < this.tail && ref - this.first >= RECENT_MAX) this.age();
    if (this.head === this.tail) {
      this.head = this.tail = 0;
      this.first = ref;
    }
    for (let r = this.first + this.tail - this.head; r < ref; r++) this.put(undefined);
    this.put(e);
  }

  get(ref: number): E | undefined {
    const i = ref - this.first;
    if (i >= 0) return i < this.tail - this.head ? this.col[this.head + i] : undefined;
    return this.old.size === 0 ? undefined : this.old.get(ref);
  }

  delete(ref: number): void {
    const i = ref - this.first;
    if (i < 0) {
      this.old.delete(ref);
      return;
    }
    if (i >= this.tail - this.head) return;
    this.col[this.head + i] = undefined;
    if (i === 0) this.trim();
  }

  private put(e: E | undefined): void {
    if (this.tail < this.col.length) this.col[this.tail] = e;
    else this.col.push(e);
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

  /** The oldest ref in the column (held: trim leaves none unheld at the front) moves to the map. */
  private age(): void {
    const e = this.col[this.head]!;
    this.old.set(e.ref, e);
    this.col[this.head] = undefined;
    this.trim();
  }
}
