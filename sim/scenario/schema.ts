/**
 * The scenario format: plain JSON, validated here, with a default for everything but `clients`.
 * Invalid input gets one message per problem, naming the field and what was expected.
 */
import { z } from 'zod';

const positive = (what: string) => z.number({ error: `expected ${what}` }).gt(0, { error: `expected ${what}` });
const nonNegative = (what: string) => z.number({ error: `expected ${what}` }).gte(0, { error: `expected ${what}` });
const whole = (min: number, what: string) => z.number({ error: `expected ${what}` }).int({ error: `expected ${what}` }).gte(min, { error: `expected ${what}` });

export const MIX_KEYS = ['GET', 'SET', 'INCR', 'PING', 'ECHO', 'DEL', 'LPUSH', 'BLPOP', 'PIPELINE', 'SLEEP'] as const;
export type MixKey = (typeof MIX_KEYS)[number];

const backoffSchema = z
  .object({
    strategy: z.enum(['redix', 'exp', 'rand', 'rand_exp', 'ioredis', 'none'], { error: 'expected one of "redix", "exp", "rand", "rand_exp", "ioredis", "none"' }),
    initialMs: nonNegative('a number of ms >= 0').optional(),
    maxMs: nonNegative('a number of ms >= 0').optional(),
  })
  .strict()
  .refine((b) => b.initialMs === undefined || b.maxMs === undefined || b.maxMs >= b.initialMs, { error: 'expected maxMs >= initialMs', path: ['maxMs'] });

const connectSchema = z.enum(['sync', 'async'], { error: 'expected "sync" or "async"' });
const label = z.string({ error: 'expected a label (text)' }).min(1, { error: 'expected a non-empty label' }).max(40, { error: 'expected a label of at most 40 characters' }).regex(/^[A-Za-z0-9_.-]+$/, { error: 'expected letters, digits, "_", "-" or "." only' });

const clientSchema = z.discriminatedUnion(
  'kind',
  [
    z.object({ label, kind: z.literal('naive') }).strict(),
    z
      .object({
        label,
        kind: z.literal('serial'),
        backoff: backoffSchema.optional(),
        connect: connectSchema.optional(),
        connectTimeoutMs: positive('a number of ms > 0').optional(),
      })
      .strict(),
    z
      .object({
        label,
        kind: z.literal('pool'),
        size: whole(1, 'a whole number >= 1').max(1000, { error: 'expected at most 1000 connections' }).optional(),
        onExhausted: z.enum(['error', 'queue', 'codel'], { error: 'expected "error", "queue" or "codel"' }).optional(),
        checkoutTimeoutMs: positive('a number of ms > 0').optional(),
        maxQueue: whole(1, 'a whole number >= 1, or null for no limit').nullable().optional(),
        queueTargetMs: positive('a number of ms > 0').optional(),
        queueIntervalMs: positive('a number of ms > 0').optional(),
        backoff: backoffSchema.optional(),
        connect: connectSchema.optional(),
        connectTimeoutMs: positive('a number of ms > 0').optional(),
      })
      .strict(),
    z
      .object({
        label,
        kind: z.literal('multiplex'),
        whileDisconnected: z.enum(['error', 'queue'], { error: 'expected "error" or "queue"' }).optional(),
        offlineQueueMax: whole(1, 'a whole number >= 1').optional(),
        inFlightOnDisconnect: z.enum(['fail', 'resend'], { error: 'expected "fail" or "resend"' }).optional(),
        backoff: backoffSchema.optional(),
        connect: connectSchema.optional(),
        exitOnDisconnection: z.boolean({ error: 'expected true or false' }).optional(),
        healthCheckMs: positive('a number of ms > 0, or null for none').nullable().optional(),
        connectTimeoutMs: positive('a number of ms > 0').optional(),
      })
      .strict(),
  ],
  { error: 'expected kind "naive", "serial", "pool" or "multiplex"' },
);

