import autocannon from 'autocannon';
import { isExpectedStatus } from './scenario.js';
import type { BenchRequest } from './scenario.js';

/** How hard and how long to drive one target. */
export interface LoadOptions {
  connections: number;
  durationSeconds: number;
  /** A run before the measured one, thrown away, so JIT and caches are warm; 0 skips it. */
  warmupSeconds: number;
}

/** What one measured run saw. Latencies cover responses with the expected status only. */
export interface Measurement {
  requestsPerSecond: number;
  latencyMs: { mean: number; p50: number; p90: number; p99: number; max: number };
  responses: number;
  durationSeconds: number;
  /** Response count per HTTP status, e.g. `{ "200": 51234 }`. */
  statusCounts: Record<string, number>;
  /** Responses whose status was not the expected one (by default: not 2xx). */
  unexpectedResponses: number;
  /** Connection errors, timeouts included. */
  errors: number;
  timeouts: number;
  /** Bytes received per second, headers included. */
  bytesPerSecond: number;
}

type ResponseListener = (status: number, responseTimeMs: number) => void;

function runAutocannon(
  url: string,
  request: BenchRequest,
  connections: number,
  durationSeconds: number,
  onResponse?: ResponseListener,
): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        method: request.method,
        headers: { ...request.headers },
        body: request.body,
        idReplacement: request.idReplacement ?? false,
        connections,
        duration: durationSeconds,
      },
      (error: unknown, result) => (error ? reject(error) : resolve(result)),
    );
    if (onResponse !== undefined) {
      instance.on('response', (_client, status, _bytes, responseTime) =>
        onResponse(status, responseTime),
      );
    }
  });
}

function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[index] ?? 0;
}

/**
 * Warms up, then drives `request` against `baseUrl` with autocannon. Latencies are recorded
 * here from each response rather than taken from autocannon's histogram, which rounds to
 * whole milliseconds — too coarse for responses that take a fraction of one.
 */
export async function measureLoad(
  baseUrl: string,
  request: BenchRequest,
  options: LoadOptions,
): Promise<Measurement> {
  const url = new URL(request.path, baseUrl).href;
  if (options.warmupSeconds > 0) {
    await runAutocannon(url, request, options.connections, options.warmupSeconds);
  }

  const latencies: number[] = [];
  const statusCounts: Record<string, number> = {};
  let unexpectedResponses = 0;
  const result = await runAutocannon(
    url,
    request,
    options.connections,
    options.durationSeconds,
    (status, responseTimeMs) => {
      statusCounts[status] = (statusCounts[status] ?? 0) + 1;
      if (isExpectedStatus(request, status)) latencies.push(responseTimeMs);
      else unexpectedResponses += 1;
    },
  );

  const sorted = Float64Array.from(latencies).sort();
  const sum = latencies.reduce((total, value) => total + value, 0);
  return {
    requestsPerSecond: result.requests.total / result.duration,
    latencyMs: {
      mean: latencies.length === 0 ? 0 : sum / latencies.length,
      p50: percentile(sorted, 0.5),
      p90: percentile(sorted, 0.9),
      p99: percentile(sorted, 0.99),
      max: percentile(sorted, 1),
    },
    responses: result.requests.total,
    durationSeconds: result.duration,
    statusCounts,
    unexpectedResponses,
    errors: result.errors,
    timeouts: result.timeouts,
    bytesPerSecond: result.throughput.total / result.duration,
  };
}
