/**
 * The browser assets built by Vite (stylesheet, client islands), found through Vite's manifest
 * and served with long-lived caching because their names carry a content hash.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { HttpServer } from '../platform/http/server.js';
import { projectRoot } from '../platform/paths.js';

export interface AssetLinks {
  styles: string[];
  scripts: string[];
}

export interface ManifestEntry {
  file: string;
  css?: string[];
}

const ENTRY = 'src/web/client/main.ts';

export function publicDir(): string {
  return path.join(projectRoot(), 'dist', 'public');
}

/** Vite's manifest, by source entry; undefined when the client has not been built. */
export function readManifest(dir = publicDir()): Record<string, ManifestEntry> | undefined {
  const file = path.join(dir, 'manifest.json');
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, ManifestEntry>;
}

/** Reads the manifest; undefined when the client has not been built (`npm run build`). */
export function loadAssetLinks(dir = publicDir()): AssetLinks | undefined {
  const manifest = readManifest(dir);
  if (!manifest) return undefined;
  const entry = manifest[ENTRY];
  if (!entry) return undefined;
  return { styles: (entry.css ?? []).map((css) => `/${css}`), scripts: [`/${entry.file}`] };
}

export async function registerAssets(app: HttpServer, dir = publicDir()): Promise<void> {
  if (!existsSync(path.join(dir, 'assets'))) return;
  await app.register(fastifyStatic, {
    root: path.join(dir, 'assets'),
    prefix: '/assets/',
    immutable: true,
    maxAge: '365d',
    index: false,
    schemaHide: true,
  });
}
