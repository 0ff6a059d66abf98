/** Something to undo before the harness exits: stop a child process, remove a temp dir. */
export interface CleanupTask {
  /** The normal way, awaited on success, failure and Ctrl-C. */
  run(): Promise<void>;
  /** Last resort from the `exit` event, where nothing asynchronous runs any more. */
  runSync(): void;
}

const pending: CleanupTask[] = [];

/** Registers a task; the returned function unregisters it once it has been done by hand. */
export function onCleanup(task: CleanupTask): () => void {
  pending.push(task);
  return () => {
    const index = pending.indexOf(task);
    if (index !== -1) pending.splice(index, 1);
  };
}

/** Runs every pending task, newest first; a failing task does not stop the others. */
export async function runCleanup(): Promise<void> {
  for (let task = pending.pop(); task !== undefined; task = pending.pop()) {
    try {
      await task.run();
    } catch (error) {
      console.error('bench: cleanup step failed:', error);
    }
  }
}

function runCleanupSync(): void {
  for (let task = pending.pop(); task !== undefined; task = pending.pop()) {
    try {
      task.runSync();
    } catch {
      // The process is exiting; there is no one left to tell.
    }
  }
}

/**
 * Cleans up on Ctrl-C / SIGTERM (a second signal skips the graceful path) and, as a fallback,
 * synchronously on any exit that left tasks pending.
 */
export function installCleanupHandlers(): void {
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals, code: number): void => {
    if (interrupted) {
      runCleanupSync();
      process.exit(code);
    }
    interrupted = true;
    console.error(`\nbench: ${signal} received, stopping child processes…`);
    void runCleanup().finally(() => process.exit(code));
  };
  process.on('SIGINT', () => onSignal('SIGINT', 130));
  process.on('SIGTERM', () => onSignal('SIGTERM', 143));
  process.on('exit', runCleanupSync);
}
