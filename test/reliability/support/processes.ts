/**
 * Real processes for the reliability tests: the Temporal CLI dev server and `kczg worker`, each a
 * child process in its own process group (so SIGKILL reaches everything it started), its output in
 * a log file whose tail is shown when something goes wrong. Every process started here is listed;
 * stopAll() (afterAll) and a process 'exit' hook kill whatever is still alive.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { TASK_QUEUE } from '../../../workflows/ids';

export const REPO = path.resolve(__dirname, '..', '..', '..');
export const CLI = path.join(REPO, 'dist', 'client', 'cli.js');
export const MAIL_FROM = '"科创中国 秘书处 kczg" <noreply@kczg.example.org>';
/** The right-hand side of Message-IDs the worker derives from MAIL_FROM (activities/mail.ts). */
export const MESSAGE_ID_DOMAIN = 'kczg.example.org';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface LoggedProcess {
  name: string;
  pid: number;
  logFile: string;
  /** Resolves when the process has exited (never rejects). */
  exited: Promise<ExitStatus>;
  /** Set once the process has exited. */
  exitStatus?: ExitStatus;
  running(): boolean;
  /** Sends `signal` to the whole process group and waits for the process to exit. */
  kill(signal?: NodeJS.Signals): Promise<ExitStatus>;
  /** The last lines of the log, for failure messages. */
  tail(lines?: number): string;
}

const live = new Set<ChildProcess>();

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is gone already.
  }
}

// Last resort when afterAll never ran (the Jest worker is torn down): nothing outlives the tests.
process.once('exit', () => {
  for (const child of live) killGroup(child, 'SIGKILL');
});

