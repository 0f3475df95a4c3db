import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The app lives in web/; sim/ is imported from it (and later run in a Web Worker).
export default defineConfig({
  root: 'web',
  plugins: [react()],
  build: { outDir: '../dist', emptyOutDir: true },
  server: { port: 5173 },
  preview: { port: 4173, strictPort: true },
});
