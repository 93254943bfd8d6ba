/**
 * The set-up every drill shares: a Temporal server, the loopback SMTP outbox and a KczgClient
 * (encrypting with the workers' codec key) for the suite, workers started on demand, and all of it
 * stopped after the suite. Two stacks:
 * - `embedded` (the default): the Temporal CLI dev server; workers keep their records (PGlite)
 *   and files in one data folder, so one worker runs at a time;
 * - `servers`: a Temporal server on a throwaway PostgreSQL server, kczg's records on another,
 *   files in versitygw (S3); each worker gets its own empty data folder and the
 *   shared KCZG_DATABASE_URL and KCZG_S3_*, as workers on several machines would.
 * The temporary directory is removed only when the test called passed(): after a failure the
 * servers' and the workers' logs are kept in <dir>/logs (the Temporal server's in <dir>/temporal).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Connection } from '@temporalio/client';
import { KczgClient } from '../../../client/api';
import { connectClient } from '../../../client/connection';
import { codecFromEnv } from '../../../codec/data-converter';
import { startPostgres, type PostgresServer } from '../../../servers/postgres';
import { ensureTemporalServer } from '../../../servers/provision-temporal-server';
import { startOutboxSmtpServer, type OutboxSmtpServer } from '../../../servers/smtp-outbox';
import { startTemporalOnPostgres, type TemporalOnPostgres } from '../../../servers/temporal-postgres';
import { startVersitygw, type S3Server } from '../../../servers/versitygw';
import { fileStoreFromEnv, openStorage, type FileStore, type Storage } from '../../../storage';
import { S3FileStore } from '../../../storage/s3-files';
import {
  codecKeyEnv,
  DevServer,
  MAIL_FROM,
  startWorkerProcess,
  stopAll,
  type LoggedProcess,
} from './processes';

export type DrillStack = 'embedded' | 'servers';

export interface Drill {
  readonly stack: DrillStack;
  readonly dir: string;
  readonly outboxDir: string;
  /** host:port of the Temporal frontend. */
  readonly address: string;
  /** The dev server, which drills kill and restart (embedded stack only). */
  readonly server: DevServer;
  readonly api: KczgClient;
  /** Starts `kczg worker` as a child process (logging to <dir>/logs/<name>.log), stopped after the suite. */
  startWorker(name: string): Promise<LoggedProcess>;
  /** The data folder of the worker called `name` (on the embedded stack, the one all share). */
  dataDirOf(name: string): string;
  /** The storage the worker called `name` is configured with, opened here (close it after use). */
  openStorageOf(name: string): Promise<Storage>;
  /** Runs `read` on the file store the worker called `name` is configured with (usable while it runs). */
  readFilesOf<T>(name: string, read: (files: FileStore) => Promise<T>): Promise<T>;
  /** Stops `process` after the suite too (a server process started again after a kill). */
  track(process: LoggedProcess | undefined): void;
  passed(): void;
}

/**
 * What the `servers` stack runs besides the SMTP outbox. Temporal and kczg's records get a
 * PostgreSQL server each: the throwaway servers allow 50 connections, and the Temporal server's
 * pools (10 per service and store) alone can take most of them.
 */
interface Servers {
  temporalPostgres: PostgresServer;
  temporal: TemporalOnPostgres;
  recordsPostgres: PostgresServer;
  s3: S3Server;
}

/** The storage settings of every worker on the `servers` stack: one database, one bucket. */
function sharedStorageEnv({ recordsPostgres, s3 }: Servers): Record<string, string> {
  return {
    KCZG_DATABASE_URL: recordsPostgres.url,
    KCZG_S3_URL: s3.config.endpoint,
    KCZG_S3_BUCKET: s3.config.bucket,
    KCZG_S3_ACCESS_KEY: s3.config.accessKeyId,
    KCZG_S3_SECRET_KEY: s3.config.secretAccessKey,
  };
}

/**
 * Starts PostgreSQL, the Temporal server on it, PostgreSQL for kczg's records and versitygw;
 * whatever started is handed to `started` at once, so afterAll stops it even when a later step
 * fails.
 */
