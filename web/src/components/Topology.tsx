/**
 * A live topology per world: callers → the pool's slots or the GenServer's mailbox → socket(s) →
 * Redis, drawn at the playhead, with a readout in words beneath. Both follow the transient
 * playhead store by direct drawing (canvas, textContent), never by a React render; screen readers
 * hear the readout once the playhead rests (not on every frame of playback).
 */
import { memo, useEffect, useRef } from 'react';
import { worldAt, type LabView, type SocketAt, type WorldAt, type WorldView } from '../../../sim/views/index.js';
import { lab, playhead } from '../store.js';
import { CONN_STATES, EDGE_OF, INK, OKABE_ITO, WIRE, edgeOf } from '../palette.js';
import { worldStyles } from './Charts.js';
import './topology.css';

/** More sockets than this are summed up in one line ("+ 6 more"). */
const MAX_LANES = 12;
const PAD = 8;

function fmtMs(us: number): string {
  return `${(us / 1000).toFixed(3)} ms`;
}

function fmtLeft(us: number): string {
  if (us >= 1_000_000) return `${(us / 1_000_000).toFixed(2)} s`;
  return us >= 1000 ? `${(us / 1000).toFixed(1)} ms` : `${Math.round(us)} µs`;
}

const int = new Intl.NumberFormat('en-US');

function stateWords(s: SocketAt): string {
  switch (s.state) {
    case 'up':
      return 'up';
    case 'connecting':
      return 'connecting';
    case 'closing':
      return 'closing';
    case 'backoff':
      return `backing off, ${fmtLeft(s.backoffLeftUs)} left`;
    case 'closed':
      return 'closed';
  }
}

/** The connections' states in words: "10 up", or "9 up, 1 backing off (0.8 ms left)". */
export function socketsInWords(sockets: SocketAt[]): string {
  if (sockets.length === 0) return 'no connection yet';
  const counts = new Map<string, number>();
  const lefts: string[] = [];
  for (const s of sockets) {
    counts.set(s.state, (counts.get(s.state) ?? 0) + 1);
    if (s.state === 'backoff') lefts.push(fmtLeft(s.backoffLeftUs));
  }
  const names: Record<string, string> = { up: 'up', connecting: 'connecting', closing: 'closing', backoff: 'backing off', closed: 'closed' };
  return [...counts]
    .map(([k, n]) => `${n} ${names[k]}${k === 'backoff' ? ` (${lefts.slice(0, 3).join(', ')}${lefts.length > 3 ? '…' : ''} left)` : ''}`)
    .join(', ');
}

/** The readout: what the world is at the playhead, in words. */
export function readout(at: WorldAt): string {
  const parts = [`At ${fmtMs(at.t)}: ${int.format(at.inSystem)} in flight (${int.format(at.onWire)} on the wire, ${int.format(at.redisQueue)} queued at Redis)`];
  if (at.kind === 'pool') parts.push(`${int.format(at.poolWaiting)} waiting for a connection, ${at.checkedOut} of ${at.poolSize} checked out`);
  if (at.kind === 'multiplex' || at.kind === 'serial') parts.push(`${int.format(at.mailbox)} in the GenServer’s mailbox`);
  if (at.kind === 'multiplex') parts.push(`${at.fifo.length} awaiting replies in FIFO order`);
  parts.push(`${int.format(at.succeeded)} succeeded, ${int.format(at.failed)} failed so far`);
  parts.push(`connections: ${socketsInWords(at.sockets)}`);
  parts.push(redisWords(at));
  return parts.join(' · ');
}

/** Redis's state from its trace: "Redis up", "Redis down (restarting, 1.2 ms left)", "Redis paused…". */
export function redisWords(at: WorldAt): string {
  const r = at.redis;
  const left = `${fmtLeft(r.leftUs)} left`;
  const state =
    r.state === 'down'
      ? `Redis down (restarting, ${left})`
      : r.state === 'paused'
        ? `Redis paused (CLIENT PAUSE: no command runs, ${left})`
        : r.state === 'slow'
          ? `Redis slow (every command ×${r.factor}, ${left})`
          : 'Redis up';
  return r.rejected > 0 ? `${state}, ${int.format(r.rejected)} ${r.rejected === 1 ? 'connection' : 'connections'} turned away at maxclients so far` : state;
}

