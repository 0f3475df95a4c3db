/**
 * Typed arrays for a view pass's large columns, made and touched ahead of the pass while its
 * thread is idle (the lab's worker between runs: `stockRoom`), then taken by the pass as it
 * starts. Fresh memory is slow to touch in the browser: a page fault per 4 KB, ~5 ms per MB
 * first written in Chromium on this machine against ~0.05 ms once touched (16 MB: 72-94 ms
 * against 0.4-1.8 ms, measured), and a 100k world's view columns are ~18 MB that the pass hands
 * to the page, so each run wrote them into fresh memory again. Nothing stocked (Node, the CLI,
 * tests): arrays are made as before. What an array holds is the same either way: zeros.
 */

type Kind = Float64ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor | Uint16ArrayConstructor;
type Made<K extends Kind> = InstanceType<K> & { buffer: ArrayBuffer };

/** Smaller arrays are made as they are needed (a few pages at most). */
export const ROOM_MIN = 4096;

/** Spare arrays by kind and length. */
const spare = new Map<string, Array<Float64Array | Int32Array | Uint8Array | Uint16Array>>();

const keyOf = (kind: Kind, n: number) => `${kind.name}:${n}`;

/** Taken from the spares and made by hand since the last count (tests count them). */
export const roomCounts = { taken: 0, made: 0 };

/**
 * An array of `kind` and length `n` holding `fill` everywhere: a spare if one was stocked, else a new one, touched
 * at once when it is large (its pages faulted in one sweep, not one by one as it is written).
 */
export function freshArray<K extends Kind>(kind: K, n: number, fill = 0): Made<K> {
  if (n >= ROOM_MIN) {
    const list = spare.get(keyOf(kind, n));
    const a = list?.pop();
    if (a !== undefined) {
      roomCounts.taken++;
      a.fill(fill);
      return a as Made<K>;
    }
    roomCounts.made++;
  }
  const a = new kind(n) as Made<K>;
  if (n >= ROOM_MIN || fill !== 0) a.fill(fill);
  return a;
}

/**
 * Makes the spares for a pass that will take arrays of these kinds and lengths (one entry per
 * array), keeping those already there and letting go of any others: one pass's worth at most.
 * Makes up to `maxBytes` of them (a slice of idle time); true when all are there.
 */
export function stockArrays(wanted: ReadonlyArray<readonly [Kind, number]>, maxBytes = Number.POSITIVE_INFINITY): boolean {
  const need = new Map<string, { kind: Kind; n: number; count: number }>();
  for (const [kind, n] of wanted) {
    if (n < ROOM_MIN) continue;
    const k = keyOf(kind, n);
    const e = need.get(k);
    if (e === undefined) need.set(k, { kind, n, count: 1 });
    else e.count++;
  }
  for (const [k, list] of spare) {
    const want = need.get(k)?.count ?? 0;
    if (list.length > want) list.length = want;
    if (list.length === 0) spare.delete(k);
  }
  let bytes = 0;
  for (const [k, { kind, n, count }] of need) {
    let list = spare.get(k);
    if (list === undefined) spare.set(k, (list = []));
    while (list.length < count) {
      if (bytes >= maxBytes) return false;
      const a = new kind(n);
      a.fill(0);
      list.push(a);
      bytes += a.byteLength;
    }
  }
  return true;
}

/** Spare arrays held now (tests). */
export function spareCount(): number {
  let n = 0;
  for (const list of spare.values()) n += list.length;
  return n;
}
