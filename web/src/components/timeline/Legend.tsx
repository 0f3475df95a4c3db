/** The timeline's legend: each state's swatch (pattern, glyph, arrow) and its name. */
import { Children, cloneElement, isValidElement, memo, useMemo, useState, useSyncExternalStore, type ReactElement, type ReactNode } from 'react';
import type { FaultView } from '../../../../sim/views/types.js';
import { CONN_STATES, ERROR_SWATCHES, FAULT, INK, OKABE_ITO, PATTERN_TILE, REQUEST_STATES, STRIPS, WIRE, glyphIsStroked, glyphPath, patternTile, type Swatch } from '../../palette.js';
import { RESEND_COLORS } from './layers/resends.js';
import { presentKeys } from './legend-presence.js';
import type { ShownWindow } from './shown-window.js';
import type { WorldData } from './types.js';

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
      <rect x={0.5} y={0.5} width={21} height={11} fill={fill} stroke={s.edge ?? '#55555c'} />
      {s.key === 'up' && <rect x={0.5} y={9} width={21} height={2.5} fill={s.ink} />}
    </svg>
  );
}

function GlyphSwatch({ s }: { s: Swatch }) {
  const g = s.glyph ?? 'x';
  const stroked = glyphIsStroked(g);
  return (
    <svg width={12} height={12} aria-hidden="true" className="tl-swatch">
      {stroked && s.edge !== undefined && <path d={glyphPath(g, 4)} transform="translate(6,6)" fill="none" stroke={s.edge} strokeWidth={3} />}
      <path
        d={glyphPath(g, 4)}
        transform="translate(6,6)"
        fill={stroked ? 'none' : s.fill}
        stroke={stroked ? s.fill : s.fill === '#000000' ? '#ffffff' : '#000000'}
        strokeWidth={stroked ? (s.edge === undefined ? 1.8 : 1.4) : 1}
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

/**
 * A group of entries, its name leading the first one in the same box: a line never breaks
 * between a group's name and its first entry.
 */
function Group({ label, head, children }: { label: string; head: string; children: ReactNode }) {
  const items = Children.toArray(children).filter(isValidElement) as ReactElement<{ children?: ReactNode }>[];
  return (
    <ul aria-label={label}>
      {items.map((li, i) =>
        i === 0 ? (
          cloneElement(
            li,
            undefined,
            <span className="tl-legend-head">{head}</span>,
            li.props.children,
          )
        ) : (
          li
        ),
      )}
    </ul>
  );
}

const LEGEND_PATTERNED: readonly Swatch[] = [...Object.values(CONN_STATES), ...Object.values(REQUEST_STATES), ...ERROR_SWATCHES];

/** The keys present in the shown window, as one string: a legend re-renders only when it changes. */
function usePresent(shown: ShownWindow, worlds: readonly WorldData[], faults: readonly FaultView[]): Set<string> {
  const key = useSyncExternalStore(shown.subscribe, () => [...presentKeys(worlds, faults, shown.get())].sort().join(' '));
  return useMemo(() => new Set(key === '' ? [] : key.split(' ')), [key]);
}

interface LegendProps {
  pid: (k: string) => string;
  shown: ShownWindow;
  worlds: readonly WorldData[];
  faults: readonly FaultView[];
}

/**
 * Only what the visible window shows (a pan or zoom that brings in a new state adds it), with a
 * button to list every state. Re-renders only when that set changes, never per frame otherwise.
 */
export const Legend = memo(function Legend({ pid, shown, worlds, faults }: LegendProps) {
  const [all, setAll] = useState(false);
  const present = usePresent(shown, worlds, faults);
  const has = (k: string) => all || present.has(k);
  const conns = Object.values(CONN_STATES).filter((s) => s.key !== 'closing' && has(s.key));
  const reqs = Object.values(REQUEST_STATES).filter((s) => has(s.key));
  const lateDrop = has('late-drop');
  const resend = has('resend');
  const errors = ERROR_SWATCHES.filter((s) => has(s.key));
  const hidden = all ? 0 : LEGEND_KEYS.filter((k) => !present.has(k)).length;
  return (
    // Its own paint layer (see App's OWN_PAINT_LAYER): repainting the axis every frame of a pan
    // then reuses the legend's painting whole.
    <div className="tl-legend" data-testid="timeline-legend" data-all={all ? 'true' : 'false'} role="group" aria-label="Timeline legend" style={{ position: 'relative', zIndex: 0 }}>
      <svg width={0} height={0} className="tl-defs" aria-hidden="true">
        <defs>
          {LEGEND_PATTERNED.map((s) => (
            <SwatchPattern key={s.key} s={s} id={pid(s.key)} />
          ))}
        </defs>
      </svg>
      {(conns.length > 0 || has('command') || has('density')) && (
        <Group label="Connections" head="Connections">
          {conns.map((s) => (
            <li key={s.key} data-legend={s.key}>
              <BarSwatch s={s} pid={pid} />
              {s.label}
            </li>
          ))}
          {has('command') && (
            <li data-legend="command">
              <ArrowSwatch color={WIRE.command.ink} up={false} />
              {WIRE.command.label}
            </li>
          )}
          {has('reply') && (
            <li data-legend="reply">
              <ArrowSwatch color={WIRE.reply.ink} up />
              {WIRE.reply.label}
            </li>
          )}
          {has('density') && (
            <li data-legend="density">
              <BarSwatch s={WIRE.density} pid={pid} />
              {WIRE.density.label} (zoomed out)
            </li>
          )}
        </Group>
      )}
      {(has('busy') || has('connects') || has('latency')) && (
        <Group label="Strips" head="Strips">
          {[STRIPS.busy, STRIPS.connects]
            .filter((s) => has(s.key))
            .map((s) => (
              <li key={s.key} data-legend={s.key}>
                <svg width={22} height={12} aria-hidden="true" className="tl-swatch">
                  <path d="M1,11 V7 H5 V3 H9 V9 H13 V1 H17 V6 H21 V11 Z" fill={s.fill} />
                </svg>
                {s.label}
              </li>
            ))}
          {has('latency') && (
            <li data-legend="latency">
              <svg width={22} height={12} aria-hidden="true" className="tl-swatch">
                <rect x={2} y={8} width={2} height={2} fill={REQUEST_STATES.ok.fill} />
                <rect x={7} y={6} width={2} height={2} fill={REQUEST_STATES.ok.fill} />
                <rect x={12} y={2} width={3} height={3} fill={OKABE_ITO.vermillion} />
                <rect x={17} y={7} width={2} height={2} fill={REQUEST_STATES.ok.fill} />
              </svg>
              each call’s latency at its end (failed: in their colour)
            </li>
          )}
        </Group>
      )}
      {(reqs.length > 0 || lateDrop || resend) && (
        <Group label="Requests" head="Requests">
          {reqs.map((s) => (
            <li key={s.key} data-legend={s.key}>
              <BarSwatch s={s} pid={pid} />
              {s.label}
            </li>
          ))}
          {lateDrop && (
            <li data-legend="late-drop">
              <svg width={12} height={12} aria-hidden="true" className="tl-swatch">
                <circle cx={6} cy={6} r={4.5} fill="none" stroke={INK.text} strokeWidth={1.6} />
                <line x1={3} y1={9} x2={9} y2={3} stroke={INK.text} strokeWidth={1.6} />
              </svg>
              late reply dropped (inactive alias)
            </li>
          )}
          {resend && (
            <li data-legend="resend">
              <svg width={40} height={12} aria-hidden="true" className="tl-swatch">
                <path d="M2,2 L10,6 L2,10 Z" fill={RESEND_COLORS.sent} />
                <path d="M15,2 L23,10 M15,10 L23,2" stroke={RESEND_COLORS.lost} strokeWidth={2} />
                <path d="M36.5,3 A4.5,4.5 0 1 0 37,8.5 M34,1.5 L36.5,3 L35.5,6" stroke={RESEND_COLORS.resent} strokeWidth={1.6} fill="none" />
              </svg>
              sent, lost with the connection, sent again (at least once)
            </li>
          )}
        </Group>
      )}
      {errors.length > 0 && (
        <Group label="Errors" head="Failed">
          {errors.map((s) => (
            <li key={s.key} data-legend={s.key} data-error-kind={s.key.slice('error:'.length)}>
              <BarSwatch s={s} pid={pid} />
              <GlyphSwatch s={s} />
              {s.label}
            </li>
          ))}
        </Group>
      )}
      <ul aria-label="Faults and playhead">
        {has('fault') && (
          <li data-legend="fault">
            <svg width={22} height={12} aria-hidden="true" className="tl-swatch">
              <rect x={0.5} y={0.5} width={21} height={11} fill={`url(#${pid('fault')})`} stroke={FAULT.edge} />
            </svg>
            fault (a marker line if instant)
          </li>
        )}
        <li>
          <svg width={22} height={12} aria-hidden="true" className="tl-swatch">
            <line x1={11} x2={11} y1={0} y2={12} stroke={INK.text} strokeWidth={2} />
          </svg>
          playhead
        </li>
        <li>
          <button type="button" className="tl-legend-all" data-testid="legend-show-all" aria-pressed={all} onClick={() => setAll((v) => !v)}>
            {all ? 'Only what is in view' : `Show all${hidden > 0 ? ` (${hidden} more)` : ''}`}
          </button>
        </li>
      </ul>
    </div>
  );
});

/** Every entry the legend can list (for the "n more" count). */
const LEGEND_KEYS: readonly string[] = [...Object.values(CONN_STATES).filter((s) => s.key !== 'closing').map((s) => s.key), 'command', 'reply', 'density', ...Object.values(REQUEST_STATES).map((s) => s.key), 'late-drop', 'resend', 'busy', 'connects', 'latency', ...ERROR_SWATCHES.map((s) => s.key), 'fault'];
