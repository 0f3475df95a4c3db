/**
 * A world's view packed into typed arrays for the trip from a Web Worker to the page.
 *
 * Why: posted as objects, 100,000 requests are ~18 MB of structured clone that the page must
 * rebuild on its own thread (~200 ms per world, blocking the page). Packed, the arrays are
 * transferred (moved, not copied) and unpacking is a plain loop. The step functions (in flight,
 * per connection, CPU busy) are typed arrays already: each is copied once into a buffer of its own
 * (so the packed view stays whole) and transferred, and nothing is rebuilt on the page. Small parts (metrics, lanes, backoffs, throughput) go as
 * they are.
 */
import type { RequestView, Steps, WorldView } from './types.js';
import { freshArray } from './room.js';

/** A missing time or connection (null in the view). Times and ids are small integers. */
const NONE = -1;

const TIME_COLS = ['start', 'queuedAt', 'checkedOutAt', 'sentAt', 'arriveAt', 'execAt', 'replyAt', 'end'] as const;

export interface PackedRequests {
  n: number;
  /** Per request: req, caller, callerLane, cmds, conn (NONE for null). */
  ints: Int32Array;
  /** Per request, the TIME_COLS in order (NONE for null). µs of virtual time fit a double exactly. */
  times: Float64Array;
  /** Per request: ok (0 false, 1 true, 2 null), indeterminate, resent. */
  flags: Uint8Array;
  /** Indices into `strings`: name, error. */
  names: Uint16Array;
  errors: Uint16Array;
  strings: string[];
}

export interface PackedWorld {
  /** Everything but the requests, the step functions among it as they are (typed arrays). */
  rest: Omit<WorldView, 'requests'>;
  requests: PackedRequests;
}

/**
 * A step function's columns, copied into buffers of their own that are listed to transfer: a
 * memory copy (the view that was packed stays whole, its arrays are not detached), no object
 * per point.
 */
function transferSteps(s: Steps, transfer: ArrayBuffer[]): Steps {
  const t = s.t.slice();
  const v = s.v.slice();
  transfer.push(t.buffer, v.buffer);
  return { t, v };
}

/** Requests as objects packed into columns (the layout of PackedRequests, `n` rows exactly). */
export function packRequests(reqs: readonly RequestView[]): PackedRequests {
  const n = reqs.length;
  const ints = new Int32Array(n * 5);
  const times = new Float64Array(n * TIME_COLS.length);
  const flags = new Uint8Array(n * 3);
  const names = new Uint16Array(n);
  const errors = new Uint16Array(n);
  const strings: string[] = [];
  const index = new Map<string, number>();
  const intern = (s: string): number => {
    let i = index.get(s);
    if (i === undefined) {
      i = strings.length;
      if (i > 0xffff) throw new RangeError('more than 65,536 distinct command names and error kinds');
      strings.push(s);
      index.set(s, i);
    }
    return i;
  };
  for (let i = 0; i < n; i++) {
    const r = reqs[i]!;
    const o = i * 5;
    ints[o] = r.req;
    ints[o + 1] = r.caller;
    ints[o + 2] = r.callerLane;
    ints[o + 3] = r.cmds;
    ints[o + 4] = r.conn ?? NONE;
    const to = i * TIME_COLS.length;
    for (let c = 0; c < TIME_COLS.length; c++) times[to + c] = r[TIME_COLS[c]!] ?? NONE;
    flags[i * 3] = r.ok === null ? 2 : r.ok ? 1 : 0;
    flags[i * 3 + 1] = r.indeterminate ? 1 : 0;
    flags[i * 3 + 2] = r.resent ? 1 : 0;
    names[i] = intern(r.name);
    errors[i] = intern(r.error);
  }
  return { n, ints, times, flags, names, errors, strings };
}

