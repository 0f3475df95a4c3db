export { Network, Socket, defaultLink, type LinkOptions, type ServerConn, type ServerHandler, type TcpData, type TcpClosed, type ActiveMode, type Dir, type TcpStack, type SocketConn } from './network.js';
export * as tcp from './tcp.js';
export type { ConnectResult, RecvResult, SendResult, ConnectOptions, ConnectError } from './tcp.js';
