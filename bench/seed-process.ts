import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describeExit, OutputTail, stopOnCleanup } from './child-process.js';
import type { SeededThread, SeedOptions } from './seed.js';

export type { SeededThread, SeedOptions } from './seed.js';

const script = fileURLToPath(new URL('./seed.js', import.meta.url));

/**
 * Runs seed.js in its own process with the server's environment and waits for it: the data is
 * written, and the database closed, before this resolves. Rejects with the seeder's output if
 * it fails.
 */
export async function runSeed(
  options: SeedOptions,
  where: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<SeededThread> {
  const child = spawn(process.execPath, [script, JSON.stringify(options)], {
    cwd: where.cwd,
    env: where.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stop = stopOnCleanup(child);
  const output = new OutputTail('[seed] ');
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => output.write(chunk));
  try {
    await new Promise<void>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', () => {
        if (child.exitCode === 0) resolve();
        else
          reject(
            new Error(
              `bench: seeding "${options.title}" failed (${describeExit(child)}):\n${output.text()}`,
            ),
          );
      });
    });
  } finally {
    await stop();
  }
  const line = stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line) as SeededThread;
  } catch {
    throw new Error(`bench: the seeder printed ${JSON.stringify(line)} instead of its result`);
  }
}
