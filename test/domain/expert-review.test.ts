import { parseParty, partyLabel } from '../../domain/credentials';
import {
  assignExperts,
  conflicts,
  manualAssignmentRejection,
  normaliseOrganisation,
  type NominationSummary,
  summaryPages,
} from '../../domain/assignment';
import { reviewPlanRejection, type ReviewPlan } from '../../domain/review-plan';
import { testPlan } from './expert-fixtures';
import {
  nominationScore,
  rankScores,
  scoreSheetRejection,
  shortlist,
  weightedTotal,
  type ExpertTotal,
} from '../../domain/scoring';

const plan = testPlan({
  weights: [0.6, 0.4],
  impact: { max: 10, step: 0.5 },
  organisations: ['清华大学', '中国电子学会', '北京大学', '浙江大学'],
  expertsPerNomination: 2,
});

const nomination = (id: string, unitName: string, candidateName = `候选${id}`): NominationSummary => ({
  id,
  listId: 'pioneer-tech',
  fieldId: 'electronics',
  unitId: unitName === '中国电子学会' ? 'cie' : 'cmes',
  unitName,
  candidateName,
});

describe('review plan', () => {
  const withPlan = (change: Partial<ReviewPlan>) => ({ ...plan, ...change });
  it.each([
    ['a valid plan', plan, undefined],
    [
      'weights in percent',
      withPlan({ criteria: plan.criteria.map((c) => ({ ...c, weight: c.weight * 100 })) }),
      undefined,
    ],
    [
      'weights summing to 0.9',
      withPlan({ criteria: [{ ...plan.criteria[0], weight: 0.5 }, plan.criteria[1]] }),
      ['criteria', 'weights-sum'],
    ],
    [
      'a scale with min ≥ max',
      withPlan({ criteria: [{ ...plan.criteria[0], min: 10, max: 10 }, plan.criteria[1]] }),
      ['plan.criteria[0].max', 'scale'],
    ],
    [
      'a step that misses max',
      withPlan({ criteria: [{ ...plan.criteria[0], step: 3 }, plan.criteria[1]] }),
      ['plan.criteria[0].step', 'step'],
    ],
    [
      'two criteria with one id',
      withPlan({ criteria: [plan.criteria[0], { ...plan.criteria[1], id: 'innovation' }] }),
      ['plan.criteria[1].id', 'unique'],
    ],
    [
      'an expert without e-mail',
      withPlan({ experts: [{ ...plan.experts[0], email: 'nobody' }] }),
      ['plan.experts[0].email', 'email'],
    ],
    [
      'an expert id with a slash',
      withPlan({ experts: [{ ...plan.experts[0], id: 'a/b' }] }),
      ['plan.experts[0].id', 'identifier'],
    ],
    ['N above the panel', withPlan({ expertsPerNomination: 5 }), ['plan.expertsPerNomination', 'range']],
    ['an unknown key', { ...plan, chair: 'x' }, ['plan.chair', 'unknown-key']],
    ['no criteria', withPlan({ criteria: [] }), ['plan.criteria', 'items']],
  ])('%s', (_name, candidate, expected) => {
    const refusal = reviewPlanRejection(candidate);
    expect(refusal && [refusal.field, refusal.rule]).toEqual(expected);
    if (refusal) expect(refusal.message).toMatch(/^\p{Script=Han}/u); // Chinese first
  });
});

describe('conflicts of interest', () => {
  it.each([
    ['中国电子学会', '中国电子学会', true],
    ['中国 电子学会', '（中国电子学会）', true],
    ['ＡＢＣ Ltd.', 'abc ltd', true],
    ['中国电子学会', '中国电子学会分会', false],
  ])('%s vs %s: same organisation %s', (a, b, same) => {
    expect(normaliseOrganisation(a) === normaliseOrganisation(b)).toBe(same);
  });

  it('detects the nominating unit, the candidate and declared conflicts', () => {
    const nominations = [nomination('n1', '中国电子学会'), nomination('n2', '中国机械工程学会', '北京大学')];
    const declared = [{ expertId: 'e4', nominationId: 'n2', reason: '合作者', declaredBy: 'expert:b/e4' }];
    expect(conflicts(plan.experts, nominations, declared)).toEqual([
      { expertId: 'e2', nominationId: 'n1', source: 'nominating-unit' },
      { expertId: 'e3', nominationId: 'n2', source: 'candidate' },
      { expertId: 'e4', nominationId: 'n2', source: 'declared' },
    ]);
  });
});

