/**
 * Chains of cycles: a cycle (a society's own call, a province's call to its cities) that names a
 * parent cycle and the unit it recommends as there. Its winners go up as that unit's
 * nominations, so everything it decides must be decided before the parent stops collecting.
 * Pure: deadline checks for start and for extensions of either side, the parent part a child's
 * list feeds, the forwarding keys, and the child programme opened per unit from a template.
 */
import { formatDeadline } from './calendar';
import type { ChainParent, Programme, Unit } from './programme';
import type { Rejection } from './rejections';

/**
 * How long before the parent's collection close the child's final selection must be made. The
 * forwarded nominations reach the parent within minutes, but the parent's refusals (quota,
 * eligibility) come back to the child's secretariat, which needs a working day to swap a refused
 * nomination for its next-best one while the parent still takes nominations.
 */
export const FORWARDING_MARGIN_MS = 24 * 3_600_000;

/** The child's deadlines that must fall before the parent's collection close. */
export interface ChildDeadlines {
  collectionClosesAt: number;
  preliminaryReviewDueAt: number;
  finalReviewDueAt: number;
}

type DeadlineName = keyof ChildDeadlines;

const DEADLINES: ReadonlyArray<{ name: DeadlineName; field: string; zh: string; en: string }> = [
  { name: 'collectionClosesAt', field: 'stages.collection.closes', zh: '征集截止', en: 'collection close' },
  {
    name: 'preliminaryReviewDueAt',
    field: 'stages.preliminaryReview.due',
    zh: '初评截止',
    en: 'preliminary review',
  },
  {
    name: 'finalReviewDueAt',
    field: 'stages.finalReview.due',
    zh: '终评（择优推荐）截止',
    en: 'final selection',
  },
];

/** The latest instant a child deadline may take under a parent closing at `parentClosesAt`. */
export function latestChildDeadline(parentClosesAt: number): number {
  return parentClosesAt - FORWARDING_MARGIN_MS;
}

/**
 * Refuses a child whose deadlines do not all fall at least the forwarding margin before the
 * parent's collection close. `field` overrides the reported field (an extension's `until`).
 */
export function chainDeadlineRejection(
  child: ChildDeadlines,
  parent: { cycleId: string; collectionClosesAt: number },
  field?: string,
): Rejection | undefined {
  const latest = latestChildDeadline(parent.collectionClosesAt);
  const late = DEADLINES.find((d) => child[d.name] > latest);
  if (!late) return undefined;
  const at = formatDeadline(child[late.name]);
  const closes = formatDeadline(parent.collectionClosesAt);
  const by = formatDeadline(latest);
  return {
    code: 'CHAIN_DEADLINE',
    field: field ?? late.field,
    rule: 'beforeParentCollection',
    message:
      `本周期${late.zh} ${at} 晚于上级周期 ${parent.cycleId} 征集截止 ${closes} 前 24 小时（${by}）：择优推荐须在上级截止前完成 / ` +
      `the ${late.en} deadline ${at} is later than 24 hours before ${parent.cycleId} stops collecting at ${closes} (${by}): the winners must be forwarded before the parent's deadline`,
    fix: `将${late.zh}设在 ${by} 或更早，或请上级秘书处延长其征集截止 / set the ${late.en} deadline to ${by} or earlier, or ask the parent's secretariat to extend its collection`,
  };
}

/** The stage an extension moves, as the chain sees it. */
export type ChainExtensionScope =
  | { kind: 'stage'; stage: 'collection' | 'preliminary-review' | 'final-review' }
  | { kind: 'unit'; unitId: string }
  | { kind: 'part'; listId: string; fieldId?: string };

const DEADLINE_OF_STAGE: Record<'collection' | 'preliminary-review' | 'final-review', DeadlineName> = {
  collection: 'collectionClosesAt',
  'preliminary-review': 'preliminaryReviewDueAt',
  'final-review': 'finalReviewDueAt',
};

/** The child's deadlines after an extension (a unit's extension moves its collection close). */
export function extendedChildDeadlines(
  current: ChildDeadlines,
  scope: ChainExtensionScope,
  until: number,
): ChildDeadlines {
  if (scope.kind === 'stage') return { ...current, [DEADLINE_OF_STAGE[scope.stage]]: until };
  if (scope.kind === 'unit')
    return { ...current, collectionClosesAt: Math.max(current.collectionClosesAt, until) };
  return { ...current, preliminaryReviewDueAt: Math.max(current.preliminaryReviewDueAt, until) };
}

/** A child's extension past its parent is refused; the parent's close is as the child last heard it. */
export function childExtensionRejection(
  current: ChildDeadlines,
  scope: ChainExtensionScope,
  until: number,
  parent: { cycleId: string; collectionClosesAt: number },
): Rejection | undefined {
  return chainDeadlineRejection(extendedChildDeadlines(current, scope, until), parent, 'until');
}

/** A child as its parent knows it: the unit it recommends as and its deadlines. */
export interface ChildLink {
  cycleId: string;
  unitId: string;
  deadlines: ChildDeadlines;
}

/** When the parent stops collecting from one unit: the common close or that unit's extension. */
export function parentCloseForUnit(
  collectionClosesAt: number,
  unitExtensions: Readonly<Record<string, number>>,
  unitId: string,
): number {
  return Math.max(collectionClosesAt, unitExtensions[unitId] ?? -Infinity);
}

