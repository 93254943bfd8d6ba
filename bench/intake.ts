/**
 * Intake: nominations through KczgClient.nominate (validated Workflow Updates on the unit
 * workflows) at a fixed concurrency, against the baseline: the same number of no-op Updates with
 * the same payloads spread over as many trivial workflows (bench/baseline-workflow.ts) as there
 * are units, on their own worker and task queue with the same cache size. The sides run
 * interleaved, baseline then kczg, for `rounds` rounds; each side of each round gets a fresh dev
 * server and a fresh worker process, so neither inherits the other's state or warm caches.
 *
 * Each side also measures, in the same round: worker CPU per update; worker RSS per cached
 * workflow (RSS once its workflows are started and cached, less RSS of the idle worker, over the
 * workflows the cache holds); a read under the load (the cycle's status query; the trivial
 * workflow's query on a workflow of its own). The kczg side also reads the portal's unit page
 * under the load, and after it closes the collection and times the hand-over to review.
 */
import path from 'node:path';
import { KczgClient } from '../client/api';
import { beijingToEpochMs } from '../domain/calendar';
import { DEFAULT_MAX_CACHED_WORKFLOWS } from '../worker/create';
import { BASELINE_TASK_QUEUE, noopUpdate, stateQuery } from './baseline-workflow';
import { closeCollectionSoon, watchHandOver, type HandOverWatch } from './handover';
import { startPortalReads, type PortalReads } from './portal-load';
import {
  nominateCountingRefusals,
  progressLog,
  waitForMailToSettle,
  withKczgStack,
  type PhaseContext,
} from './phase-kit';
import { benchNominations, benchProgramme } from './programme';
import { ratioFigures, type RatioFigure } from './ratios';
import {
  cpuSecondsBetween,
  cpuSecondsSoFar,
  startBenchStack,
  type BenchStack,
  type BenchWorker,
} from './stack';
import {
  drive,
  LoadSampler,
  mib,
  queryLoop,
  round,
  sleep,
  type DriveResult,
  type LatencySummary,
} from './stats';

export interface IntakeSize {
  nominations: number;
  units: number;
  concurrency: number;
}

export interface IntakeSide extends DriveResult {
  /** Seconds to get the side ready before the clock starts (cycle start + opening notices, or workflow starts). */
  setupSeconds: number;
  /** Worker RSS once polling, before any workflow. */
  workerRssIdleMiB?: number;
  /** Worker RSS once set up (workflows started and cached), before the measured load. */
  workerRssBeforeLoadMiB?: number;
  /** Workflows the cache holds after set-up: min(units, cache size) (and one status workflow each side). */
  cachedWorkflows: number;
  /** (RSS before load − idle RSS) ÷ cachedWorkflows. */
  rssPerCachedWorkflowKiB?: number;
  /** Highest RSS up to the end of the load. */
  workerPeakRssMiB?: number;
  workerCpuSeconds: number;
  /** Worker CPU ÷ updates that succeeded. */
  workerCpuMsPerUpdate: number;
  serverCpuSeconds?: number;
  benchCpuSeconds: number;
  loadAverage: { mean: number; max: number };
  /** The read under the load: kczg's cycle status query, or the trivial workflow's query. */
  query: LatencySummary & { errors: number };
}

export interface KczgIntakeSide extends IntakeSide {
  /** The portal's unit page (API and HTML) read under the load. */
  portal?: PortalReads;
  /** The close right after the load and the hand-over of the accepted nominations to review. */
  handOver?: HandOverWatch & { extendSeconds: number };
}

export interface IntakeRound {
  round: number;
  baseline: IntakeSide;
  kczg: KczgIntakeSide;
}

export interface IntakeResult extends IntakeSize {
  /** The workers' workflow cache size (both sides). */
  cacheSize: number;
  rounds: IntakeRound[];
  /** Refusals over every kczg round, by code (none expected: the load is eligible). */
  rejected: Record<string, number>;
  /** Issue 19's ratios with their spread over the rounds (bench/ratios.ts). */
  figures: RatioFigure[];
}

