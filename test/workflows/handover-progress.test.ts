/**
 * Issue 19: while the cycle hands its nominations over to review, its status says so with the
 * progress, instead of a review stage with no nominations (which reads as data loss). On the
 * time-skipping server with the real activities; the hand-over activity is held at its end (after
 * its last progress report, before it returns to the workflow) until the test has looked, so the
 * status is read mid-hand-over every time. `kczg cycle status` renders it, in text and --json.
 */
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { heartbeating } from '../../activities/heartbeat';
import { codecKeysConfigured } from '../../codec/keys';
import { dataConverterFor } from '../../codec/data-converter';
import { beijingToEpochMs } from '../../domain/calendar';
import { loadProgramme } from '../../programmes/loader';
import { DEFAULT_BUNDLE_PATH } from '../../worker/create';
import { KczgClient } from '../../client/api';
import { cycleTaskQueueOf } from '../../workflows/ids';
import { dossierFor, electronicsTech, enterprise } from '../support/candidates';
import { CliRunner } from '../support/cli';
import { startTestStack, type TestStack } from '../support/stack';
import { eventually } from '../support/time-skipping';
import { testPlan } from '../domain/expert-fixtures';

/** A queue of this file's own: the stack's (unstarted) worker holds the default one. */
const TASK_QUEUE = 'kczg-handover-progress';

/** A promise with its resolver, for holding the activity and for knowing it is held. */
function latch(): { opened: Promise<void>; open: () => void } {
  let open = () => undefined as void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('cycle status during the hand-over to review', () => {
  let stack: TestStack;
  let workers: Worker[] = [];
  let running: Promise<void>;
  const held = latch();
  const release = latch();
  const cli = new CliRunner({ address: () => stack.env.address });

  beforeAll(async () => {
    // The spawned CLI sees only the real environment: unencrypted unless KCZG_CODEC_KEYS is set.
    stack = await startTestStack('time-skipping', codecKeysConfigured(process.env) ? {} : { codec: 'none' });
    const activities = createActivities({
      client: stack.env.client,
      taskQueue: TASK_QUEUE,
      mail: {
        smtpUrl: stack.smtp.url,
        from: '"科创中国 秘书处 kczg" <noreply@kczg.example.org>',
        messageIdDomain: 'kczg.example.org',
      },
      storage: stack.storage,
      // Every body reads its nominations' summaries itself, as one past the payload limit does.
      inlineSummaryBytes: 0,
    });
    const holdingHandOver = heartbeating(async (...args: Parameters<typeof activities.handOverToReview>) => {
      const counts = await activities.handOverToReview(...args);
      held.open();
      await release.opened;
      return counts;
    });
    const common = {
      connection: stack.env.nativeConnection,
      namespace: stack.env.namespace,
      dataConverter: dataConverterFor(stack.codec ?? 'none'),
      workflowBundle: { codePath: process.env.KCZG_WORKFLOW_BUNDLE ?? DEFAULT_BUNDLE_PATH },
      activities: { ...activities, handOverToReview: holdingHandOver },
    };
    workers = [
      await Worker.create({ ...common, taskQueue: TASK_QUEUE }),
      await Worker.create({ ...common, taskQueue: cycleTaskQueueOf(TASK_QUEUE) }),
    ];
    // The stack's own worker (the default queue, idle here) runs too, so that it lets go of the
    // connection when it stops.
    running = Promise.all([...workers, stack.worker].map((w) => w.run())).then(() => undefined);
  });

  afterAll(async () => {
    release.open();
    await cli.stopAll();
    for (const worker of [...workers, stack.worker]) worker.shutdown();
    await running;
    await stack?.shutdown();
  });

  it('shows "handing over n of N nominations" until the counts are in, then the counts', async () => {
    const base = loadProgramme('national-2023');
    const programme = {
      ...base,
      id: 'handover-progress-2023',
      roster: { ...base.roster, units: base.roster.units.filter((u) => ['cie', 'cmes'].includes(u.id)) },
    };
    const api = new KczgClient(stack.env.client, { taskQueue: TASK_QUEUE });
    const { cycleId } = await api.startCycle(programme, { startAt: beijingToEpochMs('2023-11-20 09:00') });
    const offset = (await api.status(cycleId)).clockOffsetMs;
    await api.nominate(cycleId, 'cie', electronicsTech('cie-1', '量子通信芯片', programme));
    await api.nominate(cycleId, 'cie', electronicsTech('cie-2', '光子计算芯片', programme));
    await api.nominate(cycleId, 'cmes', {
      idempotencyKey: 'cmes-1',
      listId: 'emerging-enterprise',
      candidate: enterprise('新锐科技', '2018-05-01'),
      dossier: dossierFor(programme, 'emerging-enterprise'),
    });

    await stack.sleepUntil(beijingToEpochMs('2023-12-01 00:01'), offset);
    await held.opened;
    const during = await eventually('the last progress report in the status', async () => {
      const status = await api.status(cycleId);
      return status.fanOut?.step === 'handing-over' && status.fanOut.done === 3 ? status : undefined;
    });
    expect(during.stage).toBe('preliminary-review');
    expect(during.fanOut).toMatchObject({ kind: 'hand-over', step: 'handing-over', done: 3, total: 3 });
    // The counts are not in yet: without the progress this read as a review of nothing.
    expect(during.parts.reduce((n, p) => n + p.nominations, 0)).toBe(0);

    const text = await cli.run(['cycle', 'status', programme.id], { text: true });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('移交评审中 3/3 · handing over 3 of 3 nominations');
    const json = await cli.run(['cycle', 'status', programme.id]);
    expect(json.json.fanOut).toMatchObject({ kind: 'hand-over', step: 'handing-over', done: 3, total: 3 });
    expect(json.json.fanOut.startedAt).toMatch(/^2023-12-01T00:0\d:\d\d(\.\d+)?\+08:00$/);

    release.open();
    const after = await eventually('the counts after the hand-over', async () => {
      const status = await api.status(cycleId);
      return status.fanOut === undefined && status.parts.some((p) => p.nominations > 0) ? status : undefined;
    });
    expect(after.parts.reduce((n, p) => n + p.nominations, 0)).toBe(3);
    const progressSignals = (await api.cycle(cycleId).fetchHistory()).events?.filter(
      (e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'fanOutProgress',
    );
    // Reports are throttled: one per step's end here, never one per unit or nomination.
    expect(progressSignals?.length).toBeGreaterThanOrEqual(1);
    expect(progressSignals?.length).toBeLessThanOrEqual(3);

    // The body read its summaries (not handed over inline): conflicts by the nominating unit's
    // name are found as with summaries in the input.
    const body = 'info-tech-consortium';
    await eventually('the body has read its summaries', async () => {
      const state = await api.reviewState(cycleId, body);
      return state.expertReview && state.expertReview.summariesPending === undefined ? state : undefined;
    });
    const filed = await api.review.fileReviewPlan(
      cycleId,
      body,
      testPlan({
        weights: [60, 40],
        impact: { max: 10, step: 0.5 },
        organisations: ['中国电子学会', '清华大学'],
        expertsPerNomination: 1,
      }),
    );
    expect(filed.conflicts).toBe(2);
    expect((await api.reviewState(cycleId, body)).expertReview?.conflicts).toEqual(
      expect.arrayContaining([expect.objectContaining({ expertId: 'e1', source: 'nominating-unit' })]),
    );
    await api.cancel(cycleId, '测试结束 / test over');
    expect(await api.cycle(cycleId).result()).toMatchObject({ stage: 'cancelled' });
  });
});
