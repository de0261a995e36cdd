import { defineConfig } from 'vite';

/**
 * The dashboard: a Preact single-page app served by the gateway at /dashboard/ (src/dashboard/serve.ts).
 * JSX goes through Vite's own transformer with Preact's automatic runtime, so no Babel plugin is needed.
 * `npm run dev:dashboard` proxies the API to a gateway on :3000 while editing.
 */
export default defineConfig({
  root: import.meta.dirname,
  base: '/dashboard/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // One chunk per page would save little at this size, and a single bundle loads in one round trip.
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:3000', '/v1': 'http://127.0.0.1:3000', '/health': 'http://127.0.0.1:3000' },
  },
});
