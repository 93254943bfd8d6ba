/**
 * The secretariat's steering of a cycle (extend, pause, resume, cancel, mail holds, final
 * results), checked against the cycle's current state. Pure: each check returns the rejection
 * that refuses the request, or undefined when it is acceptable. The cycle workflow's update
 * validators call them (after the credential check) and throw what they return.
 */
import { formatDeadline } from './calendar';
import { quotaKey } from './quota';
import type { Rejection } from './rejections';

/** The stages steering knows of (workflows/messages.ts StageId). */
export type CycleStage =
  | 'collection-pending'
  | 'collection'
  | 'preliminary-review'
  | 'final-review'
  | 'awaiting-publication'
  | 'promotion'
  | 'closed'
  | 'cancelled';

/** What a steering check needs to know of the cycle. */
export interface SteeringView {
  /** Programme time now, epoch ms. */
  now: number;
  stage: CycleStage;
  paused: boolean;
  /** The common collection deadline (without units' extensions). */
  collectionClosesAt: number;
  promotionUntil: number;
  unitIds: readonly string[];
  /** Keys (quotaKey) of the reviewed parts. */
  partKeys: ReadonlySet<string>;
}

export type ExtensionScope =
  | { kind: 'stage'; stage: 'collection' | 'preliminary-review' | 'final-review' }
  | { kind: 'unit'; unitId: string }
  | { kind: 'part'; listId: string; fieldId?: string };

export interface ExtensionRequest {
  scope: ExtensionScope;
  until: number;
  reason: string;
}

const EXTENSIBLE_STAGES = ['collection', 'preliminary-review', 'final-review'];

/** Closed and cancelled cycles take no more steering. */
export function overRejection(stage: CycleStage): Rejection | undefined {
  if (stage !== 'closed' && stage !== 'cancelled') return undefined;
  return {
    code: 'WRONG_STAGE',
    rule: 'stage',
    message: `本轮已${stage === 'cancelled' ? '取消' : '结束'} / the cycle is ${stage}`,
  };
}

/** Pause, resume and cancel say why, as extensions do: the reason goes into the audit. */
export function reasonRejection(request: { reason?: unknown } | undefined): Rejection | undefined {
  if (typeof request?.reason === 'string' && request.reason.trim()) return undefined;
  return {
    code: 'INVALID',
    field: 'reason',
    rule: 'required',
    message: '须说明理由 / a reason is required',
    fix: '--reason "…"',
  };
}

export function pauseRejection(
  request: { reason?: unknown } | undefined,
  view: SteeringView,
): Rejection | undefined {
  return (
    overRejection(view.stage) ??
    reasonRejection(request) ??
    (view.paused
      ? { code: 'WRONG_STAGE', rule: 'paused', message: '时钟已暂停 / the clock is already paused' }
      : undefined)
  );
}

/** A paused clock may be resumed whatever the stage (a cancelled cycle's included). */
export function resumeRejection(
  request: { reason?: unknown } | undefined,
  view: SteeringView,
): Rejection | undefined {
  return (
    reasonRejection(request) ??
    (view.paused
      ? undefined
      : { code: 'WRONG_STAGE', rule: 'paused', message: '时钟未暂停 / the clock is not paused' })
  );
}

export function cancelRejection(
  request: { reason?: unknown } | undefined,
  view: SteeringView,
): Rejection | undefined {
  return overRejection(view.stage) ?? reasonRejection(request);
}

export function mailHoldRejection(
  request: { reminderId?: unknown } | undefined,
  view: SteeringView,
): Rejection | undefined {
  const over = overRejection(view.stage);
  if (over) return over;
  if (typeof request?.reminderId === 'string' && /^[\w:@.-]{1,100}$/.test(request.reminderId))
    return undefined;
  return {
    code: 'INVALID',
    field: 'reminderId',
    rule: 'format',
    message: '邮件计划编号无效 / reminderId must be an id from `kczg mail plan`, e.g. collection:T-7',
  };
}

/** Checks of the new date that hold for every scope. */
function untilRejection(request: Partial<ExtensionRequest>, view: SteeringView): Rejection | undefined {
  if (typeof request.until !== 'number' || !Number.isFinite(request.until)) {
    return {
      code: 'INVALID',
      field: 'until',
      rule: 'date',
      message: '缺少新的截止时间 / until must be a date',
      fix: '例如 / e.g. --until "2023-12-05 24:00"',
    };
  }
  if (typeof request.reason !== 'string' || !request.reason.trim()) {
    return {
      code: 'INVALID',
      field: 'reason',
      rule: 'required',
      message: '延期须说明理由 / an extension needs a reason',
      fix: '--reason "…"',
    };
  }
  if (request.until > view.promotionUntil) {
    return {
      code: 'INVALID',
      field: 'until',
      rule: 'range',
      message:
        '新截止时间须在本年度周期内（不晚于宣传推广结束）/ the new deadline must fall within the programme year (by the end of promotion)',
    };
  }
  if (request.until <= view.now) {
    return {
      code: 'INVALID',
      field: 'until',
      rule: 'future',
      message: '新截止时间须晚于当前时间 / the new deadline must lie in the future',
    };
  }
  return undefined;
}

