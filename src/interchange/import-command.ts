/**
 * `broadside import FILE --format wxr|disqus`: runs an import with progress on standard error,
 * each problem on standard error as `FILE:LINE:COLUMN: message` as it is found, and the summary on
 * standard output. Ctrl-C stops after the batch in hand is committed (a second one at once).
 */
import { statSync } from 'node:fs';
import type { ImportContext, ImportFormat, ImportOptions, ImportReport } from './import-engine.js';
import { importDisqus } from './import-disqus.js';
import { loadImportReview } from './import-review.js';
import { createProgressReporter } from './import-progress.js';
import { completed, describeProblem, describeReport } from './import-report.js';
import { importWxr } from './import-wxr.js';
import { UnreadableFileError } from './xml-stream.js';

/** The formats this command imports besides the plain-text thread form. */
export const XML_FORMATS: readonly ImportFormat[] = ['wxr', 'disqus'];

export function isXmlFormat(format: string): format is ImportFormat {
  return (XML_FORMATS as readonly string[]).includes(format);
}

/** Problems printed one by one; the rest are counted in the summary. */
const PROBLEMS_SHOWN = 100;

/** The file's size, or an error saying in one line why it cannot be read. */
export function sizeOfImportFile(file: string): number {
  try {
    const stats = statSync(file);
    if (stats.isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
    return stats.size;
  } catch (error) {
    const code = (error as { code?: string }).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : (error as Error).message;
    throw new UnreadableFileError(undefined, `cannot read ${file}: ${why}`);
  }
}

export interface ImportCommandInput {
  file: string;
  format: ImportFormat;
  dryRun?: boolean;
  strict?: boolean;
  batchSize?: number;
}

export interface CommandStreams {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

/**
 * Runs the import and prints as described above; resolves to whether it did all it was asked.
 * Imported comments are reviewed under the site's current moderation rules unless `review` is
 * given (see `import-review.ts`).
 */
export async function runImportCommand(
  ctx: ImportContext,
  input: ImportCommandInput,
  streams: CommandStreams,
  review?: ImportOptions['review'],
): Promise<{ ok: boolean; report: ImportReport }> {
  const totalBytes = sizeOfImportFile(input.file);
  if (!review) {
    const loaded = await loadImportReview(ctx.statements.db, ctx.siteId);
    if (loaded.fallback) streams.stderr.write(`import: note: ${loaded.fallback}\n`);
    review = loaded.review;
  }
  const progress = createProgressReporter(streams.stderr, 'import');
  const controller = new AbortController();
  const onInterrupt = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
    streams.stderr.write(
      '\nimport: stopping after the batch in hand is saved (Ctrl-C again to stop at once, losing it)\n',
    );
  };
  process.on('SIGINT', onInterrupt);
  let shown = 0;
  const options: ImportOptions = {
    dryRun: input.dryRun,
    strict: input.strict,
    batchSize: input.batchSize,
    signal: controller.signal,
    review,
    onProgress: (p) => progress.update(p),
    onProblem: (problem) => {
      shown += 1;
      if (shown <= PROBLEMS_SHOWN)
        streams.stderr.write(`${describeProblem(input.file, problem)}\n`);
      else if (shown === PROBLEMS_SHOWN + 1)
        streams.stderr.write(`${input.file}: more problems; they are counted in the summary\n`);
    },
  };
  let report: ImportReport;
  try {
    const importer = input.format === 'wxr' ? importWxr : importDisqus;
    report = await importer(ctx, { file: input.file, totalBytes, inWorker: true }, options);
  } finally {
    progress.stop();
    process.off('SIGINT', onInterrupt);
  }
  // A stop at a problem (--strict) was printed with the problems already.
  const stopped = report.stopped;
  if (stopped && !report.problems.some((problem) => problem === stopped))
    streams.stderr.write(`${describeProblem(input.file, stopped)}\n`);
  streams.stdout.write(`${describeReport(input.file, report).join('\n')}\n`);
  return { ok: completed(report), report };
}
