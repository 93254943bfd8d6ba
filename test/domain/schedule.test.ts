/**
 * The schedule (domain/schedule.ts, schedule-year.ts): each timeline's events in order, and the
 * rule for what goes when a workflow wakes after events fell due while no worker ran.
 */
import { beijingToEpochMs } from '../../domain/calendar';
import {
  digestTimeline,
  nextOnWaking,
  reviewBodyTimeline,
  unitTimeline,
  type ScheduledEvent,
  type WakingRule,
} from '../../domain/schedule';
import { initialScheduleState, yearSchedule } from '../../domain/schedule-year';
import { loadProgramme } from '../../programmes/loader';

const programme = loadProgramme('national-2023');
const policy = programme.reminders;
const at = (beijing: string) => beijingToEpochMs(beijing);
const OPENS = at('2023-10-07 00:00');
const CLOSES = at('2023-11-30 24:00');
const nothing = { sent: new Set<string>(), held: new Set<string>(), from: -Infinity };
const cie = (extra: Partial<Parameters<typeof unitTimeline>[1]> = {}) =>
  unitTimeline(policy, {
    unitId: 'cie',
    opensAt: OPENS,
    closesAt: CLOSES,
    paused: false,
    ...nothing,
    ...extra,
  });
const ids = (events: readonly ScheduledEvent[]) => events.map((e) => e.id);

describe('unitTimeline', () => {
  it('opening notice, T-14 … T-1 reminders (only if the unit owes work), closing notice', () => {
    const events = cie();
    expect(ids(events)).toEqual([
      'opened',
      'collection:T-14',
      'collection:T-7',
      'collection:T-3',
      'collection:T-1',
      `closed@${CLOSES}`,
    ]);
    expect(events[1]).toMatchObject({
      at: at('2023-11-16 09:00'),
      template: 'unitReminder',
      onlyIf: 'owes-work',
    });
    expect(events.every((e) => e.party?.kind === 'unit' && e.deadlineAt === CLOSES)).toBe(true);
  });

  it.each([
    [
      'sent and held ids are left out',
      { sent: new Set(['opened']), held: new Set(['collection:T-7']) },
      ['collection:T-14', 'collection:T-3', 'collection:T-1', `closed@${CLOSES}`],
    ],
    [
      'reminders before the workflow began are left out',
      { from: at('2023-11-24 00:00') },
      ['opened', 'collection:T-3', 'collection:T-1', `closed@${CLOSES}`],
    ],
    ['while paused only the opening notice can go', { paused: true }, ['opened']],
  ])('%s', (_name, extra, expected) => {
    expect(ids(cie(extra))).toEqual(expected);
  });

  it('a changed reminder offset in the programme changes the timeline', () => {
    const events = unitTimeline(
      { ...policy, daysBefore: [5, 2] },
      { unitId: 'cie', opensAt: OPENS, closesAt: CLOSES, paused: false, ...nothing },
    );
    expect(ids(events)).toEqual(['opened', 'collection:T-5', 'collection:T-2', `closed@${CLOSES}`]);
  });
});