const at = nonNegative('a time in ms >= 0');
const forMs = positive('a duration in ms > 0');
const faultSchema = z.discriminatedUnion(
  'kind',
  [
    z.object({ atMs: at, kind: z.literal('drop_connections') }).strict(),
    z.object({ atMs: at, kind: z.literal('refuse_connections'), forMs }).strict(),
    z.object({ atMs: at, kind: z.literal('partition'), forMs, mode: z.enum(['hold', 'drop'], { error: 'expected "hold" or "drop"' }).optional() }).strict(),
    z.object({ atMs: at, kind: z.literal('latency'), addMs: positive('a number of ms > 0'), forMs }).strict(),
    z.object({ atMs: at, kind: z.literal('bandwidth'), mbps: positive('a number of Mbps > 0'), forMs }).strict(),
    z.object({ atMs: at, kind: z.literal('server_down'), forMs }).strict(),
    z.object({ atMs: at, kind: z.literal('slow_server'), factor: positive('a factor > 0'), forMs }).strict(),
    z.object({ atMs: at, kind: z.literal('kill_caller'), caller: whole(0, 'a caller index >= 0').optional() }).strict(),
  ],
  {
    error: 'expected kind "drop_connections", "refuse_connections", "partition", "latency", "bandwidth", "server_down", "slow_server" or "kill_caller"',
  },
);

const mixSchema = z
  .partialRecord(z.enum(MIX_KEYS, { error: `expected a command among ${MIX_KEYS.join(', ')}` }), nonNegative('a weight >= 0'))
  .refine((m) => Object.values(m).some((w) => (w ?? 0) > 0), { error: 'expected at least one command with a weight > 0' });

