import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { describeExit, OutputTail, stopOnCleanup } from '../child-process.js';
import { PEAK_MEMORY_PREFIX } from '../peak-memory-line.js';
import type { Scenario, SeedContext } from '../scenario.js';
import { writeWxr } from '../wxr-generator.js';

function log(message: string): void {
  process.stderr.write(`bench: import-wxr: ${message}\n`);
}

function sizeFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name]?.trim();
  if (!text) return fallback;
  const value = Number(text.replace(/[_,]/g, ''));
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`bench: ${name} must be a whole number of at least 1, got "${text}"`);
  return value;
}

interface Finished {
  stdout: string;
  stderr: string;
  seconds: number;
}

/** Runs a built script with Node in a process of its own; rejects with its output on failure. */
async function run(
  args: string[],
  where: { cwd: string; env: NodeJS.ProcessEnv },
  prefix: string,
): Promise<Finished> {
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: where.cwd,
    env: where.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stop = stopOnCleanup(child);
  const tail = new OutputTail(prefix);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    tail.write(chunk);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', () =>
        child.exitCode === 0
          ? resolve()
          : reject(
              new Error(
                `bench: ${args.join(' ')} failed (${describeExit(child)}):\n${tail.text()}`,
              ),
            ),
      );
    });
  } finally {
    await stop();
  }
  return { stdout, stderr, seconds: (performance.now() - started) / 1000 };
}

/**
 * Imports a generated WordPress export through the real command, `broadside import FILE --format
 * wxr`, in a process of its own, into an empty SQLite database of its own (so that the other
 * scenarios' figures do not change with a million more comments): comments per second, peak
 * resident memory and CPU time of that process — and, since the machine may be shared, the rate it
 * would reach with the cores to itself, estimated from its CPU times (all threads, and the busiest
 * one). The baseline reads the same file with saxes and nothing else. Size: BENCH_IMPORT_COMMENTS
 * (default 1,000,000) on BENCH_IMPORT_POSTS posts (default one per 100 comments). The file is
 * written a post at a time, never held in memory.
 */
export const importWxrScenario: Scenario = {
  name: 'import-wxr',
  async seed(ctx: SeedContext) {
    const comments = sizeFrom(process.env, 'BENCH_IMPORT_COMMENTS', 1_000_000);
    const posts = sizeFrom(
      process.env,
      'BENCH_IMPORT_POSTS',
      Math.max(1, Math.round(comments / 100)),
    );
    const dir = join(ctx.tempDir, 'import-wxr');
    await mkdir(join(dir, 'data'), { recursive: true });
    const file = join(dir, 'export.xml');
    log(
      `writing a WordPress export of ${comments.toLocaleString('en')} comments on ${posts.toLocaleString('en')} posts…`,
    );
    const generated = await writeWxr(file, { posts, comments });
    log(
      `${(generated.bytes / 1e6).toFixed(0)} MB written; reading it with saxes alone (baseline)…`,
    );
    const where = { cwd: ctx.repoRoot, env: { ...process.env, ...ctx.serverEnv } };
    const baseline = await run(
      [join(ctx.repoRoot, 'dist/bench/import-baseline.js'), file],
      where,
      '[baseline] ',
    );
    const floor = JSON.parse(baseline.stdout.trim()) as { comments: number; seconds: number };
    if (floor.comments !== generated.comments)
      throw new Error(
        `bench: the baseline read ${floor.comments} comments, the file has ${generated.comments}`,
      );

    log('importing it: broadside import --format wxr…');
    const imported = await run(
      [
        '--import',
        join(ctx.repoRoot, 'dist/bench/peak-memory.js'),
        join(ctx.repoRoot, 'bin/broadside.js'),
        'import',
        file,
        '--format',
        'wxr',
      ],
      { cwd: ctx.repoRoot, env: { ...where.env, DATA_DIR: join(dir, 'data') } },
      '[import] ',
    );
    const created = /^ {2}comments +([\d,]+) created/m.exec(imported.stdout)?.[1];
    if (Number(created?.replace(/,/g, '')) !== generated.comments)
      throw new Error(
        `bench: the import created ${created ?? 'no'} comments of ${generated.comments}:\n${imported.stdout}`,
      );
    const peakLine = imported.stderr
      .split('\n')
      .find((line) => line.startsWith(PEAK_MEMORY_PREFIX));
    if (!peakLine) throw new Error('bench: the import did not report its peak memory');
    const usage = JSON.parse(peakLine.slice(PEAK_MEMORY_PREFIX.length)) as {
      peakRssBytes: number;
      cpuSeconds: number;
      busiestThreadCpuSeconds: number;
    };
    const commentsPerSecond = generated.comments / imported.seconds;
    const baselinePerSecond = floor.comments / floor.seconds;
    ctx.recordImport({
      scenario: 'import-wxr',
      format: 'wxr',
      fileBytes: generated.bytes,
      posts,
      comments: generated.comments,
      seconds: imported.seconds,
      commentsPerSecond,
      peakRssBytes: usage.peakRssBytes,
      cpuSeconds: usage.cpuSeconds,
      busiestThreadCpuSeconds: usage.busiestThreadCpuSeconds,
      commentsPerSecondAlone:
        generated.comments /
        Math.max(usage.busiestThreadCpuSeconds, usage.cpuSeconds / availableParallelism()),
      baseline: { seconds: floor.seconds, commentsPerSecond: baselinePerSecond },
      ratioPercent: (commentsPerSecond / baselinePerSecond) * 100,
    });
    log(
      `${generated.comments.toLocaleString('en')} comments in ${imported.seconds.toFixed(1)} s: ` +
        `${Math.round(commentsPerSecond).toLocaleString('en')} comments/s, peak RSS ` +
        `${Math.round(usage.peakRssBytes / 1048576)} MB, ${usage.cpuSeconds.toFixed(1)} s of CPU ` +
        `(busiest thread ${usage.busiestThreadCpuSeconds.toFixed(1)} s)`,
    );
  },
  // The measure is the import itself; nothing is served from it.
  requests: [],
};
