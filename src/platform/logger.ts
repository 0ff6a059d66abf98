/** The process logger (pino, which Fastify also uses), so CLI and server log alike. */
import { pino } from 'pino';
import type { Logger } from 'pino';
import type { LogLevel } from './config.js';

export type { Logger };

export function createLogger(level: LogLevel): Logger {
  return pino({
    level,
    // Never log credentials that arrive in headers.
    redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
  });
}