export const scenarioSchema = z
  .object({
    name: z.string({ error: 'expected text' }).max(80, { error: 'expected at most 80 characters' }).default('untitled'),
    description: z.string({ error: 'expected text' }).max(400, { error: 'expected at most 400 characters' }).default(''),
    seed: z.number({ error: 'expected a whole number' }).int({ error: 'expected a whole number' }).default(1),
    durationMs: positive('a number of ms > 0').max(600_000, { error: 'expected at most 600000 ms (10 minutes)' }).default(1000),
    /** After durationMs no request starts; the run goes on this long for the last ones to end. */
    drainMs: nonNegative('a number of ms >= 0').max(600_000, { error: 'expected at most 600000 ms' }).optional(),
    network: z
      .object({
        latencyMs: nonNegative('a one-way latency in ms >= 0').default(0.25),
        jitterMs: nonNegative('a number of ms >= 0').default(0),
        bandwidthMbps: positive('a number of Mbps > 0, or null for no limit').nullable().default(null),
        connectRtts: z.number({ error: 'expected a number >= 1' }).gte(1, { error: 'expected a number >= 1' }).default(1),
        mss: whole(1, 'a whole number of bytes >= 1').default(1460),
      })
      .strict()
      .prefault({}),
    server: z
      .object({
        commandUs: nonNegative('a number of µs >= 0').default(2),
        commandDist: z.enum(['fixed', 'exp'], { error: 'expected "fixed" or "exp"' }).default('fixed'),
        readEventUs: nonNegative('a number of µs >= 0').default(8),
        maxClients: whole(1, 'a whole number >= 1').default(10000),
      })
      .strict()
      .prefault({}),
    runtime: z
      .object({
        schedulers: whole(1, 'a whole number >= 1').max(256, { error: 'expected at most 256' }).default(2),
        codecNsPerByte: nonNegative('a number of ns >= 0').default(2),
        copyNsPerByte: nonNegative('a number of ns >= 0').default(1),
        /** Fixed cost of a message send (BEAM's local send is a fraction of a µs). */
        sendNs: nonNegative('a number of ns >= 0').default(300),
        /** Fixed cost of handling one message (scheduling in, the receive loop, dispatch). */
        stepOverheadNs: nonNegative('a number of ns >= 0').default(1000),
      })
      .strict()
      .prefault({}),
    workload: z
      .object({
        mode: z.enum(['closed', 'open'], { error: 'expected "closed" or "open"' }).default('closed'),
        callers: whole(1, 'a whole number >= 1').max(100_000, { error: 'expected at most 100000' }).default(20),
        thinkMs: nonNegative('a number of ms >= 0').default(1),
        thinkDist: z.enum(['fixed', 'exp'], { error: 'expected "fixed" or "exp"' }).default('exp'),
        ratePerSec: positive('a rate > 0 per second').max(10_000_000, { error: 'expected at most 10000000 per second' }).default(1000),
        mix: mixSchema.default({ GET: 0.8, SET: 0.2 }),
        valueBytes: whole(0, 'a whole number of bytes >= 0').max(64 * 1024 * 1024, { error: 'expected at most 64 MiB' }).default(64),
        keys: whole(1, 'a whole number >= 1').default(1000),
        pipelineSize: whole(1, 'a whole number >= 1').max(10_000, { error: 'expected at most 10000' }).default(5),
        blpopTimeoutMs: positive('a number of ms > 0').default(100),
        sleepMs: nonNegative('a number of ms >= 0').default(50),
        callTimeoutMs: positive('a number of ms > 0').default(5000),
      })
      .strict()
      .prefault({}),
    clients: z.array(clientSchema, { error: 'expected a list of client configurations' }).min(1, { error: 'expected at least one client' }).max(8, { error: 'expected at most 8 clients' }),
    faults: z.array(faultSchema, { error: 'expected a list of faults' }).default([]),
  })
  .strict()
  .superRefine((s, ctx) => {
    const seen = new Set<string>();
    s.clients.forEach((c, i) => {
      if (seen.has(c.label)) ctx.addIssue({ code: 'custom', path: ['clients', i, 'label'], message: `expected a unique label, "${c.label}" is used twice` });
      seen.add(c.label);
    });
    s.faults.forEach((f, i) => {
      if (f.kind === 'kill_caller' && f.caller !== undefined && s.workload.mode === 'closed' && f.caller >= s.workload.callers) {
        ctx.addIssue({ code: 'custom', path: ['faults', i, 'caller'], message: `expected a caller index below workload.callers (${s.workload.callers})` });
      }
      if (f.kind === 'kill_caller' && s.workload.mode === 'open' && f.caller !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['faults', i, 'caller'], message: 'expected no caller index in open mode (a random live caller is killed)' });
      }
    });
  });

export type Scenario = z.output<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type ClientSpec = Scenario['clients'][number];
export type FaultSpec = Scenario['faults'][number];

export type ParseResult = { ok: true; scenario: Scenario } | { ok: false; errors: string[] };

/** Validates a scenario; each error reads `field.path: expected ..., got ...`. */
export function parseScenario(input: unknown): ParseResult {
  const r = scenarioSchema.safeParse(input);
  if (r.success) return { ok: true, scenario: r.data };
  return { ok: false, errors: r.error.issues.map((i) => formatIssue(i, input)) };
}

function formatIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const path = issue.path.map((p, k) => (typeof p === 'number' ? `[${p}]` : k === 0 ? String(p) : `.${String(p)}`)).join('') || '(scenario)';
  if (issue.code === 'unrecognized_keys') {
    return `${path === '(scenario)' ? '' : `${path}: `}unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  }
  let got: unknown = input;
  for (const p of issue.path) got = got !== null && typeof got === 'object' ? (got as Record<PropertyKey, unknown>)[p as PropertyKey] : undefined;
  const shown = got === undefined ? 'nothing' : JSON.stringify(got);
  return `${path}: ${issue.message}, got ${shown && shown.length > 60 ? `${shown.slice(0, 57)}...` : shown}`;
}