/** A unit's extension gives it more time than the others, never less, and only during collection. */
function unitExtensionRejection(unitId: string, until: number, view: SteeringView): Rejection | undefined {
  if (!view.unitIds.includes(unitId)) {
    return {
      code: 'UNKNOWN_UNIT',
      field: 'scope.unitId',
      message: `名册中没有单位 ${unitId} / no unit ${unitId} on the roster`,
    };
  }
  if (until < view.collectionClosesAt) {
    const common = formatDeadline(view.collectionClosesAt);
    return {
      code: 'INVALID',
      field: 'until',
      rule: 'not-before-common-deadline',
      message: `单位延期不能早于统一征集截止时间 ${common} / a unit's extension cannot end before the common collection deadline (${common})`,
      fix: `请设为 ${common} 或更晚；要改动所有单位的截止时间，请延期征集阶段（--stage collection）/ set --until to ${common} or later; to move every unit's deadline, extend the collection stage (--stage collection)`,
    };
  }
  if (view.stage !== 'collection' && view.stage !== 'collection-pending') {
    return {
      code: 'WRONG_STAGE',
      rule: 'stage',
      message: `征集已移交评审，不能再为单位延期 / collection was handed over to review (${view.stage}); units can be extended until then`,
    };
  }
  return undefined;
}

function scopeRejection(scope: unknown, until: number, view: SteeringView): Rejection | undefined {
  const given = scope as Partial<Record<'kind' | 'stage' | 'unitId' | 'listId' | 'fieldId', unknown>>;
  if (given?.kind === 'part') {
    if (
      typeof given.listId !== 'string' ||
      (given.fieldId !== undefined && typeof given.fieldId !== 'string')
    ) {
      return {
        code: 'INVALID',
        field: 'scope',
        rule: 'type',
        message: '榜单、领域编号须为文本 / listId and fieldId must be strings',
      };
    }
    const key = quotaKey(given.listId, given.fieldId);
    if (view.partKeys.has(key)) return undefined;
    return {
      code: 'UNKNOWN_LIST',
      field: 'scope',
      message: `没有需评审的 ${key} / no reviewed list or field by that id`,
    };
  }
  if (given?.kind === 'unit') return unitExtensionRejection(given.unitId as string, until, view);
  if (given?.kind === 'stage' && EXTENSIBLE_STAGES.includes(given.stage as string)) return undefined;
  return {
    code: 'INVALID',
    field: 'scope',
    rule: 'enum',
    message: '延期范围须为阶段、单位或榜单（领域）/ scope must be a stage, a unit or a list/field',
  };
}

/** Moving a deadline: a date within the year and in the future, a reason, a known scope. */
export function extendRejection(
  request: Partial<ExtensionRequest> | undefined,
  view: SteeringView,
): Rejection | undefined {
  return (
    overRejection(view.stage) ??
    untilRejection(request ?? {}, view) ??
    scopeRejection(request?.scope, request?.until as number, view)
  );
}

export interface FinalWinners {
  winners: Array<{ listId: string; fieldId?: string; nominationIds: string[] }>;
}

/** Final results pick, per reviewed part, from that part's preliminary shortlist only. */
export function finalResultsRejection(
  results: FinalWinners | undefined,
  view: Pick<SteeringView, 'stage' | 'partKeys'> & { shortlists: ReadonlyMap<string, ReadonlySet<string>> },
): Rejection | undefined {
  if (view.stage !== 'final-review') {
    return {
      code: 'WRONG_STAGE',
      rule: 'stage',
      message: `终评结果只能在终评阶段提交，当前为 ${view.stage} / final results belong to the final-review stage (now ${view.stage})`,
    };
  }
  if (!results || !Array.isArray(results.winners)) {
    return {
      code: 'INVALID',
      field: 'winners',
      rule: 'required',
      message: '缺少入选名单 / winners must be a list',
    };
  }
  for (const [i, entry] of results.winners.entries()) {
    const key = quotaKey(entry?.listId ?? '', entry?.fieldId);
    if (!view.partKeys.has(key)) {
      return {
        code: 'UNKNOWN_LIST',
        field: `winners[${i}].listId`,
        message: `没有需评审的 ${key} / no reviewed list or field ${key}`,
      };
    }
    if (!Array.isArray(entry.nominationIds)) {
      return {
        code: 'INVALID',
        field: `winners[${i}].nominationIds`,
        rule: 'required',
        message: '须为推荐编号列表 / must be a list of nomination ids',
      };
    }
    const shortlist = view.shortlists.get(key);
    const j = entry.nominationIds.findIndex((id) => !shortlist?.has(id));
    if (j >= 0) {
      return {
        code: 'UNKNOWN_NOMINATION',
        field: `winners[${i}].nominationIds[${j}]`,
        rule: 'shortlisted',
        message: `${String(entry.nominationIds[j])} 未进入 ${key} 初评推荐名单 / is not on the preliminary shortlist of ${key}`,
        fix: '终评只能从初评推荐名单中选择 / the final review picks from the preliminary shortlists',
      };
    }
  }
  return undefined;
}