/** The server box's short words and its colours for each state. */
function redisLook(at: WorldAt): { word: string; stroke: string; fill: string } {
  switch (at.redis.state) {
    case 'down':
      return { word: `DOWN ${fmtLeft(at.redis.leftUs)}`, stroke: OKABE_ITO.vermillion, fill: '#fbe3d6' };
    case 'paused':
      return { word: `paused ${fmtLeft(at.redis.leftUs)}`, stroke: EDGE_OF.orange, fill: '#fdf0d5' };
    case 'slow':
      return { word: `slow ×${at.redis.factor}`, stroke: EDGE_OF.orange, fill: '#fdf0d5' };
    case 'up':
      return { word: 'up', stroke: INK.text, fill: '#fff' };
  }
}

interface Layout {
  w: number;
  h: number;
  callersX: number;
  midX: number;
  midW: number;
  wireX0: number;
  wireX1: number;
  redisX: number;
  laneY(i: number, n: number): number;
}

function layout(width: number, lanes: number): Layout {
  const w = Math.max(260, width);
  // About 11 px a socket: compact enough for the side column, room for an arrowhead each.
  const h = Math.max(116, 40 + Math.min(lanes, MAX_LANES + 1) * 11);
  const callersX = PAD;
  const midX = PAD + 62;
  const midW = 78;
  const redisW = 78;
  const redisX = w - PAD - redisW;
  return {
    w,
    h,
    callersX,
    midX,
    midW,
    wireX0: midX + midW + 6,
    wireX1: redisX - 6,
    redisX,
    laneY: (i, n) => {
      const top = 30;
      const bottom = h - 14;
      return n <= 1 ? (top + bottom) / 2 : top + ((bottom - top) * i) / (n - 1);
    },
  };
}

function box(ctx: CanvasRenderingContext2D, x: number, y: number, w: number, h: number, stroke: string, fill = '#fff') {
  ctx.fillStyle = fill;
  ctx.strokeStyle = stroke;
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  ctx.roundRect(x, y, w, h, 4);
  ctx.fill();
  ctx.stroke();
}

