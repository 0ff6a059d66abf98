// The floor of an import: reading the same export with saxes (positions tracked, as the import
// does) and doing nothing with it but counting comments. `node dist/bench/import-baseline.js FILE`
// prints `{"comments": n, "seconds": s}`.
import { open } from 'node:fs/promises';
import { SaxesParser } from 'saxes';

const file = process.argv[2];
if (!file) throw new Error('usage: import-baseline.js FILE');

const started = performance.now();
const parser = new SaxesParser({ position: true });
let comments = 0;
parser.on('opentag', (tag) => {
  if (tag.name === 'wp:comment') comments += 1;
});
const decoder = new TextDecoder('utf-8');
const handle = await open(file, 'r');
const buffer = Buffer.alloc(1 << 20);
for (;;) {
  const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
  if (bytesRead === 0) break;
  parser.write(decoder.decode(buffer.subarray(0, bytesRead), { stream: true }));
}
await handle.close();
parser.close();
console.log(JSON.stringify({ comments, seconds: (performance.now() - started) / 1000 }));