/** Packs a view; `transfer` lists the buffers to hand to postMessage as transferables. */
export function packWorld(view: WorldView): { packed: PackedWorld; transfer: ArrayBuffer[] } {
  const transfer: ArrayBuffer[] = [];
  const { requests: reqs, inFlight, connInFlight, busy, ...rest } = view;
  const requests = packRequests(reqs);
  // Fresh arrays of packRequests: plain ArrayBuffers.
  for (const a of [requests.ints, requests.times, requests.flags, requests.names, requests.errors]) transfer.push(a.buffer as ArrayBuffer);
  return {
    packed: {
      rest: {
        ...rest,
        inFlight: transferSteps(inFlight, transfer),
        connInFlight: connInFlight.map((c) => ({ conn: c.conn, points: transferSteps(c.points, transfer) })),
        busy: busy.map((b) => ({ ...b, points: transferSteps(b.points, transfer) })),
      },
      requests,
    },
    transfer,
  };
}

/** Each time's place in a request's row of `times` (TIME_COLS). */
export const T_START = 0;
export const T_QUEUED = 1;
export const T_CHECKED_OUT = 2;
export const T_SENT = 3;
export const T_ARRIVE = 4;
export const T_EXEC = 5;
export const T_REPLY = 6;
export const T_END = 7;
/** Ints per request (req, caller, callerLane, cmds, conn), times, flags (ok, indeterminate, resent). */
export const INTS = 5;
export const TIMES = TIME_COLS.length;
export const FLAGS = 3;
export { NONE };

/**
 * The requests of a view pass, written in the packed layout as they start and change: no object
 * per request in the worker (one was most of the pass's allocation), and packing hands the
 * columns on as they are. `n` requests; the columns are longer (room to grow).
 */
export class RequestColumns {
  n = 0;
  ints: Int32Array<ArrayBuffer>;
  times: Float64Array<ArrayBuffer>;
  flags: Uint8Array<ArrayBuffer>;
  names: Uint16Array<ArrayBuffer>;
  errors: Uint16Array<ArrayBuffer>;
  readonly strings: string[] = [];
  private readonly index = new Map<string, number>();
  private lastName = '';
  private lastNameId = -1;
  readonly noError: number;

  /** `capacity`: the requests expected (room made for them at once). */
  constructor(capacity = 256) {
    const n = Math.max(1, capacity);
    // Every time and connection unknown until written. Filled at once, fresh memory is touched
    // in one sweep: row by row as requests start, its page faults were most of add's cost
    // (Chromium profile, budget worlds: add 5.6% of the worker -> 0.9%, this fill 2.4%); stocked
    // ahead (./room.ts), it is touched already.
    this.ints = freshArray(Int32Array, INTS * n, NONE);
    this.times = freshArray(Float64Array, TIMES * n, NONE);
    this.flags = freshArray(Uint8Array, FLAGS * n);
    this.names = freshArray(Uint16Array, n);
    this.errors = freshArray(Uint16Array, n);
    this.noError = this.intern('');
  }

  /** The arrays a RequestColumns of `capacity` makes (kinds and lengths: ./room.ts stocks them). */
  static room(capacity: number): Array<[Float64ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor | Uint16ArrayConstructor, number]> {
    const n = Math.max(1, capacity);
    return [[Int32Array, INTS * n], [Float64Array, TIMES * n], [Uint8Array, FLAGS * n], [Uint16Array, n], [Uint16Array, n]];
  }

  intern(s: string): number {
    let i = this.index.get(s);
    if (i === undefined) {
      i = this.strings.length;
      if (i > 0xffff) throw new RangeError('more than 65,536 distinct command names and error kinds');
      this.strings.push(s);
      this.index.set(s, i);
    }
    return i;
  }

