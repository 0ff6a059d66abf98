/**
 * The closing summary of a WordPress or Disqus import, for people: what was created, skipped and
 * failed per kind of record, why things were skipped, and what to do next. Pure.
 */
import type { ImportProblem, ImportReport, RecordKind } from './import-engine.js';
import { RECORD_KINDS } from './import-engine.js';
import { formatPosition } from './xml-stream.js';

const FORMAT_NAMES = { wxr: 'WordPress export', disqus: 'Disqus export' } as const;
const number = (n: number) => n.toLocaleString('en');

/** `FILE:LINE:COLUMN: message` (or `FILE: message`), as compilers print problems. */
export function describeProblem(
  file: string,
  problem: Pick<ImportProblem, 'position' | 'message'>,
) {
  return problem.position
    ? `${file}:${formatPosition(problem.position)}: ${problem.message}`
    : `${file}: ${problem.message}`;
}

function rate(report: ImportReport): string {
  const comments = report.tallies.comments;
  const handled = comments.created + comments.skipped + comments.failed;
  // A rate over less than a second says little.
  if (handled === 0 || report.seconds < 1) return '';
  return `, ${number(Math.round(handled / report.seconds))} comments/s`;
}

/** The summary as lines of text (no trailing newline). */
export function describeReport(file: string, report: ImportReport): string[] {
  const lines: string[] = [];
  const seconds = report.seconds < 10 ? report.seconds.toFixed(1) : Math.round(report.seconds);
  const what = `${file} (${FORMAT_NAMES[report.format]})`;
  lines.push(
    report.dryRun
      ? `Dry run of ${what}, nothing written: the import would do this (${seconds} s${rate(report)}):`
      : `Imported ${what} in ${seconds} s${rate(report)}:`,
  );
  const created = report.dryRun ? 'would be created' : 'created';
  const rows = RECORD_KINDS.map((kind) => {
    const t = report.tallies[kind];
    return [
      kind,
      `${number(t.created)} ${created}`,
      `${number(t.skipped)} skipped`,
      `${number(t.failed)} failed`,
    ];
  });
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  for (const row of rows)
    lines.push(
      `  ${row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('   ')
        .trimEnd()}`,
    );

  const skips = RECORD_KINDS.flatMap((kind) =>
    Object.entries(report.tallies[kind].skippedBecause).map(
      ([why, count]) => `${number(count)} ${singular(kind, count)}: ${why}`,
    ),
  );
  if (skips.length > 0) {
    lines.push('Skipped:');
    for (const skip of skips) lines.push(`  ${skip}`);
  }
  const notes = Object.entries(report.notes);
  if (notes.length > 0) {
    lines.push('Notes:');
    for (const [note, count] of notes) lines.push(`  ${note}: ${number(count)}`);
  }
  const accounts = report.tallies.accounts.created;
  if (accounts > 0) {
    lines.push(
      `${number(accounts)} ${accounts === 1 ? 'account was' : 'accounts were'} ${report.dryRun ? 'to be ' : ''}made for the authors of posts, without a password: each sets one through the link that \`broadside user reset --email …\` prints.`,
    );
  }
  if (report.flagged > 0)
    lines.push(
      `${number(report.flagged)} imported ${report.flagged === 1 ? 'comment was' : 'comments were'} ${report.dryRun ? 'to be ' : ''}flagged on import: the site's moderation rules would have held ${report.flagged === 1 ? 'it' : 'them'}, so ${report.flagged === 1 ? 'it waits' : 'they wait'} in the moderation queue (Pending), ${report.flagged === 1 ? 'its' : 'their'} status unchanged.`,
    );
  if (report.problemCount > 0) {
    lines.push(
      `${number(report.problemCount)} ${report.problemCount === 1 ? 'record' : 'records'} could not be imported (each is listed above with its place in the file).`,
    );
  }
  if (report.stopped) {
    const kept = report.dryRun
      ? 'nothing was written'
      : 'everything before it was imported and committed';
    lines.push(`Stopped at ${describeProblem(file, report.stopped)}`);
    lines.push(
      `  (${kept}; fix the file and run the same command again: what is there already is skipped.)`,
    );
  } else if (report.interrupted) {
    lines.push(
      'Interrupted: what is counted as created is saved; run the same command again to import the rest.',
    );
  } else if (!report.dryRun && report.problemCount > 0) {
    lines.push('Fix them and run the same command again: what is there already is skipped.');
  }
  return lines;
}

function singular(kind: RecordKind, count: number): string {
  if (count !== 1) return kind;
  return kind.slice(0, -1);
}

/** Whether the import did all it was asked: no record failed, it did not stop early. */
export function completed(report: ImportReport): boolean {
  return (
    RECORD_KINDS.every((kind) => report.tallies[kind].failed === 0) &&
    report.stopped === undefined &&
    !report.interrupted
  );
}
