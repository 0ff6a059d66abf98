// Preloaded into a measured command (`node --import dist/bench/peak-memory.js …`): when the
// process exits, however it exits, it writes its peak resident memory and its CPU time (all
// threads) as one line on standard error, for the harness to read. It changes nothing else.
import { readFileSync, writeSync } from 'node:fs';
import { PEAK_MEMORY_PREFIX } from './peak-memory-line.js';

function peakRssBytes(): number {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (hwm?.[1]) return Number(hwm[1]) * 1024;
  } catch {
    // Not Linux: Node's own figure, in kilobytes.
  }
  return process.resourceUsage().maxRSS * 1024;
}

process.on('exit', () => {
  const usage = process.resourceUsage();
  const line = JSON.stringify({
    peakRssBytes: peakRssBytes(),
    cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
  });
  writeSync(2, `${PEAK_MEMORY_PREFIX}${line}\n`);
});
