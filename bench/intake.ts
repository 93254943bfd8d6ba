/**
 * Intake: nominations through KczgClient.nominate (validated Workflow Updates on the unit
 * workflows) at a fixed concurrency, against the baseline: the same number of no-op Updates with
 * the same payloads spread over as many trivial workflows (bench/baseline-workflow.ts) as there
 * are units, on their own worker and task queue. Each side gets a fresh dev server and a fresh
 * worker process, so neither inherits the other's state or warm caches.
 */
import path from 'node:path';
import { KczgClient, RejectionError } from '../client/api';
import { beijingToEpochMs } from '../domain/calendar';
import type { Log } from '../servers/provision';
import { BASELINE_TASK_QUEUE, noopUpdate } from './baseline-workflow';
import { benchNominations, benchProgramme, type BenchNomination } from './programme';
import {
  cpuSecondsBetween,
  cpuSecondsSoFar,
  startBenchStack,
  type BenchStack,
  type BenchWorker,
} from './stack';
import { drive, LoadSampler, mib, round, sleep, type DriveResult } from './stats';

export interface IntakeSize {
  nominations: number;
  units: number;
  concurrency: number;
}

export interface IntakeSide extends DriveResult {
  /** Seconds to get the side ready before the clock starts (cycle start + opening notices, or workflow starts). */
  setupSeconds: number;
  /** Worker RSS once set up (workflows started and cached), before the measured load. */
  workerRssBeforeLoadMiB?: number;
  workerPeakRssMiB?: number;
  workerCpuSeconds: number;
  serverCpuSeconds?: number;
  benchCpuSeconds: number;
  loadAverage: { mean: number; max: number };
}

export interface IntakeResult extends IntakeSize {
  kczg: IntakeSide;
  baseline: IntakeSide;
  /** kczg nominations/s over baseline updates/s. */
  ratio: number;
  rejected: Record<string, number>;
}

/**
 * Runs one side's load and measures it: worker RSS before it, CPU of worker, server and bench,
 * load average; then stops the worker (its peak RSS is known once it has stopped).
 */
async function measureSide(
  stack: BenchStack,
  worker: BenchWorker,
  setupSeconds: number,
  load: () => Promise<DriveResult>,
): Promise<IntakeSide> {
  const rssBeforeLoad = worker.rss();
  const sampler = new LoadSampler();
  const cpu0 = cpuSecondsSoFar(stack, worker);
  const result = await load();
  const cpu = cpuSecondsBetween(cpu0, cpuSecondsSoFar(stack, worker));
  const loadAverage = sampler.stop();
  const stopped = await worker.stop();
  return {
    ...result,
    setupSeconds: round(setupSeconds),
    workerRssBeforeLoadMiB: mib(rssBeforeLoad),
    workerPeakRssMiB: mib(stopped.peakRssBytes),
    workerCpuSeconds: cpu.worker,
    serverCpuSeconds: cpu.server,
    benchCpuSeconds: cpu.bench,
    loadAverage,
  };
}

export interface PhaseContext {
  workDir: string;
  /** The kczg workers' workflow bundle: the production one, or a --preload variant. */
  kczgBundlePath: string;
  /** Experiment: the kczg workers' workflow cache size (default: the SDK's). */
  maxCachedWorkflows?: number;
  log: Log;
  workerExecArgv: (phase: string) => string[];
}

/**
 * Runs `phase` on a fresh stack with a kczg worker that mails through the loopback outbox, in
 * <workDir>/<dataDir>, its worker started with the flags for `profile`; shuts the stack down
 * afterwards, also after a failure.
 */
export async function withKczgStack<T>(
  ctx: PhaseContext,
  names: { dataDir: string; profile: string },
  phase: (stack: BenchStack, worker: BenchWorker, dataDir: string) => Promise<T>,
): Promise<T> {
  const dataDir = path.join(ctx.workDir, names.dataDir);
  const stack = await startBenchStack({
    dataDir,
    smtp: true,
    log: ctx.log,
    workerExecArgv: ctx.workerExecArgv(names.profile),
  });
  try {
    const worker = await stack.startWorker({
      kind: 'kczg',
      taskQueue: 'kczg',
      bundlePath: ctx.kczgBundlePath,
      maxCachedWorkflows: ctx.maxCachedWorkflows,
      dataDir,
      smtpUrl: stack.smtp?.url,
    });
    return await phase(stack, worker, dataDir);
  } finally {
    await stack.shutdown();
  }
}

/**
 * drive() options that nominate each item through kczg, counting refusals by code in `rejected`;
 * a refusal is the service's answer, not a failure to retry.
 */
export function nominateCountingRefusals(api: KczgClient, cycleId: string, rejected: Record<string, number>) {
  return {
    call: async ({ unitId, request }: BenchNomination) => {
      try {
        await api.nominate(cycleId, unitId, request);
      } catch (error) {
        if (error instanceof RejectionError)
          rejected[error.rejection.code] = (rejected[error.rejection.code] ?? 0) + 1;
        throw error;
      }
    },
    isFinal: (error: unknown) => error instanceof RejectionError,
  };
}

