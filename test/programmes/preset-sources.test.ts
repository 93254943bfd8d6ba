/**
 * Every eligibility rule of every preset cites the sentence of its notice it encodes, and that
 * sentence really is on the cited line of the seed; so are the sources of the reference lists.
 * The seeds live in the shared folder beside the repository (../shared in CI; a worktree under
 * wt/ sits one level deeper), or where KCZG_SEEDS_DIR points.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Declaration, EligibilityRule, NoticeSource, Programme } from '../../domain/programme';
import { fundedParts } from '../../domain/funding';
import { listPresetIds, loadProgramme } from '../../programmes/loader';

const repoRoot = path.resolve(__dirname, '..', '..');
const seedsDir = [
  process.env.KCZG_SEEDS_DIR,
  path.resolve(repoRoot, '..', 'shared', 'seeds'),
  path.resolve(repoRoot, '..', '..', 'shared', 'seeds'),
].find((dir): dir is string => dir !== undefined && fs.existsSync(dir));

/** Line breaks inside a sentence and non-breaking spaces are layout, not wording. */
const layout = (text: string) => text.replace(/\s+/g, ' ');

function seedLine(source: NoticeSource): string | undefined {
  const text = fs.readFileSync(path.join(seedsDir ?? '', source.seed), 'utf8');
  const line = text.split('\n')[source.line - 1];
  return line === undefined ? undefined : layout(line);
}

interface CitedRule {
  where: string;
  rule: EligibilityRule;
}

function rulesOf(p: Programme): CitedRule[] {
  return p.lists.flatMap((list, i) => [
    ...list.eligibility.map((rule, k) => ({ where: `lists[${i}].eligibility[${k}]`, rule })),
    ...(list.fields ?? []).flatMap((field, j) =>
      (field.eligibility ?? []).map((rule, k) => ({
        where: `lists[${i}].fields[${j}].eligibility[${k}]`,
        rule,
      })),
    ),
  ]);
}

/** Quotas that set a number: each cites its sentence, or the preset records the number as assumed. */
function quotasOf(p: Programme): { where: string; source?: NoticeSource; assumed: boolean }[] {
  const assumed = new Set(p.assumptions.map((a) => a.path));
  return p.lists.flatMap((list, i) =>
    list.quota
      ? [
          {
            where: `lists[${i}].quota`,
            source: list.quota.source,
            assumed: assumed.has(`lists[${i}].quota`) || assumed.has('lists[*].quota'),
          },
        ]
      : [],
  );
}

function referenceSources(p: Programme): { where: string; source: NoticeSource }[] {
  return [
    ...(p.pilotCitiesReference?.sources ?? []).map((source, k) => ({
      where: `pilotCitiesReference.sources[${k}]`,
      source,
    })),
    ...Object.entries(p.cityLists).flatMap(([id, list]) =>
      list.sources.map((source, k) => ({ where: `cityLists.${id}.sources[${k}]`, source })),
    ),
  ];
}

/** Every form declaration of a preset, on lists and on fields. */
function declarationsOf(p: Programme): { where: string; declaration: Declaration }[] {
  return p.lists.flatMap((list, i) => [
    ...(list.form?.declarations ?? []).map((declaration, k) => ({
      where: `lists[${i}].form.declarations[${k}]`,
      declaration,
    })),
    ...(list.fields ?? []).flatMap((field, j) =>
      (field.form?.declarations ?? []).map((declaration, k) => ({
        where: `lists[${i}].fields[${j}].form.declarations[${k}]`,
        declaration,
      })),
    ),
  ]);
}

/** Every list's co-application requirement (domain/bundles.ts): the sentence that requires it and the one that lets the applicant choose. */
function coApplicationSourcesOf(p: Programme): { where: string; source: NoticeSource }[] {
  return p.lists.flatMap((list, i) => {
    const co = list.form?.coApplications;
    if (!co) return [];
    return [
      { where: `lists[${i}].form.coApplications.source`, source: co.source },
      ...(co.choice ? [{ where: `lists[${i}].form.coApplications.choice`, source: co.choice }] : []),
    ];
  });
}

/** "2021-09-01" as the notices write it: 2021年9月1日. */
const writtenDate = (date: string) => {
  const [y, m, d] = date.split('-').map(Number);
  return `${y}年${m}月${d}日`;
};

/**
 * The words of its sentence a rule rests on: every value it accepts, every number and date it
 * counts with, and the wording that names its condition. A rule whose sentence lacks them says
 * more than its notice.
 */
