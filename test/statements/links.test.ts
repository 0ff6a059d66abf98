// Links that lead back to a statement's discussion from outside the page: its Atom feed and the
// comment permalinks that reply e-mails carry.
import { parseFeed } from '@rowanmanning/feed-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discussionContext, statementsContext } from '../../src/runtime.js';
import * as discussion from '../../src/discussion/service.js';
import * as statements from '../../src/statements/service.js';
import type { TestServer } from '../helpers/runtime.js';
import { startTestServer } from '../helpers/runtime.js';
import { buildStatement } from './factories.js';

let server: TestServer;
let slug: string;
let commentId: string;

beforeAll(async () => {
  server = await startTestServer({ env: { BASE_URL: 'https://statements.example.org/' } });
  const published = await statements.publishStatement(
    statementsContext(server.runtime),
    buildStatement(server.siteId, { title: 'On Paris' }),
  );
  slug = published.statement.slug;
  const posted = await discussion.postComment(discussionContext(server.runtime), {
    threadId: published.thread.id,
    author: { name: 'Ann' },
    body: 'A first comment & a second thought.',
  });
  commentId = posted.comment.id;
});
afterAll(async () => {
  await server.close();
});

describe('a statement’s discussion from outside its page', () => {
  it('has an Atom feed at /s/:slug/comments.atom that a feed reader understands', async () => {
    const response = await fetch(`${server.url}/s/${slug}/comments.atom`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
    const feed = parseFeed(await response.text());
    expect(feed.url).toBe(`https://statements.example.org/s/${slug}`);
    expect(feed.self).toBe(`https://statements.example.org/s/${slug}/comments.atom`);
    expect(feed.items.map((item) => [item.title, item.url])).toEqual([
      ['Comment 1 by Ann', `https://statements.example.org/s/${slug}#comment-${commentId}`],
    ]);
  });

  it('answers 404 for the feed of a statement that does not exist', async () => {
    const response = await fetch(`${server.url}/s/no-such-statement/comments.atom`);
    expect(response.status).toBe(404);
  });

  it('sends comment permalinks (/c/:id, used in reply e-mails) to the statement page', async () => {
    const response = await fetch(`${server.url}/c/${commentId}`, { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toMatch(
      new RegExp(`/s/${slug}#comment-${commentId}$`),
    );
  });
});
