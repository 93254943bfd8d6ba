/**
 * Whole cycles of national-2022 and national-2023 on the time-skipping server, with the real
 * loopback SMTP outbox: quotas, eligibility, the closing second, extensions, a pause, review
 * bodies early / on time / never, final review, publication, and a 2022 winner refused in 2023.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beijingToEpochMs } from '../../domain/calendar';
import type { Candidate } from '../../domain/programme';
import type { Rejection } from '../../domain/rejections';
import { listOutbox } from '../../mail/outbox';
import { loadProgramme } from '../../programmes/loader';
import type { NominateRequest } from '../../workflows/messages';
import { dossierFor, electronicsTech, enterprise, tech } from '../support/candidates';
import type { TestStack } from '../support/stack';
import { rejectionOf, useTimeSkippingStack } from '../support/time-skipping';

const manager = (name: string): Candidate => ({ name, certified: true });

describe('national cycles, start to publication', () => {
  const kit = useTimeSkippingStack({ runWorker: false });
  let stack: TestStack;
  beforeAll(() => (stack = kit.stack));

  it('runs national-2022 to published lists, then refuses its winner in national-2023', async () => {
    await stack.withWorker(async () => {
      const api = stack.api;
      // ---- 2022 ------------------------------------------------------------------------------
      const p2022 = loadProgramme('national-2022');
      const c2022 = await api.startCycle(p2022, { startAt: beijingToEpochMs('2022-10-20 10:00') });
      expect(c2022.started).toBe(true);
      expect((await api.startCycle(p2022)).started).toBe(false);
      const offset2022 = (await api.status(c2022.cycleId)).clockOffsetMs;

      const winner = await api.nominate(
        c2022.cycleId,
        'cie',
        electronicsTech('cie-2022-1', '量子通信芯片', p2022),
      );
      const other = await api.nominate(
        c2022.cycleId,
        'cie',
        electronicsTech('cie-2022-2', '柔性显示材料', p2022),
      );
      // A list organised separately takes no channel nominations.
      expect(
        (
          await rejectionOf(
            api.nominate(c2022.cycleId, 'cie', {
              idempotencyKey: 'x',
              listId: 'international-cooperation',
              candidate: tech('x'),
            }),
          )
        ).code,
      ).toBe('NOT_ALLOWED');

      await stack.sleepUntil(beijingToEpochMs('2022-11-01 00:01'), offset2022);
      expect((await api.status(c2022.cycleId)).stage).toBe('preliminary-review');
      const review = await api.reportReview(c2022.cycleId, 'info-tech-consortium', {
        listId: 'pioneer-tech',
        fieldId: 'electronics',
        results: [
          { nominationId: winner.id, rank: 1, score: 92, verdict: 'recommended' },
          { nominationId: other.id, rank: 2, score: 70, verdict: 'not-recommended' },
        ],
      });
      expect(review.reportedAt).toBeDefined();
      await stack.sleepUntil(beijingToEpochMs('2022-12-01 00:01'), offset2022);
      expect((await api.status(c2022.cycleId)).stage).toBe('final-review');
      await api.finalComplete(c2022.cycleId, {
        winners: [{ listId: 'pioneer-tech', fieldId: 'electronics', nominationIds: [winner.id] }],
      });
      await stack.sleepUntil(beijingToEpochMs('2023-01-15 10:01'), offset2022);
      const published2022 = await api.status(c2022.cycleId);
      expect(published2022.stage).toBe('promotion');
      expect(published2022.published?.winners).toBe(1);

      // ---- 2023 ------------------------------------------------------------------------------
      const p2023 = loadProgramme('national-2023');
      const { cycleId } = await api.startCycle(p2023, { startAt: beijingToEpochMs('2023-11-20 09:00') });
      const offset = (await api.status(cycleId)).clockOffsetMs;

      const refused = await rejectionOf(
        api.nominate(cycleId, 'cmes', electronicsTech('cmes-again', '量子通信芯片')),
      );
      expect(refused).toMatchObject({ code: 'NOT_ELIGIBLE', rule: 'notPriorWinner' });

      // Quotas: 3 per field for a unit in one channel; 6 for a unit in two (they stack).
      for (let i = 1; i <= 3; i++) {
        await api.nominate(cycleId, 'cie', electronicsTech(`cie-${i}`, `技术${i}`));
      }
      const overQuota = await rejectionOf(api.nominate(cycleId, 'cie', electronicsTech('cie-4', '技术4')));
      expect(overQuota).toMatchObject({ code: 'QUOTA_EXCEEDED', rule: 'quota' });
      for (let i = 1; i <= 6; i++) {
        await api.nominate(cycleId, 'csae', electronicsTech(`csae-${i}`, `汽车技术${i}`));
      }
      expect(
        (await rejectionOf(api.nominate(cycleId, 'csae', electronicsTech('csae-7', '汽车技术7')))).code,
      ).toBe('QUOTA_EXCEEDED');

      // Withdrawal releases a slot; a retried submission returns the same nomination.
      const cieState = await api.unitState(cycleId, 'cie');
      await api.withdraw(cycleId, 'cie', cieState.nominations[2].id);
      const again = await api.nominate(cycleId, 'cie', electronicsTech('cie-4', '技术4'));
      const retried = await api.nominate(cycleId, 'cie', electronicsTech('cie-4', '技术4'));
      expect(retried.id).toBe(again.id);
      expect((await api.unitState(cycleId, 'cie')).nominations).toHaveLength(3);

      // Eligibility, duplicates and malformed input: each with its code and field.
      const tooOld = await rejectionOf(
        api.nominate(cycleId, 'cmes', {
          idempotencyKey: 'cmes-e1',
          listId: 'emerging-enterprise',
          candidate: enterprise('老牌企业', '2012-12-31'),
        }),
      );
      expect(tooOld).toMatchObject({
        code: 'NOT_ELIGIBLE',
        rule: 'foundedWithinYears',
        field: 'candidate.foundedOn',
      });
      const young = await api.nominate(cycleId, 'cmes', {
        idempotencyKey: 'cmes-e2',
        listId: 'emerging-enterprise',
        candidate: enterprise('新锐科技', '2013-01-01'),
        dossier: dossierFor(p2023, 'emerging-enterprise'),
      });
      // Refused, in turn: the same enterprise again, a nameless candidate, a unit off the roster, a
      // list the programme does not have.
      const refusals: Array<[unitId: string, request: NominateRequest, refusal: Partial<Rejection>]> = [
        [
          'cmes',
          {
            idempotencyKey: 'cmes-e3',
            listId: 'emerging-enterprise',
            candidate: enterprise('新锐科技', '2015-01-01'),
          },
          { code: 'DUPLICATE' },
        ],
        [
          'cmes',
          { idempotencyKey: 'cmes-e4', listId: 'emerging-enterprise', candidate: { name: '' } as Candidate },
          { code: 'INVALID', field: 'candidate.name' },
        ],
        [
          'nobody',
          { idempotencyKey: 'n', listId: 'pioneer-tech', candidate: tech('n') },
          { code: 'UNKNOWN_UNIT' },
        ],
        [
          'cmes',
          { idempotencyKey: 'u', listId: 'no-such-list', candidate: tech('u') },
          { code: 'UNKNOWN_LIST' },
        ],
      ];
      for (const [unitId, request, refusal] of refusals)
        expect(await rejectionOf(api.nominate(cycleId, unitId, request))).toMatchObject(refusal);
      const managerNomination = await api.nominate(cycleId, 'jiangsu-cast', {
        idempotencyKey: 'js-m1',
        listId: 'tech-manager-pioneer',
        candidate: manager('王技术经理'),
        dossier: dossierFor(p2023, 'tech-manager-pioneer'),
      });

      // One unit's collection is extended past the common deadline.
      await api.extend(cycleId, {
        scope: { kind: 'unit', unitId: 'buaa-cast' },
        until: beijingToEpochMs('2023-12-02 24:00'),
        reason: '材料补正',
      });

      // The closing second: 23:59:59 accepted, 00:00:00 the next day refused.
      await stack.sleepUntil(beijingToEpochMs('2023-11-30 24:00') - 1000, offset);
      const lastSecond = await api.nominate(cycleId, 'cmes', electronicsTech('cmes-last', '最后一秒'));
      expect(lastSecond.submittedAt).toBeLessThan(beijingToEpochMs('2023-11-30 24:00'));
      await stack.sleepUntil(beijingToEpochMs('2023-12-01 00:00') + 200, offset);
      expect(
        await rejectionOf(api.nominate(cycleId, 'cmes', electronicsTech('cmes-late', '迟到'))),
      ).toMatchObject({ code: 'COLLECTION_CLOSED' });
      const extended = await api.nominate(cycleId, 'buaa-cast', electronicsTech('buaa-1', '延期技术'));
      expect((await api.status(cycleId)).stage).toBe('collection');

      // A pause from 12-01 00:00 to 12-02 12:00 shifts every later deadline by its 36 hours.
      const before = await api.status(cycleId);
      await api.pause(cycleId, '系统维护');
      await stack.sleepUntil(beijingToEpochMs('2023-12-02 12:00'), offset);
      await api.resume(cycleId, '维护结束');
      const after = await api.status(cycleId);
      const shift = after.deadlines.preliminaryReviewDueAt - before.deadlines.preliminaryReviewDueAt;
      expect(Math.abs(shift - 36 * 3_600_000)).toBeLessThan(60_000);
      expect(after.unitExtensions['buaa-cast'] - beijingToEpochMs('2023-12-02 24:00')).toBe(shift);

      await stack.sleepUntil(after.unitExtensions['buaa-cast'] + 60_000, offset);
      const inReview = await api.status(cycleId);
      expect(inReview.stage).toBe('preliminary-review');
      const electronics = inReview.parts.find((p) => p.fieldId === 'electronics');
      expect(electronics?.nominations).toBe(3 + 6 + 1 + 1);

      // Bodies: one reports early, one on time, one never (escalated at the deadline).
      const electronicsIds = (await api.reviewState(cycleId, 'info-tech-consortium')).parts[0].nominationIds;
      expect(electronicsIds).toContain(extended.id);
      expect(
        (
          await rejectionOf(
            api.reportReview(cycleId, 'info-tech-consortium', {
              listId: 'pioneer-tech',
              fieldId: 'electronics',
              results: [{ nominationId: young.id, verdict: 'recommended' }],
            }),
          )
        ).code,
      ).toBe('UNKNOWN_NOMINATION');
      const early = await api.reportReview(cycleId, 'info-tech-consortium', {
        listId: 'pioneer-tech',
        fieldId: 'electronics',
        results: electronicsIds.map((id, i) => ({
          nominationId: id,
          rank: i + 1,
          verdict: i < 2 ? 'recommended' : 'not-recommended',
        })),
      });
      const repeated = await api.reportReview(cycleId, 'info-tech-consortium', {
        listId: 'pioneer-tech',
        fieldId: 'electronics',
        results: [],
      });
      expect(repeated.reportedAt).toBe(early.reportedAt);
      await stack.sleepUntil(after.deadlines.preliminaryReviewDueAt - 3_600_000, offset);
      await api.reportReview(cycleId, 'kczg-secretariat', {
        listId: 'emerging-enterprise',
        results: [{ nominationId: young.id, score: 88, verdict: 'recommended' }],
      });
      await stack.sleepUntil(after.deadlines.preliminaryReviewDueAt + 60_000, offset);
      const finalStage = await api.status(cycleId);
      expect(finalStage.stage).toBe('final-review');
      expect(finalStage.escalated).toEqual(['ittn (tech-manager-pioneer)']);
      expect(managerNomination.listId).toBe('tech-manager-pioneer');

      // Final review picks from the shortlists only.
      expect(
        (
          await rejectionOf(
            api.finalComplete(cycleId, {
              winners: [{ listId: 'emerging-enterprise', nominationIds: [electronicsIds[5]] }],
            }),
          )
        ).code,
      ).toBe('UNKNOWN_NOMINATION');
      await api.finalComplete(cycleId, {
        winners: [
          {
            listId: 'pioneer-tech',
            fieldId: 'electronics',
            nominationIds: [electronicsIds[1], electronicsIds[0]],
          },
          { listId: 'emerging-enterprise', nominationIds: [young.id] },
        ],
      });
      await stack.sleepUntil(after.deadlines.publicationAt + 60_000, offset);
      const done = await api.status(cycleId);
      expect(done.stage).toBe('promotion');
      expect(done.published?.winners).toBe(3);

      // Published files, by content: Chinese headings, final-review order, all four formats.
      const outDir = done.published?.outDir as string;
      const csv = fs.readFileSync(path.join(outDir, 'pioneer-tech.csv'), 'utf8');
      const lines = csv
        .replace(/^\uFEFF/, '')
        .trim()
        .split('\r\n');
      expect(lines[0]).toBe('"序号","榜单","领域","名称","推荐单位","推荐编号"');
      expect(lines).toHaveLength(3);
      expect(lines[1]).toContain(electronicsIds[1]);
      expect(lines[2]).toContain(electronicsIds[0]);
      const json = JSON.parse(fs.readFileSync(path.join(outDir, 'emerging-enterprise.json'), 'utf8'));
      expect(json.rows).toEqual([
        expect.objectContaining({
          序号: 1,
          名称: '新锐科技',
          榜单: '“科创中国”新锐企业榜',
          推荐单位: '中国机械工程学会',
        }),
      ]);
      expect(fs.readFileSync(path.join(outDir, 'pioneer-tech.html'), 'utf8')).toContain('<th>名称</th>');
      expect(fs.statSync(path.join(outDir, 'pioneer-tech.xlsx')).size).toBeGreaterThan(1000);

      // Mail went out: the escalation to the secretariat names the silent body.
      const outbox = await listOutbox(stack.outboxDir);
      expect(outbox.length).toBeGreaterThan(20);
      expect(outbox.some((m) => m.to.includes(p2023.secretariat.contacts[0].email))).toBe(true);
    });
  });
});
