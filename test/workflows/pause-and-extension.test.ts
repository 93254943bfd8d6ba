/**
 * Two deadline rules on the time-skipping server: a pause moves later deadlines by its length in
 * whole minutes (so "2023-11-30 24:00" stays on a minute boundary and its reminders keep their
 * day), and a unit's extension may not end before the common collection deadline.
 */
import { messageIdFor } from '../../activities/mail';
import { beijingToEpochMs, formatDeadline } from '../../domain/calendar';
import { listOutbox } from '../../mail/outbox';
import { loadProgramme } from '../../programmes/loader';
import type { TestStack } from '../support/stack';
import { rejectionOf, useTimeSkippingStack } from '../support/time-skipping';

const MINUTE = 60_000;
const DAY = 86_400_000;

describe('pauses and unit extensions', () => {
  const kit = useTimeSkippingStack({ runWorker: false });
  let stack: TestStack;
  beforeAll(() => (stack = kit.stack));

  it('shifts deadlines by whole minutes and refuses a unit extension before the common deadline', async () => {
    const base = loadProgramme('national-2023');
    const programme = {
      ...base,
      id: 'pause-minutes-2023',
      roster: { ...base.roster, units: base.roster.units.filter((u) => ['cie', 'cmes'].includes(u.id)) },
    };
    const closes = beijingToEpochMs('2023-11-30 24:00');
    await stack.withWorker(async () => {
      const api = stack.api;
      const { cycleId } = await api.startCycle(programme, {
        startAt: beijingToEpochMs('2023-11-20 09:00') + 7_000,
      });
      const offset = (await api.status(cycleId)).clockOffsetMs;

      // A unit's extension ends at the common deadline or later, never before it.
      const early = await rejectionOf(
        api.extend(cycleId, {
          scope: { kind: 'unit', unitId: 'cmes' },
          until: beijingToEpochMs('2023-11-29 24:00'),
          reason: '误操作',
        }),
      );
      expect(early).toMatchObject({
        code: 'INVALID',
        field: 'until',
        rule: 'not-before-common-deadline',
      });
      expect(early.message).toMatch(/^单位延期不能早于统一征集截止时间 2023-11-30 24:00 \(北京时间\) \/ /);
      expect(early.fix).toContain('2023-11-30 24:00');
      expect((await api.status(cycleId)).unitExtensions).toEqual({});
      const extendedTo = beijingToEpochMs('2023-12-01 12:00');
      await api.extend(cycleId, {
        scope: { kind: 'unit', unitId: 'cmes' },
        until: extendedTo,
        reason: '材料补正',
      });

      // A pause of two days and some seconds, begun seven seconds past a minute.
      const before = await api.status(cycleId);
      await api.pause(cycleId, '系统维护');
      await stack.sleepUntil(before.now + 2 * DAY + 20_000, offset);
      const after = await api.resume(cycleId, '维护结束');
      const shift = after.deadlines.collectionClosesAt - closes;
      expect(shift).toBe(2 * DAY);
      expect(formatDeadline(after.deadlines.collectionClosesAt)).toBe('2023-12-02 24:00 (北京时间)');
      for (const at of [...Object.values(after.deadlines), ...Object.values(after.unitExtensions)]) {
        expect(at % MINUTE).toBe(0);
      }
      expect(after.deadlines.preliminaryReviewDueAt - before.deadlines.preliminaryReviewDueAt).toBe(shift);
      expect(after.unitExtensions.cmes).toBe(extendedTo + shift);
      const audit = await api.audit(cycleId);
      expect(audit.find((e) => e.action === 'resume')?.detail).toBe('维护结束 (+2880 min)');

      // The unit follows the whole-minute deadline: open until 24:00, closed notice for it.
      const expected = beijingToEpochMs('2023-12-02 24:00');
      expect((await api.unitState(cycleId, 'cie')).collectionClosesAt).toBe(expected);
      await stack.sleepUntil(expected + MINUTE, offset);
      const closed = messageIdFor(`${cycleId}/unit/cie/closed@${expected}`, 'kczg.example.org');
      expect((await listOutbox(stack.outboxDir)).filter((m) => m.messageId === closed)).toHaveLength(1);
      expect((await api.unitState(cycleId, 'cie')).open).toBe(false);
      expect((await api.unitState(cycleId, 'cmes')).open).toBe(true);

      await api.cancel(cycleId, '测试结束');
      await stack.env.client.workflow.getHandle(cycleId).result();
    });
  });
});
