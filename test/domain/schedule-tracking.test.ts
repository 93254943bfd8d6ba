import { buildPlan, renderPlanText } from '../../client/plan';
import { beijingToEpochMs, formatBeijing } from '../../domain/calendar';
import { isWorkingDay } from '../../domain/holidays';
import { beijingDay } from '../../domain/reminders';
import { projectReportTimeline } from '../../domain/schedule';
import { projectSchedule, trackingCalendar } from '../../domain/schedule-tracking';
import { loadProgramme } from '../../programmes/loader';

const serviceTeams = loadProgramme('service-teams-2023');
const publishedAt = beijingToEpochMs('2023-05-10 10:00');
const industryTeam = { listId: 'service-team', fieldId: 'industry-team', unitId: 'cast-hubei', publishedAt };

describe('a funded project’s report schedule', () => {
  const { dues, events } = projectSchedule(serviceTeams, industryTeam);

  it('has the half-yearly and final reports, months after publication', () => {
    expect(dues.map((d) => [d.id, formatBeijing(d.at)])).toEqual([
      ['half-yearly-1', '2023-11-11 00:00'],
      ['final-1', '2024-05-11 00:00'],
    ]);
  });

  it.each(['half-yearly-1', 'final-1'])('%s: reminders before, on working days, to the owner', (dueId) => {
    const reminders = events.filter((e) => e.key === `report:${dueId}` && e.kind === 'reminder');
    expect(reminders.map((e) => e.id)).toEqual(
      [14, 7, 3, 1].map((n) => `report:${dueId}:T-${n}`).filter((id) => reminders.some((e) => e.id === id)),
    );
    expect(reminders.length).toBeGreaterThanOrEqual(3);
    for (const e of reminders) {
      expect(isWorkingDay(beijingDay(e.at))).toBe(true);
      expect(e).toMatchObject({ party: { kind: 'unit', id: 'cast-hubei' }, template: 'reportReminder' });
      expect(e.at).toBeLessThan(e.deadlineAt as number);
    }
  });

  it('overdue notices go to the owner after the deadline, and the first one escalates to the secretariat', () => {
    const overdue = events.filter((e) => e.key === 'report:half-yearly-1' && e.kind === 'overdue');
    expect(overdue[0]).toMatchObject({ id: 'report:half-yearly-1:overdue-1', template: 'reportOverdue' });
    expect(overdue[0].at).toBeGreaterThan(dues[0].at);
    const escalation = events.find((e) => e.id === 'report:half-yearly-1:escalation');
    expect(escalation).toMatchObject({
      at: overdue[0].at,
      party: { kind: 'secretariat' },
      template: 'reportEscalation',
    });
  });

  it('a report already in, or a reminder already sent, is no longer scheduled', () => {
    const later = projectReportTimeline(serviceTeams.reminders, {
      unitId: 'cast-hubei',
      dues,
      owed: new Set(['final-1']),
      sent: new Set(['report:final-1:T-14']),
      held: new Set(),
      from: publishedAt,
    });
    expect(later.some((e) => e.key === 'report:half-yearly-1')).toBe(false);
    expect(later.some((e) => e.id === 'report:final-1:T-14')).toBe(false);
    expect(later.some((e) => e.id === 'report:final-1:T-7')).toBe(true);
  });

  it('a list without deliverables owes nothing', () => {
    const national = loadProgramme('national-2023');
    expect(
      projectSchedule(national, { ...industryTeam, listId: 'pioneer-tech', fieldId: undefined }),
    ).toEqual({
      dues: [],
      events: [],
    });
  });
});

describe('the tracking calendar in kczg plan', () => {
  it.each([
    ['service-teams-2023', 5],
    ['baoding-2023', 1],
    ['henan-2023', 15],
    ['national-2023', 0],
  ])('%s: %i lists or fields owe reports', (id, count) => {
    expect(trackingCalendar(loadProgramme(id))).toHaveLength(count);
  });

  it('plan shows the report deadlines in its own section', () => {
    const plan = buildPlan(serviceTeams);
    expect(plan.tracking.find((p) => p.fieldId === 'industry-team')?.reports.map((r) => r.deadline)).toEqual([
      '2023-11-10 24:00',
      '2024-05-10 24:00',
    ]);
    expect(renderPlanText(plan)).toContain('任务跟踪：进展报告截止 / Tracking: progress reports due');
  });
});
