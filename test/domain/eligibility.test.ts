import fc from 'fast-check';
import { checkEligibility, reviewFlagsOf, verdictStatus, type PriorWinner } from '../../domain/eligibility';
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
  // No preset has both on one list now; a list rule is added to an in-memory copy.
  const withListRule: Programme = {
    ...n2023,
    lists: n2023.lists.map((l) =>
      l.id === 'pioneer-tech' ? { ...l, eligibility: [{ rule: 'mainlandOnly' as const }] } : l,
    ),
  };
  const tech: Candidate = { name: '高纯石英砂提纯技术', region: 'mainland', category: '基础材料' };
  it('passes when both the list rule (境内) and the field rule (五基) hold', () => {
    expect(verdict(withListRule, 'pioneer-tech', tech, 'industrial-foundation')).toEqual({ eligible: true });
  });
  it('fails on the list rule first', () => {
    expect(
      verdict(
        withListRule,
        'pioneer-tech',
        { ...tech, region: 'taiwan', category: '其他' },
        'industrial-foundation',
      ),
    ).toMatchObject({ rule: 'mainlandOnly' });
  });
  it('fails on the field rule when the list rule holds', () => {
    expect(
      verdict(withListRule, 'pioneer-tech', { ...tech, category: '其他' }, 'industrial-foundation'),
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

describe('national-2023 不涉密 is a condition of the five industry fields only (001 line 57), not of 产业基础', () => {
  const tech: Candidate = { name: '某技术', classified: true, category: '基础材料' };
  it.each(['electronics', 'biomedicine', 'equipment', 'advanced-materials', 'green-low-carbon'])(
    '%s: a classified technology is refused',
    (field) => {
      expect(verdict(n2023, 'pioneer-tech', tech, field)).toMatchObject({
        eligible: false,
        rule: 'notClassified',
        fact: 'classified',
      });
    },
  );
  it('产业基础: a classified 五基 technology is eligible; the notice does not ask', () => {
    expect(verdict(n2023, 'pioneer-tech', tech, 'industrial-foundation')).toEqual({ eligible: true });
  });
  it('产业基础: excludes earlier 先导技术榜 winners (001 line 73)', () => {
    const prior: PriorWinner = {
      year: 2022,
      listId: 'pioneer-tech',
      name: '某技术',
      programmeId: 'national-2022',
    };
    expect(verdict(n2023, 'pioneer-tech', tech, 'industrial-foundation', [prior])).toMatchObject({
      eligible: false,
      rule: 'notPriorWinner',
    });
  });
});

describe('baoding-2023: only what 000 says', () => {
  const baoding = loadProgramme('baoding-2023');
  it('推广引流榜 has no city rule: an organisation registered elsewhere is eligible, without a flag', () => {
    expect(verdict(baoding, 'promotion-traffic', { name: '北京某推广机构', city: '北京市' })).toEqual({
      eligible: true,
    });
  });
  it.each([
    ['保定市', 'eligible'],
    ['保定', 'eligible'],
    ['涿州市', 'needs-review'],
    ['北京市', 'needs-review'],
  ])('优秀企业榜 “在我市注册”: city %s → %s (the list is partial: never refused)', (city, status) => {
    expect(verdictStatus(verdict(baoding, 'excellent-enterprise', { ...enterprise, city }))).toBe(status);
  });
  it('优秀企业榜 still refuses a company on the abnormal-operation list (000 line 15)', () => {
    expect(
      verdict(baoding, 'excellent-enterprise', { ...enterprise, standing: 'serious-dishonesty' }),
    ).toMatchObject({ eligible: false, rule: 'goodStanding' });
  });
});

describe('partial reference data flags a city for review, never refuses it', () => {
  it('national-2022 新锐企业: a city not on the partial pilot-city list is eligible with a review flag', () => {
    const v = verdict(n2022, 'emerging-enterprise', { ...enterprise, city: '宁波市' });
    expect(v).toEqual({
      eligible: true,
      needsReview: [
        {
          rule: 'pilotCityMember',
          fact: 'city',
          message:
            '所在城市 宁波市 不在已知的“科创中国”试点城市（园区）名单中，名单不全，请评审核对（pilotCityMember）/ ' +
            'city 宁波市 is not on the known lists (“科创中国”试点城市（园区）), which are partial: reviewers to check',
          source: {
            seed: '004_394a3d93f245e6ab.txt',
            line: 131,
            quote: '注册地或以其他方式入驻“科创中国”65个试点城市（园区）',
          },
        },
      ],
    });
    expect(verdictStatus(v)).toBe('needs-review');
  });

  it('a listed city passes without a flag', () => {
    expect(verdict(n2022, 'emerging-enterprise', enterprise)).toEqual({ eligible: true });
  });

  it('a refusal by another rule wins over a flag', () => {
    expect(
      verdict(n2022, 'emerging-enterprise', {
        ...enterprise,
        city: '宁波市',
        standing: 'abnormal-operation',
      }),
    ).toMatchObject({ eligible: false, rule: 'goodStanding' });
  });

  it('a missing city is still refused, naming the fact', () => {
    expect(verdict(n2022, 'emerging-enterprise', { ...enterprise, city: undefined })).toMatchObject({
      eligible: false,
      rule: 'pilotCityMember',
      fact: 'city',
    });
  });

  it('a list marked complete refuses a city it does not name', () => {
    const complete: Programme = { ...n2022, pilotCitiesReference: { complete: true, sources: [] } };
    expect(verdict(complete, 'emerging-enterprise', { ...enterprise, city: '宁波市' })).toMatchObject({
      eligible: false,
      rule: 'pilotCityMember',
      fact: 'city',
    });
    expect(verdict(complete, 'emerging-enterprise', enterprise)).toEqual({ eligible: true });
  });

  describe('national-2023 融通: 来自或服务于创新驱动示范市、试点城市 (001 line 95)', () => {
    const org: Candidate = {
      name: '某研究院',
      orgType: '新型研发机构',
      focusFields: ['装备制造'],
      foundedOn: '2020-01-01',
      city: '保定市',
    };
    const withDemoCity = (complete: boolean): Programme => ({
      ...n2023,
      pilotCitiesReference: { complete, sources: [] },
      cityLists: {
        'innovation-driven-cities': {
          ...n2023.cityLists['innovation-driven-cities'],
          cities: ['示范市'],
          complete,
        },
      },
    });
    it.each<[string, string, string, Programme]>([
      ['保定市 (on both seed lists)', '保定市', 'eligible', n2023],
      ['a city on the 创新驱动示范市 list only', '示范市', 'eligible', withDemoCity(false)],
      ['a city on neither partial list', '宁波市', 'needs-review', n2023],
      ['a city on neither list, both complete', '宁波市', 'refused', withDemoCity(true)],
      ['a city on the 创新驱动示范市 list only, both complete', '示范市', 'eligible', withDemoCity(true)],
    ])('%s: %s → %s', (_title, city, status, programme) => {
      expect(verdictStatus(verdict(programme, 'integrated-innovation-org', { ...org, city }))).toBe(status);
    });
    it('the flag names both lists', () => {
      const v = verdict(n2023, 'integrated-innovation-org', { ...org, city: '宁波市' });
      expect(v.eligible && v.needsReview?.[0].message).toContain(
        '“科创中国”试点城市（园区）、创新驱动示范市',
      );
    });
  });

  describe('henan-2023 试点市: 已获“科创中国”试点市的除外 (002 line 77)', () => {
    const bid: Candidate = { name: '某市“科创中原”试点市创建方案', city: '郑州市' };
    const knowing = (cities: string[], complete: boolean): Programme => ({
      ...henan,
      pilotCities: cities,
      pilotCitiesReference: { complete, sources: [] },
    });
    it.each<[string, string, string, Programme]>([
      ['a Henan city, the list being partial (the seeds name only 保定)', '郑州市', 'needs-review', henan],
      ['保定市, a pilot city the seeds name (000 line 3)', '保定市', 'refused', henan],
      ['a city on the list', '洛阳市', 'refused', knowing(['洛阳市'], false)],
      ['a city on the list, written without 市', '洛阳', 'refused', knowing(['洛阳市'], false)],
      ['a city not on a partial list', '郑州市', 'needs-review', knowing(['洛阳市'], false)],
      ['a city not on a complete list', '郑州市', 'eligible', knowing(['洛阳市'], true)],
    ])('%s: %s → %s', (_title, city, status, programme) => {
      expect(verdictStatus(verdict(programme, 'pilot-city', { ...bid, city }))).toBe(status);
    });
    it('refuses with the rule and the city, and a missing city names the fact', () => {
      expect(verdict(knowing(['洛阳市'], false), 'pilot-city', { ...bid, city: '洛阳市' })).toEqual({
        eligible: false,
        rule: 'notPilotCity',
        fact: 'city',
        message:
          '所在城市 洛阳市 已是“科创中国”试点城市，不在申报之列（notPilotCity）/ city 洛阳市 is already a KCZG pilot city',
      });
      expect(verdict(henan, 'pilot-city', { name: bid.name })).toMatchObject({
        eligible: false,
        rule: 'notPilotCity',
        fact: 'city',
      });
    });
  });
});

describe('the flags an accepted nomination carries for reviewers (status, dossier index)', () => {
  const bid = { listId: 'pilot-city', candidate: { name: '某市“科创中原”试点市创建方案', city: '郑州市' } };
  it.each<[string, Candidate, string[]]>([
    ['a city the partial list does not name', bid.candidate, ['notPilotCity']],
    ['a city the list names (refused, so nothing to flag)', { ...bid.candidate, city: '保定市' }, []],
    ['no city (refused for the missing fact)', { name: bid.candidate.name }, []],
  ])('%s', (_title, candidate, rules) => {
    const flags = reviewFlagsOf(henan, { ...bid, candidate });
    expect(flags.map((f) => f.rule)).toEqual(rules);
    for (const flag of flags) expect(flag.source?.quote).toBe('已获“科创中国”试点市的除外。');
  });
});
