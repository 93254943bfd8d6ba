/**
 * A real PostgreSQL server for a test file: started before its tests (initdb and pg_ctl as an
 * unprivileged user, a temp folder, a free loopback port) and stopped after them.
 */
import { startPostgres, type PostgresServer } from '../../servers/postgres';

/** Registers beforeAll/afterAll; the returned getter gives the running server inside tests. */
export function usePostgresServer(): () => PostgresServer {
  let server: PostgresServer | undefined;
  beforeAll(async () => {
    server = await startPostgres((line) => process.stderr.write(`[postgres] ${line}\n`));
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (!server) throw new Error('the PostgreSQL server did not start (see beforeAll)');
    return server;
  };
}

/** A fresh database on the server, so each test starts from empty records. */
export async function createDatabase(server: PostgresServer, name: string): Promise<string> {
  const { Client } = await import('pg');
  const client = new Client({ connectionString: server.url });
  await client.connect();
  try {
    await client.query(`create database "${name.replace(/"/g, '')}"`);
  } finally {
    await client.end();
  }
  return server.url.replace(/\/[^/]*$/, `/${name}`);
}
