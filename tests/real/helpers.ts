/**
 * Integration tests against a real redis-server: each file starts its own on a free loopback
 * port (persistence off) and stops it after. `npm test` installs redis-server first when it is
 * missing (scripts/ensure-redis.sh).
 */
import { afterAll, beforeAll } from 'vitest';
import { ms } from '../../sim/kernel/time.js';
import { command, type AnyClient, type ClientConfig, type Command, type CommandResult } from '../../sim/clients/index.js';
import type { Ctx, Gen } from '../../sim/runtime/index.js';
import { setupClient } from '../../sim/scenario/harness.js';
import { RedisProcess, findRedisServer } from '../../real/redis-server.js';
import { realWorld, type RealWorld } from '../../real/world.js';

/** A redis-server for the tests of one file. */
export function useRedis(): { readonly server: RedisProcess } {
  const holder: { server: RedisProcess | null } = { server: null };
  beforeAll(async () => {
    if (findRedisServer() === null) throw new Error('redis-server is not on PATH: run bash scripts/ensure-redis.sh (npm test does)');
    holder.server = await RedisProcess.start();
  }, 30_000);
  afterAll(async () => {
    await holder.server?.stop();
  });
  return {
    get server() {
      if (holder.server === null) throw new Error('redis-server did not start');
      return holder.server;
    },
  };
}

/**
 * Runs `main` as a process of a fresh real world (with `config`'s client started, if any) and
 * resolves with what it returns; the world's sockets are closed after.
 */
export async function inRealWorld<T>(address: string, config: ClientConfig | null, main: (ctx: Ctx, client: AnyClient | null, world: RealWorld) => Gen<T>, limitMs = 20_000, latencyUs = 0): Promise<T> {
  const world = realWorld(1, address, latencyUs);
  const client = config === null ? null : setupClient(world, 'client', config, 0);
  let done = false;
  let value: T | undefined;
  world.rt.spawn(
    function* (ctx) {
      value = yield* main(ctx, client, world);
      done = true;
    },
    { name: 'test' },
  );
  world.driver.start();
  try {
    await world.driver.until(ms(limitMs), () => done);
  } finally {
    world.driver.stop();
    world.net.closeAll();
  }
  const crashes = world.rt.crashes.map((c) => `${c.name}: ${String(c.error)}`);
  if (crashes.length > 0) throw new Error(`processes crashed: ${crashes.join('; ')}`);
  if (!done) throw new Error(`the test process did not finish within ${limitMs} ms`);
  return value as T;
}

/** Retries PING until the client is connected (an async connect starts in the background). */
export function* untilUp(ctx: Ctx, client: AnyClient): Gen<void> {
  for (let i = 0; i < 500; i++) {
    const r = yield* command(ctx, client, [['PING']], ms(1000));
    if (r.ok) return;
    yield* ctx.sleep(ms(10));
  }
  throw new Error('client never connected');
}

export function* call(ctx: Ctx, client: AnyClient, cmds: readonly Command[]): Gen<CommandResult> {
  return yield* command(ctx, client, cmds, ms(5000));
}
