/**
 * Expert review through `kczg` on the dev server, as a review body runs it: nominations with their
 * dossiers until the close, then the body files its plan (备案), assigns its experts (a conflicting
 * assignment refused, the balanced one skipping the expert from the nominating unit), one expert
 * recuses and is replaced, the experts send their sheets (JSON and CSV; one off the scale refused), the chair
 * cannot confirm early without a reason, and the confirmed shortlist reaches the cycle as the
 * body's report.
 *
 * The programme is national-2023 cut to three units and 先导技术榜's electronics field, started one
 * minute before its close (2023-11-30 24:00, Beijing), so the hand-over happens a minute in.
 */
import fs from 'node:fs';
import path from 'node:path';
import { formFor } from '../../domain/forms';
import { sampleDossier } from '../../domain/forms-sample';
import type { ReviewPlan } from '../../domain/review-plan';
import { loadProgramme } from '../../programmes/loader';
import { tech } from '../support/candidates';
import { nominateArgs, startCycleArgs, type Json } from '../support/cli';
import { eventually } from '../support/eventually';
import { liveStack } from '../support/live-stack';

const PROGRAMME = 'e2e-experts-2023';
const BODY = 'info-tech-consortium';
const PART = 'pioneer-tech/electronics';
const suite = liveStack('kczg-expert-review-');
const kczg = (args: string[]) => suite.cli.run(args);
const ok = (args: string[]) => suite.cli.ok(args);

const writeJson = (name: string, value: unknown) => suite.writeJson(name, value);

const NATIONAL = loadProgramme('national-2023');

function programmeFile(): string {
  const programme = structuredClone(NATIONAL);
  programme.id = PROGRAMME;
  programme.roster.units = programme.roster.units.filter((u) => ['cie', 'cmes', 'csae'].includes(u.id));
  programme.lists = programme.lists.filter((l) => l.id === 'pioneer-tech');
  const pioneer = programme.lists[0];
  pioneer.fields = pioneer.fields?.filter((f) => f.id === 'electronics');
  return writeJson(`${PROGRAMME}.json`, programme);
}

/** Five experts; e05 works for 中国电子学会, the unit that nominates cie's dossiers. */
const PLAN: ReviewPlan = {
  criteria: [
    { id: 'innovation', name: { zh: '创新性', en: 'Innovation' }, weight: 60, min: 0, max: 100, step: 1 },
    { id: 'impact', name: { zh: '引领带动作用', en: 'Impact' }, weight: 40, min: 0, max: 100, step: 1 },
  ],
  experts: ['清华大学', '北京大学', '浙江大学', '复旦大学', '中国电子学会'].map((organisation, i) => ({
    id: `e0${i + 1}`,
    name: `专家${i + 1}`,
    email: `e0${i + 1}@experts.example.org`,
    organisation,
  })),
  expertsPerNomination: 3,
};

const PIONEER = NATIONAL.lists.find((l) => l.id === 'pioneer-tech');
const FORM = PIONEER && formFor(PIONEER, 'electronics');

let candidates = 0;
async function nominate(unitId: string): Promise<string> {
  if (!FORM) throw new Error('national-2023 pioneer-tech/electronics has no form');
  const n = ++candidates;
  const result = await ok([
    ...nominateArgs(
      PROGRAMME,
      unitId,
      PART,
      writeJson(`candidate-${n}.json`, tech(`专家评审技术${n}`)),
      `k${n}`,
    ),
    '--dossier',
    writeJson(`dossier-${n}.json`, sampleDossier(FORM, { n })),
  ]);
  return result.id as string;
}

const reviewState = (): Promise<Json> => ok(['review', 'status', PROGRAMME, '--body', BODY]);
/** `kczg review score` of one expert's sheet file. */
const score = (expertId: string, file: string) =>
  kczg(['review', 'score', PROGRAMME, '--body', BODY, '--expert', expertId, '--file', file]);

