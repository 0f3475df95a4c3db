/**
 * The smallest whole world: a counter GenServer and a few callers on two schedulers. The page
 * runs it until the real lab exists, and tests use it to prove that Node and the browser compute
 * the same trace.
 */
import { Kernel } from '../kernel/kernel.js';
import { ms } from '../kernel/time.js';
import { GenServer, Runtime, type Pid } from '../runtime/index.js';

export interface DemoOptions {
  seed: number;
  callers?: number;
  callsEach?: number;
}

export interface DemoResult {
  traceHash: string;
  events: number;
  endUs: number;
  replies: number;
  serverBusyUs: number;
}

export function runDemo({ seed, callers = 4, callsEach = 5 }: DemoOptions): DemoResult {
  const kernel = new Kernel({ seed });
  const rt = new Runtime(kernel, { schedulers: 2, copyNsPerByte: 2 });
  const counter = rt.spawn(
    GenServer.serve<number>({
      *init() {
        return ['ok', 0];
      },
      *handleCall(request, _from, n, ctx) {
        ctx.cpu(20);
        return request === 'incr' ? ['reply', n + 1, n + 1] : ['reply', n, n];
      },
    }),
    { name: 'counter' },
  );
  let replies = 0;
  const think = rt.random('think');
  for (let i = 0; i < callers; i++) {
    rt.spawn(
      function* (ctx) {
        for (let c = 0; c < callsEach; c++) {
          yield* ctx.sleep(Math.round(think.exp(ms(1))));
          const r = yield* GenServer.call(ctx, counter as Pid, 'incr');
          if (r.ok) replies++;
        }
      },
      { name: `caller${i}` },
    );
  }
  kernel.run();
  const serverBusyUs = rt.stats().find((s) => s.pid === counter)?.busyUs ?? 0;
  return { traceHash: kernel.trace.hash(), events: kernel.trace.length, endUs: kernel.now, replies, serverBusyUs };
}
