/**
 * Scale: one cycle with many units and nominations on the dev server, through the close of
 * collection and the hand-over to review, in real time. The cycle starts with its programme
 * clock set shortly before the real collection deadline (startAt = closesAt − budget), so the
 * close falls due in real time after intake; if intake runs late the deadline is moved out, and
 * if it finishes early the deadline is brought forward (kczg's extend update, as the secretariat
 * would), so the run neither loses nominations nor idles.
 *
 * Measured: intake rate and latency at this size, status-query latency while intake runs (and
 * while the cycle hands over), the time from the close to the review bodies holding every
 * nomination, the largest histories (cycle, review bodies, every unit described, a sample and the
 * largest unit fetched in full), and the worker process's peak RSS.
 */
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { KczgClient } from '../client/api';
import { programmeDeadlines } from '../domain/timeline';
import { unitWorkflowId } from '../workflows/ids';
import { nominateCountingRefusals, waitForMailToSettle, withKczgStack, type PhaseContext } from './phase-kit';
import { watchHandOver } from './handover';
import { benchNominations, benchProgramme } from './programme';
import { cpuSecondsBetween, cpuSecondsSoFar } from './stack';
import { drive, LoadSampler, mib, queryLoop, round, type DriveResult, type LatencySummary } from './stats';

export interface ScaleSize {
  nominations: number;
  units: number;
  concurrency: number;
}

export interface HistoryFact {
  workflowId: string;
  events: number;
  bytes: number;
  /** Events by type (fetched histories only): where the events come from. */
  eventTypes?: Record<string, number>;
}

export interface DeadlineMove {
  /** 'late': start-up ran long (or intake would run into the close), moved out; 'early': brought forward. */
  reason: 'late' | 'early';
  atSecond: number;
  byMinutes: number;
  /** How long the extend update took: it returns once every unit has been told (a broadcast). */
  tookSeconds: number;
}

export interface ScaleResult extends ScaleSize {
  /** Set when the cap stopped intake before every nomination was sent: the size actually run. */
  truncated?: { capMinutes: number; attempted: number };
  accepted: number;
  rejected: Record<string, number>;
  intake: DriveResult;
  setup: { cycleStartSeconds: number; noticesSeconds: number; notices: number };
  close: {
    budgetSeconds: number;
    moves: DeadlineMove[];
    /**
     * From the close (the deadline, or the return of the extend that brought it forward, if
     * later) to the cycle's stage reading preliminary-review.
     */
    closeToReviewStageSeconds?: number;
    /** From the close to the cycle reporting every nomination handed over to the review bodies. */
    closeToHandOverSeconds?: number;
    handedOver: number;
    /** Nominations handed over per second of the hand-over (issue 19: ≥ 0.5× the no-op update rate). */
    handOverPerSecond?: number;
    /** Status answers that showed the hand-over's progress, and that showed review with no nominations and no progress. */
    progressSeen: number;
    emptyReviewSeen: number;
    closingNotices: number;
  };
  statusQuery: {
    underIntake: LatencySummary & { errors: number };
    duringHandOver: LatencySummary & { errors: number };
  };
  histories: {
    cycle: HistoryFact;
    reviewBodies: HistoryFact[];
    unitsDescribed: number;
    unitSample: HistoryFact[];
    largestUnit: HistoryFact;
    largestByEvents: HistoryFact;
    largestByBytes: HistoryFact;
  };
  /** RSS after start-up (every unit cached, start-up notices sent), peak, CPU during the phase. */
  worker: { rssBeforeLoadMiB?: number; peakRssMiB?: number; cpuSeconds: number };
  server: { peakRssMiB?: number; cpuSeconds?: number };
  benchCpuSeconds: number;
  loadAverage: { mean: number; max: number };
}

/** Events and encoded bytes of a workflow's whole history (as the server stores and replays it). */
async function historyFact(client: Client, workflowId: string): Promise<HistoryFact> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const bytes = temporal.api.history.v1.History.encode(history as temporal.api.history.v1.IHistory).finish()
    .length;
  const eventTypes: Record<string, number> = {};
  for (const event of history.events ?? []) {
    const type = String(temporal.api.enums.v1.EventType[event.eventType ?? 0] ?? event.eventType).replace(
      /^EVENT_TYPE_/,
      '',
    );
    eventTypes[type] = (eventTypes[type] ?? 0) + 1;
  }
  return { workflowId, events: history.events?.length ?? 0, bytes, eventTypes };
}

