/**
 * The checks each expert-review request passes before it touches the panel (update validators:
 * a refused request is never written to history). Shapes and limits first, then the rules of
 * domain/review-plan.ts, assignment.ts and scoring.ts against the panel's state.
 */
import { conflictOf, conflictText, manualAssignmentRejection } from '../../domain/assignment';
import { sizeRejection, structureRejection } from '../../domain/limits';
import { quotaKey } from '../../domain/quota';
import type { Rejection } from '../../domain/rejections';
import { reviewPlanRejection, type ReviewPlan } from '../../domain/review-plan';
import { scoreSheetRejection } from '../../domain/scoring';
import { excerpt, textIssue } from '../../domain/text';
import type {
  AssignExpertsRequest,
  ConfirmShortlistRequest,
  DeclareConflictRequest,
  ReviewPartState,
  SubmitScoresRequest,
} from '../messages';
import { rejectWith } from '../refusals';
import type { ExpertPanel } from './experts';

const MAX_SHEETS = 1_000;

function refuse(rejection: Rejection | undefined): void {
  if (rejection) rejectWith(rejection);
}

/** Limits, nesting and unknown keys of a request (its values are checked below). */
export function assertShape(request: unknown, known: readonly string[]): void {
  refuse(structureRejection(request) ?? sizeRejection(request));
  if (typeof request !== 'object' || request === null || Array.isArray(request))
    rejectWith({
      code: 'INVALID',
      field: 'request',
      rule: 'type',
      message: '请求须为对象 / the request must be an object',
    });
  const extra = Object.keys(request).find((key) => !known.includes(key));
  if (extra !== undefined)
    rejectWith({
      code: 'INVALID',
      field: excerpt(extra),
      rule: 'unknown-key',
      message: '未知字段 / unknown field',
      fix: `可用字段 / known fields: ${known.join(', ')}`,
    });
}

/** Open for expert-review work: the body's deadline has not passed and the cycle is not over. */
export function assertOpen(args: { finished: boolean; now: number; dueAt: number }): void {
  if (args.finished)
    rejectWith({ code: 'WRONG_STAGE', rule: 'stage', message: '本轮已结束 / the cycle is over' });
  if (args.now >= args.dueAt)
    rejectWith({
      code: 'WRONG_STAGE',
      rule: 'deadline',
      message: '初评截止时间已过 / the review deadline has passed',
      fix: '请秘书处延长本榜单的评审期限（kczg cycle extend --part …）/ ask the secretariat to extend the part',
    });
}

export function assertPlanFiled(panel: ExpertPanel): ReviewPlan {
  if (!panel.plan)
    rejectWith({
      code: 'WRONG_STAGE',
      field: 'plan',
      rule: 'plan-required',
      message: '评审方案尚未备案 / the review plan has not been filed',
      fix: '先备案评审方案：kczg review plan --body … --file plan.json / file the plan first',
    });
  return panel.plan;
}

export function assertPlan(plan: unknown, panel: ExpertPanel): void {
  refuse(reviewPlanRejection(plan));
  if (Object.values(panel.assignments).some((ids) => ids.length > 0))
    rejectWith({
      code: 'WRONG_STAGE',
      field: 'plan',
      rule: 'plan-locked',
      message: '已分配专家，评审方案不能再修改 / experts are assigned: the plan can no longer change',
      fix: '如需调整，请与秘书处联系 / contact the secretariat',
    });
}

function assertOpenNomination(
  panel: ExpertPanel,
  nominationId: unknown,
  field: string,
  parts: ReadonlyMap<string, ReviewPartState>,
) {
  const nomination = typeof nominationId === 'string' ? panel.nominations.get(nominationId) : undefined;
  if (!nomination)
    rejectWith({
      code: 'UNKNOWN_NOMINATION',
      field,
      message: '本机构没有该推荐 / this body does not review that nomination',
      fix: '用 kczg review status 查看 / see kczg review status',
    });
  if (parts.get(quotaKey(nomination.listId, nomination.fieldId))?.reportedAt !== undefined)
    rejectWith({
      code: 'WRONG_STAGE',
      field,
      rule: 'confirmed',
      message: '该榜单（领域）的结果已确认 / that part’s results are confirmed',
    });
  return nomination;
}

export function assertAssignment(
  request: AssignExpertsRequest,
  panel: ExpertPanel,
  parts: ReadonlyMap<string, ReviewPartState>,
): void {
  const plan = assertPlanFiled(panel);
  if (request.auto !== undefined && typeof request.auto !== 'boolean')
    rejectWith({
      code: 'INVALID',
      field: 'auto',
      rule: 'boolean',
      message: 'auto 须为 true 或 false / auto must be true or false',
    });
  if (request.auto) return;
  if (!Array.isArray(request.expertIds) || request.expertIds.length === 0)
    rejectWith({
      code: 'INVALID',
      field: 'expertIds',
      rule: 'required',
      message: '须列出专家编号 / list the experts',
      fix: '或用 --auto 自动分配 / or assign with --auto',
    });
  const nomination = assertOpenNomination(panel, request.nominationId, 'nominationId', parts);
  refuse(manualAssignmentRejection(plan, nomination, request.expertIds.map(String), panel.declared));
}

/** A reason given: one to 500 characters of free text (line breaks allowed). */
function assertReason(reason: unknown, missing: string, example: string): void {
  if (typeof reason !== 'string' || reason.trim() === '')
    rejectWith({ code: 'INVALID', field: 'reason', rule: 'required', message: missing, fix: example });
  if (reason.length > 500)
    rejectWith({
      code: 'INVALID',
      field: 'reason',
      rule: 'max-length',
      message: '理由至多 500 字 / the reason is longer than 500 characters',
      fix: '缩短理由 / shorten it',
      limit: 500,
    });
  const issue = textIssue(reason, 'free');
  if (issue)
    rejectWith({
      code: 'INVALID',
      field: 'reason',
      rule: issue.rule,
      message: issue.message,
      fix: issue.fix,
    });
}

