/** Prometheus metrics at `/metrics`: the process's own, and a latency histogram per route. */
import { Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { HttpServer } from './server.js';

export function registerMetrics(app: HttpServer): Registry {
  // A registry per server, so that tests building several apps in one process do not collide.
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'broadside_' });
  const duration = new Histogram({
    name: 'broadside_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  app.addHook('onResponse', (request, reply, done) => {
    // The route pattern, not the URL, so that label cardinality stays bounded.
    const route = request.routeOptions.url ?? 'unmatched';
    duration.observe(
      { method: request.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    done();
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });
  return registry;
}
