/**
 * The lab's colours and their second cues. Colours come from the Okabe–Ito palette, which stays
 * distinguishable under the common colour-vision deficiencies; every state also gets a pattern
 * (bars, bands) or a glyph (error marks), so nothing is told by colour alone.
 *
 * Patterns and glyphs are defined once, as SVG path data, and used twice: by the legend (SVG) and
 * by the timeline's canvas (Path2D accepts the same strings), so the two can never disagree.
 */

export const OKABE_ITO = {
  black: '#000000',
  orange: '#E69F00',
  sky: '#56B4E9',
  green: '#009E73',
  yellow: '#F0E442',
  blue: '#0072B2',
  vermillion: '#D55E00',
  purple: '#CC79A7',
} as const;

/** The outline of each Okabe–Ito colour that is under 3:1 on the page: a darker shade of it. */
export const EDGE_OF = { yellow: '#6b6200', orange: '#7a4a00', sky: '#1d6a96', purple: '#3d0f2a' } as const;

/**
 * The line to draw a shape of colour c with: c itself where it stands at 3:1 on the page, else its
 * outline shade (EDGE_OF) — a world's orange box, a purple line or mark (WCAG 1.4.11).
 */
export function edgeOf(c: string): string {
  const hex = c.toUpperCase();
  for (const [name, edge] of Object.entries(EDGE_OF)) if (OKABE_ITO[name as keyof typeof EDGE_OF] === hex) return edge;
  return c;
}

/** Text and lines on the light page background (#fafafa / #fff): all ≥ 4.5:1. */
export const INK = {
  text: '#1b1b1f',
  muted: '#4a4a52',
  grid: '#e4e4e8',
  lane: '#f3f3f6',
  laneAlt: '#ffffff',
  dim: 'rgba(250, 250, 250, 0.78)',
  focus: '#0072B2',
} as const;

export type PatternKind = 'solid' | 'diag' | 'rdiag' | 'cross' | 'horiz' | 'vert' | 'dots' | 'grid';
export type GlyphKind = 'x' | 'plus' | 'triangle' | 'triangleDown' | 'square' | 'diamond' | 'circle' | 'asterisk' | 'ring' | 'cap';

/** One drawable state: a fill colour, a pattern drawn over it in `ink`, and (errors) a glyph. */
export interface Swatch {
  key: string;
  label: string;
  fill: string;
  pattern: PatternKind;
  ink: string;
  /**
   * The outline drawn around the fill where the fill itself is under 3:1 against the lanes
   * (WCAG 1.4.11): the shape is still seen, and the fill keeps the colour its name says.
   */
  edge?: string;
  glyph?: GlyphKind;
}

/** Pattern tiles are this many CSS pixels square. */
export const PATTERN_TILE = 6;

interface TileShape {
  d: string;
  mode: 'stroke' | 'fill';
}

/** Tile geometry; diagonals extend past the corners so tiles join without gaps. */
const TILES: Record<Exclude<PatternKind, 'solid'>, TileShape> = {
  diag: { d: 'M-1,1 L1,-1 M0,6 L6,0 M5,7 L7,5', mode: 'stroke' },
  rdiag: { d: 'M-1,5 L1,7 M0,0 L6,6 M5,-1 L7,1', mode: 'stroke' },
  cross: { d: 'M-1,1 L1,-1 M0,6 L6,0 M5,7 L7,5 M-1,5 L1,7 M0,0 L6,6 M5,-1 L7,1', mode: 'stroke' },
  horiz: { d: 'M0,3 L6,3', mode: 'stroke' },
  vert: { d: 'M3,0 L3,6', mode: 'stroke' },
  dots: { d: 'M1.6,3 A1.4,1.4 0 1 0 4.4,3 A1.4,1.4 0 1 0 1.6,3 Z', mode: 'fill' },
  grid: { d: 'M0,3 L6,3 M3,0 L3,6', mode: 'stroke' },
};

export function patternTile(kind: PatternKind): TileShape | null {
  return kind === 'solid' ? null : TILES[kind];
}

// ---- States ---------------------------------------------------------------------------------

