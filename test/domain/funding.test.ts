/**
 * The funding rule: slots per funded list or field, the programme's budget, each winner's amount
 * and the totals, over the Henan preset (every amount as its notice states it) and variants.
 */
import {
  formatWan,
  fundedParts,
  fundingRejection,
  fundingSummary,
  hasFunding,
  withinSlots,
  type WinnerPart,
} from '../../domain/funding';
import type { Programme } from '../../domain/programme';
import { loadProgramme } from '../../programmes/loader';

const henan = loadProgramme('henan-2023');
const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i + 1}`);

describe('funded parts', () => {
  it('reads every Henan programme with the slots and amounts of its notice', () => {
    const table = fundedParts(henan).map((p) => [
      p.fieldId ?? p.listId,
      p.funding.slots,
      p.funding.amountCny,
    ]);
    expect(table).toEqual([
      ['first-class-society', 5, 100_000],
      ['youth-scientist-forum', 1, 100_000],
      ['cross-strait-logistics', 1, 200_000],
      ['national-event', 10, 150_000],
      ['provincial-event', 12, 100_000],
      ['one-city-one-product', 5, 200_000],
      ['hundred-societies', 20, 50_000],
      ['collaborative-platform', 12, 50_000],
      ['pilot-city', 3, 500_000],
      ['innovation-talent', 1, 200_000],
      ['innovation-method-contest', 1, 200_000],
      ['youth-talent', 50, 50_000],
    ]);
  });

  it.each([
    ['henan-2023', true],
    ['service-teams-2023', true],
    ['baoding-2023', true],
    ['national-2023', false],
    ['national-2022', false],
  ])('%s has funding: %s', (id, funded) => {
    expect(hasFunding(loadProgramme(id))).toBe(funded);
  });
});

describe('fundingRejection', () => {
  const cases: Array<[string, WinnerPart[], { rule: string; limit: number; field: string } | undefined]> = [
    ['5 of 5 slots', [{ listId: 'first-class-society', nominationIds: ids('a', 5) }], undefined],
    [
      '6 of 5 slots',
      [{ listId: 'first-class-society', nominationIds: ids('a', 6) }],
      { rule: 'fundingSlots', limit: 5, field: 'winners[0].nominationIds' },
    ],
    [
      'a field with 1 slot given 2',
      [
        { listId: 'academic-platform', fieldId: 'national-event', nominationIds: ids('n', 10) },
        { listId: 'academic-platform', fieldId: 'youth-scientist-forum', nominationIds: ids('y', 2) },
      ],
      { rule: 'fundingSlots', limit: 1, field: 'winners[1].nominationIds' },
    ],
    [
      "a list's 12 slots shared by its fields: 7 + 5",
      [
        { listId: 'collaborative-platform', fieldId: 'base-incubation', nominationIds: ids('i', 7) },
        { listId: 'collaborative-platform', fieldId: 'expert-workstation', nominationIds: ids('e', 5) },
      ],
      undefined,
    ],
    [
      "a list's 12 slots shared by its fields: 7 + 6",
      [
        { listId: 'collaborative-platform', fieldId: 'base-incubation', nominationIds: ids('i', 7) },
        { listId: 'collaborative-platform', fieldId: 'expert-workstation', nominationIds: ids('e', 6) },
      ],
      { rule: 'fundingSlots', limit: 12, field: 'winners[0].nominationIds' },
    ],
    [
      'the same nomination twice counts once',
      [
        { listId: 'pilot-city', nominationIds: ['p-1', 'p-2', 'p-3'] },
        { listId: 'pilot-city', nominationIds: ['p-3'] },
      ],
      undefined,
    ],
    ['an empty selection', [], undefined],
  ];
  it.each(cases)('%s', (_name, selection, expected) => {
    const rejection = fundingRejection(henan, selection);
    if (!expected) {
      expect(rejection).toBeUndefined();
      return;
    }
    expect(rejection).toMatchObject({ code: 'INVALID', ...expected });
    expect(rejection?.message).toMatch(/^\S+.*资助 \d+ 项，终评选了 \d+ 项 \/ .* funds \d+ projects/);
    expect(rejection?.fix).toContain(String(expected.limit));
  });

  it('refuses a total over the budget, naming both sums', () => {
    const budgeted: Programme = { ...henan, budget: { totalCny: 900_000, currency: 'CNY' } };
    const within = [{ listId: 'pilot-city', nominationIds: ids('p', 1) }];
    expect(fundingRejection(budgeted, within)).toBeUndefined();
    const over = [{ listId: 'pilot-city', nominationIds: ids('p', 2) }];
    expect(fundingRejection(budgeted, over)).toMatchObject({
      code: 'INVALID',
      field: 'winners',
      rule: 'fundingBudget',
      limit: 900_000,
    });
    expect(fundingRejection(budgeted, over)?.message).toContain(
      '100万元（1000000 元）超出预算 90万元（900000 元）',
    );
  });

  it('never refuses a programme without slots (service teams, Baoding)', () => {
    const service = loadProgramme('service-teams-2023');
    const many = [{ listId: 'brand-activity', fieldId: 'industry-forum', nominationIds: ids('f', 40) }];
    expect(fundingRejection(service, many)).toBeUndefined();
  });
});

describe('fundingSummary', () => {
  it('awards each winner its part’s amount and adds up per list and overall', () => {
    const summary = fundingSummary(henan, [
      { listId: 'academic-platform', fieldId: 'cross-strait-logistics', nominationIds: ['c-1'] },
      { listId: 'academic-platform', fieldId: 'national-event', nominationIds: ['n-1', 'n-2'] },
      { listId: 'collaborative-platform', fieldId: 'base-international', nominationIds: ['b-1'] },
      { listId: 'pilot-city', nominationIds: ['p-1'] },
    ]);
    expect(summary.awards.map((a) => [a.nominationId, a.amountCny])).toEqual([
      ['c-1', 200_000],
      ['n-1', 150_000],
      ['n-2', 150_000],
      ['b-1', 50_000],
      ['p-1', 500_000],
    ]);
    expect(summary.lists).toEqual([
      { listId: 'academic-platform', winners: 3, slots: 24, totalCny: 500_000, amountStated: true },
      { listId: 'collaborative-platform', winners: 1, slots: 12, totalCny: 50_000, amountStated: true },
      { listId: 'pilot-city', winners: 1, slots: 3, totalCny: 500_000, amountStated: true },
    ]);
    expect(summary.totalCny).toBe(1_050_000);
  });

  it('leaves the amount out where the notice states none', () => {
    const service = loadProgramme('service-teams-2023');
    const summary = fundingSummary(service, [
      { listId: 'brand-activity', fieldId: 'industry-forum', nominationIds: ['f-1'] },
    ]);
    expect(summary.awards).toEqual([
      { nominationId: 'f-1', listId: 'brand-activity', fieldId: 'industry-forum' },
    ]);
    expect(summary.lists).toEqual([
      { listId: 'brand-activity', winners: 1, totalCny: 0, amountStated: false },
    ]);
  });

  it('gives no award to the winners of a list the programme does not fund (Baoding 先导技术榜)', () => {
    const baoding = loadProgramme('baoding-2023');
    const summary = fundingSummary(baoding, [
      { listId: 'pioneer-tech', nominationIds: ['t-1'] },
      { listId: 'promotion-traffic', nominationIds: ['p-1'] },
    ]);
    expect(summary.awards).toEqual([{ nominationId: 'p-1', listId: 'promotion-traffic' }]);
    expect(summary.lists.map((l) => l.listId)).toEqual(['promotion-traffic']);
  });
});

describe('withinSlots', () => {
  it('cuts each part to its slots, a list’s slots shared by its fields in order', () => {
    const cut = withinSlots(henan, [
      { listId: 'first-class-society', nominationIds: ids('a', 8) },
      { listId: 'collaborative-platform', fieldId: 'base-incubation', nominationIds: ids('i', 10) },
      { listId: 'collaborative-platform', fieldId: 'expert-workstation', nominationIds: ids('e', 10) },
      { listId: 'academic-platform', fieldId: 'national-event', nominationIds: ids('n', 3) },
    ]);
    expect(cut.map((w) => w.nominationIds.length)).toEqual([5, 10, 2, 3]);
    expect(fundingRejection(henan, cut)).toBeUndefined();
  });
});

describe('formatWan', () => {
  it.each([
    [100_000, '10万元'],
    [500_000, '50万元'],
    [15_000, '1.5万元'],
  ])('%d 元 → %s', (cny, text) => expect(formatWan(cny)).toBe(text));
});
