/**
 * Typed arrays for a view pass's large columns (and the page's indexes of a world), made and
 * touched ahead while the thread is idle (the lab's worker between runs: `stockRoom`; the page:
 * web/src/components/timeline/prepare.ts), then taken by the next pass (or index) as it starts.
 * Fresh memory is slow to touch in the browser: a page fault per 4 KB, ~5 ms per MB first
 * written in Chromium on this machine against ~0.05 ms once touched (16 MB: 72-94 ms against
 * 0.4-1.8 ms, measured), and a 100k world's view columns are ~18 MB that the pass hands to the
 * page, so each run wrote them into fresh memory again. Nothing stocked (Node, the CLI, tests):
 * arrays are made as before. What an array holds is the same either way (zeros, or `fill`).
 */

type Kind = Float64ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor | Uint16ArrayConstructor;
type Made<K extends Kind> = InstanceType<K> & { buffer: ArrayBuffer };
type Spare = Float64Array | Int32Array | Uint8Array | Uint16Array;

/** Smaller arrays are made as they are needed (a few pages at most). */
export const ROOM_MIN = 4096;

/** A spare this much longer than asked is not taken (its memory is better left to another). */
const SLACK = 1.5;

/** Spare arrays, by who stocked them (a world's view pass, the page's index of a world). */
const spare = new Map<string, Spare[]>();

/** Taken from the spares and made by hand since the last count (tests count them). */
export const roomCounts = { taken: 0, made: 0 };

/**
 * An array of `kind` and length `n` holding `fill` everywhere: the first n of a spare if one
 * was stocked (the shortest of those long enough), else a new one, touched at once when it is
 * large (its pages faulted in one sweep, not one by one as it is written).
 */
export function freshArray<K extends Kind>(kind: K, n: number, fill = 0): Made<K> {
  if (n >= ROOM_MIN && spare.size > 0) {
    let best: Spare[] | null = null;
    let at = -1;
    for (const list of spare.values()) {
      for (let i = 0; i < list.length; i++) {
        const a = list[i]!;
        if (a.constructor === kind && a.length >= n && a.length <= n * SLACK && (at < 0 || a.length < best![at]!.length)) {
          best = list;
          at = i;
        }
      }
    }
    if (best !== null) {
      const a = best[at]!;
      best.splice(at, 1);
      roomCounts.taken++;
      const mine = (a.length === n ? a : a.subarray(0, n)) as Made<K>;
      mine.fill(fill);
      return mine;
    }
  }
  if (n >= ROOM_MIN) roomCounts.made++;
  const a = new kind(n) as Made<K>;
  if (n >= ROOM_MIN || fill !== 0) a.fill(fill);
  return a;
}

/**
 * Makes the spares `owner` wants, arrays of these kinds and lengths (one entry per array),
 * keeping those of its spares already there and letting go of its others. Makes up to
 * `maxBytes` of them (a slice of idle time); true when all are there.
 */
export function stockArrays(owner: string, wanted: ReadonlyArray<readonly [Kind, number]>, maxBytes = Number.POSITIVE_INFINITY): boolean {
  const had = spare.get(owner) ?? [];
  const mine: Spare[] = [];
  const missing: Array<readonly [Kind, number]> = [];
  for (const w of wanted) {
    const [kind, n] = w;
    if (n < ROOM_MIN) continue;
    const i = had.findIndex((a) => a.constructor === kind && a.length === n);
    if (i >= 0) mine.push(had.splice(i, 1)[0]!);
    else missing.push(w);
  }
  spare.set(owner, mine);
  let bytes = 0;
  for (const [kind, n] of missing) {
    if (bytes >= maxBytes) return false;
    const a = new kind(n);
    a.fill(0);
    mine.push(a);
    bytes += a.byteLength;
  }
  return true;
}

/** Spare arrays held now (tests). */
export function spareCount(): number {
  let n = 0;
  for (const list of spare.values()) n += list.length;
  return n;
}
