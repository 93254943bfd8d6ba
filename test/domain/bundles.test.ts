/**
 * Linked applications over the Henan preset: 试点市 is filed with one 一市一品, one 百会链千企 and
 * one 协同创新服务平台 of the same unit (002 line 80); the links are checked when the bundle is filed,
 * a part leaves only with its bundle, and the final selection decides the bundle first.
 */
import {
  bundleFilingRejection,
  bundleOutcome,
  bundleSelectionRejection,
  bundlesOf,
  coApplicationsOf,
  hasBundles,
  partWithdrawalRejection,
  type LinkedNomination,
} from '../../domain/bundles';
import { fundingSummary } from '../../domain/funding';
import { formSchema, type List } from '../../domain/programme';
import { loadProgramme } from '../../programmes/loader';

const henan = loadProgramme('henan-2023');
const pilotCity = henan.lists.find((l) => l.id === 'pilot-city') as List;

/** Zhengzhou's parts: two 一市一品 (the notice lets it name one), one 百会链千企, one 平台. */
const zz: LinkedNomination[] = [
  {
    id: 'zhengzhou-cast.1',
    unitId: 'zhengzhou-cast',
    listId: 'one-city-one-product',
    idempotencyKey: 'zz-ocop-a',
  },
  {
    id: 'zhengzhou-cast.2',
    unitId: 'zhengzhou-cast',
    listId: 'one-city-one-product',
    idempotencyKey: 'zz-ocop-b',
  },
  { id: 'zhengzhou-cast.3', unitId: 'zhengzhou-cast', listId: 'hundred-societies', idempotencyKey: 'zz-hsl' },
  {
    id: 'zhengzhou-cast.4',
    unitId: 'zhengzhou-cast',
    listId: 'collaborative-platform',
    fieldId: 'expert-workstation',
    idempotencyKey: 'zz-platform',
  },
];
const luoyang: LinkedNomination[] = [
  { id: 'luoyang-cast.1', unitId: 'luoyang-cast', listId: 'one-city-one-product', idempotencyKey: 'ly-ocop' },
];

const links = (ocop: string, hsl = 'zz-hsl', platform = 'zhengzhou-cast.4') => ({
  coOneCityOneProduct: ocop,
  coHundredSocieties: hsl,
  coCollaborativePlatform: platform,
});

const bundle = (id: string, answers: Record<string, string>): LinkedNomination => ({
  id,
  unitId: 'zhengzhou-cast',
  listId: 'pilot-city',
  idempotencyKey: `${id}-key`,
  dossier: { answers },
});

const file = (answers: Record<string, string>, nominations = [...zz, ...luoyang], except?: string) =>
  bundleFilingRejection({
    programme: henan,
    unitId: 'zhengzhou-cast',
    list: pilotCity,
    answers,
    nominations,
    except,
  });

