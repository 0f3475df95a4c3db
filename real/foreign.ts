/**
 * Other libraries as reference points, driven by the very same workload processes: a caller
 * issues a request through an adapter, the library's promise settles on Node's event loop, and
 * the result comes back to the caller as a message (through the driver). So think times, timeouts
 * and the latency measured are the same as for Duplex's clients.
 * - ioredis (https://github.com/redis/ioredis): one connection; `enableAutoPipelining` on
 *   gathers the commands issued in one event-loop tick into one write (its "auto-pipelining").
 * - node-redis (https://github.com/redis/node-redis): one client (it pipelines whatever is
 *   outstanding on its one socket), and `createClientPool` (a pool of such clients; the
 *   successor of v4's isolation pool).
 */
import { Redis } from 'ioredis';
import { createClient, createClientPool } from 'redis';
import { TIMEOUT, isTagged, type Ctx, type Gen, type Runtime } from '../sim/runtime/index.js';
import { beginRequest, endRequest, failure, type ClientError, type Command, type CommandResult } from '../sim/clients/index.js';
import type { Micros } from '../sim/kernel/time.js';
import { bulkString, integer, array, simpleString, type RespValue } from '../sim/resp/index.js';
import type { Issue } from '../sim/scenario/workload.js';
import type { WallClockDriver } from './driver.js';
import { parseAddress } from './node-tcp.js';

export const FOREIGN_KINDS = ['ioredis', 'ioredis-autopipeline', 'node-redis', 'node-redis-pool'] as const;
export type ForeignKind = (typeof FOREIGN_KINDS)[number];

export interface ForeignClient {
  readonly kind: ForeignKind;
  run(cmds: readonly Command[]): Promise<CommandResult>;
  close(): Promise<void>;
}

const args = (c: Command): Array<string | Buffer> => c.map((a) => (typeof a === 'string' ? a : Buffer.from(a)));

/** A library's reply as a RESP value (only for the caller's result; the metrics do not read it). */
function toResp(v: unknown): RespValue {
  if (v === null || v === undefined) return bulkString(null);
  if (typeof v === 'number') return integer(BigInt(Math.trunc(v)));
  if (Array.isArray(v)) return array(v.map(toResp));
  if (v instanceof Uint8Array) return bulkString(v);
  if (v === 'OK' || v === 'PONG') return simpleString(v);
  return bulkString(String(v));
}

/** An error reply from Redis is a reply (as in Duplex's clients); anything else is a failure. */
function isReplyError(e: unknown): boolean {
  const name = (e as Error | undefined)?.constructor?.name ?? '';
  return name === 'ReplyError' || name === 'ErrorReply';
}

function errorKind(e: unknown): ClientError {
  const m = String((e as Error | undefined)?.message ?? e);
  if (/ECONNREFUSED/i.test(m)) return 'closed';
  if (/timed? ?out/i.test(m)) return 'timeout';
  return 'disconnected';
}

async function settle(p: Promise<unknown[]>): Promise<CommandResult> {
  try {
    return { ok: true, replies: (await p).map(toResp) };
  } catch (e) {
    if (isReplyError(e)) return { ok: true, replies: [] };
    return failure(errorKind(e), true);
  }
}

/** Connects one of the reference clients; `poolSize` for node-redis's pool. */
export async function connectForeign(kind: ForeignKind, address: string, poolSize: number): Promise<ForeignClient> {
  const { host, port } = parseAddress(address);
  switch (kind) {
    case 'ioredis':
    case 'ioredis-autopipeline': {
      const r = new Redis({ host, port, lazyConnect: true, enableAutoPipelining: kind === 'ioredis-autopipeline' });
      r.on('error', () => undefined);
      await r.connect();
      return {
        kind,
        run: (cmds) => {
          if (cmds.length === 1) {
            const [name, ...rest] = args(cmds[0]!);
            return settle(r.call(String(name), rest).then((v) => [v]));
          }
          // A pipeline looks its commands up as methods: their names in lower case.
          const p = r.pipeline(cmds.map((c) => { const [name, ...rest] = args(c); return [String(name).toLowerCase(), ...rest]; }));
          return settle(
            p.exec().then((rs) => {
              const out: unknown[] = [];
              for (const [err, v] of rs ?? []) {
                if (err !== null && !isReplyError(err)) throw err;
                out.push(err === null ? v : null);
              }
              return out;
            }),
          );
        },
        close: async () => r.disconnect(),
      };
    }
    case 'node-redis': {
      const c = createClient({ socket: { host, port } });
      c.on('error', () => undefined);
      await c.connect();
      return {
        kind,
        run: (cmds) => settle(Promise.all(cmds.map((cmd) => c.sendCommand(args(cmd))))),
        close: async () => c.destroy(),
      };
    }
    case 'node-redis-pool': {
      const pool = createClientPool({ socket: { host, port } }, { minimum: poolSize, maximum: poolSize });
      pool.on('error', () => undefined);
      await pool.connect();
      return {
        kind,
        run: (cmds) =>
          settle(cmds.length === 1 ? pool.sendCommand(args(cmds[0]!)).then((v) => [v]) : pool.execute((c) => Promise.all(cmds.map((cmd) => c.sendCommand(args(cmd)))))),
        close: async () => pool.destroy(),
      };
    }
  }
}

interface ForeignReply {
  readonly type: '$foreign';
  readonly ref: number;
  readonly r: CommandResult;
}

/** The workload's `issue` for a reference client: the same request records as Duplex's clients. */
export function foreignIssue(rt: Runtime, driver: WallClockDriver): Issue<ForeignClient> {
  return function* (ctx: Ctx, client: ForeignClient, cmds: readonly Command[], timeout: Micros): Gen<CommandResult> {
    const req = beginRequest(ctx, cmds);
    const ref = ctx.makeRef();
    const self = ctx.self;
    void client.run(cmds).then((r) => driver.io(() => rt.send(self, { type: '$foreign', ref, r } satisfies ForeignReply)));
    const m = yield* ctx.receive((x): x is ForeignReply => isTagged(x, '$foreign') && (x as ForeignReply).ref === ref, timeout);
    return endRequest(ctx, req, m === TIMEOUT ? failure('timeout', true) : m.r);
  };
}
