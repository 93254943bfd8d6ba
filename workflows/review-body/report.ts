/**
 * The checks a review body's report passes: a part this body reviews, and for each entry a
 * nomination of that part (once), a verdict, and optional score, rank and comment of the right type.
 */
import { quotaKey } from '../../domain/quota';
import type { ReviewPartState, ReviewReport } from '../messages';
import { rejectWith } from '../refusals';

/** The part the report is about, or the refusal naming what is wrong. */
export function assertReportedPart(
  report: ReviewReport,
  parts: ReadonlyMap<string, ReviewPartState>,
  bodyId: string,
): ReviewPartState {
  if (
    typeof report?.listId !== 'string' ||
    (report.fieldId !== undefined && typeof report.fieldId !== 'string')
  ) {
    rejectWith({
      code: 'INVALID',
      field: typeof report?.listId !== 'string' ? 'listId' : 'fieldId',
      rule: 'type',
      message: '榜单、领域编号须为文本 / listId and fieldId must be strings',
    });
  }
  const part = parts.get(quotaKey(report.listId, report.fieldId));
  if (!part) {
    rejectWith({
      code: 'UNKNOWN_LIST',
      field: report?.fieldId ? 'fieldId' : 'listId',
      message: `评审机构 ${bodyId} 不负责 ${quotaKey(report?.listId ?? '?', report?.fieldId)} / body ${bodyId} does not review that list or field`,
      fix: `本机构负责 / this body reviews: ${[...parts.keys()].join(', ')}`,
    });
  }
  if (!Array.isArray(report.results)) {
    rejectWith({
      code: 'INVALID',
      field: 'results',
      rule: 'required',
      message: '缺少评审结果 / results must be a list',
    });
  }
  return part;
}

/** Every entry names one of the part's nominations, once, with a verdict. */
export function assertResults(results: ReviewReport['results'], part: ReviewPartState): void {
  const known = new Set(part.nominationIds);
  const seen = new Set<string>();
  results.forEach((entry, i) => {
    if (!entry || typeof entry.nominationId !== 'string' || !known.has(entry.nominationId)) {
      rejectWith({
        code: 'UNKNOWN_NOMINATION',
        field: `results[${i}].nominationId`,
        message: `${String(entry?.nominationId)} 不在 ${quotaKey(part.listId, part.fieldId)} 的推荐中 / is not a nomination of this list or field`,
        fix: '只提交本榜单（领域）的推荐结果 / report only this list’s (field’s) nominations',
      });
    }
    if (seen.has(entry.nominationId)) {
      rejectWith({
        code: 'DUPLICATE',
        field: `results[${i}].nominationId`,
        message: `${entry.nominationId} 重复 / listed twice`,
      });
    }
    seen.add(entry.nominationId);
    assertEntryFields(entry, i);
  });
}

function assertEntryFields(entry: ReviewReport['results'][number], i: number): void {
  if (entry.verdict !== 'recommended' && entry.verdict !== 'not-recommended') {
    rejectWith({
      code: 'INVALID',
      field: `results[${i}].verdict`,
      rule: 'enum',
      message: '结论须为 recommended 或 not-recommended / verdict must be recommended or not-recommended',
    });
  }
  if (entry.score !== undefined && (typeof entry.score !== 'number' || !Number.isFinite(entry.score))) {
    rejectWith({
      code: 'INVALID',
      field: `results[${i}].score`,
      rule: 'number',
      message: '分数须为数字 / score must be a number',
    });
  }
  if (entry.rank !== undefined && (!Number.isInteger(entry.rank) || entry.rank < 1)) {
    rejectWith({
      code: 'INVALID',
      field: `results[${i}].rank`,
      rule: 'integer',
      message: '名次须为正整数 / rank must be a whole number from 1',
    });
  }
  if (entry.comment !== undefined && typeof entry.comment !== 'string') {
    rejectWith({
      code: 'INVALID',
      field: `results[${i}].comment`,
      rule: 'string',
      message: '评语须为文本 / comment must be text',
    });
  }
}
