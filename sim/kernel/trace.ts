import type { Micros } from './time.js';

/**
 * The catalogue of trace events. Each module adds its own kinds by declaration merging:
 *
 *   declare module '../kernel/trace.js' {
 *     interface TraceEvents { 'tcp.connect': { conn: number; from: number } }
 *   }
 *
 * so `trace.record(kind, fields)` is type-checked everywhere.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface TraceEvents {}

export type TraceKind = keyof TraceEvents & string;
export type TraceValue = number | string | boolean | null;
/** An event's own fields; `t` and `kind` are the log's and may not be reused. */
export type TraceFields = Readonly<Record<string, TraceValue>> & { readonly t?: never; readonly kind?: never };

/** One event as exported: `t` in microseconds, `kind`, then the event's own fields. */
export type TraceRecord = { t: Micros; kind: string } & Record<string, TraceValue>;

/** The field names of the events of one kind, in the order they were recorded. */
interface Layout {
  readonly kind: string;
  readonly keys: readonly string[];
  /** What the hash reads for the kind's name, computed once (premixed words of StreamHash.string). */
  readonly kindWords: Int32Array;
}

type Slot = Micros | Layout | TraceValue;

/** A kind as a streamed log knows it. */
interface StreamedKind {
  readonly kind: string;
  readonly words: Int32Array;
  /** The observer is told of its events. */
  observed: boolean;
}

const KIND_SLOTS = 64;

/**
 * Where a kind is cached among the recent ones: a cheap mix of its length and two of its letters
 * (kinds are short literals; two that share a slot only cost a Map lookup now and then).
 */
function kindSlot(kind: string): number {
  const n = kind.length;
  return n === 0 ? 0 : (n * 7 + kind.charCodeAt(0) * 3 + kind.charCodeAt(n - 1)) & (KIND_SLOTS - 1);
}

/** Chunks start small (a test's trace is tiny) and double up to this many slots. */
const CHUNK_MAX = 1 << 16;

/**
 * An append-only log of everything observable in one world. Per event it holds its time, its
 * layout (kind and field names), then its field values, one after another in chunks of slots.
 * The hash and the row view are computed only when asked for.
 *
 * Why not keep the field objects themselves: a scenario records millions of events, and kept
 * objects are what the garbage collector copies and marks again and again (two fifths of a run's
 * time went there). Kept as values — small integers, shared strings — they cost it little. Why
 * chunks of fixed size rather than one growing array: growing it copied the whole log again and
 * again; recording an event cost a third less this way. Readers get a fresh object per event
 * they visit; `each` and `ofKind` build them only for the kinds asked for.
 */
export class Trace {
  private readonly chunks: Slot[][] = [];
  /** Slots filled in each chunk but the last (an event never straddles two chunks). */
  private readonly ends: number[] = [];
  private cur: Slot[] = [];
  /** Slots filled in `cur`. */
  private used = 0;
  private count = 0;
  /** Where each event starts (chunk * CHUNK_MAX + slot), built on the first access by index. */
  private readonly offsets: number[] = [];
  /** Each kind's layout as first recorded; one with other fields or another order gets its own. */
  private readonly layoutOfKind = new Map<string, Layout>();
  private readonly otherLayouts = new Map<string, Layout>();
  /** How far the hash has read: events, and where the next one starts. */
  private hashedUpTo = 0;
  private hashedChunk = 0;
  private hashedSlot = 0;
  private readonly hasher = new StreamHash();
  /** Streaming: each kind's premixed name and whether the observer sees it, made once per kind. */
  private readonly kindOf = new Map<string, StreamedKind>();
  /** The kinds last seen, by kindSlot: most events find theirs here rather than in a Map. */
  private readonly recentKinds: Array<StreamedKind | undefined> = new Array<StreamedKind | undefined>(KIND_SLOTS).fill(undefined);

  /** Streaming (kept false): who is told of each event of `observed` kinds as it is recorded. */
  private observer: ((t: Micros, kind: string, fields: TraceFields) => void) | null = null;
  private observed: ReadonlySet<string> = new Set();

  constructor(
    private readonly clock: { readonly now: Micros },
    /** When false nothing is kept (benchmarks); the hash is then of an empty log. */
    readonly enabled = true,
    /**
     * When false the events are hashed and shown to the observer as they come, then forgotten:
     * a run's memory no longer grows with its length (a CLI run without a trace export). The hash
     * is the same as a kept log's; reading the events back is refused.
     */
    readonly kept = true,
  ) {}

