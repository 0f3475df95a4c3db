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
 * An append-only, columnar log of everything observable in one world. Recording is a push onto
 * three arrays; the hash and the row view are computed only when asked for.
 */
export class Trace {
  private readonly times: Micros[] = [];
  private readonly kinds: string[] = [];
  private readonly fields: TraceFields[] = [];
  private hashedUpTo = 0;
  private readonly hasher = new StreamHash();

  constructor(
    private readonly clock: { readonly now: Micros },
    /** When false nothing is kept (benchmarks); the hash is then of an empty log. */
    readonly enabled = true,
  ) {}

  record<K extends TraceKind>(kind: K, fields: TraceEvents[K] & TraceFields): void {
    if (!this.enabled) return;
    this.times.push(this.clock.now);
    this.kinds.push(kind);
    this.fields.push(fields);
  }

  get length(): number {
    return this.times.length;
  }

  /** The i-th event as a plain row. */
  at(i: number): TraceRecord {
    return { t: this.times[i]!, kind: this.kinds[i]!, ...this.fields[i]! } as TraceRecord;
  }

  /** Visits every event without building a row object (for passes over large traces). */
  each(fn: (t: Micros, kind: string, fields: TraceFields) => void): void {
    const { times, kinds, fields } = this;
    for (let i = 0; i < times.length; i++) fn(times[i]!, kinds[i]!, fields[i]!);
  }

  *rows(from = 0): IterableIterator<TraceRecord> {
    for (let i = from; i < this.times.length; i++) yield this.at(i);
  }

  toArray(): TraceRecord[] {
    return [...this.rows()];
  }

  /** Events of one kind, typed. */
  *ofKind<K extends TraceKind>(kind: K): IterableIterator<{ t: Micros } & TraceEvents[K]> {
    for (let i = 0; i < this.kinds.length; i++) {
      if (this.kinds[i] === kind) yield { t: this.times[i]!, ...this.fields[i]! } as { t: Micros } & TraceEvents[K];
    }
  }

  /** The canonical text of one event: the bytes the hash is computed over. */
  line(i: number): string {
    return `${this.times[i]} ${this.kinds[i]} ${JSON.stringify(this.fields[i])}\n`;
  }

  /**
   * A 64-bit hash of every event — time, kind and field values in order — as 16 hex digits.
   * Incremental: events recorded since the last call are hashed on the next one. Not SHA-256 of
   * the JSON lines: serialising every event cost 40% of a run; this reads the values as they are.
   */
  hash(): string {
    const h = this.hasher;
    for (; this.hashedUpTo < this.times.length; this.hashedUpTo++) {
      const i = this.hashedUpTo;
      h.number(this.times[i]!);
      h.string(this.kinds[i]!);
      const f = this.fields[i]!;
      for (const k in f) {
        const v = f[k];
        if (typeof v === 'number') h.number(v);
        else if (typeof v === 'string') h.string(v);
        else h.tag(v === true ? 1 : v === false ? 2 : 3);
      }
      h.tag(4);
    }
    return h.hex();
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
