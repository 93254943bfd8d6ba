/**
 * The secretariat's steering of a funded project (extend a report due, pause and resume, hold
 * and release its mail), as pure checks and changes. The project workflow's update validators
 * call the checks after the credential check and throw what they return; its handlers apply the
 * changes. The reason rule is the cycle's (domain/steering.ts).
 *
 * Pause: while a project is paused nothing is mailed (no reminders, overdue notices or
 * escalations); the owner may still report and the secretariat verify. On resuming, every due
 * not yet accepted that still lay ahead when the pause began moves later by the pause's length
 * in whole minutes (as a cycle's deadlines do), so the owner loses no time to the pause; a due
 * already past at the pause stays where it was (the report was late already).
 */
import type { ReportDueAt } from './deliverables';
import type { Rejection } from './rejections';
import { reasonRejection } from './steering';

export type DueStatus = 'owed' | 'submitted' | 'accepted';

/** What a steering check needs to know of the project. */
export interface ProjectSteeringView {
  /** Programme time now, epoch ms. */
  now: number;
  publishedAt: number;
  accepted: boolean;
  paused: boolean;
  dues: ReadonlyArray<ReportDueAt & { status: DueStatus }>;
}

export interface ProjectExtensionRequest {
  /** One due ("final-1"); omitted: every due not yet accepted. */
  dueId?: string;
  until: number;
  reason: string;
}

/** A hold names one mailing ("report:final-1:T-1"), every mailing of a due ("report:final-1"), or "all". */
export const HOLD_ALL = 'all';

/** Extensions end within five years of publication (the longest report calendar a preset may state). */
const LATEST_AFTER_PUBLICATION_MS = 5 * 366 * 24 * 3_600_000;

/** An accepted project takes no more steering. */
export function acceptedRejection(view: Pick<ProjectSteeringView, 'accepted'>): Rejection | undefined {
  if (!view.accepted) return undefined;
  return {
    code: 'WRONG_STAGE',
    rule: 'stage',
    message: '项目已完成验收，不再接受变更 / the project has been accepted; nothing more changes',
  };
}

/** The dues an extension moves: the one named, or every due not yet accepted. */
function extendedDueIds(request: Partial<ProjectExtensionRequest>, view: ProjectSteeringView): string[] {
  return view.dues
    .filter((d) => (request.dueId === undefined ? d.status !== 'accepted' : d.id === request.dueId))
    .map((d) => d.id);
}

function dueRejection(
  request: Partial<ProjectExtensionRequest>,
  view: ProjectSteeringView,
): Rejection | undefined {
  if (request.dueId === undefined) {
    return extendedDueIds(request, view).length > 0
      ? undefined
      : {
          code: 'WRONG_STAGE',
          rule: 'due',
          message: '没有未确认的报告可延期 / every report is accepted already',
        };
  }
  const due = view.dues.find((d) => d.id === request.dueId);
  if (!due) {
    return {
      code: 'INVALID',
      field: 'dueId',
      rule: 'due',
      message: `没有编号为“${String(request.dueId)}”的报告期 / no such report due`,
      fix: `报告期 / dues: ${view.dues.map((d) => d.id).join(', ')}`,
    };
  }
  if (due.status === 'accepted') {
    return {
      code: 'WRONG_STAGE',
      field: 'dueId',
      rule: 'due',
      message: `报告期 ${due.id} 的报告已确认，无需延期 / the report for ${due.id} is accepted already`,
    };
  }
  return undefined;
}

function untilRejection(
  request: Partial<ProjectExtensionRequest>,
  view: ProjectSteeringView,
): Rejection | undefined {
  const { until } = request;
  if (typeof until !== 'number' || !Number.isFinite(until)) {
    return {
      code: 'INVALID',
      field: 'until',
      rule: 'date',
      message: '缺少新的截止时间 / until must be a date',
      fix: '例如 / e.g. --until "2024-12-31 24:00"',
    };
  }
  if (until <= view.now) {
    return {
      code: 'INVALID',
      field: 'until',
      rule: 'future',
      message: '新截止时间须晚于当前时间 / the new deadline must lie in the future',
    };
  }
  if (until > view.publishedAt + LATEST_AFTER_PUBLICATION_MS) {
    return {
      code: 'INVALID',
      field: 'until',
      rule: 'range',
      message: '新截止时间须在立项后五年内 / the new deadline must fall within five years of publication',
    };
  }
  const first = view.dues.find((d) => d.id === extendedDueIds(request, view)[0]);
  if (first && until <= first.at) {
    return {
      code: 'INVALID',
      field: 'until',
      rule: 'later',
      message: `延期后的截止时间须晚于现截止时间（${first.id}）/ an extension must end after the current deadline of ${first.id}`,
    };
  }
  return undefined;
}

