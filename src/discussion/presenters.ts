/**
 * How threads and comments look from outside: the JSON shapes of the API (TypeBox schemas, which
 * also serialise responses, so a field not listed here never leaves the server) and the functions
 * that make them. Author e-mails, address hashes and edit-token hashes are never listed.
 */
import { Type } from 'typebox';
import type { Static, TSchema } from 'typebox';
import { BadRequestError } from '../platform/errors.js';
import { REASON_CODES } from '../moderation/model.js';
import { COMMENT_KINDS, COMMENT_STATUSES, SEGMENT_WIDTH } from './model.js';
import type { Comment, Reason, Thread } from './store.js';

const Nullable = <T extends TSchema>(schema: T, options?: { description: string }) =>
  Type.Union([schema, Type.Null()], options);

export const ThreadSchema = Type.Object({
  id: Type.String(),
  title: Type.String(),
  status: Type.Enum(['open', 'closed']),
  version: Type.Integer({ description: 'Bumped on every change; the live stream’s event id.' }),
  commentCount: Type.Integer({ description: 'Public comments, removed placeholders excluded.' }),
  statementId: Nullable(Type.String()),
  url: Nullable(Type.String({ description: 'The page of an embedded thread, normalised.' })),
});
export type PresentedThread = Static<typeof ThreadSchema>;

export const CommentStatusSchema = Type.Enum(COMMENT_STATUSES);

export const ReasonSchema = Type.Object({
  code: Type.Enum(REASON_CODES, {
    description: 'Stable and machine-readable: `suspect-term`, `too-many-links`, `flood` …',
  }),
  message: Type.String({ description: 'The same in words, for people.' }),
  matches: Type.Optional(
    Type.Array(
      Type.Object({
        start: Type.Integer({ description: 'Where in the body (UTF-16 code units) it starts.' }),
        end: Type.Integer({ description: 'Where it ends (exclusive).' }),
        term: Type.String({ description: 'The list entry that matched.' }),
      }),
      { description: 'For term reasons: what in the body matched.' },
    ),
  ),
});

export const CommentSchema = Type.Object(
  {
    id: Type.String(),
    parentId: Nullable(Type.String()),
    depth: Type.Integer({ minimum: 1, description: 'Top-level comments are depth 1.' }),
    number: Nullable(
      Type.Integer({ description: 'The "1.", "2." … of a top-level comment; null for replies.' }),
    ),
    author: Nullable(
      Type.Object({
        name: Type.String(),
        url: Nullable(Type.String()),
        isStatementAuthor: Type.Boolean(),
      }),
      {
        description:
          'Null for a removed comment (status `deleted`), which keeps its place and number so ' +
          'that its replies stay where they were, but not its words (`html` is empty) or author.',
      },
    ),
    html: Type.String({ description: 'Rendered once, at write time; safe to insert.' }),
    createdAt: Type.String({ format: 'date-time' }),
    editedAt: Nullable(Type.String({ format: 'date-time' })),
    status: CommentStatusSchema,
    kind: Type.Enum(COMMENT_KINDS, {
      description:
        'Pingbacks and trackbacks (imported from WordPress) say that another page links here: ' +
        'the author is that page, by its title and address.',
    }),
    reasons: Type.Optional(
      Type.Array(ReasonSchema, {
        description:
          'Why moderation held, rejected or flagged it: shown to moderators, and to the author ' +
          'when their own comment is not published.',
      }),
    ),
    flagged: Type.Optional(
      Type.Boolean({ description: 'Moderators only: it waits for a moderator’s look.' }),
    ),
  },
  { description: 'A comment as the public (or, for held ones, a moderator) sees it.' },
);
export type PresentedComment = Static<typeof CommentSchema>;

export function presentThread(thread: Thread): PresentedThread {
  return {
    id: thread.id,
    title: thread.title,
    status: thread.status,
    version: thread.version,
    commentCount: thread.commentCount,
    statementId: thread.statementId ?? null,
    url: thread.url ?? null,
  };
}

export function presentComment(comment: Comment): PresentedComment {
  const removed = comment.status === 'deleted';
  return {
    id: comment.id,
    parentId: comment.parentId ?? null,
    depth: comment.depth,
    number: comment.number ?? null,
    author: removed
      ? null
      : {
          name: comment.authorName,
          url: comment.authorUrl ?? null,
          isStatementAuthor: comment.isStatementAuthor,
        },
    html: removed ? '' : comment.html,
    createdAt: comment.createdAt.toISOString(),
    editedAt: comment.editedAt?.toISOString() ?? null,
    status: comment.status,
    kind: comment.kind ?? 'comment',
  };
}

export function presentReasons(reasons: Reason[]): Reason[] {
  return reasons.map(({ code, message, matches }) => ({
    code,
    message,
    ...(matches ? { matches: matches.map(({ start, end, term }) => ({ start, end, term })) } : {}),
  }));
}

/** A comment as moderators see it: with why moderation held it and whether it waits for them. */
export function presentCommentToModerator(comment: Comment): PresentedComment {
  return {
    ...presentComment(comment),
    reasons: presentReasons(comment.reasons),
    flagged: comment.flagged,
  };
}

/** A comment as its author sees it: when it is not published, with the reasons why. */
export function presentCommentToAuthor(comment: Comment): PresentedComment {
  const presented = presentComment(comment);
  return comment.status === 'approved' || comment.status === 'deleted'
    ? presented
    : { ...presented, reasons: presentReasons(comment.reasons) };
}

// --- cursors -------------------------------------------------------------------------------

/** The opaque cursor after `path`: its base64url form. Clients only hand it back. */
export function encodeCursor(path: string): string {
  return Buffer.from(path, 'utf8').toString('base64url');
}

/** The path a cursor stands for; a 400 for anything this server did not make. */
export function decodeCursor(cursor: string): string {
  const path = Buffer.from(cursor, 'base64url').toString('utf8');
  if (
    !/^[0-9a-z]+$/.test(path) ||
    path.length % SEGMENT_WIDTH !== 0 ||
    encodeCursor(path) !== cursor
  ) {
    throw new BadRequestError(
      'The cursor is not one this server gave out. Use the `nextCursor` of the previous page, or leave it out to start at the beginning.',
      'invalid-cursor',
    );
  }
  return path;
}
