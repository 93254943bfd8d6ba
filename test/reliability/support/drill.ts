/**
 * The set-up every dev-server drill shares: a Temporal CLI dev server, the loopback SMTP outbox and
 * a KczgClient (encrypting with the workers' codec key) for the suite, workers started on demand,
 * and all of it stopped after the suite. The temporary directory is removed only when the test
 * called passed(): after a failure the server's and the workers' logs are kept in <dir>/logs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Connection } from '@temporalio/client';
import { KczgClient } from '../../../client/api';
import { connectClient } from '../../../client/connection';
import { codecFromEnv } from '../../../codec/data-converter';
import { startOutboxSmtpServer, type OutboxSmtpServer } from '../../../servers/smtp-outbox';
import {
  codecKeyEnv,
  DevServer,
  MAIL_FROM,
  startWorkerProcess,
  stopAll,
  type LoggedProcess,
} from './processes';

export interface Drill {
  readonly dir: string;
  readonly outboxDir: string;
  readonly server: DevServer;
  readonly api: KczgClient;
  /** Starts `kczg worker` as a child process (logging to <dir>/logs/<name>.log), stopped after the suite. */
  startWorker(name: string): Promise<LoggedProcess>;
  /** Stops `process` after the suite too (a server process started again after a kill). */
  track(process: LoggedProcess | undefined): void;
  passed(): void;
}

/** Registers the drill's beforeAll/afterAll; `name` names the temporary directory and the log note. */
export function useDrill(name: string): Drill {
  let dir = '';
  let server: DevServer | undefined;
  let smtp: OutboxSmtpServer | undefined;
  let connection: Connection | undefined;
  let api: KczgClient | undefined;
  const processes: Array<LoggedProcess | undefined> = [];
  let passed = false;
  const keys = codecKeyEnv();
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error(`${name}: the drill's set-up has not run`);
    return value;
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), `kczg-${name}-`));
    server = await DevServer.start(dir);
    processes.push(server.process);
    smtp = await startOutboxSmtpServer({ outboxDir: path.join(dir, 'outbox') });
    // The test's client encrypts with the workers' key, as a CLI client configured alike would.
    const connected = await connectClient({ address: server.address, codec: codecFromEnv(keys) });
    connection = connected.connection;
    api = new KczgClient(connected.client);
  }, 120_000);

  afterAll(async () => {
    await stopAll(processes);
    await connection?.close();
    await smtp?.close();
    if (dir && passed) fs.rmSync(dir, { recursive: true, force: true });
    else if (dir) process.stderr.write(`[${name}] logs kept in ${dir}/logs\n`);
  });

  return {
    get dir() {
      return dir;
    },
    get outboxDir() {
      return path.join(dir, 'outbox');
    },
    get server() {
      return started(server);
    },
    get api() {
      return started(api);
    },
    async startWorker(workerName) {
      const worker = await startWorkerProcess({
        name: workerName,
        address: started(server).address,
        dataDir: path.join(dir, 'data'),
        env: { KCZG_SMTP_URL: started(smtp).url, KCZG_MAIL_FROM: MAIL_FROM, ...keys },
        logFile: path.join(dir, 'logs', `${workerName}.log`),
        connection: started(connection),
      });
      processes.push(worker);
      return worker;
    },
    track(process) {
      processes.push(process);
    },
    passed() {
      passed = true;
    },
  };
}
