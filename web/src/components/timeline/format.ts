/** The timeline's words: times, clients and requests as text. */
import type { ClientSpec } from '../../../../sim/scenario/schema.js';
import type { RequestView } from '../../../../sim/views/types.js';

/** µs as ms with 3 decimals, for exact readings. */
export function ms3(us: number): string {
  return `${(us / 1000).toFixed(3)} ms`;
}

/** µs as ms without trailing zeros, for labels ("1200 ms"). */
export function msShort(us: number): string {
  return `${Number((us / 1000).toFixed(3))} ms`;
}

export function describeClient(c: ClientSpec): string {
  switch (c.kind) {
    case 'pool':
      return `pool${c.size !== undefined ? ` of ${c.size} connections` : ''}${c.onExhausted !== undefined ? `, ${c.onExhausted} when all are busy` : ''}`;
    case 'multiplex':
      return 'multiplexed, one connection';
    case 'serial':
      return 'serial, one connection, one call at a time';
    case 'naive':
      return 'naive, a connection per command';
  }
}

export function requestOutcome(r: RequestView): string {
  return r.ok === true ? 'ok' : r.ok === false ? `failed: ${r.error}${r.indeterminate ? ' (may have run)' : ''}` : 'no reply yet';
}

export function requestSummary(r: RequestView): string {
  const took = r.end !== null ? `, took ${ms3(r.end - r.start)}` : '';
  return `Request ${r.req} (${r.name}) of caller ${r.caller}, issued at ${ms3(r.start)}, ${requestOutcome(r)}${took}`;
}

export function safeId(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]/g, '_');
}
