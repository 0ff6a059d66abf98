/**
 * Progress of long interchange work — imports, restores, exports — on standard error: a bar with
 * counts and rate on a terminal (cli-progress), a plain line every few seconds otherwise (logs,
 * CI), so that output piped to a file stays readable. Standard output is never touched: an export
 * may be writing its data there.
 */
import cliProgress from 'cli-progress';
import type { ImportProgress } from './import-engine.js';

/** Where the work is: `done` of `total` in this phase, and the things counted so far. */
export interface Progress {
  /** A new phase starts the bar afresh (and its time left). */
  phase: string;
  done: number;
  total: number;
  /** The things counted (comments, rows), shown with their rate. */
  count: number;
  /** Anything else a view shows, e.g. the table being written. */
  detail?: string;
}

/** How one kind of work tells its progress. */
export interface ProgressView {
  /** What is done of what, e.g. "12 MB of 40 MB read". */
  describe(progress: Progress): string;
  /** The things counted, in the plural: "comments". */
  counted: string;
  /** Whether the count is shown beside its rate (not when `describe` says it already). */
  showCount: boolean;
  /** The rate over the current phase, rather than since the start. */
  ratePerPhase: boolean;
}

export interface ProgressReporter<P = Progress> {
  update(progress: P): void;
  stop(): void;
}

const PLAIN_EVERY_MS = 5_000;
const number = (n: number) => n.toLocaleString('en');
/** "12 MB", for a count of bytes. */
export const megabytes = (bytes: number) => `${number(Math.round(bytes / 1e6))} MB`;
/** "1,234 of 5,678", for a count of things. */
export const countOf = (progress: Progress) =>
  `${number(progress.done)} of ${number(progress.total)}`;

/** Shows `progress` on `stream` as `view` says: a bar on a terminal, else a line now and then. */
export function createProgressDisplay(
  stream: NodeJS.WriteStream,
  label: string,
  view: ProgressView,
  now: () => number = () => performance.now(),
): ProgressReporter {
  const started = now();
  let phase: string | undefined;
  let phaseStarted = started;
  const rateOf = (progress: Progress) => {
    const seconds = (now() - (view.ratePerPhase ? phaseStarted : started)) / 1000;
    return seconds > 0 ? Math.round(progress.count / seconds) : 0;
  };
  const enter = (progress: Progress) => {
    if (phase === progress.phase) return false;
    phase = progress.phase;
    phaseStarted = now();
    return true;
  };
  if (!stream.isTTY) {
    let last = started;
    let latest: Progress | undefined;
    const line = (progress: Progress) => {
      const percent = progress.total > 0 ? Math.floor((progress.done / progress.total) * 100) : 0;
      const count = view.showCount ? `, ${number(progress.count)} ${view.counted}` : '';
      stream.write(
        `${label}: ${percent}% (${view.describe(progress)})${count}, ${number(rateOf(progress))} ${view.counted}/s\n`,
      );
    };
    return {
      update(progress) {
        enter(progress);
        latest = progress;
        if (now() - last < PLAIN_EVERY_MS) return;
        last = now();
        line(progress);
      },
      stop() {
        // A last line only when lines were printed at all: short work stays quiet.
        if (latest && last !== started) line(latest);
      },
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} {bar} {percentage}% | {what}{count} | {rate} ${view.counted}/s | {left}`,
      stream,
      hideCursor: true,
      clearOnComplete: false,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  let running = false;
  let total = 0;
  /** Time left at the pace of this phase so far, e.g. "about 1:25 left". */
  const left = (progress: Progress) => {
    const seconds = (now() - phaseStarted) / 1000;
    if (progress.done <= 0 || seconds < 2) return '';
    const remaining = Math.round(((progress.total - progress.done) * seconds) / progress.done);
    const minutes = Math.floor(remaining / 60);
    return `about ${minutes}:${String(remaining % 60).padStart(2, '0')} left`;
  };
  return {
    update(progress) {
      const fresh = enter(progress);
      const payload = {
        what: view.describe(progress),
        count: view.showCount ? ` | ${number(progress.count)} ${view.counted}` : '',
        rate: number(rateOf(progress)),
        left: left(progress),
      };
      if (fresh) {
        if (running) bar.stop();
        running = true;
        total = Math.max(1, progress.total);
        bar.start(total, progress.done, payload);
        return;
      }
      if (progress.total !== total) bar.setTotal((total = Math.max(1, progress.total)));
      bar.update(progress.done, payload);
    },
    stop() {
      if (running) bar.stop();
    },
  };
}

/** A WordPress or Disqus import: the file read (in bytes), then, for Disqus, the posts written. */
const importView: ProgressView = {
  describe: (progress) =>
    progress.phase === 'reading'
      ? `${megabytes(progress.done)} of ${megabytes(progress.total)} read`
      : `${countOf(progress)} posts written`,
  counted: 'comments',
  showCount: true,
  ratePerPhase: false,
};

/** Restoring an archive: checked, then restored (in bytes of the file), then, if older, upgraded. */
export const restoreView: ProgressView = {
  describe: (progress) =>
    progress.phase === 'upgrading'
      ? `${countOf(progress)} later migrations run`
      : `${megabytes(progress.done)} of ${megabytes(progress.total)} ${progress.phase === 'checking' ? 'checked' : 'restored'}`,
  counted: 'rows',
  showCount: true,
  ratePerPhase: true,
};

/** Writing an archive: rows of every table, the one being written as the detail. */
export const archiveExportView: ProgressView = {
  describe: (progress) =>
    `${countOf(progress)} rows written${progress.detail ? ` (${progress.detail})` : ''}`,
  counted: 'rows',
  showCount: false,
  ratePerPhase: true,
};

/** Writing WXR: posts and comments, as the detail says. */
export const wxrExportView: ProgressView = {
  describe: (progress) => progress.detail ?? `${countOf(progress)} written`,
  counted: 'comments',
  showCount: false,
  ratePerPhase: true,
};

/** The progress of an import (import-command.ts). */
export function createProgressReporter(
  stream: NodeJS.WriteStream,
  label: string,
  now: () => number = () => performance.now(),
): ProgressReporter<ImportProgress> {
  const display = createProgressDisplay(stream, label, importView, now);
  return {
    update: (progress) => display.update({ ...progress, count: progress.comments }),
    stop: () => display.stop(),
  };
}