function wordsOf(rule: EligibilityRule, p: Programme): string[][] {
  switch (rule.rule) {
    case 'orgTypeIn':
    case 'categoryIn':
    case 'focusFieldIn':
      return rule.values.map((v) => [v]);
    case 'foundedWithinYears':
    case 'founderOfEnterpriseWithinYears':
      return [[`${rule.years}年`]];
    case 'foundedBefore':
    case 'bornAfter':
      return [[writtenDate(rule.date)]];
    case 'mainlandOnly':
      return [['境内'], ['港']];
    case 'pilotCityMember':
      return [['试点城市', '在我市'], ...(rule.orIn ?? []).map((id) => [p.cityLists[id]?.name.zh ?? id])];
    case 'notPilotCity':
      return [['试点市', '试点城市'], ['除外']];
    case 'notClassified':
      return [['不涉密']];
    case 'goodStanding':
      return [['经营异常名录'], ['失信']];
    case 'holdsCertification':
      return [['认证']];
    case 'notPriorWinner':
      return [['不再纳入候选'], ...(rule.years ?? []).map((y) => [`${y}年`])];
  }
}

/** Every funding entry, on lists and fields, with its sentence. */
function fundingSources(p: Programme): { where: string; source?: NoticeSource }[] {
  return fundedParts(p).map(({ listId, fieldId, funding }) => ({
    where: `${listId}${fieldId ? `/${fieldId}` : ''}.funding`,
    source: funding.source,
  }));
}

/** Every deliverable target and reduction clause of a preset, on lists and on fields. */
function deliverableSourcesOf(p: Programme): { where: string; source: NoticeSource }[] {
  const owners = p.lists.flatMap((list, i) => [
    { where: `lists[${i}]`, deliverables: list.deliverables },
    ...(list.fields ?? []).map((field, j) => ({
      where: `lists[${i}].fields[${j}]`,
      deliverables: field.deliverables,
    })),
  ]);
  return owners.flatMap(({ where, deliverables }) => [
    ...(deliverables?.targets ?? []).map((target, k) => ({
      where: `${where}.deliverables.targets[${k}]`,
      source: target.source,
    })),
    ...(deliverables?.reduction
      ? [{ where: `${where}.deliverables.reduction`, source: deliverables.reduction }]
      : []),
  ]);
}

const presets = listPresetIds().map((id) => loadProgramme(id));

describe('every preset rule says where its notice says it', () => {
  it.each(presets.map((p) => [p.id, p] as const))('%s: each rule cites its own notice', (_id, p) => {
    const uncited = rulesOf(p).filter(({ rule }) => rule.source?.seed !== p.source);
    expect(
      uncited.map(({ where, rule }) => `${where} ${rule.rule} → ${rule.source?.seed ?? 'no source'}`),
    ).toEqual([]);
  });

  it.each(presets.map((p) => [p.id, p] as const))(
    '%s: every list open to nominations has a form with declarations, each citing its own notice',
    (_id, p) => {
      const open = p.lists.filter((list) => !list.separatelyOrganised);
      expect(open.filter((list) => !list.form).map((list) => list.id)).toEqual([]);
      const declarations = declarationsOf(p);
      expect(declarations.length).toBeGreaterThan(0);
      const uncited = declarations.filter(({ declaration }) => declaration.source.seed !== p.source);
      expect(uncited.map(({ where }) => where)).toEqual([]);
    },
  );

  it.each(presets.map((p) => [p.id, p] as const))(
    '%s: each quota cites its own notice or is recorded as an assumption',
    (_id, p) => {
      const unexplained = quotasOf(p).filter(({ source, assumed }) => !assumed && source?.seed !== p.source);
      expect(unexplained.map(({ where }) => where)).toEqual([]);
    },
  );

  it.each(presets.map((p) => [p.id, p] as const))(
    '%s: each funding entry cites its own notice and states a number or says it states none',
    (_id, p) => {
      const uncited = fundingSources(p).filter(({ source }) => source?.seed !== p.source);
      expect(uncited.map(({ where }) => where)).toEqual([]);
      const silent = fundedParts(p).filter(
        ({ funding }) => funding.slots === undefined && funding.amountCny === undefined && !funding.note,
      );
      expect(silent.map(({ listId, fieldId }) => fieldId ?? listId)).toEqual([]);
    },
  );

  it.each(presets.map((p) => [p.id, p] as const))(
    '%s: a partial reference list says what it lacks',
    (_id, p) => {
      const references = [
        ['pilotCitiesReference', p.pilotCitiesReference] as const,
        ...Object.entries(p.cityLists).map(([id, list]) => [`cityLists.${id}`, list] as const),
      ];
      expect(references.filter(([, r]) => r === undefined).map(([where]) => where)).toEqual([]);
      const silent = references.filter(([, r]) => r && !r.complete && !r.missing?.trim());
      expect(silent.map(([where]) => where)).toEqual([]);
    },
  );
});

