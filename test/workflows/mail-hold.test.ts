/**
 * The secretariat holds one planned mailing and releases it: held, it is not sent when due;
 * released, it goes out at once, exactly once per unit. A mail the SMTP server refuses for good
 * is recorded on the cycle and reported to the secretariat.
 */
import { messageIdFor } from '../../activities/mail';
import { beijingToEpochMs } from '../../domain/calendar';
import { listOutbox } from '../../mail/outbox';
import { loadProgramme } from '../../programmes/loader';
import type { TestStack } from '../support/stack';
import { useTimeSkippingStack } from '../support/time-skipping';

describe('holding and releasing a planned mailing', () => {
  const kit = useTimeSkippingStack({ runWorker: false });
  let stack: TestStack;
  beforeAll(() => (stack = kit.stack));

  it('keeps collection:T-7 back while held and sends it once on release', async () => {
    const base = loadProgramme('national-2023');
    const programme = {
      ...base,
      id: 'hold-test-2023',
      roster: { ...base.roster, units: base.roster.units.slice(0, 3) },
    };
    await stack.withWorker(async () => {
      const { cycleId } = await stack.api.startCycle(programme, {
        startAt: beijingToEpochMs('2023-11-10 08:00'),
      });
      const offset = (await stack.api.status(cycleId)).clockOffsetMs;
      const t7 = (unitId: string) =>
        messageIdFor(`${cycleId}/unit/${unitId}/collection:T-7`, 'kczg.example.org');
      const sentIds = async () => new Set((await listOutbox(stack.outboxDir)).map((m) => m.messageId));

      const held = await stack.api.mailHold(cycleId, 'collection:T-7', true);
      expect(held.heldMailings).toEqual(['collection:T-7']);
      // T-7 of 2023-11-30 24:00 is Thursday 2023-11-23 09:00 Beijing time.
      await stack.sleepUntil(beijingToEpochMs('2023-11-23 12:00'), offset);
      const whileHeld = await sentIds();
      for (const unit of programme.roster.units) expect(whileHeld.has(t7(unit.id))).toBe(false);

      await stack.api.mailHold(cycleId, 'collection:T-7', false);
      await stack.sleepUntil(beijingToEpochMs('2023-11-23 12:05'), offset);
      const outbox = await listOutbox(stack.outboxDir);
      for (const unit of programme.roster.units) {
        expect(outbox.filter((m) => m.messageId === t7(unit.id))).toHaveLength(1);
      }
      const audit = await stack.api.audit(cycleId);
      expect(audit.map((e) => e.action)).toEqual(expect.arrayContaining(['mail-hold', 'mail-release']));
      await stack.api.cancel(cycleId, '测试结束');
      await stack.env.client.workflow.getHandle(cycleId).result();
    });
  });
});

describe('a mail refused for good', () => {
  const kit = useTimeSkippingStack({ runWorker: false });
  let stack: TestStack;
  beforeAll(() => (stack = kit.stack));

  it('is recorded on the cycle and reported to the secretariat', async () => {
    const base = loadProgramme('national-2023');
    const programme = {
      ...base,
      id: 'bounce-test-2023',
      roster: { ...base.roster, units: base.roster.units.slice(0, 1) },
    };
    await stack.withWorker(async () => {
      stack.smtp.setFaults({ rejectNext: [{ code: 550, message: 'mailbox unavailable' }] });
      const { cycleId } = await stack.api.startCycle(programme, {
        startAt: beijingToEpochMs('2023-11-20 08:00'),
      });
      const offset = (await stack.api.status(cycleId)).clockOffsetMs;
      await stack.sleepUntil(beijingToEpochMs('2023-11-20 08:10'), offset);
      const status = await stack.api.status(cycleId);
      expect(status.mailFailures).toBe(1);
      const report = messageIdFor(`${cycleId}/secretariat/mail-failures/1`, 'kczg.example.org');
      const outbox = await listOutbox(stack.outboxDir);
      expect(outbox.filter((m) => m.messageId === report)).toEqual([
        expect.objectContaining({ to: programme.secretariat.contacts.map((c) => c.email) }),
      ]);
      await stack.api.cancel(cycleId, '测试结束');
      await stack.env.client.workflow.getHandle(cycleId).result();
    });
  });
});
