/**
 * Duplex's clients, unchanged, against a real redis-server: every reply is the right one, for
 * single commands, pipelines, blocking commands, error replies, large values, and many callers at
 * once (each caller must get its own replies, never another's).
 */
import { describe, expect, it } from 'vitest';
import { ms } from '../../sim/kernel/time.js';
import { respToJs, type RespValue } from '../../sim/resp/index.js';
import type { ClientConfig } from '../../sim/clients/index.js';
import type { Gen } from '../../sim/runtime/index.js';
import { check } from '../../sim/clients/index.js';
import { call, inRealWorld, untilUp, useRedis } from './helpers.js';

const redis = useRedis();

const CLIENTS: Array<[string, ClientConfig]> = [
  ['naive', { kind: 'naive' }],
  ['serial', { kind: 'serial' }],
  ['pool', { kind: 'pool', size: 4 }],
  ['multiplex', { kind: 'multiplex' }],
];

const js = (vs: RespValue[]) => vs.map((v) => respToJs(v));
const big = 'x'.repeat(200_000);

describe.each(CLIENTS)('the %s client against a real redis-server', (name, config) => {
  it('gets_the_right_reply_to_every_kind_of_command', async () => {
    const got = await inRealWorld(redis.server.address, config, function* (ctx, client) {
      yield* untilUp(ctx, client!);
      const out: unknown[] = [];
      const one = function* (cmd: string[]): Gen<void> {
        const r = yield* call(ctx, client!, [cmd]);
        out.push(r.ok ? js(r.replies) : { failed: r.error });
      };
      yield* one(['DEL', `${name}:s`, `${name}:n`, `${name}:q`, `${name}:big`]);
      yield* one(['SET', `${name}:s`, 'hello']);
      yield* one(['GET', `${name}:s`]);
      yield* one(['INCR', `${name}:n`]);
      yield* one(['INCR', `${name}:n`]);
      yield* one(['ECHO', `echo-${name}`]);
      yield* one(['GET', `${name}:missing`]);
      yield* one(['INCR', `${name}:s`]);
      yield* one(['LPUSH', `${name}:q`, 'job']);
      yield* one(['BLPOP', `${name}:q`, '1']);
      yield* one(['SET', `${name}:big`, big]);
      yield* one(['STRLEN', `${name}:big`]);
      const pipe = yield* call(ctx, client!, [['SET', `${name}:p`, '1'], ['GET', `${name}:p`], ['INCR', `${name}:p`], ['GET', `${name}:big`]]);
      out.push(pipe.ok ? js(pipe.replies).map((v) => (v === big ? 'big' : v)) : { failed: pipe.error });
      return out;
    });
    expect(got).toEqual([
      [0n],
      ['OK'],
      ['hello'],
      [1n],
      [2n],
      [`echo-${name}`],
      [null],
      [{ error: 'ERR value is not an integer or out of range' }],
      [1n],
      [[`${name}:q`, 'job']],
      ['OK'],
      [200_000n],
      ['OK', '1', 2n, 'big'],
    ]);
  });

  it('over_an_emulated_5_ms_link_takes_at_least_a_round_trip_per_request_and_still_gets_the_right_replies', async () => {
    const got = await inRealWorld(
      redis.server.address,
      config,
      function* (ctx, client) {
        yield* untilUp(ctx, client!);
        const t0 = ctx.now;
        const r = yield* call(ctx, client!, [['ECHO', `slow-${name}`], ['ECHO', 'two']]);
        return { took: ctx.now - t0, replies: r.ok ? js(r.replies) : r.error };
      },
      20_000,
      ms(5),
    );
    expect(got.replies).toEqual([`slow-${name}`, 'two']);
    // A round trip (10 ms), plus a connect's for the client that connects per command.
    expect(got.took).toBeGreaterThanOrEqual(ms(name === 'naive' ? 20 : 10));
  });

  it('hands_each_of_many_concurrent_callers_its_own_replies_and_the_checker_finds_nothing_wrong', async () => {
    const callers = 12;
    const rounds = 40;
    const { wrong, report } = await inRealWorld(redis.server.address, config, function* (ctx, client, world) {
      yield* untilUp(ctx, client!);
      let wrong = 0;
      let finished = 0;
      for (let c = 0; c < callers; c++) {
        ctx.spawn(function* (cc) {
          for (let i = 0; i < rounds; i++) {
            const tag = `caller${c}-${i}`;
            const r = yield* call(cc, client!, i % 5 === 0 ? [['ECHO', tag], ['ECHO', `${tag}b`]] : [['ECHO', tag]]);
            const want = i % 5 === 0 ? [tag, `${tag}b`] : [tag];
            if (!r.ok || JSON.stringify(js(r.replies)) !== JSON.stringify(want)) wrong++;
          }
          finished++;
        });
      }
      while (finished < callers) yield* ctx.sleep(ms(5));
      return { wrong, report: check(world.kernel.trace) };
    });
    expect(wrong).toBe(0);
    expect(report.lost).toBe(0);
    expect(report.misrouted).toBe(0);
    expect(report.duplicatedReplies).toBe(0);
    expect(report.ok).toBeGreaterThanOrEqual(callers * rounds);
  });
});