if (seedsDir) {
  describe(`the cited sentences occur in the seeds (${seedsDir})`, () => {
    it.each(presets.map((p) => [p.id, p] as const))('%s: every rule quote is on its line', (_id, p) => {
      const misquoted = rulesOf(p).filter(({ rule }) => {
        const source = rule.source;
        return !source || !seedLine(source)?.includes(layout(source.quote));
      });
      expect(
        misquoted.map(({ where, rule }) => `${where} ${rule.rule}: ${JSON.stringify(rule.source)}`),
      ).toEqual([]);
    });

    it.each(presets.map((p) => [p.id, p] as const))(
      '%s: every reference-list quote is on its line',
      (_id, p) => {
        const misquoted = referenceSources(p).filter(
          ({ source }) => !seedLine(source)?.includes(layout(source.quote)),
        );
        expect(misquoted.map(({ where, source }) => `${where}: ${JSON.stringify(source)}`)).toEqual([]);
      },
    );

    it.each(presets.map((p) => [p.id, p] as const))(
      '%s: every deliverable target and reduction clause cites its own notice, quoted on its line',
      (_id, p) => {
        const misquoted = deliverableSourcesOf(p).filter(
          ({ source }) => source.seed !== p.source || !seedLine(source)?.includes(layout(source.quote)),
        );
        expect(misquoted.map(({ where, source }) => `${where}: ${JSON.stringify(source)}`)).toEqual([]);
      },
    );

    it.each(presets.map((p) => [p.id, p] as const))(
      '%s: every declaration quote is on its line, and the statement affirms the notice’s words',
      (_id, p) => {
        const misquoted = declarationsOf(p).filter(
          ({ declaration: { source, text } }) =>
            !seedLine(source)?.includes(layout(source.quote)) || !layout(text).includes(layout(source.quote)),
        );
        expect(
          misquoted.map(({ where, declaration }) => `${where}: ${JSON.stringify(declaration.source)}`),
        ).toEqual([]);
      },
    );

    it.each(presets.map((p) => [p.id, p] as const))(
      '%s: every funding quote is on its line and carries the numbers it sets',
      (_id, p) => {
        const misquoted = fundedParts(p).filter(({ funding: { source, slots, amountCny } }) => {
          if (!source || !seedLine(source)?.includes(layout(source.quote))) return true;
          const numbers = (source.quote.match(/\d+/g) ?? []).map(Number);
          const wan = amountCny === undefined ? undefined : amountCny / 10_000;
          return (
            (slots !== undefined && !numbers.includes(slots)) ||
            (wan !== undefined && !source.quote.includes(`${wan}万元`))
          );
        });
        expect(
          misquoted.map(({ listId, fieldId, funding }) => `${fieldId ?? listId}: ${JSON.stringify(funding)}`),
        ).toEqual([]);
      },
    );

    it.each(presets.map((p) => [p.id, p] as const))(
      '%s: every rule rests on words of its own sentence (values, numbers, dates, the condition)',
      (_id, p) => {
        const unsaid = rulesOf(p).flatMap(({ where, rule }) => {
          const quote = layout(rule.source?.quote ?? '');
          return wordsOf(rule, p)
            .filter((alternatives) => !alternatives.some((word) => quote.includes(word)))
            .map(
              (alternatives) => `${where} ${rule.rule}: "${alternatives.join('" | "')}" not in "${quote}"`,
            );
        });
        expect(unsaid).toEqual([]);
      },
    );

    it.each(presets.map((p) => [p.id, p] as const))(
      '%s: every quota and co-application quote cites its own notice, on its line',
      (_id, p) => {
        const cited = [
          ...quotasOf(p).flatMap(({ where, source }) => (source ? [{ where, source }] : [])),
          ...coApplicationSourcesOf(p),
        ];
        const misquoted = cited.filter(
          ({ source }) => source.seed !== p.source || !seedLine(source)?.includes(layout(source.quote)),
        );
        expect(misquoted.map(({ where, source }) => `${where}: ${JSON.stringify(source)}`)).toEqual([]);
      },
    );

    it('the words check catches a rule that says more than its sentence', () => {
      const invented: EligibilityRule = {
        rule: 'pilotCityMember',
        source: { seed: '000_92ca2dddf87dd6c8.txt', line: 40, quote: '每个平台新注册入驻企业数量不少于50家' },
      };
      const baoding = presets.find((p) => p.id === 'baoding-2023') as Programme;
      const quote = invented.source?.quote ?? '';
      expect(wordsOf(invented, baoding).some((words) => !words.some((w) => quote.includes(w)))).toBe(true);
    });

    it('tells a misquote from a quote (a quote on another line does not count)', () => {
      const on57 = { seed: '001_467ba67e2393afa2.txt', line: 57, quote: '技术不涉密' };
      expect(seedLine(on57)).toContain(on57.quote);
      expect(seedLine({ ...on57, line: 65 })).not.toContain(on57.quote);
    });
  });
} else {
  describe.skip('seeds not found (set KCZG_SEEDS_DIR or put shared/seeds beside the repository): preset quotes not checked against the notices', () => {
    it('checks every quote', () => undefined);
  });
}
