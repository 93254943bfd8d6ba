import { beijingToEpochMs } from '../../domain/calendar';
import {
  chainDeadlineRejection,
  childExtensionRejection,
  childProgrammeFor,
  FORWARDING_MARGIN_MS,
  forwardingKey,
  parentExtensionRejection,
  parentPartOf,
  unmappedParts,
  type ChildDeadlines,
} from '../../domain/chain';
import type { Programme } from '../../domain/programme';
import { loadProgramme } from '../../programmes/loader';

const at = beijingToEpochMs;
const PARENT = { cycleId: 'kczg:national-2023', collectionClosesAt: at('2023-11-30 24:00') };
const RELAY: ChildDeadlines = {
  collectionClosesAt: at('2023-11-20 24:00'),
  preliminaryReviewDueAt: at('2023-11-24 24:00'),
  finalReviewDueAt: at('2023-11-28 24:00'),
};

describe('a child cycle decides before its parent stops collecting', () => {
  it.each([
    ['all well before', RELAY, undefined],
    [
      'final selection exactly one margin before',
      { ...RELAY, finalReviewDueAt: at('2023-11-29 24:00') },
      undefined,
    ],
    [
      'final selection a minute too late',
      { ...RELAY, finalReviewDueAt: at('2023-11-29 24:00') + 60_000 },
      'stages.finalReview.due',
    ],
    [
      'review after the parent closes',
      { ...RELAY, preliminaryReviewDueAt: at('2023-12-01 12:00') },
      'stages.preliminaryReview.due',
    ],
    [
      'collection after the parent closes',
      { ...RELAY, collectionClosesAt: at('2023-12-02 24:00') },
      'stages.collection.closes',
    ],
  ])('%s', (_what, child, field) => {
    const refusal = chainDeadlineRejection(child, PARENT);
    expect(refusal?.field).toBe(field);
    if (field) {
      expect(refusal).toMatchObject({ code: 'CHAIN_DEADLINE', rule: 'beforeParentCollection' });
      // Both instants in Beijing time, and the latest date that would do.
      expect(refusal?.message).toContain('2023-11-30 24:00 (北京时间)');
      expect(refusal?.fix).toContain('2023-11-29 24:00 (北京时间)');
    }
  });

  it('the margin is one day: time for the child to swap a refused winner', () => {
    expect(FORWARDING_MARGIN_MS).toBe(86_400_000);
  });
});

describe('extensions on either side of a chain', () => {
  it.each([
    [
      'child extends its selection within the margin',
      { kind: 'stage', stage: 'final-review' },
      at('2023-11-29 12:00'),
      undefined,
    ],
    [
      'child extends its selection past the parent',
      { kind: 'stage', stage: 'final-review' },
      at('2023-12-02 24:00'),
      'until',
    ],
    [
      'child extends one unit past the parent',
      { kind: 'unit', unitId: 'zz-materials' },
      at('2023-12-01 24:00'),
      'until',
    ],
    [
      'child extends a review part past the parent',
      { kind: 'part', listId: 'pioneer-tech', fieldId: 'electronics' },
      at('2023-12-01 24:00'),
      'until',
    ],
  ] as const)('%s', (_what, scope, until, field) => {
    expect(childExtensionRejection(RELAY, scope, until, PARENT)?.field).toBe(field);
  });

  const parent = { ...PARENT, unitExtensions: {} as Record<string, number> };
  const children = [{ cycleId: 'kczg:national-2023-relay-cie', unitId: 'cie', deadlines: RELAY }];
  it.each([
    [
      'parent closes later: children keep their deadlines',
      { kind: 'stage', stage: 'collection' },
      at('2023-12-10 24:00'),
      undefined,
    ],
    [
      'parent closes earlier, still a day after the child',
      { kind: 'stage', stage: 'collection' },
      at('2023-11-29 24:00'),
      undefined,
    ],
    [
      'parent closes before the child selects',
      { kind: 'stage', stage: 'collection' },
      at('2023-11-28 24:00'),
      'notBeforeChild',
    ],
    ['parent extends another unit', { kind: 'unit', unitId: 'cmes' }, at('2023-11-30 24:00'), undefined],
    [
      'parent moves its review: not the chain’s concern',
      { kind: 'stage', stage: 'preliminary-review' },
      at('2023-11-29 24:00'),
      undefined,
    ],
  ] as const)('%s', (_what, scope, until, rule) => {
    const refusal = parentExtensionRejection(parent, scope, until, children);
    expect(refusal?.rule).toBe(rule);
    if (rule) expect(refusal?.message).toContain('kczg:national-2023-relay-cie');
  });

  it('a unit extension of the child’s unit keeps the parent open for it even when the common close moves earlier', () => {
    const extended = { ...parent, unitExtensions: { cie: at('2023-12-05 24:00') } };
    expect(
      parentExtensionRejection(
        extended,
        { kind: 'stage', stage: 'collection' },
        at('2023-11-25 24:00'),
        children,
      ),
    ).toBeUndefined();
  });
});

