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

/**
 * Events as a shipping log hands them on (Trace.shipTo), for a TraceReader elsewhere (another
 * thread) to hash and observe: the kept log's slots, with a table of values of the chunk's own.
 */
export interface TraceChunk {
  /** Per event: its layout's number, its time, its values (see Trace); `used` of them are filled. */
  readonly slots: Int32Array;
  readonly used: number;
  /** The values odd slots name, this chunk's own: false, true, null, then its strings and other numbers. */
  readonly values: TraceValue[];
  /** Layouts first used since the chunk before, in the order of their numbers. */
  readonly layouts: ReadonlyArray<{ readonly kind: string; readonly keys: readonly string[] }>;
}

/**
 * The field names of the events of one kind, in the order they were recorded, and what the log
 * knows of the kind.
 */
interface Layout {
  /** Its place in the log's list of layouts: what a kept event stores. */
  readonly id: number;
  readonly kind: string;
  readonly keys: readonly string[];
  /** What the hash reads for the kind's name, computed once (premixed words of StreamHash.string). */
  readonly kindWords: Int32Array;
  /** The observer's number for the kind (its place in the kinds it asked for); -1: not observed. */
  code: number;
  /**
   * Per field j, the last string value stored and its number at j, the one before it at
   * j + keys.length (most fields repeat a string or two: 'c2s' and 's2c', 'get' and 'set').
   */
  readonly lastString: Array<string | undefined>;
  readonly lastStringId: Int32Array;
  /** A log hashed as recorded (streaming): the premixed words of those strings. */
  readonly lastWords: Array<Int32Array | null>;
  /** The object an emitted event of the layout is shown to the observer in, filled again for each. */
  readonly fields: Record<string, TraceValue>;
}

/** An object with `keys` in order (null values): one shape for every event of a layout. */
function fieldsObject(keys: readonly string[]): Record<string, TraceValue> {
  const o: Record<string, TraceValue> = {};
  for (const k of keys) o[k] = null;
  return o;
}

/**
 * An event kind and its field names in order, declared once beside the code that records it, for
 * Trace.emit: the values are passed as they are, with no fields object to build and walk (the
 * events recorded several times per request). The log is the same as record's of the same fields.
 */
export class TraceEvent<K extends TraceKind = TraceKind> {
  private static made = 0;
  /** Its place among the events declared: a log's index to its layout. */
  readonly id = TraceEvent.made++;
  readonly keys: readonly string[];

  constructor(
    readonly kind: K,
    keys: ReadonlyArray<keyof TraceEvents[K] & string>,
    /**
     * Sets an observer's fields object from the values in order, each field by its name:
     * `(f, conn, dir, bytes) => { f.conn = conn; f.dir = dir; f.bytes = bytes; }`. Optional, for
     * events recorded on every request: stored by a computed name (f[keys[i]] = v) the stores
     * met every layout's object and were a twentieth of a world's CPU with an observer (the
     * lab's). Checked here against `keys`.
     */
    readonly fill: FieldFill | null = null,
  ) {
    if (keys.length < 1 || keys.length > 4 || new Set(keys).size !== keys.length) throw new RangeError(`a TraceEvent names 1 to 4 different fields, got ${keys.join(', ')}`);
    this.keys = keys;
    if (fill !== null) {
      const probe: Record<string, TraceValue> = {};
      fill(probe, 1, 2, 3, 4);
      const set = Object.keys(probe);
      if (set.length !== keys.length || keys.some((k, i) => set[i] !== k || probe[k] !== i + 1)) {
        throw new RangeError(`the fill of TraceEvent ${kind} must set ${keys.join(', ')} in that order from its values, got ${set.join(', ')}`);
      }
    }
  }
}

/** See TraceEvent's fill. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type FieldFill = (fields: any, a: TraceValue, b: TraceValue, c: TraceValue, d: TraceValue) => void;

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

/** Values stored as a number in the log's table (see Trace.values) rather than in the slot. */
const FALSE_ID = 0;
const TRUE_ID = 1;
const NULL_ID = 2;

