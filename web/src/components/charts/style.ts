/** A colour and a shape per world, the same in every chart, table and diagram. */
import { symbol, symbolCircle, symbolCross, symbolDiamond, symbolSquare, symbolStar, symbolTriangle, symbolWye, type SymbolType } from 'd3-shape';

/** Okabe–Ito, in the order worlds get them; vermilion last: it marks failures. */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#000000', '#F0E442', '#D55E00'] as const;
export const ERROR_COLOR = '#D55E00';
/** Pool blue and multiplex orange wherever they appear; the others take the next free colour. */
const PREFERRED: Record<string, number> = { pool: 0, multiplex: 1, serial: 2, naive: 3 };
const SHAPES: Array<{ name: string; type: SymbolType }> = [
  { name: 'circle', type: symbolCircle },
  { name: 'square', type: symbolSquare },
  { name: 'triangle', type: symbolTriangle },
  { name: 'diamond', type: symbolDiamond },
  { name: 'star', type: symbolStar },
  { name: 'wye', type: symbolWye },
  { name: 'cross', type: symbolCross },
  { name: 'circle', type: symbolCircle },
];

export interface WorldStyle {
  color: string;
  shape: string;
  symbol: SymbolType;
}

/** One style per world, stable for a given list of worlds (by kind first, then by position). */
export function worldStyles(worlds: ReadonlyArray<{ client: { kind: string } }>): WorldStyle[] {
  const used = new Set<number>();
  return worlds.map((w, i) => {
    let c = PREFERRED[w.client.kind];
    if (c === undefined || used.has(c)) c = PALETTE.findIndex((_, k) => !used.has(k));
    if (c < 0) c = i % PALETTE.length;
    used.add(c);
    const shape = SHAPES[i % SHAPES.length]!;
    return { color: PALETTE[c]!, shape: shape.name, symbol: shape.type };
  });
}

export const symbolPath = (type: SymbolType, size: number) => symbol(type, size)() ?? '';