interface SideLoad {
  worker: BenchWorker;
  setupSeconds: number;
  rssIdle: number;
  cachedWorkflows: number;
  /** The read measured while the load runs. */
  query: () => Promise<unknown>;
  load: () => Promise<DriveResult>;
}

/**
 * Runs one side's load and measures it: worker RSS idle and before it, CPU of worker, server and
 * bench, load average, the read under the load. The worker keeps running (kczg hands over next).
 */
async function measureSide(stack: BenchStack, side: SideLoad): Promise<IntakeSide> {
  const { worker } = side;
  const rssBeforeLoad = worker.rss();
  const sampler = new LoadSampler();
  const cpu0 = cpuSecondsSoFar(stack, worker);
  const reads = queryLoop(side.query);
  const result = await side.load();
  const cpu = cpuSecondsBetween(cpu0, cpuSecondsSoFar(stack, worker));
  const query = await reads.stop();
  const loadAverage = sampler.stop();
  return {
    ...result,
    setupSeconds: round(side.setupSeconds),
    workerRssIdleMiB: mib(side.rssIdle),
    workerRssBeforeLoadMiB: mib(rssBeforeLoad),
    cachedWorkflows: side.cachedWorkflows,
    rssPerCachedWorkflowKiB:
      side.rssIdle > 0 && rssBeforeLoad > 0
        ? round((rssBeforeLoad - side.rssIdle) / 1024 / side.cachedWorkflows)
        : undefined,
    workerPeakRssMiB: mib(worker.peakRss()),
    workerCpuSeconds: cpu.worker,
    workerCpuMsPerUpdate: round((cpu.worker * 1000) / Math.max(1, result.succeeded), 3),
    serverCpuSeconds: cpu.server,
    benchCpuSeconds: cpu.bench,
    loadAverage,
    query,
  };
}

async function runBaseline(
  size: IntakeSize,
  bundlePath: string,
  cacheSize: number,
  ctx: PhaseContext,
  roundNo: number,
): Promise<IntakeSide> {
  const { log } = ctx;
  const stack = await startBenchStack({
    dataDir: path.join(ctx.workDir, `baseline-r${roundNo}`),
    smtp: false,
    log,
    workerExecArgv: ctx.workerExecArgv('intake-baseline'),
  });
  try {
    const worker = await stack.startWorker({
      kind: 'baseline',
      taskQueue: BASELINE_TASK_QUEUE,
      bundlePath,
      maxCachedWorkflows: cacheSize,
    });
    const rssIdle = worker.rss();
    const client = stack.env.client;
    const setupStarted = performance.now();
    const programme = benchProgramme('bench-baseline-2023', size.units, 1);
    // One trivial workflow besides the units' stand-ins answers the reads, as the cycle does for kczg.
    const statusId = 'bench-baseline:status';
    const ids = [...programme.roster.units.map((u) => `bench-baseline:${u.id}`), statusId];
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
      `baseline round ${roundNo}: ${items.length} no-op updates over ${ids.length - 1} workflows at concurrency ${size.concurrency}`,
    );
    return await measureSide(stack, {
      worker,
      setupSeconds,
      rssIdle,
      cachedWorkflows: Math.min(size.units, cacheSize),
      query: () => client.workflow.getHandle(statusId).query(stateQuery),
      load: () =>
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
    });
  } finally {
    await stack.shutdown();
  }
}

