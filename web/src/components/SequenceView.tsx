/**
 * Full duplex, up close: a multiplexed connection as a sequence diagram — a client rail above, a
 * Redis rail below, time across; each request an arrow down (written → at Redis) and its reply an
 * arrow up (run → read). Hovering (or the arrow keys) picks one request: its two arrows are drawn
 * together and its place in the connection's FIFO at the playhead is said.
 *
 * It shows the timeline's window when that is zoomed in enough for single arrows; otherwise a
 * lens of a few round trips around the playhead, so arrow-level detail is there at any zoom.
 */
import { memo, useEffect, useRef, useState } from 'react';
import { legsOf, requestsIn, worldAt, type LabView, type Legs, type RequestView, type WorldView } from '../../../sim/views/index.js';
import { lab, playhead, type TimeWindow } from '../store.js';
import { EDGE_OF, INK, OKABE_ITO, WIRE } from '../palette.js';
import './topology.css';

const H = 170;
const LEFT = 64;
const RIGHT = 12;
const CLIENT_Y = 26;
const REDIS_Y = H - 22;
/** Pixels of the plot per request drawn, at least: closer, arrows and FIFO numbers run together. */
const PX_PER_ARROW = 14;

interface Arrow {
  r: RequestView;
  legs: Legs;
}

/**
 * The time span drawn: the window if it is short and sparse enough for `maxArrows` single
 * arrows, else a lens around the playhead: three round trips, halved while it holds more than
 * `maxArrows` (the width decides what is legible) but never under one round trip.
 */
export function sequenceSpan(view: LabView, w: WorldView, window: TimeWindow, t: number, maxArrows: number): { from: number; to: number; lens: boolean } {
  const rtt = Math.max(200, 2 * view.scenario.network.latencyMs * 1000);
  if (window.to - window.from <= 6 * rtt && requestsIn(w, window.from, window.to).length <= maxArrows) return { ...window, lens: false };
  let span = 3 * rtt;
  for (;;) {
    const from = Math.max(0, Math.min(view.endUs - span, t - span * 0.6));
    // Never under a round trip: a request's arrow down and its reply's up must both fit.
    if (span / 2 < rtt || requestsIn(w, from, from + span).length <= maxArrows) return { from, to: from + span, lens: true };
    span /= 2;
  }
}

function fmt(us: number): string {
  return `${(us / 1000).toFixed(3)} ms`;
}

