export * from './types.js';
export { deriveLab, deriveWorld, faultViews, stockRoom, viewPass, type ViewPass, type ViewedWorld } from './derive.js';
export { packWorld, requestRows, unpackWorld, RequestRows, NONE, T_START, T_QUEUED, T_CHECKED_OUT, T_SENT, T_ARRIVE, T_EXEC, T_REPLY, T_END, type PackedWorld } from './pack.js';
export { indexWorldAt, labAt, legsOf, liveRequests, redisAt, requestsIn, worldAt, type DotAt, type Legs, type RedisAt, type RedisState, type SocketAt, type SocketState, type WorldAt } from './at.js';
export { describeDelta, nextFaultAt, reconnectedAt, worldDelta, type WorldDelta } from './delta.js';
