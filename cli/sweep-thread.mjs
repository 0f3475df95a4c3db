// The entry of npm run sweep's threads: tsx's loader first, then the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./sweep-worker.ts');
