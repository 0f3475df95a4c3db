/**
 * The fault proxy (real/proxy.ts) between a client and a real redis-server: each verb does what
 * the simulated network's does. Times here are lower bounds that a slower machine only makes
 * longer (a delayed byte cannot arrive early), never speed figures.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as net from 'node:net';
import { toText } from '../../sim/resp/index.js';
import { Admin } from '../../real/admin.js';
import { Proxy } from '../../real/proxy.js';
import { useRedis } from './helpers.js';

const redis = useRedis();
let proxy: Proxy | null = null;
const open: Admin[] = [];

afterEach(async () => {
  for (const a of open.splice(0)) a.close();
  await proxy?.close();
  proxy = null;
});

async function through(): Promise<{ proxy: Proxy; client: Admin }> {
  proxy ??= await Proxy.start(redis.server.address);
  const client = await Admin.connect(proxy.address);
  open.push(client);
  return { proxy, client };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const timed = async <T>(p: Promise<T>) => {
  const t = performance.now();
  const v = await p;
  return { v, ms: performance.now() - t };
};
/** Resolves 'pending' if `p` has not settled after `ms`. */
const within = <T>(p: Promise<T>, ms: number) => Promise.race([p.then((v) => ({ v }), (e: Error) => ({ e })), sleep(ms).then(() => 'pending' as const)]);

describe('the fault proxy', () => {
  it('passes_commands_and_replies_through_unchanged', async () => {
    const { client } = await through();
    expect(toText(await client.command(['ECHO', 'through the proxy']))).toBe('through the proxy');
    const big = 'y'.repeat(300_000);
    await client.command(['SET', 'proxy:big', big]);
    expect(toText(await client.command(['GET', 'proxy:big']))).toBe(big);
  });

  it('latency_delays_both_directions_by_the_added_time', async () => {
    const { proxy, client } = await through();
    await client.command(['PING']);
    proxy.addLatency(40, 5_000);
    const { v, ms } = await timed(client.command(['ECHO', 'late']));
    expect(toText(v)).toBe('late');
    expect(ms).toBeGreaterThanOrEqual(78);
  });

  it('a_hold_partition_delivers_the_bytes_in_order_when_it_heals', async () => {
    const { proxy, client } = await through();
    await client.command(['DEL', 'proxy:n']);
    proxy.partitionFor('hold', 150);
    const { v, ms } = await timed(client.pipeline([['INCR', 'proxy:n'], ['INCR', 'proxy:n'], ['GET', 'proxy:n']]));
    expect(v.map((x) => toText(x))).toEqual(['1', '2', '2']);
    expect(ms).toBeGreaterThanOrEqual(140);
  });

  it('a_drop_partition_leaves_open_connections_as_black_holes_and_new_ones_work_after_the_heal', async () => {
    const { proxy, client } = await through();
    await client.command(['PING']);
    proxy.partitionFor('drop', 100);
    const lost = client.command(['ECHO', 'never']);
    // Nothing comes back and nothing says the connection is gone, even after the heal.
    expect(await within(lost, 300)).toBe('pending');
    const fresh = await Admin.connect(proxy.address);
    open.push(fresh);
    expect(toText(await fresh.command(['ECHO', 'after']))).toBe('after');
  });

  it('every_short_partition_heals_even_when_its_timer_fires_a_little_early', async () => {
    const { proxy, client } = await through();
    await client.command(['PING']);
    for (let i = 0; i < 300; i++) {
      proxy.partitionFor('hold', 1 + (i % 3));
      const r = await within(client.command(['ECHO', `n${i}`]), 3000);
      expect(r !== 'pending' && 'v' in r ? toText(r.v) : r, `partition ${i}`).toBe(`n${i}`);
      expect(proxy.partitioned, `partition ${i}`).toBe(false);
    }
  });

  it('a_connection_made_during_a_partition_reaches_redis_when_it_heals', async () => {
    const { proxy } = await through();
    proxy.partitionFor('hold', 150);
    const c = await Admin.connect(proxy.address);
    open.push(c);
    const { v, ms } = await timed(c.command(['ECHO', 'held']));
    expect(toText(v)).toBe('held');
    expect(ms).toBeGreaterThanOrEqual(140);
  });

  it('refusing_makes_connects_fail_with_econnrefused_until_it_ends', async () => {
    const { proxy } = await through();
    const back = proxy.refuse(150);
    await expect(Admin.connect(proxy.address)).rejects.toThrow(/ECONNREFUSED/);
    await back;
    const c = await Admin.connect(proxy.address);
    open.push(c);
    expect(toText(await c.command(['PING']))).toBe('PONG');
  });

  it('refusing_rejects_when_the_proxy_cannot_listen_again', async () => {
    const { proxy } = await through();
    const back = proxy.refuse(100);
    // Something else takes the port meanwhile.
    const squatter = net.createServer();
    await new Promise<void>((r) => squatter.listen(proxy.port, '127.0.0.1', r));
    try {
      await expect(back).rejects.toThrow(/could not listen again on port \d+: EADDRINUSE/);
    } finally {
      await new Promise((r) => squatter.close(r));
    }
  });

  it('drop_resets_every_connection', async () => {
    const { proxy } = await through();
    const raw = net.createConnection({ host: '127.0.0.1', port: proxy.port });
    await new Promise((r) => raw.once('connect', r));
    const closed = new Promise<string>((resolve) => {
      raw.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      raw.once('close', () => resolve('close'));
    });
    await sleep(20);
    proxy.drop();
    expect(await closed).toBe('ECONNRESET');
  });
});
