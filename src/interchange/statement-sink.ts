/**
 * Where imported posts become statements: the one place imports create statements, so that it can
 * be rewired when statements have revisions, drafts and clearance. Today a published post is
 * published with `publishStatement` (its date, slug and author kept; the clearance note says the
 * clearance was not recorded) and a draft is skipped, with the reason in the report.
 *
 * A post imported before is found by its origin (its id at the source), not by its slug, so that
 * a second import creates nothing and a statement that merely shares a slug is never taken for it.
 */
import { getThreadOfStatement } from '../discussion/service.js';
import { firstFreeSlug, isValidSlug, slugify } from '../statements/model.js';
import type { StatementsContext } from '../statements/service.js';
import { findStatementBySlug, publishStatement } from '../statements/service.js';
import { findStatement, slugsLike } from '../statements/store.js';
import type { ImportDb } from './import-store.js';
import { findOrigin, saveOrigin } from './import-store.js';

export const IMPORTED_CLEARANCE_NOTE = 'Imported — clearance not recorded';
export const DRAFTS_NOT_YET = 'drafts are imported once statement drafts exist';

export interface ImportedPost {
  siteId: string;
  /** The system it came from (a WordPress site's address) and its id there ('wxr:42'). */
  source: string;
  externalId: string;
  title: string;
  /** Markdown; headings allowed. */
  body: string;
  /** The slug it had; made from the title when it cannot be one of ours. */
  slug: string;
  publishedAt: Date;
  authorName: string;
  authorAccountId?: string;
  state: 'published' | 'draft';
}

export type SinkResult =
  | {
      outcome: 'created' | 'existing';
      statementId: string;
      threadId: string;
      slug: string;
      /** Set when the post's own slug was taken by another statement. */
      slugTakenBy?: string;
    }
  | { outcome: 'skipped'; reason: string };

/**
 * Finds the statement a post became in an earlier import, or makes one, within the caller's
 * transaction (`ctx.db`).
 */
export async function storeImportedStatement(
  ctx: StatementsContext,
  post: ImportedPost,
): Promise<SinkResult> {
  const db = ctx.db as unknown as ImportDb;
  const key = { siteId: post.siteId, source: post.source, externalId: post.externalId };
  const origin = await findOrigin(db, key);
  if (origin?.entity === 'statement') {
    const statement = await findStatement(ctx.db, origin.entityId);
    if (statement) {
      const thread = await getThreadOfStatement(ctx.discussion, statement.id);
      return {
        outcome: 'existing',
        statementId: statement.id,
        threadId: thread.id,
        slug: statement.slug,
      };
    }
  }
  if (post.state === 'draft') return { outcome: 'skipped', reason: DRAFTS_NOT_YET };

  const wanted = isValidSlug(post.slug) ? post.slug : slugify(post.slug || post.title);
  const taken = await findStatementBySlug(ctx, { siteId: post.siteId, slug: wanted });
  const slug = taken
    ? firstFreeSlug(wanted, new Set(await slugsLike(ctx.db, post.siteId, wanted)))
    : wanted;
  const { statement, thread } = await publishStatement(ctx, {
    siteId: post.siteId,
    title: post.title,
    body: post.body,
    authorName: post.authorName,
    authorAccountId: post.authorAccountId,
    slug,
    clearanceNote: IMPORTED_CLEARANCE_NOTE,
    publishedAt: post.publishedAt,
  });
  await saveOrigin(db, { ...key, entity: 'statement', entityId: statement.id }, ctx.clock.now());
  return {
    outcome: 'created',
    statementId: statement.id,
    threadId: thread.id,
    slug: statement.slug,
    slugTakenBy: taken ? wanted : undefined,
  };
}
