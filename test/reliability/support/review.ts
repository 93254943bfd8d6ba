/**
 * The reviews of a drill's cycle, as the review bodies and the final review body would give them:
 * every body with nominations reports every part it holds, the first few of each part
 * recommended; the final results name the recommended of each part.
 */
import type { KczgClient } from '../../../client/api';
import type { FinalWinnersEntry } from '../../../workflows/messages';

/** Reports every part of every body with nominations; returns the recommended, as final winners. */
export async function reportEveryPart(
  api: KczgClient,
  cycleId: string,
  recommendedPerPart: number,
): Promise<FinalWinnersEntry[]> {
  const { parts } = await api.status(cycleId);
  const bodies = [
    ...new Set(parts.flatMap((p) => (p.nominations > 0 ? p.reviewBodies.map((b) => b.bodyId) : []))),
  ];
  // A field reviewed by two bodies (绿色低碳) has one shortlist: keyed by list and field.
  const winners = new Map<string, FinalWinnersEntry>();
  for (const bodyId of bodies) {
    for (const part of (await api.reviewState(cycleId, bodyId)).parts) {
      const ref = { listId: part.listId, ...(part.fieldId ? { fieldId: part.fieldId } : {}) };
      await api.reportReview(cycleId, bodyId, {
        ...ref,
        results: part.nominationIds.map((nominationId, i) => ({
          nominationId,
          rank: i + 1,
          score: 100 - i / part.nominationIds.length,
          verdict: i < recommendedPerPart ? 'recommended' : 'not-recommended',
        })),
      });
      winners.set(`${part.listId}/${part.fieldId ?? ''}`, {
        ...ref,
        nominationIds: part.nominationIds.slice(0, recommendedPerPart),
      });
    }
  }
  return [...winners.values()];
}
