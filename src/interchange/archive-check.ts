/**
 * The first reading of an archive to restore, before anything is written: its header (a newer
 * Broadside's archive is refused at line 1), the ids of its sites (which tell an interrupted
 * restore of it from another site), and its end — an archive of format 2 must end with its last
 * line, `{"end":true,"rows":N}`, and hold at least N rows, or it was cut short or damaged on its
 * way and is refused whole rather than half restored. Only the header, the sites and the last line
 * are parsed; the rest is only counted, so this pass costs little beside the restore.
 */
import type { ArchiveHeader, KnownSchema } from './archive-model.js';
import { ArchiveError, parseHeader, parseTrailer } from './archive-model.js';
import type { Line } from './lines.js';

export interface CheckedArchive {
  header: ArchiveHeader;
  /** The ids of the archive's sites (its first rows). */
  sites: ReadonlySet<string>;
  /** The number of its last line, `{"end":…}`, which the restore skips (format 2 on). */
  trailerLine: number | undefined;
  /** Its row lines: every line but the header, the last line and blank ones. */
  rows: number;
}

export interface CheckProgress {
  /** The last line read. */
  line: number;
  /** Row lines so far. */
  rows: number;
}

const PROGRESS_EVERY_LINES = 1_000;
const blank = (text: string) => text.trim() === '';

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The id of a `sites` row line, or undefined when the line is anything else. */
function siteIdOf(text: string): string | undefined {
  try {
    const { table, row } = JSON.parse(text) as { table?: unknown; row?: { id?: unknown } };
    return table === 'sites' && typeof row?.id === 'string' ? row.id : undefined;
  } catch {
    return undefined; // reported by the restore itself
  }
}

/** Reads the whole archive once; throws an {@link ArchiveError} naming the line when it must not be restored. */
export async function checkArchive(
  lines: AsyncIterable<Line>,
  known: KnownSchema,
  onProgress?: (progress: CheckProgress) => void,
): Promise<CheckedArchive> {
  let header: ArchiveHeader | undefined;
  const sites = new Set<string>();
  let readingSites = true;
  let last: Line | undefined;
  let nonBlank = 0;
  for await (const line of lines) {
    if (line.number === 1) {
      header = parseHeader(line.text, known);
      continue;
    }
    if (blank(line.text)) continue;
    nonBlank += 1;
    last = line;
    if (readingSites) {
      const site = siteIdOf(line.text);
      if (site === undefined) readingSites = false;
      else sites.add(site);
    }
    if (line.number % PROGRESS_EVERY_LINES === 0) {
      onProgress?.({ line: line.number, rows: nonBlank });
    }
  }
  if (!header) throw new ArchiveError('the file is empty: it is not a Broadside archive', 1);
  if (header.version === 1) return { header, sites, trailerLine: undefined, rows: nonBlank };

  const end = last === undefined ? undefined : parseTrailer(last.text);
  if (last === undefined || end === undefined) {
    const at = last?.number ?? 1;
    throw new ArchiveError(
      last !== undefined && !isJson(last.text)
        ? `the archive is incomplete: line ${at} is cut short, and its last line should be {"end":true,"rows":…}; it was cut off while it was written or copied. Nothing was restored: restore the whole file`
        : `the archive is incomplete: it stops after line ${at}, without its last line {"end":true,"rows":…}; it was cut off while it was written or copied. Nothing was restored: restore the whole file`,
      at,
    );
  }
  const rows = nonBlank - 1;
  // More rows than it says are each restored or reported on their own; fewer means lines are gone.
  if (rows < end.rows) {
    throw new ArchiveError(
      `the archive's last line says it holds ${end.rows.toLocaleString('en')} rows, but ${rows.toLocaleString('en')} are here: lines are missing, so it is damaged. Nothing was restored`,
      last.number,
    );
  }
  onProgress?.({ line: last.number, rows });
  return { header, sites, trailerLine: last.number, rows };
}