/**
 * An append-only log of everything observable in one world. Per event it holds its layout (kind
 * and field names), its time, then its field values, one after another in chunks of 32-bit slots.
 * A slot holds a whole number n in [-2^30, 2^30) as 2n; any other value (a string, a boolean,
 * null, another number) as 2i + 1, i its place in the log's table of values, where each string
 * is once. The hash and the row view are computed only when asked for.
 *
 * Why not keep the field objects themselves: a scenario records millions of events, and kept
 * objects are what the garbage collector copies and marks again and again (two fifths of a run's
 * time went there). Why 32-bit slots rather than an array of values: half the bytes of a JS array
 * (new memory costs a page fault per 4 KB: a tenth of a world's time went to making chunks) and
 * nothing for the collector to mark. Why chunks of fixed size rather than one growing array:
 * growing it copied the whole log again and again. Readers get a fresh object per event they
 * visit; `each` and `ofKind` build them only for the kinds asked for.
 */
export class Trace {
  private readonly chunks: Int32Array[] = [];
  /** Slots filled in each chunk but the last (an event never straddles two chunks). */
  private readonly ends: number[] = [];
  private cur: Int32Array = new Int32Array(0);
  /** Slots filled in `cur`. */
  private used = 0;
  private count = 0;
  /** Where each event starts (chunk * CHUNK_MAX + slot), built on the first access by index. */
  private readonly offsets: number[] = [];
  private readonly layouts: Layout[] = [];
  /** Each kind's layout as first recorded; one with other fields or another order gets its own. */
  private readonly layoutOfKind = new Map<string, Layout>();
  private readonly otherLayouts = new Map<string, Layout>();
  /** The kinds last seen, by kindSlot: most events find theirs here rather than in a Map. */
  private readonly recentKinds: Array<Layout | undefined> = new Array<Layout | undefined>(KIND_SLOTS).fill(undefined);
  /** The layout of each TraceEvent emitted, by its id. */
  private readonly eventLayouts: Array<Layout | undefined> = [];
  /** The values slots name by number, and each string's number. */
  private values: TraceValue[] = [false, true, null];
  private readonly stringIds = new Map<string, number>();
  /** How far the hash has read: events, and where the next one starts. */
  private hashedUpTo = 0;
  private hashedChunk = 0;
  private hashedSlot = 0;
  private readonly hasher = new StreamHash();
  /** Premixed words of each string in `values` (null for the others), made when first hashed. */
  private readonly valueWords: Array<Int32Array | null> = [];
  /** A streaming log's premixed words of the strings it hashed (see streamedWords). */
  private readonly wordsOfString = new Map<string, Int32Array>();

  /** Not kept and not shipped: each event is hashed and observed as it is recorded. */
  private streaming: boolean;
  /** Who a shipping log hands each full chunk to (see shipTo), and how many layouts it was told of. */
  private shipper: ((chunk: TraceChunk) => Int32Array | undefined) | null = null;
  private shippedLayouts = 0;

