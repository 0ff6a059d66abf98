#!/usr/bin/env node
// The `broadside` command. The TypeScript sources are compiled to dist/ by `npm run build`
// (run automatically by `npm install`); this file only points at the result.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/src/cli.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('broadside: dist/ is missing — run `npm run build` (or `npm install`) first.');
  process.exit(1);
}
await import(entry.href);
