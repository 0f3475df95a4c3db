/**
 * The callers: the same sequence of requests in every world, because each caller draws from its
 * own named stream of the scenario's seed. Closed: `callers` processes, each calling, then
 * thinking. Open: Poisson arrivals, one short-lived process per request.
 */
import { Weighted, type Rng } from '../kernel/rng.js';
import { ms, type Micros } from '../kernel/time.js';
import { sleepAgain, sleepEffect, yieldEffect } from '../runtime/context.js';
import { TIMEOUT, type Ctx, type Effect, type Gen, type Pid, type Runtime } from '../runtime/index.js';
import { command, type AnyClient, type Command, type CommandResult } from '../clients/index.js';
import type { MixKey, Scenario } from './schema.js';

type Workload = Scenario['workload'];

/** Picks the next request of a caller from the mix. */
export function nextRequest(rng: Rng, w: Workload, tag: string): Command[] {
  return makeRequest(rng, w, new Weighted(w.mix as Record<MixKey, number>), tag, -1);
}

/**
 * nextRequest with the mix's keys and weights taken once per workload, and the ECHO tag built
 * only for an ECHO (`tag` then `n`, unless n < 0): the same draws, less work per request.
 */
function makeRequest(rng: Rng, w: Workload, mix: Weighted<MixKey>, tag: string, n: number): Command[] {
  const kind = mix.pick(rng);
  switch (kind) {
    case 'GET':
      return [['GET', keyOf(rng, w)]];
    case 'SET':
      return [['SET', keyOf(rng, w), value(w.valueBytes)]];
    case 'INCR':
      return [['INCR', `counter:${rng.int(0, w.keys - 1)}`]];
    case 'PING':
      return [['PING']];
    case 'ECHO':
      return [['ECHO', n < 0 ? tag : `${tag}${n}`]];
    case 'DEL':
      return [['DEL', keyOf(rng, w)]];
    case 'LPUSH':
      return [['LPUSH', `queue:${rng.int(0, Math.max(0, Math.min(w.keys, 16) - 1))}`, value(w.valueBytes)]];
    case 'BLPOP':
      return [['BLPOP', `queue:${rng.int(0, Math.max(0, Math.min(w.keys, 16) - 1))}`, String(w.blpopTimeoutMs / 1000)]];
    case 'PIPELINE':
      return Array.from({ length: w.pipelineSize }, () => ['GET', keyOf(rng, w)]);
    case 'SLEEP':
      return [['DEBUG', 'SLEEP', String(w.sleepMs / 1000)]];
  }
}

/** "key:0", "key:1", ...: made once each (a string built per request was a fiftieth of a world's CPU). */
const keyNames: string[] = [];
const KEY_NAMES_MAX = 1 << 16;

function keyOf(rng: Rng, w: Workload): string {
  const i = rng.int(0, w.keys - 1);
  if (i >= KEY_NAMES_MAX) return `key:${i}`;
  // Filled densely (a sparse array would be a slow dictionary).
  while (keyNames.length <= i) keyNames.push(`key:${keyNames.length}`);
  return keyNames[i]!;
}

const values = new Map<number, string>();
function value(bytes: number): string {
  let v = values.get(bytes);
  if (v === undefined) {
    v = 'v'.repeat(bytes);
    values.set(bytes, v);
  }
  return v;
}

function think(rng: Rng, w: Workload): Micros {
  const mean = ms(w.thinkMs);
  return Math.max(0, Math.round(w.thinkDist === 'exp' ? rng.exp(mean) : mean));
}

/** What every closed-mode caller of a workload shares. */
interface CallerLoop {
  readonly client: unknown;
  readonly w: Workload;
  readonly mix: Weighted<MixKey>;
  readonly duration: Micros;
  readonly timeout: Micros;
  readonly issue: Issue<unknown>;
}

const CALLER_START = 0;
const CALLER_SPREAD = 1;
const CALLER_ISSUING = 2;
const CALLER_YIELDED = 3;
const CALLER_THINKING = 4;
const CALLER_DONE = 5;

/**
 * A closed-mode caller's loop. As a generator it reads:
 *
 *   const rng = ctx.random(`workload/caller${i}`);
 *   // Start spread over one think time, so callers do not move in lockstep.
 *   yield* ctx.sleep(Math.round(rng.float() * Math.max(ms(w.thinkMs), 1)));
 *   for (let n = 0; ctx.now < duration; n++) {
 *     const steps = ctx.steps;
 *     yield* issue(ctx, client, makeRequest(rng, w, mix, `c${i}-`, n), timeout);
 *     // A call that failed without waiting (noproc, a client that is down): a BEAM scheduler
 *     // would preempt this loop, so the caller yields; its steps cost CPU.
 *     if (ctx.steps === steps) yield* ctx.yield();
 *     const t = think(rng, w);
 *     if (t > 0) yield sleepEffect(t);
 *   }
 *
 * It is that generator's iterator written out, driving the request's own iterator as yield*
 * would: a caller steps twice or more per request, and each step resumed this generator as
 * well as the request's (a tenth of a world's CPU went to resuming generators). Its sleep effect
 * and its results are made once and filled again (the runtime reads a result when it gets it).
 */
class Caller {
  private phase = CALLER_START;
  private rng: Rng | null = null;
  private readonly tag: string;
  private n = 0;
  private steps = 0;
  private request: Iterator<Effect, unknown> | null = null;
  private readonly nap = sleepEffect(0);
  private readonly waits: { value: Effect; done: false } = { value: this.nap, done: false };

