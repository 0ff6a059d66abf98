/**
 * What a Broadside archive holds, table by table, in the order it is written and restored: parents
 * before children, so that every row's references are already there when it is inserted. This list
 * is the one place a new table is added (a test compares it with the migrated schema and names any
 * table or column it is missing).
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
    ],
    key: ['id'],
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