export async function runScale(
  size: ScaleSize,
  /** Nominations/s measured by the intake phase, to budget the time to the close. */
  expectedRate: number,
  /** Intake sends no new nomination after this many minutes: the run reports what it reached. */
  capMinutes: number,
  ctx: PhaseContext,
): Promise<ScaleResult> {
  const { log } = ctx;
  return withKczgStack(ctx, { dataDir: 'scale', profile: 'scale' }, async (stack, worker, dataDir) => {
    const client = await stack.kczgClient();
    const api = new KczgClient(client);
    const programme = benchProgramme(
      'bench-scale-2023',
      size.units,
      Math.ceil(size.nominations / size.units),
    );
    const closesAt = programmeDeadlines(programme).collectionClosesAt;
    // The close must fall after intake: start-up notices (one per unit, ~20/s here), then intake
    // at a bit below the intake phase's rate (at most the cap), plus a margin. Corrected once
    // before intake starts if start-up took longer; brought forward once intake is over.
    const intakeBudget = () =>
      Math.min(size.nominations / Math.max(1, expectedRate * 0.7), capMinutes * 60) + 120;
    const budgetSeconds = Math.round(size.units / 20 + intakeBudget());
    const setupStarted = performance.now();
    const { cycleId } = await api.startCycle(programme, {
      startAt: closesAt - budgetSeconds * 1000,
      outDir: path.join(dataDir, 'published'),
    });
    const offset = (await api.status(cycleId)).clockOffsetMs;
    const cycleStartSeconds = round((performance.now() - setupStarted) / 1000);
    const programmeNow = () => Date.now() + offset;
    let closeAt = closesAt;
    const realSecondsToClose = () => (closeAt - programmeNow()) / 1000;
    log(
      `scale: ${cycleId} started with ${size.units} units in ${cycleStartSeconds} s; collection closes in ${round(realSecondsToClose())} s`,
    );
    const noticesStarted = performance.now();
    const notices = await waitForMailToSettle(stack, size.units, log, 5_000);
    const noticesSeconds = round((performance.now() - noticesStarted) / 1000);
    log(`scale: ${notices} start-up notices settled in ${noticesSeconds} s`);

    const moves: DeadlineMove[] = [];
    const phaseStarted = performance.now();
    const moveClose = async (until: number, reason: DeadlineMove['reason']) => {
      const byMinutes = round((until - closeAt) / 60_000, 2);
      const sent = performance.now();
      await api.extend(cycleId, {
        scope: { kind: 'stage', stage: 'collection' },
        until,
        reason:
          reason === 'late'
            ? '基准测试：征集延长 / benchmark: intake running late'
            : '基准测试：提前截止 / benchmark: close now',
      });
      closeAt = until;
      moves.push({
        reason,
        atSecond: round((sent - phaseStarted) / 1000),
        byMinutes,
        tookSeconds: round((performance.now() - sent) / 1000),
      });
      log(
        `scale: collection deadline moved ${byMinutes} min (${reason}); closes in ${round(realSecondsToClose())} s`,
      );
    };

    if (realSecondsToClose() < intakeBudget())
      await moveClose(programmeNow() + intakeBudget() * 1000, 'late');
    const items = benchNominations(programme, size.nominations, 'scale', size.concurrency);
    const rejected: Record<string, number> = {};
    const rssBeforeLoad = worker.rss();
    const load = new LoadSampler();
    const cpu0 = cpuSecondsSoFar(stack, worker);
    const underIntake = queryLoop(() => api.status(cycleId));
    let emergency: Promise<void> | undefined;
    log(
      `scale: ${items.length} nominations from ${size.units} units at concurrency ${size.concurrency} (cap ${capMinutes} min)`,
    );
    const intake = await drive({
      items,
      concurrency: size.concurrency,
      stopAfterMs: capMinutes * 60_000,
      ...nominateCountingRefusals(api, cycleId, rejected),
      onProgress: (done, elapsedMs) => {
        const rate = done / (elapsedMs / 1000);
        log(
          `  scale intake: ${done}/${items.length} (${round(rate)}/s); close in ${Math.round(realSecondsToClose())} s; worker RSS ${mib(worker.rss())} MiB`,
        );
        // Never expected (the budget covers the cap), but a close during intake would refuse
        // nominations: move it out once, far enough.
        if (!emergency && realSecondsToClose() < 60) {
          emergency = moveClose(programmeNow() + (capMinutes * 60 + 300) * 1000, 'late').catch(
            (error: unknown) => log(`  could not move the deadline: ${String(error)}`),
          );
        }
      },
    });
    await emergency;
    const statusUnderIntake = await underIntake.stop();
    const accepted = intake.succeeded - Object.values(rejected).reduce((n, v) => n + v, 0);
    log(
      `scale: intake ${accepted} accepted at ${intake.perSecond}/s; status query p50 ${statusUnderIntake.p50Ms} ms p99 ${statusUnderIntake.p99Ms} ms`,
    );

    // Close: now, unless it is about to happen anyway.
    // The close takes effect at the new deadline, but not before the extend update has returned:
    // the cycle applies it after telling every unit. Time the hand-over from then.
    if (realSecondsToClose() > 20) await moveClose(programmeNow() + 10_000, 'early');
    const closeReal = Math.max(Date.now(), Date.now() + realSecondsToClose() * 1000);
    const handOver = await watchHandOver(api, cycleId, accepted, closeReal);
    log(
      `scale: review stage ${handOver.toReviewStageSeconds === undefined ? '-' : round(handOver.toReviewStageSeconds)} s after the close; ` +
        `${handOver.handedOver} nominations handed over ${handOver.seconds === undefined ? '-' : round(handOver.seconds)} s after it ` +
        `(status showed the hand-over's progress ${handOver.progressSeen} times, review with no nominations ${handOver.emptyReviewSeen} times)`,
    );
    // Every unit mails its "collection closed" notice at the close.
    const closingTotal = await waitForMailToSettle(stack, notices + size.units, log, 5_000, 3 * 60_000);
    const cpu = cpuSecondsBetween(cpu0, cpuSecondsSoFar(stack, worker));
    const loadAverage = load.stop();

    // Histories: the cycle, every review body with work, every unit described, a sample fetched.
    const status = await api.status(cycleId);
    const bodies = [
      ...new Set(status.parts.flatMap((p) => (p.nominations > 0 ? p.reviewBodies.map((b) => b.bodyId) : []))),
    ];
    const cycle = await historyFact(client, cycleId);
    const reviewBodies: HistoryFact[] = [];
    for (const bodyId of bodies) {
      try {
        reviewBodies.push(await historyFact(client, `${cycleId}:review:${bodyId}`));
      } catch (error) {
        log(`  no history for review body ${bodyId}: ${String(error)}`);
      }
    }
    const described: Array<{ workflowId: string; events: number; bytes: number }> = [];
    await drive({
      items: programme.roster.units,
      concurrency: 32,
      call: async (unit) => {
        const workflowId = unitWorkflowId(cycleId, unit.id);
        const d = await client.workflow.getHandle(workflowId).describe();
        described.push({ workflowId, events: d.historyLength, bytes: d.historySize ?? 0 });
      },
    });
    described.sort((a, b) => b.events - a.events || b.bytes - a.bytes);
    const step = Math.max(1, Math.floor(described.length / 20));
    const sampleIds = new Set([
      described[0]?.workflowId,
      ...described.filter((_, i) => i % step === 0).map((d) => d.workflowId),
    ]);
    const unitSample: HistoryFact[] = [];
    for (const id of sampleIds) if (id) unitSample.push(await historyFact(client, id));
    const largestUnit = unitSample.find((h) => h.workflowId === described[0]?.workflowId) ?? unitSample[0];
    const all = [cycle, ...reviewBodies, ...unitSample];
    // Described sizes cover every unit; use them too for the maxima.
    const allWithDescribed = [...all, ...described];
    const largestByEvents = allWithDescribed.reduce((a, b) => (b.events > a.events ? b : a));
    const largestByBytes = allWithDescribed.reduce((a, b) => (b.bytes > a.bytes ? b : a));
    const stopped = await worker.stop();
    return {
      ...size,
      ...(intake.stoppedEarly ? { truncated: { capMinutes, attempted: intake.attempted } } : {}),
      accepted,
      rejected,
      intake,
      setup: { cycleStartSeconds, noticesSeconds, notices },
      close: {
        budgetSeconds,
        moves,
        closeToReviewStageSeconds:
          handOver.toReviewStageSeconds === undefined ? undefined : round(handOver.toReviewStageSeconds),
        closeToHandOverSeconds: handOver.seconds === undefined ? undefined : round(handOver.seconds),
        handedOver: handOver.handedOver,
        handOverPerSecond: handOver.perSecond === undefined ? undefined : round(handOver.perSecond),
        progressSeen: handOver.progressSeen,
        emptyReviewSeen: handOver.emptyReviewSeen,
        closingNotices: closingTotal - notices,
      },
      statusQuery: {
        underIntake: statusUnderIntake,
        duringHandOver: handOver.statusQuery,
      },
      histories: {
        cycle,
        reviewBodies,
        unitsDescribed: described.length,
        unitSample,
        largestUnit,
        largestByEvents,
        largestByBytes,
      },
      worker: {
        rssBeforeLoadMiB: mib(rssBeforeLoad),
        peakRssMiB: mib(stopped.peakRssBytes),
        cpuSeconds: cpu.worker,
      },
      server: {
        peakRssMiB: mib(stack.serverPeakRss()),
        cpuSeconds: cpu.server,
      },
      benchCpuSeconds: cpu.bench,
      loadAverage,
    };
  });
}
