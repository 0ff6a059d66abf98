/**
 * The databases storage tests run on: always a fresh SQLite file, and a fresh PostgreSQL database
 * when BROADSIDE_TEST_POSTGRES names a server (a superuser URL; see scripts/test-postgres.sh).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { DatabaseTarget } from '../../src/platform/config.js';

export interface TestDatabase {
  target: DatabaseTarget;
  /** The value DATABASE_URL would have for this database (undefined for SQLite). */
  databaseUrl: string | undefined;
  dataDir: string;
  drop(): Promise<void>;
}

export interface DatabaseKind {
  name: 'sqlite' | 'postgres';
  create(): Promise<TestDatabase>;
}

export const postgresAdminUrl = process.env.BROADSIDE_TEST_POSTGRES;

export const sqliteKind: DatabaseKind = {
  name: 'sqlite',
  async create() {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'broadside-test-'));
    return {
      target: { kind: 'sqlite', file: path.join(dataDir, 'broadside.db') },
      databaseUrl: undefined,
      dataDir,
      async drop() {
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  },
};

function postgres(adminUrl: string): DatabaseKind {
  return {
    name: 'postgres',
    async create() {
      const name = `broadside_test_${randomBytes(6).toString('hex')}`;
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      await admin.query(`create database ${name}`);
      await admin.end();
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      const dataDir = mkdtempSync(path.join(tmpdir(), 'broadside-test-'));
      return {
        target: { kind: 'postgres', url: url.toString() },
        databaseUrl: url.toString(),
        dataDir,
        async drop() {
          const client = new pg.Client({ connectionString: adminUrl });
          await client.connect();
          await client.query(`drop database if exists ${name} with (force)`);
          await client.end();
          rmSync(dataDir, { recursive: true, force: true });
        },
      };
    },
  };
}

/** Every database kind this run covers: loop over it with `describe.each`. */
export const databaseKinds: DatabaseKind[] = postgresAdminUrl
  ? [sqliteKind, postgres(postgresAdminUrl)]
  : [sqliteKind];
