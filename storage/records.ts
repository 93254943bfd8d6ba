/**
 * Opens kczg's records: the embedded PGlite database in a data folder (the default: `kczg dev`,
 * the rehearsal, unit tests; one process at a time) or a PostgreSQL server (KCZG_DATABASE_URL,
 * shared by every worker and portal). Both run the same migrations and queries through Kysely.
 */
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import { Pool } from 'pg';
import { migrate } from './migrations';
import { PGliteDialect } from './pglite-dialect';
import type { Records, RecordsSchema } from './schema';

export type RecordsConfig =
  /** `dataDir` undefined: in memory, gone when closed (tests). */
  { backend: 'pglite'; dataDir?: string } | { backend: 'postgres'; url: string };

export interface OpenRecords {
  db: Records;
  /** Where the records are, for logs: the folder or the server (password left out). */
  description: string;
  close(): Promise<void>;
}

/** The embedded database's folder inside a data folder. */
export function embeddedRecordsDir(dataDir: string): string {
  return path.join(dataDir, 'records');
}

/** KCZG_DATABASE_URL (postgres://…) when set, else the embedded database in `dataDir`. */
export function recordsConfigFromEnv(env: NodeJS.ProcessEnv, dataDir: string): RecordsConfig {
  const url = env.KCZG_DATABASE_URL?.trim();
  if (!url) return { backend: 'pglite', dataDir: embeddedRecordsDir(dataDir) };
  if (!/^postgres(ql)?:\/\/[^/]/.test(url)) {
    throw new Error(
      `KCZG_DATABASE_URL 应为 postgres://user:password@host:port/database / must be a postgres:// URL, got "${url.replace(/:[^:@/]*@/, ':***@')}"`,
    );
  }
  return { backend: 'postgres', url };
}

function describe(config: RecordsConfig): string {
  if (config.backend === 'pglite') return `PGlite ${config.dataDir ?? '(in memory)'}`;
  const url = new URL(config.url);
  return `PostgreSQL ${url.host}${url.pathname}`;
}

/**
 * Opens the records and applies pending migrations (`migrate: false` skips them). PGlite takes
 * seconds to start: open it once per process and pass the handle around.
 */
export async function openRecords(
  config: RecordsConfig,
  options: { migrate?: boolean } = {},
): Promise<OpenRecords> {
  let db: Records;
  let closeBackend: () => Promise<void>;
  if (config.backend === 'pglite') {
    const pglite = await PGlite.create(config.dataDir);
    db = new Kysely<RecordsSchema>({ dialect: new PGliteDialect(pglite) });
    closeBackend = () => pglite.close();
  } else {
    const pool = new Pool({ connectionString: config.url, max: 10 });
    db = new Kysely<RecordsSchema>({ dialect: new PostgresDialect({ pool }) });
    closeBackend = async () => undefined; // db.destroy() ends the pool
  }
  const close = async () => {
    await db.destroy();
    await closeBackend();
  };
  try {
    if (options.migrate !== false) await migrate(db as Kysely<unknown>);
  } catch (error) {
    await close();
    throw error;
  }
  return { db, description: describe(config), close };
}
