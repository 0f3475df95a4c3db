/**
 * The registry of fault kinds: the scenario schema's fault union, the labels and defaults the lab
 * shows, the describe function, what a simulated world and the real driver do with a fault, all
 * built from the modules of this directory. Adding a kind is one module plus its tests: write
 * it, and list it here.
 */
import { z } from 'zod';
import { ms, type Micros } from '../kernel/time.js';
import { bandwidth } from './bandwidth.js';
import { dropConnections } from './drop-connections.js';
import type { FaultKindDef, FaultNeeds, RealTarget, ScenarioContext, SimTarget } from './fault.js';
import { killCaller } from './kill-caller.js';
import { latency } from './latency.js';
import { partition } from './partition.js';
import { refuseConnections } from './refuse-connections.js';
import { serverDown } from './server-down.js';
import { serverPause } from './server-pause.js';
import { slowServer } from './slow-server.js';

export type { Callers, FaultKindDef, FaultNeeds, RealProxy, RealTarget, ScenarioContext, SimTarget } from './fault.js';
export { workloadCallers } from './kill-caller.js';

/** In the lab's order: its keys 1, 2, 3, ... pick them in this order. */
export const FAULTS = [dropConnections, serverDown, partition, latency, slowServer, killCaller, refuseConnections, bandwidth, serverPause] as const;

type Defs = typeof FAULTS;
type SchemaOf<D> = D extends { readonly schema: infer S } ? S : never;
type SchemasOf<T extends readonly unknown[]> = { -readonly [I in keyof T]: SchemaOf<T[I]> };
type Schemas = SchemasOf<Defs>;

export const FAULT_KINDS = FAULTS.map((d) => d.kind);

export const faultSchema = z.discriminatedUnion('kind', FAULTS.map((d) => d.schema) as unknown as Schemas, {
  error: `expected kind ${FAULT_KINDS.map((k) => `"${k}"`).join(', ').replace(/, ([^,]*)$/, ' or $1')}`,
});

export type Fault = z.output<typeof faultSchema>;
export type FaultKind = Fault['kind'];

const byKind = new Map<string, FaultKindDef<string, z.ZodRawShape>>(FAULTS.map((d) => [d.kind, d as unknown as FaultKindDef<string, z.ZodRawShape>]));

/** A kind's declaration. */
export function faultDef(kind: FaultKind): FaultKindDef<string, z.ZodRawShape> {
  const d = byKind.get(kind);
  if (d === undefined) throw new RangeError(`unknown fault kind "${String(kind)}"`);
  return d;
}

export function isFaultKind(kind: unknown): kind is FaultKind {
  return typeof kind === 'string' && byKind.has(kind);
}

/** A fault of `kind` at `atMs` with the kind's defaults, as the lab injects it. */
export function faultWithDefaults(kind: FaultKind, atMs: number): Fault {
  return { atMs, kind, ...faultDef(kind).defaults } as Fault;
}

/** How long it lasts, ms (0 for an instant fault). */
export function faultDurationMs(f: Fault): number {
  return faultDef(f.kind).durationMs(f as never);
}

/** A kind as words: "drop connections". */
export function faultName(kind: FaultKind): string {
  return kind.replace(/_/g, ' ');
}

/** Its name and parameters, as the timeline labels it: "latency +20 ms". */
export function faultLabel(f: Fault): string {
  return `${faultName(f.kind)}${faultDef(f.kind).detail(f as never)}`;
}

/** One line for a list: "latency +20 ms at 300 ms for 200 ms". */
export function describeFault(f: Fault): string {
  const forMs = faultDurationMs(f);
  return `${faultLabel(f)} at ${fmt(f.atMs)} ms${forMs > 0 ? ` for ${fmt(forMs)} ms` : ''}`;
}

const fmt = (n: number) => String(Math.round(n * 1000) / 1000);

/**
 * The one-way latency the faults add at t (µs) to a segment sent then: the sum over those that
 * hold at t, each over [atMs, atMs + its duration), as the network's summed windows add them.
 */
export function addedLatencyUs(faults: readonly Fault[], t: Micros): Micros {
  let us = 0;
  for (const f of faults) {
    const added = faultDef(f.kind).addedLatencyMs?.(f as never);
    if (added !== undefined && t >= ms(f.atMs) && t < ms(f.atMs + faultDurationMs(f))) us += ms(added);
  }
  return us;
}

/** Applies a fault to a simulated world, now. */
export function applySimFault(f: Fault, w: SimTarget): void {
  faultDef(f.kind).sim(f as never, w);
}

/** Makes a fault happen against a real Redis; resolves when it is over. */
export function applyRealFault(f: Fault, r: RealTarget): Promise<void> {
  return faultDef(f.kind).real(f as never, r);
}

/** Does any of these faults need this? */
export function faultsNeed(faults: readonly Fault[], need: keyof FaultNeeds): Fault | undefined {
  return faults.find((f) => faultDef(f.kind).needs[need] === true);
}

/** A fault's problems with the rest of its scenario (kill_caller's index against the callers). */
export function checkFault(f: Fault, s: ScenarioContext): { field: string; message: string } | null {
  return faultDef(f.kind).check?.(f as never, s) ?? null;
}

/** The trace kinds faults record. */
export const FAULT_EVENTS: ReadonlySet<string> = new Set(FAULTS.flatMap((d) => d.events));
