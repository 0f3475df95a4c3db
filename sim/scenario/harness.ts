/**
 * Builds one world for one client configuration: the client's processes under a supervisor
 * (so a connection that exits on disconnection is restarted), and the fault schedule.
 */
import { ms } from '../kernel/time.js';
import { supervisor, type ChildSpec, type Runtime } from '../runtime/index.js';
import type { TcpStack } from '../net/index.js';
import { clientChild, makeClient, type AnyClient, type ClientConfig } from '../clients/index.js';
import { World, type WorldOptions } from '../worlds/world.js';

/** What a client needs of a world: a simulated World, or the real driver's (real/world.ts). */
export interface ClientWorld {
  readonly rt: Runtime;
  readonly net: TcpStack;
  readonly address: string;
}

/**
 * A client whose start threw (its options cannot work: a bug, or a check the schema lacks). It
 * ends the run as its error, rather than leaving every call to fail with noproc.
 */
export class ClientStartError extends Error {
  override name = 'ClientStartError';
  constructor(
    readonly label: string,
    readonly reason: string,
  ) {
    super(`client "${label}" cannot start: ${reason}`);
  }
}

/**
 * Starts the client's processes in `world` under an app process and a supervisor. A start of the
 * client that crashes (one of its processes throws before it is up) throws ClientStartError out
 * of the kernel's run, as the run's error.
 */
export function setupClient(world: ClientWorld, name: string, config: ClientConfig, codecNsPerByte: number): AnyClient {
  const client = makeClient({ net: world.net, address: world.address, codecNsPerByte }, name, config);
  const plain = clientChild(client);
  const child: ChildSpec | null =
    plain === null
      ? null
      : {
          ...plain,
          *start(ctx) {
            const before = world.rt.crashes.length;
            const r = yield* plain.start(ctx);
            if (r.ok) return r;
            // The client's processes are named after it ("pool", "pool/conn0").
            const crash = world.rt.crashes.slice(before).find((c) => c.name === name || c.name.startsWith(`${name}/`));
            if (crash !== undefined) {
              const reason = crash.error instanceof Error ? crash.error.message : String(crash.error);
              world.rt.kernel.at(world.rt.kernel.now, () => {
                throw new ClientStartError(name, reason);
              });
            }
            return r;
          },
        };
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
