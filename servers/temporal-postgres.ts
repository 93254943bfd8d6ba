/**
 * A real Temporal server on PostgreSQL, for running kczg on several machines: the schema tool
 * creates or updates the `temporal` and `temporal_visibility` databases, a YAML config runs the
 * frontend, history, matching and worker services in one process on free ports of one address, the
 * `default` namespace is registered (the server does not create it) with kczg's search attributes,
 * and `stop()` ends the whole process group. Workers and the CLI reach it like any cluster:
 * TEMPORAL_ADDRESS or an envconfig profile.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
import { msToTs } from '@temporalio/common/lib/time';
import { status } from '@grpc/grpc-js';
import { registerSearchAttributes } from '../worker/setup';
import { searchAttributeKeys } from '../workflows/search-attributes';
import { runLogged, type Log } from './provision';
import type { TemporalServerBinaries } from './provision-temporal-server';
import { postgresTarget, serverConfig, servicePorts } from './temporal-postgres-config';

export interface TemporalOnPostgresOptions {
  binaries: TemporalServerBinaries;
  /** postgres://user[:password]@host:port/…; the path is ignored: the databases are `temporal` and `temporal_visibility`. */
  databaseUrl: string;
  /** Config and server log are written here (kept across restarts). */
  dir: string;
  /** Frontend gRPC port; default a free one. The other services take free ports of the same address. */
  port?: number;
  /** The address (an IP, not 0.0.0.0) every service listens on and announces; default 127.0.0.1. */
  ip?: string;
  /** Registered when missing; default `default`. */
  namespace?: string;
  log?: Log;
}

export interface TemporalOnPostgres {
  /** host:port of the frontend, for TEMPORAL_ADDRESS. */
  address: string;
  namespace: string;
  pid: number;
  logFile: string;
  /** Resolves when the server process has exited. */
  exited: Promise<void>;
  /** SIGTERM to the server's process group, SIGKILL after `graceMs`; resolves once it is gone. */
  stop(graceMs?: number): Promise<void>;
}

const DATABASES = [
  { name: 'temporal', versioned: path.join('temporal', 'versioned') },
  { name: 'temporal_visibility', versioned: path.join('visibility', 'versioned') },
] as const;
const RETENTION_DAYS = 30;

/**
 * Creates the two databases when missing and brings their schemas to the versions this server
 * ships (idempotent: `setup-schema -v 0.0` keeps a newer version, `update-schema` applies only
 * what is missing).
 */
export async function setupTemporalDatabases(
  binaries: TemporalServerBinaries,
  databaseUrl: string,
  log: Log = () => undefined,
): Promise<void> {
  const pg = postgresTarget(databaseUrl);
  const existing = await existingDatabases(databaseUrl);
  for (const db of DATABASES) {
    const tool = (...args: string[]) =>
      runLogged(
        binaries.sqlTool,
        [
          '--plugin',
          'postgres12',
          '--ep',
          pg.host,
          '-p',
          String(pg.port),
          '-u',
          pg.user,
          '--db',
          db.name,
          ...args,
        ],
        {
          env: { ...process.env, SQL_PASSWORD: pg.password },
          log: () => undefined, // the tool logs JSON per statement; failures carry its tail
          what: `temporal-sql-tool ${db.name} ${args[0]}`,
        },
      );
    if (!existing.has(db.name))
      await tool('create-database', ...(pg.database ? ['--defaultdb', pg.database] : []));
    await tool('setup-schema', '-v', '0.0');
    await tool('update-schema', '-d', path.join(binaries.postgresSchemaDir, db.versioned));
    log(`数据库就绪 / database ready: ${db.name}`);
  }
}

async function existingDatabases(databaseUrl: string): Promise<Set<string>> {
  const { Client } = await import('pg');
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(
      'select datname from pg_database where datname = any($1)',
      [DATABASES.map((db) => db.name)],
    );
    return new Set(rows.map((row) => row.datname));
  } finally {
    await client.end();
  }
}

/**
 * Sets up the databases, writes the config, starts the server in its own process group and
 * resolves once the frontend serves the namespace with kczg's search attributes.
 */
export async function startTemporalOnPostgres(
  options: TemporalOnPostgresOptions,
): Promise<TemporalOnPostgres> {
  await setupTemporalDatabases(options.binaries, options.databaseUrl, options.log ?? (() => undefined));
  // A port found free can be taken by another process before the server binds it: try new ports.
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(options);
    } catch (error) {
      const portTaken = /failed listening|address already in use/i.test(String((error as Error)?.message));
      if (!portTaken || options.port !== undefined || attempt >= 3) throw error;
      options.log?.(
        `端口被占用，换端口重试 / a port was taken meanwhile: retrying on other ports (${attempt})`,
      );
    }
  }
}