export function assertConflictDeclaration(
  request: DeclareConflictRequest,
  panel: ExpertPanel,
  parts: ReadonlyMap<string, ReviewPartState>,
): void {
  const plan = assertPlanFiled(panel);
  if (!plan.experts.some((e) => e.id === request.expertId))
    rejectWith({
      code: 'INVALID',
      field: 'expertId',
      rule: 'panel',
      message: '该专家不在评审方案的专家名单中 / not on the filed panel',
    });
  assertOpenNomination(panel, request.nominationId, 'nominationId', parts);
  assertReason(
    request.reason,
    '须说明回避理由 / give the reason for the conflict',
    '如：曾与候选人合作 / e.g. co-authored with the candidate',
  );
  if (panel.declared.some((d) => d.expertId === request.expertId && d.nominationId === request.nominationId))
    rejectWith({
      code: 'DUPLICATE',
      field: 'nominationId',
      message: '已申报过该回避 / this conflict is already declared',
    });
}

export function assertScores(
  request: SubmitScoresRequest,
  panel: ExpertPanel,
  parts: ReadonlyMap<string, ReviewPartState>,
): void {
  const plan = assertPlanFiled(panel);
  const expert = plan.experts.find((e) => e.id === request.expertId);
  if (!expert)
    rejectWith({
      code: 'INVALID',
      field: 'expertId',
      rule: 'panel',
      message: '该专家不在评审方案的专家名单中 / not on the filed panel',
    });
  if (!Array.isArray(request.sheets) || request.sheets.length === 0 || request.sheets.length > MAX_SHEETS)
    rejectWith({
      code: 'INVALID',
      field: 'sheets',
      rule: 'items',
      message: `须提交 1–${MAX_SHEETS} 份评分表 / 1–${MAX_SHEETS} score sheets`,
    });
  const seen = new Set<string>();
  request.sheets.forEach((sheet, i) => {
    const at = `sheets[${i}]`;
    refuse(scoreSheetRejection(plan, sheet, at));
    const nomination = assertOpenNomination(panel, sheet.nominationId, `${at}.nominationId`, parts);
    if (seen.has(nomination.id))
      rejectWith({
        code: 'DUPLICATE',
        field: `${at}.nominationId`,
        message: '同一推荐提交了两份评分 / two sheets for one nomination',
      });
    seen.add(nomination.id);
    const conflict = conflictOf(expert, nomination, panel.declared);
    if (conflict)
      rejectWith({
        code: 'NOT_ALLOWED',
        field: `${at}.nominationId`,
        rule: 'conflict-of-interest',
        message: `须回避该推荐：${conflictText(conflict.source)}`,
        fix: '该推荐由其他专家评分 / other experts score it',
      });
    if (!(panel.assignments[nomination.id] ?? []).includes(expert.id))
      rejectWith({
        code: 'NOT_ALLOWED',
        field: `${at}.nominationId`,
        rule: 'not-assigned',
        message: '该推荐未分配给此专家 / that nomination is not assigned to this expert',
        fix: '只为分配给您的推荐评分 / score only what you are assigned',
      });
  });
}

export function assertConfirmation(
  request: ConfirmShortlistRequest,
  panel: ExpertPanel,
  parts: ReadonlyMap<string, ReviewPartState>,
  bodyId: string,
): ReviewPartState {
  assertPlanFiled(panel);
  if (
    typeof request.listId !== 'string' ||
    (request.fieldId !== undefined && typeof request.fieldId !== 'string')
  )
    rejectWith({
      code: 'INVALID',
      field: 'listId',
      rule: 'type',
      message: '榜单、领域编号须为文本 / listId and fieldId must be strings',
    });
  const part = parts.get(quotaKey(request.listId, request.fieldId));
  if (!part)
    rejectWith({
      code: 'UNKNOWN_LIST',
      field: request.fieldId ? 'fieldId' : 'listId',
      message: `评审机构 ${bodyId} 不负责该榜单（领域）/ body ${bodyId} does not review that list or field`,
      fix: `本机构负责 / this body reviews: ${[...parts.keys()].join(', ')}`,
    });
  if (part.reportedAt !== undefined)
    rejectWith({
      code: 'WRONG_STAGE',
      field: 'listId',
      rule: 'confirmed',
      message: '该榜单（领域）的结果已确认 / that part’s results are already confirmed',
    });
  if (request.top !== undefined && (!Number.isInteger(request.top) || request.top < 0))
    rejectWith({
      code: 'INVALID',
      field: 'top',
      rule: 'integer',
      message: '推荐名额须为非负整数 / top must be a whole number',
    });
  const reason = request.reason;
  if (reason !== undefined)
    assertReason(reason, '理由不能为空 / the reason must not be empty', '说明理由 / give the reason');
  const owing = panel.owingFor(part);
  if (owing.length > 0 && (typeof reason !== 'string' || reason.trim() === ''))
    rejectWith({
      code: 'NOT_ALLOWED',
      field: 'reason',
      rule: 'scores-outstanding',
      message: `尚有 ${owing.length} 份评分表未提交，提前确认须说明理由 / ${owing.length} score sheets are outstanding: confirming now needs a reason`,
      fix: '等待评分完成，或加 --reason 说明理由（记入审计）/ wait for the scores, or give --reason (audited)',
    });
  return part;
}
