/**
 * One logical Redis database. Keys are binary-safe: each key byte is one char (0-255) of the map
 * key. Expiry is lazy and on virtual time: an entry whose `expireAt` has been reached is deleted
 * when it is next looked at.
 */
import type { Micros } from '../kernel/time.js';

export type Entry =
  | { kind: 'string'; value: Uint8Array; expireAt: Micros | null }
  | { kind: 'list'; value: Uint8Array[]; expireAt: Micros | null };

/**
 * Expired once `now` reaches `expireAt`. (Redis's keyIsExpired uses `now > when` on a
 * millisecond clock; on a microsecond clock `>=` makes `PX 100` set at 0 gone at exactly 100 ms.)
 */
export function isExpired(entry: Entry, now: Micros): boolean {
  return entry.expireAt !== null && now >= entry.expireAt;
}

const CACHED_KEY_MAX = 32;
const KEY_SLOTS = 4096;
/** Recently built short keys by a hash of their bytes (direct-mapped). */
const keyCache: string[] = new Array<string>(KEY_SLOTS).fill('');

/** Key bytes to the map key: one char per byte. */
export function keyFromBytes(b: Uint8Array): string {
  const n = b.length;
  if (n <= CACHED_KEY_MAX) {
    // The same keys come back command after command: a string built once (its hash already
    // computed by the first lookup) costs a hash of the bytes instead of a new string to hash.
    let h = 0x811c9dc5 ^ n;
    for (let i = 0; i < n; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
    const slot = (h ^ (h >>> 15)) & (KEY_SLOTS - 1);
    const hit = keyCache[slot]!;
    if (hit.length === n) {
      let i = 0;
      while (i < n && hit.charCodeAt(i) === b[i]) i++;
      if (i === n) return hit;
    }
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(b[i]!);
    keyCache[slot] = s;
    return s;
  }
  // Keys and command words are short: a plain loop is several times faster than building an
  // argument list. Long ones go in chunks through apply (spreading an array iterates it, slower).
  if (n <= 64) {
    let s = '';
    for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
    return s;
  }
  let s = '';
  for (let i = 0; i < b.length; i += 4096) {
    s += String.fromCharCode.apply(null, b.subarray(i, Math.min(b.length, i + 4096)) as unknown as number[]);
  }
  return s;
}

/** The map key back to its bytes. */
export function keyToBytes(key: string): Uint8Array {
  const out = new Uint8Array(key.length);
  for (let i = 0; i < key.length; i++) out[i] = key.charCodeAt(i);
  return out;
}

export class Keyspace {
  private readonly entries = new Map<string, Entry>();
  /** How many entries have an expiry; when zero, sizes need no scan. */
  private volatile = 0;

  /** The live entry at `key`, or undefined; deletes it first if it has expired. */
  get(key: string, now: Micros): Entry | undefined {
    const e = this.entries.get(key);
    if (e === undefined) return undefined;
    if (isExpired(e, now)) {
      this.delete(key);
      return undefined;
    }
    return e;
  }

  has(key: string, now: Micros): boolean {
    return this.get(key, now) !== undefined;
  }

  /** Stores `entry` (replacing any entry, expiry included). */
  set(key: string, entry: Entry): void {
    const old = this.entries.get(key);
    if (old !== undefined && old.expireAt !== null) this.volatile--;
    if (entry.expireAt !== null) this.volatile++;
    this.entries.set(key, entry);
  }

  /** Changes the expiry of a stored entry (null removes it). */
  setExpire(key: string, expireAt: Micros | null): void {
    const e = this.entries.get(key);
    if (e === undefined) return;
    if (e.expireAt !== null) this.volatile--;
    if (expireAt !== null) this.volatile++;
    e.expireAt = expireAt;
  }

  delete(key: string): boolean {
    const e = this.entries.get(key);
    if (e === undefined) return false;
    if (e.expireAt !== null) this.volatile--;
    this.entries.delete(key);
    return true;
  }

  /** Live keys. Unlike Redis's DBSIZE, expired-but-unreaped keys are never counted. */
  size(now: Micros): number {
    this.purge(now);
    return this.entries.size;
  }

  /** Live keys with an expiry (INFO keyspace's `expires`). */
  volatileCount(now: Micros): number {
    this.purge(now);
    return this.volatile;
  }

  /** Live keys in insertion order. */
  keys(now: Micros): string[] {
    this.purge(now);
    return [...this.entries.keys()];
  }

  clear(): void {
    this.entries.clear();
    this.volatile = 0;
  }

  /** Deletes every expired entry. */
  purge(now: Micros): void {
    if (this.volatile === 0) return;
    for (const [k, e] of this.entries) if (isExpired(e, now)) this.delete(k);
  }
}
