/**
 * A socket's semantics, once for both stacks that carry one: the simulated Network
 * (sim/net/network.ts) and Node's real sockets (real/node-tcp.ts). What gen_tcp promises a process
 * lives here: a user-space buffer read by `recv` in passive mode; 'tcp' messages to the
 * controlling process in active mode ('once': one, then passive); one 'tcp_closed' for an active
 * socket, {error: 'closed'} for a passive one once its buffer is read; a socket closed when its
 * controlling process exits (a port linked to its owner). A stack only says what happened on the
 * wire: bytes arrived (`received`), the peer closed or reset it (`peerClose`), this side closed
 * it (`closeHere`). The same contract test runs against both stacks (tests/*\/socket-contract).
 */
import { concatBytes } from '../kernel/bytes.js';
import type { Micros } from '../kernel/time.js';
import type { Pid, Ref, Runtime } from '../runtime/index.js';

export type ActiveMode = boolean | 'once';

/** Messages a socket sends to its controlling process in active mode (gen_tcp's). */
export interface TcpData {
  readonly type: 'tcp';
  readonly socket: Socket;
  readonly data: Uint8Array;
}
export interface TcpClosed {
  readonly type: 'tcp_closed';
  readonly socket: Socket;
}

/**
 * What tcp.ts (gen_tcp) asks of the network under it: this simulated Network, or Node's real
 * sockets (real/node-tcp.ts), so the same client code runs in both. Outcomes reach processes as
 * messages: {type:'$tcp_connect', ref, socket|error} for a connect, {type:'$tcp_ready', ref} to
 * wake a process waiting in recv, and the active-mode 'tcp' / 'tcp_closed' messages.
 */
export interface TcpStack {
  /** Starts a connect; the outcome is sent to `pid`. The handle is only given back to abandonConnect. */
  startConnect(pid: Pid, ref: Ref, address: string, active: ActiveMode, startAt: Micros): object;
  abandonConnect(pending: object): void;
  /** False if this side knows the socket is closed. */
  clientSend(socket: Socket, data: Uint8Array, at: Micros): boolean;
  clientClose(socket: Socket): void;
}

/** What a socket knows of its connection: the stack that carries it (a Conn, in the simulated network). */
export interface SocketConn {
  readonly net: TcpStack;
}

/**
 * The sockets of one stack by controlling process: when a process exits, the sockets it controls
 * are closed (`close`, the stack's own close with how 'owner_exit').
 */
export class SocketOwners {
  private readonly byOwner = new Map<Pid, Set<Socket>>();

  constructor(
    readonly rt: Runtime,
    close: (socket: Socket) => void,
  ) {
    rt.onExit((pid) => {
      const owned = this.byOwner.get(pid);
      if (owned === undefined) return;
      this.byOwner.delete(pid);
      for (const s of owned) if (!s.closed) close(s);
    });
  }

  /** @internal */
  add(socket: Socket): void {
    let set = this.byOwner.get(socket.owner);
    if (set === undefined) this.byOwner.set(socket.owner, (set = new Set()));
    set.add(socket);
  }

  /** @internal */
  delete(socket: Socket): void {
    const set = this.byOwner.get(socket.owner);
    if (set === undefined) return;
    set.delete(socket);
    if (set.size === 0) this.byOwner.delete(socket.owner);
  }
}

/** A client's socket: the handle process code holds (gen_tcp's port). Its state is its own. */
export class Socket {
  #owner: Pid;
  #active: ActiveMode;
  /** The mode process code last set (tcp.setActive), not the flip of 'once'. */
  #setMode: ActiveMode;
  #buffer: Uint8Array[] = [];
  #buffered = 0;
  /** Closed by this side, or its tcp_closed sent. */
  #closed = false;
  /** The peer closed (FIN) or reset it. */
  #peerClosed = false;
  /** A process blocked in recv on it, and the ref its wake-up names (-1: none waits). */
  #waiterPid = -1 as Pid;
  #waiterRef = -1 as Ref;
  /** Active-mode 'tcp' messages sent to the owner that have not landed in its mailbox yet. */
  #inTransit = 0;
  /** Chunks at the front of the buffer that came back from transit (see #sendActive). */
  #returned = 0;

  constructor(
    readonly id: number,
    /** @internal The stack's record of its connection. */
    readonly conn: SocketConn,
    private readonly owners: SocketOwners,
    owner: Pid,
    active: ActiveMode,
  ) {
    this.#owner = owner;
    this.#active = active;
    this.#setMode = active;
  }

  // ---- What anyone may read ----

  /** The controlling process. */
  get owner(): Pid {
    return this.#owner;
  }

  /** The mode now: true, 'once' (until one message is sent), or false (passive). */
  get active(): ActiveMode {
    return this.#active;
  }

  /** Closed by this side, or its tcp_closed sent: nothing more comes from it. */
  get closed(): boolean {
    return this.#closed;
  }

  /** The peer closed or reset it (bytes received before may still be unread). */
  get peerClosed(): boolean {
    return this.#peerClosed;
  }

  /** Bytes received and not yet read by anyone: buffered, or on their way to the owner's mailbox. */
  get unread(): boolean {
    return this.#buffered > 0 || this.#inTransit > 0;
  }

