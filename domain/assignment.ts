/**
 * Which experts read which dossiers: N experts per nomination with balanced load, never one with a
 * conflict of interest — declared (by the expert or the body) or detected from data (the expert's
 * organisation is the nominating unit or the candidate's organisation). Deterministic (no random
 * draw), so a workflow may run it. Pure.
 */
import type { Expert, ReviewPlan } from './review-plan';
import type { Rejection } from './rejections';
import { excerpt } from './text';

/** What a review body knows of each nomination it reviews (handed over by the cycle). */
export interface NominationSummary {
  id: string;
  listId: string;
  fieldId?: string;
  unitId: string;
  unitName: string;
  candidateName: string;
  /** The candidate's own organisation, when it is not the candidate itself. */
  candidateOrganisation?: string;
}

/** A nomination as the cycle hands it to its review body: who nominated whom. */
export function summariseNomination(
  nomination: { id: string; listId: string; fieldId?: string; unitId: string; candidate: { name: string } },
  unitName: string,
): NominationSummary {
  const { id, listId, fieldId, unitId, candidate } = nomination;
  return { id, listId, ...(fieldId ? { fieldId } : {}), unitId, unitName, candidateName: candidate.name };
}

/** The unit a nomination id belongs to: ids are `<unitId>.<n>`, as the unit's workflow numbers them. */
export function unitOfNomination(id: string): string {
  return id.slice(0, Math.max(0, id.lastIndexOf('.'))) || id;
}

/**
 * Pages of whole units, each with at most `perPage` of the given nominations (a unit with more
 * is a page of its own): what a review body reads its summaries by.
 */
export function summaryPages(
  nominationIds: readonly string[],
  perPage: number,
): Array<{ unitIds: string[]; nominationIds: string[] }> {
  const byUnit = new Map<string, string[]>();
  for (const id of nominationIds) {
    const unit = unitOfNomination(id);
    const ids = byUnit.get(unit);
    if (ids) ids.push(id);
    else byUnit.set(unit, [id]);
  }
  const pages: Array<{ unitIds: string[]; nominationIds: string[] }> = [];
  for (const [unit, ids] of byUnit) {
    const last = pages.at(-1);
    if (last && last.nominationIds.length + ids.length <= perPage) {
      last.unitIds.push(unit);
      last.nominationIds.push(...ids);
    } else pages.push({ unitIds: [unit], nominationIds: [...ids] });
  }
  return pages;
}

export interface DeclaredConflict {
  expertId: string;
  nominationId: string;
  reason: string;
  /** Who declared it: the expert, the body, or the secretariat (a party label). */
  declaredBy: string;
}

export type ConflictSource = 'declared' | 'nominating-unit' | 'candidate' | 'candidate-organisation';

export interface Conflict {
  expertId: string;
  nominationId: string;
  source: ConflictSource;
}

/** nominationId → expert ids, in the order they were assigned. */
export type Assignments = Record<string, string[]>;

export interface Shortfall {
  nominationId: string;
  needed: number;
  /** Experts free of conflict for it. */
  available: number;
}

/**
 * Names compared as people write them: full-width and half-width alike, case, spaces,
 * punctuation and brackets ignored — "中国电子学会", "中国 电子学会" and "（中国电子学会）" are one.
 */
export function normaliseOrganisation(name: string): string {
  return name
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\p{P}\p{S}]+/gu, '');
}

/** The conflict between this expert and this nomination, if any (declared ones first). */
export function conflictOf(
  expert: Expert,
  nomination: NominationSummary,
  declared: readonly DeclaredConflict[],
): Conflict | undefined {
  const at = { expertId: expert.id, nominationId: nomination.id };
  if (declared.some((d) => d.expertId === expert.id && d.nominationId === nomination.id))
    return { ...at, source: 'declared' };
  const own = normaliseOrganisation(expert.organisation);
  if (!own) return undefined;
  const same = (name: string | undefined) => name !== undefined && normaliseOrganisation(name) === own;
  if (same(nomination.unitName) || same(nomination.unitId)) return { ...at, source: 'nominating-unit' };
  if (same(nomination.candidateName)) return { ...at, source: 'candidate' };
  if (same(nomination.candidateOrganisation)) return { ...at, source: 'candidate-organisation' };
  return undefined;
}