function SequenceOf({ view, world }: { view: LabView; world: WorldView }) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const wrapRef = useRef<HTMLDivElement>(null);
  const captionRef = useRef<HTMLSpanElement>(null);
  const figureRef = useRef<HTMLElement>(null);
  const hintRef = useRef<HTMLParagraphElement>(null);
  const [picked, setPicked] = useState<number | null>(null);
  const pickedRef = useRef<number | null>(null);
  pickedRef.current = picked;
  const arrowsRef = useRef<{ arrows: Arrow[]; x: (t: number) => number; from: number; to: number }>({ arrows: [], x: () => 0, from: 0, to: 1 });
  const [card, setCard] = useState('');
  const widthRef = useRef<number | null>(null);
  const label = world.label;

  useEffect(() => {
    const canvas = canvasRef.current;
    const wrap = wrapRef.current;
    if (canvas === null || wrap === null) return;
    // As the topology does: the width the last view was drawn at, not measured again per run.
    let width = widthRef.current ?? (wrap.clientWidth || 600);
    widthRef.current = width;
    const draw = () => {
      // A newer run is in the store and not yet rendered here: it is drawn when it is (see Topology).
      if (lab.getState().view !== view) return;
      const t = playhead.get();
      const maxArrows = Math.max(8, Math.floor((width - LEFT - RIGHT) / PX_PER_ARROW));
      const { from, to, lens } = sequenceSpan(view, world, lab.getState().window, t, maxArrows);
      const dpr = window.devicePixelRatio || 1;
      if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(H * dpr)) {
        canvas.width = Math.round(width * dpr);
        canvas.height = Math.round(H * dpr);
        canvas.style.width = `${width}px`;
        canvas.style.height = `${H}px`;
      }
      const ctx = canvas.getContext('2d');
      if (ctx === null) return;
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, width, H);
      const x = (u: number) => LEFT + ((u - from) / (to - from)) * (width - LEFT - RIGHT);
      const arrows: Arrow[] = [];
      for (const r of requestsIn(world, from, to)) {
        const legs = legsOf(view, r);
        if (legs === null || legs.sent > to || (legs.reply ?? legs.exec ?? legs.arrive) < from) continue;
        arrows.push({ r, legs });
      }
      arrowsRef.current = { arrows, x, from, to };
      // Nothing near the playhead: one line instead of an empty diagram.
      const empty = arrows.length === 0;
      const figure = figureRef.current;
      if (figure !== null && figure.dataset['empty'] !== String(empty)) {
        figure.dataset['empty'] = String(empty);
        wrap.hidden = empty;
        if (hintRef.current !== null) hintRef.current.hidden = empty;
      }
      if (empty) {
        const caption = `${lens ? 'A lens of' : 'The timeline’s window,'} ${fmt(from)} – ${fmt(to)}: no request on the wire here`;
        if (captionRef.current !== null && captionRef.current.textContent !== caption) captionRef.current.textContent = caption;
        return;
      }
      // Rails.
      ctx.font = '11px system-ui, sans-serif';
      ctx.textBaseline = 'middle';
      ctx.fillStyle = INK.text;
      ctx.fillText('client', 6, CLIENT_Y);
      ctx.fillText('Redis', 6, REDIS_Y);
      ctx.strokeStyle = INK.muted;
      ctx.lineWidth = 2;
      for (const y of [CLIENT_Y, REDIS_Y]) {
        ctx.beginPath();
        ctx.moveTo(LEFT, y);
        ctx.lineTo(width - RIGHT, y);
        ctx.stroke();
      }
      // The FIFO at the playhead: each request on the wire gets its place.
      const at = worldAt(view, world, t);
      const fifo = new Map(at.fifo.map((req, i) => [req, i]));
      const sel = pickedRef.current;
      const arrow = (x0: number, y0: number, x1: number, y1: number, color: string, width_: number) => {
        ctx.strokeStyle = color;
        ctx.fillStyle = color;
        ctx.lineWidth = width_;
        ctx.beginPath();
        ctx.moveTo(x0, y0);
        ctx.lineTo(x1, y1);
        ctx.stroke();
        const a = Math.atan2(y1 - y0, x1 - x0);
        ctx.beginPath();
        ctx.moveTo(x1, y1);
        ctx.lineTo(x1 - 7 * Math.cos(a - 0.4), y1 - 7 * Math.sin(a - 0.4));
        ctx.lineTo(x1 - 7 * Math.cos(a + 0.4), y1 - 7 * Math.sin(a + 0.4));
        ctx.closePath();
        ctx.fill();
      };
      ctx.save();
      ctx.beginPath();
      ctx.rect(LEFT, 0, width - LEFT - RIGHT, H);
      ctx.clip();
      const labels: Array<{ x: number; text: string; on: boolean }> = [];
      for (const pass of [0, 1]) {
        for (const { r, legs } of arrows) {
          const on = r.req === sel;
          if ((pass === 1) !== on) continue;
          const faded = sel !== null && !on;
          ctx.globalAlpha = faded ? 0.25 : 1;
          if (legs.arrived) arrow(x(legs.sent), CLIENT_Y + 3, x(legs.arrive), REDIS_Y - 3, WIRE.command.fill, on ? 2.5 : 1.2);
          else {
            // It never reached Redis (lost, or held by a partition to the end): halfway, crossed.
            const mx = (x(legs.sent) + x(legs.arrive)) / 2;
            const my = (CLIENT_Y + REDIS_Y) / 2;
            ctx.setLineDash([4, 3]);
            arrow(x(legs.sent), CLIENT_Y + 3, mx, my, WIRE.command.fill, on ? 2.5 : 1.2);
            ctx.setLineDash([]);
            ctx.strokeStyle = OKABE_ITO.vermillion;
            ctx.lineWidth = 2;
            ctx.beginPath();
            ctx.moveTo(mx - 4, my + 6);
            ctx.lineTo(mx + 4, my + 14);
            ctx.moveTo(mx + 4, my + 6);
            ctx.lineTo(mx - 4, my + 14);
            ctx.stroke();
          }
          if (legs.exec !== null && legs.exec > legs.arrive) {
            // Waiting in Redis's queue before it runs: purple, on its dark outline (purple alone
            // is under 3:1 on white), as the topology's queued dots are.
            ctx.beginPath();
            ctx.moveTo(x(legs.arrive), REDIS_Y);
            ctx.lineTo(x(legs.exec), REDIS_Y);
            ctx.strokeStyle = EDGE_OF.purple;
            ctx.lineWidth = on ? 6 : 4.5;
            ctx.stroke();
            ctx.strokeStyle = OKABE_ITO.purple;
            ctx.lineWidth = on ? 3.5 : 2.5;
            ctx.stroke();
          }
          if (legs.exec !== null && legs.reply !== null) arrow(x(legs.exec), REDIS_Y - 3, x(legs.reply), CLIENT_Y + 3, WIRE.reply.ink, on ? 2.5 : 1.2);
          const place = fifo.get(r.req);
          if (place !== undefined) labels.push({ x: x(legs.sent), text: String(place + 1), on });
        }
      }
      ctx.globalAlpha = 1;
      // FIFO places above the client rail, left to right, none over another (the picked one always).
      ctx.fillStyle = INK.text;
      ctx.textAlign = 'center';
      let right = Number.NEGATIVE_INFINITY;
      for (const l of labels.sort((a, b) => a.x - b.x)) {
        const half = ctx.measureText(l.text).width / 2 + 2;
        if (!l.on && l.x - half < right) continue;
        ctx.fillText(l.text, l.x, CLIENT_Y - 10);
        right = l.x + half;
      }
      ctx.textAlign = 'left';
      ctx.restore();
      // The playhead.
      if (t >= from && t <= to) {
        ctx.strokeStyle = INK.text;
        ctx.lineWidth = 1.5;
        ctx.beginPath();
        ctx.moveTo(x(t), 12);
        ctx.lineTo(x(t), H - 6);
        ctx.stroke();
      }
      const caption = `${lens ? 'A lens of' : 'The timeline’s window,'} ${fmt(from)} – ${fmt(to)}${lens ? ' around the playhead (zoom the timeline in to line it up)' : ''} · ${arrows.length} requests · numbers: FIFO place at the playhead`;
      if (captionRef.current !== null && captionRef.current.textContent !== caption) captionRef.current.textContent = caption;
      if (sel !== null) {
        const a = arrows.find((x_) => x_.r.req === sel);
        const text =
          a === undefined
            ? ''
            : `Request ${a.r.req} (${a.r.name.toUpperCase()}, caller ${a.r.caller}): written ${fmt(a.legs.sent)}, at Redis ${a.legs.arrived ? fmt(a.legs.arrive) : 'never (lost or held on the way)'}, run ${a.legs.exec === null ? 'never' : fmt(a.legs.exec)}, reply read ${a.legs.reply === null ? 'never' : fmt(a.legs.reply)}; ${fifo.has(sel) ? `FIFO place ${fifo.get(sel)! + 1} of ${at.fifo.length} at the playhead` : 'not on the wire at the playhead'}.`;
        setCard((old) => (old === text ? old : text));
      }
    };
    draw();
    const unPlay = playhead.subscribe(draw);
    const unWin = lab.subscribe((s, prev) => {
      if (s.window !== prev.window) draw();
    });
    const ro = new ResizeObserver((e) => {
      const w = Math.floor(e[0]?.contentRect.width ?? width);
      if (w > 0 && w !== width) {
        width = widthRef.current = w;
        draw();
      }
    });
    ro.observe(wrap);
    return () => {
      unPlay();
      unWin();
      ro.disconnect();
    };
  }, [view, world, picked]);

  const pickAt = (clientX: number, clientY: number) => {
    const c = canvasRef.current;
    if (c === null) return;
    const rect = c.getBoundingClientRect();
    const px = clientX - rect.left;
    const py = clientY - rect.top;
    const { arrows, x } = arrowsRef.current;
    let best: number | null = null;
    let bestD = 8;
    const dist = (x0: number, y0: number, x1: number, y1: number) => {
      const dx = x1 - x0;
      const dy = y1 - y0;
      const k = Math.max(0, Math.min(1, ((px - x0) * dx + (py - y0) * dy) / (dx * dx + dy * dy || 1)));
      return Math.hypot(px - (x0 + k * dx), py - (y0 + k * dy));
    };
    for (const { r, legs } of arrows) {
      let d = legs.arrived ? dist(x(legs.sent), CLIENT_Y, x(legs.arrive), REDIS_Y) : dist(x(legs.sent), CLIENT_Y, (x(legs.sent) + x(legs.arrive)) / 2, (CLIENT_Y + REDIS_Y) / 2);
      if (legs.exec !== null && legs.reply !== null) d = Math.min(d, dist(x(legs.exec), REDIS_Y, x(legs.reply), CLIENT_Y));
      if (d < bestD) {
        bestD = d;
        best = r.req;
      }
    }
    setPicked(best);
    if (best === null) setCard('');
  };

  const step = (dir: 1 | -1) => {
    const { arrows } = arrowsRef.current;
    if (arrows.length === 0) return;
    const i = arrows.findIndex((a) => a.r.req === picked);
    const next = arrows[i < 0 ? (dir === 1 ? 0 : arrows.length - 1) : (i + dir + arrows.length) % arrows.length]!;
    setPicked(next.r.req);
  };

  return (
    <figure ref={figureRef} className="sequence" data-testid={`sequence-${label}`}>
      <figcaption className="topology-title">
        {label}: full duplex, request → reply <span className="topology-kind" ref={captionRef} />
      </figcaption>
      <div ref={wrapRef} className="topology-canvas">
        <canvas
          ref={canvasRef}
          tabIndex={0}
          role="img"
          aria-label={`Sequence diagram of ${label}'s connection: requests down to Redis, replies back up. Left and right arrow keys pick a request.`}
          onPointerMove={(e) => pickAt(e.clientX, e.clientY)}
          onPointerLeave={() => {
            setPicked(null);
            setCard('');
          }}
          onKeyDown={(e) => {
            if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
              e.preventDefault();
              e.stopPropagation();
              step(e.key === 'ArrowRight' ? 1 : -1);
            }
          }}
        />
      </div>
      <p ref={hintRef} className="topology-now" data-testid={`sequence-card-${label}`} aria-live="polite">
        {card || 'Point at an arrow (or focus the diagram and press ← →) to match a request with its reply.'}
      </p>
    </figure>
  );
}

const Sequence = memo(SequenceOf);

/** A sequence diagram for each multiplexed world (the ones whose connection carries many requests at once). */
export const SequenceViews = memo(function SequenceViews({ view }: { view: LabView }) {
  const worlds = view.worlds.filter((w) => w.client.kind === 'multiplex');
  if (worlds.length === 0) return null;
  return (
    <section className="sequences" aria-label="Full duplex, up close">
      {worlds.map((w) => (
        <Sequence key={w.label} view={view} world={w} />
      ))}
    </section>
  );
});
