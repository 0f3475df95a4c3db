import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * hdr-histogram-js's UMD build calls eval (its wasm loader, which the project never uses): a
 * known warning of that library, not of ours. Everything else is reported.
 */
const quietKnownWarnings = {
  onwarn(warning: { code?: string; id?: string; message: string }, report: (w: { code?: string; id?: string; message: string }) => void) {
    if (warning.code === 'EVAL' && (warning.id ?? warning.message).includes('hdr-histogram-js')) return;
    report(warning);
  },
};

/**
 * Cross-origin isolation: the page may share memory with its workers (SharedArrayBuffer), which
 * is how it stops a world's run without terminating the worker and its warm JIT
 * (web/src/sim-client.ts). The app loads nothing from another origin. Served without these
 * headers (a static host) it still works: a stopped run's worker is then replaced.
 */
const isolated = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

// The app lives in web/; sim/ is imported from it and runs in Web Workers.
export default defineConfig({
  root: 'web',
  plugins: [react()],
  build: {
    outDir: '../dist',
    emptyOutDir: true,
    // The page is one chunk on purpose (React, zod, d3 modules, the tour's client sources: ~190 KiB
    // gzipped, see bench:web); the default 500 kB warning would fire on every build.
    chunkSizeWarningLimit: 700,
    rolldownOptions: quietKnownWarnings,
  },
  server: { port: 5173, headers: isolated },
  preview: { port: 4173, strictPort: true, headers: isolated },
});