/** Connection lanes. */
export const CONN_STATES = {
  connecting: { key: 'connecting', label: 'connecting', fill: OKABE_ITO.yellow, pattern: 'vert', ink: '#6b6200', edge: EDGE_OF.yellow },
  up: { key: 'up', label: 'connection up', fill: '#d3eee5', pattern: 'solid', ink: OKABE_ITO.green, edge: '#007a59' },
  closing: { key: 'closing', label: 'closing', fill: '#c9c9cf', pattern: 'horiz', ink: '#55555c', edge: '#55555c' },
  // Dots, not queue_full's diagonal hatch of the same orange: the two must not be confused.
  backoff: { key: 'backoff', label: 'backing off (waiting to reconnect)', fill: OKABE_ITO.orange, pattern: 'dots', ink: '#3d2a00', edge: EDGE_OF.orange },
} as const satisfies Record<string, Swatch>;

/** Requests on connection lanes: arrows when zoomed in, density when zoomed out. */
export const WIRE = {
  command: { key: 'command', label: 'command sent → run at the server', fill: OKABE_ITO.blue, pattern: 'solid', ink: OKABE_ITO.blue },
  reply: { key: 'reply', label: 'reply ← read by the client', fill: OKABE_ITO.green, pattern: 'solid', ink: OKABE_ITO.green },
  // Grey, not the blue of a request replied ok: zoomed out, this is a count, not an outcome.
  density: { key: 'density', label: 'requests in flight on the connection', fill: '#55555c', pattern: 'solid', ink: '#55555c' },
} as const satisfies Record<string, Swatch>;

/** Strips between connections and callers: measures over time, as column heights. */
export const STRIPS = {
  busy: { key: 'busy', label: 'CPU busy (share of the time running; callers: each)', fill: '#8c2d04', pattern: 'solid', ink: '#8c2d04' },
  connects: { key: 'connects', label: 'connect attempts (full height: all at once)', fill: '#6b6200', pattern: 'solid', ink: '#6b6200' },
} as const satisfies Record<string, Swatch>;

/** Caller lanes: one bar per request. */
export const REQUEST_STATES = {
  waiting: { key: 'waiting', label: 'waiting for a pooled connection', fill: OKABE_ITO.yellow, pattern: 'dots', ink: '#6b6200', edge: EDGE_OF.yellow },
  // A call not yet taken by the GenServer that owns the socket (serial, multiplexed): waiting,
  // like the pool's queue (yellow), but in a line of messages (stripes), not for a socket.
  mailbox: { key: 'mailbox', label: "waiting in the GenServer's mailbox", fill: '#f7f0a0', pattern: 'horiz', ink: '#6b6200', edge: EDGE_OF.yellow },
  // A connection per command: the call opening its own connection before it can send (the
  // handshake's round trip), in the connecting state's yellow and stripes.
  connect: { key: 'connect', label: 'opening its own connection (handshake)', fill: OKABE_ITO.yellow, pattern: 'vert', ink: '#6b6200', edge: EDGE_OF.yellow },
  inflight: { key: 'inflight', label: 'in flight, no reply yet', fill: OKABE_ITO.sky, pattern: 'solid', ink: OKABE_ITO.sky, edge: EDGE_OF.sky },
  ok: { key: 'ok', label: 'replied ok', fill: OKABE_ITO.blue, pattern: 'solid', ink: OKABE_ITO.blue },
} as const satisfies Record<string, Swatch>;

/** Every error kind a client reports (sim/clients/common.ts ClientError), in legend order. */
export const ERROR_KINDS = ['timeout', 'queue_timeout', 'disconnected', 'closed', 'connect_failed', 'checked_out', 'queue_full', 'noproc', 'killed'] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

/**
 * Errors come in colour families by cause (vermillion: waited too long, purple/black: the
 * connection, orange: the pool refused), and each kind has its own pattern and glyph.
 */
