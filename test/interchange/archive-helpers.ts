/** Exporting and restoring archives in tests, to and from real files, the way the CLI does. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { migrations } from '../../migrations/index.js';
import type { Runtime } from '../../src/runtime.js';
import { closeRuntime, createRuntime } from '../../src/runtime.js';
import type { ExportArchiveInput } from '../../src/interchange/export-archive.js';
import { exportArchive } from '../../src/interchange/export-archive.js';
import type { ImportArchiveInput } from '../../src/interchange/import-archive.js';
import { importBroadsideArchive } from '../../src/interchange/import-archive.js';
import { readLines } from '../../src/interchange/lines.js';
import { fileSink } from '../../src/interchange/text-sink.js';
import { loadConfig } from '../../src/platform/config.js';
import { createLogger } from '../../src/platform/logger.js';
import type { Installation } from '../helpers/cli.js';
import type { RichSite } from './rich-site.js';
import { richJudge, seedRichSite } from './rich-site.js';

export const SCHEMAS = Object.keys(migrations);
export const LATEST_SCHEMA = SCHEMAS.at(-1) as string;

/** A directory removed when the test finishes. */
export function scratchDirectory(onTestFinished: (fn: () => void) => void): string {
  const directory = mkdtempSync(path.join(tmpdir(), 'broadside-archive-'));
  onTestFinished(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}

export async function exportToFile(
  runtime: Runtime,
  file: string,
  options: Partial<Omit<ExportArchiveInput, 'sink'>> = {},
): Promise<string> {
  const sink = fileSink(file);
  try {
    await exportArchive(runtime, {
      sink,
      withSecrets: false,
      migrations: SCHEMAS,
      ...options,
    });
    await sink.finish();
  } catch (error) {
    await sink.abandon();
    throw error;
  }
  return readFileSync(file, 'utf8');
}

export function importFromFile(
  runtime: Runtime,
  file: string,
  options: Partial<Omit<ImportArchiveInput, 'open'>> = {},
) {
  return importBroadsideArchive(runtime, {
    open: () => readLines(file),
    migrations,
    ...options,
  });
}

/** Writes `lines` (joined by newlines, ending with one) to `file`. */
export function writeLines(file: string, lines: readonly string[]): string {
  writeFileSync(file, lines.map((line) => `${line}\n`).join(''));
  return file;
}

/** The archive without its header (whose time differs between two exports of the same site). */
export function body(archive: string): string {
  return archive.slice(archive.indexOf('\n') + 1);
}

/** The rows of one table in an archive's text. */
export function rowsOf(archive: string, table: string): Record<string, unknown>[] {
  return archive
    .split('\n')
    .slice(1)
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { table: string; row: Record<string, unknown> })
    .filter((line) => line.table === table)
    .map((line) => line.row);
}

/** Fills an installation's database with the rich site, as the server would have over time. */
export async function seedInstallation(installation: Installation): Promise<RichSite> {
  const runtime = await createRuntime(loadConfig(installation.env), {
    logger: createLogger('silent'),
    moderation: richJudge,
  });
  try {
    return await seedRichSite(runtime);
  } finally {
    await closeRuntime(runtime);
  }
}
