/**
 * What a Broadside archive holds, table by table, in the order it is written and restored: parents
 * before children, so that every row's references are already there when it is inserted. This list
 * is the one place a new table is added (a test compares it with the migrated schema and names any
 * table or column it is missing).
 *
 * Statements and their revisions refer to each other: `statement_revisions.statement_id` is a
 * foreign key to `statements`, while `statements.current_revision_id`, `published_revision_id`,
 * `based_on_revision_id` and `based_on_source_id` are plain text columns (migration 0006 added
 * them with ALTER TABLE, without a constraint). So statements are restored first, whole, and their
 * revisions after them; no second pass is needed, and between the two the half-restored site is
 * never served (a restore runs before the server's first start).
 */

export interface ArchiveTable {
  name: string;
  /** Every column, in the order each line lists them. */
  columns: readonly string[];
  /** The primary key: a row already there with the same key is skipped on restore (resuming). */
  key: readonly string[];
  /**
   * A unique, non-null column list the rows are written in order of, read page by page: the key,
   * unless rows refer to other rows of the same table (comments to their parents).
   */
  orderBy?: readonly string[];
  /** Left out of the rows unless the archive is made with secrets (`--with-secrets`). */
  secretColumns?: readonly string[];
  /** The whole table is left out unless the archive is made with secrets. */
  secret?: boolean;
  /**
   * Secrets in columns a row cannot do without (NOT NULL, unique): without secrets, the column is
   * kept and its value replaced by what this gives for the row — deterministic (the same site
   * gives the same archive from either database) and useless as the secret it replaces.
   */
  redactions?: Readonly<Record<string, (row: Readonly<Record<string, unknown>>) => unknown>>;
  /**
   * A database's first start writes rows here (its site, the one-time setup link): they do not
   * make a database "not empty", and restoring an archive replaces them.
   */
  firstStart?: boolean;
}

