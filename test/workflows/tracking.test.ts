/**
 * Issue 16, on the time-skipping server against the real loopback SMTP outbox: a service-team
 * project (产业科技服务团) through its tracking year in a keyed cycle. The half-yearly report is
 * rejected with a reason and resubmitted in time; the final report is late, so the owner gets the
 * reminders and an overdue notice and the secretariat an escalation; the secretariat reduces one
 * target ("可适当抵减") and records acceptance. Bad input is refused with nothing changed: another
 * unit's report, a target that is not the project's, a negative or non-numeric figure, missing
 * evidence, a verification by the owner, and anything after acceptance.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { PROGRESS_HEADINGS, progressRows, writeProgress } from '../../client/project-export';
import { beijingToEpochMs } from '../../domain/calendar';
import type { AttachmentRef } from '../../domain/dossier';
import { projectSchedule } from '../../domain/schedule-tracking';
import { loadProgramme } from '../../programmes/loader';
import { eventually, rejectionOf } from '../support/time-skipping';
import { FULL_FIGURES, figuresWith, useTrackedProject } from './tracking-kit';

const DAY = 24 * 3_600_000;
const programme = loadProgramme('service-teams-2023');
const cycleId = 'kczg:service-teams-2023-tracking';
const [owner, other] = programme.roster.units;
const projectId = `${owner.id}.1`;
const publishedAt = beijingToEpochMs(programme.stages.publication.on);
const schedule = projectSchedule(programme, {
  listId: 'service-team',
  fieldId: 'industry-team',
  unitId: owner.id,
  publishedAt,
});
const [halfYearly, final] = schedule.dues;

const evidence: AttachmentRef[] = [
  { sha256: 'b'.repeat(64), name: '技术转让合同.pdf', slot: 'evidence', format: 'pdf', size: 20_480 },
];
const figures = figuresWith(evidence);
const full = FULL_FIGURES;

describe('a service-team project through its tracking year', () => {
  const { kit, as, skipTo, unitMail, secretariatMail } = useTrackedProject({
    programme,
    cycleId,
    projectId,
    ownerId: owner.id,
    publishedAt,
  });
  const ownerApi = () => as({ kind: 'unit', id: owner.id });
  const otherApi = () => as({ kind: 'unit', id: other.id });
  const secretariat = () => as({ kind: 'secretariat' });
  const state = () => ownerApi().state(cycleId, projectId);

  it('owes a half-yearly and a final report', async () => {
    expect((await state()).dues.map((d) => [d.id, d.at, d.status])).toEqual([
      ['half-yearly-1', halfYearly.at, 'owed'],
      ['final-1', final.at, 'owed'],
    ]);
  });

  it('refuses bad reports and changes nothing', async () => {
    const cases: Array<[string, () => Promise<unknown>, string, string]> = [
      [
        'another unit',
        () => otherApi().submitReport(cycleId, projectId, other.id, figures({ cases: 1 })),
        'NOT_ALLOWED',
        'credential',
      ],
      [
        'a target not the project’s',
        () => ownerApi().submitReport(cycleId, projectId, owner.id, figures({ papers: 3 })),
        'INVALID',
        'target',
      ],
      [
        'negative',
        () => ownerApi().submitReport(cycleId, projectId, owner.id, figures({ cases: -1 })),
        'INVALID',
        'figure',
      ],
      [
        'non-numeric',
        () =>
          ownerApi().submitReport(cycleId, projectId, owner.id, [
            { target: 'cases', value: '两' as unknown as number, evidence },
          ]),
        'INVALID',
        'figure',
      ],
      [
        'evidence missing',
        () =>
          ownerApi().submitReport(cycleId, projectId, owner.id, [
            { target: 'cases', value: 1, evidence: [] },
          ]),
        'INVALID',
        'evidence',
      ],
    ];
    for (const [name, call, code, rule] of cases) {
      expect([name, await rejectionOf(call())]).toEqual([name, expect.objectContaining({ code, rule })]);
    }
    expect((await state()).reports).toEqual([]);
  });

  it('the half-yearly report: rejected with a reason, resubmitted and accepted before its deadline', async () => {
    await skipTo(publishedAt + 120 * DAY);
    const first = await ownerApi().submitReport(cycleId, projectId, owner.id, figures({ cases: 1 }));
    expect(first).toEqual({ reportId: 'r1', dueId: 'half-yearly-1' });
    expect(
      await rejectionOf(ownerApi().verifyReport(cycleId, projectId, { reportId: 'r1', decision: 'accept' })),
    ).toMatchObject({
      code: 'NOT_ALLOWED',
    });
    expect(
      await rejectionOf(
        secretariat().verifyReport(cycleId, projectId, { reportId: 'r1', decision: 'reject' }),
      ),
    ).toMatchObject({ code: 'INVALID', rule: 'reason' });
    await secretariat().verifyReport(cycleId, projectId, {
      reportId: 'r1',
      decision: 'reject',
      reason: '案例未经平台确认 / cases not confirmed on the platform',
    });
    expect((await state()).dues[0].status).toBe('owed');
    const second = await ownerApi().submitReport(
      cycleId,
      projectId,
      owner.id,
      figures({ 'achievements-evaluated': 20, cases: 1 }),
    );
    expect(second).toEqual({ reportId: 'r2', dueId: 'half-yearly-1' });
    await secretariat().verifyReport(cycleId, projectId, { reportId: 'r2', decision: 'accept' });
    const now = await state();
    expect(now.dues.map((d) => d.status)).toEqual(['accepted', 'owed']);
    expect(now.accepted).toEqual({ 'achievements-evaluated': 20, cases: 1 });
    expect(now.reports.map((r) => [r.id, r.status])).toEqual([
      ['r1', 'rejected'],
      ['r2', 'accepted'],
    ]);
    expect(now.reports[0].reason).toContain('案例未经平台确认');
  });

  it('the final report is late: reminders and an overdue notice to the owner, an escalation to the secretariat', async () => {
    const reminders = schedule.events.filter((e) => e.key === 'report:final-1' && e.kind === 'reminder');
    const overdue = schedule.events.find((e) => e.id === 'report:final-1:overdue-1');
    expect(reminders.map((e) => e.id)).toContain('report:final-1:T-1');
    await skipTo((overdue?.at ?? final.at) + 60_000);
    for (const reminder of reminders) {
      const [mail] = await eventually(reminder.id, async () => {
        const mails = await kit.outbox.mailsOf(unitMail(reminder.id));
        return mails.length > 0 ? mails : undefined;
      });
      expect(mail.subject).toContain('进展报告提交截止');
      expect(mail.text).toContain('成果');
    }
    const [late] = await eventually('overdue', async () => {
      const mails = await kit.outbox.mailsOf(unitMail('report:final-1:overdue-1'));
      return mails.length > 0 ? mails : undefined;
    });
    expect(late.subject).toContain('逾期');
    const [escalation] = await eventually('escalation', async () => {
      const mails = await kit.outbox.mailsOf(secretariatMail('report:final-1:escalation'));
      return mails.length > 0 ? mails : undefined;
    });
    expect(escalation.text).toContain(owner.name);
    expect(await kit.outbox.mailsOf(unitMail('report:half-yearly-1:overdue-1'))).toEqual([]);
  });

  it('the late final report, a reduction with its reason, and acceptance', async () => {
    await ownerApi().submitReport(cycleId, projectId, owner.id, figures(full));
    expect(await rejectionOf(secretariat().recordAcceptance(cycleId, projectId))).toMatchObject({
      code: 'WRONG_STAGE',
    });
    await secretariat().verifyReport(cycleId, projectId, { reportId: 'r3', decision: 'accept' });
    expect((await state()).outcome.outcome).toBe('部分通过');
    await secretariat().recordWaiver(cycleId, projectId, {
      target: 'transfers-contracted',
      threshold: 3,
      reason: '实现重大技术转移转化并取得重大成效 / a major transfer with major results',
    });
    const outcome = await secretariat().recordAcceptance(cycleId, projectId);
    expect(outcome.outcome).toBe('通过');
    expect(outcome.targets.find((t) => t.target === 'transfers-contracted')).toEqual({
      target: 'transfers-contracted',
      threshold: 3,
      reached: 3,
      met: true,
      waived: true,
    });
    const audit = (await state()).audit.map((e) => e.action);
    expect(audit.filter((a) => a !== 'notice')).toEqual([
      'submitReport',
      'verifyReport',
      'submitReport',
      'verifyReport',
      'submitReport',
      'verifyReport',
      'recordWaiver',
      'recordAcceptance',
    ]);
  });

  it('refuses a report or a verification after acceptance', async () => {
    expect(
      await rejectionOf(ownerApi().submitReport(cycleId, projectId, owner.id, figures({ cases: 3 }))),
    ).toMatchObject({ code: 'WRONG_STAGE' });
    expect(
      await rejectionOf(
        secretariat().recordWaiver(cycleId, projectId, { target: 'cases', threshold: 1, reason: 'x' }),
      ),
    ).toMatchObject({ code: 'WRONG_STAGE' });
    expect((await state()).reports).toHaveLength(3);
  });

  it('exports progress with Chinese headings as XLSX, CSV and JSON', async () => {
    // Started directly, the project has no cycle to list it: it is read by its id.
    const projects = [await state()];
    const rows = progressRows(programme, projects);
    expect(rows).toHaveLength(6);
    expect(rows.find((r) => r.任务指标 === '完成技术转移转化（以签署合同为准）')).toMatchObject({
      现行目标值: 3,
      通知目标值: 5,
      已确认完成数: 3,
      是否达标: '是',
      验收结论: '通过',
      报告情况: '半年报：已确认；终期报告：已确认',
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kczg-progress-'));
    try {
      for (const ext of ['xlsx', 'csv', 'json'])
        await writeProgress(path.join(dir, `progress.${ext}`), '任务进展', rows);
      expect(fs.readFileSync(path.join(dir, 'progress.csv'), 'utf8').split('\r\n')[0]).toBe(
        `\uFEFF${PROGRESS_HEADINGS.map((h) => `"${h}"`).join(',')}`,
      );
      expect(JSON.parse(fs.readFileSync(path.join(dir, 'progress.json'), 'utf8'))).toEqual(rows);
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.readFile(path.join(dir, 'progress.xlsx'));
      expect(workbook.worksheets[0].getRow(3).values).toEqual([undefined, ...PROGRESS_HEADINGS]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
