import { request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestSpec } from './scenario.js';

/** A complete response, body bytes exactly as received (no decompression, no redirects). */
export interface CapturedResponse {
  status: number;
  contentType: string | undefined;
  /** All response headers, e.g. `set-cookie` and `etag` for a scenario's setup. */
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * Sends one request with `node:http` and buffers the response. Not `fetch`: it would add
 * `accept-encoding` and decode the body, so the bytes would differ from what the load sees.
 */
export function sendRequest(
  baseUrl: string,
  spec: RequestSpec,
  timeoutMs = 10_000,
): Promise<CapturedResponse> {
  const url = new URL(spec.path, baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: spec.method, headers: { ...spec.headers }, agent: false, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: res.headers['content-type'],
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        );
      },
    );
    req.on('timeout', () =>
      req.destroy(new Error(`${spec.method} ${url.href} got no answer within ${timeoutMs} ms`)),
    );
    req.on('error', reject);
    req.end(spec.body);
  });
}