describe('assignment', () => {
  it('gives every nomination N conflict-free experts with balanced load, the same way each time', () => {
    const nominations = ['n1', 'n2', 'n3', 'n4', 'n5', 'n6'].map((id) =>
      nomination(id, id === 'n1' ? '中国电子学会' : '中国机械工程学会'),
    );
    const first = assignExperts(plan, nominations, []);
    expect(first).toEqual(assignExperts(plan, [...nominations].reverse(), []));
    expect(first.shortfalls).toEqual([]);
    expect(first.assignments.n1).not.toContain('e2');
    const load = plan.experts.map(
      (e) => Object.values(first.assignments).filter((ids) => ids.includes(e.id)).length,
    );
    expect(Math.max(...load) - Math.min(...load)).toBeLessThanOrEqual(1);
    for (const ids of Object.values(first.assignments)) expect(new Set(ids).size).toBe(2);
  });

  it('keeps existing assignments and reports nominations that cannot get N experts', () => {
    const small: ReviewPlan = { ...plan, experts: plan.experts.slice(0, 2) };
    const result = assignExperts(
      small,
      [nomination('n1', '中国电子学会'), nomination('n2', '中国机械工程学会')],
      [],
      { n2: ['e2'] },
    );
    expect(result.assignments).toEqual({ n1: ['e1'], n2: ['e2', 'e1'] });
    expect(result.shortfalls).toEqual([{ nominationId: 'n1', needed: 2, available: 1 }]);
  });

  it.each([
    ['a free expert', ['e1'], undefined],
    ['an expert of the nominating unit', ['e2'], 'NOT_ALLOWED'],
    ['an expert not on the panel', ['e9'], 'INVALID'],
    ['one expert twice', ['e1', 'e1'], 'DUPLICATE'],
  ])('manual assignment of %s', (_name, ids, code) => {
    expect(manualAssignmentRejection(plan, nomination('n1', '中国电子学会'), ids, [])?.code).toBe(code);
  });
});

describe('score sheets', () => {
  const sheet = (scores: Record<string, unknown>) => ({ nominationId: 'n1', scores, recommend: true });
  it.each([
    ['on the scale', sheet({ innovation: 80, impact: 7.5 }), undefined],
    ['above max', sheet({ innovation: 101, impact: 7.5 }), ['s.scores.innovation', 'scale']],
    ['off the step', sheet({ innovation: 80, impact: 7.3 }), ['s.scores.impact', 'scale']],
    ['a criterion missing', sheet({ innovation: 80 }), ['s.scores.impact', 'required']],
    ['an unknown criterion', sheet({ innovation: 80, impact: 7, style: 3 }), ['s.scores.style', 'criterion']],
    ['text for a number', sheet({ innovation: '80', impact: 7 }), ['s.scores.innovation', 'scale']],
    [
      'a comment with a terminal escape',
      { ...sheet({ innovation: 80, impact: 7 }), comment: 'ok\u001b[2J' },
      ['s.comment', 'control'],
    ],
  ])('%s', (_name, candidate, expected) => {
    const refusal = scoreSheetRejection(plan, candidate, 's');
    expect(refusal && [refusal.field, refusal.rule]).toEqual(expected);
  });

  it('weights criteria as fractions of their total', () => {
    expect(weightedTotal(plan, { innovation: 80, impact: 10 })).toBe(52);
    const percent = { ...plan, criteria: plan.criteria.map((c) => ({ ...c, weight: c.weight * 100 })) };
    expect(weightedTotal(percent, { innovation: 80, impact: 10 })).toBe(52);
  });
});