  /** A request started at `start` (nothing else known yet, ok null): its row. */
  add(req: number, caller: number, callerLane: number, name: string, cmds: number, start: number): number {
    const i = this.n;
    if (i === this.names.length) this.grow();
    const o = i * INTS;
    const ints = this.ints;
    ints[o] = req;
    ints[o + 1] = caller;
    ints[o + 2] = callerLane;
    ints[o + 3] = cmds;
    this.times[i * TIMES] = start;
    this.flags[i * FLAGS] = 2;
    if (name !== this.lastName || this.lastNameId < 0) {
      this.lastName = name;
      this.lastNameId = this.intern(name);
    }
    this.names[i] = this.lastNameId;
    this.errors[i] = this.noError;
    this.n = i + 1;
    return i;
  }

  private grow(): void {
    const cap = this.names.length * 2;
    const more = <A extends Int32Array | Float64Array | Uint8Array | Uint16Array>(a: A, per: number): A => {
      const b = new (a.constructor as new (n: number) => A)(cap * per);
      b.set(a);
      return b;
    };
    const rows = this.names.length;
    this.ints = more(this.ints, INTS);
    this.ints.fill(NONE, rows * INTS);
    this.times = more(this.times, TIMES);
    this.times.fill(NONE, rows * TIMES);
    this.flags = more(this.flags, FLAGS);
    this.names = more(this.names, 1);
    this.errors = more(this.errors, 1);
  }

  /** The columns as pack.ts ships them (not copied: write no more), and their buffers to transfer. */
  packed(transfer: ArrayBuffer[]): PackedRequests {
    const { n, ints, times, flags, names, errors, strings } = this;
    transfer.push(ints.buffer, times.buffer, flags.buffer, names.buffer, errors.buffer);
    return { n, ints, times, flags, names, errors, strings };
  }
}

const time = (x: number): number | null => (x === NONE ? null : x);

/** Request i of packed columns as an object. */
function requestView(p: PackedRequests, i: number): RequestView {
  const { ints, times, flags, names, errors, strings } = p;
  const o = i * INTS;
  const to = i * TIMES;
  const ok = flags[i * FLAGS]!;
  const conn = ints[o + 4]!;
  // The same key order as RequestView declares, so a packed round trip is deep-equal to the original.
  return {
    req: ints[o]!,
    caller: ints[o + 1]!,
    callerLane: ints[o + 2]!,
    name: strings[names[i]!]!,
    cmds: ints[o + 3]!,
    start: times[to]!,
    queuedAt: time(times[to + 1]!),
    checkedOutAt: time(times[to + 2]!),
    sentAt: time(times[to + 3]!),
    conn: conn === NONE ? null : conn,
    arriveAt: time(times[to + 4]!),
    execAt: time(times[to + 5]!),
    replyAt: time(times[to + 6]!),
    end: time(times[to + 7]!),
    ok: ok === 2 ? null : ok === 1,
    error: strings[errors[i]!]!,
    indeterminate: flags[i * FLAGS + 1] === 1,
    resent: flags[i * FLAGS + 2] === 1,
  };
}

/** The requests of packed columns as objects (the first `n`: the columns may be longer). */
export function requestViews(p: PackedRequests): RequestView[] {
  const requests: RequestView[] = new Array(p.n);
  for (let i = 0; i < p.n; i++) requests[i] = requestView(p, i);
  return requests;
}

/**
 * A world's requests in start order, read from their columns; `at(i)` makes request i's object on
 * first ask (then the same object). The page indexes, draws and counts from the columns: a 100k
 * world's 55k request objects, made as each world arrived, were the largest part of the page's
 * work after a fault edit (Chromium profile, budget scenario: ~70 ms a world, plus the scavenges
 * that promoted them); only a hover card, the tour or a playhead's live requests need objects.
 */
export class RequestRows implements PackedRequests {
  readonly n: number;
  readonly ints: Int32Array;
  readonly times: Float64Array;
  readonly flags: Uint8Array;
  readonly names: Uint16Array;
  readonly errors: Uint16Array;
  readonly strings: string[];
  /** The objects made, by row (made on the first `at`: most worlds are never asked for one). */
  private made: Array<RequestView | undefined> | null;
  private whole = false;
  /** How many request objects these rows made (tests count them). */
  objects = 0;

