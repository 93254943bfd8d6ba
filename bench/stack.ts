/**
 * The benchmark's stack: a fresh Temporal CLI dev server (the provisioned binary, as
 * servers/stack.ts starts it for `kczg dev`), the loopback SMTP outbox, and workers in child
 * processes (bench/worker-process.ts) so their memory and CPU are measured on their own.
 * Everything started here is stopped by shutdown(), also after a failure; the pids of every
 * process started are kept in `spawnedPids` so a caller can check none outlives the run.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { connectClient } from '../client/connection';
import { ensureDevServer, type Log } from '../servers/provision';
import { startOutboxSmtpServer, type OutboxSmtpServer } from '../servers/smtp-outbox';
import { searchAttributeKeys } from '../workflows/search-attributes';
import { awaitExit, childrenOf, cpuSecondsOf, memoryOf } from './procs';
import { round } from './stats';
import type { WorkerProcessConfig, WorkerStats } from './worker-process';

/** Every process the benchmark started, for the leak check at the end. */
export const spawnedPids: Array<{ pid: number; what: string }> = [];

export interface BenchWorker {
  pid: number;
  kind: WorkerProcessConfig['kind'];
  /** Highest RSS seen so far (VmHWM from /proc, else the child's own getrusage). */
  peakRss(): number;
  /** Current RSS, bytes. */
  rss(): number;
  cpuSeconds(): number;
  /** Stops the worker (graceful shutdown) and returns its final numbers. */
  stop(): Promise<{ peakRssBytes: number; cpuSeconds: number }>;
}

export interface BenchStack {
  env: TestWorkflowEnvironment;
  address: string;
  dataDir: string;
  outboxDir: string;
  smtp?: OutboxSmtpServer;
  serverPid?: number;
  serverCpuSeconds(): number | undefined;
  serverPeakRss(): number | undefined;
  startWorker(config: Omit<WorkerProcessConfig, 'address' | 'namespace'>): Promise<BenchWorker>;
  /**
   * A client as kczg's CLI makes one (client/connection.ts): same data converter as the kczg
   * worker (worker/create.ts), whatever payload codec the environment selects.
   */
  kczgClient(): Promise<Client>;
  outboxCount(): number;
  shutdown(): Promise<void>;
}

/** CPU seconds used so far by `worker`, by the stack's server (when known) and by the benchmark itself. */
export function cpuSecondsSoFar(stack: BenchStack, worker: BenchWorker) {
  const own = process.cpuUsage();
  return {
    worker: worker.cpuSeconds(),
    server: stack.serverCpuSeconds(),
    bench: (own.user + own.system) / 1e6,
  };
}

/** CPU seconds each used between two cpuSecondsSoFar() samples (the server's when both are known). */
export function cpuSecondsBetween(
  before: ReturnType<typeof cpuSecondsSoFar>,
  after: ReturnType<typeof cpuSecondsSoFar>,
) {
  return {
    worker: round(after.worker - before.worker, 2),
    server:
      before.server !== undefined && after.server !== undefined
        ? round(after.server - before.server, 2)
        : undefined,
    bench: round(after.bench - before.bench, 2),
  };
}

export interface BenchStackOptions {
  dataDir: string;
  /** Start the loopback SMTP outbox (the kczg worker mails through it). */
  smtp: boolean;
  log: Log;
  /** Node flags for the worker processes, e.g. ['--cpu-prof', '--cpu-prof-dir', dir]. */
  workerExecArgv?: string[];
}

const WORKER_SCRIPT = path.join(__dirname, 'worker-process.js');
const WORKER_START_TIMEOUT_MS = 180_000;

