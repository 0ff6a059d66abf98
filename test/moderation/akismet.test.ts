import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAkismetClassifier,
  createConfiguredClassifier,
} from '../../src/moderation/akismet.js';
import { consultClassifier } from '../../src/moderation/classifier.js';
import type { Classifier } from '../../src/moderation/classifier.js';
import type { CommentUnderReview } from '../../src/moderation/model.js';
import { NO_HISTORY } from '../../src/moderation/model.js';
import { ConfigError, loadConfig } from '../../src/platform/config.js';
import { freePort } from '../helpers/cli.js';

const KEY = 'abc123key';

/**
 * A local service speaking Akismet's comment-check protocol. The comment's text says how to
 * answer: "viagra" → spam; "[slow]" → after 1.5 s; "[500]" → an HTTP error; "[garbage]" → an
 * answer that is neither true nor false. A wrong key gets Akismet's "invalid" with its help header.
 */
interface Received {
  path: string;
  contentType: string | undefined;
  form: URLSearchParams;
}
const received: Received[] = [];

async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
  let body = '';
  for await (const chunk of request) body += String(chunk);
  const form = new URLSearchParams(body);
  received.push({ path: request.url ?? '', contentType: request.headers['content-type'], form });
  const content = form.get('comment_content') ?? '';
  if (request.method !== 'POST' || request.url !== '/1.1/comment-check') {
    response.writeHead(404).end('not found');
    return;
  }
  if (form.get('api_key') !== KEY) {
    response
      .writeHead(200, { 'X-akismet-debug-help': 'We were unable to verify your API key.' })
      .end('invalid');
    return;
  }
  if (content.includes('[500]')) {
    response.writeHead(500).end('internal error');
    return;
  }
  if (content.includes('[slow]')) await new Promise((resolve) => setTimeout(resolve, 1_500));
  if (content.includes('[garbage]')) {
    response.writeHead(200).end('<html>maintenance</html>');
    return;
  }
  response
    .writeHead(200, { 'content-type': 'text/plain' })
    .end(content.includes('viagra') ? 'true' : 'false');
}

const server = createServer((request, response) => {
  answer(request, response).catch((error: unknown) => response.destroy(error as Error));
});
let base: string;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/1.1`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function comment(overrides: Partial<CommentUnderReview> = {}): CommentUnderReview {
  return {
    siteId: 'site',
    threadId: 'thread',
    body: 'Arm the Kurds and then what?',
    authorName: 'Political Tourist',
    authorEmail: 'tourist@example.org',
    authorAccountId: undefined,
    ipHash: 'f3a9c0ffee',
    authorUrl: 'https://tourist.example.org/',
    threadStatus: 'open',
    origin: 'local',
    history: NO_HISTORY,
    now: new Date('2026-11-24T12:00:00Z'),
    ...overrides,
  };
}

const classifier = (key = KEY): Classifier =>
  createAkismetClassifier({ url: base, key, blog: 'https://statements.example.org/' });

describe('the Akismet-compatible classifier', () => {
  it('says ham for an ordinary comment, sending the protocol form', async () => {
    received.length = 0;
    expect(await consultClassifier(classifier(), comment(), 2_000)).toEqual({ kind: 'ham' });
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request?.path).toBe('/1.1/comment-check');
    expect(request?.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    expect(Object.fromEntries(request?.form ?? [])).toEqual({
      api_key: KEY,
      blog: 'https://statements.example.org/',
      blog_charset: 'UTF-8',
      user_ip: 'f3a9c0ffee', // the keyed hash: moderation never has the address
      comment_type: 'comment',
      comment_author: 'Political Tourist',
      comment_author_email: 'tourist@example.org',
      comment_author_url: 'https://tourist.example.org/',
      comment_content: 'Arm the Kurds and then what?',
    });
  });

  it('leaves out what the comment does not have', async () => {
    received.length = 0;
    await consultClassifier(
      classifier(),
      comment({ authorEmail: undefined, authorUrl: undefined, ipHash: undefined }),
      2_000,
    );
    const fields = [...(received[0]?.form.keys() ?? [])];
    expect(fields).not.toContain('comment_author_email');
    expect(fields).not.toContain('comment_author_url');
    expect(fields).not.toContain('user_ip');
  });

  it('says spam when the service does', async () => {
    expect(await consultClassifier(classifier(), comment({ body: 'cheap viagra' }), 2_000)).toEqual(
      {
        kind: 'spam',
        name: 'Akismet',
      },
    );
  });

  it('is unavailable with a wrong key, quoting the debug help', async () => {
    const outcome = await consultClassifier(classifier('wrong'), comment(), 2_000);
    expect(outcome).toMatchObject({ kind: 'unavailable', name: 'Akismet' });
    expect(outcome?.kind === 'unavailable' && outcome.problem).toMatch(
      /answered "invalid" instead of true or false: We were unable to verify your API key/,
    );
  });

  it('is unavailable on an HTTP error', async () => {
    const outcome = await consultClassifier(classifier(), comment({ body: 'x [500]' }), 2_000);
    expect(outcome).toMatchObject({
      kind: 'unavailable',
      problem: expect.stringMatching(/HTTP 500/),
    });
  });

  it('is unavailable on an answer that is neither true nor false', async () => {
    const outcome = await consultClassifier(classifier(), comment({ body: '[garbage]' }), 2_000);
    expect(outcome).toMatchObject({
      kind: 'unavailable',
      problem: expect.stringMatching(/<html>maintenance<\/html>/),
    });
  });

  it('gives up after the timeout', async () => {
    const started = performance.now();
    const outcome = await consultClassifier(classifier(), comment({ body: '[slow]' }), 200);
    expect(outcome).toMatchObject({
      kind: 'unavailable',
      problem: expect.stringMatching(/no answer within 200 ms/),
    });
    // It did not wait for the 1.5 s answer (a generous bound: this is not a timing assertion).
    expect(performance.now() - started).toBeLessThan(1_400);
  });

  it('is unavailable when nothing listens', async () => {
    const port = await freePort();
    const nowhere = createAkismetClassifier({
      url: `http://127.0.0.1:${port}/1.1`,
      key: KEY,
      blog: 'https://statements.example.org/',
    });
    const outcome = await consultClassifier(nowhere, comment(), 2_000);
    expect(outcome).toMatchObject({
      kind: 'unavailable',
      problem: expect.stringMatching(/ECONNREFUSED/),
    });
  });

  it('is not asked about imports, nor when none is configured', async () => {
    received.length = 0;
    expect(
      await consultClassifier(classifier(), comment({ origin: 'import' }), 2_000),
    ).toBeUndefined();
    expect(await consultClassifier(undefined, comment(), 2_000)).toBeUndefined();
    expect(received).toHaveLength(0);
  });

  it('never throws, even when the classifier itself throws at once', async () => {
    const broken: Classifier = {
      name: 'Broken',
      classify: () => {
        throw new Error('boom');
      },
    };
    expect(await consultClassifier(broken, comment(), 2_000)).toEqual({
      kind: 'unavailable',
      name: 'Broken',
      problem: 'boom',
    });
  });
});