const ERROR_STYLES: Record<ErrorKind, Omit<Swatch, 'key'>> = {
  timeout: { label: 'timeout', fill: OKABE_ITO.vermillion, pattern: 'diag', ink: '#ffffff', glyph: 'x' },
  queue_timeout: { label: 'queue timeout', fill: OKABE_ITO.vermillion, pattern: 'horiz', ink: '#ffffff', glyph: 'triangleDown' },
  disconnected: { label: 'disconnected', fill: OKABE_ITO.purple, pattern: 'cross', ink: '#3d0f2a', edge: EDGE_OF.purple, glyph: 'diamond' },
  closed: { label: 'closed (not connected)', fill: OKABE_ITO.black, pattern: 'vert', ink: '#bdbdbd', glyph: 'square' },
  connect_failed: { label: 'connect failed', fill: OKABE_ITO.purple, pattern: 'dots', ink: '#3d0f2a', edge: EDGE_OF.purple, glyph: 'triangle' },
  checked_out: { label: 'checked out (pool full)', fill: OKABE_ITO.orange, pattern: 'grid', ink: '#3d2a00', edge: EDGE_OF.orange, glyph: 'plus' },
  queue_full: { label: 'queue full', fill: OKABE_ITO.orange, pattern: 'rdiag', ink: '#3d2a00', edge: EDGE_OF.orange, glyph: 'circle' },
  noproc: { label: 'no process', fill: OKABE_ITO.black, pattern: 'diag', ink: '#bdbdbd', glyph: 'asterisk' },
  // Not a client's error: the kill_caller fault ended the caller (its bar stops there, capped).
  killed: { label: 'caller killed', fill: '#3a3a40', pattern: 'horiz', ink: '#ffffff', glyph: 'cap' },
};

const UNKNOWN_ERROR: Omit<Swatch, 'key'> = { label: 'other error', fill: '#6e6e76', pattern: 'cross', ink: '#ffffff', glyph: 'ring' };

export function isErrorKind(kind: string): kind is ErrorKind {
  return (ERROR_KINDS as readonly string[]).includes(kind);
}

export function errorSwatch(kind: string): Swatch {
  const s = isErrorKind(kind) ? ERROR_STYLES[kind] : UNKNOWN_ERROR;
  return { key: `error:${kind}`, ...s };
}

/** Every error swatch, in legend order. */
export const ERROR_SWATCHES: readonly Swatch[] = ERROR_KINDS.map((k) => errorSwatch(k));

/** Faults: a hatched band over every world (instant faults: a marker line). */
export const FAULT = { fill: 'rgba(0, 0, 0, 0.05)', hatch: 'rgba(0, 0, 0, 0.28)', edge: '#3a3a40' } as const;

/** Every state the timeline fills a shape with (the legend's entries, errors included). */
export const ALL_SWATCHES: readonly Swatch[] = [...Object.values(CONN_STATES), ...Object.values(WIRE), ...Object.values(STRIPS), ...Object.values(REQUEST_STATES), ...ERROR_SWATCHES, { key: 'error:other', ...UNKNOWN_ERROR }];

/** What the timeline draws on: its two lane colours and the page. */
export const BACKGROUNDS = [INK.lane, INK.laneAlt, '#fafafa'] as const;

