/**
 * Versioned migrations of kczg's records, applied in order, each in its own transaction, and
 * recorded in kczg_migrations. The runner holds a PostgreSQL advisory lock on its session while
 * it runs, so workers starting together and `kczg setup` apply each migration once. Append new
 * migrations; never edit one that has shipped.
 */
import { sql, type Kysely } from 'kysely';

interface Migration {
  up(db: Kysely<unknown>): Promise<void>;
}

const migrations: Record<string, Migration> = {
  '0001-mail-ledger-failures-winners': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('mail_ledger')
        .addColumn('business_key', 'text', (c) => c.primaryKey())
        .addColumn('message_id', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('claimed', 'sent')`))
        .addColumn('claimed_by', 'text', (c) => c.notNull())
        .addColumn('claimed_at', 'timestamptz', (c) => c.notNull())
        .addColumn('accepted', 'jsonb')
        .addColumn('rejected', 'jsonb')
        .addColumn('response', 'text')
        .addColumn('sent_at', 'timestamptz')
        .execute();
      await db.schema
        .createTable('mail_failures')
        .addColumn('business_key', 'text', (c) => c.primaryKey())
        .addColumn('error', 'text', (c) => c.notNull())
        .addColumn('recorded_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('winners')
        .addColumn('seq', 'integer', (c) => c.generatedAlwaysAsIdentity().primaryKey())
        .addColumn('programme_id', 'text', (c) => c.notNull())
        .addColumn('year', 'integer', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('list_id', 'text', (c) => c.notNull())
        .addColumn('field_id', 'text')
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('identity', 'text')
        .addColumn('recorded_at', 'timestamptz', (c) => c.notNull())
        .addUniqueConstraint('winners_programme_year_source', ['programme_id', 'year', 'source'])
        .execute();
      await db.schema.createIndex('winners_year').on('winners').column('year').execute();
    },
  },
  '0002-attachments-and-reads': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('attachments')
        .addColumn('sha256', 'text', (c) => c.primaryKey())
        .addColumn('format', 'text', (c) => c.notNull())
        .addColumn('size', 'integer', (c) => c.notNull())
        .addColumn('pages', 'integer')
        .addColumn('key_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('attachment_reads')
        .addColumn('seq', 'integer', (c) => c.generatedAlwaysAsIdentity().primaryKey())
        .addColumn('sha256', 'text', (c) => c.notNull().references('attachments.sha256'))
        .addColumn('reader', 'text', (c) => c.notNull())
        .addColumn('purpose', 'text', (c) => c.notNull())
        .addColumn('read_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('attachment_reads_sha256')
        .on('attachment_reads')
        .column('sha256')
        .execute();
      await db.schema
        .createIndex('attachment_reads_reader')
        .on('attachment_reads')
        .column('reader')
        .execute();
    },
  },
  '0003-unit-drafts-and-api-tokens': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('unit_drafts')
        .addColumn('cycle_id', 'text', (c) => c.notNull())
        .addColumn('unit_id', 'text', (c) => c.notNull())
        .addColumn('draft_id', 'text', (c) => c.notNull())
        .addColumn('content', 'jsonb', (c) => c.notNull())
        .addColumn('size', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .addPrimaryKeyConstraint('unit_drafts_pk', ['cycle_id', 'unit_id', 'draft_id'])
        .execute();
      await db.schema
        .createTable('api_tokens')
        .addColumn('token_sha256', 'text', (c) => c.primaryKey())
        .addColumn('cycle_id', 'text', (c) => c.notNull())
        .addColumn('party', 'text', (c) => c.notNull())
        .addColumn('label', 'text', (c) => c.notNull())
        .addColumn('issued_by', 'text', (c) => c.notNull())
        .addColumn('issued_at', 'timestamptz', (c) => c.notNull())
        .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
        .addColumn('revoked_at', 'timestamptz')
        .addColumn('revoked_by', 'text')
        .execute();
      await db.schema.createIndex('api_tokens_cycle').on('api_tokens').column('cycle_id').execute();
    },
  },
};

/** Arbitrary, fixed: the advisory lock key of kczg's migration runner. */
const MIGRATION_LOCK_KEY = 7_364_021_951;

/** Applies every migration not yet applied; returns the names it applied. Idempotent. */
export async function migrate(db: Kysely<unknown>): Promise<string[]> {
  // One session for lock, work and unlock: a pool would hand each query its own connection.
  return db.connection().execute(async (session) => {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`.execute(session);
    try {
      await sql`create table if not exists kczg_migrations (
        name text primary key,
        applied_at timestamptz not null default now()
      )`.execute(session);
      const { rows } = await sql<{ name: string }>`select name from kczg_migrations`.execute(session);
      const done = new Set(rows.map((row) => row.name));
      const applied: string[] = [];
      for (const [name, migration] of Object.entries(migrations).sort(([a], [b]) => a.localeCompare(b))) {
        if (done.has(name)) continue;
        try {
          await session.transaction().execute(async (tx) => {
            await migration.up(tx);
            await sql`insert into kczg_migrations (name) values (${name})`.execute(tx);
          });
        } catch (error) {
          throw new Error(`数据库迁移失败 / migration ${name} failed: ${(error as Error).message}`, {
            cause: error,
          });
        }
        applied.push(name);
      }
      return applied;
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`.execute(session);
    }
  });
}