  /** Who is told of each event of `observed` kinds as it is recorded. */
  private observer: ((t: Micros, kind: string, fields: TraceFields, code: number) => void) | null = null;
  private observed: readonly string[] = [];

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
  ) {
    this.streaming = !kept;
  }

  /**
   * Makes a log that is not kept ship its events rather than hash them as they come: recorded in
   * slots as a kept log's are, each full chunk is handed to `sink` with its own table of values
   * (so memory stays flat), to be hashed and observed by a TraceReader, on another thread if need
   * be. `sink` may give back a buffer to fill next (one it was handed before). Call flush() at the
   * end for the last events. The log's own hash() is refused: the reader's is the hash.
   */
  shipTo(sink: (chunk: TraceChunk) => Int32Array | undefined): void {
    if (this.kept || !this.enabled || this.count > 0) throw new Error('shipTo: only a log that is neither kept nor started can ship its events');
    this.shipper = sink;
    this.streaming = false;
  }

  /** A shipping log hands on the events recorded since its last chunk (see shipTo). */
  flush(): void {
    if (this.shipper === null) throw new Error('flush: this log does not ship its events');
    if (this.used > 0) this.ship(CHUNK_MAX);
  }

  /** Hands the current chunk to the shipper and starts the next with a table of values of its own. */
  private ship(size: number): void {
    const layouts = this.layouts.slice(this.shippedLayouts).map((l) => ({ kind: l.kind, keys: l.keys }));
    this.shippedLayouts = this.layouts.length;
    const next = this.shipper!({ slots: this.cur, used: this.used, values: this.values, layouts });
    this.cur = next !== undefined && next.length >= size ? next : new Int32Array(size);
    this.used = 0;
    this.values = [false, true, null];
    this.stringIds.clear();
    for (const l of this.layouts) l.lastString.fill(undefined);
  }

  /**
   * `fn` sees every event of `kinds` as it is recorded, with the kind's place in `kinds` (its
   * `fields` object is the recorder's: read it there, do not keep it). One observer at a time.
   */
  observe(fn: (t: Micros, kind: string, fields: TraceFields, code: number) => void, kinds: Iterable<string>): void {
    this.observer = fn;
    this.observed = [...kinds];
    for (const layout of this.layouts) layout.code = this.observed.indexOf(layout.kind);
  }

  private streamed(kind: string, fields: TraceFields): void {
    // The same words a kept log's hash() reads: time, kind, the values in field order, an end tag.
    const h = this.hasher;
    const t = this.clock.now;
    h.number(t);
    const slot = kindSlot(kind);
    let k = this.recentKinds[slot];
    if (k === undefined || k.kind !== kind) k = this.kindLayout(kind, fields, slot);
    h.words(k.kindWords);
    for (const key in fields) {
      const v = (fields as Record<string, TraceValue>)[key];
      if (typeof v === 'number') h.number(v);
      else if (typeof v === 'string') h.string(v);
      else h.tag(v === true ? 1 : v === false ? 2 : 3);
    }
    h.mixed(END_1, END_2);
    this.count++;
    this.hashedUpTo++;
    if (k.code >= 0) this.observer!(t, kind, fields, k.code);
  }

  /** The layout of the first event of `kind` (made from `fields` if it is the first), cached at `slot`. */
  private kindLayout(kind: string, fields: TraceFields, slot: number): Layout {
    let layout = this.layoutOfKind.get(kind);
    if (layout === undefined) {
      layout = this.newLayout(kind, Object.keys(fields), premixed(stringWords(kind)));
      this.layoutOfKind.set(kind, layout);
    }
    this.recentKinds[slot] = layout;
    return layout;
  }

  private newLayout(kind: string, keys: string[], kindWords: Int32Array): Layout {
    const layout: Layout = { id: this.layouts.length, kind, keys, kindWords, code: this.observed.indexOf(kind), lastString: new Array<string | undefined>(2 * keys.length).fill(undefined), lastStringId: new Int32Array(2 * keys.length), lastWords: new Array<Int32Array | null>(2 * keys.length).fill(null), fields: fieldsObject(keys) };
    this.layouts.push(layout);
    return layout;
  }

  private notKept(): never {
    throw new Error('this trace was not kept (a run without a trace export): its events cannot be read back');
  }

  record<K extends TraceKind>(kind: K, fields: TraceEvents[K] & TraceFields): void {
    if (!this.enabled) return;
    if (this.streaming) {
      this.streamed(kind, fields);
      return;
    }
    const slot = kindSlot(kind);
    let layout = this.recentKinds[slot];
    if (layout === undefined || layout.kind !== kind) layout = this.kindLayout(kind, fields, slot);
    let keys = layout.keys;
    if (this.used + 2 + keys.length > this.cur.length) this.newChunk(2 + keys.length);
    const c = this.cur;
    const start = this.used;
    const t = this.clock.now;
    c[start + 1] = (t << 1) >> 1 === t ? t << 1 : this.boxed(t);
    let n = start + 2;
    // The values go in field order; any difference from the layout's names means another layout.
    let j = 0;
    for (const k in fields) {
      if (keys[j] !== k) {
        j = -1;
        break;
      }
      const v = (fields as Record<string, TraceValue>)[k]!;
      if (typeof v === 'number' && (v << 1) >> 1 === v && (v !== 0 || 1 / v > 0)) c[n++] = v << 1;
      else if (typeof v === 'string' && v === layout.lastString[j]) c[n++] = layout.lastStringId[j]!;
      else c[n++] = this.slotOf(v, layout, j);
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
      for (let i = 0; i < keys.length; i++) c[n++] = this.slotOf((fields as Record<string, TraceValue>)[keys[i]!]!, layout, i);
    }
    c[start] = layout.id;
    this.used = n;
    this.count++;
    if (layout.code >= 0) this.observer!(t, kind, fields, layout.code);
  }

  /**
   * Records an event of `ev` with its values in `ev`'s field order (as many as it names): the same
   * log as record(ev.kind, { [ev.keys[0]]: a, ... }), without the object.
   */
  emit(ev: TraceEvent, a: TraceValue, b?: TraceValue, c?: TraceValue, d?: TraceValue): void {
    if (!this.enabled) return;
    const layout = this.eventLayouts[ev.id] ?? this.eventLayout(ev);
    const n = layout.keys.length;
    const t = this.clock.now;
    if (this.streaming) {
      // The lanes in locals for the whole event, and each step of StreamHash.mixed written out
      // (lane1, lane2, mixWord): in Chromium's V8 they were calls from here, not inlined.
      const st = this.hasher.lanes;
      let h1 = st[0]!;
      let h2 = st[1]!;
      let x: number;
      let k: number;
      let w = layout.kindWords;
      // The time (-2), the kind's name (-1), then the values.
      for (let j = -2; j < n; j++) {
        if (j !== -1) {
          const v = j === -2 ? t : j === 0 ? a : j === 1 ? b! : j === 2 ? c! : d!;
          if (typeof v === 'number' && (v | 0) === v) {
            x = h1 ^ INT_1;
            h1 = (Math.imul((x << 13) | (x >>> 19), 5) + 0xe6546b64) | 0;
            x = h2 ^ INT_2;
            h2 = (Math.imul((x << 17) | (x >>> 15), 9) + 0x38495ab5 + h1) | 0;
            k = Math.imul(v, 0xcc9e2d51);
            k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
            x = h1 ^ k;
            h1 = (Math.imul((x << 13) | (x >>> 19), 5) + 0xe6546b64) | 0;
            x = h2 ^ Math.imul(k, M2);
            h2 = (Math.imul((x << 17) | (x >>> 15), 9) + 0x38495ab5 + h1) | 0;
            continue;
          }
          if (typeof v === 'string') {
            const last = layout.lastString;
            w = v === last[j] ? layout.lastWords[j]! : v === last[j + n] ? layout.lastWords[j + n]! : this.streamedWords(v, layout, j);
          } else if (typeof v !== 'number') w = v === true ? TAG_TRUE : v === false ? TAG_FALSE : TAG_NULL;
          else {
            st[0] = h1;
            st[1] = h2;
            this.hasher.number(v);
            h1 = st[0]!;
            h2 = st[1]!;
            continue;
          }
        } else w = layout.kindWords;
        // Words premixed (a kind's name, a string, a tag): k1, k2 in turn.
        for (let i = 0; i < w.length; i += 2) {
          x = h1 ^ w[i]!;
          h1 = (Math.imul((x << 13) | (x >>> 19), 5) + 0xe6546b64) | 0;
          x = h2 ^ w[i + 1]!;
          h2 = (Math.imul((x << 17) | (x >>> 15), 9) + 0x38495ab5 + h1) | 0;
        }
      }
      x = h1 ^ END_1;
      h1 = (Math.imul((x << 13) | (x >>> 19), 5) + 0xe6546b64) | 0;
      x = h2 ^ END_2;
      st[0] = h1;
      st[1] = (Math.imul((x << 17) | (x >>> 15), 9) + 0x38495ab5 + h1) | 0;
      this.count++;
      this.hashedUpTo++;
    } else {
      if (this.used + 2 + n > this.cur.length) this.newChunk(2 + n);
      const s = this.cur;
      const start = this.used;
      s[start] = layout.id;
      s[start + 1] = (t << 1) >> 1 === t ? t << 1 : this.boxed(t);
      s[start + 2] = typeof a === 'number' && (a << 1) >> 1 === a && (a !== 0 || 1 / a > 0) ? a << 1 : this.stringSlot(a, layout, 0);
      if (n > 1) s[start + 3] = typeof b === 'number' && (b << 1) >> 1 === b && (b !== 0 || 1 / b > 0) ? b << 1 : this.stringSlot(b!, layout, 1);
      if (n > 2) s[start + 4] = typeof c === 'number' && (c << 1) >> 1 === c && (c !== 0 || 1 / c > 0) ? c << 1 : this.stringSlot(c!, layout, 2);
      if (n > 3) s[start + 5] = typeof d === 'number' && (d << 1) >> 1 === d && (d !== 0 || 1 / d > 0) ? d << 1 : this.stringSlot(d!, layout, 3);
      this.used = start + 2 + n;
      this.count++;
    }
    if (layout.code >= 0) {
      // An observer reads fields by name: it gets an object as record's would be (the layout's
      // own, filled again: an observer reads it there and does not keep it).
      const f = layout.fields;
      const fill = ev.fill;
      if (fill !== null) fill(f, a, b!, c!, d!);
      else {
        const keys = layout.keys;
        f[keys[0]!] = a;
        if (n > 1) f[keys[1]!] = b!;
        if (n > 2) f[keys[2]!] = c!;
        if (n > 3) f[keys[3]!] = d!;
      }
      this.observer!(t, layout.kind, f as TraceFields, layout.code);
    }
  }

  /** The slot of a value that is not a small whole number, a repeated string first. */
  private stringSlot(v: TraceValue, layout: Layout, j: number): number {
    if (typeof v === 'string') {
      const last = layout.lastString;
      if (v === last[j]) return layout.lastStringId[j]!;
      if (v === last[j + layout.keys.length]) return layout.lastStringId[j + layout.keys.length]!;
    }
    return this.slotOf(v, layout, j);
  }

  /**
   * The premixed words StreamHash.string reads for `v`, remembered as field `j`'s last string
   * (the one before kept too, as stringSlot does): most fields repeat one or two.
   */
  private streamedWords(v: string, layout: Layout, j: number): Int32Array {
    let w = this.wordsOfString.get(v);
    if (w === undefined) {
      // Bounded: a run's strings are mostly a few names, but nothing says so.
      if (this.wordsOfString.size >= 4096) this.wordsOfString.clear();
      w = premixed(stringWords(v));
      this.wordsOfString.set(v, w);
    }
    const before = j + layout.keys.length;
    layout.lastString[before] = layout.lastString[j];
    layout.lastWords[before] = layout.lastWords[j]!;
    layout.lastString[j] = v;
    layout.lastWords[j] = w;
    return w;
  }

  /** The layout record would give `ev`'s fields (the kind's first, or another of its own). */
  private eventLayout(ev: TraceEvent): Layout {
    const keys = ev.keys;
    let layout = this.layoutOfKind.get(ev.kind);
    if (layout === undefined) {
      layout = this.newLayout(ev.kind, [...keys], premixed(stringWords(ev.kind)));
      this.layoutOfKind.set(ev.kind, layout);
    } else if (layout.keys.length !== keys.length || layout.keys.some((k, i) => k !== keys[i])) {
      const id = `${ev.kind}\u0000${keys.join('\u0000')}`;
      let other = this.otherLayouts.get(id);
      if (other === undefined) {
        other = this.newLayout(ev.kind, [...keys], layout.kindWords);
        this.otherLayouts.set(id, other);
      }
      layout = other;
    }
    this.eventLayouts[ev.id] = layout;
    return layout;
  }

  /** The slot of any value (field `j` of `layout` remembers the last string). */
  private slotOf(v: TraceValue, layout: Layout, j: number): number {
    if (typeof v === 'number') return (v << 1) >> 1 === v && (v !== 0 || 1 / v > 0) ? v << 1 : this.boxed(v);
    if (typeof v === 'string') {
      let id = this.stringIds.get(v);
      if (id === undefined) {
        id = (this.values.push(v) - 1) * 2 + 1;
        this.stringIds.set(v, id);
      }
      const last = layout.lastString;
      const ids = layout.lastStringId;
      if (v !== last[j]) {
        // The last one becomes the one before.
        const before = j + layout.keys.length;
        last[before] = last[j];
        ids[before] = ids[j]!;
        last[j] = v;
        ids[j] = id;
      }
      return id;
    }
    return (v === true ? TRUE_ID : v === false ? FALSE_ID : NULL_ID) * 2 + 1;
  }

  /** A number that is not a whole number in [-2^30, 2^30) (nor -0), kept in the table. */
  private boxed(v: number): number {
    return (this.values.push(v) - 1) * 2 + 1;
  }

  /** The value a slot holds. */
  private value(s: number): TraceValue {
    return (s & 1) === 0 ? s >> 1 : this.values[s >>> 1]!;
  }

  /** Adds the fields of the event at slot `p` of chunk `c` to `into`, in their recorded order. */
  private fill(into: Record<string, TraceValue>, c: Int32Array, p: number): Record<string, TraceValue> {
    const keys = this.layouts[c[p]!]!.keys;
    for (let j = 0; j < keys.length; j++) into[keys[j]!] = this.value(c[p + 2 + j]!);
    return into;
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
    return this.fill({ t: this.value(c[p + 1]!) as Micros, kind: this.layouts[c[p]!]!.kind }, c, p) as TraceRecord;
  }

  /**
   * Visits every event (or only those of `kinds`) in order. `fields` is a fresh object for each
   * event: asking only for the kinds a pass reads saves building the others.
   */
  each(fn: (t: Micros, kind: string, fields: TraceFields) => void, kinds?: Iterable<string>): void {
    if (!this.kept) this.notKept();
    const only = kinds === undefined ? null : new Set(kinds);
    const chunks = this.chunks;
    const layouts = this.layouts;
    for (let ci = 0; ci < chunks.length; ci++) {
      const c = chunks[ci]!;
      for (let p = 0; p < this.endOf(ci); ) {
        const layout = layouts[c[p]!]!;
        if (only === null || only.has(layout.kind)) fn(this.value(c[p + 1]!) as Micros, layout.kind, this.fill({}, c, p) as TraceFields);
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
    const layouts = this.layouts;
    for (let ci = 0; ci < chunks.length; ci++) {
      const c = chunks[ci]!;
      for (let p = 0; p < this.endOf(ci); ) {
        const layout = layouts[c[p]!]!;
        if (layout.kind === kind) yield this.fill({ t: this.value(c[p + 1]!) as Micros }, c, p) as unknown as { t: Micros } & TraceEvents[K];
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
    return `${this.value(c[p + 1]!) as Micros} ${this.layouts[c[p]!]!.kind} ${JSON.stringify(this.fill({}, c, p))}\n`;
  }

  /**
   * A 64-bit hash of every event — time, kind and field values in order — as 16 hex digits.
   * Incremental: events recorded since the last call are hashed on the next one. Not SHA-256 of
   * the JSON lines: serialising every event cost 40% of a run; this reads the values as they are.
   */
  hash(): string {
    const h = this.hasher;
    if (this.shipper !== null) throw new Error('a shipped log is hashed by the TraceReader it is shipped to');
    if (!this.kept) return h.hex();
    let ci = this.hashedChunk;
    let p = this.hashedSlot;
    const layouts = this.layouts;
    for (; this.hashedUpTo < this.count; this.hashedUpTo++) {
      if (p >= this.endOf(ci)) {
        ci++;
        p = 0;
      }
      const c = this.chunks[ci]!;
      hashSlot(h, c[p + 1]!, this.values, this.valueWords);
      const layout = layouts[c[p]!]!;
      h.words(layout.kindWords);
      const end = p + 2 + layout.keys.length;
      for (let j = p + 2; j < end; j++) hashSlot(h, c[j]!, this.values, this.valueWords);
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
    if (this.shipper !== null) {
      // Shipped chunks are all of the largest size: they are few, and handed back to be filled again.
      if (this.used > 0) this.ship(CHUNK_MAX);
      else this.cur = new Int32Array(CHUNK_MAX);
      return;
    }
    if (this.chunks.length > 0) this.ends[this.chunks.length - 1] = this.used;
    const size = Math.min(CHUNK_MAX, Math.max(1024, this.cur.length * 2, need));
    this.cur = new Int32Array(size);
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
        p += 2 + this.layouts[this.chunks[ci]![p]!]!.keys.length;
      }
      while (offsets.length < this.count) {
        if (p >= this.endOf(ci)) {
          ci++;
          p = 0;
        }
        offsets.push(ci * CHUNK_MAX + p);
        p += 2 + this.layouts[this.chunks[ci]![p]!]!.keys.length;
      }
    }
    return offsets[i]!;
  }

  private layoutOf(kind: string, fields: TraceFields): Layout {
    const keys = Object.keys(fields);
    const id = `${kind}\u0000${keys.join('\u0000')}`;
    let layout = this.otherLayouts.get(id);
    if (layout === undefined) {
      layout = this.newLayout(kind, keys, this.layoutOfKind.get(kind)?.kindWords ?? premixed(stringWords(kind)));
      this.otherLayouts.set(id, layout);
    }
    return layout;
  }
}

/**
 * Hashes the value a slot holds as StreamHash would hash the value itself (`values`: the table odd
 * slots name; `words`: premixed words of its strings, made as first needed).
 */
function hashSlot(h: StreamHash, s: number, values: readonly TraceValue[], words: Array<Int32Array | null>): void {
  if ((s & 1) === 0) {
    h.int(s >> 1);
    return;
  }
  const i = s >>> 1;
  const v = values[i]!;
  if (typeof v === 'number') h.number(v);
  else if (typeof v === 'string') {
    let w = words[i];
    if (w === undefined || w === null) words[i] = w = premixed(stringWords(v));
    h.words(w);
  } else h.tag(v === true ? 1 : v === false ? 2 : 3);
}

/**
 * The other end of a shipping log (Trace.shipTo): takes its chunks in order, hashes every event
 * as the log would have, and tells its observer of the kinds it asked for, with their fields in
 * the recorded order (in an object filled again for each event of the layout: read, not kept). Only the layouts are kept, so memory stays flat.
 */
export class TraceReader {
  private readonly layouts: Array<{ readonly kind: string; readonly keys: readonly string[]; readonly kindWords: Int32Array; code: number; readonly fields: Record<string, TraceValue> }> = [];
  private readonly hasher = new StreamHash();
  private count = 0;
  private observer: ((t: Micros, kind: string, fields: TraceFields, code: number) => void) | null = null;
  private observed: readonly string[] = [];

  /** As Trace.observe: `fn` is told of each event of `kinds` with the kind's place in `kinds`. */
  observe(fn: (t: Micros, kind: string, fields: TraceFields, code: number) => void, kinds: Iterable<string>): void {
    this.observer = fn;
    this.observed = [...kinds];
    for (const layout of this.layouts) layout.code = this.observed.indexOf(layout.kind);
  }

  /** Events read so far. */
  get length(): number {
    return this.count;
  }

  take(chunk: TraceChunk): void {
    for (const l of chunk.layouts) this.layouts.push({ kind: l.kind, keys: l.keys, kindWords: premixed(stringWords(l.kind)), code: this.observed.indexOf(l.kind), fields: fieldsObject(l.keys) });
    const { slots: c, used, values } = chunk;
    const words: Array<Int32Array | null> = [];
    const h = this.hasher;
    const layouts = this.layouts;
    const value = (s: number): TraceValue => ((s & 1) === 0 ? s >> 1 : values[s >>> 1]!);
    let n = 0;
    for (let p = 0; p < used; ) {
      const layout = layouts[c[p]!]!;
      const ts = c[p + 1]!;
      hashSlot(h, ts, values, words);
      h.words(layout.kindWords);
      const keys = layout.keys;
      const end = p + 2 + keys.length;
      for (let j = p + 2; j < end; j++) hashSlot(h, c[j]!, values, words);
      h.mixed(END_1, END_2);
      if (layout.code >= 0) {
        // The layout's own object, filled again for each event (an observer does not keep it).
        const fields = layout.fields;
        for (let j = 0; j < keys.length; j++) fields[keys[j]!] = value(c[p + 2 + j]!);
        this.observer!(value(ts) as Micros, layout.kind, fields as TraceFields, layout.code);
      }
      p = end;
      n++;
    }
    this.count += n;
  }

  /** The hash of every event read so far: the shipping log's, as Trace.hash gives a kept one's. */
  hash(): string {
    return this.hasher.hex();
  }
}

/**
 * Strings hashed character by character (StreamHash.string) and strings turned into premixed
 * words (stringWords), counted for tests: a streamed emit should do the second once per string.
 */
export const hashCounts = { stringsMixed: 0, stringWords: 0 };

/** The words StreamHash.string reads for `s`, in order: an event kind's, computed once. */
function stringWords(s: string): Int32Array {
  hashCounts.stringWords++;
  const w = new Int32Array(2 + Math.ceil(s.length / 2));
  w[0] = 0x7f000000 | 7;
  w[1] = s.length;
  for (let i = 0, j = 2; i < s.length; i += 2, j++) w[j] = s.charCodeAt(i) | (i + 1 < s.length ? s.charCodeAt(i + 1) << 16 : 0);
  return w;
}

/** murmur3's second multiplier: a word's k2 is k1 times it. */
const M2 = 0x85ebca6b;

/** StreamHash.mixed's first lane after word k1. */
function lane1(h1: number, k1: number): number {
  const h = h1 ^ k1;
  return (Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64) | 0;
}

/** StreamHash.mixed's second lane after word k2, `h1` the first lane's new value. */
function lane2(h2: number, k2: number, h1: number): number {
  const g = h2 ^ k2;
  return (Math.imul((g << 17) | (g >>> 15), 9) + 0x38495ab5 + h1) | 0;
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
/** The premixed words of the tags of true, false and null (StreamHash.tag 1, 2, 3). */
const TAG_TRUE = TAGS.slice(2, 4);
const TAG_FALSE = TAGS.slice(4, 6);
const TAG_NULL = TAGS.slice(6, 8);

/**
 * Two 32-bit lanes with murmur3's multiply-rotate mixing and fmix finaliser; numbers that are
 * not 32-bit integers go in through their decimal text, so any value hashes the same on any host.
 */
class StreamHash {
  /**
   * The two lanes, in a typed array rather than two fields: Chromium's V8 (pointer compression)
   * keeps only 31-bit integers unboxed, so half of all lane values stored in a field were boxed.
   */
  readonly lanes = Int32Array.of(0x9e3779b9 | 0, 0x85ebca6b | 0);

  /** Takes one word mixed by mixWord (k1), and k1 * 0x85ebca6b (k2). */
  mixed(k1: number, k2: number): void {
    const s = this.lanes;
    const h1 = lane1(s[0]!, k1);
    s[0] = h1;
    s[1] = lane2(s[1]!, k2, h1);
  }

  private word(k: number): void {
    k = mixWord(k);
    this.mixed(k, Math.imul(k, 0x85ebca6b));
  }

  tag(n: number): void {
    this.mixed(TAGS[2 * n]!, TAGS[2 * n + 1]!);
  }

  /** A 32-bit integer, as number() hashes it. */
  int(v: number): void {
    this.mixed(INT_1, INT_2);
    this.word(v);
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
    hashCounts.stringsMixed++;
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
    const h1 = this.lanes[0]!;
    const h2 = this.lanes[1]!;
    const a = fmix(h1 ^ h2);
    const b = fmix(h2 + Math.imul(h1, 31));
    return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
  }
}