function startWorkerProcess(
  config: WorkerProcessConfig,
  execArgv: string[],
  log: Log,
  onExit: (pid: number) => void,
): Promise<BenchWorker> {
  const child: ChildProcess = fork(WORKER_SCRIPT, [JSON.stringify(config)], {
    execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pid = child.pid ?? -1;
  spawnedPids.push({ pid, what: `${config.kind} worker` });
  let last: WorkerStats | undefined;
  let peakFromProc = 0;
  let exited = false;
  const sampleProc = () => {
    const mem = memoryOf(pid);
    if (mem) peakFromProc = Math.max(peakFromProc, mem.peakRss);
  };
  const sampler = setInterval(sampleProc, 1_000);
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = true;
      clearInterval(sampler);
      onExit(pid);
      if (code !== 0) log(`${config.kind} worker ${pid} exited (${code ?? signal})`);
      resolve();
    });
  });
  child.on('message', (message: WorkerStats | { type: 'ready' }) => {
    if (message.type === 'stats' || message.type === 'stopped') last = message;
  });
  // VmHWM of the worker's own address space. getrusage's maxRSS is only a fallback: Linux carries
  // the forking parent's peak into it across exec, so it would report the benchmark's memory.
  const peakRss = () => (peakFromProc > 0 ? peakFromProc : (last?.maxRss ?? 0));
  const cpuSeconds = () =>
    exited || cpuSecondsOf(pid) === undefined
      ? ((last?.cpuUser ?? 0) + (last?.cpuSystem ?? 0)) / 1e6
      : (cpuSecondsOf(pid) as number);
  const worker: BenchWorker = {
    pid,
    kind: config.kind,
    peakRss,
    rss: () => memoryOf(pid)?.rss ?? last?.rss ?? 0,
    cpuSeconds,
    async stop() {
      sampleProc();
      const cpu = cpuSeconds();
      if (!exited) {
        child.send({ type: 'stop' });
        const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
        await exit;
        clearTimeout(killer);
      }
      return { peakRssBytes: peakRss(), cpuSeconds: Math.max(cpu, cpuSeconds()) };
    },
  };
  return new Promise<BenchWorker>((resolve, reject) => {
    const timeout = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the ${config.kind} worker did not start within ${WORKER_START_TIMEOUT_MS / 1000} s`));
    }, WORKER_START_TIMEOUT_MS);
    child.on('message', (message: { type?: string }) => {
      if (message.type === 'ready') {
        clearTimeout(timeout);
        resolve(worker);
      }
    });
    void exit.then(() => {
      clearTimeout(timeout);
      reject(new Error(`the ${config.kind} worker exited before it was ready`));
    });
  });
}

export async function startBenchStack(options: BenchStackOptions): Promise<BenchStack> {
  const { log } = options;
  const outboxDir = path.join(options.dataDir, 'outbox');
  fs.mkdirSync(outboxDir, { recursive: true });
  const provisioned = await ensureDevServer(log);
  const before = new Set(childrenOf().map((p) => p.pid));
  const env = await TestWorkflowEnvironment.createLocal({
    server: { executable: provisioned.executable, searchAttributes: searchAttributeKeys },
  });
  // The dev server is a child of this process (the SDK's core spawns it): the new non-node child.
  const server = childrenOf().find((p) => !before.has(p.pid) && p.comm !== 'node');
  if (server) spawnedPids.push({ pid: server.pid, what: `dev server (${server.comm})` });
  let serverPeak = 0;
  const sampleServer = () => {
    const mem = server ? memoryOf(server.pid) : undefined;
    if (mem) serverPeak = Math.max(serverPeak, mem.peakRss);
  };
  const workers = new Map<number, BenchWorker>();
  const connections: Connection[] = [];
  let smtp: OutboxSmtpServer | undefined;
  try {
    if (options.smtp) smtp = await startOutboxSmtpServer({ outboxDir });
  } catch (error) {
    await env.teardown();
    throw error;
  }
  const address = env.address;
  return {
    env,
    address,
    dataDir: options.dataDir,
    outboxDir,
    smtp,
    serverPid: server?.pid,
    serverCpuSeconds: () => (server ? cpuSecondsOf(server.pid) : undefined),
    serverPeakRss: () => {
      sampleServer();
      return server ? serverPeak : undefined;
    },
    async startWorker(config) {
      const worker = await startWorkerProcess(
        { ...config, address, namespace: env.namespace ?? 'default' },
        options.workerExecArgv ?? [],
        log,
        (pid) => workers.delete(pid),
      );
      workers.set(worker.pid, worker);
      return worker;
    },
    async kczgClient() {
      const { client, connection } = await connectClient({ address, namespace: env.namespace ?? 'default' });
      connections.push(connection);
      return client;
    },
    outboxCount: () => {
      try {
        return fs.readdirSync(outboxDir).filter((f) => f.endsWith('.eml') && !f.startsWith('.')).length;
      } catch {
        return 0;
      }
    },
    async shutdown() {
      sampleServer();
      // Workers first (they poll the server), then the SMTP server, then the Temporal server.
      await Promise.allSettled([...workers.values()].map((w) => w.stop()));
      await Promise.allSettled(connections.map((c) => c.close()));
      await smtp?.close().catch(() => undefined);
      try {
        await env.teardown();
      } finally {
        if (server) await awaitExit(server.pid, 15_000);
      }
    },
  };
}
