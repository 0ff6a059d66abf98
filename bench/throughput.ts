/**
 * Throughput of work done in the bench process itself, without a server: how many items a
 * function handles a second on one core (the main thread of this process), next to a baseline
 * over the same items measured in the same run, in interleaved slices so that both see the same
 * machine. Rates are per second of this process's CPU time, which is what one core does; the
 * wall-clock rate (lower when other processes take the core away) is kept beside it.
 */
import { performance } from 'node:perf_hooks';

/** One in-process measurement, beside its baseline. */
export interface ThroughputResult {
  scenario: string;
  label: string;
  /** What one item is, for the table: "comments". */
  unit: string;
  /** Items handled per second of CPU time by the measured function. */
  perSecond: number;
  /** The same per second of wall-clock time (equal on an otherwise idle machine). */
  wallPerSecond: number;
  /** Items handled per second by the baseline over the same items. */
  baselinePerSecond: number;
  /** `perSecond` as a percentage of `baselinePerSecond`. */
  ratioPercent: number;
  /** What the baseline is, in words. */
  baseline: string;
  /** Items and seconds measured (warm-up excluded). */
  items: number;
  seconds: number;
  /** Facts about the input and the outcome worth keeping beside the figure (counts, sizes). */
  notes: Record<string, number | string>;
}

/** The settings a throughput scenario is given (BENCH_DURATION and BENCH_WARMUP). */
export interface ThroughputSettings {
  durationSeconds: number;
  warmupSeconds: number;
}

const SLICES = 5;
/** Items handled between looks at the clock: few enough to stop on time, enough to cost nothing. */
const BATCH = 64;

interface Slice {
  items: number;
  /** CPU seconds (user and system) this process spent. */
  cpuSeconds: number;
  wallSeconds: number;
}

/** Calls `work(i)` for i = start, start + 1… until `seconds` of CPU time have passed. */
function runFor(work: (index: number) => void, start: number, seconds: number): Slice {
  const began = performance.now();
  const cpuBefore = process.cpuUsage();
  const cpuMicros = () => {
    const used = process.cpuUsage(cpuBefore);
    return used.user + used.system;
  };
  let index = start;
  while (cpuMicros() < seconds * 1e6) {
    for (let i = 0; i < BATCH; i++) work(index++);
  }
  return {
    items: index - start,
    cpuSeconds: cpuMicros() / 1e6,
    wallSeconds: (performance.now() - began) / 1_000,
  };
}

/**
 * Measures `measured` against `baseline` (each `(index) => void`, cycling over the same input),
 * after a warm-up of both; each gets `durationSeconds` in {@link SLICES} interleaved slices.
 */
export function measureThroughput(
  settings: ThroughputSettings,
  measured: (index: number) => void,
  baseline: (index: number) => void,
): {
  perSecond: number;
  wallPerSecond: number;
  baselinePerSecond: number;
  items: number;
  seconds: number;
} {
  if (settings.warmupSeconds > 0) {
    runFor(baseline, 0, settings.warmupSeconds / 2);
    runFor(measured, 0, settings.warmupSeconds / 2);
  }
  const slice = settings.durationSeconds / SLICES;
  const totals = { items: 0, seconds: 0, wallSeconds: 0, baselineItems: 0, baselineSeconds: 0 };
  let next = 0;
  let nextBaseline = 0;
  for (let round = 0; round < SLICES; round++) {
    const base = runFor(baseline, nextBaseline, slice);
    nextBaseline += base.items;
    totals.baselineItems += base.items;
    totals.baselineSeconds += base.cpuSeconds;
    const run = runFor(measured, next, slice);
    next += run.items;
    totals.items += run.items;
    totals.seconds += run.cpuSeconds;
    totals.wallSeconds += run.wallSeconds;
  }
  return {
    perSecond: totals.items / totals.seconds,
    wallPerSecond: totals.items / totals.wallSeconds,
    baselinePerSecond: totals.baselineItems / totals.baselineSeconds,
    items: totals.items,
    seconds: totals.seconds,
  };
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** The results as an aligned plain-text table. */
export function formatThroughputTable(results: readonly ThroughputResult[]): string {
  const header = [
    'scenario',
    'measured',
    'per CPU second',
    'per wall second',
    'baseline',
    'baseline/s',
    'ratio',
  ];
  const rows = results.map((r) => [
    r.scenario,
    r.label,
    `${integer.format(r.perSecond)} ${r.unit}`,
    integer.format(r.wallPerSecond),
    r.baseline,
    integer.format(r.baselinePerSecond),
    `${r.ratioPercent.toFixed(1)}%`,
  ]);
  const table = [header, ...rows];
  const widths = header.map((_, column) =>
    Math.max(...table.map((row) => (row[column] ?? '').length)),
  );
  const numeric = new Set([2, 3, 5, 6]);
  const line = (row: readonly string[]): string =>
    row
      .map((cell, column) =>
        numeric.has(column) ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [line(header), rule, ...rows.map(line)].join('\n');
}
