import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The build is embedded in the Go binary (web/embed.go) and served at / and
// /assets/…; `npm run dev` proxies the API to a local `make run`.
const api = 'http://localhost:8080';

export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 1500 },
  server: { proxy: { '/api': api, '/v1': api, '/v2': api, '/log': api } },
});