/** Draws one world's state. Exported for the bench and the tests' screenshots; pure canvas work. */
export function drawTopology(ctx: CanvasRenderingContext2D, L: Layout, at: WorldAt, color: string, callers: number): void {
  ctx.clearRect(0, 0, L.w, L.h);
  ctx.font = '11px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  const midY = L.h / 2 + 8;

  // Callers.
  box(ctx, L.callersX, midY - 26, 54, 52, INK.muted);
  ctx.fillStyle = INK.text;
  ctx.textAlign = 'center';
  ctx.fillText(`${callers} callers`, L.callersX + 27, midY - 10);
  ctx.fillText(`${at.inSystem} in calls`, L.callersX + 27, midY + 8);

  // The client in the middle: outlined in its world's colour, or that colour's darker shade where
  // the colour is under 3:1 on white (the multiplexer's orange), on a pale tint of the colour.
  const edge = edgeOf(color);
  const tint = `${color}1f`;
  ctx.textAlign = 'left';
  if (at.kind === 'pool') {
    const size = at.poolSize;
    const cols = Math.min(5, size);
    const rows = Math.ceil(size / cols);
    const cell = Math.min(12, Math.floor((L.midW - 8) / cols) - 2);
    const gx = L.midX + 4;
    const gy = midY - (rows * (cell + 2)) / 2;
    box(ctx, L.midX, gy - 18, L.midW, rows * (cell + 2) + 40, edge, tint);
    ctx.fillStyle = INK.text;
    ctx.fillText(`pool ${at.checkedOut}/${size}`, L.midX + 4, gy - 9);
    for (let i = 0; i < size; i++) {
      const x = gx + (i % cols) * (cell + 2);
      const y = gy + Math.floor(i / cols) * (cell + 2);
      ctx.fillStyle = i < at.checkedOut ? color : '#fff';
      ctx.strokeStyle = edge;
      ctx.lineWidth = 1;
      ctx.fillRect(x, y, cell, cell);
      ctx.strokeRect(x + 0.5, y + 0.5, cell - 1, cell - 1);
    }
    ctx.fillStyle = at.poolWaiting > 0 ? '#6b6200' : INK.muted;
    ctx.fillText(`queue ${at.poolWaiting}`, L.midX + 4, gy + rows * (cell + 2) + 10);
  } else if (at.kind === 'multiplex' || at.kind === 'serial') {
    box(ctx, L.midX, midY - 34, L.midW, 68, edge, tint);
    ctx.fillStyle = INK.text;
    ctx.fillText('GenServer', L.midX + 4, midY - 24);
    ctx.fillText(`mailbox ${at.mailbox}`, L.midX + 4, midY - 8);
    // The mailbox as a bar (up to 40 shown).
    const n = Math.min(40, at.mailbox);
    // The mailbox's yellow, outlined as the timeline's mailbox segment is (3:1 against white).
    const w = ((L.midW - 8) * n) / 40;
    ctx.fillStyle = OKABE_ITO.yellow;
    ctx.fillRect(L.midX + 4, midY + 1, w, 5);
    if (n > 0) {
      ctx.strokeStyle = EDGE_OF.yellow;
      ctx.lineWidth = 1;
      ctx.strokeRect(L.midX + 4.5, midY + 1.5, Math.max(1, w - 1), 4);
    }
    ctx.fillStyle = INK.text;
    if (at.kind === 'multiplex') ctx.fillText(`FIFO ${at.fifo.length}`, L.midX + 4, midY + 20);
  } else {
    box(ctx, L.midX, midY - 20, L.midW, 40, edge, tint);
    ctx.fillStyle = INK.text;
    ctx.fillText('a connection', L.midX + 4, midY - 7);
    ctx.fillText('per call', L.midX + 4, midY + 8);
  }

  // Redis.
  const look = redisLook(at);
  box(ctx, L.redisX, midY - 30, L.w - PAD - L.redisX, at.redis.rejected > 0 ? 74 : 60, look.stroke, look.fill);
  ctx.fillStyle = INK.text;
  ctx.textAlign = 'center';
  const rx = (L.redisX + L.w - PAD) / 2;
  ctx.fillText('Redis', rx, midY - 16);
  ctx.fillText(look.word, rx, midY);
  ctx.fillText(`queue ${at.redisQueue}`, rx, midY + 16);
  if (at.redis.rejected > 0) ctx.fillText(`${at.redis.rejected} refused`, rx, midY + 30);

  // Sockets.
  const shown = at.sockets.slice(0, MAX_LANES);
  const n = shown.length + (at.sockets.length > MAX_LANES ? 1 : 0);
  ctx.textAlign = 'left';
  shown.forEach((s, i) => {
    const y = L.laneY(i, n);
    ctx.setLineDash(s.state === 'up' ? [] : s.state === 'connecting' ? [5, 3] : [2, 4]);
    ctx.lineWidth = s.state === 'up' ? 2 : 1.5;
    ctx.strokeStyle = s.state === 'up' ? CONN_STATES.up.ink : s.state === 'connecting' ? CONN_STATES.connecting.ink : s.state === 'backoff' ? CONN_STATES.backoff.ink : '#9a9aa2';
    ctx.beginPath();
    ctx.moveTo(L.wireX0, y);
    ctx.lineTo(L.wireX1, y);
    ctx.stroke();
    ctx.setLineDash([]);
    if (s.state !== 'up') {
      // Short on the wire; the readout beneath has the words.
      const text = s.state === 'backoff' ? `backoff ${fmtLeft(s.backoffLeftUs)}` : stateWords(s);
      ctx.fillStyle = '#fff';
      const tw = ctx.measureText(text).width;
      const tx = (L.wireX0 + L.wireX1) / 2 - tw / 2;
      ctx.fillRect(tx - 2, y - 7, tw + 4, 14);
      ctx.fillStyle = s.state === 'backoff' ? CONN_STATES.backoff.ink : INK.muted;
      ctx.fillText(text, tx, y);
    }
    const span = L.wireX1 - L.wireX0 - 8;
    let queued = 0;
    for (const d of s.dots) {
      if (d.phase === 'queued') {
        // Stacked at Redis's end, oldest nearest.
        const x = L.wireX1 - 4 - (queued++ % 8) * 5;
        ctx.fillStyle = OKABE_ITO.purple;
        ctx.beginPath();
        ctx.arc(x, y, 2.5, 0, Math.PI * 2);
        ctx.fill();
        // Purple alone is under 3:1 on white: its dark outline carries the dot.
        ctx.strokeStyle = EDGE_OF.purple;
        ctx.lineWidth = 1;
        ctx.stroke();
        continue;
      }
      const x = L.wireX0 + 4 + d.pos * span;
      const right = d.phase === 'request';
      ctx.fillStyle = right ? WIRE.command.fill : WIRE.reply.fill;
      // A small arrowhead pointing the way it travels.
      ctx.beginPath();
      if (right) {
        ctx.moveTo(x + 4, y);
        ctx.lineTo(x - 3, y - 4);
        ctx.lineTo(x - 3, y + 4);
      } else {
        ctx.moveTo(x - 4, y);
        ctx.lineTo(x + 3, y - 4);
        ctx.lineTo(x + 3, y + 4);
      }
      ctx.closePath();
      ctx.fill();
    }
  });
  if (at.sockets.length > MAX_LANES) {
    const rest = at.sockets.slice(MAX_LANES);
    ctx.fillStyle = INK.muted;
    ctx.fillText(`+ ${rest.length} more: ${socketsInWords(rest)}`, L.wireX0, L.laneY(n - 1, n));
  }
  if (at.sockets.length === 0) {
    ctx.fillStyle = INK.muted;
    ctx.fillText('no connection yet', L.wireX0 + 4, midY);
  }

  // Titles.
  ctx.fillStyle = INK.muted;
  ctx.textAlign = 'left';
  ctx.fillText('callers', L.callersX, 10);
  ctx.fillText(at.kind === 'pool' ? 'pool' : at.kind === 'naive' ? 'client' : 'GenServer', L.midX, 10);
  ctx.fillText(`sockets (${at.open} of ${at.sockets.length} up)`, L.wireX0, 10);
  ctx.textAlign = 'right';
  ctx.fillText('server', L.w - PAD, 10);
}

