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
}

/**
 * An append-only log of everything observable in one world. It is one flat array: per event its
 * time, its layout (kind and field names), then its field values. The hash and the row view are
 * computed only when asked for.
 *
 * Why not keep the field objects themselves: a scenario records millions of events, and kept
 * objects are what the garbage collector copies and marks again and again (two fifths of a run's
 * time went there). Kept as values — small integers, shared strings — in one large array, they
 * cost it nothing. Readers get a fresh object per event they visit; `each` and `ofKind` build
 * them only for the kinds asked for.
 */
export class Trace {
  private readonly log: Array<Micros | Layout | TraceValue> = [];
  private count = 0;
  /** Where each event starts in `log`, built on the first access by index (passes read in order). */
  private readonly offsets: number[] = [];
  /** Each kind's layout as first recorded; one with other fields or another order gets its own. */
  private readonly layoutOfKind = new Map<string, Layout>();
  private readonly otherLayouts = new Map<string, Layout>();
  /** How far the hash has read: events, and their end in `log`. */
  private hashedUpTo = 0;
  private hashedPos = 0;
  private readonly hasher = new StreamHash();

  constructor(
    private readonly clock: { readonly now: Micros },
    /** When false nothing is kept (benchmarks); the hash is then of an empty log. */
    readonly enabled = true,
  ) {}

  record<K extends TraceKind>(kind: K, fields: TraceEvents[K] & TraceFields): void {
    if (!this.enabled) return;
    let layout = this.layoutOfKind.get(kind);
    if (layout === undefined) {
      layout = { kind, keys: Object.keys(fields) };
      this.layoutOfKind.set(kind, layout);
    }
    const log = this.log;
    const start = log.length;
    log.push(this.clock.now, layout);
    // The values go in field order; any difference from the layout's names means another layout.
    const keys = layout.keys;
    let j = 0;
    for (const k in fields) {
      if (keys[j] !== k) {
        j = -1;
        break;
      }
      log.push((fields as Record<string, TraceValue>)[k]!);
      j++;
    }
    if (j !== keys.length) {
      log.length = start + 2;
      layout = this.layoutOf(kind, fields);
      log[start + 1] = layout;
      for (const k of layout.keys) log.push((fields as Record<string, TraceValue>)[k]!);
    }
    this.count++;
  }

  get length(): number {
    return this.count;
  }

  /** The i-th event as a plain row (with `t` and `kind` undefined when there is none). */
  at(i: number): TraceRecord {
    const pos = this.offset(i);
    if (pos < 0) return { t: undefined, kind: undefined } as unknown as TraceRecord;
    const layout = this.log[pos + 1] as Layout;
    return this.fill({ t: this.log[pos] as Micros, kind: layout.kind }, pos) as TraceRecord;
  }

  /**
   * Visits every event (or only those of `kinds`) in order. `fields` is a fresh object for each
   * event: asking only for the kinds a pass reads saves building the others.
   */
  each(fn: (t: Micros, kind: string, fields: TraceFields) => void, kinds?: Iterable<string>): void {
    const log = this.log;
    const only = kinds === undefined ? null : new Set(kinds);
    for (let pos = 0; pos < log.length; ) {
      const layout = log[pos + 1] as Layout;
      if (only === null || only.has(layout.kind)) fn(log[pos] as Micros, layout.kind, this.fill({}, pos) as TraceFields);
      pos += 2 + layout.keys.length;
    }
  }

  *rows(from = 0): IterableIterator<TraceRecord> {
    for (let i = from; i < this.count; i++) yield this.at(i);
  }

  toArray(): TraceRecord[] {
    return [...this.rows()];
  }

  /** Events of one kind, typed. */
  *ofKind<K extends TraceKind>(kind: K): IterableIterator<{ t: Micros } & TraceEvents[K]> {
    const log = this.log;
    for (let pos = 0; pos < log.length; ) {
      const layout = log[pos + 1] as Layout;
      if (layout.kind === kind) yield this.fill({ t: log[pos] as Micros }, pos) as unknown as { t: Micros } & TraceEvents[K];
      pos += 2 + layout.keys.length;
    }
  }

