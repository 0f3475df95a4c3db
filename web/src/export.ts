/**
 * Getting things out of the lab: the run as JSON (report, raw trace, Perfetto), and the drawn
 * views as standalone SVG or PNG files.
 *
 * The JSON helpers are pure (strings from a ScenarioResult) and safe to import in a Web Worker or
 * Node; the download and image helpers touch the DOM only when called.
 */
import { jsonReport, perfettoExport, traceExport } from '../../sim/scenario/export.js';
import type { ScenarioResult } from '../../sim/scenario/run.js';

// ---- Pure: what the files contain ----

/** The report the CLI prints with --json, indented. */
export function reportJson(result: ScenarioResult): string {
  return `${JSON.stringify(jsonReport(result), null, 2)}\n`;
}

/**
 * Every event of every world: `{"worlds":[{"label":…,"events":[…]}]}` with `t` in µs, in time
 * order. One event per line, so a large trace can be read, grepped and diffed line by line; the
 * whole file is still one JSON document.
 */
export function traceJson(result: ScenarioResult): string {
  const doc = traceExport(result);
  const worlds = doc.worlds.map((w) => {
    const events = w.events.map((e) => JSON.stringify(e)).join(',\n');
    return `{"label":${JSON.stringify(w.label)},"events":[${events.length > 0 ? `\n${events}\n` : ''}]}`;
  });
  return `{"worlds":[\n${worlds.join(',\n')}\n]}\n`;
}

/** The Chrome trace event format ui.perfetto.dev opens. */
export function perfettoJson(result: ScenarioResult): string {
  return `${JSON.stringify(perfettoExport(result))}\n`;
}

export type ExportKind = 'report' | 'trace' | 'perfetto' | 'svg' | 'png';

/** A file name safe on every OS: letters, digits, "-", "_" and "." only, never empty. */
export function safeFilename(name: string): string {
  const s = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 80);
  return s === '' ? 'duplex' : s;
}

/** `l4-multiplex-report.json`, `l4-multiplex-perfetto.json`, `l4-multiplex-view.svg`… */
export function exportFilename(scenarioName: string, kind: ExportKind): string {
  const base = safeFilename(scenarioName);
  switch (kind) {
    case 'report':
      return `${base}-report.json`;
    case 'trace':
      return `${base}-trace.json`;
    case 'perfetto':
      return `${base}-perfetto.json`;
    case 'svg':
      return `${base}-view.svg`;
    case 'png':
      return `${base}-view.png`;
  }
}

// ---- Downloads ----

