import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The build is embedded in the Go binary (web/embed.go) and served at / and
// /assets/…, so asset URLs are absolute under /assets/. `npm run dev` (and
// `vite preview`) serve the console and proxy the API to a local `make run`
// on :8080, or to SLUICE_API when set.
declare const process: { env: Record<string, string | undefined> };
const api = process.env.SLUICE_API || 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    // cytoscape alone is ~400 kB; it loads only with the lineage page.
    chunkSizeWarningLimit: 700,
  },
  server: { proxy: { '/api': api, '/v1': api, '/v2': api, '/log': api } },
});
