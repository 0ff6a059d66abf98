/** `/healthz`: the process is up. `/readyz`: it can reach its database (load balancers ask this). */
import { Type } from 'typebox';
import type { HttpServer } from './server.js';

const HealthSchema = Type.Object({ status: Type.String(), version: Type.String() });
const ReadySchema = Type.Object({ status: Type.String(), database: Type.String() });

export function registerHealthRoutes(
  app: HttpServer,
  deps: { ping: () => Promise<void>; version: string },
) {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['operations'],
        summary: 'The process is up',
        response: { 200: HealthSchema },
      },
    },
    async () => ({ status: 'ok', version: deps.version }),
  );
  app.get(
    '/readyz',
    {
      schema: {
        tags: ['operations'],
        summary: 'The database is reachable',
        response: { 200: ReadySchema, 503: ReadySchema },
      },
    },
    async (request, reply) => {
      try {
        await deps.ping();
        return { status: 'ok', database: 'reachable' };
      } catch (error) {
        request.log.warn({ err: error }, 'readiness check failed: database unreachable');
        return reply.status(503).send({ status: 'unavailable', database: 'unreachable' });
      }
    },
  );
}