  /** Bytes received and not yet read (passive mode). */
  get pending(): number {
    return this.#buffered;
  }

  get isClosed(): boolean {
    return this.#closed || (this.#peerClosed && this.#buffered === 0);
  }

  /** The stack that carries it. */
  get stack(): TcpStack {
    return this.conn.net;
  }

  // ---- What process code does (tcp.ts) ----

  /**
   * @internal Up to `length` buffered bytes (0: all), or null when fewer have arrived or earlier
   * bytes are on their way to the owner's mailbox (they may come back to the buffer: none is read
   * past them).
   */
  read(length: number): Uint8Array | null {
    return this.#inTransit > 0 ? null : this.take(length);
  }

  /** @internal `pid` waits in recv: it is sent {type:'$tcp_ready', ref} when there is something to read. */
  await(pid: Pid, ref: Ref): void {
    this.#waiterPid = pid;
    this.#waiterRef = ref;
  }

  /** @internal The wait `ref` is over (it timed out). */
  stopWaiting(ref: Ref): void {
    if (this.#waiterRef === ref) this.#waiterPid = this.#waiterRef = -1 as Ref & Pid;
  }

  /** @internal inet:setopts(active). Switching to active hands over what was buffered, as inet does. */
  setActive(active: ActiveMode): void {
    this.#setMode = active;
    this.#active = active;
    if (active === false) return;
    const data = this.take(0);
    if (data !== null) this.#sendActive(data);
    if (this.#peerClosed && !this.#closed && this.#active !== false) this.#notifyClosed();
  }

  /** @internal controlling_process: the caller checked it may. */
  setOwner(pid: Pid): void {
    this.owners.delete(this);
    this.#owner = pid;
    this.owners.add(this);
  }

  // ---- What a stack tells it ----

  /** @internal The connect completed: it is its owner's now (and closes when the owner exits). */
  opened(): void {
    this.owners.add(this);
  }

  /** @internal Bytes arrived from the peer. */
  received(data: Uint8Array): void {
    if (this.#active !== false) {
      this.#sendActive(data);
    } else {
      this.#buffer.push(data);
      this.#buffered += data.length;
      this.#wake();
    }
  }

  /** @internal The peer closed it; `reset`: abortively, and what was received and not read is lost. */
  peerClose(reset = false): void {
    if (reset) {
      this.#buffer = [];
      this.#buffered = 0;
    }
    this.#peerClosed = true;
    if (this.#active !== false) this.#notifyClosed();
    else this.#wake();
  }

  /** @internal This side closes it; false if it was closed already. A process in recv wakes to 'closed'. */
  closeHere(): boolean {
    if (this.#closed) return false;
    this.#closed = true;
    this.owners.delete(this);
    this.#wake();
    return true;
  }

  // ---- Internals ----

  /** Takes up to `length` buffered bytes (0: all), or null when fewer have arrived. */
  private take(length: number): Uint8Array | null {
    if (this.#buffered === 0 || this.#buffered < length) return null;
    this.#returned = 0;
    const all = concatBytes(this.#buffer, this.#buffered);
    const n = length === 0 ? all.length : length;
    if (n === all.length) {
      // All of it (the usual recv): no views to cut.
      this.#buffer = [];
      this.#buffered = 0;
      return all;
    }
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.#buffer = rest.length > 0 ? [rest] : [];
    this.#buffered = rest.length;
    return out;
  }

  /**
   * Sends bytes that came in active mode to the owner. A delivery from outside the runtime lands
   * as an event of its own, so the owner can switch the socket to passive before these bytes are
   * in its mailbox (in Erlang the port's message is already there, for the owner to flush). Then
   * they go back to the front of the buffer, where recv reads them before anything that came
   * later: a socket's bytes reach its reader in order, whatever the mode.
   */
  #sendActive(data: Uint8Array): void {
    if (this.#active === 'once') this.#active = false;
    this.#inTransit++;
    this.owners.rt.sendUnless(this.#owner, { type: 'tcp', socket: this, data } satisfies TcpData, this.#land);
  }

  /** An active message is landing in its owner's mailbox: false if its bytes go back to the buffer (one function per socket, not a closure per message). */
  readonly #land = (msg: TcpData): boolean => {
    const data = msg.data;
    this.#inTransit--;
    const back = !this.#closed && this.#active === false && this.#setMode === false;
    if (back) {
      // After what came back before it, before what arrived meanwhile.
      this.#buffer.splice(this.#returned++, 0, data);
      this.#buffered += data.length;
    }
    // A recv waits while bytes are in transit: it may read now.
    if (this.#inTransit === 0 && this.#buffered > 0) this.#wake();
    return !back;
  };


  #notifyClosed(): void {
    this.#closed = true;
    this.owners.delete(this);
    this.owners.rt.send(this.#owner, { type: 'tcp_closed', socket: this } satisfies TcpClosed);
  }

  #wake(): void {
    const pid = this.#waiterPid;
    if (pid === -1) return;
    const ref = this.#waiterRef;
    this.#waiterPid = this.#waiterRef = -1 as Ref & Pid;
    this.owners.rt.send(pid, { type: '$tcp_ready', ref });
  }
}
