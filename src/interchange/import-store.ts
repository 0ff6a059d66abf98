/** The SQL of imports: what each imported record (other than a comment) became here. */
import type { Kysely } from 'kysely';

export interface ImportOriginsTable {
  site_id: string;
  source: string;
  external_id: string;
  entity: string;
  entity_id: string;
  created_at: string;
}

export type ImportDb = Kysely<{ import_origins: ImportOriginsTable }>;

/** A record of another system, e.g. WordPress post 42 of https://blog.example.org: 'wxr:42'. */
export interface OriginKey {
  siteId: string;
  /** The system it came from: a WordPress site's address, a Disqus forum. */
  source: string;
  externalId: string;
}

export interface Origin extends OriginKey {
  /** What it became: 'statement'. */
  entity: string;
  entityId: string;
}

export async function findOrigin(
  db: ImportDb,
  key: OriginKey,
): Promise<{ entity: string; entityId: string } | undefined> {
  const row = await db
    .selectFrom('import_origins')
    .select(['entity', 'entity_id'])
    .where('site_id', '=', key.siteId)
    .where('source', '=', key.source)
    .where('external_id', '=', key.externalId)
    .executeTakeFirst();
  return row && { entity: row.entity, entityId: row.entity_id };
}

/** Records what a record became, replacing an older note of it (whose target has gone). */
export async function saveOrigin(db: ImportDb, origin: Origin, now: Date): Promise<void> {
  await db
    .insertInto('import_origins')
    .values({
      site_id: origin.siteId,
      source: origin.source,
      external_id: origin.externalId,
      entity: origin.entity,
      entity_id: origin.entityId,
      created_at: now.toISOString(),
    })
    .onConflict((oc) =>
      oc
        .columns(['site_id', 'source', 'external_id'])
        .doUpdateSet({ entity: origin.entity, entity_id: origin.entityId }),
    )
    .execute();
}