  /**
   * For a log that is not kept: `fn` sees every event of `kinds` as it is recorded (its `fields`
   * object is the recorder's: read it there, do not keep it). One observer at a time.
   */
  observe(fn: (t: Micros, kind: string, fields: TraceFields) => void, kinds: Iterable<string>): void {
    if (this.kept) throw new Error('observe is for a trace that is not kept: read a kept one with each()');
    this.observer = fn;
    this.observed = new Set(kinds);
    for (const [kind, k] of this.kindOf) k.observed = this.observed.has(kind);
  }

  private streamed(kind: string, fields: TraceFields): void {
    // The same words a kept log's hash() reads: time, kind, the values in field order, an end tag.
    const h = this.hasher;
    const t = this.clock.now;
    h.number(t);
    const slot = kindSlot(kind);
    let k = this.recentKinds[slot];
    if (k === undefined || k.kind !== kind) k = this.streamedKind(kind, slot);
    h.words(k.words);
    for (const key in fields) {
      const v = (fields as Record<string, TraceValue>)[key];
      if (typeof v === 'number') h.number(v);
      else if (typeof v === 'string') h.string(v);
      else h.tag(v === true ? 1 : v === false ? 2 : 3);
    }
    h.mixed(END_1, END_2);
    this.count++;
    this.hashedUpTo++;
    if (k.observed) this.observer!(t, kind, fields);
  }

  private streamedKind(kind: string, slot: number): StreamedKind {
    let k = this.kindOf.get(kind);
    if (k === undefined) {
      k = { kind, words: premixed(stringWords(kind)), observed: this.observed.has(kind) };
      this.kindOf.set(kind, k);
    }
    this.recentKinds[slot] = k;
    return k;
  }

  private notKept(): never {
    throw new Error('this trace was not kept (a run without a trace export): its events cannot be read back');
  }

  record<K extends TraceKind>(kind: K, fields: TraceEvents[K] & TraceFields): void {
    if (!this.enabled) return;
    if (!this.kept) {
      this.streamed(kind, fields);
      return;
    }
    let layout = this.layoutOfKind.get(kind);
    if (layout === undefined) {
      layout = { kind, keys: Object.keys(fields), kindWords: premixed(stringWords(kind)) };
      this.layoutOfKind.set(kind, layout);
    }
    let keys = layout.keys;
    if (this.used + 2 + keys.length > this.cur.length) this.newChunk(2 + keys.length);
    const c = this.cur;
    const start = this.used;
    c[start] = this.clock.now;
    let n = start + 2;
    // The values go in field order; any difference from the layout's names means another layout.
    let j = 0;
    for (const k in fields) {
      if (keys[j] !== k) {
        j = -1;
        break;
      }
      c[n++] = (fields as Record<string, TraceValue>)[k]!;
      j++;
    }
    if (j !== keys.length) {
      layout = this.layoutOf(kind, fields);
      keys = layout.keys;
      if (start + 2 + keys.length > c.length) {
        this.newChunk(2 + keys.length);
        this.record(kind, fields);
        return;
      }
      n = start + 2;
      for (const k of keys) c[n++] = (fields as Record<string, TraceValue>)[k]!;
    }
    c[start + 1] = layout;
    this.used = n;
    this.count++;
  }

  get length(): number {
    return this.count;
  }

  /** The i-th event as a plain row (with `t` and `kind` undefined when there is none). */
  at(i: number): TraceRecord {
    if (!this.kept) this.notKept();
    const at = this.offset(i);
    if (at < 0) return { t: undefined, kind: undefined } as unknown as TraceRecord;
    const c = this.chunks[Math.floor(at / CHUNK_MAX)]!;
    const p = at % CHUNK_MAX;
    return fill({ t: c[p] as Micros, kind: (c[p + 1] as Layout).kind }, c, p) as TraceRecord;
  }

  /**
   * Visits every event (or only those of `kinds`) in order. `fields` is a fresh object for each
   * event: asking only for the kinds a pass reads saves building the others.
   */
  each(fn: (t: Micros, kind: string, fields: TraceFields) => void, kinds?: Iterable<string>): void {
    if (!this.kept) this.notKept();
    const only = kinds === undefined ? null : new Set(kinds);
    const chunks = this.chunks;
    for (let ci = 0; ci < chunks.length; ci++) {
      const c = chunks[ci]!;
      for (let p = 0; p < this.endOf(ci); ) {
        const layout = c[p + 1] as Layout;
        if (only === null || only.has(layout.kind)) fn(c[p] as Micros, layout.kind, fill({}, c, p) as TraceFields);
        p += 2 + layout.keys.length;
      }
    }
  }

