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
  server: { port: 5173 },
  preview: { port: 4173, strictPort: true },
});
