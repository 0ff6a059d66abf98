// Runs once before the suite: checks that `npm test` built what the browser tests and the CLI
// tests need, so a missing build fails with one clear line instead of many confusing ones.
import { existsSync } from 'node:fs';

export default function setup(): void {
  for (const file of ['dist/src/cli.js', 'dist/public/manifest.json']) {
    if (!existsSync(file))
      throw new Error(`${file} is missing: run the tests with \`npm test\`, which builds first`);
  }
}
