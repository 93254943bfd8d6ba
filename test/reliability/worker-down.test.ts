/**
 * Issue 12: a cycle whose worker is down across a digest, a reminder and a deadline sends each
 * due message once when a worker returns. Real processes: the Temporal CLI dev server and
 * `kczg worker` are child processes, the loopback SMTP outbox runs in this process.
 *
 * The programme closes collection "2023-12-01 00:01" with one reminder a day before at 23:59
 * (each unit's T-1 and the secretariat's T-1 digest); the cycle starts 30 s of programme time
 * before them. The worker is killed (SIGKILL) 10 s before 23:59 and a new one starts two minutes
 * after the close: about four minutes with no worker. Then each unit's T-1 reminder, the
 * secretariat's digest and each unit's closing notice go out once, and the stage changed. (A
 * workflow takes up a timer that fired while no worker ran at the instant it fired: the units
 * send their T-1 as due then, and the closing notice on the next step.)
 */
import { beijingToEpochMs } from '../../domain/calendar';
import { noticeKey } from '../../domain/mail-ids';
import { useDrill } from './support/drill';
import { deliveriesByKey, outboxSize } from './support/outbox';
import { minuteApartProgramme } from './support/programmes';
import { sleep, waitFor, type LoggedProcess } from './support/processes';

const REMINDER_AT = beijingToEpochMs('2023-11-30 23:59');
const CLOSES_AT = beijingToEpochMs('2023-12-01 00:01');
const LEAD_MS = 30_000;
const KILL_BEFORE_MS = 10_000;
const RESTART_AFTER_CLOSE_MS = 120_000;

describe('no worker across a digest, a reminder and a deadline (issue 12)', () => {
  const drill = useDrill('worker-down');
  const workers: LoggedProcess[] = [];

  beforeAll(async () => {
    workers.push(await drill.startWorker('kczg-worker-1'));
  }, 120_000);

  it('sends the digest, the reminders and the closing notices that fell due while no worker ran, each once', async () => {
    const { api, outboxDir } = drill;
    const programme = minuteApartProgramme('worker-down-2023');
    const units = programme.roster.units.map((u) => u.id);
    const { cycleId } = await api.startCycle(programme, { startAt: REMINDER_AT - LEAD_MS });
    const { clockOffsetMs } = await api.status(cycleId);
    const realTime = (t: number) => t - clockOffsetMs;
    const unitKey = (unit: string, id: string) => noticeKey(cycleId, { kind: 'unit', id: unit }, id);
    const openedKeys = units.map((u) => unitKey(u, 'opened'));
    const reminderKeys = units.map((u) => unitKey(u, 'collection:T-1'));
    const closedKeys = units.map((u) => unitKey(u, `closed@${CLOSES_AT}`));
    const digestKey = noticeKey(cycleId, { kind: 'secretariat' }, 'collection:digest-T-1');
    await waitFor(
      'the opening notices',
      async () => Object.values(await deliveriesByKey(outboxDir, openedKeys)).every((n) => n >= 1),
      { timeoutMs: 30_000 },
    );

    // No worker from 10 s before the reminders until two minutes after the close.
    const killAt = realTime(REMINDER_AT) - KILL_BEFORE_MS;
    if (Date.now() > killAt - 1_000) throw new Error('too slow: no time left to stop the worker first');
    await sleep(killAt - Date.now());
    expect((await workers[0].kill('SIGKILL')).signal).toBe('SIGKILL');
    await sleep(realTime(CLOSES_AT) + RESTART_AFTER_CLOSE_MS - Date.now());
    const downMs = Date.now() - killAt;
    expect(await outboxSize(outboxDir)).toBe(units.length);
    workers.push(await drill.startWorker('kczg-worker-2'));

    await waitFor(
      'the digest, the reminders and the closing notices',
      async () =>
        Object.values(await deliveriesByKey(outboxDir, [digestKey, ...reminderKeys, ...closedKeys])).every(
          (n) => n >= 1,
        ),
      { timeoutMs: 90_000, intervalMs: 500 },
    );
    const sentAfterMs = Date.now() - (killAt + downMs);
    // The stage moved on at the close (no nominations: the review has nothing to wait for).
    const moved = (await api.audit(cycleId)).find(
      (e) => e.action === 'stage' && e.detail === 'preliminary-review',
    );
    expect(moved?.at).toBeGreaterThanOrEqual(CLOSES_AT);
    expect((await api.status(cycleId)).stage).not.toMatch(/^collection/);
    await sleep(3_000);
    const once = [...openedKeys, ...reminderKeys, digestKey, ...closedKeys];
    expect(await deliveriesByKey(outboxDir, once)).toEqual(Object.fromEntries(once.map((k) => [k, 1])));
    expect(await outboxSize(outboxDir)).toBe(once.length);
    process.stderr.write(
      `[worker-down] no worker for ${(downMs / 1000).toFixed(0)} s across the T-1 digest, ${units.length} T-1 reminders ` +
        `and the close; after the restart, within ${(sentAfterMs / 1000).toFixed(1)} s: 1 digest, ${units.length} reminders ` +
        `and ${units.length} closing notices, each once\n`,
    );
    drill.passed();
  }, 480_000);
});
