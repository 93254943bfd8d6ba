/**
 * `kczg mail plan` / `kczg mail preview` without a server: the plan follows the cycle's current
 * deadlines the way the workflows re-plan them; previews render real templates.
 */
import { renderNotice } from '../../activities/notify';
import { beijingToEpochMs } from '../../domain/calendar';
import { quotaUsageReport } from '../../domain/quota';
import {
  awaitingOf,
  buildMailPlan,
  presetView,
  previewRequest,
  renderMailPlanText,
  type CycleView,
  type MailPlanEntry,
} from '../../client/mail-plan';
import { buildPlan } from '../../client/plan';
import { loadProgramme } from '../../programmes/loader';
import { describeUsage } from '../../workflows/notices';

const programme = loadProgramme('national-2023');
const at = (beijing: string) => beijingToEpochMs(beijing);
const fresh = (): CycleView => presetView(programme, 'kczg:national-2023');
const ids = (messages: MailPlanEntry[]) => messages.map((m) => m.id);

describe('buildMailPlan', () => {
  it('before the opening: every reminder of buildPlan with its template, plus opening, closing, escalation and publication notices', () => {
    const view = fresh();
    const plan = buildMailPlan({ programme, status: view, now: view.deadlines.collectionOpensAt - 1 });
    const base = buildPlan(programme);
    expect(plan.messages).toHaveLength(base.reminders.length + 4);
    expect(ids(plan.messages)).toEqual(expect.arrayContaining(base.reminders.map((r) => r.id)));
    const byId = new Map(plan.messages.map((m) => [m.id, m]));
    expect(byId.get('collection:T-14')).toMatchObject({
      when: '2023-11-16 09:00',
      template: 'unitReminder',
      recipient: { role: 'unit', count: 13 },
      deadline: '2023-11-30 24:00',
    });
    expect(byId.get('collection:digest-T-14')?.template).toBe('secretariatDigest');
    expect(byId.get('review:ittn:T-1')).toMatchObject({
      template: 'bodyReminder',
      recipient: { bodyId: 'ittn' },
    });
    expect(byId.get('review:ittn:overdue-1')?.template).toBe('bodyOverdue');
    expect(byId.get('final:overdue-1')).toMatchObject({
      template: 'bodyOverdue',
      recipient: { role: 'finalReviewBody' },
    });
    expect(byId.get('collection:closed')).toMatchObject({
      template: 'collectionClosed',
      when: '2023-12-01 00:00',
    });
    expect(byId.get('publication:published')).toMatchObject({
      template: 'resultsPublished',
      when: '2024-02-29 10:00',
    });
    expect(plan.messages.map((m) => m.at)).toEqual([...plan.messages.map((m) => m.at)].sort((a, b) => a - b));
  });

  it('lists only what comes after programme time', () => {
    const now = at('2023-11-20 09:00');
    const plan = buildMailPlan({ programme, status: { ...fresh(), stage: 'collection' }, now });
    expect(plan.messages.every((m) => m.at > now)).toBe(true);
    expect(plan.messages[0]).toMatchObject({ id: 'collection:T-7', when: '2023-11-23 09:00' });
    expect(plan.nowText).toBe('2023-11-20 09:00');
  });

  it('follows a moved collection deadline (stage extension) as the units re-plan it', () => {
    const view = fresh();
    view.stage = 'collection';
    view.deadlines.collectionClosesAt = at('2023-12-05 24:00');
    const plan = buildMailPlan({ programme, status: view, now: at('2023-11-20 09:00') });
    const unitReminders = plan.messages.filter((m) => m.template === 'unitReminder');
    // T-14 went out on 2023-11-16 under the old deadline: the units do not send it again on 11-21.
    expect(unitReminders.map((m) => [m.id, m.when, m.deadline])).toEqual([
      ['collection:T-7', '2023-11-28 09:00', '2023-12-05 24:00'],
      ['collection:T-3', '2023-12-01 09:00', '2023-12-05 24:00'],
      ['collection:T-1', '2023-12-04 09:00', '2023-12-05 24:00'],
    ]);
    expect(plan.messages.find((m) => m.id === 'collection:closed')?.when).toBe('2023-12-06 00:00');
  });

  it('reminds a unit with its own extension on its deadline, never repeating a reminder it already had', () => {
    const view = fresh();
    view.stage = 'collection';
    view.unitExtensions = { cie: at('2023-12-07 24:00') };
    // After the T-7 reminder of 2023-11-23: under the new deadline T-7 would be 11-30 again.
    const plan = buildMailPlan({ programme, status: view, now: at('2023-11-24 12:00') });
    const cie = plan.messages.filter((m) => m.recipient.unitId === 'cie');
    expect(cie.map((m) => [m.id, m.when, m.template])).toEqual([
      ['unit:cie:collection:T-3', '2023-12-04 09:00', 'unitReminder'],
      ['unit:cie:collection:T-1', '2023-12-06 09:00', 'unitReminder'],
      ['unit:cie:collection:closed', '2023-12-08 00:00', 'collectionClosed'],
    ]);
    expect(plan.messages.find((m) => m.id === 'collection:T-3')?.recipient).toMatchObject({
      name: { zh: '其余推荐单位（12 家）' },
      count: 12,
    });
    // The secretariat's digests count down to the common deadline, as the cycle sends them: one
    // unit's extension keeps collection open for it, not the secretariat's countdown.
    const digests = plan.messages.filter(
      (m) => m.stage === 'collection' && m.template === 'secretariatDigest',
    );
    expect(ids(digests)).toEqual(['collection:digest-T-3', 'collection:digest-T-1']);
    expect(digests.every((m) => m.deadline === '2023-11-30 24:00')).toBe(true);
    expect(ids(digests)).not.toContain('collection:digest-T-7');
  });

  it('in preliminary review: nothing for the units, nothing for a body that has reported or has nothing to review', () => {
    const view = fresh();
    view.stage = 'preliminary-review';
    for (const part of view.parts) {
      part.nominations = part.listId === 'pioneer-tech' ? 4 : 0;
      for (const body of part.reviewBodies) {
        if (part.nominations === 0 || part.fieldId === 'electronics')
          body.reportedAt = at('2023-12-10 10:00');
      }
    }
    const plan = buildMailPlan({ programme, status: view, now: at('2023-12-10 12:00') });
    expect(plan.messages.some((m) => m.recipient.role === 'unit' && m.template !== 'resultsPublished')).toBe(
      false,
    );
    const bodies = new Set(plan.messages.map((m) => m.recipient.bodyId).filter(Boolean));
    expect(bodies).not.toContain('info-tech-consortium');
    expect(bodies).not.toContain('ittn');
    expect(bodies).toContain('life-science-consortium');
  });

  it('a review body on an extended part is reminded on that part’s deadline', () => {
    const view = fresh();
    view.stage = 'preliminary-review';
    for (const part of view.parts) part.nominations = 1;
    const part = view.parts.find((p) => p.listId === 'tech-manager-pioneer');
    if (!part) throw new Error('no part');
    part.dueAt = at('2024-01-10 24:00');
    const plan = buildMailPlan({ programme, status: view, now: at('2023-12-10 12:00') });
    const ittn = plan.messages.filter((m) => m.recipient.bodyId === 'ittn');
    expect(ittn[0]).toMatchObject({
      id: 'review:ittn:T-14',
      when: '2023-12-27 09:00',
      deadline: '2024-01-10 24:00',
    });
    expect(plan.messages.find((m) => m.template === 'escalation')?.deadline).toBe('2024-01-10 24:00');
  });

  it('nothing is left to send once the cycle is closed', () => {
    const plan = buildMailPlan({ programme, status: { ...fresh(), stage: 'closed' }, now: 0 });
    expect(plan.messages).toEqual([]);
    expect(renderMailPlanText(plan)).toContain('(0)');
  });

  it('plans the reminders of a deadline a pause moved off the minute from its Beijing day, as the units do', () => {
    const view = { ...fresh(), stage: 'collection' as const };
    view.deadlines = { ...view.deadlines, collectionClosesAt: at('2023-11-30 24:00') + 37_000 };
    const plan = buildMailPlan({ programme, status: view, now: at('2023-11-28 12:00') });
    // Its day is 2023-12-01 (it lies past midnight), so T-1 is on 11-30, as the units plan it.
    expect(plan.messages.find((m) => m.id === 'collection:T-1')?.when).toBe('2023-11-30 09:00');
    expect(plan.messages.find((m) => m.id === 'collection:closed')?.at).toBe(at('2023-11-30 24:00') + 37_000);
  });
});

