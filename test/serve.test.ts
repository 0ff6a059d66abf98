// `broadside serve` as an operator meets it: the built command started as a child process on a
// fresh DATA_DIR, talked to over real HTTP, and stopped with a signal.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createInstallation, runCli } from './helpers/cli.js';
import type { ServeProcess } from './helpers/cli.js';
import { databaseKinds } from './helpers/databases.js';

const sqlite = databaseKinds.find((kind) => kind.name === 'sqlite');
const postgres = databaseKinds.find((kind) => kind.name === 'postgres');
if (!sqlite) throw new Error('SQLite is missing from databaseKinds');

/** The setup link `serve` prints once it has started, as a path: `/setup/<token>`. */
async function setupLinkPath(server: ServeProcess): Promise<string> {
  const pattern = new RegExp(`^ +${server.url}(/setup/[A-Za-z0-9_-]{20,})$`, 'm');
  return (await server.waitForStdout(pattern))[1] ?? '';
}

const getPage = (url: string) =>
  fetch(url, { headers: { accept: 'text/html' }, redirect: 'manual' });

describe.concurrent('broadside serve', () => {
  it('on a fresh DATA_DIR serves a styled home page, creates the database and a secret, and says how to create the owner', async ({
    onTestFinished,
  }) => {
    const site = await createInstallation(sqlite, onTestFinished);
    const server = await site.serve(); // fails unless /healthz answers 200 within 30 s

    const home = await getPage(`${server.url}/`);
    expect(home.status).toBe(200);
    expect(home.headers.get('content-type')).toMatch(/^text\/html/);
    const stylesheet = /<link rel="stylesheet" href="(\/assets\/[^"]+\.css)"/.exec(
      await home.text(),
    )?.[1];
    expect(stylesheet).toBeDefined();
    const css = await fetch(`${server.url}${stylesheet}`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    expect((await css.text()).length).toBeGreaterThan(100);

    expect(existsSync(path.join(site.dataDir, 'broadside.db'))).toBe(true);
    const secretFile = path.join(site.dataDir, 'secret');
    expect(readFileSync(secretFile, 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);

    const setupLink = await setupLinkPath(server);
    const stdout = server.stdout();
    expect(stdout).toContain(`is running at ${server.url}/`);
    expect(stdout).toContain('This site has no owner yet');
    expect(stdout).toContain('user add --email you@example.org --role owner');
    expect((await getPage(server.url + setupLink)).status).toBe(200);
  });

  it.skipIf(!postgres)(
    'with DATABASE_URL uses PostgreSQL, is ready, and creates no SQLite file',
    async ({ onTestFinished }) => {
      if (!postgres) throw new Error('skipped without BROADSIDE_TEST_POSTGRES');
      const site = await createInstallation(postgres, onTestFinished);
      const server = await site.serve();

      const ready = await fetch(`${server.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ok', database: 'reachable' });
      expect(server.stdout()).toContain(`is running at ${server.url}/ (database: PostgreSQL)`);
      expect(existsSync(path.join(site.dataDir, 'broadside.db'))).toBe(false);
    },
  );

  it('stops with exit code 2 and one line naming PORT when the port is taken', async ({
    onTestFinished,
  }) => {
    const site = await createInstallation(sqlite, onTestFinished);
    const occupier = createServer();
    await new Promise<void>((resolve) => occupier.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => occupier.close(() => resolve())));
    const { port } = occupier.address() as AddressInfo;

    const result = await runCli(['serve'], {
      env: { ...site.env, HOST: '127.0.0.1', PORT: String(port) },
    });
    expect(result.code, result.stdout + result.stderr).toBe(2);
    expect(result.stderr).toBe(
      `broadside: PORT: ${port} is already in use on 127.0.0.1; choose another port\n`,
    );
  });
});

describe.concurrent.for(databaseKinds)('broadside serve on $name', (kind) => {
  it('keeps its secret across restarts, and only the newest setup link works', async ({
    onTestFinished,
  }) => {
    const site = await createInstallation(kind, onTestFinished);
    const secretFile = path.join(site.dataDir, 'secret');

    const first = await site.serve();
    const secret = readFileSync(secretFile, 'utf8');
    const oldLink = await setupLinkPath(first);
    expect((await getPage(first.url + oldLink)).status).toBe(200);
    expect(await first.kill()).toEqual({ code: 0, signal: null });

    const second = await site.serve();
    expect(readFileSync(secretFile, 'utf8')).toBe(secret);
    const newLink = await setupLinkPath(second);
    expect(newLink).not.toBe(oldLink);
    expect((await getPage(second.url + oldLink)).status).toBe(404);
    expect((await getPage(second.url + newLink)).status).toBe(200);
  });

  it.for(['SIGTERM', 'SIGINT'] as const)(
    'exits cleanly with code 0 within 5 s on %s',
    async (signal, { onTestFinished }) => {
      const site = await createInstallation(kind, onTestFinished);
      const server = await site.serve();
      await setupLinkPath(server); // start-up is over: the last thing it does is print this
      const sent = Date.now();
      const exit = await server.kill(signal);
      expect(exit, server.stdout() + server.stderr()).toEqual({ code: 0, signal: null });
      expect(Date.now() - sent).toBeLessThan(5_000);
      expect(server.stdout()).toContain(`${signal} received: closing`);
      expect(server.stderr()).toBe('');
    },
  );
});