  /** The canonical text of one event: the bytes the hash is computed over. */
  line(i: number): string {
    const pos = this.offset(i);
    if (pos < 0) return 'undefined undefined undefined\n';
    return `${this.log[pos] as Micros} ${(this.log[pos + 1] as Layout).kind} ${JSON.stringify(this.fill({}, pos))}\n`;
  }

  /**
   * A 64-bit hash of every event — time, kind and field values in order — as 16 hex digits.
   * Incremental: events recorded since the last call are hashed on the next one. Not SHA-256 of
   * the JSON lines: serialising every event cost 40% of a run; this reads the values as they are.
   */
  hash(): string {
    const h = this.hasher;
    const log = this.log;
    let pos = this.hashedPos;
    for (; this.hashedUpTo < this.count; this.hashedUpTo++) {
      h.number(log[pos] as Micros);
      const layout = log[pos + 1] as Layout;
      h.string(layout.kind);
      const end = pos + 2 + layout.keys.length;
      for (let j = pos + 2; j < end; j++) {
        const v = log[j];
        if (typeof v === 'number') h.number(v);
        else if (typeof v === 'string') h.string(v);
        else h.tag(v === true ? 1 : v === false ? 2 : 3);
      }
      h.tag(4);
      pos = end;
    }
    this.hashedPos = pos;
    return h.hex();
  }

  /** Where the i-th event starts in `log`; -1 if there is no such event. */
  private offset(i: number): number {
    if (!(i >= 0 && i < this.count) || !Number.isInteger(i)) return -1;
    const offsets = this.offsets;
    if (i >= offsets.length) {
      let pos = 0;
      if (offsets.length > 0) {
        const last = offsets[offsets.length - 1]!;
        pos = last + 2 + (this.log[last + 1] as Layout).keys.length;
      }
      while (offsets.length < this.count) {
        offsets.push(pos);
        pos += 2 + (this.log[pos + 1] as Layout).keys.length;
      }
    }
    return offsets[i]!;
  }

  /** Adds the fields of the event at `pos` to `into`, in their recorded order. */
  private fill(into: Record<string, TraceValue>, pos: number): Record<string, TraceValue> {
    const log = this.log;
    const keys = (log[pos + 1] as Layout).keys;
    for (let j = 0; j < keys.length; j++) into[keys[j]!] = log[pos + 2 + j] as TraceValue;
    return into;
  }

  private layoutOf(kind: string, fields: TraceFields): Layout {
    const keys = Object.keys(fields);
    const id = `${kind}\u0000${keys.join('\u0000')}`;
    let layout = this.otherLayouts.get(id);
    if (layout === undefined) {
      layout = { kind, keys };
      this.otherLayouts.set(id, layout);
    }
    return layout;
  }
}

/**
 * Two 32-bit lanes with murmur3's multiply-rotate mixing and fmix finaliser; numbers that are
 * not 32-bit integers go in through their decimal text, so any value hashes the same on any host.
 */
class StreamHash {
  private h1 = 0x9e3779b9 | 0;
  private h2 = 0x85ebca6b | 0;

  private word(k: number): void {
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    let h = this.h1 ^ k;
    h = (h << 13) | (h >>> 19);
    this.h1 = (Math.imul(h, 5) + 0xe6546b64) | 0;
    let g = this.h2 ^ Math.imul(k, 0x85ebca6b);
    g = (g << 17) | (g >>> 15);
    this.h2 = (Math.imul(g, 9) + 0x38495ab5 + this.h1) | 0;
  }

  tag(n: number): void {
    this.word(0x7f000000 | n);
  }

  number(v: number): void {
    if ((v | 0) === v) {
      this.tag(5);
      this.word(v);
    } else {
      this.tag(6);
      this.string(String(v));
    }
  }

  string(s: string): void {
    this.tag(7);
    this.word(s.length);
    for (let i = 0; i < s.length; i += 2) this.word(s.charCodeAt(i) | (i + 1 < s.length ? s.charCodeAt(i + 1) << 16 : 0));
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
