import fc from 'fast-check';
import { checkEligibility, type PriorWinner } from '../../domain/eligibility';
import type { Candidate, Programme } from '../../domain/programme';
import { loadProgramme } from '../../programmes/loader';

const n2022 = loadProgramme('national-2022');
const n2023 = loadProgramme('national-2023');
const henan = loadProgramme('henan-2023');

const enterprise: Candidate = {
  name: '保定绿能科技有限公司',
  identity: '91130600MA0000001X',
  region: 'mainland',
  city: '保定市',
  foundedOn: '2018-05-20',
  standing: 'good',
};

function verdict(
  programme: Programme,
  list: string,
  candidate: Candidate,
  field?: string,
  priorWinners: PriorWinner[] = [],
) {
  return checkEligibility({ programme, list, field, candidate, priorWinners });
}

describe('foundedWithinYears counts back whole calendar years from the programme year', () => {
  it.each([
    ['2012-12-31', false],
    ['2013-01-01', true],
    ['2013-01-02', true],
  ])('national-2023 新锐企业: founded %s → eligible %s (earliest 2013-01-01)', (foundedOn, eligible) => {
    expect(verdict(n2023, 'emerging-enterprise', { ...enterprise, foundedOn }).eligible).toBe(eligible);
  });

  it.each([
    ['2011-12-31', false],
    ['2012-01-01', true],
  ])('national-2022 新锐企业: founded %s → eligible %s (earliest 2012-01-01)', (foundedOn, eligible) => {
    expect(verdict(n2022, 'emerging-enterprise', { ...enterprise, foundedOn }).eligible).toBe(eligible);
  });

  it('names the rule, the fact and its value, Chinese first then English', () => {
    expect(verdict(n2023, 'emerging-enterprise', { ...enterprise, foundedOn: '2012-12-31' })).toEqual({
      eligible: false,
      rule: 'foundedWithinYears',
      fact: 'foundedOn',
      message:
        '成立日期 2012-12-31 早于 2013-01-01（foundedWithinYears: 10）/ founded 2012-12-31, before 2013-01-01',
    });
  });

  it('agrees with the 1 January cut-off for any founding date', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2000-01-01'), max: new Date('2023-12-31'), noInvalidDate: true }),
        (d) => {
          const foundedOn = d.toISOString().slice(0, 10);
          const v = verdict(n2023, 'emerging-enterprise', { ...enterprise, foundedOn });
          expect(v.eligible).toBe(foundedOn >= '2013-01-01');
        },
      ),
    );
  });
});

describe('foundedBefore is strict, and 创新联合体 gets the later 2022 cut-off (national-2023 融通)', () => {
  const org: Candidate = {
    name: '中原智能制造研究院',
    region: 'mainland',
    city: '洛阳市',
    orgType: '新型研发机构',
    focusFields: ['装备制造'],
    foundedOn: '2020-01-01',
  };
  it.each([
    ['新型研发机构', '2021-08-31', true],
    ['新型研发机构', '2021-09-01', false],
    ['新型研发机构', '2021-09-02', false],
    ['专业孵化器', '2021-09-01', false],
    ['创新联合体', '2021-09-01', true],
    ['创新联合体', '2022-08-31', true],
    ['创新联合体', '2022-09-01', false],
    ['创新联合体', '2022-09-02', false],
  ])('%s founded %s → eligible %s', (orgType, foundedOn, eligible) => {
    const v = verdict(n2023, 'integrated-innovation-org', { ...org, orgType, foundedOn });
    expect(v.eligible).toBe(eligible);
    if (!v.eligible) expect(v).toMatchObject({ rule: 'foundedBefore', fact: 'foundedOn' });
  });

  it.each([
    ['2020-08-31', true],
    ['2020-09-01', false],
  ])('national-2022 融通: founded %s → eligible %s (before 2020-09-01)', (foundedOn, eligible) => {
    expect(
      verdict(n2022, 'integrated-innovation-org', { ...org, orgType: '产业技术研究院', foundedOn }).eligible,
    ).toBe(eligible);
  });

  it('refuses an organisation type outside the list before reading its founding date', () => {
    expect(verdict(n2023, 'integrated-innovation-org', { ...org, orgType: '产业技术研究院' })).toMatchObject({
      eligible: false,
      rule: 'orgTypeIn',
      fact: 'orgType',
    });
  });

  it.each([
    [['人工智能'], false],
    [['人工智能', '新材料'], true],
  ])('focus fields %j → eligible %s (one or more of the six)', (focusFields, eligible) => {
    expect(verdict(n2023, 'integrated-innovation-org', { ...org, focusFields }).eligible).toBe(eligible);
  });
});

