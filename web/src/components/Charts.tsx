/**
 * The lab's two charts over the timeline's visible window (charts/): each request's latency at the
 * time it ended, and completions per bucket, one series per world, with the look every world keeps
 * across the page. Each chart is one image to assistive technology, with a summary as its name
 * and a visually hidden table of the figures.
 */
export { LatencyScatter, CANVAS_THRESHOLD } from './charts/LatencyScatter.js';
export { ThroughputChart } from './charts/Throughput.js';
export { ERROR_COLOR, PALETTE, worldStyles, type WorldStyle } from './charts/style.js';
export { fmtDuration, fmtInt } from './charts/format.js';