  *rows(from = 0): IterableIterator<TraceRecord> {
    if (!this.kept) this.notKept();
    for (let i = from; i < this.count; i++) yield this.at(i);
  }

  toArray(): TraceRecord[] {
    return [...this.rows()];
  }

  /** Events of one kind, typed. */
  *ofKind<K extends TraceKind>(kind: K): IterableIterator<{ t: Micros } & TraceEvents[K]> {
    if (!this.kept) this.notKept();
    const chunks = this.chunks;
    for (let ci = 0; ci < chunks.length; ci++) {
      const c = chunks[ci]!;
      for (let p = 0; p < this.endOf(ci); ) {
        const layout = c[p + 1] as Layout;
        if (layout.kind === kind) yield fill({ t: c[p] as Micros }, c, p) as unknown as { t: Micros } & TraceEvents[K];
        p += 2 + layout.keys.length;
      }
    }
  }

  /** The canonical text of one event: the bytes the hash is computed over. */
  line(i: number): string {
    if (!this.kept) this.notKept();
    const at = this.offset(i);
    if (at < 0) return 'undefined undefined undefined\n';
    const c = this.chunks[Math.floor(at / CHUNK_MAX)]!;
    const p = at % CHUNK_MAX;
    return `${c[p] as Micros} ${(c[p + 1] as Layout).kind} ${JSON.stringify(fill({}, c, p))}\n`;
  }

  /**
   * A 64-bit hash of every event — time, kind and field values in order — as 16 hex digits.
   * Incremental: events recorded since the last call are hashed on the next one. Not SHA-256 of
   * the JSON lines: serialising every event cost 40% of a run; this reads the values as they are.
   */
  hash(): string {
    const h = this.hasher;
    if (!this.kept) return h.hex();
    let ci = this.hashedChunk;
    let p = this.hashedSlot;
    for (; this.hashedUpTo < this.count; this.hashedUpTo++) {
      if (p >= this.endOf(ci)) {
        ci++;
        p = 0;
      }
      const c = this.chunks[ci]!;
      h.number(c[p] as Micros);
      const layout = c[p + 1] as Layout;
      h.words(layout.kindWords);
      const end = p + 2 + layout.keys.length;
      for (let j = p + 2; j < end; j++) {
        const v = c[j];
        if (typeof v === 'number') h.number(v);
        else if (typeof v === 'string') h.string(v);
        else h.tag(v === true ? 1 : v === false ? 2 : 3);
      }
      h.mixed(END_1, END_2);
      p = end;
    }
    this.hashedChunk = ci;
    this.hashedSlot = p;
    return h.hex();
  }

  /** Slots filled in chunk `ci`. */
  private endOf(ci: number): number {
    return ci === this.chunks.length - 1 ? this.used : this.ends[ci]!;
  }

  /** Starts a chunk with room for at least `need` slots. */
  private newChunk(need: number): void {
    if (need > CHUNK_MAX) throw new RangeError(`a trace event of ${need - 2} fields is more than the log can hold`);
    if (this.chunks.length > 0) this.ends[this.chunks.length - 1] = this.used;
    const size = Math.min(CHUNK_MAX, Math.max(1024, this.cur.length * 2, need));
    this.cur = new Array<Slot>(size);
    this.chunks.push(this.cur);
    this.used = 0;
  }

  /** Where the i-th event starts (chunk * CHUNK_MAX + slot); -1 if there is no such event. */
  private offset(i: number): number {
    if (!(i >= 0 && i < this.count) || !Number.isInteger(i)) return -1;
    const offsets = this.offsets;
    if (i >= offsets.length) {
      let ci = 0;
      let p = 0;
      if (offsets.length > 0) {
        const last = offsets[offsets.length - 1]!;
        ci = Math.floor(last / CHUNK_MAX);
        p = last % CHUNK_MAX;
        p += 2 + (this.chunks[ci]![p + 1] as Layout).keys.length;
      }
      while (offsets.length < this.count) {
        if (p >= this.endOf(ci)) {
          ci++;
          p = 0;
        }
        offsets.push(ci * CHUNK_MAX + p);
        p += 2 + (this.chunks[ci]![p + 1] as Layout).keys.length;
      }
    }
    return offsets[i]!;
  }

