/**
 * Funding at final review, on the time-skipping server: a Henan selection with more winners than
 * a programme's slots, or costing more than the budget, is refused with the numbers and changes
 * nothing; a selection within both is accepted and published with each project's amount (万元 in
 * the CSV, 元 in the JSON) and the totals per list and overall.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Programme } from '../../domain/programme';
import { programmeDeadlines } from '../../domain/timeline';
import { loadProgramme } from '../../programmes/loader';
import { dossierFor } from '../support/candidates';
import type { TestStack } from '../support/stack';
import { finishCycle, rejectionOf, useTimeSkippingStack } from '../support/time-skipping';

/** Henan with a stated budget of 30万元: two 20万元 programmes together break it. */
const henan: Programme = {
  ...loadProgramme('henan-2023'),
  budget: { totalCny: 300_000, currency: 'CNY' },
};

describe('final review within funded slots and budget', () => {
  const kit = useTimeSkippingStack({ runWorker: false });
  let stack: TestStack;
  let outDir: string;
  beforeAll(() => {
    stack = kit.stack;
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kczg-funding-'));
  });
  afterAll(() => fs.rmSync(outDir, { recursive: true, force: true }));

  it('refuses over the slots and over the budget, changing nothing, then publishes the amounts', async () => {
    await stack.withWorker(async () => {
      const { api } = stack;
      const deadlines = programmeDeadlines(henan);
      const { cycleId } = await api.startCycle(henan, {
        startAt: deadlines.collectionOpensAt + 3_600_000,
        outDir,
      });
      const offset = (await api.status(cycleId)).clockOffsetMs;
      const nominate = (unitId: string, listId: string, name: string) =>
        api.nominate(cycleId, unitId, {
          idempotencyKey: `${unitId}-${listId}`,
          listId,
          candidate: { name },
          dossier: dossierFor(henan, listId),
        });
      const talentA = await nominate('zhengzhou-cast', 'innovation-talent', '郑州创新达人宣讲');
      const talentB = await nominate('dahe-media', 'innovation-talent', '大河创新达人发布');
      const contest = await nominate('luoyang-cast', 'innovation-method-contest', '洛阳创新方法大赛');

      await stack.sleepUntil(deadlines.collectionClosesAt + 60_000, offset);
      const recommend = (ids: string[]) =>
        ids.map((nominationId, i) => ({
          nominationId,
          rank: i + 1,
          score: 90 - i,
          verdict: 'recommended' as const,
        }));
      await api.reportReview(cycleId, 'hast-outreach', {
        listId: 'innovation-talent',
        results: recommend([talentA.id, talentB.id]),
      });
      await api.reportReview(cycleId, 'hast-outreach', {
        listId: 'innovation-method-contest',
        results: recommend([contest.id]),
      });
      await stack.sleepUntil(deadlines.preliminaryReviewDueAt + 60_000, offset);
      const before = await api.status(cycleId);
      expect(before.stage).toBe('final-review');

      const refusals = [
        {
          winners: [{ listId: 'innovation-talent', nominationIds: [talentA.id, talentB.id] }],
          expected: { field: 'winners[0].nominationIds', rule: 'fundingSlots', limit: 1 },
          says: '资助 1 项，终评选了 2 项',
        },
        {
          winners: [
            { listId: 'innovation-talent', nominationIds: [talentA.id] },
            { listId: 'innovation-method-contest', nominationIds: [contest.id] },
          ],
          expected: { field: 'winners', rule: 'fundingBudget', limit: 300_000 },
          says: '40万元（400000 元）超出预算 30万元（300000 元）',
        },
      ];
      for (const { winners, expected, says } of refusals) {
        const rejection = await rejectionOf(api.finalComplete(cycleId, { winners }));
        expect(rejection).toMatchObject({ code: 'INVALID', ...expected });
        expect(rejection.message).toContain(says);
      }

      const unchanged = await api.status(cycleId);
      expect(unchanged.stage).toBe('final-review');
      expect((await api.audit(cycleId)).filter((e) => e.action === 'final-results')).toEqual([]);

      await api.finalComplete(cycleId, {
        winners: [{ listId: 'innovation-talent', nominationIds: [talentA.id] }],
      });
      await stack.sleepUntil(deadlines.publicationAt + 60_000, offset);
      const published = await api.status(cycleId);
      expect(published.published?.winners).toBe(1);

      const list = JSON.parse(fs.readFileSync(path.join(outDir, 'innovation-talent.json'), 'utf8'));
      expect(list.rows).toEqual([
        expect.objectContaining({ 推荐编号: talentA.id, '资助金额（万元）': 20, amountCny: 200_000 }),
      ]);
      expect(list.funding).toEqual({
        currency: 'CNY',
        listId: 'innovation-talent',
        winners: 1,
        slots: 1,
        totalCny: 200_000,
        amountStated: true,
      });
      const csv = fs.readFileSync(path.join(outDir, 'innovation-talent.csv'), 'utf8');
      expect(csv).toContain('"资助金额（万元）"');
      expect(csv).toContain('"合计 / total","","1 项（名额 1）","","","20"');
      const summary = JSON.parse(fs.readFileSync(path.join(outDir, 'funding.json'), 'utf8'));
      expect(summary).toMatchObject({ currency: 'CNY', totalCny: 200_000, budgetCny: 300_000 });
      expect(fs.readFileSync(path.join(outDir, 'funding.csv'), 'utf8')).toContain(
        '"合计 / total","1","预算 30万元","20","200000"',
      );
      await finishCycle(stack, cycleId);
    });
  });
});
