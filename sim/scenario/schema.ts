/**
 * The scenario format: plain JSON, validated here, with a default for everything but `clients`.
 * Invalid input gets one message per problem, naming the field and what was expected.
 */
import { z } from 'zod';
import { ms } from '../kernel/time.js';
import { defaultSerial, serialOptionsShape } from '../clients/serial.js';
import { defaultPool, poolOptionsShape } from '../clients/pool.js';
import { defaultMultiplex, multiplexOptionsShape } from '../clients/multiplex.js';
import { MAX_MS, msAtLeast0, msPositive, nonNegative, number, positive, whole } from './fields.js';
import { checkFault, faultSchema } from '../faults/index.js';

export const MIX_KEYS = ['GET', 'SET', 'INCR', 'PING', 'ECHO', 'DEL', 'LPUSH', 'BLPOP', 'PIPELINE', 'SLEEP'] as const;
export type MixKey = (typeof MIX_KEYS)[number];

/** A bandwidth: below 1 kbit/s one segment would take longer than a run could last. */
const mbps = (what: string) => positive(what, 1_000_000, ' Mbps', 0.001);
/** A run lasts at least a µs of virtual time. */
const MIN_RUN_MS = 0.001;

const label = z.string({ error: 'expected a label (text)' }).min(1, { error: 'expected a non-empty label' }).max(40, { error: 'expected a label of at most 40 characters' }).regex(/^[A-Za-z0-9_.-]+$/, { error: 'expected letters, digits, "_", "-" or "." only' }).meta({ title: 'Label', description: 'letters, digits, _ - .' });

// Each client declares its options and their defaults (sim/clients/*.ts); a configuration is one
// of them, labelled. The title names the kind in the lab; `defaults` are what its fields take
// when left out (sim/scenario/form.ts shows them).
const clientSchema = z
  .discriminatedUnion(
    'kind',
    [
      z.object({ label, kind: z.literal('naive') }).strict().meta({ title: 'a connection per command (L1)', defaults: {} }),
      z.object({ label, kind: z.literal('serial'), ...serialOptionsShape }).strict().meta({ title: 'one socket in a GenServer (L2)', defaults: defaultSerial }),
      z.object({ label, kind: z.literal('pool'), ...poolOptionsShape }).strict().meta({ title: 'a blocking pool (L3)', defaults: defaultPool }),
      z.object({ label, kind: z.literal('multiplex'), ...multiplexOptionsShape }).strict().meta({ title: 'one multiplexed connection (L4)', defaults: defaultMultiplex }),
    ],
    { error: 'expected kind "naive", "serial", "pool" or "multiplex"' },
  )
  .meta({ title: 'Kind' });

/** The client configurations a scenario takes, one per kind (the lab's form is built from them). */
export const clientConfigSchema = clientSchema;

const mixSchema = z
  .partialRecord(z.enum(MIX_KEYS, { error: `expected a command among ${MIX_KEYS.join(', ')}` }), nonNegative('a weight >= 0', 1_000_000))
  .refine((m) => Object.values(m).some((w) => (w ?? 0) > 0), { error: 'expected at least one command with a weight > 0' });

