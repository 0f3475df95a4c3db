/**
 * Where the comparison table may say one world did better. A star is only given when "better"
 * means something for that pair: never to a world that served no request (it did no work, so
 * "opened 0 connections" or "failed 0" is no merit), never between counts of different
 * denominators (19 failed of 4,168 issued against 19 of 9,000 compares nothing: the rate beside
 * them does), and not for a difference under 1% (noise, not a win).
 */

/** Which way is better for a row; null: not a contest (it depends on the work done). */
export type Better = 'higher' | 'lower' | null;

/** Below this relative difference two values are not told apart. */
export const MIN_RELATIVE_DIFFERENCE = 0.01;

export interface StarInput {
  /** The compared value per world; null: does not apply to it. */
  values: ReadonlyArray<number | null>;
  better: Better;
  /** Per world: did it serve at least one request? */
  ran: readonly boolean[];
  /** Per world, when the values are counts out of a total (failed of issued): that total. */
  denominators?: readonly number[];
}

/** Indices of the worlds holding the better value, or none when there is no meaningful contest. */
export function starredWorlds({ values, better, ran, denominators }: StarInput): Set<number> {
  const out = new Set<number>();
  if (better === null) return out;
  const present = values
    .map((v, i) => [v, i] as const)
    .filter((p): p is readonly [number, number] => p[0] !== null && Number.isFinite(p[0]) && ran[p[1]] === true);
  if (present.length < 2) return out;
  if (denominators !== undefined) {
    const ds = present.map(([, i]) => denominators[i]);
    if (ds.some((d) => d !== ds[0])) return out;
  }
  const vals = present.map((p) => p[0]);
  const best = better === 'higher' ? Math.max(...vals) : Math.min(...vals);
  const worst = better === 'higher' ? Math.min(...vals) : Math.max(...vals);
  if (Math.abs(best - worst) <= MIN_RELATIVE_DIFFERENCE * Math.max(Math.abs(best), Math.abs(worst))) return out;
  for (const [v, i] of present) if (v === best) out.add(i);
  return out;
}

/** One line per preset: what each side of its comparison buys and costs. */
export const TRADE_OFFS: Readonly<Record<string, string>> = {
  'l1-silly-way': 'A connection per command is simple but pays a TCP handshake for every request; one long-lived connection pays it once.',
  'l2-genserver': 'One process owning the socket is simple and safe, but serialises every caller: each waits for the replies of all before it.',
  'l3-pool': 'Failing fast with checked_out keeps waits short but loses calls; queueing serves every call, later.',
  'l4-multiplex': 'One multiplexed connection keeps many requests in flight on one socket; a pool needs a socket per concurrent request.',
  'l5-tradeoffs': 'The multiplexer encodes and decodes everything in one process, its bottleneck on big replies; the pool spreads that work over its callers.',
  'l6-resiliency': 'Both recover from a drop and a restart: the pool’s connections back off one by one, the one multiplexed connection fails all its calls in flight at once.',
  'l7-connection': 'Reconnecting at once hammers a refusing server with attempts; backoff knocks a few times, waiting longer each time.',
  'l8-sync-async': 'A synchronous connect fails start while Redis is down; an async one starts anyway, fails calls fast, and connects when Redis is back.',
  'hol-blpop': 'A blocking command holds the multiplexed connection for everyone behind it; in a pool it holds only its own socket.',
  'late-replies': 'After a timeout the multiplexer drops the late reply (its alias is inactive) and keeps the socket; the pool must close it and open another.',
  'at-least-once': 'Resending after a reconnect gets the command through but may run it twice; failing it as disconnected never runs it twice, but leaves it unknown.',
  'reconnect-storm': 'Backoff without jitter brings every client back at the same instant; jitter spreads the reconnects out.',
  'backoff-reset': 'Resetting the backoff on accept retries a full server at the shortest delay forever; resetting it on the handshake reply keeps backing off while Redis refuses.',
  'pool-overload': 'An unbounded queue serves everyone, late; CoDel sheds the longest waiters so the rest are served quickly.',
};
