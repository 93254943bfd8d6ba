/**
 * Issue 7, item 2: the Temporal server dies (SIGKILL) mid-cycle and comes back on the same port and
 * SQLite file; the cycle carries on with its timers intact. Real processes: the Temporal CLI dev
 * server and `kczg worker` are child processes (the worker is never restarted), the loopback SMTP
 * outbox runs in this process.
 *
 * The programme is national-2023 with collection closing "2023-12-01 00:01" and one reminder a day
 * before at 23:59, so the reminder and the close are two minutes apart in programme time. The cycle
 * starts 30 s (programme time) before the reminder. The server is killed a few seconds before the
 * reminder falls due and restarted a few seconds after it: the reminder timer came due while the
 * server was dead. It is killed again just before the close and restarted just after it. Then: the
 * reminder went out exactly once to each unit still owing work and to no one else, the stage moved
 * to preliminary review at (not before) the close, and the units' nominations are as they were.
 */
import { RejectionError } from '../../client/api';
import { beijingToEpochMs } from '../../domain/calendar';
import type { Candidate } from '../../domain/programme';
import { planReminders } from '../../domain/reminders';
import { dossierFor } from '../support/candidates';
import { useDrill } from './support/drill';
import { deliveriesByKey, outboxSize } from './support/outbox';
import { minuteApartProgramme } from './support/programmes';
import { sleep, waitFor, type LoggedProcess } from './support/processes';

const REMINDER_AT = beijingToEpochMs('2023-11-30 23:59');
const CLOSES_AT = beijingToEpochMs('2023-12-01 00:01');
/** Programme time from the cycle's start to the reminder: room for the set-up before the first kill. */
const LEAD_MS = 30_000;
/** The server dies this long before each timer falls due, and comes back this long after it. */
const KILL_BEFORE_MS = 4_000;
const RESTART_AFTER_MS = 4_000;
/** The unit that marks itself complete: it owes no work, so it gets no reminder. */
const COMPLETE_UNIT = 'cmes';

const tech = (name: string): Candidate => ({ name, identity: `RESTART-${name}`, classified: false });