/** An extension: a known due not yet accepted, a reason, a future date later than the due's own. */
export function projectExtendRejection(
  request: Partial<ProjectExtensionRequest> | undefined,
  view: ProjectSteeringView,
): Rejection | undefined {
  const given = request ?? {};
  if (given.dueId !== undefined && typeof given.dueId !== 'string') {
    return {
      code: 'INVALID',
      field: 'dueId',
      rule: 'type',
      message: '报告期编号须为文本 / dueId must be a string',
    };
  }
  return (
    acceptedRejection(view) ??
    dueRejection(given, view) ??
    reasonRejection(given) ??
    untilRejection(given, view)
  );
}

/**
 * The dues after an extension. One due moves to `until`; "every due" moves the earliest due not
 * yet accepted to `until` and every later one by the same amount, so the calendar keeps its
 * spacing (a half-yearly report stays half a year before the final one).
 */
export function extendDues<T extends ReportDueAt & { status: DueStatus }>(
  dues: readonly T[],
  request: ProjectExtensionRequest,
): Map<string, number> {
  if (request.dueId !== undefined) return new Map([[request.dueId, request.until]]);
  const open = dues.filter((d) => d.status !== 'accepted');
  const shift = request.until - (open[0]?.at ?? request.until);
  return new Map(open.map((d) => [d.id, d.at + shift]));
}

export function projectPauseRejection(
  request: { reason?: unknown } | undefined,
  view: ProjectSteeringView,
): Rejection | undefined {
  return (
    acceptedRejection(view) ??
    reasonRejection(request) ??
    (view.paused
      ? { code: 'WRONG_STAGE', rule: 'paused', message: '项目已暂停 / the project is already paused' }
      : undefined)
  );
}

export function projectResumeRejection(
  request: { reason?: unknown } | undefined,
  view: ProjectSteeringView,
): Rejection | undefined {
  return (
    reasonRejection(request) ??
    (view.paused
      ? undefined
      : { code: 'WRONG_STAGE', rule: 'paused', message: '项目未暂停 / the project is not paused' })
  );
}

/** The pause's length in whole minutes: a due at 24:00 stays on its minute. */
export function pauseShiftMs(pausedAt: number, resumedAt: number): number {
  return Math.round((resumedAt - pausedAt) / 60_000) * 60_000;
}

/** The dues a resume moves: those not accepted that still lay ahead at the pause, by the shift. */
export function resumedDues<T extends ReportDueAt & { status: DueStatus }>(
  dues: readonly T[],
  pausedAt: number,
  shiftMs: number,
): Map<string, number> {
  return new Map(
    dues.filter((d) => d.status !== 'accepted' && d.at > pausedAt).map((d) => [d.id, d.at + shiftMs]),
  );
}

/** A hold: "all", a due's mailings ("report:<due>") or one mailing ("report:<due>:<reminder>"). */
export function projectHoldRejection(
  request: { reminderId?: unknown; held?: unknown } | undefined,
  view: ProjectSteeringView,
  holds: ReadonlySet<string>,
): Rejection | undefined {
  const over = acceptedRejection(view);
  if (over) return over;
  const id = request?.reminderId;
  const dueIds = view.dues.map((d) => d.id);
  const known =
    id === HOLD_ALL ||
    (typeof id === 'string' &&
      /^report:[\w.-]{1,40}(:[\w@.-]{1,40})?$/.test(id) &&
      dueIds.includes(id.split(':')[1]));
  if (!known) {
    return {
      code: 'INVALID',
      field: 'reminderId',
      rule: 'format',
      message:
        '邮件编号无效 / reminderId must be "all", a due ("report:final-1") or one mailing ("report:final-1:T-1")',
      fix: `报告期 / dues: ${dueIds.join(', ')}`,
    };
  }
  if (request?.held === false && !holds.has(id)) {
    return {
      code: 'WRONG_STAGE',
      field: 'reminderId',
      rule: 'held',
      message: `${id} 未被暂缓 / ${id} is not held`,
      ...(holds.size > 0 ? { fix: `暂缓中 / held: ${[...holds].join(', ')}` } : {}),
    };
  }
  return undefined;
}

/** Whether a planned mailing is held by "all", by its due's key or by its own id. */
export function isHeld(event: { id: string; key?: string }, holds: ReadonlySet<string>): boolean {
  return holds.has(HOLD_ALL) || holds.has(event.id) || (event.key !== undefined && holds.has(event.key));
}
