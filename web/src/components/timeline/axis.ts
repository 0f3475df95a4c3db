/** The timeline's time axis, drawn in place (SVG), and the playhead that rides on it. */
import type { ScaleLinear } from 'd3-scale';
import { RIGHT_PAD } from './layout.js';
import { ms3 } from './format.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
const TICK_SIZE = 6;

export function tickDecimals(step: number): number {
  return step >= 1000 ? 0 : step >= 100 ? 1 : step >= 10 ? 2 : 3;
}

/**
 * The time axis along the top, drawn as d3-axis's axisTop draws it (same elements, classes and
 * attributes, so exports look the same), but updated in place: axisTop keys its ticks by pixel
 * position, so every frame of a pan removed and re-created every tick and its text (~1 ms a
 * frame, and a relayout of the text). Here ticks are reused in order and a label is only
 * rewritten when it changes.
 */
export function drawAxis(g: SVGGElement, x: ScaleLinear<number, number>, ticks: readonly number[], format: (v: number) => string): void {
  const offset = typeof window !== 'undefined' && window.devicePixelRatio > 1 ? 0 : 0.5;
  if (!g.hasAttribute('text-anchor')) {
    g.setAttribute('fill', 'none');
    g.setAttribute('font-size', '10');
    g.setAttribute('font-family', 'sans-serif');
    g.setAttribute('text-anchor', 'middle');
  }
  let domain = g.querySelector<SVGPathElement>(':scope > path.domain');
  if (domain === null) {
    domain = document.createElementNS(SVG_NS, 'path');
    domain.setAttribute('class', 'domain');
    domain.setAttribute('stroke', 'currentColor');
    g.insertBefore(domain, g.firstChild);
  }
  const [r0, r1] = x.range() as [number, number];
  const d = `M${r0 + offset},${-TICK_SIZE}V${offset}H${r1 + offset}V${-TICK_SIZE}`;
  if (domain.getAttribute('d') !== d) domain.setAttribute('d', d);
  const existing = g.querySelectorAll<SVGGElement>(':scope > g.tick');
  for (let i = ticks.length; i < existing.length; i++) existing[i]!.remove();
  ticks.forEach((t, i) => {
    let tick = existing[i];
    if (tick === undefined) {
      tick = document.createElementNS(SVG_NS, 'g');
      tick.setAttribute('class', 'tick');
      tick.setAttribute('opacity', '1');
      const line = document.createElementNS(SVG_NS, 'line');
      line.setAttribute('stroke', 'currentColor');
      line.setAttribute('y2', String(-TICK_SIZE));
      const text = document.createElementNS(SVG_NS, 'text');
      text.setAttribute('fill', 'currentColor');
      text.setAttribute('y', String(-(TICK_SIZE + 3)));
      text.setAttribute('dy', '0em');
      tick.append(line, text);
      g.append(tick);
    }
    tick.setAttribute('transform', `translate(${x(t) + offset},0)`);
    // Its place, read back by positionPlayhead (which hides the labels the playhead covers).
    tick.setAttribute('data-x', String(x(t)));
    const text = tick.lastChild as SVGTextElement;
    const label = format(t);
    if (text.textContent !== label) text.textContent = label;
  });
}

/** The DOM parts of the playhead, moved by direct updates (never a React render). */
export interface PlayheadParts {
  line: HTMLDivElement | null;
  knob: SVGGElement | null;
  label: SVGTextElement | null;
  axis: SVGSVGElement | null;
  /** The axis's ticks (drawAxis's group): a tick label under the playhead's knob or label is hidden. */
  ticks?: SVGGElement | null;
}

/** Widths in CSS px per character: the knob's label (600 11px monospace), a tick's (11px sans digits). */
const LABEL_CHAR_W = 6.7;
const TICK_CHAR_W = 6.2;
/** The knob's half width, and the gap from the playhead to its label (TimeAxis: x=±7). */
const KNOB_HALF_W = 6;
const LABEL_GAP = 7;

/**
 * The x range the playhead's knob and label take on the axis (label to the right of the
 * playhead, or to its left near the right edge).
 */
export function playheadLabelSpan(px: number, chars: number, labelLeft: boolean): [number, number] {
  const w = LABEL_GAP + chars * LABEL_CHAR_W;
  return labelLeft ? [px - w, px + KNOB_HALF_W] : [px - KNOB_HALF_W, px + w];
}

/** Whether a tick label centred at x, `chars` long, overlaps [a, b] (2 px to spare). */
export function tickLabelCovered(x: number, chars: number, [a, b]: [number, number]): boolean {
  const half = (chars * TICK_CHAR_W) / 2 + 2;
  return x + half > a && x - half < b;
}

/** Hides the tick labels the playhead's knob and label cover (the label gives the time there). */
function hideCoveredTicks(g: SVGGElement, span: [number, number] | null): void {
  for (const tick of g.querySelectorAll<SVGGElement>(':scope > g.tick')) {
    const text = tick.lastChild as SVGTextElement | null;
    if (text === null) continue;
    const covered = span !== null && tickLabelCovered(Number(tick.getAttribute('data-x')), text.textContent?.length ?? 0, span);
    const want = covered ? 'hidden' : 'visible';
    if (text.getAttribute('visibility') !== want) text.setAttribute('visibility', want);
  }
}

/** Moves the playhead's line, knob and label to t on the scale; writes only what changed. */
export function positionPlayhead(parts: PlayheadParts, s: ScaleLinear<number, number>, t: number): void {
  const [from, to] = s.domain() as [number, number];
  const visible = t >= from && t <= to;
  const px = s(t);
  const set = (el: Element, name: string, value: string) => {
    if (el.getAttribute(name) !== value) el.setAttribute(name, value);
  };
  if (parts.line !== null) {
    parts.line.style.transform = `translateX(${px}px)`;
    parts.line.style.visibility = visible ? 'visible' : 'hidden';
    // How much of the window lies after the playhead: the dimmed future (topology.css).
    parts.line.style.setProperty('--future', `${Math.max(0, s.range()[1]! - px)}px`);
  }
  if (parts.knob !== null) {
    parts.knob.setAttribute('transform', `translate(${px},0)`);
    parts.knob.style.visibility = visible ? 'visible' : 'hidden';
  }
  if (parts.label !== null) {
    const text = ms3(t);
    if (parts.label.textContent !== text) parts.label.textContent = text;
    // Keep the label inside the axis near the right edge.
    const right = px + 70 > s.range()[1]! + RIGHT_PAD;
    set(parts.label, 'text-anchor', right ? 'end' : 'start');
    set(parts.label, 'x', right ? `-${LABEL_GAP}` : String(LABEL_GAP));
    if (parts.ticks != null) hideCoveredTicks(parts.ticks, visible ? playheadLabelSpan(px, text.length, right) : null);
  }
  if (parts.axis !== null) {
    set(parts.axis, 'aria-valuenow', String(Math.round(t)));
    set(parts.axis, 'aria-valuetext', ms3(t));
  }
}
