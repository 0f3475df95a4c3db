/** Where a world's lanes go: the connection rows above, the caller rows below, in CSS px. */
import type { WorldView } from '../../../../sim/views/types.js';
import { requestRows } from '../../../../sim/views/pack.js';

/** Left column for lane labels, and right padding, in CSS px. */
export const GUTTER = 96;
export const RIGHT_PAD = 14;

const PAD_TOP = 6;
const GROUP_GAP = 12;
const PAD_BOTTOM = 8;
const CONN_AREA_MAX = 160;
const CONN_ROW_MIN = 3;
const CONN_ROW_MAX = 36;
const CALLER_AREA_MAX = 150;
const CALLER_ROW_MIN = 3;
const CALLER_ROW_MAX = 10;
const COMPRESSED_H = 44;



export interface LaneArea {
  y: number;
  h: number;
  rows: number;
  rowH: number;
  /** Too many rows to give each ≥ 3 px: one summary band instead. */
  compressed: boolean;
}

/** One strip between the connections and the callers: a measure over time, a row each. */
export interface StripRow {
  kind: 'busy-process' | 'busy-callers' | 'connects' | 'latency';
  y: number;
  h: number;
}

export interface WorldLayout {
  height: number;
  conn: LaneArea;
  /** CPU busy per process and connect attempts, above the connections: y and h of the whole, and its rows. */
  strips: { y: number; h: number; rows: StripRow[] };
  callers: LaneArea;
}

const STRIP_H = 14;
const CONNECTS_H = 22;
const LATENCY_H = 56;

/** Fewer reconnects than this: the connection lanes show each one; a strip would be noise. */
export const CONNECTS_STRIP_MIN = 3;

/**
 * Which strips a world has: its CPU rows, its connect attempts when it reconnected a few times or
 * more (or opens a connection per command), and each
 * call's latency when there are too many callers for a row each (their bars would not show it).
 */
export function stripKinds(world: WorldView): StripRow['kind'][] {
  const kinds: StripRow['kind'][] = world.busy.map((b) => (b.who === 'process' ? 'busy-process' : 'busy-callers'));
  const perCommand = world.client.kind === 'naive' && world.connects.length > world.connLanes.length;
  if (perCommand || world.reconnects.length >= CONNECTS_STRIP_MIN) kinds.push('connects');
  if (callersCompressed(world.callerLanes) && requestRows(world).n > 0) kinds.push('latency');
  return kinds;
}

export function callersCompressed(callers: number): boolean {
  return Math.max(1, callers) * CALLER_ROW_MIN > CALLER_AREA_MAX;
}

export function maxConnRows(): number {
  return Math.floor(CONN_AREA_MAX / CONN_ROW_MIN);
}

function laneArea(y: number, rows: number, areaMax: number, rowMin: number, rowMax: number): LaneArea {
  const n = Math.max(1, rows);
  if (n * rowMin > areaMax) return { y, h: COMPRESSED_H, rows: n, rowH: COMPRESSED_H, compressed: true };
  const rowH = Math.max(rowMin, Math.min(rowMax, Math.floor(areaMax / n)));
  return { y, h: rowH * n, rows: n, rowH, compressed: false };
}

export function layoutWorld(world: WorldView): WorldLayout {
  // The strips first, under the world's title: what they measure is the world's as a whole.
  const kinds = stripKinds(world);
  const rows: StripRow[] = [];
  let y = PAD_TOP;
  for (const kind of kinds) {
    // Connect attempts get more height: how many knocked at once is the point.
    const h = kind === 'connects' ? CONNECTS_H : kind === 'latency' ? LATENCY_H : STRIP_H;
    rows.push({ kind, y, h });
    y += h;
  }
  const strips = { y: PAD_TOP, h: y - PAD_TOP, rows };
  const conn = laneArea(PAD_TOP + strips.h + (kinds.length > 0 ? 6 : 0), world.connLanes.length, CONN_AREA_MAX, CONN_ROW_MIN, CONN_ROW_MAX);
  const callers = laneArea(conn.y + conn.h + GROUP_GAP, world.callerLanes, CALLER_AREA_MAX, CALLER_ROW_MIN, CALLER_ROW_MAX);
  return { height: callers.y + callers.h + PAD_BOTTOM, conn, strips, callers };
}