async function runKczg(
  size: IntakeSize,
  cacheSize: number,
  ctx: PhaseContext,
  roundNo: number,
): Promise<{ side: KczgIntakeSide; rejected: Record<string, number> }> {
  const { log } = ctx;
  const names = { dataDir: `intake-r${roundNo}`, profile: 'intake-kczg' };
  return withKczgStack(ctx, names, async (stack, worker, dataDir) => {
    const rssIdle = worker.rss();
    const client = await stack.kczgClient();
    const api = new KczgClient(client);
    const perUnit = Math.ceil(size.nominations / size.units);
    const programme = benchProgramme('bench-intake-2023', size.units, perUnit);
    const setupStarted = performance.now();
    const { cycleId } = await api.startCycle(programme, {
      startAt: beijingToEpochMs('2023-11-01 09:00'),
      outDir: path.join(dataDir, 'published'),
    });
    log(
      `intake round ${roundNo}: ${cycleId} started with ${size.units} units; waiting for the opening notices`,
    );
    // Each unit mails its "collection opened" notice at once (the opening lies in the past):
    // let that settle so that intake is measured on its own.
    const mails = await waitForMailToSettle(stack, size.units, log, 3_000);
    const setupSeconds = (performance.now() - setupStarted) / 1000;
    log(`intake round ${roundNo}: ready after ${round(setupSeconds)} s (${mails} notices)`);
    const items = benchNominations(programme, size.nominations, 'intake', size.concurrency);
    const rejected: Record<string, number> = {};
    // The portal has a client connection of its own, as a portal process would.
    const portal = await startPortalReads(
      await stack.kczgClient(),
      cycleId,
      programme.id,
      programme.roster.units[0].id,
    );
    let portalReads: PortalReads | undefined;
    const side = await measureSide(stack, {
      worker,
      setupSeconds,
      rssIdle,
      cachedWorkflows: Math.min(size.units, cacheSize),
      query: () => api.status(cycleId),
      load: async () => {
        try {
          return await drive({
            items,
            concurrency: size.concurrency,
            ...nominateCountingRefusals(api, cycleId, rejected),
            onProgress: progressLog(log, 'kczg intake', items.length),
          });
        } finally {
          portalReads = await portal.stop();
        }
      },
    });
    const accepted = side.succeeded - Object.values(rejected).reduce((n, v) => n + v, 0);
    const { clockOffsetMs } = await api.status(cycleId);
    const close = await closeCollectionSoon(api, cycleId, clockOffsetMs);
    const handOver = await watchHandOver(api, cycleId, accepted, close.closeAt);
    log(
      `intake round ${roundNo}: ${handOver.handedOver} handed over in ${handOver.seconds === undefined ? '-' : round(handOver.seconds)} s after the close`,
    );
    return {
      side: {
        ...side,
        // Rejections are answers, not throughput: count only accepted nominations.
        perSecond: round(accepted / side.wallSeconds),
        ...(portalReads ? { portal: portalReads } : {}),
        handOver: roundedWatch({ ...handOver, extendSeconds: close.extendSeconds }),
      },
      rejected,
    };
  });
}

function roundedWatch(
  w: HandOverWatch & { extendSeconds: number },
): HandOverWatch & { extendSeconds: number } {
  const r = (v: number | undefined) => (v === undefined ? undefined : round(v, 2));
  return {
    ...w,
    toReviewStageSeconds: r(w.toReviewStageSeconds),
    seconds: r(w.seconds),
    perSecond: r(w.perSecond),
    extendSeconds: round(w.extendSeconds, 2),
  };
}

export async function runIntake(
  size: IntakeSize,
  baselineBundlePath: string,
  rounds: number,
  ctx: PhaseContext,
): Promise<IntakeResult> {
  const cacheSize = ctx.maxCachedWorkflows ?? DEFAULT_MAX_CACHED_WORKFLOWS;
  const results: IntakeRound[] = [];
  const rejected: Record<string, number> = {};
  for (let r = 1; r <= rounds; r++) {
    const baseline = await runBaseline(size, baselineBundlePath, cacheSize, ctx, r);
    ctx.log(`baseline round ${r}: ${baseline.perSecond} updates/s, p99 ${baseline.latency.p99Ms} ms`);
    const { side: kczg, rejected: refused } = await runKczg(size, cacheSize, ctx, r);
    ctx.log(`kczg round ${r}: ${kczg.perSecond} nominations/s, p99 ${kczg.latency.p99Ms} ms`);
    for (const [code, n] of Object.entries(refused)) rejected[code] = (rejected[code] ?? 0) + n;
    results.push({ round: r, baseline, kczg });
  }
  return { ...size, cacheSize, rounds: results, rejected, figures: ratioFigures(results) };
}
