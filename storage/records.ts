/**
 * Opens kczg's records: the embedded PGlite database in a data folder (the default: `kczg dev`,
 * the rehearsal, unit tests; one process at a time) or a PostgreSQL server (KCZG_DATABASE_URL,
 * shared by every worker and portal). Both run the same migrations and queries through Kysely.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
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
  /** Migrations this open applied (empty when the records were up to date or `migrate: false`). */
  applied: string[];
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

/**
 * PGlite is one process's database: a second process opening the same folder would corrupt it.
 * The opener holds `<folder>.pid`; a live holder makes the open fail, a dead one's file is taken.
 */
async function holdEmbeddedFolder(dataDir: string): Promise<() => Promise<void>> {
  const pidFile = `${dataDir}.pid`;
  for (;;) {
    try {
      await writeFile(pidFile, String(process.pid), { flag: 'wx' });
      return () => rm(pidFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number(await readFile(pidFile, 'utf8').catch(() => '0'));
    if (holder && isAlive(holder)) {
      throw new Error(
        `嵌入式数据库正被进程 ${holder} 使用 / the embedded database ${dataDir} is in use by process ${holder} ` +
          '(kczg dev or kczg worker on this data folder): stop it first, or share a PostgreSQL server via KCZG_DATABASE_URL',
      );
    }
    await rm(pidFile, { force: true });
  }
}

/**
 * A first open runs initdb, seconds long; a process killed meanwhile would leave a half-made
 * folder that PGlite cannot open again. So the folder is made beside its place and renamed in
 * once whole; a leftover of a killed first open is made again.
 */
async function ensureInitialised(dataDir: string): Promise<void> {
  const entries = await readdir(dataDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  if (entries.length > 0) return;
  const making = `${dataDir}.initialising`;
  await rm(making, { recursive: true, force: true });
  const pglite = await PGlite.create(making);
  await pglite.close();
  await rm(dataDir, { recursive: true, force: true });
  await rename(making, dataDir);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
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
    let release: () => Promise<void> = async () => undefined;
    const { dataDir } = config;
    if (dataDir) {
      await mkdir(path.dirname(dataDir), { recursive: true });
      release = await holdEmbeddedFolder(dataDir);
    }
    const pglite = await (dataDir ? ensureInitialised(dataDir) : Promise.resolve())
      .then(() => PGlite.create(dataDir))
      .catch(async (error: unknown) => {
        await release();
        throw error;
      });
    db = new Kysely<RecordsSchema>({ dialect: new PGliteDialect(pglite) });
    closeBackend = async () => {
      await pglite.close();
      await release();
    };
  } else {
    const pool = new Pool({ connectionString: config.url, max: 10 });
    // An idle connection the server dropped (restart, failover) would otherwise crash the process:
    // the pool discards it and connects again on demand; queries in flight still fail and retry.
    pool.on('error', () => undefined);
    db = new Kysely<RecordsSchema>({ dialect: new PostgresDialect({ pool }) });
    closeBackend = async () => undefined; // db.destroy() ends the pool
  }
  const close = async () => {
    await db.destroy();
    await closeBackend();
  };
  let applied: string[] = [];
  try {
    if (options.migrate !== false) applied = await migrate(db as Kysely<unknown>);
  } catch (error) {
    await close();
    throw error;
  }
  return { db, description: describe(config), applied, close };
}
