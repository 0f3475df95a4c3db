/** How the charts (and the tables beside them) write numbers, durations and windows. */

const intFmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
export const fmtInt = (n: number) => intFmt.format(n);

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
  return new Intl.NumberFormat('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(x);
}

/** A time on the axis, µs → "250 ms" with as many decimals as the tick step needs. */
export function timeTickFormat(stepUs: number): (us: number) => string {
  const stepMs = stepUs / 1000;
  const decimals = stepMs >= 1 ? 0 : Math.min(3, Math.ceil(-Math.log10(stepMs) - 1e-9));
  return (us) => `${new Intl.NumberFormat('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals }).format(us / 1000)} ms`;
}

export const windowText = (w: { from: number; to: number }) => `${trim(w.from / 1000, 3)}–${trim(w.to / 1000, 3)} ms`;
