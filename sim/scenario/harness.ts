/**
 * Builds one world for one client configuration: the client's processes under a supervisor
 * (so a connection that exits on disconnection is restarted), and the fault schedule.
 */
import { ms } from '../kernel/time.js';
import { supervisor, type Runtime } from '../runtime/index.js';
import type { TcpStack } from '../net/index.js';
import { clientChild, makeClient, type AnyClient, type ClientConfig } from '../clients/index.js';
import { World, type WorldOptions } from '../worlds/world.js';

/** What a client needs of a world: a simulated World, or the real driver's (real/world.ts). */
export interface ClientWorld {
  readonly rt: Runtime;
  readonly net: TcpStack;
  readonly address: string;
}

/** Starts the client's processes in `world` under an app process and a supervisor. */
export function setupClient(world: ClientWorld, name: string, config: ClientConfig, codecNsPerByte: number): AnyClient {
  const client = makeClient({ net: world.net, address: world.address, codecNsPerByte }, name, config);
  const child = clientChild(client);
  if (child !== null) {
    world.rt.spawn(
      function* (ctx) {
        ctx.trapExit(true);
        ctx.spawnLink(supervisor([child], { intensity: 10, periodUs: ms(5000) }), { name: `${name}_sup` });
        // The app lives on, so a supervisor that gives up shows as a client that is gone.
        yield* ctx.receive(() => false);
      },
      { name: 'app' },
    );
  }
  return client;
}

export function newWorld(options: WorldOptions): World {
  return new World(options);
}
