/**
 * Linked applications in the rehearsal (Henan's 试点市): bundles are filed after their parts and
 * name the unit's own co-applications by the keys they were filed under; the final review decides
 * the bundle list first and leaves a winner's parts out of their own lists; the report says which
 * bundle won with which sub-projects and how a losing bundle's parts fared on their own.
 */
import { bundleOutcome, bundlesOf, coApplicationsOf, hasBundles, type Bundle } from '../domain/bundles';
import type { FormAnswer } from '../domain/dossier';
import { withinSlots } from '../domain/funding';
import type { Programme } from '../domain/programme';
import type { FinalWinnersEntry } from '../workflows/messages';
import type { KczgClient } from './api';

export interface BundleYearReport {
  filed: number;
  won: Array<{ nominationId: string; subProjects: string[] }>;
  lost: Array<{ nominationId: string; parts: string[]; wonOnTheirOwn: string[] }>;
}

/** The keys each unit's accepted nominations were filed under, per list, in filing order. */
export class FiledKeys {
  private readonly keys = new Map<string, Map<string, string[]>>();

  add(unitId: string, listId: string, key: string): void {
    const lists = this.keys.get(unitId) ?? new Map<string, string[]>();
    lists.set(listId, [...(lists.get(listId) ?? []), key]);
    this.keys.set(unitId, lists);
  }

  /**
   * The answers a bundle gives for its co-applications: the unit's first accepted nomination in
   * each required list (an applicant with two names the first); left out where the unit has none.
   */
  coApplicationAnswers(programme: Programme, unitId: string, listId: string): Record<string, FormAnswer> {
    const answers: Record<string, FormAnswer> = {};
    for (const link of coApplicationsOf(programme, listId)?.required ?? []) {
      const key = this.keys.get(unitId)?.get(link.listId)?.[0];
      if (key) answers[link.answer] = key;
    }
    return answers;
  }
}

/** Bundles go after every other nomination: they name their parts. */
export function bundlesLast<T extends { listId: string }>(programme: Programme, attempts: T[]): [T[], T[]] {
  const bundled = (a: T) => coApplicationsOf(programme, a.listId) !== undefined;
  return [attempts.filter((a) => !bundled(a)), attempts.filter(bundled)];
}

/**
 * The final selection with the bundle lists decided first: their winners within slots, then the
 * parts of those winners taken out of their own lists' picks, then every list within its slots.
 */
export function bundlesFirst(
  programme: Programme,
  bundles: readonly Bundle[],
  picks: FinalWinnersEntry[],
): FinalWinnersEntry[] {
  const isBundleList = (w: FinalWinnersEntry) => coApplicationsOf(programme, w.listId) !== undefined;
  const decided = withinSlots(programme, picks.filter(isBundleList));
  const { subProjectOf } = bundleOutcome(bundles, decided);
  const released = picks
    .filter((w) => !isBundleList(w))
    .map((w) => ({ ...w, nominationIds: w.nominationIds.filter((id) => !subProjectOf.has(id)) }));
  return withinSlots(programme, [...decided, ...released]).filter((w) => w.nominationIds.length > 0);
}

export async function cycleBundles(
  api: KczgClient,
  cycleId: string,
  programme: Programme,
): Promise<Bundle[]> {
  return hasBundles(programme) ? bundlesOf(programme, await api.reader.nominations(cycleId)) : [];
}

export function bundleYear(
  bundles: readonly Bundle[],
  selection: readonly FinalWinnersEntry[],
): BundleYearReport {
  const { won, lost } = bundleOutcome(bundles, selection);
  const winners = new Set(selection.flatMap((w) => w.nominationIds));
  return {
    filed: bundles.length,
    won: won.map((b) => ({ nominationId: b.nominationId, subProjects: b.parts.map((p) => p.nominationId) })),
    lost: lost.map((b) => ({
      nominationId: b.nominationId,
      parts: b.parts.map((p) => p.nominationId),
      wonOnTheirOwn: b.parts.map((p) => p.nominationId).filter((id) => winners.has(id)),
    })),
  };
}

export function renderBundleYear(report: BundleYearReport): string[] {
  if (report.filed === 0) return [];
  return [
    `联合申报 / bundles: 申报 ${report.filed} 项，入围 ${report.won.length} 项，未入围 ${report.lost.length} 项`,
    ...report.won.map(
      (b) => `  入围 / won ${b.nominationId}：子项目 / sub-projects ${b.subProjects.join('、')}`,
    ),
    ...report.lost.map(
      (b) =>
        `  未入围 / lost ${b.nominationId}：子项目各自参与评审 / parts reviewed on their own ${b.parts.join('、')}` +
        `，其中入选 / of which won ${b.wonOnTheirOwn.join('、') || '无 / none'}`,
    ),
  ];
}
