// The baseline: the least work a Node HTTP server can do to send a given response. Run as its
// own process by baseline-process.ts: `node baseline-server.js <body file> <status> [content-type]`.
// It prints `{"port":N}` on stdout once listening and exits when its stdin closes, so it never
// outlives the harness.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const [bodyFile, statusText, contentType] = process.argv.slice(2);
const status = Number(statusText);
if (bodyFile === undefined || !Number.isInteger(status)) {
  console.error('usage: node baseline-server.js <body file> <status> [content-type]');
  process.exit(2);
}

const body = readFileSync(bodyFile);
const headers: Record<string, string | number> = { 'content-length': body.length };
if (contentType) headers['content-type'] = contentType;

const server = createServer((req, res) => {
  // Discard any request body without waiting for it: the baseline is the floor, not a peer.
  req.resume();
  res.writeHead(status, headers);
  res.end(body);
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ port })}\n`);
});

process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