/** Waits until the outbox stops growing for `quietMs` (and holds at least `atLeast` messages). */
export async function waitForMailToSettle(
  stack: BenchStack,
  atLeast: number,
  log: Log,
  quietMs = 5_000,
  capMs = 20 * 60_000,
): Promise<number> {
  const started = Date.now();
  let last = -1;
  let lastChange = Date.now();
  let lastLog = Date.now();
  for (;;) {
    const count = stack.outboxCount();
    if (count !== last) {
      last = count;
      lastChange = Date.now();
    }
    if (count >= atLeast && Date.now() - lastChange >= quietMs) return count;
    if (Date.now() - started > capMs) {
      log(`  mail still flowing after ${capMs / 1000} s (${count} messages); going on`);
      return count;
    }
    if (Date.now() - lastLog > 15_000) {
      log(`  … ${count} messages in the outbox`);
      lastLog = Date.now();
    }
    await sleep(500);
  }
}

const progressLog = (log: Log, what: string, total: number) => (done: number, elapsedMs: number) =>
  log(`  ${what}: ${done}/${total} (${round(done / (elapsedMs / 1000))}/s)`);

async function runBaseline(size: IntakeSize, bundlePath: string, ctx: PhaseContext): Promise<IntakeSide> {
  const { log } = ctx;
  const stack = await startBenchStack({
    dataDir: path.join(ctx.workDir, 'baseline'),
    smtp: false,
    log,
    workerExecArgv: ctx.workerExecArgv('intake-baseline'),
  });
  try {
    const worker = await stack.startWorker({
      kind: 'baseline',
      taskQueue: BASELINE_TASK_QUEUE,
      bundlePath,
    });
    const client = stack.env.client;
    const setupStarted = performance.now();
    const programme = benchProgramme('bench-baseline-2023', size.units, 1);
    const ids = programme.roster.units.map((u) => `bench-baseline:${u.id}`);
    await drive({
      items: ids,
      concurrency: size.concurrency,
      call: async (workflowId) => {
        await client.workflow.start('baselineWorkflow', {
          workflowId,
          taskQueue: BASELINE_TASK_QUEUE,
          args: [],
        });
      },
    });
    // Every workflow has run its first task (started, scheduled, started, completed), as the
    // units have before kczg's intake starts.
    for (;;) {
      let pending = 0;
      await drive({
        items: ids,
        concurrency: 32,
        call: async (id) => {
          if ((await client.workflow.getHandle(id).describe()).historyLength < 4) pending++;
        },
      });
      if (pending === 0) break;
      await sleep(500);
    }
    const setupSeconds = (performance.now() - setupStarted) / 1000;
    const items = benchNominations(programme, size.nominations, 'baseline', size.concurrency);
    log(
      `baseline: ${items.length} no-op updates over ${ids.length} workflows at concurrency ${size.concurrency}`,
    );
    return await measureSide(stack, worker, setupSeconds, () =>
      drive({
        items,
        concurrency: size.concurrency,
        call: async ({ unitId, request }) => {
          await client.workflow.getHandle(`bench-baseline:${unitId}`).executeUpdate(noopUpdate, {
            args: [request],
            updateId: `noop:${request.idempotencyKey}`,
          });
        },
        onProgress: progressLog(log, 'baseline', items.length),
      }),
    );
  } finally {
    await stack.shutdown();
  }
}

async function runKczg(
  size: IntakeSize,
  ctx: PhaseContext,
): Promise<{ side: IntakeSide; rejected: Record<string, number> }> {
  const { log } = ctx;
  return withKczgStack(ctx, { dataDir: 'intake', profile: 'intake-kczg' }, async (stack, worker, dataDir) => {
    const api = new KczgClient(await stack.kczgClient());
    const perUnit = Math.ceil(size.nominations / size.units);
    const programme = benchProgramme('bench-intake-2023', size.units, perUnit);
    const setupStarted = performance.now();
    const { cycleId } = await api.startCycle(programme, {
      startAt: beijingToEpochMs('2023-11-01 09:00'),
      outDir: path.join(dataDir, 'published'),
    });
    log(`intake: ${cycleId} started with ${size.units} units; waiting for the opening notices`);
    // Each unit mails its "collection opened" notice at once (the opening lies in the past):
    // let that settle so that intake is measured on its own.
    const mails = await waitForMailToSettle(stack, size.units, log, 3_000);
    const setupSeconds = (performance.now() - setupStarted) / 1000;
    log(`intake: ready after ${round(setupSeconds)} s (${mails} notices)`);
    const items = benchNominations(programme, size.nominations, 'intake', size.concurrency);
    const rejected: Record<string, number> = {};
    const side = await measureSide(stack, worker, setupSeconds, () =>
      drive({
        items,
        concurrency: size.concurrency,
        ...nominateCountingRefusals(api, cycleId, rejected),
        onProgress: progressLog(log, 'kczg intake', items.length),
      }),
    );
    return {
      side,
      rejected,
    };
  });
}

export async function runIntake(
  size: IntakeSize,
  baselineBundlePath: string,
  ctx: PhaseContext,
): Promise<IntakeResult> {
  const baseline = await runBaseline(size, baselineBundlePath, ctx);
  ctx.log(`baseline: ${baseline.perSecond} updates/s, p50 ${baseline.latency.p50Ms} ms`);
  const { side: kczg, rejected } = await runKczg(size, ctx);
  ctx.log(`kczg intake: ${kczg.perSecond} nominations/s, p50 ${kczg.latency.p50Ms} ms`);
  // Rejections are answers, not throughput: count only accepted nominations.
  const accepted = kczg.succeeded - Object.values(rejected).reduce((n, v) => n + v, 0);
  const kczgSide = { ...kczg, perSecond: round(accepted / kczg.wallSeconds) };
  return {
    ...size,
    kczg: kczgSide,
    baseline,
    ratio: round(kczgSide.perSecond / Math.max(baseline.perSecond, 1e-9), 3),
    rejected,
  };
}