  /** `made`: the requests as objects already (the columns' rows, in order), if there are. */
  constructor(p: PackedRequests, made?: RequestView[]) {
    this.n = p.n;
    this.ints = p.ints;
    this.times = p.times;
    this.flags = p.flags;
    this.names = p.names;
    this.errors = p.errors;
    this.strings = p.strings;
    this.whole = made !== undefined;
    this.made = made ?? null;
  }

  get length(): number {
    return this.n;
  }

  at(i: number): RequestView | undefined {
    if (i < 0 || i >= this.n) return undefined;
    const made = (this.made ??= []);
    let r = made[i];
    if (r === undefined) {
      made[i] = r = requestView(this, i);
      this.objects++;
    }
    return r;
  }

  /** Every request as an object, in order (the objects `at` made among them). */
  all(): RequestView[] {
    if (!this.whole) {
      // Pushed into a new array (the sparse one `at` fills may be a slow dictionary), keeping
      // the objects already made.
      const made = this.made;
      const all: RequestView[] = [];
      for (let i = 0; i < this.n; i++) {
        let r = made?.[i];
        if (r === undefined) {
          r = requestView(this, i);
          this.objects++;
        }
        all.push(r);
      }
      this.made = all;
      this.whole = true;
    }
    return this.made as RequestView[];
  }

  start(i: number): number {
    return this.times[i * TIMES]!;
  }

  /** A time of request i (T_START…T_END), NONE when it never happened. */
  time(i: number, col: number): number {
    return this.times[i * TIMES + col]!;
  }

  conn(i: number): number {
    return this.ints[i * INTS + 4]!;
  }

  lane(i: number): number {
    return this.ints[i * INTS + 2]!;
  }

  req(i: number): number {
    return this.ints[i * INTS]!;
  }

  /** 0 failed, 1 ok, 2 not ended (null). */
  ok(i: number): number {
    return this.flags[i * FLAGS]!;
  }

  name(i: number): string {
    return this.strings[this.names[i]!]!;
  }

  error(i: number): string {
    return this.strings[this.errors[i]!]!;
  }
}

const rowsOf = new WeakMap<WorldView, RequestRows>();

/**
 * A world's requests as rows: an unpacked world's own columns, or a derived world's requests
 * packed once (sorted by start, as a view gives them; a copy is sorted if they are not).
 */
export function requestRows(world: WorldView): RequestRows {
  let rows = rowsOf.get(world);
  if (rows === undefined) {
    const reqs = world.requests;
    let sorted = true;
    for (let i = 1; i < reqs.length && sorted; i++) if (reqs[i]!.start < reqs[i - 1]!.start) sorted = false;
    const inOrder = sorted ? reqs : [...reqs].sort((a, b) => a.start - b.start);
    rows = new RequestRows(packRequests(inOrder), inOrder);
    rowsOf.set(world, rows);
  }
  return rows;
}

/**
 * The world a worker packed. Its requests stay in their columns (requestRows reads them); the
 * `requests` array of objects is made on first read, from the same objects `at` hands out.
 */
export function unpackWorld(p: PackedWorld): WorldView {
  const rows = new RequestRows(p.requests);
  const world = { ...p.rest } as WorldView;
  Object.defineProperty(world, 'requests', {
    enumerable: true,
    configurable: true,
    get(): RequestView[] {
      const all = rows.all();
      Object.defineProperty(world, 'requests', { value: all, enumerable: true, configurable: true, writable: true });
      return all;
    },
    set(v: RequestView[]) {
      Object.defineProperty(world, 'requests', { value: v, enumerable: true, configurable: true, writable: true });
      rowsOf.delete(world);
    },
  });
  rowsOf.set(world, rows);
  return world;
}
