// The demo content: the two sample documents, shipped in demo/ as byte-for-byte copies of the
// project's seeds, loaded by `serve` on a site's first start and never again.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { statementsContext } from '../../src/runtime.js';
import { DEMO_DOCUMENTS, demoDirectory, loadDemoContent } from '../../src/interchange/demo.js';
import { parseTextThread } from '../../src/interchange/text-thread.js';
import type { StatementsContext } from '../../src/statements/service.js';
import * as statements from '../../src/statements/service.js';
import { createInstallation } from '../helpers/cli.js';
import { databaseKinds, sqliteKind } from '../helpers/databases.js';
import type { TestServer } from '../helpers/runtime.js';
import { startTestServer } from '../helpers/runtime.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const seeds = path.join(repoRoot, '..', 'shared', 'seeds');
const demoFile = (name: string) => path.join(repoRoot, 'demo', name);

/** The statement each demo document becomes, as the parser reads it from the file in demo/. */
const documents = DEMO_DOCUMENTS.map((document) => ({
  ...document,
  statement: parseTextThread(readFileSync(demoFile(document.file), 'utf8')).statement,
}));

describe('the demo documents', () => {
  it('are the files in demo/, where the server finds them', () => {
    expect(demoDirectory()).toBe(path.join(repoRoot, 'demo'));
    expect(DEMO_DOCUMENTS.map((d) => d.file)).toEqual([
      'paris-statement-with-comments.txt',
      'westminster-statement.txt',
    ]);
  });

  // The seeds live beside the repository, not in it: a clean clone (CI) has only the copies.
  it.skipIf(!existsSync(seeds))('are byte-for-byte copies of ../shared/seeds', () => {
    for (const { file } of DEMO_DOCUMENTS) {
      expect(readFileSync(demoFile(file)).equals(readFileSync(path.join(seeds, file))), file).toBe(
        true,
      );
    }
  });
});

describe.each(databaseKinds)('loadDemoContent on $name', (kind) => {
  let server: TestServer;
  let ctx: StatementsContext;

  beforeEach(async () => {
    server = await startTestServer({ kind });
    ctx = statementsContext(server.runtime);
  });
  afterEach(async () => {
    await server.close();
  });

  it('publishes both documents on a site without statements, with their authors and clearance notes', async () => {
    const loaded = await loadDemoContent(ctx, { siteId: server.siteId });
    expect(loaded?.map((s) => [s.title, s.statementCreated])).toEqual(
      documents.map((d) => [d.statement.title, true]),
    );
    for (const [i, summary] of (loaded ?? []).entries()) {
      const { statement } = await statements.getPublishedStatement(ctx, {
        siteId: server.siteId,
        slug: summary.slug,
      });
      expect(statement).toMatchObject({
        title: documents[i]?.statement.title,
        subtitle: documents[i]?.statement.subtitle,
        authorName: documents[i]?.authorName,
        clearanceNote: documents[i]?.clearanceNote,
      });
    }
    expect(loaded?.[0]).toMatchObject({ commentsCreated: 15 });
    expect(documents.map((d) => [d.authorName, d.clearanceNote])).toEqual([
      ['Jim Denham', 'Personal statement, not cleared'],
      ['Unsigned', 'Collective statement, cleared by the organisation'],
    ]);
    // The newest first on the home page: Westminster (2017), then Paris (2015).
    const list = await statements.listPublishedStatements(ctx, server.siteId, { limit: 10 });
    expect(list.items.map((item) => item.title)).toEqual(
      documents.map((d) => d.statement.title).reverse(),
    );
  });

  it('does nothing on a site that has any statement', async () => {
    await statements.publishStatement(ctx, {
      siteId: server.siteId,
      title: 'Our own first statement',
      body: 'Text.',
      authorName: 'Someone',
    });
    expect(await loadDemoContent(ctx, { siteId: server.siteId })).toBeUndefined();
    const list = await statements.listPublishedStatements(ctx, server.siteId, { limit: 10 });
    expect(list.items.map((item) => item.title)).toEqual(['Our own first statement']);
  });
});

describe.concurrent('broadside serve and the demo content', () => {
  const LOADED = /loaded the demo content: 2 sample statements/;
  const getHtml = async (url: string) => {
    const response = await fetch(url, { headers: { accept: 'text/html' } });
    expect(response.status, url).toBe(200);
    return response.text();
  };
  const statementLinks = (html: string) =>
    [...html.matchAll(/<a href="(\/s\/[a-z0-9-]+)">([^<]+)<\/a>/g)].map((m) => ({
      href: m[1] ?? '',
      title: m[2] ?? '',
    }));

  it('shows both sample statements on the home page after the first start, and never loads them twice', async ({
    onTestFinished,
  }) => {
    const site = await createInstallation(sqliteKind, onTestFinished);
    const first = await site.serve();
    await first.waitForStdout(LOADED);
    const links = statementLinks(await getHtml(`${first.url}/`));
    expect(links.map((link) => link.title)).toEqual(
      documents.map((d) => d.statement.title).reverse(),
    );
    const paris = await getHtml(`${first.url}${links[1]?.href}`);
    expect(paris).toContain('<span class="statement-author">Jim Denham</span>');
    expect(paris).toContain('<p class="clearance-note">Personal statement, not cleared</p>');
    expect(paris).toContain('<span class="comment-number">10.</span>');
    const westminster = await getHtml(`${first.url}${links[0]?.href}`);
    expect(westminster).toContain('<span class="statement-author">Unsigned</span>');
    await first.kill();

    const second = await site.serve();
    await second.waitForStdout(/is running at/);
    expect(statementLinks(await getHtml(`${second.url}/`))).toEqual(links);
    const api = await fetch(`${second.url}/api/v1/statements`, {
      headers: { accept: 'application/json' },
    });
    expect(((await api.json()) as { items: unknown[] }).items).toHaveLength(2);
    expect(second.stdout()).not.toMatch(LOADED);
  });

  it('starts empty with DEMO_CONTENT=false', async ({ onTestFinished }) => {
    const site = await createInstallation(sqliteKind, onTestFinished, { DEMO_CONTENT: 'false' });
    const server = await site.serve();
    const home = await getHtml(`${server.url}/`);
    expect(home).toContain('Nothing has been published yet.');
    expect(statementLinks(home)).toEqual([]);
    expect(server.stdout()).not.toMatch(LOADED);
  });
});
