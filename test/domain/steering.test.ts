/**
 * The secretariat's steering checks (domain/steering.ts), table by table: each row is a request
 * and the cycle's state, and the rejection (code, rule, field) it gets, or none.
 */
import { beijingToEpochMs } from '../../domain/calendar';
import {
  cancelRejection,
  extendRejection,
  finalResultsRejection,
  mailHoldRejection,
  pauseRejection,
  resumeRejection,
  type SteeringView,
} from '../../domain/steering';

const NOW = beijingToEpochMs('2023-11-20 10:00');
const COMMON = beijingToEpochMs('2023-11-30 24:00');
const LATER = beijingToEpochMs('2023-12-05 24:00');
const PROMOTION_ENDS = beijingToEpochMs('2024-04-30 24:00');

const view = (extra: Partial<SteeringView> = {}): SteeringView => ({
  now: NOW,
  stage: 'collection',
  paused: false,
  collectionClosesAt: COMMON,
  promotionUntil: PROMOTION_ENDS,
  unitIds: ['cie', 'buaa-cast'],
  partKeys: new Set(['pioneer-tech/electronics', 'emerging-enterprise']),
  ...extra,
});

/** What a test compares: the rejection's code, rule and field, or undefined. */
const summary = (rejection: ReturnType<typeof extendRejection>) =>
  rejection && { code: rejection.code, rule: rejection.rule, field: rejection.field };

describe('extendRejection', () => {
  const stage = { kind: 'stage', stage: 'collection' } as const;
  it.each([
    ['a later collection deadline', { scope: stage, until: LATER, reason: '材料补正' }, view(), undefined],
    [
      'a unit, after the common deadline',
      { scope: { kind: 'unit', unitId: 'cie' }, until: LATER, reason: 'r' },
      view(),
      undefined,
    ],
    [
      'a reviewed field',
      { scope: { kind: 'part', listId: 'pioneer-tech', fieldId: 'electronics' }, until: LATER, reason: 'r' },
      view({ stage: 'preliminary-review' }),
      undefined,
    ],
    [
      'a closed cycle',
      { scope: stage, until: LATER, reason: 'r' },
      view({ stage: 'closed' }),
      { code: 'WRONG_STAGE', rule: 'stage' },
    ],
    ['no date', { scope: stage, reason: 'r' }, view(), { code: 'INVALID', rule: 'date', field: 'until' }],
    [
      'no reason',
      { scope: stage, until: LATER, reason: ' ' },
      view(),
      { code: 'INVALID', rule: 'required', field: 'reason' },
    ],
    [
      'past the programme year',
      { scope: stage, until: PROMOTION_ENDS + 1, reason: 'r' },
      view(),
      { code: 'INVALID', rule: 'range', field: 'until' },
    ],
    [
      'in the past',
      { scope: stage, until: NOW, reason: 'r' },
      view(),
      { code: 'INVALID', rule: 'future', field: 'until' },
    ],
    [
      'a unit not on the roster',
      { scope: { kind: 'unit', unitId: 'nobody' }, until: LATER, reason: 'r' },
      view(),
      { code: 'UNKNOWN_UNIT', field: 'scope.unitId' },
    ],
    [
      'a unit, before the common deadline',
      { scope: { kind: 'unit', unitId: 'cie' }, until: COMMON - 60_000, reason: 'r' },
      view(),
      { code: 'INVALID', rule: 'not-before-common-deadline', field: 'until' },
    ],
    [
      'a unit after the hand-over',
      { scope: { kind: 'unit', unitId: 'cie' }, until: LATER, reason: 'r' },
      view({ stage: 'preliminary-review' }),
      { code: 'WRONG_STAGE', rule: 'stage' },
    ],
    [
      'a part named by a number',
      { scope: { kind: 'part', listId: 7 }, until: LATER, reason: 'r' },
      view(),
      { code: 'INVALID', rule: 'type', field: 'scope' },
    ],
    [
      'a part not reviewed',
      { scope: { kind: 'part', listId: 'pioneer-tech', fieldId: 'nowhere' }, until: LATER, reason: 'r' },
      view(),
      { code: 'UNKNOWN_LIST', field: 'scope' },
    ],
    [
      'a stage that has no deadline',
      { scope: { kind: 'stage', stage: 'promotion' }, until: LATER, reason: 'r' },
      view(),
      { code: 'INVALID', rule: 'enum', field: 'scope' },
    ],
    ['no scope', { until: LATER, reason: 'r' }, view(), { code: 'INVALID', rule: 'enum', field: 'scope' }],
  ])('%s', (_name, request, state, expected) => {
    expect(summary(extendRejection(request as never, state))).toEqual(expected);
  });
});

