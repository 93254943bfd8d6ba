/**
 * Funding as a rule: a final selection may not pick more winners than a funded part's slots nor
 * cost more than the programme's budget; each winner of a part with a stated amount is awarded
 * that amount, and the totals add up per list and overall. A list's funding covers all its
 * fields together; a field's covers that field. Money is whole 元 (CNY). Pure.
 */
import { bundleOutcome, type Bundle } from './bundles';
import type { Funding, Programme } from './programme';
import { quotaKey } from './quota';
import type { Rejection } from './rejections';

/** A part's winners as the final review submits them. */
export interface WinnerPart {
  listId: string;
  fieldId?: string;
  nominationIds: readonly string[];
}

/** A list or field the programme funds. */
export interface FundedPart {
  listId: string;
  fieldId?: string;
  /** The list's name, then the field's (for messages and tables). */
  name: string;
  funding: Funding;
}

export interface Award {
  nominationId: string;
  listId: string;
  fieldId?: string;
  /** Undefined when the notice states no amount for the part. */
  amountCny?: number;
  /** A winning bundle's co-applications (domain/bundles.ts): funded within its amount, never on their own. */
  subProjects?: string[];
}

export interface ListFunding {
  listId: string;
  winners: number;
  /** The slots of the list and its fields, when every funded part of it states them. */
  slots?: number;
  /** The sum of the stated amounts; see amountStated. */
  totalCny: number;
  /** False when the notice states no amount for any of the list's winners. */
  amountStated: boolean;
}

export interface FundingSummary {
  /** The winners of funded lists and fields; winners of other lists get no award. */
  awards: Award[];
  lists: ListFunding[];
  totalCny: number;
  budgetCny?: number;
}

/** Every list and field with a funding entry, in programme order. */
export function fundedParts(programme: Programme): FundedPart[] {
  return programme.lists.flatMap((list) => [
    ...(list.funding ? [{ listId: list.id, name: list.name.zh, funding: list.funding }] : []),
    ...(list.fields ?? []).flatMap((field) =>
      field.funding
        ? [
            {
              listId: list.id,
              fieldId: field.id,
              name: `${list.name.zh} · ${field.name.zh}`,
              funding: field.funding,
            },
          ]
        : [],
    ),
  ]);
}

export function hasFunding(programme: Programme): boolean {
  return programme.budget !== undefined || fundedParts(programme).length > 0;
}

/** Does the funded part cover the winners' part? A list's funding covers each of its fields. */
function covers(part: FundedPart, winners: Pick<WinnerPart, 'listId' | 'fieldId'>): boolean {
  return part.listId === winners.listId && (part.fieldId === undefined || part.fieldId === winners.fieldId);
}

/** The winners the selection puts in a funded part, counted once each. */
function winnersOf(part: FundedPart, selection: readonly WinnerPart[]): string[] {
  return [...new Set(selection.filter((w) => covers(part, w)).flatMap((w) => w.nominationIds))];
}

/** The amount a winner of list/field receives: the field's stated amount, else the list's. */
function amountFor(programme: Programme, listId: string, fieldId?: string): number | undefined {
  const list = programme.lists.find((l) => l.id === listId);
  const field = list?.fields?.find((f) => f.id === fieldId);
  return field?.funding?.amountCny ?? list?.funding?.amountCny;
}

/** 元 as the notices write it: 100000 → "10万元", 15000 → "1.5万元". */
export function formatWan(amountCny: number): string {
  return `${amountCny / 10_000}万元`;
}

/**
 * The awards of a selection and their totals. With the cycle's bundles, a winning bundle's award
 * lists its sub-projects, and a sub-project is never awarded on its own: each is counted once.
 */
