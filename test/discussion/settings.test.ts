// A site's discussion settings (its settings JSON, `discussion`): read with defaults, refused with
// a message naming the setting, and obeyed by a server built with them.
import { describe, expect, it } from 'vitest';
import { statementsContext } from '../../src/runtime.js';
import {
  DEFAULT_DISCUSSION_SETTINGS,
  discussionSettingsOf,
  editWindowText,
} from '../../src/discussion/model.js';
import * as statements from '../../src/statements/service.js';
import { Browser } from '../helpers/http.js';
import { startTestServer } from '../helpers/runtime.js';
import { buildStatement } from '../statements/factories.js';

describe('discussionSettingsOf', () => {
  it('keeps the defaults for what a site does not set', () => {
    expect(discussionSettingsOf({})).toEqual(DEFAULT_DISCUSSION_SETTINGS);
    expect(discussionSettingsOf({ embedOrigins: [] })).toEqual(DEFAULT_DISCUSSION_SETTINGS);
    expect(discussionSettingsOf({ discussion: { editWindowSeconds: 90, maxDepth: 3 } })).toEqual({
      maxDepth: 3,
      maxBodyLength: 10_000,
      editWindowMs: 90_000,
    });
  });

  it('refuses a value that is not a whole number in range, naming the setting', () => {
    expect(() => discussionSettingsOf({ discussion: { maxDepth: 1 } })).toThrow(
      'Site setting `discussion.maxDepth` must be a whole number from 2 to 50, not 1.',
    );
    expect(() => discussionSettingsOf({ discussion: { editWindowSeconds: '60' } })).toThrow(
      /`discussion.editWindowSeconds` must be a whole number/,
    );
    expect(() => discussionSettingsOf({ discussion: [] })).toThrow(
      'Site setting `discussion` must be an object.',
    );
  });

  it('says the edit window in words', () => {
    const text = (seconds: number) =>
      editWindowText({ ...DEFAULT_DISCUSSION_SETTINGS, editWindowMs: seconds * 1000 });
    expect([text(900), text(60), text(90), text(1)]).toEqual([
      '15 minutes',
      '1 minute',
      '90 seconds',
      '1 second',
    ]);
  });
});

describe('a server built with a site’s discussion settings', () => {
  it('keeps to its edit window and body limit', async () => {
    const server = await startTestServer({
      siteSettings: { discussion: { editWindowSeconds: 1, maxBodyLength: 50 } },
    });
    try {
      const { statement, thread } = await statements.publishStatement(
        statementsContext(server.runtime),
        buildStatement(server.siteId),
      );
      const path = `/s/${statement.slug}`;
      const html = await (await new Browser(server.url).get(path)).text();
      expect(html).toContain('maxlength="50"');
      const api = `${server.url}/api/v1/threads/${thread.id}/comments`;
      const post = (body: string) =>
        fetch(api, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ authorName: 'Ann', body }),
        });
      expect((await post('x'.repeat(51))).status).toBe(413);
      const { comment, editToken } = (await (await post('Short')).json()) as {
        comment: { id: string };
        editToken: string;
      };
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const late = await fetch(`${server.url}/api/v1/comments/${comment.id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', 'x-edit-token': editToken },
        body: JSON.stringify({ body: 'Too late' }),
      });
      expect(late.status).toBe(403);
      expect(((await late.json()) as { error: { message: string } }).error.message).toBe(
        'Comments can be edited for 1 second after posting; this one no longer can.',
      );
    } finally {
      await server.close();
    }
  });
});
