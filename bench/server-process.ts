import { spawn } from 'node:child_process';
import { describeExit, hasExited, OutputTail, stopOnCleanup } from './child-process.js';
import { sendRequest } from './send-request.js';

/** How to start the server under test. */
export interface ServerOptions {
  /** Executable and arguments, e.g. `[process.execPath, 'bin/broadside.js', 'serve']`. */
  command: readonly string[];
  cwd: string;
  /** The complete environment of the child. */
  env: NodeJS.ProcessEnv;
  port: number;
  /** Path that answers 200 once the server is ready. */
  readyPath: string;
  readyTimeoutMs: number;
}

/** A running server under test. */
export interface ServerProcess {
  baseUrl: string;
  /** Throws, with the server's last output, if the server has exited. */
  assertRunning(): void;
  stop(): Promise<void>;
}

/**
 * Starts the server in its own process and resolves once `readyPath` answers 200. Rejects with
 * the server's output if it exits first or is not ready within `readyTimeoutMs`.
 */
export async function startServer(options: ServerOptions): Promise<ServerProcess> {
  const [executable, ...args] = options.command;
  if (executable === undefined) throw new Error('bench: the server command is empty');
  const baseUrl = `http://127.0.0.1:${options.port}`;
  const output = new OutputTail('[server] ');
  const child = spawn(executable, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stop = stopOnCleanup(child);
  child.stdout.on('data', (chunk: Buffer) => output.write(chunk));
  child.stderr.on('data', (chunk: Buffer) => output.write(chunk));
  let spawnError: Error | undefined;
  child.on('error', (error) => (spawnError = error));

  const commandText = options.command.join(' ');
  const failure = (what: string): Error =>
    new Error(`bench: the server (${commandText}) ${what}.\nIts last output:\n${output.text()}`);

  const deadline = Date.now() + options.readyTimeoutMs;
  let lastAttempt = 'no attempt yet';
  for (;;) {
    if (spawnError !== undefined) {
      await stop();
      throw failure(`could not be started: ${spawnError.message}`);
    }
    if (hasExited(child)) {
      // Let the pipes drain so the error shows the child's last words.
      await new Promise((resolve) => setTimeout(resolve, 100));
      throw failure(`exited with ${describeExit(child)} before ${options.readyPath} answered 200`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw failure(
        `was not ready within ${options.readyTimeoutMs / 1000} s (GET ${options.readyPath}: ${lastAttempt})`,
      );
    }
    try {
      const response = await sendRequest(
        baseUrl,
        { method: 'GET', path: options.readyPath },
        1_000,
      );
      if (response.status === 200) break;
      lastAttempt = `status ${response.status}`;
    } catch (error) {
      lastAttempt = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  return {
    baseUrl,
    assertRunning() {
      if (hasExited(child))
        throw failure(`exited with ${describeExit(child)} during the benchmark`);
    },
    stop,
  };
}