export function fundingSummary(
  programme: Programme,
  selection: readonly WinnerPart[],
  bundles: readonly Bundle[] = [],
): FundingSummary {
  const parts = fundedParts(programme);
  const { won, subProjectOf } = bundleOutcome(bundles, selection);
  const seen = new Set<string>(subProjectOf.keys());
  const awards: Award[] = [];
  for (const part of selection) {
    if (!parts.some((funded) => covers(funded, part))) continue;
    const amountCny = amountFor(programme, part.listId, part.fieldId);
    for (const nominationId of part.nominationIds) {
      if (seen.has(nominationId)) continue;
      seen.add(nominationId);
      const subProjects = won.find((b) => b.nominationId === nominationId)?.parts.map((p) => p.nominationId);
      awards.push({
        nominationId,
        listId: part.listId,
        ...(part.fieldId ? { fieldId: part.fieldId } : {}),
        ...(amountCny !== undefined ? { amountCny } : {}),
        ...(subProjects?.length ? { subProjects } : {}),
      });
    }
  }
  const lists = programme.lists.flatMap((list): ListFunding[] => {
    const own = awards.filter((a) => a.listId === list.id);
    if (own.length === 0) return [];
    const funded = parts.filter((p) => p.listId === list.id);
    const slots = funded.every((p) => p.funding.slots !== undefined) && funded.length > 0;
    return [
      {
        listId: list.id,
        winners: own.length,
        ...(slots ? { slots: funded.reduce((n, p) => n + (p.funding.slots ?? 0), 0) } : {}),
        totalCny: own.reduce((n, a) => n + (a.amountCny ?? 0), 0),
        amountStated: own.some((a) => a.amountCny !== undefined),
      },
    ];
  });
  return {
    awards,
    lists,
    totalCny: lists.reduce((n, l) => n + l.totalCny, 0),
    ...(programme.budget ? { budgetCny: programme.budget.totalCny } : {}),
  };
}

/** The field a refusal names: the first winners entry of the part. */
function entryField(part: FundedPart, selection: readonly WinnerPart[]): string {
  const i = selection.findIndex((w) => covers(part, w));
  return `winners[${Math.max(i, 0)}].nominationIds`;
}

/**
 * Refuses a selection with more winners than a funded part's slots, or costing more than the
 * programme's budget; undefined when it fits.
 */
export function fundingRejection(
  programme: Programme,
  selection: readonly WinnerPart[],
): Rejection | undefined {
  for (const part of fundedParts(programme)) {
    const slots = part.funding.slots;
    const count = winnersOf(part, selection).length;
    if (slots === undefined || count <= slots) continue;
    const key = quotaKey(part.listId, part.fieldId);
    return {
      code: 'INVALID',
      field: entryField(part, selection),
      rule: 'fundingSlots',
      limit: slots,
      message: `${part.name} 资助 ${slots} 项，终评选了 ${count} 项 / ${key} funds ${slots} projects, the selection has ${count}`,
      fix: `${key} 至多选 ${slots} 项 / select at most ${slots} for ${key}`,
    };
  }
  const budget = programme.budget?.totalCny;
  if (budget === undefined) return undefined;
  const { totalCny } = fundingSummary(programme, selection);
  if (totalCny <= budget) return undefined;
  return {
    code: 'INVALID',
    field: 'winners',
    rule: 'fundingBudget',
    limit: budget,
    message: `资助合计 ${formatWan(totalCny)}（${totalCny} 元）超出预算 ${formatWan(budget)}（${budget} 元）/ the selection costs ${totalCny} CNY, over the budget of ${budget} CNY`,
    fix: `减少入选项目，使合计不超过 ${budget} 元 / select fewer projects so the total stays within ${budget} CNY`,
  };
}

/**
 * The selection cut to the slots of every funded part, in its own order (a list's slots are
 * shared by its fields in the order given). For callers that pick from long shortlists.
 */
export function withinSlots<Part extends WinnerPart>(
  programme: Programme,
  selection: readonly Part[],
): Part[] {
  const left = new Map(fundedParts(programme).map((p) => [p, p.funding.slots ?? Infinity]));
  return selection.map((entry) => {
    const applying = [...left.keys()].filter((p) => covers(p, entry));
    const kept: string[] = [];
    for (const id of entry.nominationIds) {
      if (applying.some((p) => (left.get(p) ?? 0) <= 0)) break;
      kept.push(id);
      for (const p of applying) left.set(p, (left.get(p) ?? 0) - 1);
    }
    return { ...entry, nominationIds: kept };
  });
}