/** Saves a Blob as a file (a temporary link, clicked). */
export function downloadBlob(filename: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Revoking at once can cancel the download in some browsers.
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

export function downloadText(filename: string, text: string, mime = 'text/plain'): void {
  const type = mime.includes('charset') ? mime : `${mime};charset=utf-8`;
  downloadBlob(filename, new Blob([text], { type }));
}

// ---- SVG ----

const SVG_NS = 'http://www.w3.org/2000/svg';
const XLINK_NS = 'http://www.w3.org/1999/xlink';

/** Presentation properties a standalone SVG needs once it has no stylesheet; all inherited. */
const INHERITED = [
  'fill',
  'fill-opacity',
  'fill-rule',
  'stroke',
  'stroke-width',
  'stroke-opacity',
  'stroke-dasharray',
  'stroke-dashoffset',
  'stroke-linecap',
  'stroke-linejoin',
  'visibility',
  'color',
  'font-family',
  'font-size',
  'font-weight',
  'font-style',
  'letter-spacing',
  'text-anchor',
  'paint-order',
  'shape-rendering',
] as const;
/** Not inherited: written only when not at their initial value. */
const OWN: Record<string, string> = { opacity: '1', 'dominant-baseline': 'auto', 'vector-effect': 'none' };

/**
 * Writes each element's computed presentation styles into its style attribute. An inherited
 * property is written only where it differs from the parent's, so a chart of thousands of dots
 * stays small.
 */
function inlineStyles(src: Element[], dst: Element[]): void {
  const computed = new Map<Element, CSSStyleDeclaration>();
  const style = (el: Element) => {
    let cs = computed.get(el);
    if (cs === undefined) computed.set(el, (cs = getComputedStyle(el)));
    return cs;
  };
  src.forEach((el, i) => {
    const d = dst[i];
    if (d === undefined) return;
    const cs = style(el);
    const parent = i === 0 ? null : el.parentElement;
    const ps = parent === null ? null : style(parent);
    const decls: string[] = [];
    for (const p of INHERITED) {
      const v = cs.getPropertyValue(p);
      if (v !== '' && (ps === null || ps.getPropertyValue(p) !== v)) decls.push(`${p}:${v}`);
    }
    for (const [p, initial] of Object.entries(OWN)) {
      const v = cs.getPropertyValue(p);
      if (v !== '' && v !== initial) decls.push(`${p}:${v}`);
    }
    if (cs.getPropertyValue('display') === 'none') decls.push('display:none');
    if (decls.length > 0) d.setAttribute('style', decls.join(';'));
    else d.removeAttribute('style');
  });
}

/**
 * A standalone SVG document of an element on the page: every element's computed presentation
 * styles are inlined (so it looks the same without the page's CSS), namespaces and size set.
 */
export function svgToString(svg: SVGSVGElement): string {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  const src = [svg as Element, ...svg.querySelectorAll('*')];
  const dst = [clone as Element, ...clone.querySelectorAll('*')];
  inlineStyles(src, dst);
  // Visually hidden text and focus helpers are for the page, not the file.
  for (const el of clone.querySelectorAll('.visually-hidden, [data-export="skip"]')) el.remove();
  const box = svg.getBoundingClientRect();
  const width = svg.getAttribute('width') ?? String(Math.round(box.width));
  const height = svg.getAttribute('height') ?? String(Math.round(box.height));
  clone.setAttribute('xmlns', SVG_NS);
  clone.setAttribute('xmlns:xlink', XLINK_NS);
  clone.setAttribute('width', width);
  clone.setAttribute('height', height);
  if (!clone.hasAttribute('viewBox')) clone.setAttribute('viewBox', `0 0 ${width} ${height}`);
  clone.removeAttribute('role');
  clone.removeAttribute('aria-hidden');
  clone.removeAttribute('focusable');
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(clone)}`;
}

/** SVGs and canvases drawn in a container, outermost only, in document (painting) order. */
function drawnParts(container: HTMLElement): Array<SVGSVGElement | HTMLCanvasElement> {
  const out: Array<SVGSVGElement | HTMLCanvasElement> = [];
  for (const el of container.querySelectorAll('svg, canvas')) {
    if (el instanceof SVGSVGElement && el.parentElement?.closest('svg') != null) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (el instanceof SVGSVGElement || el instanceof HTMLCanvasElement) out.push(el);
  }
  return out;
}

interface PlacedText {
  text: string;
  x: number;
  /** The baseline. */
  y: number;
  font: string;
  size: string;
  family: string;
  weight: string;
  color: string;
}

/**
 * The page's own text in a container (world names, legends, fault labels: HTML, not drawn), each
 * run of text where it is on the page, so an exported image is labelled as the page is.
 */
function placedTexts(container: HTMLElement): PlacedText[] {
  const box = container.getBoundingClientRect();
  const out: PlacedText[] = [];
  const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let n = walker.nextNode(); n !== null; n = walker.nextNode()) {
    const text = (n.textContent ?? '').replace(/\s+/g, ' ').trim();
    const el = n.parentElement;
    if (text === '' || el === null || el.closest('svg, .visually-hidden, [data-export="skip"], [aria-hidden="true"] button') !== null) continue;
    const cs = getComputedStyle(el);
    if (cs.visibility === 'hidden' || cs.display === 'none' || Number(cs.opacity) === 0) continue;
    range.selectNodeContents(n);
    const r = range.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    const size = parseFloat(cs.fontSize) || 12;
    out.push({
      text,
      x: r.left - box.left,
      // The baseline sits about a fifth of the font size above the line box's bottom.
      y: r.bottom - box.top - (r.height - size) / 2 - size * 0.2,
      font: `${cs.fontStyle} ${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`,
      size: cs.fontSize,
      family: cs.fontFamily,
      weight: cs.fontWeight,
      color: cs.color,
    });
  }
  return out;
}

const escapeText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function backgroundOf(el: HTMLElement): string {
  for (let e: HTMLElement | null = el; e !== null; e = e.parentElement) {
    const bg = getComputedStyle(e).backgroundColor;
    if (bg !== '' && bg !== 'transparent' && !/rgba\(.*,\s*0\)$/.test(bg)) return bg;
  }
  return '#ffffff';
}

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/**
 * The drawing in a container as one SVG document. A single SVG is exported as it is; several
 * SVGs and canvases (canvas layers under SVG axes) are placed where they are on the page, canvases
 * as embedded PNG images.
 */
export function containerToSvg(container: HTMLElement): string {
  const parts = drawnParts(container);
  if (parts.length === 0) throw new Error('There is nothing drawn to export yet.');
  const only = parts[0];
  if (parts.length === 1 && only instanceof SVGSVGElement && placedTexts(container).length === 0) return svgToString(only);
  const box = container.getBoundingClientRect();
  const w = Math.ceil(box.width);
  const h = Math.ceil(box.height);
  const body = parts.map((el) => {
    const r = el.getBoundingClientRect();
    const x = Math.round(r.left - box.left);
    const y = Math.round(r.top - box.top);
    if (el instanceof HTMLCanvasElement) {
      return `<image x="${x}" y="${y}" width="${Math.round(r.width)}" height="${Math.round(r.height)}" preserveAspectRatio="none" href="${escapeAttr(el.toDataURL('image/png'))}"/>`;
    }
    const inner = svgToString(el)
      .replace(/^<\?xml[^>]*>\s*/, '')
      .replace(/^<svg/, `<svg x="${x}" y="${y}"`);
    return inner;
  });
  const texts = placedTexts(container).map(
    (t) =>
      `<text x="${t.x.toFixed(1)}" y="${t.y.toFixed(1)}" font-size="${escapeAttr(t.size)}" font-family="${escapeAttr(t.family)}" font-weight="${escapeAttr(t.weight)}" fill="${escapeAttr(t.color)}">${escapeText(t.text)}</text>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="${SVG_NS}" xmlns:xlink="${XLINK_NS}" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}"><rect width="100%" height="100%" fill="${escapeAttr(backgroundOf(container))}"/>${body.join('')}${texts.join('')}</svg>\n`;
}