export const scenarioSchema = z
  .object({
    name: z.string({ error: 'expected text' }).max(80, { error: 'expected at most 80 characters' }).default('untitled').meta({ title: 'Name' }),
    description: z.string({ error: 'expected text' }).max(400, { error: 'expected at most 400 characters' }).default('').meta({ title: 'Description', multiline: true }),
    seed: whole(-(2 ** 53 - 1), 'a whole number', 2 ** 53 - 1).default(1).meta({ title: 'Seed', description: 'same seed, same run' }),
    durationMs: positive('a number of ms > 0', 600_000, ' ms (10 minutes)', MIN_RUN_MS).default(1000).meta({ title: 'Duration', unit: 'ms', description: 'requests start within it' }),
    /** After durationMs no request starts; the run goes on this long for the last ones to end. */
    drainMs: nonNegative('a number of ms >= 0', 600_000, ' ms (10 minutes)').optional().meta({ title: 'Drain', unit: 'ms', empty: 'auto', description: 'empty: call timeout + 100, at least 1,000' }),
    network: z
      .object({
        latencyMs: msAtLeast0('a one-way latency in ms >= 0').default(0.25).meta({ title: 'Latency, one way', unit: 'ms' }),
        jitterMs: msAtLeast0().default(0).meta({ title: 'Jitter', unit: 'ms', description: 'up to this much more per segment' }),
        bandwidthMbps: mbps('a number of Mbps > 0, or null for no limit').nullable().default(null).meta({ title: 'Bandwidth', unit: 'Mbps', empty: 'no limit', description: 'empty: no limit' }),
        connectRtts: number('a number >= 1').gte(1, { error: 'expected a number >= 1' }).max(100, { error: 'expected at most 100' }).default(1).meta({ title: 'Connect handshake', unit: 'RTTs', description: '1 for TCP, 3 for TCP + TLS 1.2' }),
        mss: whole(1, 'a whole number of bytes >= 1', 65_535).default(1460).meta({ title: 'Segment size (MSS)', unit: 'bytes' }),
      })
      .strict()
      .prefault({})
      .meta({ title: 'Network' }),
    server: z
      .object({
        commandUs: nonNegative('a number of µs >= 0', 1_000_000, ' µs (a second)').default(2).meta({ title: 'Command cost', unit: 'µs' }),
        commandDist: z.enum(['fixed', 'exp'], { error: 'expected "fixed" or "exp"' }).default('fixed').meta({ title: 'Command cost distribution', description: 'fixed, or exponential around the cost' }),
        readEventUs: nonNegative('a number of µs >= 0', 1_000_000, ' µs (a second)').default(8).meta({ title: 'Read event cost', unit: 'µs', description: 'per socket read' }),
        maxClients: whole(1, 'a whole number >= 1', 1_000_000).default(10000).meta({ title: 'Max clients', unit: 'connections' }),
      })
      .strict()
      .prefault({})
      .meta({ title: 'Redis server' }),
    runtime: z
      .object({
        schedulers: whole(1, 'a whole number >= 1', 256).default(2).meta({ title: 'Schedulers', unit: 'cores' }),
        codecNsPerByte: nonNegative('a number of ns >= 0', 1_000, ' ns').default(2).meta({ title: 'RESP encode/decode cost', unit: 'ns/byte' }),
        copyNsPerByte: nonNegative('a number of ns >= 0', 1_000, ' ns').default(1).meta({ title: 'Message copy cost', unit: 'ns/byte' }),
        /** Fixed cost of a message send (BEAM's local send is a fraction of a µs). */
        sendNs: nonNegative('a number of ns >= 0', 1_000_000, ' ns').default(300).meta({ title: 'Send cost', unit: 'ns/message' }),
        /** Fixed cost of handling one message (scheduling in, the receive loop, dispatch). */
        stepOverheadNs: nonNegative('a number of ns >= 0', 1_000_000, ' ns').default(1000).meta({ title: 'Step overhead', unit: 'ns/message', description: 'per message handled' }),
      })
      .strict()
      .prefault({})
      .meta({ title: 'Runtime' }),
    workload: z
      .object({
        mode: z.enum(['closed', 'open'], { error: 'expected "closed" or "open"' }).default('closed').meta({ title: 'Mode', description: 'closed: callers think, then call · open: arrivals at a rate' }),
        callers: whole(1, 'a whole number >= 1', 100_000).default(20).meta({ title: 'Callers', unit: 'processes', description: 'closed mode' }),
        thinkMs: msAtLeast0().default(1).meta({ title: 'Think time', unit: 'ms', description: 'closed mode' }),
        thinkDist: z.enum(['fixed', 'exp'], { error: 'expected "fixed" or "exp"' }).default('exp').meta({ title: 'Think time distribution' }),
        ratePerSec: positive('a rate > 0 per second', 10_000_000, ' per second', 0.001).default(1000).meta({ title: 'Arrival rate', unit: 'per s', description: 'open mode' }),
        mix: mixSchema.default({ GET: 0.8, SET: 0.2 }).meta({ title: 'Command mix', unit: 'relative weights, ≥ 0, one at least > 0' }),
        valueBytes: whole(0, 'a whole number of bytes >= 0', 64 * 1024 * 1024).default(64).meta({ title: 'Value size', unit: 'bytes' }),
        keys: whole(1, 'a whole number >= 1', 10_000_000).default(1000).meta({ title: 'Key space', unit: 'keys' }),
        pipelineSize: whole(1, 'a whole number >= 1', 10_000).default(5).meta({ title: 'PIPELINE size', unit: 'commands' }),
        // A real Redis counts BLPOP's timeout in whole ms (less is 0: block forever).
        blpopTimeoutMs: positive('a number of ms > 0', MAX_MS, ' ms', 1).default(100).meta({ title: 'BLPOP timeout', unit: 'ms' }),
        sleepMs: msAtLeast0().default(50).meta({ title: 'SLEEP duration', unit: 'ms', description: 'a slow command' }),
        callTimeoutMs: msPositive().default(5000).meta({ title: 'Call timeout', unit: 'ms' }),
      })
      .strict()
      .prefault({})
      .meta({ title: 'Workload' }),
    clients: z.array(clientSchema, { error: 'expected a list of client configurations' }).min(1, { error: 'expected at least one client' }).max(8, { error: 'expected at most 8 clients' }).meta({ title: 'Clients', description: 'each client is simulated in its own world' }),
    faults: z.array(faultSchema, { error: 'expected a list of faults' }).default([]).meta({ title: 'Faults' }),
  })
  .strict()
  .superRefine((s, ctx) => {
    const seen = new Set<string>();
    s.clients.forEach((c, i) => {
      if (seen.has(c.label)) ctx.addIssue({ code: 'custom', path: ['clients', i, 'label'], message: `expected a unique label, "${c.label}" is used twice` });
      seen.add(c.label);
    });
    s.faults.forEach((f, i) => {
      // A fault at or past the end (durationMs + drain) would change nothing: refused.
      const end = s.durationMs + drainMs(s);
      if (f.atMs >= end) ctx.addIssue({ code: 'custom', path: ['faults', i, 'atMs'], message: `expected a time before the run ends at ${end} ms (durationMs + drainMs), a fault then would come when the run is over` });
      const problem = checkFault(f, s);
      if (problem !== null) ctx.addIssue({ code: 'custom', path: ['faults', i, problem.field], message: problem.message });
    });
  });

