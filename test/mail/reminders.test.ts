import type { ReminderPolicy } from '../../domain/programme';
import {
  beijingDeadlineDay,
  formatBeijingDeadline,
  planReminders,
  type PlannedReminder,
  type ReminderDeadline,
} from '../../domain/reminders';

const defaultPolicy: ReminderPolicy = {
  daysBefore: [14, 7, 3, 1],
  at: '09:00',
  workingDaysOnly: true,
  overdueEveryDays: 3,
  overdueMaxCount: 5,
};
const noOverdue: ReminderPolicy = { ...defaultPolicy, overdueEveryDays: 0 };

/** A deadline as the notices write it, "YYYY-MM-DD HH:mm" in Beijing time, "24:00" = end of day. */
function beijing(dateTime: string): number {
  const [date, time] = dateTime.split(' ');
  if (time === '24:00') return Date.parse(`${date}T00:00:00+08:00`) + 86_400_000;
  return Date.parse(`${date}T${time}:00+08:00`);
}

function iso(at: number): string {
  return new Date(at).toISOString();
}

function unitDeadline(at: string, key = 'collection'): ReminderDeadline {
  return { key, at: beijing(at), role: 'unit' };
}

function summary(planned: PlannedReminder[]): Array<[string, string]> {
  return planned.map((r) => [r.id, iso(r.at)]);
}

describe('a deadline belongs to its Beijing calendar day', () => {
  it('puts "2023-11-30 24:00" on 2023-11-30 and writes it back the same way', () => {
    const at = beijing('2023-11-30 24:00');
    expect(iso(at)).toBe('2023-11-30T16:00:00.000Z');
    expect(beijingDeadlineDay(at)).toBe('2023-11-30');
    expect(formatBeijingDeadline(at)).toBe('2023-11-30 24:00');
  });

  it('puts a 17:00 deadline on its own day', () => {
    expect(beijingDeadlineDay(beijing('2023-11-30 17:00'))).toBe('2023-11-30');
    expect(formatBeijingDeadline(beijing('2023-11-30 17:00'))).toBe('2023-11-30 17:00');
  });
});

describe('planReminders: reminders before a deadline', () => {
  it('plans the national-2023 collection deadline (2023-11-30 24:00) at 09:00 Beijing on each offset', () => {
    const planned = planReminders({ deadlines: [unitDeadline('2023-11-30 24:00')], policy: noOverdue });
    expect(summary(planned.filter((r) => r.kind === 'reminder'))).toEqual([
      ['collection:T-14', '2023-11-16T01:00:00.000Z'],
      ['collection:T-7', '2023-11-23T01:00:00.000Z'],
      ['collection:T-3', '2023-11-27T01:00:00.000Z'],
      ['collection:T-1', '2023-11-29T01:00:00.000Z'],
    ]);
    expect(planned.find((r) => r.id === 'collection:T-14')).toEqual({
      id: 'collection:T-14',
      key: 'collection',
      at: Date.parse('2023-11-16T01:00:00Z'),
      kind: 'reminder',
      offsetDays: 14,
      role: 'unit',
    });
  });

  it.each([
    ['lands on a Saturday → moves to Friday', '2023-11-19 24:00', [1], '2023-11-17T01:00:00.000Z'],
    ['lands on a Sunday → moves to Friday', '2023-11-20 24:00', [1], '2023-11-17T01:00:00.000Z'],
    [
      'lands in the 2023 National Day holiday → moves before it',
      '2023-10-09 24:00',
      [7],
      '2023-09-28T01:00:00.000Z',
    ],
    ['lands on a make-up working Saturday → stays', '2023-10-08 24:00', [1], '2023-10-07T01:00:00.000Z'],
    [
      'lands on a 2024 Spring Festival weekday → moves before it',
      '2024-02-20 24:00',
      [7],
      '2024-02-09T01:00:00.000Z',
    ],
  ])('a reminder that %s', (_what, deadline, daysBefore, expected) => {
    const planned = planReminders({
      deadlines: [unitDeadline(deadline)],
      policy: { ...noOverdue, daysBefore },
    });
    expect(summary(planned.filter((r) => r.kind === 'reminder'))).toEqual([
      [`collection:T-${daysBefore[0]}`, expected],
    ]);
  });

  it('keeps weekend days when workingDaysOnly is off', () => {
    const planned = planReminders({
      deadlines: [unitDeadline('2023-11-19 24:00')],
      policy: { ...noOverdue, daysBefore: [1], workingDaysOnly: false },
    });
    expect(summary(planned.filter((r) => r.kind === 'reminder'))).toEqual([
      ['collection:T-1', '2023-11-18T01:00:00.000Z'],
    ]);
  });

  it('sends at the policy time of day', () => {
    const planned = planReminders({
      deadlines: [unitDeadline('2023-11-30 24:00')],
      policy: { ...noOverdue, daysBefore: [1], at: '14:30' },
    });
    expect(iso(planned[0].at)).toBe('2023-11-29T06:30:00.000Z');
  });

  it('dedupes two offsets moved onto the same instant, keeping the smaller offset', () => {
    // Deadline Monday 2023-11-20: T-1 (Sunday) and T-3 (Friday) both land on Friday 2023-11-17.
    const planned = planReminders({
      deadlines: [unitDeadline('2023-11-20 24:00')],
      policy: { ...noOverdue, daysBefore: [3, 1] },
    });
    expect(summary(planned)).toEqual([
      ['collection:T-1', '2023-11-17T01:00:00.000Z'],
      ['collection:digest-T-1', '2023-11-17T01:00:00.000Z'],
    ]);
  });

  it('drops reminders that land before the opening', () => {
    // T-14 of 2023-10-20 is 10-06 (holiday) → 09-28, before collection opens on 10-07.
    const planned = planReminders({
      deadlines: [unitDeadline('2023-10-20 24:00')],
      policy: { ...noOverdue, daysBefore: [14, 7] },
      opensAt: beijing('2023-10-07 00:00'),
    });
    expect(summary(planned.filter((r) => r.kind === 'reminder'))).toEqual([
      ['collection:T-7', '2023-10-13T01:00:00.000Z'],
    ]);
  });

  it('drops reminders at or after the deadline (an unvalidated zero offset)', () => {
    const planned = planReminders({
      deadlines: [unitDeadline('2023-11-30 09:00')],
      policy: { ...noOverdue, daysBefore: [0, 1] },
    });
    expect(planned.filter((r) => r.kind === 'reminder').map((r) => r.id)).toEqual(['collection:T-1']);
  });
});

