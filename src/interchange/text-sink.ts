/**
 * Where exports write: standard output or a file, with back-pressure (a slow pipe slows the export
 * down instead of filling memory). A file is written beside its final name and renamed into place
 * only when complete, so a failed or interrupted export never leaves a truncated file that looks
 * whole.
 */
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';

export interface TextSink {
  write(chunk: string): Promise<void>;
}

export interface ClosableSink extends TextSink {
  /** Everything is written (and, for a file, in place under its name). */
  finish(): Promise<void>;
  /** Gives up: a file's partial copy is removed. */
  abandon(): Promise<void>;
}

/** Writes to a stream, waiting for it to drain when its buffer is full. */
export function streamSink(stream: Writable): ClosableSink {
  let failure: Error | undefined;
  stream.on('error', (error: Error) => {
    failure ??= error;
  });
  return {
    async write(chunk) {
      if (failure) throw failure;
      if (!stream.write(chunk)) {
        await new Promise<void>((resolve, reject) => {
          const done = (error?: Error) => {
            stream.off('drain', done);
            stream.off('error', done);
            if (error) reject(error);
            else resolve();
          };
          stream.once('drain', done);
          stream.once('error', done);
        });
      }
    },
    async finish() {
      if (failure) throw failure;
    },
    async abandon() {},
  };
}

/** Writes `file` by way of a hidden partial copy beside it, renamed over it by `finish`. */
export function fileSink(file: string): ClosableSink {
  const partial = path.join(path.dirname(file), `.${path.basename(file)}.partial-${process.pid}`);
  const stream = createWriteStream(partial, { flags: 'wx', encoding: 'utf8' });
  const sink = streamSink(stream);
  const closed = () =>
    new Promise<void>((resolve, reject) => {
      if (stream.closed) return resolve();
      stream.once('error', reject);
      stream.end(() => resolve());
    });
  return {
    write: sink.write,
    async finish() {
      await sink.finish();
      await closed();
      renameSync(partial, file);
    },
    async abandon() {
      await closed().catch(() => {});
      rmSync(partial, { force: true });
    },
  };
}
