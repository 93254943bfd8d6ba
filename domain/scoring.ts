/**
 * Experts' score sheets and the one rule that turns them into a ranked shortlist. Pure.
 *
 * The rule (stated here only; `kczg review status` and the score sheets quote it):
 * 1. An expert's total for a nomination is the weighted sum of their criterion scores, the
 *    weights taken as fractions of their total (1 or 100): Σ score × weight ÷ Σ weight.
 * 2. A nomination's score is the mean of its experts' totals; with 5 or more totals the single
 *    highest and single lowest are dropped first (去掉一个最高分和一个最低分).
 * 3. Ranked by score, higher first; ties go to more "recommend" votes, then the higher median
 *    total, then the nomination id (alphabetical), so the order never depends on arrival.
 * Scores are rounded to 4 decimals before they are compared.
 */
import { onScale, weightTotal, type ReviewPlan } from './review-plan';
import type { Rejection } from './rejections';
import { excerpt, textIssue } from './text';

export const AGGREGATION_RULE = {
  zh: '专家得分 = Σ(指标分 × 权重) ÷ 权重和；推荐对象得分 = 专家得分平均值（评分专家 ≥5 人时去掉一个最高分和一个最低分）；同分依次比较推荐票数、专家得分中位数、推荐编号',
  en: 'expert total = Σ(score × weight) ÷ Σ weight; nomination score = mean of totals (with ≥5 experts the highest and lowest are dropped); ties: more recommend votes, higher median, then nomination id',
};

/** From this many totals the extremes are dropped. */
export const TRIM_FROM = 5;

export interface ScoreSheet {
  nominationId: string;
  /** criterion id → score on its scale. */
  scores: Record<string, number>;
  /** The expert recommends the nomination (推荐 / 不推荐). */
  recommend: boolean;
  comment?: string;
}

export interface ExpertTotal {
  expertId: string;
  total: number;
  recommend: boolean;
}

export interface NominationScore {
  nominationId: string;
  score: number;
  /** The totals it was computed from, by expert. */
  totals: ExpertTotal[];
  trimmed: boolean;
  recommendVotes: number;
  median: number;
}

const round4 = (value: number) => Math.round(value * 1e4) / 1e4;
const SHEET_KEYS = ['nominationId', 'scores', 'recommend', 'comment'];

function invalid(field: string, rule: string, message: string, fix: string): Rejection {
  return { code: 'INVALID', field, rule, message, fix };
}

