/** The process logger (pino, which Fastify also uses), so CLI and server log alike. */
import { pino } from 'pino';
import type { Logger } from 'pino';
import type { LogLevel } from './config.js';

export type { Logger };

/**
 * `stream` is where the lines go: standard output for the server (where service managers collect
 * it), standard error for one-off commands, whose standard output may be data (`broadside export`).
 */
export function createLogger(level: LogLevel, stream: 'stdout' | 'stderr' = 'stdout'): Logger {
  const options = {
    level,
    // Never log credentials that arrive in headers.
    redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
  };
  // Synchronous on standard error, so that nothing is lost when a command exits right after.
  return stream === 'stdout'
    ? pino(options)
    : pino(options, pino.destination({ dest: 2, sync: true }));
}
