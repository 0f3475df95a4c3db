/** Small figures shared by the CLI and calibration. */

/** The median of `xs` (the mean of the middle two for an even count; 0 for none). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  const a = [...xs].sort((x, y) => x - y);
  const m = Math.floor(a.length / 2);
  return a.length % 2 === 1 ? a[m]! : (a[m - 1]! + a[m]!) / 2;
}