/** WCAG 2.x relative luminance of an opaque #rrggbb colour. */
export function relativeLuminance(hex: string): number {
  const m = /^#([0-9a-f]{6})$/i.exec(hex);
  if (m === null) throw new Error(`not a #rrggbb colour: ${hex}`);
  const v = parseInt(m[1]!, 16);
  const lin = (c: number) => {
    const x = c / 255;
    return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin((v >> 16) & 255) + 0.7152 * lin((v >> 8) & 255) + 0.0722 * lin(v & 255);
}

/** WCAG contrast ratio of two opaque colours (1 to 21). */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** The colour that carries a swatch's shape against the backgrounds: its outline if it has one, else its fill. */
export function carrier(s: Swatch): string {
  return s.edge ?? s.fill;
}

// ---- Glyphs ---------------------------------------------------------------------------------

/** Line glyphs are stroked; the others are filled then outlined. */
export function glyphIsStroked(g: GlyphKind): boolean {
  return g === 'x' || g === 'plus' || g === 'asterisk' || g === 'ring' || g === 'cap';
}

/** A glyph's geometry around (0, 0): polylines (closed or not) and, for circles, a radius. */
export interface GlyphShape {
  lines: Array<{ pts: Array<[number, number]>; closed: boolean }>;
  circle: number | null;
}

/** Geometry of a glyph of radius r: the single source for the SVG legend and the canvas marks. */
export function glyphShape(g: GlyphKind, r: number): GlyphShape {
  const h = r * 0.87;
  const open = (...pts: Array<[number, number]>) => ({ pts, closed: false });
  const closed = (...pts: Array<[number, number]>) => ({ pts, closed: true });
  switch (g) {
    case 'x':
      return { lines: [open([-r, -r], [r, r]), open([-r, r], [r, -r])], circle: null };
    case 'plus':
      return { lines: [open([-r, 0], [r, 0]), open([0, -r], [0, r])], circle: null };
    case 'asterisk':
      return { lines: [open([0, -r], [0, r]), open([-h, -r / 2], [h, r / 2]), open([-h, r / 2], [h, -r / 2])], circle: null };
    case 'triangle':
      return { lines: [closed([0, -r], [r, h], [-r, h])], circle: null };
    case 'triangleDown':
      return { lines: [closed([0, r], [r, -h], [-r, -h])], circle: null };
    case 'square': {
      const s = r * 0.8;
      return { lines: [closed([-s, -s], [s, -s], [s, s], [-s, s])], circle: null };
    }
    case 'diamond':
      return { lines: [closed([0, -r], [r, 0], [0, r], [-r, 0])], circle: null };
    case 'cap':
      // An end stop: ⊢ turned upright, closing the bar.
      return { lines: [open([0, -r], [0, r]), open([-r * 0.6, -r], [r * 0.6, -r]), open([-r * 0.6, r], [r * 0.6, r])], circle: null };
    case 'circle':
    case 'ring':
      return { lines: [], circle: r };
  }
}

/** SVG path data for a glyph of radius r centred on (0, 0). */
export function glyphPath(g: GlyphKind, r: number): string {
  const f = (n: number) => String(Number(n.toFixed(2)));
  const shape = glyphShape(g, r);
  const parts = shape.lines.map((l) => l.pts.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${f(x)},${f(y)}`).join(' ') + (l.closed ? ' Z' : ''));
  if (shape.circle !== null) {
    const c = f(shape.circle);
    parts.push(`M-${c},0 A${c},${c} 0 1 0 ${c},0 A${c},${c} 0 1 0 -${c},0 Z`);
  }
  return parts.join(' ');
}

// ---- Canvas helpers -------------------------------------------------------------------------

type Ctx2D = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

/**
 * A swatch's pattern tile drawn once at the device's pixel ratio: the one drawing of a tile that
 * the canvas pattern (canvasFill) and the zoomed-out raster (its pixels) both use.
 */
export function renderTile(s: Swatch, dpr: number): { canvas: HTMLCanvasElement | OffscreenCanvas; g: Ctx2D; px: number } | null {
  const tile = patternTile(s.pattern);
  if (tile === null) return null;
  const px = Math.max(1, Math.round(PATTERN_TILE * dpr));
  const canvas = makeCanvas(px, px);
  const g = canvas?.getContext('2d', { willReadFrequently: true }) as Ctx2D | null | undefined;
  if (canvas === null || g === null || g === undefined) return null;
  g.scale(px / PATTERN_TILE, px / PATTERN_TILE);
  g.fillStyle = s.fill;
  g.fillRect(0, 0, PATTERN_TILE, PATTERN_TILE);
  const path = new Path2D(tile.d);
  if (tile.mode === 'fill') {
    g.fillStyle = s.ink;
    g.fill(path);
  } else {
    g.strokeStyle = s.ink;
    g.lineWidth = 1.1;
    g.stroke(path);
  }
  return { canvas, g, px };
}

/** A canvas fill for a swatch: a plain colour, or a repeating pattern at the device's pixel ratio. */
export function canvasFill(ctx: CanvasRenderingContext2D, s: Swatch, dpr: number): string | CanvasPattern {
  const tile = renderTile(s, dpr);
  if (tile === null) return s.fill;
  const pattern = ctx.createPattern(tile.canvas, 'repeat');
  if (pattern === null) return s.fill;
  // The main context is already scaled by dpr (one user unit = one CSS pixel), so without this
  // the px-wide tile would span px CSS pixels; scale it back to PATTERN_TILE CSS pixels.
  const k = PATTERN_TILE / tile.px;
  pattern.setTransform(new DOMMatrix([k, 0, 0, k, 0, 0]));
  return pattern;
}

/** A small off-screen canvas for pattern tiles and sprites (OffscreenCanvas where available). */
export function makeCanvas(w: number, h: number): HTMLCanvasElement | OffscreenCanvas | null {
  if (typeof OffscreenCanvas !== 'undefined') return new OffscreenCanvas(Math.max(1, w), Math.max(1, h));
  if (typeof document === 'undefined') return null;
  const c = document.createElement('canvas');
  c.width = Math.max(1, w);
  c.height = Math.max(1, h);
  return c;
}