describe('the Temporal server killed with SIGKILL and restarted mid-cycle (issue 7, item 2)', () => {
  const drill = useDrill('server-restart');
  let worker: LoggedProcess | undefined;
  const serverProcesses: LoggedProcess[] = [];

  beforeAll(async () => {
    serverProcesses.push(drill.server.process as LoggedProcess);
    worker = await drill.startWorker('kczg-worker');
  }, 120_000);

  /** Kills the server `KILL_BEFORE_MS` before real time `dueAt` and restarts it `RESTART_AFTER_MS` after. */
  const crashAcross = async (dueAt: number, what: string) => {
    const s = drill.server;
    const killAt = dueAt - KILL_BEFORE_MS;
    if (Date.now() > killAt - 1_000) {
      throw new Error(
        `too slow: ${what} is due in ${dueAt - Date.now()} ms, no time left to kill the server first`,
      );
    }
    await sleep(killAt - Date.now());
    expect((await s.kill('SIGKILL'))?.signal).toBe('SIGKILL');
    await sleep(dueAt + RESTART_AFTER_MS - Date.now());
    const downMs = Date.now() - killAt;
    await s.restart();
    drill.track(s.process);
    serverProcesses.push(s.process as LoggedProcess);
    return downMs;
  };

  it('fires a reminder that fell due while the server was dead exactly once, to the units owing work only, and closes collection after a second crash with every nomination intact', async () => {
    const { api, outboxDir } = drill;
    const programme = minuteApartProgramme('restart-test-2023');
    const cycleId = 'kczg:restart-test-2023';
    const units = programme.roster.units.map((u) => u.id);
    expect(units).toContain(COMPLETE_UNIT);

    // The plan: exactly one reminder before the close, at 23:59, two minutes ahead of it.
    const plan = planReminders({
      deadlines: [{ key: 'collection', at: CLOSES_AT, role: 'unit' }],
      policy: programme.reminders,
      opensAt: beijingToEpochMs(programme.stages.collection.opens),
    }).filter((r) => r.kind === 'reminder');
    expect(plan.map((r) => [r.id, r.at])).toEqual([['collection:T-1', REMINDER_AT]]);

    const started = await api.startCycle(programme, { startAt: REMINDER_AT - LEAD_MS });
    expect(started).toEqual({ cycleId, started: true });
    const { clockOffsetMs, stage } = await api.status(cycleId);
    expect(stage).toBe('collection');
    /** Real time (epoch ms) at which the cycle's clock reads programme time `t`. */
    const realTime = (t: number) => t - clockOffsetMs;

    const key = (unit: string, id: string) => `${cycleId}/unit/${unit}/${id}`;
    const openedKeys = units.map((u) => key(u, 'opened'));
    const owing = units.filter((u) => u !== COMPLETE_UNIT);
    const reminderKeys = owing.map((u) => key(u, 'collection:T-1'));
    const completeUnitReminder = key(COMPLETE_UNIT, 'collection:T-1');
    const digestKey = `${cycleId}/secretariat/collection:digest-T-1`;
    const closedKeys = units.map((u) => key(u, `closed@${CLOSES_AT}`));

    // Nominations before the crashes; one unit declares itself done.
    const nominated = [
      await api.nominate(cycleId, 'cie', {
        idempotencyKey: 'restart-cie-1',
        listId: 'pioneer-tech',
        fieldId: 'electronics',
        candidate: tech('存储芯片'),
        dossier: dossierFor('national-2023', 'pioneer-tech', 'electronics'),
      }),
      await api.nominate(cycleId, 'cie', {
        idempotencyKey: 'restart-cie-2',
        listId: 'pioneer-tech',
        fieldId: 'biomedicine',
        candidate: tech('基因测序仪'),
        dossier: dossierFor('national-2023', 'pioneer-tech', 'biomedicine'),
      }),
      await api.nominate(cycleId, 'csae', {
        idempotencyKey: 'restart-csae-1',
        listId: 'pioneer-tech',
        fieldId: 'equipment',
        candidate: tech('线控底盘'),
        dossier: dossierFor('national-2023', 'pioneer-tech', 'equipment'),
      }),
    ];
    expect(nominated.map((n) => n.id)).toEqual(['cie.1', 'cie.2', 'csae.1']);
    expect((await api.markComplete(cycleId, COMPLETE_UNIT)).complete).toBe(true);
    const before = {
      cie: (await api.unitState(cycleId, 'cie')).nominations,
      csae: (await api.unitState(cycleId, 'csae')).nominations,
    };

    // The opening notices (collection opened on 10-07) went out at the start, once each.
    await waitFor(
      'the opening notices',
      async () => Object.values(await deliveriesByKey(outboxDir, openedKeys)).every((n) => n >= 1),
      { timeoutMs: 30_000 },
    );
    expect(await deliveriesByKey(outboxDir, [...reminderKeys, digestKey])).toEqual(
      Object.fromEntries([...reminderKeys, digestKey].map((k) => [k, 0])),
    );

    // Crash 1: the reminder falls due while the server is dead.
    const down1 = await crashAcross(realTime(REMINDER_AT), 'the reminder');
    // Nothing could go out while the server was dead: the reminder is still owed.
    const sentEarly = Object.values(await deliveriesByKey(outboxDir, [...reminderKeys, digestKey]));
    expect(sentEarly.reduce((a, b) => a + b, 0)).toBe(0);
    await waitFor(
      'the reminders and the digest after the restart',
      async () =>
        Object.values(await deliveriesByKey(outboxDir, [...reminderKeys, digestKey])).every((n) => n >= 1),
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    const remindedAfterMs = Date.now() - realTime(REMINDER_AT);
    expect(await api.status(cycleId)).toMatchObject({ stage: 'collection' });

    // Crash 2: the collection closes while the server is dead.
    const down2 = await crashAcross(realTime(CLOSES_AT), 'the collection close');
    await waitFor(
      'the stage to become preliminary-review',
      async () => (await api.status(cycleId)).stage === 'preliminary-review',
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    const closedAfterMs = Date.now() - realTime(CLOSES_AT);
    // It moved at the close: not before (the server was dead then), and recorded at programme time ≥ close.
    const stageChange = (await api.audit(cycleId)).find(
      (e) => e.action === 'stage' && e.detail === 'preliminary-review',
    );
    expect(stageChange?.at).toBeGreaterThanOrEqual(CLOSES_AT);

    // The units' nominations survived both crashes unchanged, and collection is closed to them.
    const cie = await api.unitState(cycleId, 'cie');
    expect({ cie: cie.nominations, csae: (await api.unitState(cycleId, 'csae')).nominations }).toEqual(
      before,
    );
    expect(cie.open).toBe(false);
    const late = await api
      .nominate(cycleId, 'cie', {
        idempotencyKey: 'restart-cie-late',
        listId: 'pioneer-tech',
        fieldId: 'equipment',
        candidate: tech('迟到的技术'),
        dossier: dossierFor('national-2023', 'pioneer-tech', 'equipment'),
      })
      .then(
        () => undefined,
        (error: unknown) => (error instanceof RejectionError ? error.rejection.code : String(error)),
      );
    expect(late).toBe('COLLECTION_CLOSED');
    expect((await api.unitState(cycleId, COMPLETE_UNIT)).complete).toBe(true);

    // Mail: every notice exactly once; no reminder to the unit that owed nothing.
    await waitFor(
      'the closing notices',
      async () => Object.values(await deliveriesByKey(outboxDir, closedKeys)).every((n) => n >= 1),
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    await sleep(2_000);
    const expected = [...openedKeys, ...reminderKeys, digestKey, ...closedKeys];
    expect(await deliveriesByKey(outboxDir, [...expected, completeUnitReminder])).toEqual({
      ...Object.fromEntries(expected.map((k) => [k, 1])),
      [completeUnitReminder]: 0,
    });
    expect(await outboxSize(outboxDir)).toBe(expected.length);

    // The worker rode out both outages without a restart.
    expect(worker?.running()).toBe(true);
    expect(serverProcesses.map((p) => p.exitStatus?.signal ?? 'running')).toEqual([
      'SIGKILL',
      'SIGKILL',
      'running',
    ]);

    process.stderr.write(
      `[server-restart] server down ${(down1 / 1000).toFixed(1)} s across the reminder (sent ${(remindedAfterMs / 1000).toFixed(1)} s ` +
        `after it fell due) and ${(down2 / 1000).toFixed(1)} s across the close (stage moved ${(closedAfterMs / 1000).toFixed(1)} s ` +
        `after it); ${expected.length} notices, each once\n`,
    );
    drill.passed();
  }, 240_000);
});
