import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeExit, OutputTail, stopOnCleanup } from './child-process.js';

/** The response the baseline repeats. */
export interface BaselineResponse {
  status: number;
  contentType: string | undefined;
  body: Buffer;
}

/** A running baseline server. */
export interface BaselineProcess {
  baseUrl: string;
  stop(): Promise<void>;
}

const script = fileURLToPath(new URL('./baseline-server.js', import.meta.url));
let nextFileNumber = 0;

/**
 * Starts baseline-server.js in its own process, answering every request with `response`.
 * The body travels through a file in `tempDir`.
 */
export async function startBaseline(
  response: BaselineResponse,
  tempDir: string,
): Promise<BaselineProcess> {
  const bodyFile = join(tempDir, `baseline-body-${nextFileNumber++}.bin`);
  await writeFile(bodyFile, response.body);
  const child = spawn(
    process.execPath,
    [script, bodyFile, String(response.status), response.contentType ?? ''],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const stop = stopOnCleanup(child);
  const output = new OutputTail('[baseline] ');
  child.stderr.on('data', (chunk: Buffer) => output.write(chunk));

  try {
    const port = await new Promise<number>((resolve, reject) => {
      let stdout = '';
      const timer = setTimeout(
        () => reject(new Error('bench: the baseline server did not start within 10 s')),
        10_000,
      );
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const newline = stdout.indexOf('\n');
        if (newline === -1) return;
        clearTimeout(timer);
        const parsed: unknown = JSON.parse(stdout.slice(0, newline));
        const port = (parsed as { port?: unknown }).port;
        if (typeof port === 'number' && port > 0) resolve(port);
        else reject(new Error(`bench: the baseline server printed ${stdout.slice(0, newline)}`));
      });
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.on('exit', () => {
        clearTimeout(timer);
        reject(
          new Error(
            `bench: the baseline server exited with ${describeExit(child)}:\n${output.text()}`,
          ),
        );
      });
    });
    return { baseUrl: `http://127.0.0.1:${port}`, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