/** Downloads what a container draws as an SVG file. */
export function exportSvg(container: HTMLElement, filename: string): void {
  downloadText(filename, containerToSvg(container), 'image/svg+xml');
}

function loadImage(src: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error('An SVG of the view could not be rendered to an image.'));
    img.src = src;
  });
}

/**
 * Renders what a container draws into one PNG: its canvases copied, its SVGs rasterised, each at
 * its place on the page, in painting order, on the container's background; `scale` for sharpness.
 */
export async function exportPng(container: HTMLElement, filename: string, scale = 2): Promise<void> {
  const parts = drawnParts(container);
  if (parts.length === 0) throw new Error('There is nothing drawn to export yet.');
  const box = container.getBoundingClientRect();
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.ceil(box.width * scale));
  canvas.height = Math.max(1, Math.ceil(box.height * scale));
  const ctx = canvas.getContext('2d');
  if (ctx === null) throw new Error('This browser cannot draw on a canvas.');
  ctx.scale(scale, scale);
  ctx.fillStyle = backgroundOf(container);
  ctx.fillRect(0, 0, box.width, box.height);
  for (const el of parts) {
    const r = el.getBoundingClientRect();
    const x = r.left - box.left;
    const y = r.top - box.top;
    if (el instanceof HTMLCanvasElement) {
      ctx.drawImage(el, x, y, r.width, r.height);
    } else {
      const url = URL.createObjectURL(new Blob([svgToString(el)], { type: 'image/svg+xml;charset=utf-8' }));
      try {
        const img = await loadImage(url);
        ctx.drawImage(img, x, y, r.width, r.height);
      } finally {
        URL.revokeObjectURL(url);
      }
    }
  }
  for (const t of placedTexts(container)) {
    ctx.font = t.font;
    ctx.fillStyle = t.color;
    ctx.fillText(t.text, t.x, t.y);
  }
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
  if (blob === null) throw new Error('The PNG could not be encoded.');
  downloadBlob(filename, blob);
}
