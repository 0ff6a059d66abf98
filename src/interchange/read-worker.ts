/**
 * The worker thread of `read-export.ts`: reads an export and posts its records in batches, a
 * bounded number ahead of what the main thread has taken.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerInput, WorkerMessage } from './read-export.js';
import { readInThread } from './read-export.js';
import { ImportFileError, UnreadableFileError } from './xml-stream.js';

// The window ahead (2,400 records) covers the main thread's longest pause in taking records: a
// commit of 2,000 records with its WAL checkpoint. A smaller one left both threads idle by turns
// (100,000 comments: 7.3 s → 5.3 s measured); the records in flight cost about 15 MB.
const BATCH = 200;
const AHEAD = 12;

const port = parentPort;
if (!port) throw new Error('read-worker.js runs only as a worker thread');
const input = workerData as WorkerInput;

let unacknowledged = 0;
let wake: (() => void) | undefined;
port.on('message', () => {
  unacknowledged -= 1;
  wake?.();
  wake = undefined;
});

let bytesRead = 0;
async function send(records: unknown[]): Promise<void> {
  while (unacknowledged >= AHEAD) await new Promise<void>((resolve) => (wake = resolve));
  unacknowledged += 1;
  post({ type: 'records', records, bytesRead });
}

function post(message: WorkerMessage): void {
  port?.postMessage(message);
}

let batch: unknown[] = [];
try {
  const records = readInThread(input.format, input.file, {
    addressKey: input.addressKey,
    onBytes: (bytes) => (bytesRead = bytes),
  });
  for await (const record of records) {
    batch.push(record);
    if (batch.length >= BATCH) {
      await send(batch);
      batch = [];
    }
  }
  await send(batch);
  post({ type: 'end' });
} catch (error) {
  await send(batch);
  if (error instanceof ImportFileError) {
    post({
      type: 'file-error',
      position: error.position,
      problem: error.problem,
      unreadable: error instanceof UnreadableFileError,
    });
  } else
    post({
      type: 'error',
      message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
}
port.close();