/** The key's mark for a request queued at Redis: the canvas's purple dot with its dark outline. */
function QueuedDot() {
  return (
    <svg width={9} height={9} className="topology-dot">
      <circle cx={4.5} cy={4.5} r={3.5} fill={OKABE_ITO.purple} stroke={EDGE_OF.purple} strokeWidth={1} />
    </svg>
  );
}

/** A compact fingerprint of what is drawn, for tests (dots move → it changes). */
function fingerprint(at: WorldAt): string {
  let pos = 0;
  let dots = 0;
  for (const s of at.sockets) for (const d of s.dots) (dots++, (pos += d.phase === 'reply' ? 2 - d.pos : d.pos));
  return `${dots}:${pos.toFixed(3)}:${at.sockets.map((s) => s.state[0]).join('')}`;
}

/** Announce a readout this long after the playhead stops (and only when not playing). */
const SETTLE_MS = 700;

function WorldTopologyView({ view, world, color }: { view: LabView; world: WorldView; color: string }) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const figureRef = useRef<HTMLElement>(null);
  const nowRef = useRef<HTMLParagraphElement>(null);
  const liveRef = useRef<HTMLParagraphElement>(null);
  const widthRef = useRef<number | null>(null);
  const label = world.label;
  const callers = view.scenario.workload.mode === 'closed' ? view.scenario.workload.callers : world.callerLanes;

  useEffect(() => {
    const canvas = canvasRef.current;
    const figure = figureRef.current;
    if (canvas === null || figure === null) return;
    // The width the last view was drawn at: measuring it again for each new run would force a
    // layout of the page in the middle of the run's commit (the observer below says if it moved).
    let width = widthRef.current ?? canvas.parentElement?.clientWidth ?? 320;
    widthRef.current = width;
    let lanes = Math.max(1, world.connLanes.length);
    let L = layout(width, lanes);
    let dpr = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const size = () => {
      const d = window.devicePixelRatio || 1;
      L = layout(width, lanes);
      if (canvas.width !== Math.round(L.w * d) || canvas.height !== Math.round(L.h * d) || d !== dpr) {
        dpr = d;
        canvas.width = Math.round(L.w * d);
        canvas.height = Math.round(L.h * d);
        canvas.style.width = `${L.w}px`;
        canvas.style.height = `${L.h}px`;
      }
    };
    const draw = (t: number) => {
      // A new run is on its way to React (the store has it, this component not yet): it draws that
      // one when it renders, so drawing this old one at the new playhead would be thrown away.
      if (lab.getState().view !== view) return;
      const started = performance.now();
      const at = worldAt(view, world, t);
      const n = Math.min(at.sockets.length, MAX_LANES + 1);
      if (n > lanes) lanes = n;
      size();
      const ctx = canvas.getContext('2d');
      if (ctx !== null) {
        ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
        drawTopology(ctx, L, at, color, callers);
      }
      const text = readout(at);
      if (nowRef.current !== null && nowRef.current.textContent !== text) nowRef.current.textContent = text;
      const fp = fingerprint(at);
      if (figure.dataset['dots'] !== fp) figure.dataset['dots'] = fp;
      figure.dataset['open'] = String(at.open);
      // Polite, and only once the playhead rests: a live region updated every frame is noise.
      clearTimeout(timer);
      if (!lab.getState().playing) {
        timer = setTimeout(() => {
          if (liveRef.current !== null && !lab.getState().playing) liveRef.current.textContent = `${label}: ${text}`;
        }, SETTLE_MS);
      }
      (globalThis as { __dxTopologyWork?: number[] }).__dxTopologyWork?.push(performance.now() - started);
    };
    draw(playhead.get());
    const unsubscribe = playhead.subscribe(draw);
    const unPlaying = lab.subscribe((s, prev) => {
      if (s.playing !== prev.playing && !s.playing) draw(playhead.get());
    });
    const ro = new ResizeObserver((entries) => {
      const w = Math.floor(entries[0]?.contentRect.width ?? width);
      if (w !== width && w > 0) {
        width = widthRef.current = w;
        draw(playhead.get());
      }
    });
    if (canvas.parentElement !== null) ro.observe(canvas.parentElement);
    return () => {
      unsubscribe();
      unPlaying();
      ro.disconnect();
      clearTimeout(timer);
    };
  }, [view, world, color, callers, label]);

  const id = `topology-${label.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  return (
    <figure ref={figureRef} className="topology" data-testid={`topology-${label}`} tabIndex={0} role="group" aria-labelledby={`${id}-title`} aria-describedby={`${id}-now`}>
      <figcaption id={`${id}-title`} className="topology-title">
        <span className="topology-swatch" style={{ background: color, borderColor: edgeOf(color) }} aria-hidden="true" />
        {label} <span className="topology-kind">({world.client.kind})</span> at the playhead
        <span className="topology-key" aria-hidden="true">
          <span style={{ color: WIRE.command.fill }}>▶</span> request <span style={{ color: WIRE.reply.ink }}>◀</span> reply <QueuedDot /> queued at Redis
        </span>
      </figcaption>
      <div className="topology-canvas">
        <canvas ref={canvasRef} aria-hidden="true" />
      </div>
      <p ref={nowRef} id={`${id}-now`} className="topology-now" data-testid={`now-${label}`} />
      <p ref={liveRef} className="visually-hidden" aria-live="polite" data-testid={`readout-live-${label}`} />
    </figure>
  );
}

const WorldTopology = memo(WorldTopologyView);

/** Every world's topology, side by side, at the same instant (memoised: it follows the view). */
export const Topologies = memo(function Topologies({ view }: { view: LabView }) {
  const styles = worldStyles(view.worlds);
  return (
    <section className="topologies" aria-label="Each world at the playhead" data-testid="topologies">
      {view.worlds.map((w, i) => (
        <WorldTopology key={w.label} view={view} world={w} color={styles[i]!.color} />
      ))}
    </section>
  );
});

/** Moves keyboard focus to the next world's topology (wrapping); returns its label. */
export function focusNextTopology(): string | null {
  const all = [...document.querySelectorAll<HTMLElement>('.topology')];
  if (all.length === 0) return null;
  const i = all.findIndex((el) => el === document.activeElement || el.contains(document.activeElement));
  const next = all[(i + 1) % all.length]!;
  next.focus();
  next.scrollIntoView({ block: 'nearest' });
  return next.dataset['testid']?.replace(/^topology-/, '') ?? null;
}
