/**
 * What a fault kind is: one module per kind declares everything about it (turmoil's fault verbs,
 * excalidraw's action registry): its parameters as a zod schema, the defaults a fault injected
 * from the lab gets, its label and description, what it does to a simulated world, what it does
 * against a real Redis (through the injected `RealTarget`, so sim/ stays free of Node), and what
 * that needs. index.ts collects them; nothing outside sim/faults/ switches over fault kinds.
 */
import { z } from 'zod';
import type { Kernel } from '../kernel/kernel.js';
import type { TraceEvents } from '../kernel/trace.js';
import type { Network } from '../net/network.js';
import type { RedisServer } from '../redis/server.js';
import { msAtLeast0, msPositive } from '../scenario/fields.js';

/** When a fault starts, ms from the start of the run. */
export const atField = msAtLeast0('a time in ms >= 0').meta({ title: 'At', unit: 'ms', description: 'from the start of the run' });
/** How long a fault lasts, ms. */
export const forField = msPositive('a duration in ms > 0').meta({ title: 'For', unit: 'ms' });

/** The callers of a run's workload, as a fault can reach them (kill_caller). */
export interface Callers {
  /** Kills caller number `index`, or a live caller drawn at random when undefined. */
  kill(index: number | undefined): void;
}

/** What a fault acts on in a simulated world. */
export interface SimTarget {
  readonly kernel: Kernel;
  readonly net: Network;
  readonly redis: RedisServer;
  readonly callers: Callers;
}

/** The fault proxy in front of a real Redis (real/proxy.ts). */
export interface RealProxy {
  /** Resolves when it listens again; rejects if it cannot. */
  refuse(forMs: number): Promise<void>;
  partitionFor(mode: 'hold' | 'drop', forMs: number): void;
  addLatency(addMs: number, forMs: number): void;
  limitBandwidth(mbps: number, forMs: number): void;
}

/** What a fault acts on against a real Redis; real/faults.ts provides it. */
export interface RealTarget {
  /** Sends a command on the run's admin connection; rejects on an error reply. */
  admin(cmd: readonly string[]): Promise<void>;
  /** Sends a command on a connection of its own (one the command holds for `holdsMs`, as DEBUG SLEEP does). */
  alone(cmd: readonly string[], holdsMs?: number): Promise<void>;
  /** Kills the redis-server this command started and starts it again `forMs` later. */
  restart(forMs: number): Promise<void>;
  /** Present when the fault needs it (`needs.proxy`). */
  readonly proxy: RealProxy | null;
  readonly callers: Callers;
}

/** What making a fault real requires. */
export interface FaultNeeds {
  /** Clients connect through the loopback proxy. */
  readonly proxy?: boolean;
  /** The redis-server this command starts itself (not one given with --redis). */
  readonly ownServer?: boolean;
  /** A Redis that allows DEBUG (Redis 7 refuses it unless enable-debug-command). */
  readonly debug?: boolean;
}

type Base<K extends string> = { atMs: z.ZodNumber; kind: z.ZodLiteral<K> };

export interface FaultKindDef<K extends string = string, P extends z.ZodRawShape = z.ZodRawShape> {
  readonly kind: K;
  /** `{atMs, kind, ...params}`, strict. */
  readonly schema: z.ZodObject<Base<K> & P, z.core.$strict>;
  /** Shown in the lab's fault picker and help. */
  readonly label: string;
  /** One sentence: what happens, and what it stands for in production. */
  readonly description: string;
  /** The parameters of a fault injected from the lab. */
  readonly defaults: Omit<z.output<z.ZodObject<Base<K> & P>>, 'atMs' | 'kind'>;
  /** Its parameters in a few words, after the kind's name: ' +20 ms', ' (hold)'. */
  detail(f: z.output<z.ZodObject<Base<K> & P>>): string;
  /** How long it lasts, ms (0 for an instant). */
  durationMs(f: z.output<z.ZodObject<Base<K> & P>>): number;
  /** The one-way latency it adds to every segment sent while it holds, ms (the views' model of it). */
  addedLatencyMs?(f: z.output<z.ZodObject<Base<K> & P>>): number;
  /** Applies it to a simulated world, now. */
  sim(f: z.output<z.ZodObject<Base<K> & P>>, w: SimTarget): void;
  /** Makes it happen against a real Redis, now; resolves when it is over. */
  real(f: z.output<z.ZodObject<Base<K> & P>>, r: RealTarget): Promise<void>;
  readonly needs: FaultNeeds;
  /** The trace events it records (an export marks them as faults). */
  readonly events: ReadonlyArray<keyof TraceEvents>;
  /** Rules against the rest of the scenario: a problem with one of its fields, or null. */
  check?(f: z.output<z.ZodObject<Base<K> & P>>, s: ScenarioContext): { field: string; message: string } | null;
}

/** What a fault's rules may look at in its scenario. */
export interface ScenarioContext {
  readonly workload: { readonly mode: 'closed' | 'open'; readonly callers: number };
}

type Def<K extends string, P extends z.ZodRawShape> = Omit<FaultKindDef<K, P>, 'kind' | 'schema' | 'durationMs' | 'needs'> & {
  durationMs?: FaultKindDef<K, P>['durationMs'];
  needs?: FaultNeeds;
};

/** Declares a fault kind from its parameters' shape (atMs and kind are added). */
export function defineFault<const K extends string, P extends z.ZodRawShape>(kind: K, params: P, def: Def<K, P>): FaultKindDef<K, P> {
  // The title, description and defaults are the lab's form for the kind (sim/scenario/form.ts).
  const schema = z
    .object({ atMs: atField, kind: z.literal(kind), ...params } as Base<K> & P)
    .strict()
    .meta({ title: def.label, description: def.description, defaults: def.defaults });
  return {
    kind,
    schema,
    durationMs: (f) => ('forMs' in f && typeof f.forMs === 'number' ? f.forMs : 0),
    needs: {},
    ...def,
  };
}