describe('nextOnWaking', () => {
  const timeline = cie({ sent: new Set(['opened', 'collection:T-14']) });
  const T7 = at('2023-11-23 09:00');
  const T1 = at('2023-11-29 09:00');
  it.each<[string, WakingRule, number, string | undefined, string[]]>([
    ['on time: the event due now', 'once-on-waking', T7, 'collection:T-7', []],
    ['nothing due: the next event', 'once-on-waking', T7 - 1, 'collection:T-7', []],
    [
      'woken after T-7, T-3 and T-1: only T-1 goes',
      'once-on-waking',
      T1 + 3_600_000,
      'collection:T-1',
      ['collection:T-7', 'collection:T-3'],
    ],
    [
      'woken after the deadline: the closing notice goes first',
      'once-on-waking',
      CLOSES + 60_000,
      `closed@${CLOSES}`,
      [],
    ],
    ['before that rule, every missed event in order', 'in-order', T1 + 3_600_000, 'collection:T-7', []],
    [
      'review bodies before that rule: the latest of the due',
      'latest-of-due',
      T1 + 3_600_000,
      'collection:T-1',
      ['collection:T-7', 'collection:T-3'],
    ],
  ])('%s', (_name, rule, now, next, overtaken) => {
    const chosen = nextOnWaking(timeline, now, rule);
    expect(chosen.next?.id).toBe(next);
    expect(ids(chosen.overtaken)).toEqual(overtaken);
  });

  it('after the closing notice, reminders whose deadline passed are pointless: nothing more goes', () => {
    const rest = cie({ sent: new Set(['opened', 'collection:T-14', `closed@${CLOSES}`]) });
    const chosen = nextOnWaking(rest, CLOSES + 60_000, 'once-on-waking');
    expect(chosen.next).toBeUndefined();
    expect(ids(chosen.overtaken)).toEqual(['collection:T-7', 'collection:T-3', 'collection:T-1']);
  });

  it('a digest missed before the deadline still goes after it (it says who is missing)', () => {
    const digests = digestTimeline(policy, {
      key: 'collection',
      deadlineAt: CLOSES,
      owner: 'unit',
      ...nothing,
      sent: new Set(['collection:digest-T-14', 'collection:digest-T-7', 'collection:digest-T-3']),
    });
    expect(nextOnWaking(digests, CLOSES + 60_000, 'once-on-waking').next?.id).toBe('collection:digest-T-1');
  });

  it('an overdue notice is about a passed deadline: the latest due goes', () => {
    const due = at('2023-12-30 24:00');
    const body = reviewBodyTimeline(policy, { bodyId: 'ittn', dueAt: due, outstanding: true, ...nothing });
    const overdue = body.filter((e) => e.kind === 'overdue');
    const woken = overdue[1].at + 60_000;
    const chosen = nextOnWaking(body, woken, 'once-on-waking');
    expect(chosen.next?.id).toBe(overdue[1].id);
    expect(chosen.overtaken.map((e) => e.id)).toContain(overdue[0].id);
  });
});

describe('yearSchedule', () => {
  it('before the start: stage changes, every notice and reminder of the year, in order', () => {
    const events = yearSchedule(programme, initialScheduleState(programme), -Infinity);
    expect(events.map((e) => e.at)).toEqual([...events.map((e) => e.at)].sort((a, b) => a - b));
    expect(events.filter((e) => e.kind === 'stage').map((e) => e.id)).toEqual([
      'collection',
      'preliminary-review',
      'final-review',
      'publication',
      'closed',
    ]);
    const units = programme.roster.units.length;
    expect(events.filter((e) => e.id === 'collection:T-14')).toHaveLength(units);
    expect(events.some((e) => e.id === 'escalation/preliminary-review')).toBe(true);
    expect(events.some((e) => e.id === 'final:overdue-1')).toBe(true);
  });

  it('a silent review body keeps its overdue notices after the cycle moved on to the final review', () => {
    const state = initialScheduleState(programme);
    for (const part of state.parts) {
      part.nominations = 1;
      for (const body of part.reviewBodies)
        if (body.bodyId !== 'ittn') body.reportedAt = at('2023-12-20 10:00');
    }
    const events = yearSchedule(programme, { ...state, stage: 'final-review' }, at('2024-01-02 00:00'));
    expect(events.filter((e) => e.party?.kind === 'review').map((e) => e.id)).toEqual(
      expect.arrayContaining(['review:ittn:overdue-1']),
    );
    expect(events.some((e) => e.party?.kind === 'review' && e.id.startsWith('review:info-tech'))).toBe(false);
  });

  it('nothing once the cycle is closed or cancelled', () => {
    for (const stage of ['closed', 'cancelled'] as const)
      expect(yearSchedule(programme, { ...initialScheduleState(programme), stage }, 0)).toEqual([]);
  });
});