async function startServers(
  dir: string,
  log: (line: string) => void,
  started: (part: Partial<Servers>) => void,
): Promise<Servers> {
  // Built once into the cache (minutes on a cold Go cache), then reused.
  const binaries = await ensureTemporalServer(log);
  const temporalPostgres = await startPostgres(log);
  started({ temporalPostgres });
  const temporal = await startTemporalOnPostgres({
    binaries,
    databaseUrl: temporalPostgres.url,
    dir: path.join(dir, 'temporal'),
    log,
  });
  started({ temporal });
  const recordsPostgres = await startPostgres(log);
  started({ recordsPostgres });
  const s3 = await startVersitygw(log);
  started({ s3 });
  return { temporalPostgres, temporal, recordsPostgres, s3 };
}

/** Registers the drill's beforeAll/afterAll; `name` names the temporary directory and the log note. */
export function useDrill(name: string, options: { stack?: DrillStack } = {}): Drill {
  const stack = options.stack ?? 'embedded';
  let dir = '';
  let devServer: DevServer | undefined;
  let servers: Partial<Servers> = {};
  let address: string | undefined;
  let storageEnv: Record<string, string> = {};
  let smtp: OutboxSmtpServer | undefined;
  let connection: Connection | undefined;
  let api: KczgClient | undefined;
  const processes: Array<LoggedProcess | undefined> = [];
  let passed = false;
  const keys = codecKeyEnv();
  const log = (line: string) => process.stderr.write(`[${name}] ${line}\n`);
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error(`${name}: the drill's set-up has not run`);
    return value;
  };
  const dataDirOf = (worker: string) =>
    stack === 'embedded' ? path.join(dir, 'data') : path.join(dir, 'workers', worker);
  const workerEnv = () => ({
    KCZG_SMTP_URL: started(smtp).url,
    KCZG_MAIL_FROM: MAIL_FROM,
    ...keys,
    ...storageEnv,
  });

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), `kczg-${name}-`));
    if (stack === 'embedded') {
      devServer = await DevServer.start(dir);
      processes.push(devServer.process);
      address = devServer.address;
    } else {
      const all = await startServers(dir, log, (part) => Object.assign(servers, part));
      address = all.temporal.address;
      storageEnv = sharedStorageEnv(all);
    }
    smtp = await startOutboxSmtpServer({ outboxDir: path.join(dir, 'outbox') });
    // The test's client encrypts with the workers' key, as a CLI client configured alike would.
    const connected = await connectClient({ address, codec: codecFromEnv(keys) });
    connection = connected.connection;
    api = new KczgClient(connected.client);
  }, 600_000);

  afterAll(async () => {
    await stopAll(processes);
    await connection?.close();
    await smtp?.close();
    await servers.temporal?.stop();
    await servers.s3?.stop();
    await servers.recordsPostgres?.stop();
    await servers.temporalPostgres?.stop();
    servers = {};
    if (dir && passed) fs.rmSync(dir, { recursive: true, force: true });
    else if (dir) log(`logs kept in ${dir}/logs${stack === 'servers' ? ` and ${dir}/temporal` : ''}`);
  }, 120_000);

  return {
    stack,
    get dir() {
      return dir;
    },
    get outboxDir() {
      return path.join(dir, 'outbox');
    },
    get address() {
      return started(address);
    },
    get server() {
      if (stack !== 'embedded') throw new Error(`${name}: the ${stack} stack has no dev server`);
      return started(devServer);
    },
    get api() {
      return started(api);
    },
    async startWorker(workerName) {
      const worker = await startWorkerProcess({
        name: workerName,
        address: started(address),
        dataDir: dataDirOf(workerName),
        env: workerEnv(),
        logFile: path.join(dir, 'logs', `${workerName}.log`),
        connection: started(connection),
      });
      processes.push(worker);
      return worker;
    },
    dataDirOf,
    openStorageOf(workerName) {
      return openStorage({ dataDir: dataDirOf(workerName), env: workerEnv() });
    },
    async readFilesOf(workerName, read) {
      const files = fileStoreFromEnv(workerEnv(), dataDirOf(workerName));
      try {
        return await read(files);
      } finally {
        if (files instanceof S3FileStore) files.close();
      }
    },
    track(process) {
      processes.push(process);
    },
    passed() {
      passed = true;
    },
  };
}
