// The entry of the thread that reads a shipped trace (trace-runner.ts): tsx's loader first, then
// the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./trace-worker.ts');