describe('configuration', () => {
  it('is off unless CLASSIFIER_URL is set', () => {
    const config = loadConfig({});
    expect(config.classifier).toBeUndefined();
    expect(config.classifierTimeoutMs).toBe(2000);
    expect(createConfiguredClassifier(config)).toBeUndefined();
  });

  it('reads the URL, the key and the timeout', async () => {
    const config = loadConfig({
      CLASSIFIER_URL: base,
      CLASSIFIER_KEY: KEY,
      CLASSIFIER_TIMEOUT_MS: '500',
      BASE_URL: 'https://statements.example.org',
    });
    expect(config.classifier?.url.toString()).toBe(`${base}/`);
    expect(config.classifierTimeoutMs).toBe(500);
    const configured = createConfiguredClassifier(config);
    expect(configured?.name).toBe('The spam classifier');
    received.length = 0;
    expect(await consultClassifier(configured, comment({ body: 'viagra' }), 2_000)).toMatchObject({
      kind: 'spam',
    });
    expect(received[0]?.form.get('blog')).toBe('https://statements.example.org/');
  });

  it.each([
    [{ CLASSIFIER_URL: 'rest.akismet.com' }, /^CLASSIFIER_URL: "rest.akismet.com" is not a URL/],
    [
      { CLASSIFIER_URL: 'ftp://x.example', CLASSIFIER_KEY: 'k' },
      /^CLASSIFIER_URL: must start with http/,
    ],
    [{ CLASSIFIER_URL: 'https://x.example/?key=1', CLASSIFIER_KEY: 'k' }, /query string/],
    [
      { CLASSIFIER_URL: 'https://rest.akismet.com/1.1' },
      /^CLASSIFIER_KEY: must be set when CLASSIFIER_URL is/,
    ],
    [{ CLASSIFIER_KEY: 'k' }, /^CLASSIFIER_KEY: is set but CLASSIFIER_URL is not/],
    [{ CLASSIFIER_TIMEOUT_MS: '0' }, /^CLASSIFIER_TIMEOUT_MS: "0" is not a number of milliseconds/],
    [{ CLASSIFIER_TIMEOUT_MS: '2s' }, /^CLASSIFIER_TIMEOUT_MS: "2s"/],
    [{ CLASSIFIER_TIMEOUT_MS: '60001' }, /^CLASSIFIER_TIMEOUT_MS/],
  ])('refuses %o', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
