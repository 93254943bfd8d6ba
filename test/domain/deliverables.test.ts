import { beijingToEpochMs, formatBeijing } from '../../domain/calendar';
import {
  acceptance,
  checkReport,
  checkWaiver,
  deliverablesOf,
  reportDues,
  type Waiver,
} from '../../domain/deliverables';
import type { AttachmentRef } from '../../domain/dossier';
import type { Deliverables } from '../../domain/programme';
import { loadProgramme } from '../../programmes/loader';

const serviceTeams = loadProgramme('service-teams-2023');
const henan = loadProgramme('henan-2023');
const industryTeam = deliverablesOf(serviceTeams, 'service-team', 'industry-team')!;
const evidence: AttachmentRef[] = [
  { sha256: 'a'.repeat(64), name: 'contract.pdf', slot: 'evidence', format: 'pdf', size: 1000 },
];

describe('deliverablesOf', () => {
  it.each([
    ['service-teams-2023 产业科技服务团', serviceTeams, 'service-team', 'industry-team', 6],
    ['Henan 一流学会 (list level)', henan, 'first-class-society', undefined, 1],
    ['Henan 全省性学术交流活动 (field level)', henan, 'academic-platform', 'provincial-event', 8],
  ] as const)('%s has its targets', (_name, programme, listId, fieldId, count) => {
    const found = deliverablesOf(programme, listId, fieldId);
    expect(found?.targets).toHaveLength(count);
  });

  it('a list without deliverables has none', () => {
    expect(deliverablesOf(loadProgramme('national-2023'), 'pioneer-tech')).toBeUndefined();
  });
});

describe('reportDues', () => {
  const publishedAt = beijingToEpochMs('2023-05-10 10:00');
  const calendar = (reports: Deliverables['reports']) =>
    reportDues({ ...industryTeam, reports }, publishedAt).map((d) => [d.id, formatBeijing(d.at)]);

  it.each([
    [
      'half-yearly then final, months after publication',
      [
        { at: 'after-publication', kind: 'final', months: 12 },
        { at: 'after-publication', kind: 'half-yearly', months: 6 },
      ],
      [
        ['half-yearly-1', '2023-11-11 00:00'],
        ['final-1', '2024-05-11 00:00'],
      ],
    ],
    [
      'a fixed year-end date, 24:00 being the next midnight',
      [{ at: 'fixed', kind: 'year-end', on: '2023-12-31 24:00' }],
      [['year-end-1', '2024-01-01 00:00']],
    ],
    [
      'a fixed date before publication is dropped',
      [
        { at: 'fixed', kind: 'year-end', on: '2022-12-31 24:00' },
        { at: 'after-publication', kind: 'final', months: 12 },
      ],
      [['final-1', '2024-05-11 00:00']],
    ],
  ] as const)('%s', (_name, reports, expected) => {
    expect(calendar(reports as unknown as Deliverables['reports'])).toEqual(expected);
  });

  it('clamps to the last day of a shorter month', () => {
    const dues = reportDues(
      { ...industryTeam, reports: [{ at: 'after-publication', kind: 'half-yearly', months: 6 }] },
      beijingToEpochMs('2023-08-31 10:00'),
    );
    expect(dues.map((d) => formatBeijing(d.at))).toEqual(['2024-03-01 00:00']);
  });

  it('托举: half-yearly guidance for two years', () => {
    const youth = deliverablesOf(henan, 'youth-talent')!;
    const dues = reportDues(youth, beijingToEpochMs(henan.stages.publication.on));
    expect(dues.map((d) => d.id)).toEqual(['half-yearly-1', 'half-yearly-2', 'half-yearly-3', 'final-1']);
  });
});

describe('checkReport', () => {
  it.each([
    ['a well-formed report', [{ target: 'achievements-evaluated', value: 12, evidence: [] }], []],
    ['a zero needs no evidence', [{ target: 'transfers-contracted', value: 0, evidence: [] }], []],
    ['no figures', [], ['INVALID figures figures']],
    [
      'not a target of this project',
      [{ target: 'papers', value: 1, evidence }],
      ['INVALID figures[0].target target'],
    ],
    ['negative', [{ target: 'cases', value: -1, evidence }], ['INVALID figures[0].value figure']],
    ['non-numeric', [{ target: 'cases', value: '2', evidence }], ['INVALID figures[0].value figure']],
    ['not finite', [{ target: 'cases', value: Number.NaN, evidence }], ['INVALID figures[0].value figure']],
    [
      'evidence missing',
      [{ target: 'cases', value: 2, evidence: [] }],
      ['INVALID figures[0].evidence evidence'],
    ],
    [
      'the same target twice',
      [
        { target: 'cases', value: 1, evidence },
        { target: 'cases', value: 2, evidence },
      ],
      ['DUPLICATE figures[1].target target'],
    ],
  ] as const)('%s', (_name, figures, expected) => {
    const refusals = checkReport(industryTeam, figures);
    expect(refusals.map((r) => `${r.code} ${r.field} ${r.rule}`)).toEqual(expected);
  });
});

describe('waivers ("可适当抵减")', () => {
  const earlier: Waiver[] = [{ target: 'transfers-contracted', threshold: 4, reason: '重大成效' }];
  it.each([
    [
      'a reduction below the threshold in force',
      { target: 'transfers-contracted', threshold: 3, reason: '重大技术转移' },
      [],
    ],
    [
      'not below the threshold in force',
      { target: 'transfers-contracted', threshold: 4, reason: 'x' },
      ['reduction'],
    ],
    ['negative', { target: 'transfers-contracted', threshold: -1, reason: 'x' }, ['reduction']],
    ['no reason', { target: 'transfers-contracted', threshold: 2, reason: '  ' }, ['reason']],
    ['unknown target', { target: 'papers', threshold: 2, reason: 'x' }, ['target']],
  ] as const)('%s', (_name, waiver, rules) => {
    expect(checkWaiver(industryTeam, earlier, waiver).map((r) => r.rule)).toEqual(rules);
  });
});

describe('acceptance', () => {
  const all = Object.fromEntries(industryTeam.targets.map((t) => [t.id, t.threshold]));
  it.each([
    ['every target met → 通过', all, [], '通过'],
    ['nothing accepted → 不通过', {}, [], '不通过'],
    ['one short → 部分通过', { ...all, cases: 1 }, [], '部分通过'],
    [
      'one short but reduced with a reason → 通过',
      { ...all, 'transfers-contracted': 3 },
      [{ target: 'transfers-contracted', threshold: 3, reason: '重大技术转移' }],
      '通过',
    ],
  ] as const)('%s', (_name, accepted, waivers, outcome) => {
    expect(acceptance(industryTeam, accepted, waivers).outcome).toBe(outcome);
  });

  it('reports per target the threshold in force, the figure reached and whether it was waived', () => {
    const result = acceptance(industryTeam, { 'transfers-contracted': 3 }, [
      { target: 'transfers-contracted', threshold: 3, reason: '重大技术转移' },
    ]);
    expect(result.targets.find((t) => t.target === 'transfers-contracted')).toEqual({
      target: 'transfers-contracted',
      threshold: 3,
      reached: 3,
      met: true,
      waived: true,
    });
    expect(result.targets.find((t) => t.target === 'cases')).toMatchObject({
      reached: 0,
      met: false,
      waived: false,
    });
  });
});