/**
 * An extension of the parent may move its collection later (children keep their deadlines) but
 * not earlier than a child still needs: refused with the first child it would strand.
 */
export function parentExtensionRejection(
  parent: { cycleId: string; collectionClosesAt: number; unitExtensions: Readonly<Record<string, number>> },
  scope: ChainExtensionScope,
  until: number,
  children: readonly ChildLink[],
): Rejection | undefined {
  const moves = (scope.kind === 'stage' && scope.stage === 'collection') || scope.kind === 'unit';
  if (!moves) return undefined;
  for (const child of children) {
    if (scope.kind === 'unit' && scope.unitId !== child.unitId) continue;
    const common = scope.kind === 'stage' ? until : parent.collectionClosesAt;
    const extensions = scope.kind === 'unit' ? { [child.unitId]: until } : parent.unitExtensions;
    const closesAt = parentCloseForUnit(common, extensions, child.unitId);
    const refusal = chainDeadlineRejection(child.deadlines, {
      cycleId: parent.cycleId,
      collectionClosesAt: closesAt,
    });
    if (refusal) {
      return {
        ...refusal,
        field: 'until',
        rule: 'notBeforeChild',
        message: `下级周期 ${child.cycleId}（${child.unitId}）的截止时间需要更晚的征集截止：${refusal.message}`,
        fix: `征集截止不早于 ${formatDeadline(child.deadlines.finalReviewDueAt + FORWARDING_MARGIN_MS)}，或先请下级周期提前其截止 / keep the collection open until ${formatDeadline(child.deadlines.finalReviewDueAt + FORWARDING_MARGIN_MS)} at least, or have the child cycle move its deadlines earlier first`,
      };
    }
  }
  return undefined;
}

/** The parent list and field a child's list (and field) feeds. */
export function parentPartOf(
  parent: Pick<ChainParent, 'lists' | 'fields'>,
  listId: string,
  fieldId?: string,
): { listId: string; fieldId?: string } {
  const parentList = parent.lists[listId] ?? listId;
  if (fieldId === undefined) return { listId: parentList };
  return { listId: parentList, fieldId: parent.fields[fieldId] ?? fieldId };
}

/**
 * The idempotency key of one forwarded nomination: the child cycle and the nomination, so a
 * forwarding run again (a retried activity, a replayed cycle) submits nothing twice.
 */
export function forwardingKey(childCycleId: string, nominationId: string): string {
  return `chain:${childCycleId}:${nominationId}`;
}

/**
 * Parts a child feeds that its parent does not have: every child list (and field) must map
 * onto one of the parent's, or its winners could not be forwarded.
 */
export function unmappedParts(child: Programme, parent: Programme): string[] {
  const link = child.parent;
  if (!link) return [];
  const problems: string[] = [];
  for (const list of child.lists) {
    for (const fieldId of list.fields?.map((f) => f.id) ?? [undefined]) {
      const target = parentPartOf(link, list.id, fieldId);
      const parentList = parent.lists.find((l) => l.id === target.listId);
      const fieldOk =
        target.fieldId === undefined
          ? !parentList?.fields?.length
          : parentList?.fields?.some((f) => f.id === target.fieldId);
      if (!parentList || !fieldOk || parentList.separatelyOrganised)
        problems.push(
          `${list.id}${fieldId ? `/${fieldId}` : ''} → ${target.listId}${target.fieldId ? `/${target.fieldId}` : ''}`,
        );
    }
  }
  return problems;
}

/**
 * The child programme opened for one unit of the parent from a template: its own id, the unit as
 * its secretariat (the unit's contact and address), the parent link naming that unit, and its
 * own units (a society's members, a province's cities) when a roster is given.
 */
export function childProgrammeFor(
  template: Programme,
  parent: Programme,
  unitId: string,
  units?: Unit[],
): Programme | Rejection {
  const unit = parent.roster.units.find((u) => u.id === unitId);
  if (!unit) {
    return {
      code: 'UNKNOWN_UNIT',
      field: 'unit',
      rule: 'parentRoster',
      message: `上级方案 ${parent.id} 的名册中没有单位 ${unitId} / unit ${unitId} is not on the roster of ${parent.id}`,
      fix: '用上级名册中的单位编号 / use a unit id of the parent roster (kczg nominate status <parent> --unit …)',
    };
  }
  if (template.parent && template.parent.programme !== parent.id) {
    return {
      code: 'INVALID',
      field: 'template',
      rule: 'parentProgramme',
      message: `模板 ${template.id} 的上级为 ${template.parent.programme}，不是 ${parent.id} / template ${template.id} feeds ${template.parent.programme}, not ${parent.id}`,
      fix: '选用以该周期为上级的模板 / choose a template whose parent is this cycle',
    };
  }
  return {
    ...template,
    id: `${template.id}-${unitId}`.slice(0, 64),
    secretariat: {
      id: unit.id,
      name: { zh: `${unit.name}秘书处`, en: `Secretariat of ${unit.name}` },
      contacts: [{ name: unit.contact ?? unit.name, email: unit.email }],
    },
    parent: { lists: {}, fields: {}, ...template.parent, programme: parent.id, unit: unitId },
    roster: units ? { sample: false, units } : template.roster,
  };
}
