/**
 * Issue 16, steering of a funded project on the time-skipping server against the loopback SMTP
 * outbox: a held reminder stays unsent until released, a pause keeps the overdue notice and the
 * escalation back and moves the dues by its length on resuming, an extension re-plans the final
 * report's reminders on the new date; refusals (the owner steering, a date in the past, an
 * unknown due, a release of what is not held, anything after acceptance) change nothing.
 */
import { beijingToEpochMs } from '../../domain/calendar';
import { projectReportTimeline } from '../../domain/schedule';
import { projectSchedule } from '../../domain/schedule-tracking';
import { loadProgramme } from '../../programmes/loader';
import { eventually, rejectionOf } from '../support/time-skipping';
import { figuresWith, useTrackedProject } from './tracking-kit';

const DAY = 24 * 3_600_000;
const programme = loadProgramme('service-teams-2023');
const cycleId = 'kczg:service-teams-2023-steering';
const [owner] = programme.roster.units;
const projectId = `${owner.id}.1`;
const publishedAt = beijingToEpochMs(programme.stages.publication.on);
const schedule = projectSchedule(programme, {
  listId: 'service-team',
  fieldId: 'industry-team',
  unitId: owner.id,
  publishedAt,
});
const [halfYearly, final] = schedule.dues;
const eventAt = (id: string) => (schedule.events.find((e) => e.id === id) as { at: number }).at;
const figures = figuresWith([
  { sha256: 'c'.repeat(64), name: '证明.pdf', slot: 'evidence', format: 'pdf', size: 4_096 },
]);

