/**
 * Issue 15, expert review inside a review body, on the time-skipping server with the loopback
 * SMTP outbox: the body files its plan (备案), assigns experts around conflicts of interest
 * (detected from the nominating unit, and declared), experts score, those still owing are
 * reminded, and the chair's confirmation becomes the body's report that reaches the cycle. Every
 * bad input of the issue is refused with its code and rule and changes nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { KczgClient } from '../../client/api';
import { generateAuthKeyPair, issueCredential } from '../../client/credentials';
import { runExpertReview } from '../../client/rehearsal-review';
import { unwrapRejection } from '../../client/requests';
import { reviewBodyWorkflowId } from '../../workflows/ids';
import { submitScoresUpdate, type ExpertReviewState } from '../../workflows/messages';
import type { Party } from '../../domain/credentials';
import { readScoreSheets } from '../../client/score-sheets';
import { beijingToEpochMs } from '../../domain/calendar';
import { noticeKey } from '../../domain/mail-ids';
import type { Programme } from '../../domain/programme';
import { planReminders } from '../../domain/reminders';
import type { ReviewPlan } from '../../domain/review-plan';
import type { ScoreSheet } from '../../domain/scoring';
import { loadProgramme } from '../../programmes/loader';
import { testPlan } from '../domain/expert-fixtures';
import { dossierFor, electronicsTech, enterprise } from '../support/candidates';
import type { TestStack } from '../support/stack';
import {
  eventually,
  finishCycle,
  rejectionOf,
  useTimeSkippingStack,
  type Outbox,
} from '../support/time-skipping';

const BODY = 'info-tech-consortium';
const DUE = beijingToEpochMs('2023-12-30 24:00');

const plan = testPlan({
  weights: [60, 40],
  impact: { max: 100, step: 0.5 },
  organisations: ['清华大学', '中国电子学会', '北京大学', '浙江大学', '中国 机械工程学会'],
  expertsPerNomination: 3,
});

const sheet = (nominationId: string, innovation: number, recommend = true): ScoreSheet => ({
  nominationId,
  scores: { innovation, impact: 80 },
  recommend,
});

describe('expert review inside a review body', () => {
  const kit = useTimeSkippingStack();
  let stack: TestStack;
  let outbox: Outbox;
  const base = loadProgramme('national-2023');
  const programme: Programme = {
    ...base,
    id: 'expert-review-2023',
    roster: { ...base.roster, units: base.roster.units.filter((u) => ['cie', 'cmes'].includes(u.id)) },
  };
  beforeAll(() => ({ stack, outbox } = kit));

  it('plan → assignment → scores → reminders → confirmation reaching the cycle; bad input refused', async () => {
    const { api } = stack;
    const { cycleId } = await api.startCycle(programme, { startAt: beijingToEpochMs('2023-11-20 09:00') });
    const offset = (await api.status(cycleId)).clockOffsetMs;
    const cie1 = await api.nominate(cycleId, 'cie', electronicsTech('cie-1', '量子通信芯片'));
    const cie2 = await api.nominate(cycleId, 'cie', electronicsTech('cie-2', '存算一体芯片'));
    const cmes1 = await api.nominate(cycleId, 'cmes', electronicsTech('cmes-1', '工业机器人控制器'));
    await api.nominate(cycleId, 'cmes', {
      idempotencyKey: 'cmes-2',
      listId: 'emerging-enterprise',
      candidate: enterprise('新锐科技', '2018-05-01'),
      dossier: dossierFor('national-2023', 'emerging-enterprise'),
    });

    // Before the hand-over there is no body to file with.
    expect(await rejectionOf(api.review.fileReviewPlan(cycleId, BODY, plan))).toMatchObject({
      code: 'WRONG_STAGE',
    });
    await stack.sleepUntil(beijingToEpochMs('2023-12-01 10:00'), offset);
    const handedOver = await eventually('the body to start', async () =>
      (await api.reviewState(cycleId, BODY).catch(() => undefined))?.expertReview ? true : undefined,
    );
    expect(handedOver).toBe(true);
    const start = await api.reviewState(cycleId, BODY);
    expect(start.expertReview?.planFiledAt).toBeUndefined(); // the secretariat sees it has not filed
    expect(start.parts[0].nominations).toContainEqual(
      expect.objectContaining({
        id: cie1.id,
        unitId: 'cie',
        unitName: '中国电子学会',
        candidateName: '量子通信芯片',
      }),
    );

    // No assignment before the plan; an invalid plan is refused.
    expect(await rejectionOf(api.review.assignExperts(cycleId, BODY, { auto: true }))).toMatchObject({
      code: 'WRONG_STAGE',
      rule: 'plan-required',
    });
    const lopsided = { ...plan, criteria: [{ ...plan.criteria[0], weight: 50 }, plan.criteria[1]] };
    expect(await rejectionOf(api.review.fileReviewPlan(cycleId, BODY, lopsided))).toMatchObject({
      code: 'INVALID',
      rule: 'weights-sum',
    });
    const filed = await api.review.fileReviewPlan(cycleId, BODY, plan);
    expect(filed.planFiledAt).toBeGreaterThan(0);
    // The unit's own expert (detected) and the candidate unit's (names normalised) are conflicts.
    expect(filed.conflicts).toBe(3); // e2 with both cie nominations, e5 with cmes.1
    expect((await api.reviewState(cycleId, BODY)).expertReview?.conflicts).toEqual(
      expect.arrayContaining([
        { expertId: 'e2', nominationId: cie1.id, source: 'nominating-unit' },
        { expertId: 'e5', nominationId: cmes1.id, source: 'nominating-unit' },
      ]),
    );

    // A manual assignment that conflicts is refused; auto assignment avoids every conflict.
    expect(
      await rejectionOf(
        api.review.assignExperts(cycleId, BODY, { nominationId: cie1.id, expertIds: ['e2'] }),
      ),
    ).toMatchObject({ code: 'NOT_ALLOWED', rule: 'conflict-of-interest', field: 'expertIds[0]' });
    await api.review.assignExperts(cycleId, BODY, { auto: true });
    // e4 declares a conflict with cmes.1: off it, and the next auto assignment fills the gap.
    const onCmes = (await api.reviewState(cycleId, BODY)).expertReview?.assignments[cmes1.id] ?? [];
    const recused = onCmes[0];
    await api.review.declareConflict(cycleId, BODY, {
      expertId: recused,
      nominationId: cmes1.id,
      reason: '曾与候选团队合作',
    });
    const receipt = await api.review.assignExperts(cycleId, BODY, { auto: true });
    expect(receipt).toMatchObject({ assigned: 9, scored: 0, shortfalls: [] });
    const assigned = (await api.reviewState(cycleId, BODY)).expertReview as ExpertReviewState;
    for (const n of [cie1, cie2, cmes1]) expect(assigned.assignments[n.id]).toHaveLength(3);
    expect(assigned.assignments[cmes1.id]).not.toContain(recused);
    expect(assigned.assignments[cie1.id]).not.toContain('e2');
    expect(assigned.assignments[cmes1.id]).not.toContain('e5');
    expect(await rejectionOf(api.review.fileReviewPlan(cycleId, BODY, plan))).toMatchObject({
      rule: 'plan-locked',
    });

    // Bad score sheets: outside the scale, unassigned, in conflict (detected and declared).
    const [first] = assigned.assignments[cie1.id];
    const unassigned = plan.experts.find(
      (e) => !assigned.assignments[cie1.id].includes(e.id) && e.id !== 'e2',
    )?.id as string;
    const refusals = [
      [first, sheet(cie1.id, 101), { code: 'INVALID', rule: 'scale', field: 'sheets[0].scores.innovation' }],
      [unassigned, sheet(cie1.id, 80), { code: 'NOT_ALLOWED', rule: 'not-assigned' }],
      ['e2', sheet(cie1.id, 80), { code: 'NOT_ALLOWED', rule: 'conflict-of-interest' }],
      [recused, sheet(cmes1.id, 80), { code: 'NOT_ALLOWED', rule: 'conflict-of-interest' }],
    ] as const;
    for (const [expertId, bad, expected] of refusals)
      expect(await rejectionOf(api.review.submitScores(cycleId, BODY, expertId, [bad]))).toMatchObject(
        expected,
      );
    expect((await api.reviewState(cycleId, BODY)).expertReview?.sheets).toEqual([]);

    // Everyone scores except the last expert on cie.2, who is reminded at T-14.
    const lastOnCie2 = assigned.assignments[cie2.id][2];
    const scores: Record<string, number> = { [cie1.id]: 90, [cie2.id]: 70, [cmes1.id]: 80 };
    for (const e of plan.experts) {
      const mine = Object.entries(assigned.assignments)
        .filter(([n, ids]) => ids.includes(e.id) && !(e.id === lastOnCie2 && n === cie2.id))
        .map(([n]) => sheet(n, scores[n]));
      if (mine.length > 0) await api.review.submitScores(cycleId, BODY, e.id, mine);
    }
    const t14 = planReminders({
      deadlines: [{ key: `review:${BODY}`, at: DUE, role: 'reviewBody' }],
      policy: base.reminders,
    }).find((r) => r.id === `review:${BODY}:T-14`)?.at as number;
    await stack.sleepUntil(t14 + 60_000, offset);
    const reminderKey = (e: string) =>
      noticeKey(cycleId, { kind: 'review', id: BODY }, `expert/${e}/review:${BODY}:T-14`);
    const [reminder] = await eventually('the expert reminder', async () => {
      const mails = await outbox.mailsOf(reminderKey(lastOnCie2));
      return mails.length > 0 ? mails : undefined;
    });
    expect(reminder.subject).toMatch(/评分待提交/);
    expect(reminder.text).toMatch(/尚有 1 份评分表未提交/);
    expect(reminder.to).toMatchObject({ value: [{ address: `${lastOnCie2}@experts.example.org` }] });
    const done = plan.experts.find((e) => e.id !== lastOnCie2 && e.id !== 'e2')?.id as string;
    expect(await outbox.mailsOf(reminderKey(done))).toHaveLength(0);

    // Confirming with a sheet outstanding needs a reason; with one it is the part's report.
    const part = { listId: 'pioneer-tech', fieldId: 'electronics' };
    expect(await rejectionOf(api.review.confirmShortlist(cycleId, BODY, part))).toMatchObject({
      code: 'NOT_ALLOWED',
      rule: 'scores-outstanding',
    });
    const reported = await api.review.confirmShortlist(cycleId, BODY, {
      ...part,
      top: 2,
      reason: '专家因病无法评分',
    });
    expect(reported.results?.map((r) => [r.nominationId, r.rank, r.verdict])).toEqual([
      [cie1.id, 1, 'recommended'],
      [cmes1.id, 2, 'recommended'],
      [cie2.id, 3, 'not-recommended'],
    ]);
    expect(reported.results?.[0].score).toBe(86); // 0.6 × 90 + 0.4 × 80
    const audit = (await api.reviewState(cycleId, BODY)).expertReview?.audit ?? [];
    expect(audit.find((a) => a.action === 'confirm-early')?.detail).toMatch(
      /1 sheets outstanding: 专家因病无法评分/,
    );
    expect(audit.find((a) => a.action === 'conflict-declared')?.actor).toBe(`expert:${BODY}/${recused}`);
    await eventually('the report to reach the cycle', async () => {
      const row = (await api.status(cycleId)).parts.find((p) => p.fieldId === 'electronics');
      return row?.reviewBodies.find((b) => b.bodyId === BODY)?.shortlisted === 2 ? true : undefined;
    });
    expect(
      await rejectionOf(api.review.submitScores(cycleId, BODY, lastOnCie2, [sheet(cie2.id, 70)])),
    ).toMatchObject({
      code: 'WRONG_STAGE',
      rule: 'confirmed',
    });

    // After the stage's deadline every expert-review write is refused.
    await stack.sleepUntil(DUE + 60_000, offset);
    expect(await rejectionOf(api.review.fileReviewPlan(cycleId, 'kczg-secretariat', plan))).toMatchObject({
      code: 'WRONG_STAGE',
      rule: 'deadline',
    });
    await finishCycle(stack, cycleId);
  });

  it('the rehearsal’s expert review: plans, one recusal, sheets read from CSV/XLSX, score sheets written', async () => {
    const { api } = stack;
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'kczg-expert-review-'));
    try {
      const { cycleId } = await api.startCycle(
        { ...programme, id: 'expert-rehearsal-2023' },
        { startAt: beijingToEpochMs('2023-11-20 09:00') },
      );
      const offset = (await api.status(cycleId)).clockOffsetMs;
      const ids = [];
      for (const [unit, key, name] of [
        ['cie', 'a', '芯片甲'],
        ['cie', 'b', '芯片乙'],
        ['cmes', 'c', '控制器丙'],
        ['cmes', 'd', '控制器丁'],
      ])
        ids.push((await api.nominate(cycleId, unit, electronicsTech(`r-${key}`, name))).id);
      await stack.sleepUntil(beijingToEpochMs('2023-12-29 10:00'), offset);
      await eventually('the body to start', async () =>
        (await api.reviewState(cycleId, BODY).catch(() => undefined)) ? true : undefined,
      );

      const summary = await runExpertReview(api, cycleId, [BODY], out);
      expect(summary).toMatchObject({ bodies: 1, sheets: 12 });
      expect(summary.recused).toHaveLength(1);
      const state = await api.reviewState(cycleId, BODY);
      expect(state.parts[0].results?.filter((r) => r.verdict === 'recommended')).toHaveLength(2);
      expect(state.expertReview?.declared).toHaveLength(1);
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.readFile(path.join(out, 'score-sheets', `${BODY}.xlsx`));
      expect(workbook.worksheets.map((w) => w.name)).toEqual([
        '排名 Ranking',
        '评分 Sheets',
        '回避 Conflicts',
      ]);
      expect(workbook.getWorksheet('评分 Sheets')?.rowCount).toBe(13);

      // An expert's sheet as CSV or XLSX: headings by criterion id or Chinese name, 是/否 for recommend.
      const plan = state.expertReview?.plan as ReviewPlan;
      const csv = path.join(out, 'e01.csv');
      fs.writeFileSync(csv, `推荐编号,创新性,impact,成熟度,是否推荐,评语\n${ids[0]},88,70,7.5,是,很好\n`);
      expect(await readScoreSheets(csv, plan)).toEqual([
        {
          nominationId: ids[0],
          scores: { innovation: 88, impact: 70, maturity: 7.5 },
          recommend: true,
          comment: '很好',
        },
      ]);
      fs.writeFileSync(csv, `推荐编号,创新性,impact,成熟度,是否推荐,备注\n${ids[0]},88,70,7.5,是,x\n`);
      await expect(readScoreSheets(csv, plan)).rejects.toMatchObject({
        rejection: { rule: 'unknown-column' },
      });
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it('keyed cycle: an expert scores with their own credential only; the chair confirms with the body’s', async () => {
    const keys = generateAuthKeyPair();
    const cycleId = 'kczg:expert-keyed-2023';
    const as = (party: Party) =>
      new KczgClient(stack.env.client, {
        credential: issueCredential({
          privateKey: keys.privateKey,
          cycle: cycleId,
          party,
          validForMs: 400 * 86_400_000,
        }),
      });
    const secretariat = as({ kind: 'secretariat' });
    await secretariat.startCycle(
      { ...programme, id: 'expert-keyed-2023' },
      { startAt: beijingToEpochMs('2023-11-20 09:00'), authPublicKey: keys.publicKey },
    );
    const offset = (await secretariat.status(cycleId)).clockOffsetMs;
    const n = await as({ kind: 'unit', id: 'cmes' }).nominate(
      cycleId,
      'cmes',
      electronicsTech('k-1', '数控系统'),
    );
    await stack.sleepUntil(beijingToEpochMs('2023-12-01 10:00'), offset);
    await eventually('the body to start', async () =>
      (await secretariat.reviewState(cycleId, BODY).catch(() => undefined)) ? true : undefined,
    );
    const chair = as({ kind: 'body', id: BODY });
    const onePanel = { ...plan, expertsPerNomination: 1 };
    expect(
      await rejectionOf(as({ kind: 'body', id: 'ittn' }).review.fileReviewPlan(cycleId, BODY, onePanel)),
    ).toMatchObject({
      code: 'NOT_ALLOWED',
      rule: 'credential',
    });
    await chair.review.fileReviewPlan(cycleId, BODY, onePanel);
    await chair.review.assignExperts(cycleId, BODY, { nominationId: n.id, expertIds: ['e1'] });
    const other = as({ kind: 'expert', body: BODY, id: 'e3' });
    expect(
      await rejectionOf(other.review.submitScores(cycleId, BODY, 'e1', [sheet(n.id, 80)])),
    ).toMatchObject({
      code: 'NOT_ALLOWED',
      rule: 'credential',
    });
    // Sent straight to Temporal, past the client's check: the body's validator refuses it too.
    const direct = stack.env.client.workflow
      .getHandle(reviewBodyWorkflowId(cycleId, BODY))
      .executeUpdate(submitScoresUpdate, {
        args: [
          {
            expertId: 'e1',
            sheets: [sheet(n.id, 80)],
            credential: issueCredential({
              privateKey: keys.privateKey,
              cycle: cycleId,
              party: { kind: 'expert', body: BODY, id: 'e3' },
              validForMs: 400 * 86_400_000,
            }),
          },
        ],
      });
    expect(await rejectionOf(unwrapRejection(direct))).toMatchObject({
      code: 'NOT_ALLOWED',
      rule: 'credential',
    });
    const own = as({ kind: 'expert', body: BODY, id: 'e1' });
    expect(
      await rejectionOf(
        own.review.confirmShortlist(cycleId, BODY, { listId: 'pioneer-tech', fieldId: 'electronics' }),
      ),
    ).toMatchObject({
      code: 'NOT_ALLOWED',
      rule: 'credential',
    });
    await own.review.submitScores(cycleId, BODY, 'e1', [sheet(n.id, 80)]);
    const part = await chair.review.confirmShortlist(cycleId, BODY, {
      listId: 'pioneer-tech',
      fieldId: 'electronics',
    });
    expect(part.results).toEqual([{ nominationId: n.id, rank: 1, score: 80, verdict: 'recommended' }]);
    const audit = (await chair.reviewState(cycleId, BODY)).expertReview?.audit ?? [];
    expect(audit.map((a) => [a.actor, a.action])).toEqual([
      [`body:${BODY}`, 'plan-filed'],
      [`body:${BODY}`, 'assign'],
      [`expert:${BODY}/e1`, 'scores-submitted'],
      [`body:${BODY}`, 'confirm'],
    ]);
    await finishCycle({ ...stack, api: secretariat }, cycleId);
  });
});
