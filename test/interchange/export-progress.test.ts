// The progress display shared by imports, restores and exports, on a stream and a clock of the
// test's: a bar with counts and rate on a terminal, a plain line every five seconds elsewhere (and
// none at all for short work), each kind of work saying what it counts.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Progress } from '../../src/interchange/import-progress.js';
import {
  archiveExportView,
  createProgressDisplay,
  createProgressReporter,
  restoreView,
  wxrExportView,
} from '../../src/interchange/import-progress.js';

/** A stream that keeps what is written, a terminal or not. */
function capture(isTTY: boolean) {
  const stream = new PassThrough();
  let text = '';
  stream.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  Object.assign(stream, { isTTY, columns: 160 });
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => text };
}

/** A clock the test moves. */
function clock() {
  let ms = 0;
  return { now: () => ms, at: (seconds: number) => void (ms = seconds * 1000) };
}

const rows = (done: number, detail = 'comments'): Progress => ({
  phase: 'writing',
  done,
  total: 1000,
  count: done,
  detail,
});

describe('plain progress lines (not a terminal)', () => {
  it('prints a line every five seconds and a last one, with what is done, counts and rate', () => {
    const out = capture(false);
    const time = clock();
    const progress = createProgressDisplay(out.stream, 'export', archiveExportView, time.now);
    time.at(1);
    progress.update(rows(100, 'sites'));
    time.at(4);
    progress.update(rows(300));
    expect(out.text()).toBe('');
    time.at(5);
    progress.update(rows(500));
    time.at(8);
    progress.update(rows(800));
    time.at(10);
    progress.update(rows(1000, 'import_origins'));
    progress.stop();
    expect(out.text().split('\n')).toEqual([
      // The rate is over the phase, which began with the first update.
      'export: 50% (500 of 1,000 rows written (comments)), 125 rows/s',
      'export: 100% (1,000 of 1,000 rows written (import_origins)), 111 rows/s',
      // stop(): the last state once more, as the import has always done.
      'export: 100% (1,000 of 1,000 rows written (import_origins)), 111 rows/s',
      '',
    ]);
  });

  it('prints nothing for work shorter than five seconds', () => {
    const out = capture(false);
    const time = clock();
    const progress = createProgressDisplay(out.stream, 'export', archiveExportView, time.now);
    progress.update(rows(10));
    time.at(4.9);
    progress.update(rows(1000));
    progress.stop();
    expect(out.text()).toBe('');
  });

  it('tells a restore by phase: checked, restored, migrations run', () => {
    const out = capture(false);
    const time = clock();
    const progress = createProgressDisplay(out.stream, 'restore', restoreView, time.now);
    progress.update({ phase: 'checking', done: 0, total: 40e6, count: 0 });
    time.at(5);
    progress.update({ phase: 'checking', done: 40e6, total: 40e6, count: 50_000 });
    progress.update({ phase: 'restoring', done: 0, total: 40e6, count: 0 });
    time.at(10);
    progress.update({ phase: 'restoring', done: 20e6, total: 40e6, count: 25_000 });
    time.at(15);
    progress.update({ phase: 'upgrading', done: 1, total: 2, count: 50_000 });
    progress.stop();
    expect(out.text().split('\n')).toEqual([
      'restore: 100% (40 MB of 40 MB checked), 50,000 rows, 10,000 rows/s',
      'restore: 50% (20 MB of 40 MB restored), 25,000 rows, 5,000 rows/s',
      'restore: 50% (1 of 2 later migrations run), 50,000 rows, 0 rows/s',
      'restore: 50% (1 of 2 later migrations run), 50,000 rows, 0 rows/s',
      '',
    ]);
  });

  it('keeps the import’s lines as they were: bytes read, comments and their rate since the start', () => {
    const out = capture(false);
    const time = clock();
    const progress = createProgressReporter(out.stream, 'import', time.now);
    progress.update({ phase: 'reading', done: 10e6, total: 40e6, comments: 500 });
    time.at(5);
    progress.update({ phase: 'reading', done: 40e6, total: 40e6, comments: 1_000 });
    time.at(10);
    progress.update({ phase: 'writing', done: 3, total: 4, comments: 2_000 });
    progress.stop();
    expect(out.text().split('\n')).toEqual([
      'import: 100% (40 MB of 40 MB read), 1,000 comments, 200 comments/s',
      'import: 75% (3 of 4 posts written), 2,000 comments, 200 comments/s',
      'import: 75% (3 of 4 posts written), 2,000 comments, 200 comments/s',
      '',
    ]);
  });
});

describe('the progress bar (a terminal)', () => {
  it('draws the bar with what is done, the rate and the time left, and restarts it by phase', () => {
    const out = capture(true);
    const time = clock();
    const progress = createProgressDisplay(out.stream, 'export', wxrExportView, time.now);
    progress.update({ phase: 'writing', done: 0, total: 100, count: 0, detail: 'starting' });
    time.at(10);
    progress.update({
      phase: 'writing',
      done: 50,
      total: 100,
      count: 4_000,
      detail: '2 of 4 posts, 48 of 96 comments written',
    });
    progress.stop();
    const text = out.text();
    expect(text).toContain('export ');
    expect(text).toContain(
      '50% | 2 of 4 posts, 48 of 96 comments written | 400 comments/s | about 0:10 left',
    );
  });
});