/** The tables of a Broadside archive, parents first. */
export const ARCHIVE_TABLES: readonly ArchiveTable[] = [
  {
    name: 'sites',
    columns: ['id', 'slug', 'name', 'settings', 'created_at'],
    key: ['id'],
    firstStart: true,
  },
  {
    name: 'accounts',
    columns: ['id', 'email', 'display_name', 'password_hash', 'created_at', 'updated_at'],
    key: ['id'],
    secretColumns: ['password_hash'],
  },
  {
    name: 'memberships',
    columns: ['site_id', 'account_id', 'role', 'created_at'],
    key: ['site_id', 'account_id'],
  },
  {
    name: 'sessions',
    columns: [
      'id',
      'token_hash',
      'account_id',
      'created_at',
      'last_seen_at',
      'expires_at',
      'user_agent',
    ],
    key: ['id'],
    secret: true,
  },
  {
    name: 'api_tokens',
    columns: [
      'id',
      'account_id',
      'name',
      'token_hash',
      'hint',
      'created_at',
      'last_used_at',
      'revoked_at',
    ],
    key: ['id'],
    secret: true,
  },
  {
    name: 'one_time_links',
    columns: ['id', 'purpose', 'token_hash', 'account_id', 'created_at', 'expires_at', 'used_at'],
    key: ['id'],
    secret: true,
    firstStart: true,
  },
  {
    name: 'moderation_rules',
    columns: [
      'site_id',
      'blocked_terms',
      'suspect_terms',
      'settings',
      'version',
      'digest_sent_at',
      'updated_at',
      'updated_by',
    ],
    key: ['site_id'],
  },
  {
    name: 'bans',
    columns: [
      'id',
      'site_id',
      'kind',
      'value',
      'reason',
      'comment_id',
      'created_by',
      'created_at',
      'expires_at',
      'lifted_at',
    ],
    key: ['id'],
    // An address ban holds the address's keyed hash, a secret like comments.ip_hash; without
    // secrets the ban stays on record but matches no address.
    redactions: {
      value: (row) => (row.kind === 'address' ? `redacted:${String(row.id)}` : row.value),
    },
  },
  {
    name: 'statement_sources',
    columns: [
      'id',
      'site_id',
      'title',
      'author',
      'date',
      'url',
      'text',
      'created_by_account_id',
      'created_at',
    ],
    key: ['id'],
  },
  {
    name: 'statements',
    columns: [
      'id',
      'site_id',
      'slug',
      'title',
      'subtitle',
      'body',
      'html',
      'author_account_id',
      'author_name',
      'clearance_note',
      'published_at',
      'created_at',
      'status',
      // Revisions' ids: not foreign keys, so the revisions may come after (see the top).
      'current_revision_id',
      'published_revision_id',
      'event_name',
      'event_date',
      'based_on_revision_id',
      'based_on_source_id',
      'corrected_at',
      'withdrawn_at',
      'withdrawn_reason',
      'updated_at',
      'signing',
    ],
    key: ['id'],
  },
  {
    name: 'statement_revisions',
    columns: [
      'id',
      'statement_id',
      'number',
      'title',
      'subtitle',
      'body',
      'html',
      'content_hash',
      'author_account_id',
      'author_name',
      'note',
      'created_at',
      'published_at',
      'clearance',
      'correction_note',
    ],
    key: ['id'],
  },
  {
    name: 'statement_approvals',
    columns: [
      'id',
      'statement_id',
      'revision_id',
      'content_hash',
      'account_id',
      'decision',
      'comment',
      'created_at',
      'withdrawn_at',
    ],
    key: ['id'],
  },
  {
    name: 'statement_comments',
    columns: [
      'id',
      'statement_id',
      'revision_id',
      'paragraph_index',
      'paragraph_hash',
      'excerpt',
      'author_account_id',
      'author_name',
      'body',
      'created_at',
    ],
    key: ['id'],
  },
  {
    name: 'statement_signatures',
    columns: [
      'id',
      'statement_id',
      'kind',
      'name',
      'organisation',
      'role_title',
      'email',
      'country',
      'status',
      'token_hash',
      'created_at',
      'verified_at',
      'decided_at',
      'decided_by_account_id',
    ],
    key: ['id'],
    // The hash of the confirmation link's token, required and unique. No SHA-256 in hex reads
    // "redacted:…", so no link confirms a signature restored from an archive without secrets.
    redactions: { token_hash: (row) => `redacted:${String(row.id)}` },
  },
  {
    name: 'threads',
    columns: [
      'id',
      'site_id',
      'statement_id',
      'url',
      'title',
      'author_account_id',
      'author_name',
      'status',
      'version',
      'top_level_count',
      'comment_count',
      'created_at',
      'updated_at',
    ],
    key: ['id'],
  },
  {
    name: 'comments',
    columns: [
      'id',
      'thread_id',
      'parent_id',
      'path',
      'depth',
      'number',
      'reply_count',
      'author_account_id',
      'author_name',
      'author_email',
      'author_url',
      'is_statement_author',
      'body',
      'html',
      'status',
      'reasons',
      'origin',
      'external_id',
      'ip_hash',
      'edit_token_hash',
      'created_at',
      'edited_at',
      'kind',
      'flagged',
    ],
    key: ['id'],
    // A parent's path is a prefix of its replies' paths, so it sorts (and is restored) first.
    orderBy: ['thread_id', 'path'],
    // The address hash is keyed by SECRET; the edit token lets an anonymous author edit.
    secretColumns: ['ip_hash', 'edit_token_hash'],
  },
  {
    name: 'comment_edits',
    columns: ['id', 'comment_id', 'body', 'html', 'replaced_at'],
    key: ['id'],
  },
  {
    name: 'subscriptions',
    // The token hashes stay: they are required, and the links in mail already sent (one-click
    // unsubscribe) must keep working on the new database. They are hashes of tokens derived from
    // SECRET, so they reveal nothing, and nobody can sign in with them.
    columns: [
      'id',
      'comment_id',
      'email',
      'email_hash',
      'confirm_token_hash',
      'unsubscribe_token_hash',
      'created_at',
      'confirmation_sent_at',
      'confirmed_at',
      'unsubscribed_at',
    ],
    key: ['id'],
  },
  {
    name: 'subscription_deliveries',
    columns: ['subscription_id', 'comment_id', 'sent_at'],
    key: ['subscription_id', 'comment_id'],
  },
  {
    name: 'reports',
    columns: [
      'id',
      'site_id',
      'comment_id',
      'reason',
      'note',
      'reporter_key',
      'reporter_account_id',
      'created_at',
      'resolved_at',
      'resolution',
    ],
    key: ['id'],
    // A reader without an account is known by `address:` and their address's keyed hash; without
    // secrets each such report gets a key of its own (still one per reporter and comment).
    redactions: {
      reporter_key: (row) =>
        typeof row.reporter_key === 'string' && row.reporter_key.startsWith('address:')
          ? `address:redacted:${String(row.id)}`
          : row.reporter_key,
    },
  },
  {
    // The audit log. No foreign keys but its site: it outlives what it is about.
    name: 'moderation_actions',
    columns: [
      'id',
      'site_id',
      'at',
      'actor_kind',
      'actor_account_id',
      'actor_name',
      'action',
      'comment_id',
      'thread_id',
      'target',
      'reason',
      'reason_codes',
      'status_before',
      'status_after',
    ],
    key: ['id'],
  },
  {
    name: 'import_origins',
    columns: ['site_id', 'source', 'external_id', 'entity', 'entity_id', 'created_at'],
    key: ['site_id', 'source', 'external_id'],
  },
];

/** Tables deliberately never archived, and why. Every other table must be in the list above. */
export const UNARCHIVED_TABLES: Readonly<Record<string, string>> = {
  sign_in_throttles: 'short-lived counts of failed sign-ins, keyed by SECRET',
};

/** The columns a row is read by, in order: the key columns the rows are ordered by. */
export function orderOf(table: ArchiveTable): readonly string[] {
  return table.orderBy ?? table.key;
}

/** A row as an archive without secrets holds it: the table's redactions applied. */
export function redactedRow(
  table: ArchiveTable,
  row: Record<string, unknown>,
): Record<string, unknown> {
  if (!table.redactions) return row;
  const redacted = { ...row };
  for (const [column, redact] of Object.entries(table.redactions)) redacted[column] = redact(row);
  return redacted;
}

/** The tables and columns an archive made with or without secrets holds. */
export function archivedTables(
  tables: readonly ArchiveTable[],
  withSecrets: boolean,
): { table: ArchiveTable; columns: readonly string[] }[] {
  return tables
    .filter((table) => withSecrets || !table.secret)
    .map((table) => ({
      table,
      columns: withSecrets
        ? table.columns
        : table.columns.filter((column) => !table.secretColumns?.includes(column)),
    }));
}
