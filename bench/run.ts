// Entry point of `npm run bench`: starts the built server, measures each scenario's requests
// against it and against a minimal node:http baseline, prints a table, writes bench/results/.
import { existsSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBaseline } from './baseline-process.js';
import { installCleanupHandlers, onCleanup, runCleanup } from './cleanup.js';
import { readConfig, usage } from './config.js';
import type { BenchConfig } from './config.js';
import { measureLoad } from './load.js';
import type { Measurement } from './load.js';
import { describeMachine, formatImportTable, formatTable, writeReport } from './report.js';
import type { ImportResult, SeedResult, TargetResult } from './report.js';
import { describeExpectedStatus, ID_PLACEHOLDER, isExpectedStatus } from './scenario.js';
import type { BenchRequest, Scenario, ScenarioContext } from './scenario.js';
import { scenarios } from './scenario-registry.js';
import { runSeed } from './seed-process.js';
import { sendRequest } from './send-request.js';
import type { ServerProcess } from './server-process.js';
import { startServer } from './server-process.js';
import { formatThroughputTable } from './throughput.js';
import type { ThroughputResult } from './throughput.js';

/** Fixed so that runs are comparable; it protects nothing but throwaway benchmark data. */
const BENCH_SECRET = '0123456789abcdef'.repeat(4);
const READY_TIMEOUT_MS = 30_000;

function log(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

/** The nearest directory above this file holding a package.json: the repo root for dist/bench/. */
function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
  return dir;
}

function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

function selectScenarios(names: readonly string[]): readonly Scenario[] {
  if (names.length === 0) return scenarios;
  const known = scenarios.map((scenario) => scenario.name);
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new Error(`bench: unknown scenario ${unknown.join(', ')}; known: ${known.join(', ')}`);
  }
  return scenarios.filter((scenario) => names.includes(scenario.name));
}

function preview(body: Buffer): string {
  const text = body.subarray(0, 300).toString('utf8').replace(/\s+/g, ' ').trim();
  return body.length > 300 ? `${text}…` : text;
}

function findProblems(who: string, request: BenchRequest, measured: Measurement): string[] {
  const problems: string[] = [];
  if (measured.unexpectedResponses > 0) {
    const counts = Object.entries(measured.statusCounts)
      .filter(([status]) => !isExpectedStatus(request, Number(status)))
      .map(([status, count]) => `${count}× ${status}`)
      .join(', ');
    problems.push(
      `${who}: ${measured.unexpectedResponses} of ${measured.responses} responses were not ` +
        `${describeExpectedStatus(request)} (${counts})`,
    );
  }
  if (measured.errors > 0) {
    problems.push(`${who}: ${measured.errors} connection errors (${measured.timeouts} timeouts)`);
  }
  return problems;
}

async function benchTarget(
  scenario: Scenario,
  request: BenchRequest,
  server: ServerProcess,
  config: BenchConfig,
  tempDir: string,
): Promise<TargetResult> {
  const name = `${scenario.name} / ${request.label}`;
  server.assertRunning();

  // A benchmark of an error page is worthless, so check the answer before measuring anything.
  const probe =
    request.idReplacement && typeof request.body === 'string'
      ? { ...request, body: request.body.replaceAll(ID_PLACEHOLDER, 'first-request') }
      : request;
  const captured = await sendRequest(server.baseUrl, probe);
  if (!isExpectedStatus(request, captured.status)) {
    throw new Error(
      `bench: ${name}: ${request.method} ${request.path} answered ${captured.status}, ` +
        `expected ${describeExpectedStatus(request)}. Body: ${preview(captured.body)}`,
    );
  }

  const load = {
    connections: config.connections,
    durationSeconds: config.durationSeconds,
    warmupSeconds: config.warmupSeconds,
  };
  log(`${name}: baseline (${captured.body.length} bytes, status ${captured.status})…`);
  const baselineServer = await startBaseline(captured, tempDir);
  let baseline: Measurement;
  try {
    baseline = await measureLoad(baselineServer.baseUrl, request, load);
  } finally {
    await baselineServer.stop();
  }

  log(`${name}: server…`);
  const measured = await measureLoad(server.baseUrl, request, load);
  server.assertRunning();

  return {
    scenario: scenario.name,
    label: request.label,
    method: request.method,
    path: request.path,
    status: captured.status,
    contentType: captured.contentType ?? null,
    bodyBytes: captured.body.length,
    server: measured,
    baseline,
    ratioPercent:
      baseline.requestsPerSecond === 0
        ? 0
        : (measured.requestsPerSecond / baseline.requestsPerSecond) * 100,
    problems: [
      ...findProblems('server', request, measured),
      ...findProblems('baseline', request, baseline),
    ],
  };
}