describe('bornAfter is strictly after the date (henan-2023 青年人才托举, born after 1987-10-30)', () => {
  it.each([
    ['1987-10-29', false],
    ['1987-10-30', false],
    ['1987-10-31', true],
  ])('born %s → eligible %s', (birthDate, eligible) => {
    const v = verdict(henan, 'youth-talent', { name: '李青', birthDate });
    expect(v.eligible).toBe(eligible);
    if (!v.eligible) {
      expect(v.message).toBe(
        `出生日期 ${birthDate} 不晚于 1987-10-30（bornAfter: 1987-10-30）/ born ${birthDate}, not after 1987-10-30`,
      );
    }
  });
});

describe('each rule refuses the fact it reads', () => {
  it.each<[string, Programme, string, string | undefined, Candidate, string, string]>([
    [
      'mainlandOnly: Hong Kong',
      n2023,
      'emerging-enterprise',
      undefined,
      { ...enterprise, region: 'hong-kong' },
      'mainlandOnly',
      'region',
    ],
    [
      'goodStanding: abnormal operation',
      n2023,
      'emerging-enterprise',
      undefined,
      { ...enterprise, standing: 'abnormal-operation' },
      'goodStanding',
      'standing',
    ],
    [
      'pilotCityMember: not a pilot city',
      n2022,
      'emerging-enterprise',
      undefined,
      { ...enterprise, city: '某县' },
      'pilotCityMember',
      'city',
    ],
    [
      'notClassified: classified technology',
      n2023,
      'pioneer-tech',
      'electronics',
      { name: '某芯片技术', classified: true },
      'notClassified',
      'classified',
    ],
    [
      'categoryIn: not one of the 五基',
      n2023,
      'pioneer-tech',
      'industrial-foundation',
      { name: '某技术', classified: false, category: '消费电子' },
      'categoryIn',
      'category',
    ],
    [
      'holdsCertification: not certified',
      n2023,
      'tech-manager-pioneer',
      undefined,
      { name: '王经理', certified: false },
      'holdsCertification',
      'certified',
    ],
  ])('%s', (_title, programme, list, field, candidate, rule, fact) => {
    expect(verdict(programme, list, candidate, field)).toMatchObject({ eligible: false, rule, fact });
  });

  it.each([
    ['2016-12-31', false],
    ['2017-01-01', true],
  ])(
    'founderOfEnterpriseWithinYears (2022 创业先锋, 5 years): enterprise founded %s → eligible %s',
    (d, eligible) => {
      const v = verdict(
        n2022,
        'entrepreneurship-pioneer',
        { name: '赵创', enterpriseFoundedOn: d },
        'startup-pioneer',
      );
      expect(v.eligible).toBe(eligible);
    },
  );

  it('accepts a pilot city written without 市 and with stray spaces', () => {
    expect(verdict(n2022, 'emerging-enterprise', { ...enterprise, city: ' 保定 ' }).eligible).toBe(true);
  });
});

describe('a missing fact fails the rule that needs it, naming the fact', () => {
  it.each<[string, Programme, string, string | undefined, Candidate, string, string]>([
    [
      'foundedOn',
      n2023,
      'emerging-enterprise',
      undefined,
      { ...enterprise, foundedOn: undefined },
      'foundedWithinYears',
      'foundedOn',
    ],
    [
      'region',
      n2023,
      'emerging-enterprise',
      undefined,
      { ...enterprise, region: undefined },
      'mainlandOnly',
      'region',
    ],
    [
      'city',
      n2022,
      'emerging-enterprise',
      undefined,
      { ...enterprise, city: undefined },
      'pilotCityMember',
      'city',
    ],
    ['classified', n2023, 'pioneer-tech', 'electronics', { name: '某技术' }, 'notClassified', 'classified'],
    ['birthDate', henan, 'youth-talent', undefined, { name: '李青' }, 'bornAfter', 'birthDate'],
    [
      'orgType (needed to pick the cut-off)',
      n2023,
      'integrated-innovation-org',
      undefined,
      { name: '某机构' },
      'orgTypeIn',
      'orgType',
    ],
  ])('missing %s', (_title, programme, list, field, candidate, rule, fact) => {
    const v = verdict(programme, list, candidate, field);
    expect(v).toMatchObject({ eligible: false, rule, fact });
    if (!v.eligible) expect(v.message).toContain(`missing fact ${fact}`);
  });
});

