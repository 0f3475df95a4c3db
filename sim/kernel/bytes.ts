/** Byte helpers shared by the network, the codec, the server and the clients. */

/** Up to this length a Uint8Array lives in the JS heap itself (V8's on-heap typed arrays). */
export const ON_HEAP_MAX = 64;
const SLAB_PIECE_MAX = 4096;
const SLAB_SIZE = 64 * 1024;
let slab = new Uint8Array(SLAB_SIZE);
let slabUsed = 0;

/**
 * A zeroed byte array of length `n`. Over 64 bytes a Uint8Array gets an ArrayBuffer of its own
 * (a malloc and a finaliser), ten times the cost of a small one, and the codec makes one for
 * nearly every command and reply. So medium ones are views carved from a shared 64 KB slab, as
 * Node's Buffer pool does; a slab is freed once no view of it is left. Callers that keep bytes
 * for long (the keyspace) copy them into their own buffer.
 */
export function allocBytes(n: number): Uint8Array {
  if (n <= ON_HEAP_MAX || n > SLAB_PIECE_MAX) return new Uint8Array(n);
  if (slabUsed + n > SLAB_SIZE) {
    slab = new Uint8Array(SLAB_SIZE);
    slabUsed = 0;
  }
  const out = slab.subarray(slabUsed, slabUsed + n);
  slabUsed += n;
  return out;
}
/**
 * The parts one after another. One part is returned as it is (no copy): callers treat bytes as
 * immutable once written.
 */
export function concatBytes(parts: readonly Uint8Array[], total?: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  let n = total ?? 0;
  if (total === undefined) for (const p of parts) n += p.length;
  // From the slab as the codec's bytes are: the server's replies to one read event, joined, are
  // mostly over 64 bytes, and an ArrayBuffer of their own each was dear (Chromium above all).
  const out = allocBytes(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