async function launch(options: TemporalOnPostgresOptions): Promise<TemporalOnPostgres> {
  const log = options.log ?? (() => undefined);
  const ip = options.ip ?? '127.0.0.1';
  const namespace = options.namespace ?? 'default';
  const pg = postgresTarget(options.databaseUrl);
  const ports = await servicePorts(ip, options.port);
  const configDir = path.join(options.dir, 'config');
  fs.mkdirSync(configDir, { recursive: true });
  // It holds the database password.
  fs.writeFileSync(path.join(configDir, 'kczg.yaml'), serverConfig(pg, ip, ports), { mode: 0o600 });
  const logFile = path.join(options.dir, 'temporal-server.log');
  const out = fs.openSync(logFile, 'a');
  const child = spawn(
    options.binaries.server,
    ['--root', options.dir, '--config', 'config', '--env', 'kczg', '--allow-no-auth', 'start'],
    // detached: the server leads its own process group, which stop() signals as a whole.
    { detached: true, stdio: ['ignore', out, out] },
  );
  fs.closeSync(out);
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitCode = code ?? (signal ? -1 : null);
      resolve();
    });
    child.once('error', () => resolve());
  });
  const pid = child.pid;
  const tail = () =>
    fs
      .readFileSync(logFile, 'utf8')
      .trimEnd()
      .split('\n')
      .slice(-12)
      .map((line) => line.slice(0, 400)) // the server logs JSON lines with long stack traces
      .join('\n');
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      if (pid !== undefined) process.kill(-pid, signal);
    } catch {
      // already gone
    }
  };
  const server: TemporalOnPostgres = {
    address: `${ip}:${ports.frontend.grpcPort}`,
    namespace,
    pid: pid ?? -1,
    logFile,
    exited,
    async stop(graceMs = 20_000) {
      if (exitCode !== undefined) return;
      signalGroup('SIGTERM');
      const forced = setTimeout(() => signalGroup('SIGKILL'), graceMs);
      await exited;
      clearTimeout(forced);
      signalGroup('SIGKILL'); // anything the server left in its group
    },
  };
  try {
    if (pid === undefined) throw new Error(`could not start ${options.binaries.server}`);
    await waitUntilServing(server, () => (exitCode === undefined ? undefined : tail()));
    log(
      `Temporal 服务器（PostgreSQL）已启动 / Temporal server on PostgreSQL at ${server.address}, namespace ${namespace}`,
    );
    return server;
  } catch (error) {
    await server.stop(5_000);
    throw error;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Frontend up, namespace registered and visible, kczg's search attributes usable, history and matching serving. */
async function waitUntilServing(
  server: TemporalOnPostgres,
  exitedWith: () => string | undefined,
): Promise<void> {
  const until = Date.now() + 120_000;
  let lastError: unknown;
  const check = () => {
    const output = exitedWith();
    if (output !== undefined) throw new Error(`Temporal 服务器退出 / the Temporal server exited:\n${output}`);
    if (Date.now() > until) {
      throw new Error(
        `Temporal 服务器 2 分钟内未就绪 / the Temporal server was not ready within 2 minutes (${String(lastError)}); log: ${server.logFile}`,
      );
    }
  };
  let connection: Connection | undefined;
  try {
    while (!connection) {
      check();
      try {
        connection = await Connection.connect({ address: server.address, connectTimeout: 2_000 });
        await connection.workflowService.getSystemInfo({});
      } catch (error) {
        lastError = error;
        await connection?.close();
        connection = undefined;
        await sleep(500);
      }
    }
    for (;;) {
      check();
      try {
        await ensureNamespace(connection, server.namespace);
        await registerSearchAttributes(connection, server.namespace);
        await searchAttributesMapped(connection, server.namespace);
        await historyAndMatchingServe(connection, server.namespace);
        return;
      } catch (error) {
        lastError = error;
        await sleep(500);
      }
    }
  } finally {
    await connection?.close();
  }
}

/**
 * Added search attributes reach the frontend's namespace cache up to ~2 s later; until then a
 * start naming them fails ("has no mapping defined for search attribute"). A query naming each
 * one fails the same way, without side effects.
 */
async function searchAttributesMapped(connection: Connection, namespace: string): Promise<void> {
  const query = searchAttributeKeys
    .map((key) => `${key.name} = ${key.type === SearchAttributeType.INT ? 0 : "'kczg-readiness-probe'"}`)
    .join(' AND ');
  await connection.workflowService.countWorkflowExecutions({ namespace, query });
}

/**
 * The frontend answers before the history and matching rings have formed ("Not enough hosts to
 * serve the request"): ask each of them something. An unknown workflow is NOT_FOUND once history
 * serves; a task queue's description comes from matching.
 */
async function historyAndMatchingServe(connection: Connection, namespace: string): Promise<void> {
  try {
    await connection.workflowService.describeWorkflowExecution({
      namespace,
      execution: { workflowId: 'kczg-readiness-probe' },
    });
  } catch (error) {
    if ((error as { code?: number }).code !== status.NOT_FOUND) throw error;
  }
  await connection.workflowService.describeTaskQueue({
    namespace,
    taskQueue: { name: 'kczg-readiness-probe' },
  });
}

/** Registers the namespace unless it exists; throws until the frontend sees it. */
async function ensureNamespace(connection: Connection, namespace: string): Promise<void> {
  try {
    await connection.workflowService.describeNamespace({ namespace });
    return;
  } catch (error) {
    if ((error as { code?: number }).code !== status.NOT_FOUND) throw error;
  }
  try {
    await connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs(`${RETENTION_DAYS} days`),
    });
  } catch (error) {
    if ((error as { code?: number }).code !== status.ALREADY_EXISTS) throw error;
  }
  await connection.workflowService.describeNamespace({ namespace });
}
