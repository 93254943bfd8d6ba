import { buildPlan, renderPlanIcs, renderPlanText, type ProgrammePlan } from '../../client/plan';
import { listPresetIds, loadProgramme } from '../../programmes/loader';

const plans = new Map<string, ProgrammePlan>();
function planOf(id: string): ProgrammePlan {
  let plan = plans.get(id);
  if (!plan) {
    plan = buildPlan(loadProgramme(id));
    plans.set(id, plan);
  }
  return plan;
}

const stageDeadline = (plan: ProgrammePlan, key: string) => plan.stages.find((s) => s.key === key)?.deadline;
const STAMP = Date.parse('2023-10-01T00:00:00Z');

describe('buildPlan', () => {
  it('national-2023: collection closes "2023-11-30 24:00", preliminary review due "2023-12-30 24:00" (Beijing)', () => {
    const plan = planOf('national-2023');
    expect(stageDeadline(plan, 'collection')).toBe('2023-11-30 24:00');
    expect(stageDeadline(plan, 'preliminary-review')).toBe('2023-12-30 24:00');
    expect(plan.stages.find((s) => s.key === 'collection')?.deadlineAt).toBe(
      Date.parse('2023-11-30T16:00:00Z'),
    );
  });

  it('national-2022: collection closes "2022-10-31 24:00", preliminary review due "2022-11-30 24:00"', () => {
    const plan = planOf('national-2022');
    expect(stageDeadline(plan, 'collection')).toBe('2022-10-31 24:00');
    expect(stageDeadline(plan, 'preliminary-review')).toBe('2022-11-30 24:00');
  });

  it('national-2023: the T-14 collection reminder to the units is at 2023-11-16 09:00 Beijing (01:00Z)', () => {
    const r = planOf('national-2023').reminders.find((x) => x.id === 'collection:T-14');
    expect(r).toMatchObject({
      kind: 'reminder',
      offsetDays: 14,
      date: '2023-11-16',
      time: '09:00',
      at: Date.parse('2023-11-16T01:00:00Z'),
      deadline: '2023-11-30 24:00',
    });
    expect(r?.recipient.role).toBe('unit');
  });

  it.each(listPresetIds())('%s: builds a time-sorted plan with reminders and its assumptions', (id) => {
    const plan = planOf(id);
    const programme = loadProgramme(id);
    expect(plan.reminders.length).toBeGreaterThan(0);
    const times = plan.reminders.map((r) => r.at);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(new Set(plan.reminders.map((r) => r.id)).size).toBe(plan.reminders.length);
    expect(plan.assumptions).toEqual(programme.assumptions);
    expect(plan.roster).toEqual({ units: programme.roster.units.length, sample: programme.roster.sample });
  });

  it.each(listPresetIds())('%s: plan is plain JSON data (round-trips unchanged)', (id) => {
    const plan = planOf(id);
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
  });

  it('national-2023: units get no overdue notices (nominations close at the deadline)', () => {
    const collection = planOf('national-2023').reminders.filter((r) => r.key === 'collection');
    expect(collection.some((r) => r.kind === 'reminder')).toBe(true);
    expect(collection.some((r) => r.kind === 'overdue')).toBe(false);
  });

  it('national-2023: the secretariat gets one preliminary-review digest per instant, not one per body', () => {
    const digests = planOf('national-2023').reminders.filter(
      (r) => r.kind === 'digest' && r.stage === 'preliminary-review',
    );
    expect(digests.length).toBeGreaterThan(0);
    expect(new Set(digests.map((r) => r.at)).size).toBe(digests.length);
    expect(digests.every((r) => r.recipient.role === 'secretariat')).toBe(true);
  });

  it('national-2023: the final review body is reminded of the final review deadline', () => {
    const final = planOf('national-2023').reminders.filter((r) => r.recipient.role === 'finalReviewBody');
    expect(final.length).toBeGreaterThan(0);
    expect(final.every((r) => r.key === 'final' && r.deadline === '2024-01-31 24:00')).toBe(true);
  });

  it('national-2022 绿色低碳: both of its review bodies get reminders naming the field', () => {
    const plan = planOf('national-2022');
    for (const bodyId of ['eco-environment-consortium', 'clean-energy-consortium']) {
      const mine = plan.reminders.filter((r) => r.key === `review:${bodyId}` && r.kind === 'reminder');
      expect(mine.length).toBeGreaterThan(0);
      expect(mine[0].recipient).toMatchObject({ role: 'reviewBody', bodyId });
      expect(mine[0].recipient.parts?.some((part) => part.includes('绿色低碳'))).toBe(true);
      expect(mine[0].deadline).toBe('2022-11-30 24:00');
    }
  });

  it('national-2022: bodies that review only 另行组织 lists get no reminders', () => {
    const plan = planOf('national-2022');
    expect(plan.reviewBodies.map((b) => b.id)).not.toContain('cistc');
    expect(plan.reminders.some((r) => r.key === 'review:cistc')).toBe(false);
  });
});

describe('renderPlanText', () => {
  it('national-2023: shows stages, reminders and assumptions in Beijing time, Chinese first', () => {
    const text = renderPlanText(planOf('national-2023'));
    for (const expected of [
      '阶段 / Stage',
      '截止 (北京时间)',
      '日期时间 (北京时间)',
      '对象 / Recipient',
      '假设 / Assumptions',
      '2023-11-30 24:00',
      '2023-12-30 24:00',
      '2023-11-16 09:00',
    ]) {
      expect(text).toContain(expected);
    }
    expect(text).toContain(planOf('national-2023').assumptions[0].note);
  });
});

describe('renderPlanIcs', () => {
  it.each(listPresetIds())(
    '%s: one VEVENT per stage deadline and reminder, stable UIDs, CRLF lines',
    (id) => {
      const plan = planOf(id);
      const ics = renderPlanIcs(plan, STAMP);
      expect(ics.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
      expect(ics.endsWith('END:VCALENDAR\r\n')).toBe(true);
      expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
      expect(ics.match(/BEGIN:VEVENT\r\n/g)?.length).toBe(plan.stages.length + plan.reminders.length);
      const uids = [...ics.replace(/\r\n /g, '').matchAll(/^UID:(.*)$/gm)].map((m) => m[1].trim());
      expect(new Set(uids).size).toBe(uids.length);
      expect(uids).toContain(`${id}.collection@kczg`);
      expect(uids).toContain(`${id}.${plan.reminders[0].id}@kczg`);
      expect(renderPlanIcs(plan, STAMP)).toBe(ics);
    },
  );

  it('national-2023: the T-14 collection reminder event starts at 20231116T010000Z', () => {
    const ics = renderPlanIcs(planOf('national-2023'), STAMP).replace(/\r\n /g, '');
    const event = ics.split('BEGIN:VEVENT').find((e) => e.includes('UID:national-2023.collection:T-14@kczg'));
    expect(event).toContain('DTSTART:20231116T010000Z');
  });
});