describe('list rules and field rules both apply', () => {
  const tech: Candidate = { name: '高纯石英砂提纯技术', classified: false, category: '基础材料' };
  it('passes when both the list rule (不涉密) and the field rule (五基) hold', () => {
    expect(verdict(n2023, 'pioneer-tech', tech, 'industrial-foundation')).toEqual({ eligible: true });
  });
  it('fails on the list rule first', () => {
    expect(
      verdict(n2023, 'pioneer-tech', { ...tech, classified: true }, 'industrial-foundation'),
    ).toMatchObject({
      rule: 'notClassified',
    });
  });
  it('fails on the field rule when the list rule holds', () => {
    expect(
      verdict(n2023, 'pioneer-tech', { ...tech, category: '其他' }, 'industrial-foundation'),
    ).toMatchObject({
      rule: 'categoryIn',
    });
  });
  it('requires a field on a list with fields, and rejects an unknown one', () => {
    expect(verdict(n2023, 'pioneer-tech', tech)).toMatchObject({
      eligible: false,
      rule: 'field',
      fact: 'fieldId',
    });
    expect(verdict(n2023, 'pioneer-tech', tech, 'quantum')).toMatchObject({ eligible: false, rule: 'field' });
  });
  it('accepts the list and field as objects as well as ids', () => {
    const list = n2023.lists.find((l) => l.id === 'pioneer-tech')!;
    const field = list.fields!.find((f) => f.id === 'industrial-foundation')!;
    expect(checkEligibility({ programme: n2023, list, field, candidate: tech, priorWinners: [] })).toEqual({
      eligible: true,
    });
  });
});

describe('notPriorWinner', () => {
  const winner = (w: Partial<PriorWinner>): PriorWinner => ({
    year: 2021,
    listId: 'emerging-enterprise',
    name: enterprise.name,
    programmeId: 'national-2021',
    ...w,
  });
  const noId: Candidate = { ...enterprise, identity: undefined };

  it.each<[string, Candidate, PriorWinner, boolean]>([
    ['same list in an earlier year', noId, winner({}), false],
    ['same list, the same year (not earlier)', noId, winner({ year: 2023 }), true],
    ['another list', noId, winner({ listId: 'pioneer-tech' }), true],
    [
      'name with full-width letters, spaces and case',
      { ...noId, name: ' ＡＢＣ智能科技有限公司 ' },
      winner({ name: 'abc智能科技有限公司' }),
      false,
    ],
    [
      'same identity, renamed',
      enterprise,
      winner({ name: '旧名称有限公司', identity: enterprise.identity }),
      false,
    ],
    ['same name, different identity', enterprise, winner({ identity: '91110000MA0000009Z' }), true],
    [
      'winner has identity, candidate does not: by name',
      noId,
      winner({ identity: '91110000MA0000009Z' }),
      false,
    ],
  ])('%s → eligible %s (national-2023 新锐企业)', (_title, candidate, prior, eligible) => {
    const v = verdict(n2023, 'emerging-enterprise', candidate, undefined, [prior]);
    expect(v.eligible).toBe(eligible);
    if (!v.eligible) expect(v.rule).toBe('notPriorWinner');
  });

  it('names the fact it matched on', () => {
    const v = verdict(n2023, 'emerging-enterprise', enterprise, undefined, [
      winner({ identity: enterprise.identity }),
    ]);
    expect(v).toMatchObject({ eligible: false, fact: 'identity' });
    if (!v.eligible) expect(v.message).toContain('2021');
  });

  it.each<[string, PriorWinner, boolean]>([
    [
      '2021 突破短板关键技术榜 装备制造',
      winner({ listId: 'key-tech-shortboard', fieldId: 'equipment' }),
      false,
    ],
    [
      '2021 突破短板关键技术榜 another field',
      winner({ listId: 'key-tech-shortboard', fieldId: 'electronics' }),
      true,
    ],
    [
      '2020 突破短板关键技术榜 装备制造 (only 2021 counts)',
      winner({ year: 2020, listId: 'key-tech-shortboard', fieldId: 'equipment' }),
      true,
    ],
    [
      '2021 先导技术榜 (not excluded for 产业基础)',
      winner({ listId: 'pioneer-tech', fieldId: 'equipment' }),
      true,
    ],
  ])('national-2022 产业基础: %s → eligible %s', (_title, prior, eligible) => {
    const tech: Candidate = { name: enterprise.name, category: '基础材料' };
    expect(verdict(n2022, 'pioneer-tech', tech, 'industrial-foundation', [prior]).eligible).toBe(eligible);
  });

  it('excludes national-2023 融通 winners listed under the old name 产学研融通组织榜', () => {
    const org: Candidate = {
      name: '中原智能制造研究院',
      city: '洛阳市',
      orgType: '新型研发机构',
      focusFields: ['装备制造'],
      foundedOn: '2020-01-01',
    };
    const prior = winner({ name: org.name, listId: 'industry-academia-org' });
    expect(verdict(n2023, 'integrated-innovation-org', org, undefined, [prior])).toMatchObject({
      eligible: false,
      rule: 'notPriorWinner',
    });
  });
});
