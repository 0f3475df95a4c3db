/** The timeline's legend: every state's swatch (pattern, glyph, arrow) and its name. */
import { memo } from 'react';
import { CONN_STATES, ERROR_SWATCHES, FAULT, INK, PATTERN_TILE, REQUEST_STATES, WIRE, glyphIsStroked, glyphPath, patternTile, type Swatch } from '../../palette.js';

function SwatchPattern({ s, id }: { s: Swatch; id: string }) {
  const tile = patternTile(s.pattern);
  if (tile === null) return null;
  return (
    <pattern id={id} patternUnits="userSpaceOnUse" width={PATTERN_TILE} height={PATTERN_TILE}>
      <rect width={PATTERN_TILE} height={PATTERN_TILE} fill={s.fill} />
      <path d={tile.d} fill={tile.mode === 'fill' ? s.ink : 'none'} stroke={tile.mode === 'stroke' ? s.ink : 'none'} strokeWidth={1.1} />
    </pattern>
  );
}

function BarSwatch({ s, pid }: { s: Swatch; pid: (k: string) => string }) {
  const fill = patternTile(s.pattern) === null ? s.fill : `url(#${pid(s.key)})`;
  return (
    <svg width={22} height={12} aria-hidden="true" className="tl-swatch">
      <rect x={0.5} y={0.5} width={21} height={11} fill={fill} stroke="#55555c" />
      {s.key === 'up' && <rect x={0.5} y={9} width={21} height={2.5} fill={s.ink} />}
    </svg>
  );
}

function GlyphSwatch({ s }: { s: Swatch }) {
  const g = s.glyph ?? 'x';
  const stroked = glyphIsStroked(g);
  return (
    <svg width={12} height={12} aria-hidden="true" className="tl-swatch">
      <path
        d={glyphPath(g, 4)}
        transform="translate(6,6)"
        fill={stroked ? 'none' : s.fill}
        stroke={stroked ? s.fill : s.fill === '#000000' ? '#ffffff' : '#000000'}
        strokeWidth={stroked ? 1.8 : 1}
      />
    </svg>
  );
}

function ArrowSwatch({ color, up }: { color: string; up: boolean }) {
  return (
    <svg width={22} height={12} aria-hidden="true" className="tl-swatch">
      <path d={up ? 'M3,10 L19,2 M14,2 L19,2 L16,6' : 'M3,2 L19,10 M14,10 L19,10 L16,6'} stroke={color} strokeWidth={1.5} fill="none" />
    </svg>
  );
}

const LEGEND_PATTERNED: readonly Swatch[] = [...Object.values(CONN_STATES), ...Object.values(REQUEST_STATES), ...ERROR_SWATCHES];

/** Memoised: it never changes with the window, nor with hover and focus. */
export const Legend = memo(function Legend({ pid }: { pid: (k: string) => string }) {
  return (
    // Its own paint layer (see App's OWN_PAINT_LAYER): repainting the axis every frame of a pan
    // then reuses the legend's painting whole.
    <div className="tl-legend" data-testid="timeline-legend" role="group" aria-label="Timeline legend" style={{ position: 'relative', zIndex: 0 }}>
      <svg width={0} height={0} className="tl-defs" aria-hidden="true">
        <defs>
          {LEGEND_PATTERNED.map((s) => (
            <SwatchPattern key={s.key} s={s} id={pid(s.key)} />
          ))}
        </defs>
      </svg>
      <ul aria-label="Connections">
        <li className="tl-legend-head">Connections</li>
        {Object.values(CONN_STATES)
          .filter((s) => s.key !== 'closing')
          .map((s) => (
            <li key={s.key}>
              <BarSwatch s={s} pid={pid} />
              {s.label}
            </li>
          ))}
        <li>
          <ArrowSwatch color={WIRE.command.ink} up={false} />
          {WIRE.command.label}
        </li>
        <li>
          <ArrowSwatch color={WIRE.reply.ink} up />
          {WIRE.reply.label}
        </li>
        <li>
          <BarSwatch s={WIRE.density} pid={pid} />
          {WIRE.density.label} (zoomed out)
        </li>
      </ul>
      <ul aria-label="Requests">
        <li className="tl-legend-head">Requests</li>
        {Object.values(REQUEST_STATES).map((s) => (
          <li key={s.key}>
            <BarSwatch s={s} pid={pid} />
            {s.label}
          </li>
        ))}
      </ul>
      <ul aria-label="Errors">
        <li className="tl-legend-head">Failed</li>
        {ERROR_SWATCHES.map((s) => (
          <li key={s.key} data-error-kind={s.key.slice('error:'.length)}>
            <BarSwatch s={s} pid={pid} />
            <GlyphSwatch s={s} />
            {s.label}
          </li>
        ))}
      </ul>
      <ul aria-label="Faults and playhead">
        <li className="tl-legend-head">Faults</li>
        <li>
          <svg width={22} height={12} aria-hidden="true" className="tl-swatch">
            <rect x={0.5} y={0.5} width={21} height={11} fill={`url(#${pid('fault')})`} stroke={FAULT.edge} />
          </svg>
          fault (a marker line if instant)
        </li>
        <li>
          <svg width={22} height={12} aria-hidden="true" className="tl-swatch">
            <line x1={11} x2={11} y1={0} y2={12} stroke={INK.text} strokeWidth={2} />
          </svg>
          playhead
        </li>
      </ul>
    </div>
  );
});
