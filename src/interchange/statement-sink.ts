/**
 * Where imported posts become statements, through the statements' own use cases: a published post
 * is published with `publishStatement` (its date, slug and author kept; its first revision
 * published with the clearance note "Imported — clearance not recorded") and gets its discussion;
 * a draft becomes a statement draft with `createStatement` (status `draft`, its first revision
 * noting where it came from), owned by its author's account, with no discussion until it is
 * published here. A draft whose author has no account (no valid e-mail in the export) is skipped,
 * with the reason in the report: a draft needs a member who can work on it.
 *
 * A post imported before is found by its origin (its id at the source), not by its slug, so that
 * a second import creates nothing and a statement that merely shares a slug is never taken for it.
 */
import { getThreadOfStatement } from '../discussion/service.js';
import { firstFreeSlug, isValidSlug, slugify } from '../statements/model.js';
import type { StatementsContext } from '../statements/service.js';
import { createStatement, findStatementBySlug, publishStatement } from '../statements/service.js';
import { findStatement, slugsLike } from '../statements/store.js';
import { UnprocessableError } from '../platform/errors.js';
import type { ImportDb } from './import-store.js';
import { findOrigin, saveOrigin } from './import-store.js';

export const IMPORTED_CLEARANCE_NOTE = 'Imported — clearance not recorded';
export const DRAFT_WITHOUT_ACCOUNT =
  'a draft whose author has no account (no valid e-mail address in the export)';

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
  /** When it was published; for a draft, when it was last saved (kept in its revision's note). */
  publishedAt: Date | undefined;
  authorName: string;
  authorAccountId?: string;
  state: 'published' | 'draft';
}

export type SinkResult =
  | {
      outcome: 'created' | 'existing';
      statementId: string;
      /** The statement's discussion; none while it is a draft. */
      threadId: string | undefined;
      /** Whether it is (still) a draft. */
      draft: boolean;
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
      // A statement gets its discussion when it is first published; a draft has none yet.
      const published = statement.publishedRevisionId !== undefined;
      const thread = published
        ? await getThreadOfStatement(ctx.discussion, statement.id)
        : undefined;
      return {
        outcome: 'existing',
        statementId: statement.id,
        threadId: thread?.id,
        draft: !published,
        slug: statement.slug,
      };
    }
  }
  if (post.state === 'draft' && post.authorAccountId === undefined)
    return { outcome: 'skipped', reason: DRAFT_WITHOUT_ACCOUNT };

  const wanted = isValidSlug(post.slug) ? post.slug : slugify(post.slug || post.title);
  const taken = await findStatementBySlug(ctx, { siteId: post.siteId, slug: wanted });
  const slug = taken
    ? firstFreeSlug(wanted, new Set(await slugsLike(ctx.db, post.siteId, wanted)))
    : wanted;
  const stored =
    post.state === 'draft'
      ? await storeDraft(ctx, post, slug)
      : await storePublished(ctx, post, slug);
  await saveOrigin(
    db,
    { ...key, entity: 'statement', entityId: stored.statementId },
    ctx.clock.now(),
  );
  return {
    outcome: 'created',
    ...stored,
    draft: post.state === 'draft',
    slugTakenBy: taken ? wanted : undefined,
  };
}

async function storePublished(ctx: StatementsContext, post: ImportedPost, slug: string) {
  if (post.publishedAt === undefined)
    throw new UnprocessableError('A published post needs its date.', 'post-date-missing');
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
  return {
    statementId: statement.id,
    threadId: thread.id as string | undefined,
    slug: statement.slug,
  };
}

async function storeDraft(ctx: StatementsContext, post: ImportedPost, slug: string) {
  const accountId = post.authorAccountId;
  if (accountId === undefined) throw new Error('a draft is imported only for an account');
  const saved = post.publishedAt && ` (last saved ${post.publishedAt.toISOString().slice(0, 10)})`;
  const { statement } = await createStatement(ctx, {
    siteId: post.siteId,
    actor: { accountId, name: post.authorName, role: 'author' },
    title: post.title,
    body: post.body,
    slug,
    note: `Imported draft from ${post.source.slice(0, 300)}${saved ?? ''}`,
  });
  return { statementId: statement.id, threadId: undefined, slug: statement.slug };
}
