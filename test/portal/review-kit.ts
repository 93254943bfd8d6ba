/**
 * A review body with a filed plan and assigned experts, for the portal's expert and chair tests:
 * a keyed copy of national-2023 (portal-kit.ts) where two units nominate three technologies to
 * pioneer-tech/electronics, each dossier with a real PDF in the attachment store; at the
 * hand-over info-tech-consortium files the plan of the expert-review tests (two experts per
 * dossier; e2 belongs to 中国电子学会 and e5 to 中国机械工程学会, detected conflicts) and assigns.
 */
import { KczgClient } from '../../client/api';
import { generateAttachmentPdf } from '../../client/rehearsal-attachments';
import { beijingToEpochMs } from '../../domain/calendar';
import type { ReviewPlan } from '../../domain/review-plan';
import type { AttachmentStore } from '../../storage/attachments';
import type { Nomination } from '../../workflows/messages';
import { testPlan } from '../domain/expert-fixtures';
import { dossierFor, electronicsTech } from '../support/candidates';
import type { TestStack } from '../support/stack';
import { eventually } from '../support/time-skipping';
import { credential, startKeyedCycle } from './portal-kit';

export const BODY = 'info-tech-consortium';

export const reviewPlan: ReviewPlan = testPlan({
  weights: [60, 40],
  impact: { max: 100, step: 0.5 },
  organisations: ['清华大学', '中国电子学会', '北京大学', '浙江大学', '中国机械工程学会'],
  expertsPerNomination: 2,
});

export interface ReviewFixture {
  programmeId: string;
  cycleId: string;
  nominations: Nomination[];
  /** nomination id → its experts, as assigned. */
  assignments: Record<string, string[]>;
  /** The PDF every dossier attaches, as stored. */
  pdf: Buffer;
  /** A party's client on the keyed cycle ("body:…", "expert:…/e1"). */
  as(party: string): KczgClient;
}

/** Nominations with real attachments, the hand-over, the plan filed and experts assigned. */
export async function startReviewPanel(
  stack: TestStack,
  programmeId: string,
  store: AttachmentStore,
): Promise<ReviewFixture> {
  const { cycleId } = await startKeyedCycle(stack, programmeId, '2023-11-20 09:00');
  const as = (party: string) => new KczgClient(stack.env.client, { credential: credential(cycleId, party) });
  const pdf = await generateAttachmentPdf('申报书', ['expert review application form']);
  const { ref } = await store.put({ bytes: pdf, name: '申报书.pdf', slot: 'application-form' });
  const dossier = { ...dossierFor('national-2023', 'pioneer-tech', 'electronics'), attachments: [ref] };
  const nominate = (unit: string, key: string, name: string) =>
    as(`unit:${unit}`).nominate(cycleId, unit, { ...electronicsTech(key, name), dossier });
  const nominations = [
    await nominate('cie', 'cie-1', '量子通信芯片'),
    await nominate('cie', 'cie-2', '存算一体芯片'),
    await nominate('cmes', 'cmes-1', '工业机器人控制器'),
  ];
  const offset = (await stack.api.status(cycleId)).clockOffsetMs;
  await stack.sleepUntil(beijingToEpochMs('2023-12-01 10:00'), offset);
  await eventually('the body to start', async () =>
    (await stack.api.reviewState(cycleId, BODY).catch(() => undefined))?.expertReview ? true : undefined,
  );
  const body = as(`body:${BODY}`);
  await body.review.fileReviewPlan(cycleId, BODY, reviewPlan);
  await body.review.assignExperts(cycleId, BODY, { auto: true });
  const { expertReview } = await stack.api.reviewState(cycleId, BODY);
  return {
    programmeId,
    cycleId,
    nominations,
    assignments: expertReview?.assignments ?? {},
    pdf,
    as,
  };
}

/** An expert assigned to `nominationId`, and one of the panel who is not (and has no conflict with it). */
export function expertsAround(fixture: ReviewFixture, nominationId: string) {
  const on = fixture.assignments[nominationId];
  const unitOf = fixture.nominations.find((n) => n.id === nominationId)?.unitId;
  const conflicted = unitOf === 'cie' ? 'e2' : 'e5';
  const off = reviewPlan.experts.map((e) => e.id).find((e) => !on.includes(e) && e !== conflicted);
  if (!off) throw new Error(`every expert is on ${nominationId}`);
  return { assigned: on[0], other: on[1], unassigned: off };
}