describe('previews', () => {
  const unit = programme.roster.units[0];
  const view = fresh();

  it('unitReminder: the unit’s quota usage, days left from when it is sent', () => {
    const request = previewRequest({
      cycleId: 'kczg:national-2023',
      programme,
      template: 'unitReminder',
      issuedAt: at('2023-11-16 09:00'),
      deadline: view.deadlines.collectionClosesAt,
      unit,
      body: programme.reviewBodies[0],
      usage: describeUsage(programme, quotaUsageReport(programme, unit, { 'pioneer-tech/electronics': 2 })),
      awaiting: [],
      missing: [],
    });
    expect(request.to).toEqual([{ name: `${unit.name} ${unit.contact}`, email: unit.email }]);
    const mail = renderNotice(request);
    expect(mail.subject).toContain('还有 14 天');
    expect(mail.text).toContain('电子信息：已推荐 2 项，限额 3 项');
    expect(mail.ics).toContain('BEGIN:VCALENDAR');
  });

  it('bodyReminder for the final review body: shortlisted counts per part', () => {
    const status = fresh();
    status.parts[0].reviewBodies[0].shortlisted = 3;
    const awaiting = awaitingOf(programme, status, 'final');
    expect(awaiting).toEqual([{ list: '“科创中国”先导技术榜', field: '电子信息', count: 3 }]);
    const mail = renderNotice(
      previewRequest({
        cycleId: 'kczg:national-2023',
        programme,
        template: 'bodyReminder',
        issuedAt: at('2024-01-24 09:00'),
        deadline: status.deadlines.finalReviewDueAt,
        unit,
        body: programme.finalReviewBody,
        usage: [],
        awaiting,
        missing: [],
      }),
    );
    expect(mail.subject).toContain('3 项待评审');
  });
});
