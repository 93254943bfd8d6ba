/**
 * Wires the workflow bundle and the activities to the task queue. Used by `kczg worker`, the
 * embedded stacks (`kczg dev`, `kczg rehearse`) and the tests alike.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { NativeConnection, Worker, type State, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import { signInLinkConfigFromEnv } from '../activities/sign-in-links';
import { dataConverterFor, resolveCodecChoice, type CodecChoice } from '../codec/data-converter';
import type { MailConfig } from '../activities/mail';
import { openStorage, type Storage } from '../storage';
import { cycleTaskQueueOf, TASK_QUEUE } from '../workflows/ids';

export interface KczgWorkerOptions {
  connection: NativeConnection;
  client: Client;
  namespace?: string;
  taskQueue?: string;
  /** The embedded records and files live here, unless KCZG_DATABASE_URL / KCZG_S3_URL move them. */
  dataDir: string;
  /** Storage opened by the caller (kept open after the worker stops); default: opened from dataDir. */
  storage?: Storage;
  mail: MailConfig;
  /** A prebuilt workflow bundle; default: dist/workflow-bundle.js when built, else the sources. */
  workflowBundlePath?: string;
  url?: string;
  maxConcurrentActivityTaskExecutions?: number;
  /** Workflows kept in memory (sticky cache); default DEFAULT_MAX_CACHED_WORKFLOWS. */
  maxCachedWorkflows?: number;
  /**
   * Payload encryption; give `client` the same. Default: the KCZG_CODEC_KEYS codec, or unencrypted
   * with a warning printed once. `'none'`: unencrypted, deliberately.
   */
  codec?: CodecChoice;
}

/**
 * Enough for every unit of a national cycle. A unit evicted from the cache replays its history when
 * touched again, and at the close every unit is touched at once: with 400 (the old default) and
 * 1,000 units, nominations were 0.74 of the SDK's trivial rate with 2.1× its p99, and the
 * hand-over took 62 s; holding them all, 0.96, 0.96× and 18 s (bench/, BENCHMARKS.md). A cached
 * unit costs about 0.5 MiB since the rules and the programme are shared per worker thread
 * (scripts/bundle-workflows.ts, domain/interning.ts), so 2,000 units is about 1 GB.
 */
export const DEFAULT_MAX_CACHED_WORKFLOWS = 2_000;

/** KCZG_MAX_CACHED_WORKFLOWS, or the default; a bad value is an error, not a silent default. */
export function maxCachedWorkflowsFrom(env: NodeJS.ProcessEnv): number {
  const text = env.KCZG_MAX_CACHED_WORKFLOWS;
  if (text === undefined || text === '') return DEFAULT_MAX_CACHED_WORKFLOWS;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 2) {
    throw new Error(
      `KCZG_MAX_CACHED_WORKFLOWS 应为不小于 2 的整数 / must be an integer of at least 2, got "${text}"`,
    );
  }
  return value;
}

/** The production bundle written by `npm run build` (scripts/bundle-workflows.ts). */
export const DEFAULT_BUNDLE_PATH = path.resolve(__dirname, '..', 'workflow-bundle.js');

function workflowSource(bundlePath?: string): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> {
  const codePath = bundlePath ?? (fs.existsSync(DEFAULT_BUNDLE_PATH) ? DEFAULT_BUNDLE_PATH : undefined);
  if (codePath) return { workflowBundle: { codePath } };
  return { workflowsPath: require.resolve('../workflows') };
}

/**
 * A kczg worker: two SDK workers in one process sharing one set of activities. Cycle workflows
 * poll a task queue of their own (cycleTaskQueueOf), so the secretariat's status queries and
 * steering updates get their own workflow thread instead of queueing behind thousands of unit
 * nominations (bench/: status p50 221 ms → 33 ms under intake). Both run, and stop, together.
 */
export class KczgWorker {
  constructor(
    readonly entities: Worker,
    readonly cycles: Worker,
    /** Storage the worker opened itself, closed when it stops running. */
    private readonly ownStorage?: Storage,
  ) {}

  private get workers(): Worker[] {
    return [this.entities, this.cycles];
  }

  /** Runs both until shutdown(); if one fails, the other is stopped and the failure thrown. */
  async run(): Promise<void> {
    const runs = this.workers.map((worker) => worker.run());
    try {
      await Promise.all(runs);
    } catch (error) {
      this.shutdown();
      await Promise.allSettled(runs);
      throw error;
    } finally {
      await this.ownStorage?.close();
    }
  }

  /**
   * Runs both while `fn` runs, then stops them; returns what `fn` returned. A worker failure
   * rejects at once; workers stopped by a signal (the SDK stops them on SIGINT/SIGTERM) let `fn`
   * finish, as `kczg dev` does when it waits for Ctrl-C.
   */
  async runUntil<T>(fn: () => Promise<T>): Promise<T> {
    const running = this.run();
    const failed = running.then(() => new Promise<never>(() => undefined));
    try {
      return await Promise.race([fn(), failed]);
    } finally {
      this.shutdown();
      await running.catch(() => undefined);
    }
  }

  shutdown(): void {
    for (const worker of this.workers) if (worker.getState() === 'RUNNING') worker.shutdown();
  }

  /** RUNNING while either polls, else the state of the entity worker. */
  getState(): State {
    return this.workers.some((w) => w.getState() === 'RUNNING') ? 'RUNNING' : this.entities.getState();
  }
}

export async function createKczgWorker(options: KczgWorkerOptions): Promise<KczgWorker> {
  const taskQueue = options.taskQueue ?? TASK_QUEUE;
  // Storage opened once per process (PGlite takes seconds), one set of activities for both.
  const storage = options.storage ?? (await openStorage({ dataDir: options.dataDir }));
  const { smtpUrl, from, messageIdDomain } = options.mail;
  const activities = createActivities({
    client: options.client,
    taskQueue,
    mail: { smtpUrl, from, messageIdDomain },
    storage,
    url: options.url,
    signInLinks: signInLinkConfigFromEnv(process.env),
  });
  const common = {
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    dataConverter: dataConverterFor(resolveCodecChoice(options.codec)),
    ...workflowSource(options.workflowBundlePath),
    activities,
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions ?? 50,
    // Fan-out activities query workflows, which a stopping worker no longer serves: bound the wait.
    shutdownGraceTime: '5 seconds',
    shutdownForceTime: '20 seconds',
  } satisfies Partial<WorkerOptions>;
  const entities = await Worker.create({
    ...common,
    taskQueue,
    maxCachedWorkflows: options.maxCachedWorkflows ?? maxCachedWorkflowsFrom(process.env),
  });
  // A handful of cycles per namespace: a small cache holds them all.
  const cycles = await Worker.create({
    ...common,
    taskQueue: cycleTaskQueueOf(taskQueue),
    maxCachedWorkflows: 50,
  });
  return new KczgWorker(entities, cycles, options.storage ? undefined : storage);
}