  private layoutOf(kind: string, fields: TraceFields): Layout {
    const keys = Object.keys(fields);
    const id = `${kind}\u0000${keys.join('\u0000')}`;
    let layout = this.otherLayouts.get(id);
    if (layout === undefined) {
      layout = { kind, keys, kindWords: this.layoutOfKind.get(kind)?.kindWords ?? premixed(stringWords(kind)) };
      this.otherLayouts.set(id, layout);
    }
    return layout;
  }
}

/** Adds the fields of the event at slot `p` of chunk `c` to `into`, in their recorded order. */
function fill(into: Record<string, TraceValue>, c: readonly Slot[], p: number): Record<string, TraceValue> {
  const keys = (c[p + 1] as Layout).keys;
  for (let j = 0; j < keys.length; j++) into[keys[j]!] = c[p + 2 + j] as TraceValue;
  return into;
}

/** The words StreamHash.string reads for `s`, in order: an event kind's, computed once. */
function stringWords(s: string): Int32Array {
  const w = new Int32Array(2 + Math.ceil(s.length / 2));
  w[0] = 0x7f000000 | 7;
  w[1] = s.length;
  for (let i = 0, j = 2; i < s.length; i += 2, j++) w[j] = s.charCodeAt(i) | (i + 1 < s.length ? s.charCodeAt(i + 1) << 16 : 0);
  return w;
}

/** murmur3's mixing of one word before it meets the state: the same for a word wherever it comes. */
function mixWord(k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, 0x1b873593);
}

/**
 * Words ready for StreamHash.mixed: each word's two mixed forms, one per lane. Constant words (a
 * kind's name, the tags) are mixed once rather than on every event.
 */
function premixed(w: Int32Array): Int32Array {
  const out = new Int32Array(w.length * 2);
  for (let i = 0; i < w.length; i++) {
    const k = mixWord(w[i]!);
    out[2 * i] = k;
    out[2 * i + 1] = Math.imul(k, 0x85ebca6b);
  }
  return out;
}

/** The tags (0x7f000000 | n) premixed, n = 0..7. */
const TAGS = premixed(Int32Array.from({ length: 8 }, (_, n) => 0x7f000000 | n));
const END_1 = TAGS[8]!;
const END_2 = TAGS[9]!;
const INT_1 = TAGS[10]!;
const INT_2 = TAGS[11]!;
const STR_1 = TAGS[14]!;
const STR_2 = TAGS[15]!;

/**
 * Two 32-bit lanes with murmur3's multiply-rotate mixing and fmix finaliser; numbers that are
 * not 32-bit integers go in through their decimal text, so any value hashes the same on any host.
 */
class StreamHash {
  private h1 = 0x9e3779b9 | 0;
  private h2 = 0x85ebca6b | 0;

  /** Takes one word mixed by mixWord (k1), and k1 * 0x85ebca6b (k2). */
  mixed(k1: number, k2: number): void {
    let h = this.h1 ^ k1;
    h = (h << 13) | (h >>> 19);
    const h1 = (Math.imul(h, 5) + 0xe6546b64) | 0;
    this.h1 = h1;
    let g = this.h2 ^ k2;
    g = (g << 17) | (g >>> 15);
    this.h2 = (Math.imul(g, 9) + 0x38495ab5 + h1) | 0;
  }

  private word(k: number): void {
    k = mixWord(k);
    this.mixed(k, Math.imul(k, 0x85ebca6b));
  }

  tag(n: number): void {
    this.mixed(TAGS[2 * n]!, TAGS[2 * n + 1]!);
  }

  number(v: number): void {
    if ((v | 0) === v) {
      this.mixed(INT_1, INT_2);
      this.word(v);
    } else {
      this.tag(6);
      this.string(String(v));
    }
  }

  string(s: string): void {
    this.mixed(STR_1, STR_2);
    this.word(s.length);
    for (let i = 0; i < s.length; i += 2) this.word(s.charCodeAt(i) | (i + 1 < s.length ? s.charCodeAt(i + 1) << 16 : 0));
  }

  /** Words as premixed() made them: the same as hashing the words one by one. */
  words(w: Int32Array): void {
    for (let i = 0; i < w.length; i += 2) this.mixed(w[i]!, w[i + 1]!);
  }

  hex(): string {
    const fmix = (h: number) => {
      h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
      h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
      return (h ^ (h >>> 16)) >>> 0;
    };
    const a = fmix(this.h1 ^ this.h2);
    const b = fmix(this.h2 + Math.imul(this.h1, 31));
    return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
  }
}
