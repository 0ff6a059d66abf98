/**
 * The sample documents, read as the tests' ground truth: the canonical seeds beside the repository
 * (../shared/seeds), else a copy in test/fixtures/ or demo/ (byte-identical; demo.test.ts checks).
 * Expectations are derived from the file, never from a hand-typed copy.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export function seedPath(name: string): string {
  const candidates = [
    path.join(repoRoot, '..', 'shared', 'seeds', name),
    path.join(repoRoot, 'test', 'fixtures', name),
    path.join(repoRoot, 'demo', name),
  ];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found) throw new Error(`sample ${name} not found; looked in ${candidates.join(' and ')}`);
  return found;
}

export function readSeed(name: string): string {
  return readFileSync(seedPath(name), 'utf8');
}

/** A line as readers see it: non-breaking spaces as spaces, runs of spaces collapsed. */
export function plain(line: string): string {
  return line
    .replace(/\u00A0/g, ' ')
    .replace(/ +/g, ' ')
    .trim();
}

/** Blank-line separated paragraphs, each a list of its plain lines. */
export function paragraphsOf(lines: readonly string[]): string[][] {
  const out: string[][] = [];
  let current: string[] = [];
  for (const line of lines) {
    if (line.trim() === '') {
      if (current.length) out.push(current);
      current = [];
    } else current.push(plain(line));
  }
  if (current.length) out.push(current);
  return out;
}
