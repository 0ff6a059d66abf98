/** Settings of one benchmark run, from the environment and the command line. */
export interface BenchConfig {
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  /** Executable and arguments of the server under test. */
  serverCommand: readonly string[];
  /** Scenarios to run; empty means all. */
  scenarioNames: readonly string[];
  help: boolean;
}

/** Printed for `--help` and after a bad argument. */
export const usage = `usage: node dist/bench/run.js [scenario-name…]   (or: npm run bench -- [scenario-name…])

Environment:
  BENCH_DURATION     seconds measured per target and server (default 10)
  BENCH_CONNECTIONS  concurrent connections (default 10)
  BENCH_WARMUP       seconds of uncounted warm-up before each measurement (default 2; 0 skips)
  BENCH_SERVER_CMD   server command, split on spaces (default "node bin/broadside.js serve")`;

function readNumber(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  valid: (value: number) => boolean,
  what: string,
): number {
  const text = env[name]?.trim();
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!valid(value)) throw new Error(`bench: ${name} must be ${what}, got "${text}"`);
  return value;
}

/**
 * Reads the run's settings. A leading `node` in BENCH_SERVER_CMD becomes this Node binary, so
 * the server runs on the same version the results report.
 */
export function readConfig(env: NodeJS.ProcessEnv, args: readonly string[]): BenchConfig {
  const commandText = env['BENCH_SERVER_CMD']?.trim() || 'node bin/broadside.js serve';
  const [executable, ...commandArgs] = commandText.split(/\s+/);
  const serverCommand = [
    executable === 'node' ? process.execPath : (executable ?? ''),
    ...commandArgs,
  ];

  const flags = args.filter((arg) => arg.startsWith('-'));
  const unknownFlag = flags.find((flag) => flag !== '--help' && flag !== '-h');
  if (unknownFlag !== undefined) throw new Error(`bench: unknown option ${unknownFlag}\n${usage}`);

  return {
    connections: readNumber(
      env,
      'BENCH_CONNECTIONS',
      10,
      (n) => Number.isInteger(n) && n >= 1,
      'a whole number of at least 1',
    ),
    durationSeconds: readNumber(
      env,
      'BENCH_DURATION',
      10,
      (n) => Number.isFinite(n) && n > 0,
      'a positive number of seconds',
    ),
    warmupSeconds: readNumber(
      env,
      'BENCH_WARMUP',
      2,
      (n) => Number.isFinite(n) && n >= 0,
      'a number of seconds, 0 or more',
    ),
    serverCommand,
    scenarioNames: args.filter((arg) => !arg.startsWith('-')),
    help: flags.length > 0,
  };
}