describe('pause, resume, cancel and mail holds', () => {
  it.each([
    ['pause', pauseRejection({ reason: '疫情' }, view()), undefined],
    [
      'pause without a reason',
      pauseRejection({}, view()),
      { code: 'INVALID', rule: 'required', field: 'reason' },
    ],
    [
      'pause when paused',
      pauseRejection({ reason: 'r' }, view({ paused: true })),
      { code: 'WRONG_STAGE', rule: 'paused' },
    ],
    [
      'pause a cancelled cycle',
      pauseRejection({ reason: 'r' }, view({ stage: 'cancelled' })),
      { code: 'WRONG_STAGE', rule: 'stage' },
    ],
    ['resume', resumeRejection({ reason: 'r' }, view({ paused: true })), undefined],
    [
      'resume a running clock',
      resumeRejection({ reason: 'r' }, view()),
      { code: 'WRONG_STAGE', rule: 'paused' },
    ],
    [
      'resume a cancelled, paused cycle',
      resumeRejection({ reason: 'r' }, view({ stage: 'cancelled', paused: true })),
      undefined,
    ],
    ['cancel', cancelRejection({ reason: 'r' }, view()), undefined],
    [
      'cancel without a reason',
      cancelRejection(undefined, view()),
      { code: 'INVALID', rule: 'required', field: 'reason' },
    ],
    [
      'cancel a closed cycle',
      cancelRejection({ reason: 'r' }, view({ stage: 'closed' })),
      { code: 'WRONG_STAGE', rule: 'stage' },
    ],
    ['hold a planned mail', mailHoldRejection({ reminderId: 'collection:T-7' }, view()), undefined],
    [
      'hold a malformed id',
      mailHoldRejection({ reminderId: 'collection T-7; rm' }, view()),
      { code: 'INVALID', rule: 'format', field: 'reminderId' },
    ],
  ])('%s', (_name, rejection, expected) => {
    expect(summary(rejection)).toEqual(expected);
  });
});

describe('finalResultsRejection', () => {
  const final = {
    ...view({ stage: 'final-review' }),
    shortlists: new Map([['emerging-enterprise', new Set(['cie.1', 'cie.2'])]]),
  };
  it.each([
    [
      'winners from the shortlist',
      { winners: [{ listId: 'emerging-enterprise', nominationIds: ['cie.2'] }] },
      final,
      undefined,
    ],
    [
      'before the final review',
      { winners: [] },
      { ...final, stage: 'preliminary-review' as const },
      { code: 'WRONG_STAGE', rule: 'stage' },
    ],
    ['no winners list', {}, final, { code: 'INVALID', rule: 'required', field: 'winners' }],
    [
      'a list not reviewed',
      { winners: [{ listId: 'nowhere', nominationIds: [] }] },
      final,
      { code: 'UNKNOWN_LIST', field: 'winners[0].listId' },
    ],
    [
      'ids not a list',
      { winners: [{ listId: 'emerging-enterprise', nominationIds: 'cie.1' }] },
      final,
      { code: 'INVALID', rule: 'required', field: 'winners[0].nominationIds' },
    ],
    [
      'a nomination not shortlisted',
      { winners: [{ listId: 'emerging-enterprise', nominationIds: ['cie.1', 'cie.9'] }] },
      final,
      { code: 'UNKNOWN_NOMINATION', rule: 'shortlisted', field: 'winners[0].nominationIds[1]' },
    ],
  ])('%s', (_name, results, state, expected) => {
    expect(summary(finalResultsRejection(results as never, state))).toEqual(expected);
  });
});
