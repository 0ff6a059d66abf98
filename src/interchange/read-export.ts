/**
 * The records of a WordPress or Disqus export, read in this thread or in a worker thread. Reading
 * (XML parsing, HTML to Markdown, hashing addresses) costs as much as writing, so the command line
 * reads in a worker while the main thread writes: the two share the machine's cores. The worker
 * runs a bounded number of records ahead, so memory stays bounded whatever the file's size.
 */
import { Worker } from 'node:worker_threads';
import type { DisqusRecord } from './disqus-reader.js';
import { readDisqus } from './disqus-reader.js';
import type { ImportFormat } from './import-engine.js';
import type { WxrRecord } from './wxr-reader.js';
import { readWxr } from './wxr-reader.js';
import type { AddressKey, Position } from './xml-stream.js';
import { ImportFileError, UnreadableFileError } from './xml-stream.js';

/** The reading thread's heap: a few batches of records at a time, and the largest single one. */
const READER_HEAP_MB = 64;

export interface ReadOptions {
  /** Keys the hashes of commenters' addresses. */
  addressKey: AddressKey;
  onBytes?: (bytesRead: number) => void;
  /** Read in a worker thread (the command line); in this thread otherwise (tests, small files). */
  inWorker?: boolean;
}

export interface RecordsOf {
  wxr: WxrRecord;
  disqus: DisqusRecord;
}

/** What the worker sends: a batch of records, the end, or why it stopped. */
export type WorkerMessage =
  | { type: 'records'; records: unknown[]; bytesRead: number }
  | { type: 'end' }
  | { type: 'file-error'; position: Position | undefined; problem: string; unreadable: boolean }
  | { type: 'error'; message: string };

export interface WorkerInput {
  format: ImportFormat;
  file: string;
  addressKey: AddressKey;
}

/** The reader of a format, in this thread. */
export function readInThread<F extends ImportFormat>(
  format: F,
  file: string,
  options: Omit<ReadOptions, 'inWorker'>,
): AsyncGenerator<RecordsOf[F]> {
  return (format === 'wxr' ? readWxr(file, options) : readDisqus(file, options)) as AsyncGenerator<
    RecordsOf[F]
  >;
}

export function readExport<F extends ImportFormat>(
  format: F,
  file: string,
  options: ReadOptions,
): AsyncGenerator<RecordsOf[F]> {
  return options.inWorker
    ? (readInWorker(format, file, options) as AsyncGenerator<RecordsOf[F]>)
    : readInThread(format, file, options);
}

async function* readInWorker(
  format: ImportFormat,
  file: string,
  options: ReadOptions,
): AsyncGenerator<unknown> {
  const input: WorkerInput = { format, file, addressKey: options.addressKey };
  const worker = new Worker(new URL('./read-worker.js', import.meta.url), {
    workerData: input,
    // It holds a few batches at a time: a small heap, collected often, keeps memory flat.
    resourceLimits: { maxOldGenerationSizeMb: READER_HEAP_MB, maxYoungGenerationSizeMb: 8 },
  });
  const inbox: WorkerMessage[] = [];
  let wake: (() => void) | undefined;
  const deliver = (message: WorkerMessage) => {
    inbox.push(message);
    wake?.();
    wake = undefined;
  };
  worker.on('message', deliver);
  worker.on('error', (error) =>
    deliver({
      type: 'error',
      message:
        (error as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? `it ran out of memory (${READER_HEAP_MB} MB): a single post or comment of the file is larger than that`
          : (error.stack ?? error.message),
    }),
  );
  worker.on('exit', (code) =>
    deliver({
      type: 'error',
      message: `the reading thread ended (code ${code}) before the file did`,
    }),
  );
  try {
    for (;;) {
      while (inbox.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      const message = inbox.shift() as WorkerMessage;
      switch (message.type) {
        case 'records':
          options.onBytes?.(message.bytesRead);
          // Let the worker read the next batch while this one is written.
          worker.postMessage('ack');
          yield* message.records;
          break;
        case 'end':
          return;
        case 'file-error':
          throw message.unreadable
            ? new UnreadableFileError(message.position, message.problem)
            : new ImportFileError(message.position, message.problem);
        case 'error':
          throw new Error(`reading the file failed: ${message.message}`);
      }
    }
  } finally {
    worker.removeAllListeners();
    await worker.terminate();
  }
}
