/** Where a world's lanes go: the connection rows above, the caller rows below, in CSS px. */
import type { WorldView } from '../../../../sim/views/types.js';

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

export interface WorldLayout {
  height: number;
  conn: LaneArea;
  callers: LaneArea;
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
  const conn = laneArea(PAD_TOP, world.connLanes.length, CONN_AREA_MAX, CONN_ROW_MIN, CONN_ROW_MAX);
  const callers = laneArea(conn.y + conn.h + GROUP_GAP, world.callerLanes, CALLER_AREA_MAX, CALLER_ROW_MIN, CALLER_ROW_MAX);
  return { height: callers.y + callers.h + PAD_BOTTOM, conn, callers };
}