describe('expert review inside a review body, through kczg (dev server)', () => {
  const seen = { cie: [] as string[], csae: '', assignments: {} as Record<string, string[]> };

  it('collection: three nominations with dossiers, handed to the body at the close', async () => {
    await ok(startCycleArgs(PROGRAMME, programmeFile(), '2023-11-30 23:59'));
    seen.cie = [await nominate('cie'), await nominate('cie')];
    seen.csae = await nominate('csae');
    // The plan cannot be filed before the body has its work.
    const early = await kczg([
      'review',
      'plan',
      PROGRAMME,
      '--body',
      BODY,
      '--file',
      writeJson('plan.json', PLAN),
    ]);
    expect(early.code).toBe(2);
    await eventually(
      'the hand-over to review',
      async () => {
        const s = await ok(['cycle', 'status', PROGRAMME]);
        return s.stage === 'preliminary-review' && s.parts[0]?.nominations === 3 ? s : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 1_000 },
    );
    await eventually(
      'the body’s parts',
      async () =>
        (await kczg(['review', 'status', PROGRAMME, '--body', BODY])).code === 0 ? true : undefined,
      { timeoutMs: 30_000, intervalMs: 1_000 },
    );
  }, 180_000);

  it('plan, a refused conflicting assignment, the balanced one, and a recusal', async () => {
    const overview = await ok(['review', 'status', PROGRAMME]);
    expect(JSON.stringify(overview)).toContain(BODY);
    await ok(['review', 'plan', PROGRAMME, '--body', BODY, '--file', path.join(suite.dir, 'plan.json')]);

    const conflicting = await kczg([
      'review',
      'assign',
      PROGRAMME,
      '--body',
      BODY,
      '--nomination',
      seen.cie[0],
      '--experts',
      'e05',
    ]);
    expect(conflicting).toMatchObject({ code: 2, json: { error: { code: 'NOT_ALLOWED' } } });
    expect((await reviewState()).expertReview.assignments).toEqual({});

    await ok(['review', 'assign', PROGRAMME, '--body', BODY, '--auto']);
    const assigned = (await reviewState()).expertReview.assignments as Record<string, string[]>;
    expect(Object.keys(assigned).sort()).toEqual([...seen.cie, seen.csae].sort());
    for (const ids of Object.values(assigned)) expect(ids).toHaveLength(3);
    for (const id of seen.cie) expect(assigned[id]).not.toContain('e05');

    const recusing = assigned[seen.csae][0];
    await ok([
      'review',
      'conflict',
      PROGRAMME,
      '--body',
      BODY,
      '--expert',
      recusing,
      '--nomination',
      seen.csae,
      '--reason',
      '曾与候选团队合作',
    ]);
    // The recusal takes the expert off the dossier; assigning again fills the place.
    expect((await reviewState()).expertReview.assignments[seen.csae]).toHaveLength(2);
    await ok(['review', 'assign', PROGRAMME, '--body', BODY, '--auto']);
    seen.assignments = (await reviewState()).expertReview.assignments;
    expect(seen.assignments[seen.csae]).not.toContain(recusing);
    expect(seen.assignments[seen.csae]).toHaveLength(3);
  }, 120_000);

  it('sheets: off the scale refused; JSON and CSV accepted; the chair needs a reason to confirm early', async () => {
    const sheetsOf = (expertId: string) =>
      Object.entries(seen.assignments)
        .filter(([, experts]) => experts.includes(expertId))
        .map(([nominationId], i) => ({
          nominationId,
          scores: { innovation: 90 - i * 10, impact: 80 },
          recommend: i === 0,
        }));
    const experts = [...new Set(Object.values(seen.assignments).flat())].sort();
    const [first, ...others] = experts;

    const offScale = await score(
      first,
      writeJson(
        'off-scale.json',
        sheetsOf(first).map((s) => ({ ...s, scores: { ...s.scores, impact: 101 } })),
      ),
    );
    expect(offScale).toMatchObject({ code: 2, json: { error: { code: 'INVALID' } } });
    expect((await reviewState()).expertReview.sheets).toHaveLength(0);

    // The first expert's sheet as CSV, with the Chinese headings a spreadsheet would have.
    const csv = [
      '推荐编号,innovation,impact,是否推荐,评语',
      ...sheetsOf(first).map(
        (s) =>
          `${s.nominationId},${s.scores.innovation},${s.scores.impact},${s.recommend ? '是' : '否'},材料完整`,
      ),
    ].join('\n');
    fs.writeFileSync(path.join(suite.dir, `${first}.csv`), `${csv}\n`);
    expect((await score(first, path.join(suite.dir, `${first}.csv`))).code).toBe(0);
    // Every other expert but the last.
    for (const expertId of others.slice(0, -1))
      expect((await score(expertId, writeJson(`${expertId}.json`, sheetsOf(expertId)))).code).toBe(0);
    expect((await reviewState()).expertReview.sheets.length).toBeGreaterThan(0);

    const early = await kczg(['review', 'confirm', PROGRAMME, '--body', BODY, '--part', PART, '--top', '1']);
    expect(early.code).toBe(2);
    expect((await ok(['cycle', 'status', PROGRAMME])).parts[0].reviewBodies[0].reportedAt).toBeUndefined();

    const confirmed = await ok([
      'review',
      'confirm',
      PROGRAMME,
      '--body',
      BODY,
      '--part',
      PART,
      '--top',
      '1',
      '--reason',
      '一位专家因公出差，主任委员会议决定按已交评分确认',
    ]);
    expect(confirmed.results.filter((r: Json) => r.verdict === 'recommended')).toHaveLength(1);
    const body = await reviewState();
    expect(body.expertReview.audit.map((a: Json) => a.action)).toContain('confirm-early');
    const reported = await eventually(
      'the report at the cycle',
      async () => {
        const s = await ok(['cycle', 'status', PROGRAMME]);
        const b = s.parts[0].reviewBodies.find((r: Json) => r.bodyId === BODY);
        return b?.reportedAt ? b : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 1_000 },
    );
    expect(reported).toMatchObject({ shortlisted: 1 });
  }, 180_000);
});
