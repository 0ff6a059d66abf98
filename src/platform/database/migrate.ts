/** Runs the migrations in `migrations/` (passed in, so platform knows nothing of their content). */
import { Migrator } from 'kysely';
import type { Kysely, Migration, MigrationResult } from 'kysely';

export type Migrations = Record<string, Migration>;

export interface MigrationReport {
  applied: string[];
}

export class MigrationError extends Error {
  constructor(
    readonly migration: string | undefined,
    override readonly cause: unknown,
  ) {
    super(
      `migration ${migration ?? '(unknown)'} failed: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
    this.name = 'MigrationError';
  }
}

/** Brings the schema to the newest migration; safe to run from several processes at once. */
export async function migrateToLatest(
  db: Kysely<unknown>,
  migrations: Migrations,
): Promise<MigrationReport> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error) {
    const failed = results.find((result: MigrationResult) => result.status === 'Error');
    throw new MigrationError(failed?.migrationName, error);
  }
  return { applied: results.filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}