export function spawnLogged(
  name: string,
  command: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; logFile: string; cwd?: string },
): LoggedProcess {
  fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
  const fd = fs.openSync(options.logFile, 'a');
  let child: ChildProcess;
  try {
    // detached: the child leads a new process group, which kill() signals as a whole.
    child = spawn(command, args, {
      cwd: options.cwd ?? REPO,
      env: options.env,
      detached: true,
      stdio: ['ignore', fd, fd],
    });
  } finally {
    fs.closeSync(fd);
  }
  if (child.pid === undefined) throw new Error(`${name}: could not start ${command}`);
  live.add(child);
  const handle: LoggedProcess = {
    name,
    pid: child.pid,
    logFile: options.logFile,
    exited: new Promise<ExitStatus>((resolve) => {
      const done = (status: ExitStatus) => {
        live.delete(child);
        handle.exitStatus = status;
        resolve(status);
      };
      child.once('exit', (code, signal) => done({ code, signal }));
      child.once('error', () => done({ code: null, signal: null }));
    }),
    running: () => handle.exitStatus === undefined,
    async kill(signal = 'SIGKILL') {
      if (handle.exitStatus) return handle.exitStatus;
      killGroup(child, signal);
      const forced = setTimeout(() => killGroup(child, 'SIGKILL'), 15_000);
      try {
        return await handle.exited;
      } finally {
        clearTimeout(forced);
      }
    },
    tail(lines = 30) {
      try {
        return fs.readFileSync(options.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
      } catch {
        return '(no log)';
      }
    },
  };
  return handle;
}

/** Kills every process started here that is still alive (SIGKILL to its group) and waits for it. */
export async function stopAll(processes: Array<LoggedProcess | undefined>): Promise<void> {
  await Promise.all(processes.map((p) => p?.kill('SIGKILL')));
}

/** A free TCP port on loopback (released before use: another process could take it, rarely). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `probe` until it returns a value other than undefined/false; throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  options: { timeoutMs: number; intervalMs?: number; abortIf?: () => string | undefined },
): Promise<T> {
  const until = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    const abort = options.abortIf?.();
    if (abort) throw new Error(`${what}: ${abort}`);
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > until) {
      const cause = lastError ? ` (last error: ${(lastError as Error).message})` : '';
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${what}${cause}`);
    }
    await sleep(options.intervalMs ?? 250);
  }
}

/** The machine's settings a drill's child never inherits: the drill gives its own. */
const MACHINE_SETTINGS = /^(TEMPORAL_|KCZG_CODEC_|KCZG_S3_|KCZG_DATABASE_URL$)/;

/**
 * The environment for a child: the test's own, without any Temporal connection, codec or storage
 * settings of the machine, plus `extra`.
 */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (MACHINE_SETTINGS.test(key)) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

/** A fresh payload key, in the KCZG_CODEC_KEYS format (codec/keys.ts), shared by worker and test. */
export function codecKeyEnv(): { KCZG_CODEC_KEYS: string; KCZG_CODEC_KEY_ID: string } {
  const id = `reliability-${randomBytes(3).toString('hex')}`;
  return { KCZG_CODEC_KEYS: `${id}:${randomBytes(32).toString('base64')}`, KCZG_CODEC_KEY_ID: id };
}

const SEARCH_ATTRIBUTES = ['KczgProgramme=Keyword', 'KczgYear=Int', 'KczgStage=Keyword'];

/** The Temporal CLI dev server on fixed ports and a SQLite file, so it can be killed and restarted. */
export class DevServer {
  process?: LoggedProcess;
  private starts = 0;

  private constructor(
    readonly dir: string,
    readonly dbFile: string,
    readonly port: number,
    private readonly httpPort: number,
    private readonly metricsPort: number,
  ) {}

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  static async start(dir: string): Promise<DevServer> {
    const server = new DevServer(
      dir,
      path.join(dir, 'temporal.db'),
      await freePort(),
      await freePort(),
      await freePort(),
    );
    await server.startProcess();
    return server;
  }

  /** Starts the server again on the same port and database file (after a kill). */
  async restart(): Promise<void> {
    if (this.process?.running()) throw new Error('the dev server is still running');
    await this.startProcess();
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<ExitStatus | undefined> {
    return this.process?.kill(signal);
  }

  private async startProcess(): Promise<void> {
    const cli = process.env.KCZG_TEMPORAL_CLI;
    if (!cli) throw new Error('KCZG_TEMPORAL_CLI is not set: the jest global setup provisions it');
    this.starts++;
    const proc = spawnLogged(
      `temporal-dev-server#${this.starts}`,
      cli,
      [
        'server',
        'start-dev',
        '--headless',
        '--ip',
        '127.0.0.1',
        '--port',
        String(this.port),
        '--http-port',
        String(this.httpPort),
        '--metrics-port',
        String(this.metricsPort),
        '--db-filename',
        this.dbFile,
        '--namespace',
        'default',
        ...SEARCH_ATTRIBUTES.flatMap((sa) => ['--search-attribute', sa]),
        '--log-level',
        'warn',
      ],
      { env: childEnv({}), logFile: path.join(this.dir, 'logs', `temporal-${this.starts}.log`) },
    );
    this.process = proc;
    await waitFor(
      `the dev server on ${this.address}`,
      async () => {
        const connection = await Connection.connect({ address: this.address, connectTimeout: 1_000 });
        try {
          await connection.workflowService.describeNamespace({ namespace: 'default' });
          const { customAttributes } = await connection.operatorService.listSearchAttributes({
            namespace: 'default',
          });
          return ['KczgProgramme', 'KczgYear', 'KczgStage'].every((name) => name in (customAttributes ?? {}));
        } finally {
          await connection.close();
        }
      },
      {
        timeoutMs: 60_000,
        intervalMs: 200,
        abortIf: () =>
          proc.running() ? undefined : `it exited (${JSON.stringify(proc.exitStatus)}):\n${proc.tail()}`,
      },
    );
  }
}

/**
 * `kczg worker` as an operator runs it: `node dist/client/cli.js --address … worker --data-dir …`
 * with KCZG_SMTP_URL, KCZG_MAIL_FROM and the codec keys. Resolves once the process polls both the
 * workflow and the activity task queue (its pid is in the poller identity).
 */
export async function startWorkerProcess(options: {
  name: string;
  address: string;
  dataDir: string;
  env: Record<string, string>;
  logFile: string;
  /** A connection to read the task queue's pollers with. */
  connection: Connection;
}): Promise<LoggedProcess> {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  const proc = spawnLogged(
    options.name,
    process.execPath,
    [CLI, '--address', options.address, 'worker', '--data-dir', options.dataDir],
    { env: childEnv(options.env), logFile: options.logFile },
  );
  const polls = async (type: temporal.api.enums.v1.TaskQueueType) => {
    const { pollers } = await options.connection.workflowService.describeTaskQueue({
      namespace: 'default',
      taskQueue: { name: TASK_QUEUE, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      taskQueueType: type,
    });
    return (pollers ?? []).some((p) => p.identity?.startsWith(`${proc.pid}@`));
  };
  try {
    await waitFor(
      `${options.name} (pid ${proc.pid}) to poll the ${TASK_QUEUE} task queue`,
      async () =>
        (await polls(temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW)) &&
        (await polls(temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY)),
      {
        timeoutMs: 90_000,
        intervalMs: 250,
        abortIf: () =>
          proc.running() ? undefined : `it exited (${JSON.stringify(proc.exitStatus)}):\n${proc.tail()}`,
      },
    );
  } catch (error) {
    // Not handed to the caller, so no afterAll would stop it.
    await proc.kill('SIGKILL');
    throw error;
  }
  return proc;
}