/** Every conflict between the panel and the nominations, by nomination then expert. */
export function conflicts(
  experts: readonly Expert[],
  nominations: readonly NominationSummary[],
  declared: readonly DeclaredConflict[],
): Conflict[] {
  return nominations.flatMap((n) =>
    experts.flatMap((e) => {
      const conflict = conflictOf(e, n, declared);
      return conflict ? [conflict] : [];
    }),
  );
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Assigns each nomination without its full panel the experts it lacks: of the conflict-free
 * experts not yet on it, those with the fewest dossiers, then in panel order. Nominations go in id
 * order, so the same inputs give the same assignment. Existing assignments are kept.
 */
export function assignExperts(
  plan: ReviewPlan,
  nominations: readonly NominationSummary[],
  declared: readonly DeclaredConflict[],
  existing: Assignments = {},
): { assignments: Assignments; shortfalls: Shortfall[] } {
  const assignments: Assignments = Object.fromEntries(
    Object.entries(existing).map(([id, ex]) => [id, [...ex]]),
  );
  const load = new Map(plan.experts.map((e) => [e.id, 0]));
  for (const ids of Object.values(assignments)) for (const id of ids) load.set(id, (load.get(id) ?? 0) + 1);
  const panelOrder = new Map(plan.experts.map((e, i) => [e.id, i]));
  const shortfalls: Shortfall[] = [];
  for (const nomination of [...nominations].sort(byId)) {
    const on = assignments[nomination.id] ?? [];
    const free = plan.experts.filter((e) => !conflictOf(e, nomination, declared));
    const pick = free
      .filter((e) => !on.includes(e.id))
      .sort(
        (a, b) =>
          (load.get(a.id) ?? 0) - (load.get(b.id) ?? 0) ||
          (panelOrder.get(a.id) ?? 0) - (panelOrder.get(b.id) ?? 0),
      )
      .slice(0, Math.max(0, plan.expertsPerNomination - on.length));
    for (const e of pick) load.set(e.id, (load.get(e.id) ?? 0) + 1);
    assignments[nomination.id] = [...on, ...pick.map((e) => e.id)];
    if (assignments[nomination.id].length < plan.expertsPerNomination)
      shortfalls.push({
        nominationId: nomination.id,
        needed: plan.expertsPerNomination,
        available: free.length,
      });
  }
  return { assignments, shortfalls };
}

const CONFLICT_TEXT: Record<ConflictSource, string> = {
  declared: '已申报回避 / declared a conflict of interest',
  'nominating-unit': '所在单位即推荐单位 / works for the nominating unit',
  candidate: '所在单位即候选对象 / works for the candidate',
  'candidate-organisation': '所在单位即候选人所在单位 / works for the candidate’s organisation',
};

/** A manual assignment: known nomination, known experts, each once, none in conflict. */
export function manualAssignmentRejection(
  plan: ReviewPlan,
  nomination: NominationSummary | undefined,
  expertIds: readonly string[],
  declared: readonly DeclaredConflict[],
): Rejection | undefined {
  if (!nomination)
    return {
      code: 'UNKNOWN_NOMINATION',
      field: 'nominationId',
      message: '本机构没有该推荐 / this body does not review that nomination',
      fix: '用 kczg review status 查看推荐编号 / see kczg review status',
    };
  const seen = new Set<string>();
  for (const [i, id] of expertIds.entries()) {
    const expert = plan.experts.find((e) => e.id === id);
    const field = `expertIds[${i}]`;
    if (!expert)
      return {
        code: 'INVALID',
        field,
        rule: 'panel',
        message: `${excerpt(id)} 不在评审方案的专家名单中 / is not on the filed panel`,
        fix: '先在评审方案中备案该专家 / file the expert in the plan first',
      };
    if (seen.has(id))
      return { code: 'DUPLICATE', field, rule: 'unique', message: `${excerpt(id)} 重复 / listed twice` };
    seen.add(id);
    const conflict = conflictOf(expert, nomination, declared);
    if (conflict)
      return {
        code: 'NOT_ALLOWED',
        field,
        rule: 'conflict-of-interest',
        message: `专家 ${excerpt(id)} 须回避 ${excerpt(nomination.id)}：${CONFLICT_TEXT[conflict.source]}`,
        fix: '改派无利益冲突的专家 / assign an expert without a conflict',
      };
  }
  return undefined;
}

export function conflictText(source: ConflictSource): string {
  return CONFLICT_TEXT[source];
}
