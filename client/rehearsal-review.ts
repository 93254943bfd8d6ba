/**
 * The rehearsal's expert review: each reporting body files a plan (three criteria, five experts,
 * one of them from the first nominating unit so a conflict is detected), assigns three experts per
 * dossier, one expert recuses themselves from a dossier (declared conflict) and is replaced, every
 * expert scores what they are assigned, the chair confirms each part (top 30% recommended), and
 * the body's score sheet is written as XLSX to `<outDir>/score-sheets/<body>.xlsx`.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ReviewPlan } from '../domain/review-plan';
import type { ScoreSheet } from '../domain/scoring';
import type { ReviewBodyState } from '../workflows/messages';
import type { KczgClient } from './api';
import { bodyScoreSheetXlsx } from './score-sheets';

export interface ExpertReviewSummary {
  bodies: number;
  sheets: number;
  /** "<body>: <expert> ↔ <nomination>" of the declared recusal. */
  recused: string[];
  scoreSheets: string[];
}

const ORGANISATIONS = ['清华大学', '北京大学', '浙江大学', '中国科学院计算技术研究所'];

function rehearsalPlan(bodyId: string, conflictingOrganisation: string): ReviewPlan {
  const organisations = [...ORGANISATIONS, conflictingOrganisation];
  return {
    criteria: [
      { id: 'innovation', name: { zh: '创新性', en: 'Innovation' }, weight: 40, min: 0, max: 100, step: 1 },
      { id: 'impact', name: { zh: '引领带动作用', en: 'Impact' }, weight: 35, min: 0, max: 100, step: 1 },
      { id: 'maturity', name: { zh: '成熟度', en: 'Maturity' }, weight: 25, min: 0, max: 10, step: 0.5 },
    ],
    experts: organisations.map((organisation, i) => ({
      id: `e0${i + 1}`,
      name: `评审专家${i + 1}`,
      email: `e0${i + 1}@${bodyId}.experts.example.org`,
      organisation,
    })),
    expertsPerNomination: 3,
  };
}

/** A deterministic score from the expert and the nomination (the same rehearsal, the same sheets). */
function sheetFor(expertId: string, nominationId: string): ScoreSheet {
  let seed = 0;
  for (const char of `${expertId}/${nominationId}`) seed = (seed * 31 + char.charCodeAt(0)) % 9973;
  return {
    nominationId,
    scores: {
      innovation: 60 + (seed % 40),
      impact: 55 + ((seed >> 2) % 45),
      maturity: 5 + ((seed >> 3) % 10) / 2,
    },
    recommend: seed % 3 !== 0,
  };
}

async function reviewOneBody(
  api: KczgClient,
  cycleId: string,
  bodyId: string,
  recuse: boolean,
): Promise<{ state: ReviewBodyState; sheets: number; recused?: string }> {
  const initial = await api.reviewState(cycleId, bodyId);
  const first = initial.parts.flatMap((p) => p.nominations ?? [])[0];
  const plan = rehearsalPlan(bodyId, first?.unitName ?? '—');
  await api.review.fileReviewPlan(cycleId, bodyId, plan);
  const assignments = async () => {
    await api.review.assignExperts(cycleId, bodyId, { auto: true });
    return (await api.reviewState(cycleId, bodyId)).expertReview?.assignments ?? {};
  };
  let assigned = await assignments();
  let recused: string | undefined;
  const [nominationId, experts] = Object.entries(assigned)[0] ?? [];
  if (recuse && nominationId && experts?.length) {
    await api.review.declareConflict(cycleId, bodyId, {
      expertId: experts[0],
      nominationId,
      reason: '与候选团队有合作关系，主动回避 / recused: worked with the candidate team',
    });
    assigned = await assignments();
    recused = `${bodyId}: ${experts[0]} ↔ ${nominationId}`;
  }
  let sheets = 0;
  for (const expert of plan.experts) {
    const mine = Object.entries(assigned)
      .filter(([, ids]) => ids.includes(expert.id))
      .map(([id]) => sheetFor(expert.id, id));
    if (mine.length === 0) continue;
    await api.review.submitScores(cycleId, bodyId, expert.id, mine);
    sheets += mine.length;
  }
  for (const part of initial.parts) {
    await api.review.confirmShortlist(cycleId, bodyId, {
      listId: part.listId,
      ...(part.fieldId ? { fieldId: part.fieldId } : {}),
      top: Math.max(1, Math.ceil(part.nominationIds.length * 0.3)),
    });
  }
  return { state: await api.reviewState(cycleId, bodyId), sheets, ...(recused ? { recused } : {}) };
}

/** Runs the expert review of `bodies` (the first recuses one expert) and writes their score sheets. */
export async function runExpertReview(
  api: KczgClient,
  cycleId: string,
  bodies: readonly string[],
  outDir: string,
): Promise<ExpertReviewSummary> {
  const folder = path.join(outDir, 'score-sheets');
  fs.mkdirSync(folder, { recursive: true });
  const summary: ExpertReviewSummary = { bodies: 0, sheets: 0, recused: [], scoreSheets: [] };
  for (const [i, bodyId] of bodies.entries()) {
    const done = await reviewOneBody(api, cycleId, bodyId, i === 0);
    const file = path.join(folder, `${bodyId}.xlsx`);
    fs.writeFileSync(file, await bodyScoreSheetXlsx(done.state));
    summary.bodies++;
    summary.sheets += done.sheets;
    if (done.recused) summary.recused.push(done.recused);
    summary.scoreSheets.push(file);
  }
  return summary;
}