async function main(): Promise<number> {
  installCleanupHandlers();
  const config = readConfig(process.env, process.argv.slice(2));
  if (config.help) {
    console.log(usage);
    return 0;
  }
  const selected = selectScenarios(config.scenarioNames);
  const repoRoot = findRepoRoot();
  const startedAt = new Date().toISOString();

  const tempDir = await mkdtemp(join(tmpdir(), 'broadside-bench-'));
  onCleanup({
    run: () => rm(tempDir, { recursive: true, force: true, maxRetries: 3 }),
    runSync: () => rmSync(tempDir, { recursive: true, force: true }),
  });
  const dataDir = join(tempDir, 'data');
  await mkdir(dataDir);

  const serverEnv = {
    PORT: String(await findFreePort()),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    SECRET: BENCH_SECRET,
    // The load comes from one address, far above any real visitor's rate.
    RATE_LIMIT_PER_MINUTE: '1000000000',
    COMMENT_RATE_LIMIT_PER_MINUTE: '1000000000',
    // Only the scenarios' own data: no sample statements loaded on first start.
    DEMO_CONTENT: 'false',
  };

  // Seeding writes the server's database before the server opens it.
  const states = new Map<Scenario, Map<string, string>>();
  const seeded: SeedResult[] = [];
  const imports: ImportResult[] = [];
  for (const scenario of selected) {
    const state = new Map<string, string>();
    states.set(scenario, state);
    if (scenario.seed === undefined) continue;
    log(`${scenario.name}: seeding…`);
    await scenario.seed({
      state,
      repoRoot,
      tempDir,
      serverEnv,
      recordImport: (result) => imports.push(result),
      seedThread: async (options) => {
        const thread = await runSeed(options, {
          cwd: repoRoot,
          env: { ...process.env, ...serverEnv },
        });
        log(
          `${scenario.name}: seeded ${thread.comments} comments (${thread.topLevel} top-level, ` +
            `depth up to ${thread.maxDepth}) in ${thread.seconds.toFixed(1)} s ` +
            `(${Math.round(thread.comments / Math.max(thread.seconds, 1e-9))} comments/s)`,
        );
        seeded.push({
          scenario: scenario.name,
          title: options.title,
          comments: thread.comments,
          topLevel: thread.topLevel,
          maxDepth: thread.maxDepth,
          seconds: thread.seconds,
        });
        return thread;
      },
    });
  }

  log(`starting ${config.serverCommand.join(' ')} on port ${serverEnv.PORT}…`);
  const server = await startServer({
    command: config.serverCommand,
    cwd: repoRoot,
    env: { ...process.env, ...serverEnv },
    port: Number(serverEnv.PORT),
    readyPath: '/healthz',
    readyTimeoutMs: READY_TIMEOUT_MS,
  });

  const results: TargetResult[] = [];
  const throughput: ThroughputResult[] = [];
  for (const scenario of selected) {
    const context: ScenarioContext = {
      baseUrl: server.baseUrl,
      repoRoot,
      serverEnv,
      send: (spec) => sendRequest(server.baseUrl, spec),
      state: states.get(scenario) ?? new Map(),
    };
    if (scenario.setup !== undefined) {
      log(`${scenario.name}: setup…`);
      await scenario.setup(context);
    }
    const requests =
      typeof scenario.requests === 'function' ? scenario.requests(context) : scenario.requests;
    for (const request of requests) {
      results.push(await benchTarget(scenario, request, server, config, tempDir));
    }
    if (scenario.throughput !== undefined) {
      log(`${scenario.name}: measuring in this process…`);
      throughput.push(
        ...(await scenario.throughput({
          durationSeconds: config.durationSeconds,
          warmupSeconds: config.warmupSeconds,
        })),
      );
    }
  }
  await server.stop();

  const problems = results.flatMap((result) =>
    result.problems.map((problem) => `${result.scenario} / ${result.label}: ${problem}`),
  );
  if (results.length > 0) console.log(formatTable(results));
  if (throughput.length > 0) console.log(`\n${formatThroughputTable(throughput)}`);
  if (imports.length > 0) console.log(`\n${formatImportTable(imports)}`);
  const file = await writeReport(join(repoRoot, 'bench', 'results'), {
    startedAt,
    finishedAt: new Date().toISOString(),
    ok: problems.length === 0,
    machine: describeMachine(repoRoot),
    settings: {
      connections: config.connections,
      durationSeconds: config.durationSeconds,
      warmupSeconds: config.warmupSeconds,
      serverCommand: config.serverCommand,
    },
    seeded,
    imports,
    results,
    throughput,
  });
  log(`results written to ${file} and latest.json`);

  if (problems.length > 0) {
    log(`FAILED — these numbers measured something other than the intended responses:`);
    for (const problem of problems) log(`  ${problem}`);
    return 1;
  }
  return 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await runCleanup();
}
