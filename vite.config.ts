import { defineConfig } from 'vite';

// Builds the browser side: the stylesheet and the small client islands, fingerprinted, with a
// manifest that the server reads to link them. Nothing here is loaded from a third party.
export default defineConfig({
  publicDir: false,
  build: {
    outDir: 'dist/public',
    assetsDir: 'assets',
    emptyOutDir: true,
    manifest: 'manifest.json',
    target: 'es2020',
    rollupOptions: { input: { main: 'src/web/client/main.ts' } },
  },
});