export type Scenario = z.output<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type ClientSpec = Scenario['clients'][number];
export type FaultSpec = Scenario['faults'][number];

/**
 * Faults in the order a run applies them: by instant (µs, as the kernel schedules them), and at
 * one instant in the list's order (sim/worlds/world.ts queueFaults). Two lists that give the same
 * are the same run, whatever else their order (WorldRun.whyNot; the lab's drop sorts a list its
 * drag kept in place).
 */
export function faultsInRunOrder<F extends { atMs: number }>(faults: readonly F[]): F[] {
  return [...faults].sort((a, b) => ms(a.atMs) - ms(b.atMs));
}

/** How long a run goes on after durationMs for the calls still in flight (drainMs, or its default). */
export function drainMs(s: Pick<Scenario, 'drainMs' | 'workload'>): number {
  return s.drainMs ?? Math.max(s.workload.callTimeoutMs + 100, 1000);
}

export type ParseResult = { ok: true; scenario: Scenario } | { ok: false; errors: string[] };

/** Validates a scenario; each error reads `field.path: expected ..., got ...`, one per field. */
export function parseScenario(input: unknown): ParseResult {
  const r = scenarioSchema.safeParse(input);
  if (r.success) return { ok: true, scenario: r.data };
  const seen = new Set<string>();
  const errors: string[] = [];
  for (const issue of r.error.issues) {
    const text = formatIssue(issue, input);
    const field = text.slice(0, text.indexOf(':') + 1) || text;
    if (issue.code !== 'unrecognized_keys' && seen.has(field)) continue;
    seen.add(field);
    errors.push(text);
  }
  return { ok: false, errors };
}

function formatIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const path = issue.path.map((p, k) => (typeof p === 'number' ? `[${p}]` : k === 0 ? String(p) : `.${String(p)}`)).join('') || '(scenario)';
  if (issue.code === 'unrecognized_keys') {
    return `${path === '(scenario)' ? '' : `${path}: `}unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  }
  let got: unknown = input;
  for (const p of issue.path) got = got !== null && typeof got === 'object' ? (got as Record<PropertyKey, unknown>)[p as PropertyKey] : undefined;
  return `${path}: ${issue.message}, got ${show(got)}`;
}

const SHOWN = 60;

/**
 * A value as the error shows it: JSON, cut at SHOWN characters. Iterative and bounded, so input
 * nested thousands deep (or a huge array) costs as little as a short one; JSON.parse reads a
 * number too large for a double (1e400) as Infinity, which JSON would print as null.
 */
export function show(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) return Number.isNaN(value) ? 'not a number' : value > 0 ? 'a number too large' : 'a negative number too large';
  if (value === undefined) return 'nothing';
  let out = '';
  // A stack of what is left to print: values, and literal text (closing brackets, commas).
  const stack: Array<{ text: string } | { value: unknown }> = [{ value }];
  while (stack.length > 0 && out.length <= SHOWN) {
    const top = stack.pop()!;
    if ('text' in top) {
      out += top.text;
      continue;
    }
    const v = top.value;
    if (Array.isArray(v)) {
      out += '[';
      stack.push({ text: ']' });
      for (let i = Math.min(v.length, SHOWN) - 1; i >= 0; i--) {
        stack.push({ value: v[i] });
        if (i > 0) stack.push({ text: ',' });
      }
    } else if (v !== null && typeof v === 'object') {
      out += '{';
      stack.push({ text: '}' });
      const keys = Object.keys(v).slice(0, SHOWN);
      for (let i = keys.length - 1; i >= 0; i--) {
        stack.push({ value: (v as Record<string, unknown>)[keys[i]!] });
        stack.push({ text: `${JSON.stringify(keys[i])}:` });
        if (i > 0) stack.push({ text: ',' });
      }
    } else if (typeof v === 'number' && !Number.isFinite(v)) {
      out += 'null';
    } else {
      out += typeof v === 'string' ? JSON.stringify(v.length > SHOWN ? v.slice(0, SHOWN) : v) : String(JSON.stringify(v) ?? null);
    }
  }
  return out.length > SHOWN || stack.length > 0 ? `${out.slice(0, SHOWN - 3)}...` : out;
}
