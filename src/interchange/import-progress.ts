/**
 * Progress of a long import on standard error: a bar with counts and rate on a terminal
 * (cli-progress), a plain line every few seconds otherwise (logs, CI), so that output piped to a
 * file stays readable.
 */
import cliProgress from 'cli-progress';
import type { ImportProgress } from './import-engine.js';

export interface ProgressReporter {
  update(progress: ImportProgress): void;
  stop(): void;
}

const PLAIN_EVERY_MS = 5_000;
const number = (n: number) => n.toLocaleString('en');
const megabytes = (bytes: number) => `${number(Math.round(bytes / 1e6))} MB`;

function doneText(progress: ImportProgress): string {
  return progress.phase === 'reading'
    ? `${megabytes(progress.done)} of ${megabytes(progress.total)} read`
    : `${number(progress.done)} of ${number(progress.total)} posts written`;
}

export function createProgressReporter(
  stream: NodeJS.WriteStream,
  label: string,
  now: () => number = () => performance.now(),
): ProgressReporter {
  const started = now();
  const rateOf = (progress: ImportProgress) => {
    const seconds = (now() - started) / 1000;
    return seconds > 0 ? Math.round(progress.comments / seconds) : 0;
  };
  if (!stream.isTTY) {
    let last = started;
    let latest: ImportProgress | undefined;
    const line = (progress: ImportProgress) => {
      const percent = progress.total > 0 ? Math.floor((progress.done / progress.total) * 100) : 0;
      stream.write(
        `${label}: ${percent}% (${doneText(progress)}), ${number(progress.comments)} comments, ${number(rateOf(progress))} comments/s\n`,
      );
    };
    return {
      update(progress) {
        latest = progress;
        if (now() - last < PLAIN_EVERY_MS) return;
        last = now();
        line(progress);
      },
      stop() {
        // A last line only when lines were printed at all: short imports stay quiet.
        if (latest && last !== started) line(latest);
      },
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} {bar} {percentage}% | {what} | {comments} comments | {rate} comments/s | {left}`,
      stream,
      hideCursor: true,
      clearOnComplete: false,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  let phase: ImportProgress['phase'] | undefined;
  let phaseStarted = started;
  let total = 0;
  /** Time left at the pace of this phase so far, e.g. "about 1:25 left". */
  const left = (progress: ImportProgress) => {
    const seconds = (now() - phaseStarted) / 1000;
    if (progress.done <= 0 || seconds < 2) return '';
    const remaining = Math.round(((progress.total - progress.done) * seconds) / progress.done);
    const minutes = Math.floor(remaining / 60);
    return `about ${minutes}:${String(remaining % 60).padStart(2, '0')} left`;
  };
  return {
    update(progress) {
      const payload = {
        what: doneText(progress),
        comments: number(progress.comments),
        rate: number(rateOf(progress)),
        left: left(progress),
      };
      if (phase !== progress.phase) {
        if (phase !== undefined) bar.stop();
        phase = progress.phase;
        phaseStarted = now();
        total = Math.max(1, progress.total);
        bar.start(total, progress.done, payload);
        return;
      }
      if (progress.total !== total) bar.setTotal((total = Math.max(1, progress.total)));
      bar.update(progress.done, payload);
    },
    stop() {
      if (phase !== undefined) bar.stop();
    },
  };
}
