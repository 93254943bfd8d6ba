/**
 * A benchmark worker in its own process, so that its memory and CPU are measured apart from the
 * load generator (bench/run.ts) and the Temporal server, and so that `--cpu-prof` profiles the
 * worker alone. Started by bench/stack.ts as `node dist/bench/worker-process.js '<json config>'`
 * with an IPC channel:
 *
 *   child → parent  { type: 'ready' } once polling, { type: 'stats', ... } every second,
 *                   { type: 'stopped', ... } after a clean shutdown (final stats)
 *   parent → child  { type: 'stop' }
 *
 * The child also stops when the parent goes away (IPC disconnect), so no worker outlives a run.
 */
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createKczgWorker, type KczgWorker } from '../worker/create';
import { dataConverterFor, resolveCodecChoice } from '../codec/data-converter';

export interface WorkerProcessConfig {
  /** kczg: createKczgWorker, as production runs it. baseline: the no-op workflow only. */
  kind: 'kczg' | 'baseline';
  address: string;
  namespace: string;
  taskQueue: string;
  /** Prebuilt workflow bundle (the production one for kczg, the baseline's own otherwise). */
  bundlePath: string;
  /** kczg only: registry, published lists, mail ledger. */
  dataDir?: string;
  /** kczg only: the loopback SMTP server's URL. */
  smtpUrl?: string;
  /** The workflow cache size; kczg default: production's (worker/create.ts), baseline: the SDK's. */
  maxCachedWorkflows?: number;
}

export interface WorkerStats {
  type: 'stats' | 'stopped';
  pid: number;
  rss: number;
  /** Peak RSS per getrusage, bytes: on Linux it includes the forking parent's peak (see stack.ts). */
  maxRss: number;
  heapUsed: number;
  /** CPU time of the whole process (all threads), µs. */
  cpuUser: number;
  cpuSystem: number;
}

function stats(type: WorkerStats['type']): WorkerStats {
  const memory = process.memoryUsage();
  const usage = process.resourceUsage();
  return {
    type,
    pid: process.pid,
    rss: memory.rss,
    maxRss: usage.maxRSS * 1024,
    heapUsed: memory.heapUsed,
    cpuUser: usage.userCPUTime,
    cpuSystem: usage.systemCPUTime,
  };
}

async function createWorker(
  config: WorkerProcessConfig,
  connection: NativeConnection,
): Promise<Worker | KczgWorker> {
  if (config.kind === 'baseline') {
    return Worker.create({
      connection,
      namespace: config.namespace,
      taskQueue: config.taskQueue,
      workflowBundle: { codePath: config.bundlePath },
      // The same cache size as the kczg worker's: RSS per cached workflow is compared at equal caches.
      ...(config.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: config.maxCachedWorkflows } : {}),
    });
  }
  if (!config.dataDir || !config.smtpUrl) throw new Error('a kczg worker needs dataDir and smtpUrl');
  const clientConnection = await Connection.connect({ address: config.address });
  // The same payload codec as the worker (KCZG_CODEC_KEYS): activities read and write cycle payloads.
  const client = new Client({
    connection: clientConnection,
    namespace: config.namespace,
    dataConverter: dataConverterFor(resolveCodecChoice(undefined)),
  });
  const mail = {
    smtpUrl: config.smtpUrl,
    from: '"科创中国 秘书处 kczg" <noreply@kczg.example.org>',
    messageIdDomain: 'kczg.example.org',
  };
  return createKczgWorker({
    connection,
    client,
    namespace: config.namespace,
    taskQueue: config.taskQueue,
    dataDir: config.dataDir,
    mail,
    workflowBundlePath: config.bundlePath,
    maxCachedWorkflows: config.maxCachedWorkflows,
  });
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as WorkerProcessConfig;
  // Warnings and errors only: the worker's state changes would drown the benchmark's own log.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const send = (message: unknown) => {
    if (process.connected) process.send?.(message);
  };
  const connection = await NativeConnection.connect({ address: config.address });
  const worker = await createWorker(config, connection);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    worker.shutdown();
  };
  process.on('message', (message: { type?: string }) => {
    if (message?.type === 'stop') stop();
  });
  process.on('disconnect', stop);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  const timer = setInterval(() => send(stats('stats')), 1_000);
  const running = worker.run();
  // The worker polls once run() is called; state RUNNING follows within a tick.
  const ready = setInterval(() => {
    if (worker.getState() === 'RUNNING') {
      clearInterval(ready);
      send({ type: 'ready', pid: process.pid });
    }
  }, 20);
  try {
    await running;
  } finally {
    clearInterval(ready);
    clearInterval(timer);
    await connection.close().catch(() => undefined);
  }
  send(stats('stopped'));
}

main().then(
  // Exit explicitly: --cpu-prof writes its profile on a normal exit, and leftover handles
  // (the client connection of the activities) must not keep the process alive.
  () => setTimeout(() => process.exit(0), 100),
  (error: unknown) => {
    console.error('[bench worker]', error);
    process.exit(1);
  },
);
