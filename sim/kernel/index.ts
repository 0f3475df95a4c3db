export { EventHeap, type HeapEntry } from './heap.js';
export { Kernel, ScheduledEvent, StuckError, formatInstant, type KernelOptions } from './kernel.js';
export { Rng } from './rng.js';
export { ms, seconds, assertMicros, US_PER_MS, US_PER_S, type Micros } from './time.js';
export { Trace, type TraceEvents, type TraceKind, type TraceRecord, type TraceFields, type TraceValue } from './trace.js';
