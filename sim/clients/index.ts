/**
 * The four clients behind one interface, so a scenario can run any of them with the same
 * workload: make a client from its config, start it from a process, and issue commands.
 */
import type { Micros } from '../kernel/time.js';
import type { Ctx, Gen, ChildSpec } from '../runtime/index.js';
import type { ClientEnv, Command, CommandResult } from './common.js';
import { naiveCommand, startNaive, type NaiveClient } from './naive.js';
import { serialClient, serialCommand, startSerial, type SerialClient, type SerialOptions } from './serial.js';
import { poolClient, poolCommand, startPool, type PoolClient, type PoolOptions } from './pool.js';
import { multiplexClient, multiplexCommand, startMultiplex, type MultiplexClient, type MultiplexOptions } from './multiplex.js';

export * from './common.js';
export { makeBackoff, type Backoff, type BackoffOptions, type BackoffStrategy } from './backoff.js';
export { check, Checker, CHECKED_KINDS, type CheckReport } from './checker.js';
export type { NaiveClient, SerialClient, SerialOptions, PoolClient, PoolOptions, MultiplexClient, MultiplexOptions };
export { defaultPool } from './pool.js';
export { defaultMultiplex } from './multiplex.js';
export { defaultSerial } from './serial.js';

export type ClientKind = 'naive' | 'serial' | 'pool' | 'multiplex';

export type ClientConfig =
  | { kind: 'naive' }
  | ({ kind: 'serial' } & Partial<SerialOptions>)
  | ({ kind: 'pool' } & Partial<PoolOptions>)
  | ({ kind: 'multiplex' } & Partial<MultiplexOptions>);

export type AnyClient = NaiveClient | SerialClient | PoolClient | MultiplexClient;

export function makeClient(env: ClientEnv, name: string, config: ClientConfig): AnyClient {
  const { kind, ...options } = config;
  switch (kind) {
    case 'naive':
      return startNaive(env);
    case 'serial':
      return serialClient(env, name, options);
    case 'pool':
      return poolClient(env, name, options);
    case 'multiplex':
      return multiplexClient(env, name, options);
  }
}

/**
 * A supervisor child spec for the client's processes, or null when it has none (a connection
 * per command lives in its callers).
 */
export function clientChild(client: AnyClient): ChildSpec | null {
  switch (client.kind) {
    case 'naive':
      return null;
    case 'serial':
      return { id: client.name, start: (ctx) => startSerial(ctx, client) };
    case 'pool':
      return { id: client.name, start: (ctx) => startPool(ctx, client) };
    case 'multiplex':
      return { id: client.name, start: (ctx) => startMultiplex(ctx, client) };
  }
}

/** One request (one command, or a pipeline of several) from the calling process. */
export function command(ctx: Ctx, client: AnyClient, cmds: readonly Command[], timeout: Micros): Gen<CommandResult> {
  switch (client.kind) {
    case 'naive':
      return naiveCommand(ctx, client, cmds, timeout);
    case 'serial':
      return serialCommand(ctx, client, cmds, timeout);
    case 'pool':
      return poolCommand(ctx, client, cmds, timeout);
    case 'multiplex':
      return multiplexCommand(ctx, client, cmds, timeout);
  }
}
