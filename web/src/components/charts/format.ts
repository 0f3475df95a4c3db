/** How the charts (and the tables beside them) write numbers, durations and windows. */

const formats = new Map<string, Intl.NumberFormat>();

/**
 * The Intl.NumberFormat of a locale and fraction digits, made once: making one costs far more
 * than formatting with it (x.toLocaleString(locale, options) makes one per call), and the page
 * formats hundreds of figures for each run and tick labels for each frame.
 */
export function numberFormat(locale: 'en-US' | 'en-GB', digits: { min?: number; max?: number } = {}): Intl.NumberFormat {
  const key = `${locale}:${digits.min ?? ''}:${digits.max ?? ''}`;
  let f = formats.get(key);
  if (f === undefined) {
    const options: Intl.NumberFormatOptions = {};
    if (digits.min !== undefined) options.minimumFractionDigits = digits.min;
    if (digits.max !== undefined) options.maximumFractionDigits = digits.max;
    formats.set(key, (f = new Intl.NumberFormat(locale, options)));
  }
  return f;
}

export const fmtInt = (n: number) => numberFormat('en-US', { max: 0 }).format(n);

/** A duration given in ms, in the unit that reads best (µs, ms, s). */
export function fmtDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  const a = Math.abs(ms);
  if (a === 0) return '0 ms';
  if (a < 1) return `${trim(ms * 1000, a * 1000 >= 100 ? 0 : a * 1000 >= 10 ? 1 : 2)} µs`;
  if (a >= 1000) return `${trim(ms / 1000, a >= 100_000 ? 0 : a >= 10_000 ? 1 : 2)} s`;
  return `${trim(ms, a >= 100 ? 0 : a >= 10 ? 1 : 2)} ms`;
}

export function trim(x: number, digits: number): string {
  return numberFormat('en-US', { min: 0, max: digits }).format(x);
}

/** A time on the axis, µs → "250 ms" with as many decimals as the tick step needs. */
export function timeTickFormat(stepUs: number): (us: number) => string {
  const stepMs = stepUs / 1000;
  const decimals = stepMs >= 1 ? 0 : Math.min(3, Math.ceil(-Math.log10(stepMs) - 1e-9));
  const f = numberFormat('en-US', { min: decimals, max: decimals });
  return (us) => `${f.format(us / 1000)} ms`;
}

export const windowText = (w: { from: number; to: number }) => `${trim(w.from / 1000, 3)}–${trim(w.to / 1000, 3)} ms`;
