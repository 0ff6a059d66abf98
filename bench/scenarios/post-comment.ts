import { ID_PLACEHOLDER } from '../scenario.js';
import type { Scenario } from '../scenario.js';

/**
 * A new comment in Markdown, about 400 characters, made unique per request by the id that
 * replaces the placeholder, so that a duplicate check never refuses it.
 */
const COMMENT_BODY =
  `Reply ${ID_PLACEHOLDER}: I agree with the *second* paragraph, but the statement should say ` +
  'who pays. The [council report](https://www.example.org/reports/2015/housing) is clear on it:\n\n' +
  '> The shortfall falls on tenants, not on the landlords.\n\n' +
  '— Housing committee, March 2016\n\n' +
  'We said as much at the **branch meeting**, and nobody disagreed. Put it in the text.';

/**
 * Posting comments through the JSON API, anonymously (no cookie, so no CSRF token), each one
 * new: the server's answer is the created comment with its edit token (201). Requests/s here is
 * comments accepted per second. The thread starts with 100 comments.
 */
export const postCommentScenario: Scenario = {
  name: 'post-comment',
  async seed(ctx) {
    const thread = await ctx.seedThread({
      title: 'Benchmark statement for posting',
      comments: 100,
    });
    ctx.state.set('threadId', thread.threadId);
  },
  requests(ctx) {
    const threadId = ctx.state.get('threadId');
    if (threadId === undefined) throw new Error('bench: post-comment was not seeded');
    return [
      {
        label: 'POST API comment (new, anonymous)',
        method: 'POST',
        path: `/api/v1/threads/${threadId}/comments`,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          authorName: 'Load Tester',
          authorEmail: 'load.tester@example.org',
          body: COMMENT_BODY,
        }),
        idReplacement: true,
        expectStatus: 201,
      },
    ];
  },
};