describe('forwarding', () => {
  it('keys derive from the child cycle and the nomination', () => {
    expect(forwardingKey('kczg:national-2023-relay', 'zz-materials.1')).toBe(
      'chain:kczg:national-2023-relay:zz-materials.1',
    );
  });

  it.each([
    [{}, {}, 'pioneer-tech', 'electronics', { listId: 'pioneer-tech', fieldId: 'electronics' }],
    [
      { 'society-tech': 'pioneer-tech' },
      { ic: 'electronics' },
      'society-tech',
      'ic',
      { listId: 'pioneer-tech', fieldId: 'electronics' },
    ],
    [
      { 'society-firms': 'emerging-enterprise' },
      {},
      'society-firms',
      undefined,
      { listId: 'emerging-enterprise' },
    ],
  ])('maps child parts onto the parent’s (%j, %j)', (lists, fields, listId, fieldId, expected) => {
    expect(parentPartOf({ lists, fields }, listId, fieldId)).toEqual(expected);
  });
});

describe('the 2023 presets as a chain', () => {
  const national = loadProgramme('national-2023');
  const relay = loadProgramme('national-2023-relay');

  it('the relay names the national call as its parent, citing the notice, and decides before it closes', () => {
    expect(relay.parent).toMatchObject({ programme: 'national-2023', unit: 'cie' });
    expect(relay.parent?.source?.quote).toBe('学会作为推荐渠道将负责组织申报,并择优推荐');
    expect(unmappedParts(relay, national)).toEqual([]);
    const { stages } = relay;
    const deadlines = {
      collectionClosesAt: at(stages.collection.closes),
      preliminaryReviewDueAt: at(stages.preliminaryReview.due),
      finalReviewDueAt: at(stages.finalReview.due),
    };
    expect(
      chainDeadlineRejection(deadlines, {
        cycleId: 'kczg:national-2023',
        collectionClosesAt: at(national.stages.collection.closes),
      }),
    ).toBeUndefined();
  });

  it('the national call is run by the national secretariat; the society’s secretariat runs the relay', () => {
    expect(national.secretariat.id).toBe('kczg-secretariat');
    expect(national.parent).toBeUndefined();
    expect(relay.secretariat.contacts[0].name).toBe('姚老师');
  });

  it('a list the parent lacks is reported', () => {
    const odd: Programme = { ...relay, lists: [{ ...relay.lists[1], id: 'society-only' }] };
    expect(unmappedParts(odd, national)).toEqual(['society-only → society-only']);
  });

  it('opens a child for a unit of the parent: its secretariat is that unit, its own roster', () => {
    const units = [{ id: 'm1', name: '会员一', channels: ['related-unit'], email: 'm1@members.example.org' }];
    const child = childProgrammeFor(relay, national, 'cmes', units) as Programme;
    expect(child.id).toBe('national-2023-relay-cmes');
    expect(child.parent).toMatchObject({ programme: 'national-2023', unit: 'cmes' });
    expect(child.secretariat).toMatchObject({ id: 'cmes', contacts: [{ email: 'cmes@units.example.org' }] });
    expect(child.roster).toEqual({ sample: false, units });
  });

  it.each([
    ['a unit not on the parent roster', 'nobody', national, 'UNKNOWN_UNIT'],
    ['a template of another parent', 'cie', { ...national, id: 'national-2022' }, 'INVALID'],
  ] as const)('refuses %s', (_what, unitId, parent, code) => {
    expect(childProgrammeFor(relay, parent, unitId)).toMatchObject({ code });
  });
});
