/**
 * One logical Redis database. Keys are binary-safe: each key byte is one char (0-255) of the map
 * key. Expiry is lazy and on virtual time: an entry whose `expireAt` has been reached is deleted
 * when it is next looked at.
 */
import type { Micros } from '../kernel/time.js';
import { isInterned } from '../resp/command.js';

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

/**
 * A short key's slot in keyCache: FNV-1a of its bytes, folded (the decoder's table of interned
 * arguments, resp/command.ts, uses the same hash and as many slots: a key argument's slot there).
 */
function slotOf(b: Uint8Array): number {
  const n = b.length;
  let h = 0x811c9dc5 ^ n;
  for (let i = 0; i < n; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return (h ^ (h >>> 15)) & (KEY_SLOTS - 1);
}

/** slotOf the key's bytes, from the map key (one char per byte). */
function slotOfKey(key: string): number {
  const n = key.length;
  let h = 0x811c9dc5 ^ n;
  for (let i = 0; i < n; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h ^ (h >>> 15)) & (KEY_SLOTS - 1);
}

/** Key bytes to the map key: one char per byte. */
export function keyFromBytes(b: Uint8Array): string {
  return b.length <= CACHED_KEY_MAX ? keyAt(b, slotOf(b)) : longKey(b);
}

/** keyFromBytes of a short key whose slot is known. */
function keyAt(b: Uint8Array, slot: number): string {
  // The same keys come back command after command: a string built once (its hash already
  // computed by the first lookup) costs a hash of the bytes instead of a new string to hash.
  const n = b.length;
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

function longKey(b: Uint8Array): string {
  // Keys and command words are short: a plain loop is several times faster than building an
  // argument list. Long ones go in chunks through apply (spreading an array iterates it, slower).
  if (b.length <= 64) {
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
  /**
   * The entries found lately by an interned key argument (getBytes): the argument at 2·slot, its
   * entry (undefined: none) after it. A slot is let go or set again when its key is set or deleted. A GET of a key found this way
   * reads two array slots, not the key's string, the map's bucket and its entry: the keyspace is
   * cold by the time a key comes back (a request's allocation passes through the caches between).
   */
  private readonly found: Array<Uint8Array | Entry | undefined> = new Array<Uint8Array | Entry | undefined>(2 * KEY_SLOTS).fill(undefined);
  /** Lookups in the map itself (get, and getBytes when its argument was not found lately): counted for tests. */
  mapLookups = 0;
  /** How many entries have an expiry; when zero, sizes need no scan. */
  private volatile = 0;

  /** The live entry at `key`, or undefined; deletes it first if it has expired. */
  get(key: string, now: Micros): Entry | undefined {
    this.mapLookups++;
    const e = this.entries.get(key);
    if (e === undefined) return undefined;
    if (isExpired(e, now)) {
      this.delete(key);
      return undefined;
    }
    return e;
  }

  /**
   * get(keyFromBytes(arg), now) for a key argument as the server's decoder hands it out: one it
   * interned (isInterned: the same array each time those bytes come, never written) is remembered
   * with its entry, so the next lookup by it is a comparison of identities.
   */
  getBytes(arg: Uint8Array, now: Micros): Entry | undefined {
    if (arg.length > CACHED_KEY_MAX) return this.get(longKey(arg), now);
    const slot = slotOf(arg);
    const found = this.found;
    const at = 2 * slot;
    let e: Entry | undefined;
    // A key found absent is remembered too (its entry undefined): a GET of a key not set yet.
    if (found[at] === arg) e = found[at + 1] as Entry | undefined;
    else {
      this.mapLookups++;
      e = this.entries.get(keyAt(arg, slot));
      if (isInterned(arg, slot)) {
        found[at] = arg;
        found[at + 1] = e;
      }
    }
    if (e === undefined) return undefined;
    if (isExpired(e, now)) {
      this.delete(keyAt(arg, slot));
      return undefined;
    }
    return e;
  }

  /** The slot of `key` in `found` no longer says anything (its entry is replaced or gone). */
  private forget(key: string): void {
    if (key.length > CACHED_KEY_MAX) return;
    const at = 2 * slotOfKey(key);
    this.found[at] = undefined;
    this.found[at + 1] = undefined;
  }

  has(key: string, now: Micros): boolean {
    return this.get(key, now) !== undefined;
  }

  /**
   * Stores `entry` (replacing any entry, expiry included). `arg`: the key argument it came by, if
   * any (what getBytes will find it by next).
   */
  set(key: string, entry: Entry, arg?: Uint8Array): void {
    const old = this.entries.get(key);
    if (old !== undefined && old.expireAt !== null) this.volatile--;
    if (entry.expireAt !== null) this.volatile++;
    this.entries.set(key, entry);
    if (key.length > CACHED_KEY_MAX) return;
    const slot = slotOfKey(key);
    const found = this.found;
    const remember = arg !== undefined && isInterned(arg, slot);
    found[2 * slot] = remember ? arg : undefined;
    found[2 * slot + 1] = remember ? entry : undefined;
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
    this.forget(key);
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
    this.found.fill(undefined);
    this.volatile = 0;
  }

  /** Deletes every expired entry. */
  purge(now: Micros): void {
    if (this.volatile === 0) return;
    for (const [k, e] of this.entries) if (isExpired(e, now)) this.delete(k);
  }
}
