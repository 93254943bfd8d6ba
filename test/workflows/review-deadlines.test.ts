/**
 * Issue 4 (steering): when the secretariat moves the preliminary-review deadline, every dependent
 * timer follows, on the time-skipping server against the real loopback SMTP outbox.
 *
 * - Moved earlier (`extend --stage preliminary-review --until <earlier>`): every part, the body's
 *   reminders and the escalation follow the new date; the stage ends there, not at the original.
 * - A body handed over with five days left gets only the reminders still ahead (T-3, T-1), not
 *   T-14 and T-7 at once; a part extended explicitly beyond a later stage-level change keeps its
 *   date; a deadline moved to today is announced once, as "评审结果报送今天截止".
 *
 * Messages are found by Message-ID, derived from the business key
 * (`<cycleId>/review/<bodyId>/<reminderId>`), so each assertion names exactly one message.
 */
import { messageIdFor } from '../../activities/mail';
import { beijingToEpochMs } from '../../domain/calendar';
import type { Programme } from '../../domain/programme';
import { quotaKey } from '../../domain/quota';
import { planReminders } from '../../domain/reminders';
import { loadProgramme } from '../../programmes/loader';
import type { ExtendRequest } from '../../workflows/messages';
import { dossierFor, electronicsTech, enterprise } from '../support/candidates';
import type { TestStack } from '../support/stack';
import { eventually, MESSAGE_ID_DOMAIN, useTimeSkippingStack, type Outbox } from '../support/time-skipping';

const MINUTE = 60_000;

/** The secretariat's request bringing the whole preliminary review forward to `until`. */
const reviewBroughtForward = (until: number): ExtendRequest => ({
  scope: { kind: 'stage', stage: 'preliminary-review' },
  until,
  reason: '提前完成初评',
});

