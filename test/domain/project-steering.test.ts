import { beijingToEpochMs } from '../../domain/calendar';
import {
  extendDues,
  isHeld,
  pauseShiftMs,
  projectExtendRejection,
  projectHoldRejection,
  projectPauseRejection,
  projectResumeRejection,
  resumedDues,
  type ProjectSteeringView,
} from '../../domain/project-steering';

const DAY = 24 * 3_600_000;
const publishedAt = beijingToEpochMs('2024-01-15 10:00');
const half = beijingToEpochMs('2024-07-16 00:00');
const final = beijingToEpochMs('2025-01-16 00:00');
const view = (over: Partial<ProjectSteeringView> = {}): ProjectSteeringView => ({
  now: publishedAt + 30 * DAY,
  publishedAt,
  accepted: false,
  paused: false,
  dues: [
    { id: 'half-yearly-1', kind: 'half-yearly', at: half, status: 'owed' },
    { id: 'final-1', kind: 'final', at: final, status: 'owed' },
  ],
  ...over,
});
const halfAccepted = view({
  dues: [
    { id: 'half-yearly-1', kind: 'half-yearly', at: half, status: 'accepted' },
    { id: 'final-1', kind: 'final', at: final, status: 'owed' },
  ],
});

describe('extending a project’s report due', () => {
  it.each([
    [
      'one due, later, with a reason',
      { dueId: 'final-1', until: final + DAY, reason: '平台确认延迟' },
      view(),
      undefined,
    ],
    ['every open due', { until: half + 10 * DAY, reason: '调整' }, view(), undefined],
    [
      'after acceptance',
      { dueId: 'final-1', until: final + DAY, reason: 'x' },
      view({ accepted: true }),
      ['WRONG_STAGE', 'stage'],
    ],
    ['an unknown due', { dueId: 'year-end-9', until: final + DAY, reason: 'x' }, view(), ['INVALID', 'due']],
    [
      'an accepted due',
      { dueId: 'half-yearly-1', until: half + DAY, reason: 'x' },
      halfAccepted,
      ['WRONG_STAGE', 'due'],
    ],
    ['no reason', { dueId: 'final-1', until: final + DAY, reason: ' ' }, view(), ['INVALID', 'required']],
    ['to the past', { dueId: 'final-1', until: publishedAt, reason: 'x' }, view(), ['INVALID', 'future']],
    [
      'earlier than the due',
      { dueId: 'final-1', until: final - DAY, reason: 'x' },
      view(),
      ['INVALID', 'later'],
    ],
    [
      'years away',
      { dueId: 'final-1', until: publishedAt + 6 * 366 * DAY, reason: 'x' },
      view(),
      ['INVALID', 'range'],
    ],
    ['not a date', { dueId: 'final-1', until: Number.NaN, reason: 'x' }, view(), ['INVALID', 'date']],
  ])('%s', (_name, request, given, expected) => {
    const rejection = projectExtendRejection(request, given);
    expect(rejection && [rejection.code, rejection.rule]).toEqual(expected);
  });

  it('moves one due to the date, or every open due keeping the spacing', () => {
    expect(extendDues(view().dues, { dueId: 'final-1', until: final + DAY, reason: 'x' })).toEqual(
      new Map([['final-1', final + DAY]]),
    );
    expect(extendDues(view().dues, { until: half + 10 * DAY, reason: 'x' })).toEqual(
      new Map([
        ['half-yearly-1', half + 10 * DAY],
        ['final-1', final + 10 * DAY],
      ]),
    );
    expect(extendDues(halfAccepted.dues, { until: final + 3 * DAY, reason: 'x' })).toEqual(
      new Map([['final-1', final + 3 * DAY]]),
    );
  });
});

describe('pausing and resuming a project', () => {
  it.each([
    ['pause', () => projectPauseRejection({ reason: '调整' }, view()), undefined],
    [
      'pause twice',
      () => projectPauseRejection({ reason: '调整' }, view({ paused: true })),
      ['WRONG_STAGE', 'paused'],
    ],
    [
      'pause accepted',
      () => projectPauseRejection({ reason: '调整' }, view({ accepted: true })),
      ['WRONG_STAGE', 'stage'],
    ],
    ['pause without reason', () => projectPauseRejection({}, view()), ['INVALID', 'required']],
    ['resume', () => projectResumeRejection({ reason: '恢复' }, view({ paused: true })), undefined],
    ['resume running', () => projectResumeRejection({ reason: '恢复' }, view()), ['WRONG_STAGE', 'paused']],
  ])('%s', (_name, check, expected) => {
    const rejection = check();
    expect(rejection && [rejection.code, rejection.rule]).toEqual(expected);
  });

  it('moves the open dues still ahead at the pause by its length in whole minutes', () => {
    const pausedAt = half + DAY;
    const shift = pauseShiftMs(pausedAt, pausedAt + 10 * DAY + 25_000);
    expect(shift).toBe(10 * DAY);
    // The half-yearly due was already past at the pause: it stays.
    expect(resumedDues(view().dues, pausedAt, shift)).toEqual(new Map([['final-1', final + 10 * DAY]]));
    expect(resumedDues(halfAccepted.dues, publishedAt, shift)).toEqual(
      new Map([['final-1', final + 10 * DAY]]),
    );
  });
});

describe('holding a project’s mail', () => {
  it.each([
    ['all', { reminderId: 'all', held: true }, undefined],
    ['a due', { reminderId: 'report:final-1', held: true }, undefined],
    ['one mailing', { reminderId: 'report:final-1:T-1', held: true }, undefined],
    ['an unknown due', { reminderId: 'report:final-9:T-1', held: true }, ['INVALID', 'format']],
    ['not an id', { reminderId: 'collection:T-7', held: true }, ['INVALID', 'format']],
    ['release what is not held', { reminderId: 'all', held: false }, ['WRONG_STAGE', 'held']],
  ])('%s', (_name, request, expected) => {
    const rejection = projectHoldRejection(request, view(), new Set());
    expect(rejection && [rejection.code, rejection.rule]).toEqual(expected);
  });

  it('matches a mailing by "all", its due or its own id', () => {
    const event = { id: 'report:final-1:T-1', key: 'report:final-1' };
    expect(
      [
        new Set(['all']),
        new Set(['report:final-1']),
        new Set([event.id]),
        new Set(['report:half-yearly-1']),
      ].map((holds) => isHeld(event, holds)),
    ).toEqual([true, true, true, false]);
  });
});
