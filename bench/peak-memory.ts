// Preloaded into a measured command (`node --import dist/bench/peak-memory.js …`): when the
// process exits, however it exits, it writes its peak resident memory, its CPU time (all threads)
// and the CPU time of its busiest thread as one line on standard error, for the harness to read.
// It changes nothing else. The busiest thread's time bounds what the command would do with a
// core to itself for each thread, whatever else shares the machine.
import { readdirSync, readFileSync, writeSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';
import { PEAK_MEMORY_PREFIX } from './peak-memory-line.js';

/** Linux's clock ticks per second for /proc times (`getconf CLK_TCK`). */
const TICKS_PER_SECOND = 100;

function peakRssBytes(): number {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (hwm?.[1]) return Number(hwm[1]) * 1024;
  } catch {
    // Not Linux: Node's own figure, in kilobytes.
  }
  return process.resourceUsage().maxRSS * 1024;
}

/** CPU ticks of each thread seen so far; a worker's entry is gone once it ends, so sample. */
const threadTicks = new Map<string, number>();
const threadNames = new Map<string, string>();

function sampleThreads(): void {
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // Fields after the parenthesised name: state is the 3rd field, utime the 14th, stime the 15th.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = Number(fields[11]) + Number(fields[12]);
      if (Number.isFinite(ticks)) threadTicks.set(tid, Math.max(ticks, threadTicks.get(tid) ?? 0));
      if (!threadNames.has(tid))
        threadNames.set(tid, stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')));
    }
  } catch {
    // Not Linux, or a thread ended while being read: the next sample sees the rest.
  }
}

// Preloads run in worker threads too: the process is measured from its main thread alone.
if (isMainThread) setInterval(sampleThreads, 250).unref();

process.on('exit', () => {
  if (!isMainThread) return;
  sampleThreads();
  const usage = process.resourceUsage();
  const line = JSON.stringify({
    peakRssBytes: peakRssBytes(),
    cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
    busiestThreadCpuSeconds: Math.max(0, ...threadTicks.values()) / TICKS_PER_SECOND,
    threads: [...threadTicks]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 6)
      .map(([tid, ticks]) => ({
        name: threadNames.get(tid),
        cpuSeconds: ticks / TICKS_PER_SECOND,
      })),
  });
  writeSync(2, `${PEAK_MEMORY_PREFIX}${line}\n`);
});
