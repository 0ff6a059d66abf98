// Restoring from the command line (the built command in a child process): an archive of an older
// Broadside is restored and brought up to date, saying so; one of a newer Broadside, or one cut
// short, is refused as `FILE:LINE: what is wrong`, with nothing written.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createInstallation } from '../helpers/cli.js';
import { databaseKinds } from '../helpers/databases.js';
import { rowsOf, SCHEMAS, scratchDirectory, seedInstallation as seed } from './archive-helpers.js';

describe.each(databaseKinds)('broadside import --format broadside on $name', (kind) => {
  it('restores an older archive, and names a newer or incomplete one by its line, writing nothing', async ({
    onTestFinished,
  }) => {
    const directory = scratchDirectory(onTestFinished);
    const source = await createInstallation(kind, onTestFinished);
    await seed(source);
    const file = path.join(directory, 'site.ndjson');
    expect((await source.cli('export', file)).code).toBe(0);
    const [header, ...lines] = readFileSync(file, 'utf8').trimEnd().split('\n');
    const parsed = JSON.parse(header as string) as Record<string, unknown>;

    const target = await createInstallation(kind, onTestFinished);
    const refused = async (name: string, text: string, expected: string) => {
      const bad = path.join(directory, name);
      writeFileSync(bad, text);
      const result = await target.cli('import', bad, '--format', 'broadside');
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toBe(`broadside: ${bad}:${expected}\n`);
      expect(result.stdout).toBe('');
    };
    await refused(
      'newer.ndjson',
      [JSON.stringify({ ...parsed, version: 3 }), ...lines].join('\n'),
      '1: this archive was written by a newer Broadside (format 3): this one reads formats 1 to 2; upgrade Broadside first, then restore it',
    );
    await refused(
      'cut.ndjson',
      [header, ...lines.slice(0, 9), (lines[9] as string).slice(0, 20)].join('\n'),
      `11: the archive is incomplete: line 11 is cut short, and its last line should be {"end":true,"rows":…}; it was cut off while it was written or copied. Nothing was restored: restore the whole file`,
    );
    const nothing = await target.cli('export');
    expect(rowsOf(nothing.stdout, 'comments')).toEqual([]);

    // As the Broadside before migration 0007 would have written it: no import origins, no kind of
    // comment, one migration fewer.
    const older = [
      JSON.stringify({
        ...parsed,
        schema: SCHEMAS.at(-2),
        migrations: SCHEMAS.slice(0, -1),
        tables: Object.fromEntries(
          Object.entries(parsed.tables as Record<string, string[]>)
            .filter(([table]) => table !== 'import_origins')
            .map(([table, columns]) => [
              table,
              table === 'comments' ? columns.filter((c) => c !== 'kind') : columns,
            ]),
        ),
      }),
      ...lines.slice(0, -1).flatMap((line) => {
        const row = JSON.parse(line) as { table: string; row: Record<string, unknown> };
        if (row.table === 'import_origins') return [];
        if (row.table === 'comments') delete row.row.kind;
        return [JSON.stringify(row)];
      }),
      lines.at(-1),
    ].join('\n');
    const olderFile = path.join(directory, 'older.ndjson');
    writeFileSync(olderFile, `${older}\n`);
    const restored = await target.cli('import', olderFile, '--format', 'broadside');
    expect(restored, restored.stderr).toMatchObject({ code: 0, stderr: '' });
    expect(restored.stdout).toContain(
      `The archive was made at an older schema (${SCHEMAS.at(-2)}): it was restored at that level and brought up to date by 1 later migration (${SCHEMAS.at(-1)}).`,
    );
    const after = await target.cli('export');
    expect(rowsOf(after.stdout, 'comments')).toHaveLength(rowsOf(older, 'comments').length);
    expect(rowsOf(after.stdout, 'comments').every((c) => c.kind === 'comment')).toBe(true);
  });
});
