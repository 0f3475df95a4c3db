/** Byte helpers shared by the network, the codec, the server and the clients. */
/**
 * The parts one after another. One part is returned as it is (no copy): callers treat bytes as
 * immutable once written.
 */
export function concatBytes(parts: readonly Uint8Array[], total?: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  let n = total ?? 0;
  if (total === undefined) for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
