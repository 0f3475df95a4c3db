import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
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
export type TraceFields = Readonly<Record<string, TraceValue>>;

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
  private readonly hasher = sha256.create();

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
   * SHA-256 of the canonical lines, hex. Incremental: events recorded since the last call are
   * hashed on the next one, so asking often is cheap.
   */
  hash(): string {
    for (; this.hashedUpTo < this.times.length; this.hashedUpTo++) {
      this.hasher.update(utf8ToBytes(this.line(this.hashedUpTo)));
    }
    return bytesToHex(this.hasher.clone().digest());
  }
}
