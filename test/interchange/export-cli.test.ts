// `broadside export` as people run it (the built command in a child process): to standard output
// it writes the archive or the XML and nothing else — not the log (migrations, mail), not progress
// — so that `broadside export | gzip` and `broadside export --format wxr > site.xml` are whole; on
// a terminal it shows its progress on standard error.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SaxesParser } from 'saxes';
import { describe, expect, it } from 'vitest';
import type { Installation } from '../helpers/cli.js';
import { createInstallation } from '../helpers/cli.js';
import { databaseKinds } from '../helpers/databases.js';
import { rowsOf, SCHEMAS, scratchDirectory, seedInstallation as seed } from './archive-helpers.js';

const BIN = fileURLToPath(new URL('../../bin/broadside.js', import.meta.url));
const LOGGING = { LOG_LEVEL: 'info' };

/** The lines of an archive on standard output, each checked to be what an archive has there. */
function archiveLines(stdout: string): { table?: string; end?: boolean; rows?: number }[] {
  expect(stdout.endsWith('\n')).toBe(true);
  const lines = stdout.slice(0, -1).split('\n');
  const parsed = lines.map((line, index) => {
    try {
      return JSON.parse(line) as { format?: string; table?: string; end?: boolean; rows?: number };
    } catch {
      throw new Error(`standard output line ${index + 1} is not JSON: ${line.slice(0, 200)}`);
    }
  });
  expect(parsed[0]?.format, 'the first line is the header').toBe('broadside');
  const rows = parsed.slice(1, -1);
  for (const [index, row] of rows.entries()) {
    expect(typeof row.table, `line ${index + 2} is a row`).toBe('string');
  }
  expect(parsed.at(-1)).toEqual({ end: true, rows: rows.length });
  return rows;
}

/** The elements of an XML document, failing on anything that is not one well-formed document. */
function xmlElements(xml: string): string[] {
  const names: string[] = [];
  const parser = new SaxesParser({ xmlns: true });
  parser.on('opentag', (tag) => names.push(tag.name));
  parser.on('error', (error) => {
    throw error;
  });
  parser.write(xml).close();
  return names;
}

/**
 * Runs the command on a pseudo-terminal (util-linux `script`), as a person at a terminal does:
 * standard output and error both go to it, and come back here together.
 */
async function onTerminal(installation: Installation, ...args: string[]): Promise<string> {
  const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, BIN, ...args].map(quote).join(' ');
  const { stdout } = await promisify(execFile)('script', ['-q', '-e', '-c', command, '/dev/null'], {
    env: { PATH: process.env.PATH ?? '', ...installation.env },
    timeout: 20_000,
  });
  return stdout;
}

describe.each(databaseKinds)('broadside export on $name', (kind) => {
  it('writes only the archive to standard output, while the log (migrations) goes to standard error', async ({
    onTestFinished,
  }) => {
    // The export is the first command: it applies the migrations, and logs that (LOG_LEVEL=info).
    const fresh = await createInstallation(kind, onTestFinished, LOGGING);
    const empty = await fresh.cli('export');
    expect(empty, empty.stderr).toMatchObject({ code: 0 });
    expect(archiveLines(empty.stdout)).toEqual([]);
    expect(empty.stderr).toContain(`"msg":"applied ${SCHEMAS.length} migration(s)"`);

    await seed(fresh);
    const full = await fresh.cli('export', '-');
    expect(full, full.stderr).toMatchObject({ code: 0 });
    const rows = archiveLines(full.stdout);
    expect(rows.filter((row) => row.table === 'comments').length).toBeGreaterThan(20);
    expect(full.stderr).toMatch(/^Wrote [\d,]+ rows \(sites 1, /m);
    // `-` is standard output, not a file of that name.
    expect(existsSync(path.join(process.cwd(), '-'))).toBe(false);
  });

  it('writes only the WXR document to standard output', async ({ onTestFinished }) => {
    const fresh = await createInstallation(kind, onTestFinished, LOGGING);
    const empty = await fresh.cli('export', '--format', 'wxr');
    expect(empty, empty.stderr).toMatchObject({ code: 0 });
    expect(xmlElements(empty.stdout)[0]).toBe('rss');
    expect(empty.stderr).toContain(`"msg":"applied ${SCHEMAS.length} migration(s)"`);

    await seed(fresh);
    const full = await fresh.cli('export', '--format', 'wxr', '-');
    expect(full, full.stderr).toMatchObject({ code: 0 });
    expect(xmlElements(full.stdout).filter((name) => name === 'item')).toHaveLength(5);
    expect(full.stderr).toMatch(/^Wrote 5 posts \(1 draft\) and \d+ comments to standard output/m);
  });

  it('shows its progress on a terminal: rows or comments, of how many, and the rate', async ({
    onTestFinished,
  }) => {
    const installation = await createInstallation(kind, onTestFinished);
    await seed(installation);
    const directory = scratchDirectory(onTestFinished);
    const file = path.join(directory, 'site.ndjson');

    const archive = await onTerminal(installation, 'export', file);
    const rows = rowsOf(readFileSync(file, 'utf8'), 'comments').length;
    const total = readFileSync(file, 'utf8').trimEnd().split('\n').length - 2;
    expect(archive).toMatch(
      new RegExp(
        `export .* 100% \\| ${total} of ${total} rows written \\(import_origins\\) \\| [\\d,]+ rows/s`,
      ),
    );
    expect(rows).toBeGreaterThan(20);
    expect(archive).toMatch(/Wrote [\d,]+ rows/);

    const wxr = await onTerminal(installation, 'export', '--format', 'wxr', `${file}.xml`);
    expect(wxr).toMatch(
      /export .* 100% \| 5 of 5 posts, (\d+) of \1 comments written \| [\d,]+ comments\/s/,
    );
    expect(xmlElements(readFileSync(`${file}.xml`, 'utf8'))[0]).toBe('rss');
  });
});
