/**
 * What the tracking API and pages show, computed from the project workflows' own state and the
 * programme: each target with its threshold in force, accepted figure and waivers; each report due
 * with its status on programme time (owed past its deadline is overdue); and the programme's
 * funding (slots × amount) beside the published winners' awards.
 */
import type { z } from 'zod';
import { withRfc3339Instants } from '../../client/instants';
import { deliverablesOf } from '../../domain/deliverables';
import { fundedParts, type Award } from '../../domain/funding';
import type { Programme } from '../../domain/programme';
import type { ProjectState } from '../../workflows/project/messages';
import type {
  DueState,
  fundingViewSchema,
  projectListQuery,
  projectSummarySchema,
  projectViewSchema,
} from '../project-schemas';

export type ProjectView = z.infer<typeof projectViewSchema>;
export type ProjectSummary = z.infer<typeof projectSummarySchema>;
export type FundingView = z.infer<typeof fundingViewSchema>;
export type ProjectFilter = z.infer<typeof projectListQuery>['status'];

type Due = ProjectState['dues'][number];

/** A due's status on programme time: an owed report past its deadline is overdue. */
export function dueState(due: Due, now: number): DueState {
  return due.status === 'owed' && due.at <= now ? 'overdue' : due.status;
}

function summaryOf(state: ProjectState, now: number) {
  const states = state.dues.map((d) => dueState(d, now));
  const nextDue = state.dues.find((d) => d.status === 'owed');
  return {
    projectId: state.projectId,
    listId: state.listId,
    ...(state.fieldId === undefined ? {} : { fieldId: state.fieldId }),
    partName: state.partName,
    owner: state.owner,
    outcome: state.outcome.outcome,
    ...(state.acceptedAt === undefined ? {} : { acceptedAt: state.acceptedAt }),
    owed: state.acceptedAt === undefined ? states.filter((s) => s === 'owed' || s === 'overdue').length : 0,
    overdue: state.acceptedAt === undefined ? states.filter((s) => s === 'overdue').length : 0,
    ...(nextDue && state.acceptedAt === undefined ? { nextDueAt: nextDue.at } : {}),
  };
}

export function projectSummary(state: ProjectState, now: number): ProjectSummary {
  return withRfc3339Instants(summaryOf(state, now)) as ProjectSummary;
}

/** Does the project show under the list's status filter? */
export function matchesFilter(state: ProjectState, now: number, filter: ProjectFilter): boolean {
  const summary = summaryOf(state, now);
  switch (filter) {
    case undefined:
      return true;
    case 'owed':
      return summary.owed > 0;
    case 'overdue':
      return summary.overdue > 0;
    case 'pending':
      return state.reports.some((r) => r.status === 'submitted');
    case 'accepted':
      return state.acceptedAt !== undefined;
    case 'open':
      return state.acceptedAt === undefined;
  }
}

export function projectView(state: ProjectState, programme: Programme, now: number): ProjectView {
  const targets = deliverablesOf(programme, state.listId, state.fieldId)?.targets ?? [];
  return withRfc3339Instants({
    ...summaryOf(state, now),
    publishedAt: state.publishedAt,
    now,
    ...(state.pausedAt === undefined ? {} : { pausedAt: state.pausedAt }),
    targets: state.outcome.targets.map((t) => {
      const target = targets.find((x) => x.id === t.target);
      return {
        id: t.target,
        metric: target ? [target.metric.zh, target.metric.en].filter(Boolean).join(' / ') : t.target,
        unit: target?.unit ?? '项',
        threshold: t.threshold,
        noticeThreshold: target?.threshold ?? t.threshold,
        accepted: state.accepted[t.target] ?? 0,
        met: t.met,
        evidenceRequired: target?.evidenceRequired ?? false,
        platformConfirmation: target?.platformConfirmation ?? false,
        waivers: state.waivers
          .filter((w) => w.target === t.target)
          .map(({ threshold, reason }) => ({ threshold, reason })),
      };
    }),
    dues: state.dues.map((d) => ({ id: d.id, kind: d.kind, at: d.at, status: dueState(d, now) })),
    reports: state.reports,
  }) as ProjectView;
}

/**
 * The programme's funded parts with their slots and amounts, and what the published winners
 * (`awards`, from the published funding summary; none before publication) use of them.
 */
export function fundingView(programme: Programme, awards: readonly Award[] | undefined): FundingView {
  const covers = (part: { listId: string; fieldId?: string }, award: Award) =>
    part.listId === award.listId && (part.fieldId === undefined || part.fieldId === award.fieldId);
  const parts = fundedParts(programme).map((part) => {
    const own = (awards ?? []).filter((a) => covers(part, a));
    const { slots, amountCny, note } = part.funding;
    return {
      listId: part.listId,
      ...(part.fieldId === undefined ? {} : { fieldId: part.fieldId }),
      name: part.name,
      ...(slots === undefined ? {} : { slots }),
      ...(amountCny === undefined ? {} : { amountCny }),
      used: own.length,
      ...(slots !== undefined && amountCny !== undefined ? { plannedCny: slots * amountCny } : {}),
      awardedCny: own.reduce((n, a) => n + (a.amountCny ?? 0), 0),
      ...(note === undefined ? {} : { note }),
    };
  });
  const sum = (rows: readonly { [k: string]: unknown }[], key: string) =>
    rows.reduce((n, r) => n + ((r[key] as number | undefined) ?? 0), 0);
  const slotsOf = (rows: ReadonlyArray<{ slots?: number }>) =>
    rows.length > 0 && rows.every((r) => r.slots !== undefined) ? { slots: sum(rows, 'slots') } : {};
  const lists = programme.lists.flatMap((list) => {
    const own = parts.filter((p) => p.listId === list.id);
    if (own.length === 0) return [];
    return [
      {
        listId: list.id,
        name: list.name.zh,
        ...slotsOf(own),
        used: (awards ?? []).filter((a) => a.listId === list.id).length,
        plannedCny: sum(own, 'plannedCny'),
        awardedCny: sum(own, 'awardedCny'),
      },
    ];
  });
  return {
    programmeId: programme.id,
    currency: 'CNY',
    published: awards !== undefined,
    parts,
    lists,
    totals: {
      ...slotsOf(lists),
      used: sum(lists, 'used'),
      plannedCny: sum(lists, 'plannedCny'),
      awardedCny: sum(lists, 'awardedCny'),
      ...(programme.budget ? { budgetCny: programme.budget.totalCny } : {}),
    },
  };
}
