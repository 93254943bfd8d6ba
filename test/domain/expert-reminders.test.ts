/**
 * Reminders to experts who still owe score sheets (domain/schedule.ts expertReminderTimeline and
 * the year's schedule): the body's reminders before the deadline, once per owing expert.
 */
import { beijingToEpochMs } from '../../domain/calendar';
import { noticeKey, parseNoticeKey } from '../../domain/mail-ids';
import { expertReminderTimeline } from '../../domain/schedule';
import { initialScheduleState, yearSchedule } from '../../domain/schedule-year';
import { loadProgramme } from '../../programmes/loader';

const programme = loadProgramme('national-2023');
const policy = programme.reminders;
const DUE = beijingToEpochMs('2023-12-30 24:00');
const nothing = { sent: new Set<string>(), held: new Set<string>(), from: -Infinity };
const timeline = (extra: Partial<Parameters<typeof expertReminderTimeline>[1]> = {}) =>
  expertReminderTimeline(policy, { bodyId: 'ittn', dueAt: DUE, owing: ['e1', 'e2'], ...nothing, ...extra });

describe('expertReminderTimeline', () => {
  it.each([
    ['every owing expert gets each reminder before the deadline', {}, 8],
    ['nobody owes scores: nothing', { owing: [] }, 0],
    ['a reminder sent to e1 is not planned again', { sent: new Set(['expert/e1/review:ittn:T-14']) }, 7],
    ['holding it for e2 holds it for e2 only', { held: new Set(['expert/e2/review:ittn:T-7']) }, 7],
    ['planning from after T-3: only T-1 remains', { from: beijingToEpochMs('2023-12-28 10:00') }, 2],
  ])('%s', (_name, extra, count) => {
    const events = timeline(extra);
    expect(events).toHaveLength(count);
    expect(events.every((e) => e.template === 'expertReminder' && e.kind === 'reminder' && e.at < DUE)).toBe(
      true,
    );
    expect(events.map((e) => e.at)).toEqual([...events.map((e) => e.at)].sort((a, b) => a - b));
  });

  it('ids name the expert and the body’s reminder, and their business keys read back', () => {
    const [first] = timeline();
    expect(first.id).toBe('expert/e1/review:ittn:T-14');
    const key = noticeKey('kczg:national-2023', { kind: 'review', id: 'ittn' }, first.id);
    expect(key).toBe('kczg:national-2023/review/ittn/expert/e1/review:ittn:T-14');
    expect(parseNoticeKey(key)).toEqual({
      cycleId: 'kczg:national-2023',
      party: { kind: 'review', id: 'ittn' },
      mailId: first.id,
    });
  });

  it('the year’s schedule lists them beside the body’s own reminders when the experts are known', () => {
    const state = initialScheduleState(programme);
    const bodyId = programme.reviewBodies[0].id;
    const withExperts = yearSchedule(
      programme,
      { ...state, expertsOwing: (b) => (b === bodyId ? ['e1'] : []) },
      -Infinity,
    );
    const without = yearSchedule(programme, state, -Infinity);
    const expertEvents = withExperts.filter((e) => e.template === 'expertReminder');
    expect(expertEvents.map((e) => e.id)).toEqual(
      without
        .filter((e) => e.party?.kind === 'review' && e.party.id === bodyId && e.kind === 'reminder')
        .map((e) => `expert/e1/${e.id}`),
    );
    expect(without.some((e) => e.template === 'expertReminder')).toBe(false);
  });
});
