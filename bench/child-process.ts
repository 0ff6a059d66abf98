import type { ChildProcess } from 'node:child_process';
import { onCleanup } from './cleanup.js';

/** Keeps the last lines a child wrote, for error messages, and echoes them to our stderr. */
export class OutputTail {
  private lines: string[] = [];
  private partial = '';

  constructor(
    private readonly prefix: string,
    private readonly maxLines = 60,
  ) {}

  /** Feeds a chunk of the child's stdout or stderr. */
  write(chunk: Buffer | string): void {
    const parts = (this.partial + chunk.toString()).split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) this.push(line);
  }

  /** The kept lines, indented, or a note that there were none. */
  text(): string {
    const lines = this.partial === '' ? this.lines : [...this.lines, this.partial];
    return lines.length === 0 ? '  (no output)' : lines.map((line) => `  ${line}`).join('\n');
  }

  private push(line: string): void {
    // Our stdout carries the results table, so children's output goes to stderr.
    process.stderr.write(`${this.prefix}${line}\n`);
    this.lines.push(line);
    if (this.lines.length > this.maxLines) this.lines.shift();
  }
}

/** How a child ended, for messages: `exit code 1` or `signal SIGKILL`. */
export function describeExit(child: ChildProcess): string {
  if (child.signalCode !== null) return `signal ${child.signalCode}`;
  return `exit code ${String(child.exitCode)}`;
}

/** True once the child has exited (or never started). */
export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/**
 * Registers a child with the cleanup handlers and returns its `stop`: SIGTERM, then SIGKILL
 * after `graceMs` if it is still running. Safe to call more than once.
 */
export function stopOnCleanup(child: ChildProcess, graceMs = 5_000): () => Promise<void> {
  const stop = async (): Promise<void> => {
    unregister();
    if (hasExited(child) || child.pid === undefined) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  const unregister = onCleanup({
    run: stop,
    runSync: () => {
      if (!hasExited(child)) child.kill('SIGKILL');
    },
  });
  return stop;
}
