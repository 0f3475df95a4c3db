export { Runtime, ProcessExit, MIN_STEP_NS, RETAIN_EXITED, type RuntimeOptions, type SpawnOptions, type SendOptions } from './runtime.js';
export { Ctx, receiveEffect } from './context.js';
export type { ProcStats } from './process.js';
export {
  TIMEOUT,
  isDown,
  isExit,
  isTagged,
  messageTag,
  termSize,
  type DownMessage,
  type Effect,
  type ExitMessage,
  type ExitReason,
  type Gen,
  type Pid,
  type ProcFn,
  type ReceiveEffect,
  type Ref,
  type Timeout,
} from './types.js';
export * as GenServer from './gen_server.js';
export type { From, CallOutcome, StartOutcome, GenServerSpec, CallReturn, InfoReturn, InitResult } from './gen_server.js';
export * as Connection from './connection.js';
export type { ConnectionSpec, ConnectReturn, DisconnectReturn, ConnCallReturn, ConnInfoReturn, ConnInit } from './connection.js';
export { supervisor, type ChildSpec, type SupervisorOptions } from './supervisor.js';