describe('steering a funded project', () => {
  const { kit, as, skipTo, offset, unitMail, secretariatMail } = useTrackedProject({
    programme,
    cycleId,
    projectId,
    ownerId: owner.id,
    publishedAt,
  });
  const ownerApi = () => as({ kind: 'unit', id: owner.id });
  const secretariat = () => as({ kind: 'secretariat' });
  const ownerMails = (id: string) => kit.outbox.mailsOf(unitMail(id));
  const secretariatMails = (id: string) => kit.outbox.mailsOf(secretariatMail(id));
  const arrived = (id: string) =>
    eventually(id, async () => ((await ownerMails(id)).length > 0 ? ownerMails(id) : undefined));
  const state = () => secretariat().state(cycleId, projectId);
  let shift = 0;

  it('refuses steering by the owner, to the past, of an unknown due, and a release of nothing held', async () => {
    const cases: Array<[string, () => Promise<unknown>, string, string]> = [
      ['owner pauses', () => ownerApi().pause(cycleId, projectId, '自行暂停'), 'NOT_ALLOWED', 'credential'],
      [
        'owner extends',
        () => ownerApi().extend(cycleId, projectId, { dueId: 'final-1', until: final.at + DAY, reason: 'x' }),
        'NOT_ALLOWED',
        'credential',
      ],
      [
        'to the past',
        () =>
          secretariat().extend(cycleId, projectId, {
            dueId: 'final-1',
            until: publishedAt - DAY,
            reason: 'x',
          }),
        'INVALID',
        'future',
      ],
      [
        'unknown due',
        () =>
          secretariat().extend(cycleId, projectId, {
            dueId: 'year-end-1',
            until: final.at + DAY,
            reason: 'x',
          }),
        'INVALID',
        'due',
      ],
      [
        'release nothing',
        () => secretariat().mailHold(cycleId, projectId, 'all', false),
        'WRONG_STAGE',
        'held',
      ],
      ['resume running', () => secretariat().resume(cycleId, projectId, '恢复'), 'WRONG_STAGE', 'paused'],
    ];
    for (const [name, call, code, rule] of cases) {
      expect([name, await rejectionOf(call())]).toEqual([name, expect.objectContaining({ code, rule })]);
    }
    const now = await state();
    expect(now.dues.map((d) => d.at)).toEqual([halfYearly.at, final.at]);
    expect(now.audit.filter((e) => e.action !== 'notice')).toEqual([]);
  });

  it('a held reminder stays unsent until released, then goes once', async () => {
    await secretariat().mailHold(cycleId, projectId, 'report:half-yearly-1:T-1', true);
    await skipTo(eventAt('report:half-yearly-1:T-1') + 60_000);
    await arrived('report:half-yearly-1:T-3');
    expect(await ownerMails('report:half-yearly-1:T-1')).toEqual([]);
    expect((await state()).holds).toEqual(['report:half-yearly-1:T-1']);
    await secretariat().mailHold(cycleId, projectId, 'report:half-yearly-1:T-1', false);
    const [released] = await arrived('report:half-yearly-1:T-1');
    expect(released.subject).toContain('进展报告提交截止');
  });

  it('a pause sends nothing past the due and moves the dues by its length on resuming', async () => {
    const paused = await secretariat().pause(cycleId, projectId, '项目调整 / project under review');
    expect(paused.pausedAt).toBeDefined();
    const pausedAt = paused.pausedAt as number;
    await skipTo(eventAt('report:half-yearly-1:overdue-1') + DAY);
    expect(await ownerMails('report:half-yearly-1:overdue-1')).toEqual([]);
    expect(await secretariatMails('report:half-yearly-1:escalation')).toEqual([]);
    const resumed = await secretariat().resume(cycleId, projectId, '调整完毕 / review over');
    shift = Math.round(((await kit.stack.env.currentTimeMs()) + offset() - pausedAt) / 60_000) * 60_000;
    expect(shift).toBeGreaterThan(DAY);
    expect(resumed.pausedAt).toBeUndefined();
    expect(resumed.dues.map((d) => [d.id, d.at, d.originalAt])).toEqual([
      ['half-yearly-1', halfYearly.at + shift, halfYearly.at],
      ['final-1', final.at + shift, final.at],
    ]);
    await ownerApi().submitReport(cycleId, projectId, owner.id, figures({ cases: 1 }));
    await secretariat().verifyReport(cycleId, projectId, { reportId: 'r1', decision: 'accept' });
    expect(await ownerMails('report:half-yearly-1:overdue-1')).toEqual([]);
  });

  it('an extension re-plans the final report’s reminders on the new date', async () => {
    const until = final.at + shift + 20 * DAY;
    const extended = await secretariat().extend(cycleId, projectId, {
      dueId: 'final-1',
      until,
      reason: '平台确认延迟 / the platform confirms late',
    });
    expect(extended.dues[1]).toMatchObject({ id: 'final-1', at: until, originalAt: final.at });
    const replanned = projectReportTimeline(programme.reminders, {
      unitId: owner.id,
      dues: [{ ...final, at: until }],
      owed: new Set(['final-1']),
      sent: new Set(),
      held: new Set(),
      from: publishedAt,
    });
    const t1 = replanned.find((e) => e.id === 'report:final-1:T-1') as { at: number };
    await skipTo(final.at + shift);
    expect(await ownerMails('report:final-1:T-1')).toEqual([]);
    expect(await ownerMails('report:final-1:overdue-1')).toEqual([]);
    await skipTo(t1.at + 60_000);
    await arrived('report:final-1:T-1');
  });

  it('acceptance ends steering; the audit holds every steering act', async () => {
    await ownerApi().submitReport(
      cycleId,
      projectId,
      owner.id,
      figures({ 'achievements-evaluated': 52, 'problems-analysed': 31, 'transfers-contracted': 5, cases: 2 }),
    );
    await secretariat().verifyReport(cycleId, projectId, { reportId: 'r2', decision: 'accept' });
    await secretariat().recordAcceptance(cycleId, projectId);
    for (const call of [
      () => secretariat().extend(cycleId, projectId, { until: Date.UTC(2025, 0, 1), reason: 'x' }),
      () => secretariat().pause(cycleId, projectId, 'x'),
      () => secretariat().mailHold(cycleId, projectId, 'all', true),
    ]) {
      expect(await rejectionOf(call())).toMatchObject({ code: 'WRONG_STAGE', rule: 'stage' });
    }
    const audit = (await state()).audit.filter((e) => e.action !== 'notice');
    expect(audit.map((e) => e.action)).toEqual([
      'mail-hold',
      'mail-release',
      'pause',
      'resume',
      'submitReport',
      'verifyReport',
      'extendReport',
      'submitReport',
      'verifyReport',
      'recordAcceptance',
    ]);
    expect(audit.find((e) => e.action === 'extendReport')?.detail).toContain('平台确认延迟');
  });
});
