import { execFileSync } from 'node:child_process';
import type { ExecFileSyncOptionsWithStringEncoding } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Measurement } from './load.js';
import type { HttpMethod } from './scenario.js';
import type { ThroughputResult } from './throughput.js';

/** The outcome for one request target: the real server next to the baseline. */
export interface TargetResult {
  scenario: string;
  label: string;
  method: HttpMethod;
  path: string;
  /** Status, content type and body size of the response both servers sent. */
  status: number;
  contentType: string | null;
  bodyBytes: number;
  server: Measurement;
  baseline: Measurement;
  /** Server req/s as a percentage of baseline req/s. */
  ratioPercent: number;
  /** What makes this result untrustworthy (unexpected statuses, errors); empty when sound. */
  problems: string[];
}

/** Data a scenario seeded before the server started, and how long posting it took. */
export interface SeedResult {
  scenario: string;
  title: string;
  comments: number;
  topLevel: number;
  maxDepth: number;
  seconds: number;
}

/**
 * A bulk import measured by a scenario: the `broadside import` command in a process of its own,
 * next to the floor of reading the same file (XML parsing alone) in another.
 */
export interface ImportResult {
  scenario: string;
  format: string;
  fileBytes: number;
  posts: number;
  comments: number;
  seconds: number;
  commentsPerSecond: number;
  /** Peak resident memory of the importing process (VmHWM). */
  peakRssBytes: number;
  /** CPU time of the importing process, all threads (user + system). */
  cpuSeconds: number;
  /** CPU time of its busiest thread (0 where threads cannot be measured). */
  busiestThreadCpuSeconds: number;
  /**
   * The rate the import would reach with the machine's cores to itself: comments ÷ the larger of
   * its busiest thread's CPU time and its CPU time shared over the cores. An estimate, for a
   * machine shared with other work, where `commentsPerSecond` measures what it got.
   */
  commentsPerSecondAlone: number;
  baseline: { seconds: number; commentsPerSecond: number };
  /** Import comments/s as a percentage of the baseline's. */
  ratioPercent: number;
}

/** The imports as an aligned plain-text table. */
export function formatImportTable(imports: readonly ImportResult[]): string {
  const header = [
    'scenario',
    'comments',
    'file MB',
    'seconds',
    'comments/s',
    'peak RSS MB',
    'CPU s',
    'busiest thread s',
    'comments/s alone (est.)',
    'baseline comments/s',
    'ratio',
  ];
  const rows = imports.map((r) => [
    r.scenario,
    integer.format(r.comments),
    integer.format(r.fileBytes / 1e6),
    r.seconds.toFixed(1),
    integer.format(r.commentsPerSecond),
    integer.format(r.peakRssBytes / 1048576),
    r.cpuSeconds.toFixed(1),
    r.busiestThreadCpuSeconds.toFixed(1),
    integer.format(r.commentsPerSecondAlone),
    integer.format(r.baseline.commentsPerSecond),
    `${r.ratioPercent.toFixed(1)}%`,
  ]);
  const table = [header, ...rows];
  const widths = header.map((_, column) =>
    Math.max(...table.map((row) => (row[column] ?? '').length)),
  );
  const line = (row: readonly string[]): string =>
    row
      .map((cell, column) =>
        column < 1 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Everything one run writes to bench/results/. */
export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  ok: boolean;
  machine: MachineInfo;
  settings: {
    connections: number;
    durationSeconds: number;
    warmupSeconds: number;
    serverCommand: readonly string[];
  };
  seeded: SeedResult[];
  imports: ImportResult[];
  results: TargetResult[];
  /** In-process measurements (no server), each beside its own baseline. */
  throughput: ThroughputResult[];
}

function gitCommit(cwd: string): string | null {
  try {
    const options: ExecFileSyncOptionsWithStringEncoding = {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    };
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], options).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], options).trim() !== '';
    return dirty ? `${commit}-dirty` : commit;
  } catch {
    return null; // Not a git checkout, no commit yet, or no git: the results stand without it.
  }
}

/** Where the numbers came from: Node, CPU, OS and the commit measured. */
export interface MachineInfo {
  node: string;
  cpuModel: string;
  cpuCount: number;
  availableParallelism: number;
  memoryBytes: number;
  os: string;
  arch: string;
  /** `HEAD`, suffixed `-dirty` when the working tree has changes; null outside git. */
  gitCommit: string | null;
}

/** Collects the {@link MachineInfo} of this run. */
export function describeMachine(repoRoot: string): MachineInfo {
  const cpuList = cpus();
  return {
    node: process.version,
    cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
    cpuCount: cpuList.length,
    availableParallelism: availableParallelism(),
    memoryBytes: totalmem(),
    os: `${platform()} ${release()}`,
    arch: process.arch,
    gitCommit: gitCommit(repoRoot),
  };
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

function milliseconds(value: number): string {
  return value.toFixed(2);
}

/** The results as an aligned plain-text table; a `!` column flags targets with problems. */
export function formatTable(results: readonly TargetResult[]): string {
  const header = [
    'scenario',
    'request',
    'req/s',
    'p50 ms',
    'p99 ms',
    'bytes/resp',
    'baseline req/s',
    'baseline p99',
    'ratio',
    'non-2xx/err',
  ];
  const rows = results.map((r) => [
    r.scenario,
    r.label,
    integer.format(r.server.requestsPerSecond),
    milliseconds(r.server.latencyMs.p50),
    milliseconds(r.server.latencyMs.p99),
    integer.format(r.bodyBytes),
    integer.format(r.baseline.requestsPerSecond),
    milliseconds(r.baseline.latencyMs.p99),
    `${r.ratioPercent.toFixed(1)}%`,
    r.problems.length === 0 ? '0' : `${r.server.unexpectedResponses + r.server.errors} !`,
  ]);
  const table = [header, ...rows];
  const widths = header.map((_, column) =>
    Math.max(...table.map((row) => (row[column] ?? '').length)),
  );
  // The first two columns are text and read best left-aligned; numbers align right.
  const line = (row: readonly string[]): string =>
    row
      .map((cell, column) =>
        column < 2 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/**
 * Writes the report as `<ISO timestamp>.json` (colons replaced by dashes, which some file
 * systems forbid) and as `latest.json`; returns the timestamped path.
 */
export async function writeReport(resultsDir: string, report: BenchReport): Promise<string> {
  await mkdir(resultsDir, { recursive: true });
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const file = join(resultsDir, `${report.startedAt.replace(/:/g, '-')}.json`);
  await writeFile(file, json);
  await writeFile(join(resultsDir, 'latest.json'), json);
  return file;
}
