/**
 * A world on the real clock: the simulator's Kernel and Runtime, driven by Node's time
 * (driver.ts), with Node's sockets (node-tcp.ts) where the simulator has its Network, and a real
 * Redis at `address` where it has its RedisServer. It has the shape setupClient, spawnWorkload and
 * worldMetrics read (sim/scenario), so they take it as they take a simulated World.
 */
import { Kernel } from '../sim/kernel/kernel.js';
import { Runtime } from '../sim/runtime/index.js';
import { WallClockDriver } from './driver.js';
import { NodeTcp } from './node-tcp.js';

export interface RealWorld {
  readonly kernel: Kernel;
  readonly rt: Runtime;
  readonly driver: WallClockDriver;
  readonly net: NodeTcp;
  readonly address: string;
  /** The simulated server's busy time; a real one's CPU comes from INFO instead. */
  readonly redis: { busyUs: number };
}

/** `latencyUs`: one-way latency the sockets add (the scenario's link, emulated; 0 for none). */
export function realWorld(seed: number, address: string, latencyUs = 0, connectRtts = 1): RealWorld {
  const kernel = new Kernel({ seed });
  // CPU is spent for real here, so the simulated costs are zero but one: each step is charged
  // 1 µs, so that it ends in a kernel event of its own. With no cost at all the runtime runs the
  // next step inside the last, and two processes that answer each other without waiting (a
  // caller with no think time and a client failing fast) would never give Node's event loop back.
  const rt = new Runtime(kernel, { schedulers: 1, copyNsPerByte: 0, sendNs: 0, stepOverheadNs: 1000, realClock: true });
  const driver = new WallClockDriver(kernel);
  return { kernel, rt, driver, net: new NodeTcp(rt, driver, latencyUs, connectRtts), address, redis: { busyUs: 0 } };
}
