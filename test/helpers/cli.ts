/**
 * Runs the built `broadside` command (bin/broadside.js → dist/) as a child process, the way a
 * person or a service manager does. The child sees only the environment a test gives it.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { DatabaseTarget } from '../../src/platform/config.js';
import type { DatabaseKind } from './databases.js';

const BIN = fileURLToPath(new URL('../../bin/broadside.js', import.meta.url));
const CLI_TIMEOUT_MS = 20_000;
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
const OUTPUT_TIMEOUT_MS = 10_000;

export type Env = Record<string, string>;

export interface CliResult {
  /** The exit code; null only when the child was killed by a signal. */
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Nothing from the test runner's environment leaks in (DATABASE_URL, PORT, SECRET…) but PATH. */
function childEnv(env: Env): Env {
  return { PATH: process.env.PATH ?? '', ...env };
}

function spawnBroadside(args: string[], env: Env): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    env: childEnv(env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Runs one command to completion; fails (with its output) if it takes longer than 20 s. */
export function runCli(args: string[], options: { env: Env; input?: string }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawnBroadside(args, options.env);
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `broadside ${args.join(' ')} did not finish in ${CLI_TIMEOUT_MS} ms\n${stdout}\n${stderr}`,
        ),
      );
    }, CLI_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin?.end(options.input ?? '');
  });
}

/** A port nothing listens on right now (the kernel's choice; another process could still take it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServeProcess {
  /** http://127.0.0.1:<port>, without a trailing slash. */
  url: string;
  /** The environment `serve` runs with (PORT and HOST included), for CLI commands against it. */
  env: Env;
  stdout(): string;
  stderr(): string;
  /**
   * Resolves with the first match of `pattern` in standard output, waiting for it to be printed
   * (up to 10 s); rejects, with the output, if the process ends or time runs out first.
   */
  waitForStdout(pattern: RegExp): Promise<RegExpExecArray>;
  /**
   * Sends `signal` (SIGTERM by default) and resolves with how the process ended; after 10 s it is
   * killed outright (and ends with signal SIGKILL). Safe to call again once it has ended.
   */
  kill(signal?: NodeJS.Signals): Promise<Exit>;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts `broadside serve` on a free loopback port and resolves once it has said where it is
 * running and GET /healthz answers 200. Rejects, with everything the child printed, when it exits
 * first or 30 s pass. (Output printed after start-up, such as the setup link, may still be on its
 * way: use `waitForStdout`.)
 */
export async function startServe(env: Env): Promise<ServeProcess> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startServeOnce(env, await freePort());
    } catch (error) {
      // Another process took the free port between our check and the server's listen: try another.
      if (!(error instanceof PortTakenError) || attempt === 3) throw error;
    }
  }
}

class PortTakenError extends Error {}

async function startServeOnce(env: Env, port: number): Promise<ServeProcess> {
  const serveEnv: Env = { ...env, HOST: '127.0.0.1', PORT: String(port) };
  const url = `http://127.0.0.1:${port}`;
  const child = spawnBroadside(['serve'], serveEnv);
  child.stdin?.end();
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  let exit: Exit | undefined;
  const exited = new Promise<Exit>((resolve) => {
    child.on('close', (code, signal) => {
      exit = { code, signal };
      resolve(exit);
    });
  });

  const kill = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<Exit> => {
    if (exit) return exit;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  };
  const output = () => `--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`;

  const waitForStdout = async (pattern: RegExp, timeoutMs = OUTPUT_TIMEOUT_MS) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = pattern.exec(stdout);
      if (match) return match;
      if (exit) throw new Error(`broadside serve ended without printing ${pattern}\n${output()}`);
      if (Date.now() > deadline)
        throw new Error(`broadside serve did not print ${pattern} in ${timeoutMs} ms\n${output()}`);
      await delay(25);
    }
  };

  // "is running at" is printed only once this process listens: a 200 from /healthz before it
  // could come from some other server that has the port.
  const running = `is running at ${url}/`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (exit) {
      if (/^broadside: PORT: \d+ is already in use/m.test(stderr))
        throw new PortTakenError(output());
      throw new Error(
        `broadside serve exited (code ${exit.code}, signal ${exit.signal}) before it answered /healthz\n${output()}`,
      );
    }
    if (Date.now() > deadline) {
      await kill('SIGKILL');
      throw new Error(
        `broadside serve did not answer /healthz within ${START_TIMEOUT_MS / 1000} s\n${output()}`,
      );
    }
    const healthy =
      stdout.includes(running) &&
      (await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) }).then(
        (response) => response.status === 200,
        () => false,
      ));
    if (healthy) break;
    await delay(50);
  }

  return { url, env: serveEnv, stdout: () => stdout, stderr: () => stderr, waitForStdout, kill };
}

/** A fresh installation of Broadside: its DATA_DIR, its environment, and commands run with it. */
export interface Installation {
  kind: DatabaseKind['name'];
  /** Where the data lives, to look at it directly. */
  target: DatabaseTarget;
  dataDir: string;
  env: Env;
  cli(...args: string[]): Promise<CliResult>;
  serve(): Promise<ServeProcess>;
}

/**
 * Prepares an installation for one test: an empty DATA_DIR and, for PostgreSQL, an empty database
 * named by DATABASE_URL. `cleanUp` is given the teardown (pass the test's `onTestFinished`): it
 * stops the servers started through the installation first, then drops the database.
 */
export async function createInstallation(
  kind: DatabaseKind,
  cleanUp: (teardown: () => Promise<void>) => void,
  extraEnv: Env = {},
): Promise<Installation> {
  const database = await kind.create();
  const servers: ServeProcess[] = [];
  cleanUp(async () => {
    await Promise.all(servers.map((server) => server.kill('SIGKILL')));
    await database.drop();
  });
  const env: Env = {
    DATA_DIR: database.dataDir,
    ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
    ...extraEnv,
  };
  return {
    kind: kind.name,
    target: database.target,
    dataDir: database.dataDir,
    env,
    cli: (...args) => runCli(args, { env }),
    async serve() {
      const server = await startServe(env);
      servers.push(server);
      return server;
    },
  };
}

/** The rows of a table printed by `user list` or `token list`, header first, split into cells. */
export function tableRows(stdout: string): string[][] {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.trim().split(/\s{2,}/));
}