describe('aggregation and ranking', () => {
  const totals = (values: number[], votes = 0): ExpertTotal[] =>
    values.map((total, i) => ({ expertId: `e${i}`, total, recommend: i < votes }));
  it.each([
    ['4 experts: plain mean', [60, 70, 80, 100], 77.5, false],
    ['5 experts: highest and lowest dropped', [10, 70, 80, 90, 100], 80, true],
    ['6 experts: one of each extreme dropped', [10, 10, 70, 80, 100, 100], 65, true],
  ])('%s', (_name, values, score, trimmed) => {
    expect(nominationScore('n', totals(values))).toMatchObject({ score, trimmed });
  });

  it('breaks ties by recommend votes, then median, then nomination id', () => {
    const ranked = rankScores([
      nominationScore('c', totals([80, 80], 1)),
      nominationScore('b', totals([70, 90], 2)),
      nominationScore('a', totals([80, 80], 1)),
      nominationScore('d', totals([60, 100, 80], 2)),
      nominationScore('e', totals([90])),
    ]);
    // e scores 90; the rest 80: b and d have 2 votes and one median (80), so the id decides; then a, c.
    expect(ranked.map((s) => s.nominationId)).toEqual(['e', 'b', 'd', 'a', 'c']);
    expect(shortlist(ranked, 2).map((s) => [s.nominationId, s.rank, s.verdict])).toEqual([
      ['e', 1, 'recommended'],
      ['b', 2, 'recommended'],
      ['d', 3, 'not-recommended'],
      ['a', 4, 'not-recommended'],
      ['c', 5, 'not-recommended'],
    ]);
  });

  it('ranks a higher median first when score and votes tie', () => {
    const ranked = rankScores([
      nominationScore('a', totals([60, 70, 110], 1)),
      nominationScore('b', totals([50, 80, 110], 1)),
    ]);
    expect(ranked.map((s) => s.nominationId)).toEqual(['b', 'a']);
  });

  it('without a top, recommends what most of its experts recommend', () => {
    const list = shortlist([
      nominationScore('a', totals([80, 80, 80], 2)),
      nominationScore('b', totals([70, 70], 1)),
    ]);
    expect(list.map((s) => s.verdict)).toEqual(['recommended', 'not-recommended']);
  });
});

describe('expert parties', () => {
  it.each([
    ['expert:ittn/e01', { kind: 'expert', body: 'ittn', id: 'e01' }],
    ['expert:ittn', undefined],
    ['expert:ittn/e01/x', undefined],
    ['body:ittn', { kind: 'body', id: 'ittn' }],
  ])('%s', (label, party) => {
    const parsed = parseParty(label);
    expect(parsed).toEqual(party);
    if (parsed) expect(partyLabel(parsed)).toBe(label);
  });
});

describe('summary pages: a review body reads its summaries unit by unit', () => {
  it.each([
    {
      ids: ['cie.1', 'cie.2', 'cmes.1', 'csae.1', 'csae.2'],
      perPage: 3,
      pages: [
        { unitIds: ['cie', 'cmes'], nominationIds: ['cie.1', 'cie.2', 'cmes.1'] },
        { unitIds: ['csae'], nominationIds: ['csae.1', 'csae.2'] },
      ],
    },
    {
      // A unit with more than a page's worth is a page of its own, never split.
      ids: ['a.1', 'big.1', 'big.2', 'big.3', 'c.1'],
      perPage: 2,
      pages: [
        { unitIds: ['a'], nominationIds: ['a.1'] },
        { unitIds: ['big'], nominationIds: ['big.1', 'big.2', 'big.3'] },
        { unitIds: ['c'], nominationIds: ['c.1'] },
      ],
    },
    { ids: [], perPage: 5, pages: [] },
    // A dotted unit id keeps its dots: the number is after the last one.
    {
      ids: ['cast.hubei.7'],
      perPage: 5,
      pages: [{ unitIds: ['cast.hubei'], nominationIds: ['cast.hubei.7'] }],
    },
  ])('$ids in pages of $perPage', ({ ids, perPage, pages }) => {
    expect(summaryPages(ids, perPage)).toEqual(pages);
  });
});