/** A sheet's first problem against the plan's criteria (the nomination is checked by the caller). */
export function scoreSheetRejection(plan: ReviewPlan, sheet: unknown, at: string): Rejection | undefined {
  if (typeof sheet !== 'object' || sheet === null || Array.isArray(sheet))
    return invalid(
      at,
      'type',
      '评分表须为对象 / a score sheet must be an object',
      '按模板填写 / follow the template',
    );
  const record = sheet as Record<string, unknown>;
  const extra = Object.keys(record).find((key) => !SHEET_KEYS.includes(key));
  if (extra !== undefined)
    return invalid(
      `${at}.${excerpt(extra)}`,
      'unknown-key',
      '未知字段 / unknown field',
      `可用字段 / known fields: ${SHEET_KEYS.join(', ')}`,
    );
  if (typeof record.nominationId !== 'string')
    return invalid(
      `${at}.nominationId`,
      'required',
      '缺少推荐编号 / nominationId is required',
      '填写推荐编号 / give the nomination id',
    );
  if (typeof record.recommend !== 'boolean')
    return invalid(
      `${at}.recommend`,
      'boolean',
      '须注明是否推荐（true/false）/ recommend must be true or false',
      '填写 true 或 false',
    );
  if (record.comment !== undefined && (typeof record.comment !== 'string' || record.comment.length > 2_000))
    return invalid(
      `${at}.comment`,
      'max-length',
      '评语须为 2000 字以内的文本 / the comment must be text of at most 2,000 characters',
      '缩短评语 / shorten it',
    );
  const commentIssue = typeof record.comment === 'string' ? textIssue(record.comment, 'free') : undefined;
  if (commentIssue)
    return invalid(`${at}.comment`, commentIssue.rule, commentIssue.message, commentIssue.fix);
  const scores = record.scores;
  if (typeof scores !== 'object' || scores === null || Array.isArray(scores))
    return invalid(
      `${at}.scores`,
      'required',
      '缺少各项指标得分 / scores are required',
      '按指标编号填写分数 / score each criterion',
    );
  const unknown = Object.keys(scores).find((id) => !plan.criteria.some((c) => c.id === id));
  if (unknown !== undefined)
    return invalid(
      `${at}.scores.${excerpt(unknown)}`,
      'criterion',
      '评审方案中没有该指标 / the plan has no such criterion',
      `指标 / criteria: ${plan.criteria.map((c) => c.id).join(', ')}`,
    );
  for (const c of plan.criteria) {
    const value = (scores as Record<string, unknown>)[c.id];
    const field = `${at}.scores.${c.id}`;
    if (value === undefined)
      return invalid(
        field,
        'required',
        `缺少指标「${c.name.zh}」的得分 / no score for ${c.name.en ?? c.id}`,
        '每项指标都须打分 / score every criterion',
      );
    if (typeof value !== 'number' || !onScale(value, c))
      return invalid(
        field,
        'scale',
        `「${c.name.zh}」的分数须在 ${c.min}–${c.max} 之间、步长 ${c.step} / ${c.name.en ?? c.id} must be ${c.min}–${c.max} in steps of ${c.step}`,
        `按评分标准打分 / score within ${c.min}–${c.max}`,
      );
  }
  return undefined;
}

/** Rule 1: an expert's weighted total. */
export function weightedTotal(plan: ReviewPlan, scores: Record<string, number>): number {
  const total = plan.criteria.reduce((sum, c) => sum + c.weight * scores[c.id], 0);
  return round4(total / weightTotal(plan));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : round4((sorted[mid - 1] + sorted[mid]) / 2);
}

/** Rule 2: a nomination's score from its experts' totals. */
export function nominationScore(nominationId: string, totals: ExpertTotal[]): NominationScore {
  const values = totals.map((t) => t.total).sort((a, b) => a - b);
  const trimmed = values.length >= TRIM_FROM;
  const kept = trimmed ? values.slice(1, -1) : values;
  return {
    nominationId,
    score: kept.length ? round4(kept.reduce((a, b) => a + b, 0) / kept.length) : 0,
    totals,
    trimmed,
    recommendVotes: totals.filter((t) => t.recommend).length,
    median: values.length ? median(values) : 0,
  };
}

/** Rule 3: the ranking, ties broken as stated. */
export function rankScores(scores: readonly NominationScore[]): NominationScore[] {
  return [...scores].sort(
    (a, b) =>
      b.score - a.score ||
      b.recommendVotes - a.recommendVotes ||
      b.median - a.median ||
      (a.nominationId < b.nominationId ? -1 : a.nominationId > b.nominationId ? 1 : 0),
  );
}

/**
 * The ranked shortlist as the body reports it: each nomination scored, ranked, and recommended
 * when it is within the chair's `top` (or, without one, when most of its experts recommend it).
 */
export function shortlist(
  ranked: readonly NominationScore[],
  top?: number,
): Array<{ nominationId: string; rank: number; score: number; verdict: 'recommended' | 'not-recommended' }> {
  return ranked.map((s, i) => {
    const recommended = top === undefined ? s.recommendVotes * 2 > s.totals.length : i < top;
    return {
      nominationId: s.nominationId,
      rank: i + 1,
      score: s.score,
      verdict: recommended ? 'recommended' : 'not-recommended',
    };
  });
}