describe('moving the preliminary-review deadline: parts, reminders and the escalation follow', () => {
  const kit = useTimeSkippingStack();
  let stack: TestStack;
  let outbox: Outbox;
  const base = loadProgramme('national-2023');
  const programmeWith = (id: string, unitIds: string[]): Programme => ({
    ...base,
    id,
    roster: { ...base.roster, units: base.roster.units.filter((u) => unitIds.includes(u.id)) },
  });
  const electronics = quotaKey('pioneer-tech', 'electronics');
  const reviewReminders = (bodyId: string, dueAt: number) =>
    planReminders({
      deadlines: [{ key: `review:${bodyId}`, at: dueAt, role: 'reviewBody' }],
      policy: base.reminders,
    }).filter((r) => r.kind !== 'digest');
  /** Every reminder this body could be sent in the cycle, by Message-ID → reminder id. */
  const possibleReminders = (cycleId: string, bodyId: string) =>
    new Map(
      [
        ...['T-14', 'T-7', 'T-3', 'T-1'],
        ...Array.from({ length: base.reminders.overdueMaxCount }, (_, i) => `overdue-${i + 1}`),
      ].map((n) => [
        messageIdFor(`${cycleId}/review/${bodyId}/review:${bodyId}:${n}`, MESSAGE_ID_DOMAIN),
        `review:${bodyId}:${n}`,
      ]),
    );
  /** The reminders this body was sent (by reminder id), with the mails. */
  const remindersTo = async (cycleId: string, bodyId: string) => {
    const ids = possibleReminders(cycleId, bodyId);
    return (await outbox.all())
      .map((d) => d.mail)
      .filter((m) => ids.has(m.messageId ?? ''))
      .map((mail) => ({ id: ids.get(mail.messageId ?? '') as string, mail }))
      .sort((a, b) => a.id.localeCompare(b.id));
  };
  const idsOf = (bodyId: string, ns: string[]) => ns.map((n) => `review:${bodyId}:${n}`).sort();
  const reminderKey = (cycleId: string, bodyId: string, n: string) =>
    `${cycleId}/review/${bodyId}/review:${bodyId}:${n}`;

  beforeAll(() => ({ stack, outbox } = kit));

  it('moved earlier: the parts, the body’s reminders and the escalation follow the new date', async () => {
    const original = beijingToEpochMs('2023-12-30 24:00');
    const earlier = beijingToEpochMs('2023-12-20 24:00');
    const api = stack.api;
    const { cycleId } = await api.startCycle(programmeWith('review-earlier-2023', ['cie', 'cmes']), {
      startAt: beijingToEpochMs('2023-11-20 09:00'),
    });
    const offset = (await api.status(cycleId)).clockOffsetMs;
    await api.nominate(cycleId, 'cie', electronicsTech('cie-1', '量子通信芯片'));
    const young = await api.nominate(cycleId, 'cmes', {
      idempotencyKey: 'cmes-1',
      listId: 'emerging-enterprise',
      candidate: enterprise('新锐科技', '2018-05-01'),
      dossier: dossierFor('national-2023', 'emerging-enterprise'),
    });

    await stack.sleepUntil(beijingToEpochMs('2023-12-01 00:01'), offset);
    const inReview = await api.status(cycleId);
    expect(inReview.stage).toBe('preliminary-review');
    expect(inReview.parts.every((p) => p.dueAt === original)).toBe(true);
    // The emerging-enterprise body reports; info-tech-consortium stays silent.
    await stack.sleepUntil(beijingToEpochMs('2023-12-02 10:00'), offset);
    await api.reportReview(cycleId, 'kczg-secretariat', {
      listId: 'emerging-enterprise',
      results: [{ nominationId: young.id, verdict: 'recommended' }],
    });

    // On 2023-12-14 the secretariat brings the review forward to 2023-12-20 24:00.
    await stack.sleepUntil(beijingToEpochMs('2023-12-14 10:00'), offset);
    const moved = await api.extend(cycleId, reviewBroughtForward(earlier));
    expect(moved.deadlines.preliminaryReviewDueAt).toBe(earlier);
    for (const part of moved.parts)
      expect({ part: quotaKey(part.listId, part.fieldId), dueAt: part.dueAt }).toEqual({
        part: quotaKey(part.listId, part.fieldId),
        dueAt: earlier,
      });
    await eventually('the body to see the new deadline', async () =>
      (await api.reviewState(cycleId, 'info-tech-consortium')).dueAt === earlier ? true : undefined,
    );

    // T-14 (12-06) and T-7 (12-13) of the new date have both passed: only T-7 goes out, at once.
    const plan = reviewReminders('info-tech-consortium', earlier);
    const at = (n: string) => plan.find((r) => r.id === `review:info-tech-consortium:${n}`)?.at;
    expect(at('T-14')).toBe(beijingToEpochMs('2023-12-06 09:00'));
    expect(at('T-7')).toBe(beijingToEpochMs('2023-12-13 09:00'));
    expect(at('T-3')).toBe(beijingToEpochMs('2023-12-15 09:00')); // 12-17 is a Sunday
    expect(at('T-1')).toBe(beijingToEpochMs('2023-12-19 09:00'));
    const [t7] = await eventually('T-7 of the new deadline', async () => {
      const found = await outbox.mailsOf(reminderKey(cycleId, 'info-tech-consortium', 'T-7'));
      return found.length > 0 ? found : undefined;
    });
    expect(t7.subject).toContain('评审结果报送截止还有 6 天，1 项待评审');
    expect(t7.text).toContain('2023-12-20 24:00 (北京时间 Beijing time)');
    expect(await outbox.mailsOf(reminderKey(cycleId, 'info-tech-consortium', 'T-14'))).toEqual([]);

    // The stage runs until the new date, not a minute longer, and escalates the silent body then.
    await stack.sleepUntil(earlier - MINUTE, offset);
    const before = await api.status(cycleId);
    expect(before.stage).toBe('preliminary-review');
    expect(before.escalated).toEqual([]);
    await stack.sleepUntil(earlier + MINUTE, offset);
    const after = await api.status(cycleId);
    expect(after.stage).toBe('final-review');
    expect(after.escalated).toEqual([`info-tech-consortium (${electronics})`]);
    const escalation = (await api.audit(cycleId)).find((e) => e.action === 'escalate');
    expect(escalation?.at).toBeGreaterThanOrEqual(earlier);
    expect(escalation?.at).toBeLessThan(earlier + MINUTE);
    const [mail] = await eventually('the escalation to the secretariat', async () => {
      const found = await outbox.mailsOf(`${cycleId}/secretariat/escalation/preliminary-review`);
      return found.length > 0 ? found : undefined;
    });
    expect(mail.text).toContain('2023-12-20 24:00');
    expect(mail.text).toContain('info-tech-consortium');

    // The body was reminded of the new date only: T-7 (late, once), T-3 and T-1, nothing twice.
    const sent = await remindersTo(cycleId, 'info-tech-consortium');
    expect(sent.map((s) => s.id)).toEqual(idsOf('info-tech-consortium', ['T-7', 'T-3', 'T-1']));
    for (const { mail: m } of sent) {
      expect(m.text).toContain('2023-12-20 24:00');
      expect(m.text).not.toContain('2023-12-30 24:00');
    }
    await api.cancel(cycleId, '测试结束 / test over');
    expect(await api.cycle(cycleId).result()).toMatchObject({ stage: 'cancelled' });
  });

  it('handed over with five days left: only the reminders still ahead; an explicit part extension outlives the stage moving earlier; due today reads 今天截止', async () => {
    const original = beijingToEpochMs('2023-12-30 24:00');
    const handOver = beijingToEpochMs('2023-12-25 24:00');
    const api = stack.api;
    const { cycleId } = await api.startCycle(
      programmeWith('review-late-handover-2023', ['buaa-cast', 'cmes']),
      {
        startAt: beijingToEpochMs('2023-11-20 09:00'),
      },
    );
    const offset = (await api.status(cycleId)).clockOffsetMs;
    await api.nominate(cycleId, 'cmes', {
      idempotencyKey: 'cmes-1',
      listId: 'emerging-enterprise',
      candidate: enterprise('新锐科技', '2018-05-01'),
      dossier: dossierFor('national-2023', 'emerging-enterprise'),
    });
    // One unit's extension keeps collection open until 2023-12-25 24:00: five days of review remain.
    await api.extend(cycleId, {
      scope: { kind: 'unit', unitId: 'buaa-cast' },
      until: handOver,
      reason: '材料补正',
    });
    await stack.sleepUntil(beijingToEpochMs('2023-12-20 10:00'), offset);
    await api.nominate(cycleId, 'buaa-cast', electronicsTech('buaa-1', '高精度导航'));

    await stack.sleepUntil(handOver + MINUTE, offset);
    const inReview = await api.status(cycleId);
    expect(inReview.stage).toBe('preliminary-review');
    const bodies = ['info-tech-consortium', 'kczg-secretariat'];
    for (const bodyId of bodies) {
      expect((await api.reviewState(cycleId, bodyId)).dueAt).toBe(original);
      // T-14 (12-15) and T-7 (12-22) had passed before the hand-over: neither is sent.
      const plan = reviewReminders(bodyId, original);
      const at = (n: string) => plan.find((r) => r.id === `review:${bodyId}:${n}`)?.at as number;
      expect(at('T-7')).toBe(beijingToEpochMs('2023-12-22 09:00'));
      expect(at('T-3')).toBe(beijingToEpochMs('2023-12-27 09:00'));
      expect(at('T-3')).toBeGreaterThan(handOver);
    }
    // The emerging-enterprise part is extended explicitly to 2024-01-05 24:00.
    const partUntil = beijingToEpochMs('2024-01-05 24:00');
    await stack.sleepUntil(beijingToEpochMs('2023-12-26 10:00'), offset);
    await api.extend(cycleId, {
      scope: { kind: 'part', listId: 'emerging-enterprise' },
      until: partUntil,
      reason: '评审专家调整',
    });
    await eventually('kczg-secretariat to see its part’s extension', async () =>
      (await api.reviewState(cycleId, 'kczg-secretariat')).dueAt === partUntil ? true : undefined,
    );
    expect((await remindersTo(cycleId, 'info-tech-consortium')).map((s) => s.id)).toEqual([]);
    expect((await remindersTo(cycleId, 'kczg-secretariat')).map((s) => s.id)).toEqual([]);

    // T-3 of 2023-12-30 24:00 reaches info-tech-consortium at 12-27 09:00, not a minute earlier.
    const t3At = beijingToEpochMs('2023-12-27 09:00');
    await stack.sleepUntil(t3At - MINUTE, offset);
    expect(await outbox.mailsOf(reminderKey(cycleId, 'info-tech-consortium', 'T-3'))).toEqual([]);
    await stack.sleepUntil(t3At + MINUTE, offset);
    const [t3] = await eventually('T-3', async () => {
      const found = await outbox.mailsOf(reminderKey(cycleId, 'info-tech-consortium', 'T-3'));
      return found.length > 0 ? found : undefined;
    });
    expect(t3.subject).toContain('评审结果报送截止还有 3 天，1 项待评审');

    // On 12-28 the stage is brought forward to 12-28 24:00: today. The explicitly extended part
    // keeps 2024-01-05; the other part and its body follow, and the body's T-1 (12-27 09:00 for
    // the new date, passed) goes out once, now, saying it is due today.
    const today = beijingToEpochMs('2023-12-28 24:00');
    await stack.sleepUntil(beijingToEpochMs('2023-12-28 10:00'), offset);
    const moved = await api.extend(cycleId, reviewBroughtForward(today));
    expect(moved.deadlines.preliminaryReviewDueAt).toBe(today);
    expect(moved.parts.find((p) => quotaKey(p.listId, p.fieldId) === electronics)?.dueAt).toBe(today);
    expect(moved.parts.find((p) => p.listId === 'emerging-enterprise')?.dueAt).toBe(partUntil);
    await eventually('info-tech-consortium to see the new deadline', async () =>
      (await api.reviewState(cycleId, 'info-tech-consortium')).dueAt === today ? true : undefined,
    );
    expect((await api.reviewState(cycleId, 'kczg-secretariat')).dueAt).toBe(partUntil);
    const [t1] = await eventually('T-1 of the new deadline', async () => {
      const found = await outbox.mailsOf(reminderKey(cycleId, 'info-tech-consortium', 'T-1'));
      return found.length > 0 ? found : undefined;
    });
    expect(t1.subject).toContain('评审结果报送今天截止，1 项待评审');
    expect(t1.subject).not.toContain('截止今天截止');
    expect(t1.subject).toContain('Review results due: due today, 1 awaiting review');
    expect(t1.text).toContain('2023-12-28 24:00 (北京时间 Beijing time)，今天截止');

    // Nothing else: T-3 and T-1 to info-tech-consortium, none yet to the extended part's body.
    await stack.sleepUntil(beijingToEpochMs('2023-12-28 12:00'), offset);
    expect((await remindersTo(cycleId, 'info-tech-consortium')).map((s) => s.id)).toEqual(
      idsOf('info-tech-consortium', ['T-3', 'T-1']),
    );
    expect((await remindersTo(cycleId, 'kczg-secretariat')).map((s) => s.id)).toEqual([]);
    await api.cancel(cycleId, '测试结束 / test over');
    expect(await api.cycle(cycleId).result()).toMatchObject({ stage: 'cancelled' });
  });
});