  constructor(
    private readonly ctx: Ctx,
    readonly index: number,
    private readonly loop: CallerLoop,
  ) {
    this.tag = `c${index}-`;
  }

  [Symbol.iterator](): this {
    return this;
  }

  next(input?: unknown): IteratorResult<Effect, void> {
    const ctx = this.ctx;
    const { w } = this.loop;
    const phase = this.phase;
    // Done unless it waits again: a throw from here ends it, as it ends a generator.
    this.phase = CALLER_DONE;
    switch (phase) {
      case CALLER_START: {
        const rng = ctx.random(`workload/caller${this.index}`);
        this.rng = rng;
        return this.wait(CALLER_SPREAD, sleepAgain(this.nap, Math.round(rng.float() * Math.max(ms(w.thinkMs), 1))));
      }
      case CALLER_SPREAD:
        if (input !== TIMEOUT) throw new Error('sleep woke without its timeout');
        return this.issueNext();
      case CALLER_ISSUING: {
        const r = this.request!.next(input);
        if (!r.done) {
          this.phase = CALLER_ISSUING;
          return r as IteratorResult<Effect, void>;
        }
        this.request = null;
        return this.afterRequest();
      }
      case CALLER_YIELDED:
        return this.think();
      case CALLER_THINKING:
        this.n++;
        return this.issueNext();
      default:
        return { value: undefined, done: true };
    }
  }

  /** The loop's test, then the next request until it waits (or ends without waiting). */
  private issueNext(): IteratorResult<Effect, void> {
    const ctx = this.ctx;
    const { client, w, mix, duration, timeout, issue } = this.loop;
    if (!(ctx.now < duration)) return { value: undefined, done: true };
    this.steps = ctx.steps;
    const request = issue(ctx, client, makeRequest(this.rng!, w, mix, this.tag, this.n), timeout);
    const r = request.next();
    if (!r.done) {
      this.request = request;
      this.phase = CALLER_ISSUING;
      return r as IteratorResult<Effect, void>;
    }
    return this.afterRequest();
  }

  private afterRequest(): IteratorResult<Effect, void> {
    if (this.ctx.steps === this.steps) return this.wait(CALLER_YIELDED, yieldEffect());
    return this.think();
  }

  private think(): IteratorResult<Effect, void> {
    const t = think(this.rng!, this.loop.w);
    if (t > 0) return this.wait(CALLER_THINKING, sleepAgain(this.nap, t));
    this.n++;
    return this.issueNext();
  }

  private wait(phase: number, effect: Effect): IteratorResult<Effect, void> {
    this.phase = phase;
    const r = this.waits;
    r.value = effect;
    return r;
  }

  return(): IteratorResult<Effect, void> {
    this.phase = CALLER_DONE;
    return { value: undefined, done: true };
  }

  throw(e: unknown): never {
    this.phase = CALLER_DONE;
    throw e;
  }
}

/** How a caller issues one request: Duplex's clients by default; real/ passes other libraries' adapters. */
export type Issue<C> = (ctx: Ctx, client: C, cmds: readonly Command[], timeout: Micros) => Gen<CommandResult>;

/**
 * An open-load arrival's body: one generator function for all of them (a closure per arrival gave
 * each arrival's generator a map of its own: see gen_server.ts serverLoop).
 */
function* arrival(c: Ctx, issue: Issue<unknown>, client: unknown, cmds: readonly Command[], timeout: Micros): Gen<void> {
  yield* issue(c, client, cmds, timeout);
}

/** Spawns the workload's callers; returns the pids of the closed-mode callers (for kill_caller). */
export function spawnWorkload(world: { readonly rt: Runtime }, client: AnyClient, s: Scenario): { callers: Pid[]; live: Set<Pid> };
export function spawnWorkload<C>(world: { readonly rt: Runtime }, client: C, s: Scenario, issue: Issue<C>): { callers: Pid[]; live: Set<Pid> };
export function spawnWorkload(world: { readonly rt: Runtime }, client: unknown, s: Scenario, issue: Issue<unknown> = command as Issue<unknown>): { callers: Pid[]; live: Set<Pid> } {
  const w = s.workload;
  const duration = ms(s.durationMs);
  const timeout = ms(w.callTimeoutMs);
  const mix = new Weighted(w.mix as Record<MixKey, number>);
  const live = new Set<Pid>();
  const callers: Pid[] = [];
  const track = (pid: Pid) => {
    live.add(pid);
    return pid;
  };
  world.rt.onExit((pid) => live.delete(pid));

  if (w.mode === 'closed') {
    const loop = { client, w, mix, duration, timeout, issue };
    for (let i = 0; i < w.callers; i++) {
      callers.push(track(world.rt.spawn((ctx: Ctx) => new Caller(ctx, i, loop) as unknown as Gen<void>, { name: `caller${i}` })));
    }
  } else {
    world.rt.spawn(
      function* (ctx: Ctx): Gen<void> {
        const rng = ctx.random('workload/arrivals');
        const meanGap = 1_000_000 / w.ratePerSec;
        const nap = sleepEffect(0);
        for (let n = 0; ; n++) {
          const gap = Math.round(rng.exp(meanGap));
          if (ctx.now + gap >= duration) return;
          yield sleepAgain(nap, gap);
          const cmds = makeRequest(rng, w, mix, 'a', n);
          track(ctx.spawn((c: Ctx) => arrival(c, issue, client, cmds, timeout), { name: `arrival${n}` }));
        }
      },
      { name: 'arrivals' },
    );
  }
  return { callers, live };
}
