/**
 * What pages and API answers are made of, computed from the workflows' own state: a unit's state
 * with what it still owes, the year's timeline, and the eligibility verdict a form shows as the
 * user types (the same domain checks the unit workflow runs).
 */
import type { z } from 'zod';
import { withRfc3339Instants } from '../client/instants';
import { checkCandidate } from '../domain/candidate';
import { checkEligibility, verdictStatus } from '../domain/eligibility';
import type { Programme } from '../domain/programme';
import type { CycleStatus, QuotaUsageRow, UnitState } from '../workflows/messages';
import type { unitStateSchema } from './schemas';

/** "先导技术榜 · 电子信息" for a list or one of its fields. */
export function partName(programme: Programme, listId: string, fieldId?: string): string {
  const list = programme.lists.find((l) => l.id === listId);
  const field = list?.fields?.find((f) => f.id === fieldId);
  return [list?.name.zh ?? listId, field ? field.name.zh : fieldId].filter(Boolean).join(' · ');
}

/** What the unit still owes while collection is open: quota it may still use, and its "done". */
export function owedBy(state: UnitState, programme: Programme): string[] {
  if (!state.open || state.complete) return [];
  const open = state.usage.filter((row: QuotaUsageRow) => row.remaining > 0);
  return [
    ...open.map(
      (row) =>
        `${partName(programme, row.listId, row.fieldId)}：还可推荐 ${row.remaining} 项 / ${row.remaining} more may be nominated`,
    ),
    '尚未确认推荐完成 / not yet marked complete',
  ];
}

/** A unit's state as the API answers it: instants in RFC 3339, with what it still owes. */
export function unitView(state: UnitState, programme: Programme): z.infer<typeof unitStateSchema> {
  return {
    ...(withRfc3339Instants({
      unitId: state.unitId,
      unitName: state.unitName,
      collectionClosesAt: state.collectionClosesAt,
      paused: state.paused,
      open: state.open,
      complete: state.complete,
      nominations: state.nominations,
      usage: state.usage,
      needsReview: state.needsReview,
    }) as Omit<z.infer<typeof unitStateSchema>, 'owes'>),
    owes: owedBy(state, programme),
  };
}

export interface TimelineStage {
  key: string;
  name: string;
  startsAt?: number;
  deadlineAt: number;
}

/** The year's stages with the cycle's current deadlines (extensions and pauses included). */
export function timelineOf(status: Pick<CycleStatus, 'deadlines'>): TimelineStage[] {
  const d = status.deadlines;
  return [
    {
      key: 'collection',
      name: '推荐征集 Nominations',
      startsAt: d.collectionOpensAt,
      deadlineAt: d.collectionClosesAt,
    },
    {
      key: 'preliminary-review',
      name: '初评 Preliminary review',
      startsAt: d.collectionClosesAt,
      deadlineAt: d.preliminaryReviewDueAt,
    },
    {
      key: 'final-review',
      name: '终评 Final review',
      startsAt: d.preliminaryReviewDueAt,
      deadlineAt: d.finalReviewDueAt,
    },
    { key: 'publication', name: '发布 Publication', deadlineAt: d.publicationAt },
    { key: 'promotion', name: '宣传推广 Promotion', startsAt: d.publicationAt, deadlineAt: d.promotionUntil },
  ];
}

/** The public-safe part of a cycle's status: stage, timeline, publication; no unit or mail detail. */
export function publicCycleView(status: CycleStatus, programme: Programme) {
  return withRfc3339Instants({
    programmeId: programme.id,
    name: programme.name.zh,
    year: programme.year,
    stage: status.stage,
    paused: status.paused,
    now: status.now,
    timeline: timelineOf(status),
    ...(status.published
      ? { published: { at: status.published.at, winners: status.published.winners } }
      : {}),
  }) as {
    programmeId: string;
    name: string;
    year: number;
    stage: string;
    paused: boolean;
    now: string;
    timeline: Array<{ key: string; name: string; startsAt?: string; deadlineAt: string }>;
    published?: { at: string; winners: number };
  };
}

export interface Verdict {
  status: 'eligible' | 'needs-review' | 'refused' | 'invalid';
  field?: string;
  rule?: string;
  message: string;
}

/**
 * The verdict on a draft candidate: the candidate check, then the list's eligibility rules, as
 * the unit workflow runs them. Earlier winners are checked by the workflow on submission only.
 */
export function draftVerdict(
  programme: Programme,
  draft: { listId?: string; fieldId?: string; candidate: unknown },
): Verdict {
  const checked = checkCandidate(draft.candidate);
  if (!checked.ok) {
    return {
      status: 'invalid',
      field: ['candidate', ...checked.issue.path].join('.'),
      ...(checked.issue.rule ? { rule: checked.issue.rule } : {}),
      message: checked.issue.message,
    };
  }
  const verdict = checkEligibility({
    programme,
    list: draft.listId ?? '',
    ...(draft.fieldId ? { field: draft.fieldId } : {}),
    candidate: checked.candidate,
    priorWinners: [],
  });
  if (!verdict.eligible)
    return { status: 'refused', field: verdict.fact, rule: verdict.rule, message: verdict.message };
  const status = verdictStatus(verdict);
  return {
    status,
    message:
      status === 'eligible'
        ? '符合本榜单的推荐条件 / meets this list’s conditions'
        : (verdict.needsReview ?? []).map((f) => f.message).join('；'),
  };
}