describe('planReminders: secretariat digests', () => {
  it('plans a digest to the secretariat at each reminder instant of another party', () => {
    const planned = planReminders({
      deadlines: [{ key: 'review:pioneer-tech', at: beijing('2023-12-30 24:00'), role: 'reviewBody' }],
      policy: { ...noOverdue, daysBefore: [3] },
    });
    expect(planned).toEqual([
      {
        id: 'review:pioneer-tech:T-3',
        key: 'review:pioneer-tech',
        at: Date.parse('2023-12-27T01:00:00Z'),
        kind: 'reminder',
        offsetDays: 3,
        role: 'reviewBody',
      },
      {
        id: 'review:pioneer-tech:digest-T-3',
        key: 'review:pioneer-tech',
        at: Date.parse('2023-12-27T01:00:00Z'),
        kind: 'digest',
        offsetDays: 3,
        role: 'secretariat',
      },
    ]);
  });

  it('plans no digest for the secretariat’s own deadline', () => {
    const planned = planReminders({
      deadlines: [{ key: 'forward', at: beijing('2023-12-30 24:00'), role: 'secretariat' }],
      policy: { ...noOverdue, daysBefore: [3] },
    });
    expect(planned.map((r) => r.kind)).toEqual(['reminder']);
  });
});

describe('planReminders: overdue notices', () => {
  it('plans overdueMaxCount notices every overdueEveryDays, moved forward off non-working days', () => {
    const planned = planReminders({
      deadlines: [unitDeadline('2023-11-30 24:00')],
      policy: { ...defaultPolicy, daysBefore: [] },
    });
    expect(planned.map((r) => [r.id, iso(r.at), r.offsetDays])).toEqual([
      ['collection:overdue-1', '2023-12-04T01:00:00.000Z', -3], // 12-03 is a Sunday
      ['collection:overdue-2', '2023-12-06T01:00:00.000Z', -6],
      ['collection:overdue-3', '2023-12-11T01:00:00.000Z', -9], // 12-09 is a Saturday
      ['collection:overdue-4', '2023-12-12T01:00:00.000Z', -12],
      ['collection:overdue-5', '2023-12-15T01:00:00.000Z', -15],
    ]);
    expect(planned.every((r) => r.kind === 'overdue' && r.role === 'unit')).toBe(true);
  });

  it('dedupes overdue notices moved onto the same working day, keeping the earlier one', () => {
    // Daily after Thursday 2023-11-30: Fri 12-01, Sat 12-02 → Mon, Sun 12-03 → Mon (dropped).
    const planned = planReminders({
      deadlines: [unitDeadline('2023-11-30 24:00')],
      policy: { ...defaultPolicy, daysBefore: [], overdueEveryDays: 1, overdueMaxCount: 3 },
    });
    expect(summary(planned)).toEqual([
      ['collection:overdue-1', '2023-12-01T01:00:00.000Z'],
      ['collection:overdue-2', '2023-12-04T01:00:00.000Z'],
    ]);
  });

  it('plans none when overdueEveryDays or overdueMaxCount is 0', () => {
    const deadlines = [unitDeadline('2023-11-30 24:00')];
    const policy = { ...defaultPolicy, daysBefore: [] };
    expect(planReminders({ deadlines, policy: { ...policy, overdueEveryDays: 0 } })).toEqual([]);
    expect(planReminders({ deadlines, policy: { ...policy, overdueMaxCount: 0 } })).toEqual([]);
  });
});

describe('planReminders: order and determinism', () => {
  it('sorts several deadlines by time then id, and returns the same plan for the same input', () => {
    const input = {
      deadlines: [
        { key: 'review', at: beijing('2023-12-30 24:00'), role: 'reviewBody' as const },
        unitDeadline('2023-11-30 24:00'),
      ],
      policy: defaultPolicy,
      opensAt: beijing('2023-10-07 00:00'),
    };
    const planned = planReminders(input);
    const sorted = [...planned].sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    expect(planned).toEqual(sorted);
    expect(planReminders(input)).toEqual(planned);
    expect(new Set(planned.map((r) => r.id)).size).toBe(planned.length);
    expect(planned[0].id).toBe('collection:T-14');
    expect(planned[1].id).toBe('collection:digest-T-14');
  });
});
