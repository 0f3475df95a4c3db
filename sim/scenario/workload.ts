/**
 * The callers: the same sequence of requests in every world, because each caller draws from its
 * own named stream of the scenario's seed. Closed: `callers` processes, each calling, then
 * thinking. Open: Poisson arrivals, one short-lived process per request.
 */
import { Weighted, type Rng } from '../kernel/rng.js';
import { ms, type Micros } from '../kernel/time.js';
import { sleepAgain, sleepEffect } from '../runtime/context.js';
import type { Ctx, Gen, Pid, Runtime } from '../runtime/index.js';
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

/** How a caller issues one request: Duplex's clients by default; real/ passes other libraries' adapters. */
export type Issue<C> = (ctx: Ctx, client: C, cmds: readonly Command[], timeout: Micros) => Gen<CommandResult>;

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
    for (let i = 0; i < w.callers; i++) {
      callers.push(
        track(
          world.rt.spawn(
            function* (ctx: Ctx): Gen<void> {
              const rng = ctx.random(`workload/caller${i}`);
              const tag = `c${i}-`;
              // Start spread over one think time, so callers do not move in lockstep.
              yield* ctx.sleep(Math.round(rng.float() * Math.max(ms(w.thinkMs), 1)));
              const nap = sleepEffect(0);
              for (let n = 0; ctx.now < duration; n++) {
                const steps = ctx.steps;
                yield* issue(ctx, client, makeRequest(rng, w, mix, tag, n), timeout);
                // A call that failed without waiting (noproc, a client that is down): a BEAM
                // scheduler would preempt this loop, so the caller yields; its steps cost CPU.
                if (ctx.steps === steps) yield* ctx.yield();
                const t = think(rng, w);
                // ctx.sleep's effect, yielded here: no generator (nor effect) per request.
                if (t > 0) yield sleepAgain(nap, t);
              }
            },
            { name: `caller${i}` },
          ),
        ),
      );
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
          track(
            ctx.spawn(
              function* (c: Ctx): Gen<void> {
                yield* issue(c, client, cmds, timeout);
              },
              { name: `arrival${n}` },
            ),
          );
        }
      },
      { name: 'arrivals' },
    );
  }
  return { callers, live };
}
