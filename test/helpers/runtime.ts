/** Builds real runtimes and listening servers for tests: a real database, real HTTP. */
import type { AddressInfo } from 'node:net';
import type { Runtime } from '../../src/runtime.js';
import { buildApp } from '../../src/app.js';
import { accountsContext, closeRuntime, createRuntime } from '../../src/runtime.js';
import type { Role } from '../../src/accounts/model.js';
import * as accounts from '../../src/accounts/service.js';
import type { Clock } from '../../src/platform/clock.js';
import type { CommentModeration } from '../../src/moderation/ports.js';
import { loadConfig } from '../../src/platform/config.js';
import { createLogger } from '../../src/platform/logger.js';
import type { DatabaseKind, TestDatabase } from './databases.js';
import { sqliteKind } from './databases.js';

export const TEST_SECRET = 'test-secret-'.padEnd(64, 'x');

export interface TestRuntime {
  runtime: Runtime;
  database: TestDatabase;
  close(): Promise<void>;
}

export interface TestRuntimeOptions {
  kind?: DatabaseKind;
  clock?: Clock;
  env?: Record<string, string>;
  /**
   * Which moderation judges new comments: `'real'` (the site's rules, as in production), one of
   * the test's choosing such as {@link holdMarkedComments}, or by default {@link
   * lenientModeration}, which approves everything so that tests of other things are not held by
   * the flood and duplicate rules.
   */
  moderation?: 'real' | CommentModeration;
  /**
   * Settings of the site, stored before the server is built (as an owner's would be), e.g.
   * `{ discussion: { editWindowSeconds: 2 } }`.
   */
  siteSettings?: Record<string, unknown>;
}

/** Approves every comment and logs nothing: for tests of everything but moderation. */
export const lenientModeration: CommentModeration = {
  consult: () => Promise.resolve(undefined),
  judge: () => Promise.resolve({ decision: 'approve', reasons: [] }),
  record: () => Promise.resolve(),
};

/** Holds comments whose body contains "[hold]", as the moderation pipeline holds suspect ones. */
export const holdMarkedComments: CommentModeration = {
  ...lenientModeration,
  judge: (_db, comment) =>
    Promise.resolve(
      comment.body.includes('[hold]')
        ? {
            decision: 'hold',
            reasons: [{ code: 'suspect-term', message: 'Held by the test.' }],
          }
        : { decision: 'approve', reasons: [] },
    ),
};

export async function createTestRuntime(options: TestRuntimeOptions = {}): Promise<TestRuntime> {
  const database = await (options.kind ?? sqliteKind).create();
  const config = loadConfig({
    DATA_DIR: database.dataDir,
    DATABASE_URL: database.databaseUrl,
    SECRET: TEST_SECRET,
    LOG_LEVEL: 'silent',
    ...options.env,
  });
  const runtime = await createRuntime(config, {
    logger: createLogger('silent'),
    clock: options.clock,
    moderation:
      options.moderation === 'real' ? undefined : (options.moderation ?? lenientModeration),
  });
  return {
    runtime,
    database,
    async close() {
      await closeRuntime(runtime);
      await database.drop();
    },
  };
}

export interface TestServer extends TestRuntime {
  url: string;
  siteId: string;
}

/** A real server listening on a free loopback port. */
export async function startTestServer(options: TestRuntimeOptions = {}): Promise<TestServer> {
  const base = await createTestRuntime(options);
  if (options.siteSettings) {
    const ctx = accountsContext(base.runtime);
    const site = await accounts.ensureSite(ctx, { name: 'Broadside' });
    await accounts.updateSiteSettings(ctx, site.id, () => options.siteSettings ?? {});
  }
  const { app, site } = await buildApp(base.runtime);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return {
    ...base,
    url: `http://127.0.0.1:${port}`,
    siteId: site.id,
    async close() {
      await app.close();
      await base.close();
    },
  };
}

/** Adds a member who can sign in with `password` (through the same link flow a person uses). */
export async function addMemberWithPassword(
  runtime: Runtime,
  input: { siteId: string; email: string; role: Role; password?: string; name?: string },
) {
  const ctx = accountsContext(runtime);
  const password = input.password ?? 'correct horse battery staple';
  const { member, link } = await accounts.addMember(ctx, { ...input, displayName: input.name });
  await accounts.setPasswordWithLink(ctx, { token: link.token, password });
  return { member, password };
}
