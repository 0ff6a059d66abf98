import { defineConfig } from 'vite';
import type { Plugin } from 'vite';

/**
 * Other sites load the embed script with a classic `<script async>`, not as a module: its chunk
 * must stand alone (no imports, no exports) and must declare nothing in their page's global scope,
 * so it is wrapped in a function once minified. The build fails if the entry ever stops standing
 * alone (say, because it shares a helper with another entry).
 */
function classicScript(entryName: string): Plugin {
  return {
    name: 'broadside:classic-script',
    apply: 'build',
    generateBundle(_options, bundle) {
      for (const chunk of Object.values(bundle)) {
        if (chunk.type !== 'chunk' || !chunk.isEntry || chunk.name !== entryName) continue;
        if (chunk.imports.length > 0 || chunk.dynamicImports.length > 0 || chunk.exports.length > 0)
          this.error(
            `the ${entryName} entry must import and export nothing: it is a classic script`,
          );
        chunk.code = `(function(){${chunk.code.trim()}\n})();\n`;
      }
    },
  };
}

// Builds the browser side: the stylesheet and the small client islands, fingerprinted, with a
// manifest that the server reads to link them. Nothing here is loaded from a third party.
// `embed` is the script other sites include (served at /embed.js); `embed-frame` runs in the
// embed's frame.
export default defineConfig({
  publicDir: false,
  plugins: [classicScript('embed')],
  build: {
    outDir: 'dist/public',
    assetsDir: 'assets',
    emptyOutDir: true,
    manifest: 'manifest.json',
    target: 'es2020',
    rollupOptions: {
      input: {
        main: 'src/web/client/main.ts',
        embed: 'src/web/client/embed.ts',
        'embed-frame': 'src/web/client/embed-frame.ts',
      },
    },
  },
});
