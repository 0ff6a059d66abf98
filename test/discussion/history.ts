/** A comment's earlier versions as stored, oldest first: nothing in the app reads them back yet. */
import type { DiscussionDb } from '../../src/discussion/store.js';

export async function editHistory(db: DiscussionDb, commentId: string) {
  return db
    .selectFrom('comment_edits')
    .select(['body', 'html', 'replaced_at'])
    .where('comment_id', '=', commentId)
    .orderBy('replaced_at')
    .orderBy('id')
    .execute();
}