describe('the programme says which lists are bundled', () => {
  it('Henan 试点市 requires one co-application in each of the three lists, citing line 80', () => {
    const co = coApplicationsOf(henan, 'pilot-city');
    expect(co?.required.map((r) => r.listId)).toEqual([
      'one-city-one-product',
      'hundred-societies',
      'collaborative-platform',
    ]);
    expect(co?.source.line).toBe(80);
    expect(co?.choice?.quote).toContain('请注明哪项纳入本项目');
    expect(hasBundles(henan)).toBe(true);
    expect(hasBundles(loadProgramme('national-2023'))).toBe(false);
  });

  it('refuses a co-application whose answer is not a text field of the form', () => {
    const parsed = formSchema.safeParse({
      fields: [],
      coApplications: {
        required: [{ listId: 'one-city-one-product', answer: 'missing' }],
        source: { seed: '002_501def77e4452f1f.txt', line: 80, quote: '须同时申报' },
      },
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['coApplications', 'required', 0, 'answer']);
  });
});

describe('filing a bundle', () => {
  const INCOMPLETE = ['BUNDLE_INCOMPLETE', 'dossier.answers.coOneCityOneProduct', 'coApplications'];
  const FOREIGN = ['NOT_ALLOWED', 'dossier.answers.coOneCityOneProduct', 'own-co-applications'];
  it.each([
    ['ids', links('zhengzhou-cast.1'), undefined],
    ['keys, naming the second 一市一品', links('zz-ocop-b'), undefined],
    ['keys with spaces around', links(' zz-ocop-a '), undefined],
    [
      'nothing for 百会链千企',
      { ...links('zhengzhou-cast.1'), coHundredSocieties: '' },
      ['BUNDLE_INCOMPLETE', 'dossier.answers.coHundredSocieties', 'coApplications'],
    ],
    ['no answers at all', {}, INCOMPLETE],
    ['an unknown key', links('never-filed'), INCOMPLETE],
    ['a nomination of the wrong list', links('zz-hsl'), INCOMPLETE],
    ["another unit's nomination (by id)", links('luoyang-cast.1'), FOREIGN],
    ["another unit's nomination (by key)", links('ly-ocop'), FOREIGN],
    ['an id of a unit this cycle does not know', links('kaifeng-cast.1'), FOREIGN],
  ])('by %s', (_name, answers, expected) => {
    const refused = file(answers);
    if (!expected) return expect(refused).toBeUndefined();
    const [code, field, rule] = expected;
    expect(refused).toMatchObject({ code, field, rule });
    expect(refused?.fix).toBeTruthy();
  });

  it('refuses a co-application another bundle already claims (BUNDLE_CONFLICT)', () => {
    const first = bundle('zhengzhou-cast.5', links('zhengzhou-cast.1'));
    expect(file(links('zz-ocop-b'), [...zz, first])).toMatchObject({
      code: 'BUNDLE_CONFLICT',
      field: 'dossier.answers.coHundredSocieties',
      rule: 'one-bundle-per-co-application',
    });
  });

  it('lets a bundle be amended with its own links', () => {
    const first = bundle('zhengzhou-cast.5', links('zhengzhou-cast.1'));
    expect(file(links('zz-ocop-b'), [...zz, first], first.id)).toBeUndefined();
  });
});

describe('the parts of a filed bundle', () => {
  const filed = bundle('zhengzhou-cast.5', links('zz-ocop-b'));
  const all = [...zz, filed, ...luoyang];

  it('are resolved within the unit', () => {
    expect(bundlesOf(henan, all)).toEqual([
      {
        nominationId: 'zhengzhou-cast.5',
        unitId: 'zhengzhou-cast',
        listId: 'pilot-city',
        parts: [
          { listId: 'one-city-one-product', nominationId: 'zhengzhou-cast.2' },
          { listId: 'hundred-societies', nominationId: 'zhengzhou-cast.3' },
          {
            listId: 'collaborative-platform',
            fieldId: 'expert-workstation',
            nominationId: 'zhengzhou-cast.4',
          },
        ],
      },
    ]);
  });

  it.each([
    ['zhengzhou-cast.2', 'BUNDLE_PART'],
    ['zhengzhou-cast.3', 'BUNDLE_PART'],
    ['zhengzhou-cast.1', undefined], // the 一市一品 the bundle did not name
    ['zhengzhou-cast.5', undefined], // the bundle itself
  ])('withdrawing %s → %s', (id, code) => {
    const refused = partWithdrawalRejection(henan, all, id);
    expect(refused?.code).toBe(code);
  });
});

describe('the final selection decides the bundle first', () => {
  const zzBundle = bundle('zhengzhou-cast.5', links('zz-ocop-b'));
  const lyBundle: LinkedNomination = {
    id: 'luoyang-cast.4',
    unitId: 'luoyang-cast',
    listId: 'pilot-city',
    idempotencyKey: 'ly-pilot',
    dossier: {
      answers: {
        coOneCityOneProduct: 'luoyang-cast.1',
        coHundredSocieties: 'luoyang-cast.2',
        coCollaborativePlatform: 'luoyang-cast.3',
      },
    },
  };
  const ly: LinkedNomination[] = [
    ...luoyang,
    { id: 'luoyang-cast.2', unitId: 'luoyang-cast', listId: 'hundred-societies', idempotencyKey: 'ly-hsl' },
    {
      id: 'luoyang-cast.3',
      unitId: 'luoyang-cast',
      listId: 'collaborative-platform',
      fieldId: 'base-incubation',
      idempotencyKey: 'ly-p',
    },
  ];
  const bundles = bundlesOf(henan, [...zz, zzBundle, ...ly, lyBundle]);
  const selection = (ocop: string[]) => [
    { listId: 'pilot-city', nominationIds: ['zhengzhou-cast.5'] },
    { listId: 'one-city-one-product', nominationIds: ocop },
    { listId: 'hundred-societies', nominationIds: ['luoyang-cast.2'] },
  ];

  it.each([
    ['the losing bundle’s parts win on their own', ['luoyang-cast.1'], undefined],
    ['the winner’s other 一市一品 competes on its own', ['zhengzhou-cast.1', 'luoyang-cast.1'], undefined],
    [
      'a winning bundle’s part picked again',
      ['luoyang-cast.1', 'zhengzhou-cast.2'],
      'winners[1].nominationIds[1]',
    ],
  ])('%s', (_name, ocop, field) => {
    const refused = bundleSelectionRejection(bundles, selection(ocop));
    if (!field) return expect(refused).toBeUndefined();
    expect(refused).toMatchObject({ code: 'BUNDLE_CONFLICT', field, rule: 'sub-project-of-winner' });
  });

  it('the winner takes its parts as sub-projects, the loser’s parts stay in their lists', () => {
    const outcome = bundleOutcome(bundles, selection(['luoyang-cast.1']));
    expect(outcome.won.map((b) => b.nominationId)).toEqual(['zhengzhou-cast.5']);
    expect(outcome.lost.map((b) => b.nominationId)).toEqual(['luoyang-cast.4']);
    expect([...outcome.subProjectOf]).toEqual([
      ['zhengzhou-cast.2', 'zhengzhou-cast.5'],
      ['zhengzhou-cast.3', 'zhengzhou-cast.5'],
      ['zhengzhou-cast.4', 'zhengzhou-cast.5'],
    ]);
  });

  it('funds each project once: the bundle with its sub-projects, a sub-project never on its own', () => {
    const summary = fundingSummary(henan, selection(['luoyang-cast.1', 'zhengzhou-cast.2']), bundles);
    expect(summary.awards).toEqual([
      {
        nominationId: 'zhengzhou-cast.5',
        listId: 'pilot-city',
        amountCny: 500_000,
        subProjects: ['zhengzhou-cast.2', 'zhengzhou-cast.3', 'zhengzhou-cast.4'],
      },
      { nominationId: 'luoyang-cast.1', listId: 'one-city-one-product', amountCny: 200_000 },
      { nominationId: 'luoyang-cast.2', listId: 'hundred-societies', amountCny: 50_000 },
    ]);
    expect(summary.totalCny).toBe(750_000);
  });
});
