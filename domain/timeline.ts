/**
 * What a programme-year implies over time and across review bodies, derived from its stages
 * and lists. Pure.
 */
import { beijingToEpochMs } from './calendar';
import type { Programme } from './programme';

/** The programme's stage boundaries, as epoch milliseconds. */
export interface Deadlines {
  collectionOpensAt: number;
  collectionClosesAt: number;
  preliminaryReviewDueAt: number;
  finalReviewDueAt: number;
  publicationAt: number;
  promotionFrom: number;
  promotionUntil: number;
}

export function programmeDeadlines(p: Programme): Deadlines {
  const { stages } = p;
  return {
    collectionOpensAt: beijingToEpochMs(stages.collection.opens),
    collectionClosesAt: beijingToEpochMs(stages.collection.closes),
    preliminaryReviewDueAt: beijingToEpochMs(stages.preliminaryReview.due),
    finalReviewDueAt: beijingToEpochMs(stages.finalReview.due),
    publicationAt: beijingToEpochMs(stages.publication.on),
    promotionFrom: beijingToEpochMs(stages.promotion.from),
    promotionUntil: beijingToEpochMs(stages.promotion.until),
  };
}

/** One preliminary review body's share: a list, or one field of it. */
export interface ReviewAssignment {
  listId: string;
  fieldId?: string;
  bodyId: string;
}

/**
 * Every (list, field, body) a preliminary review covers, in programme order. Lists organised
 * separately (另行组织) are reviewed outside the cycle and are left out. A list with fields is
 * reviewed per field, by the field's bodies; several bodies on one field (2022 绿色低碳) each
 * get their own assignment.
 */
export function reviewAssignments(p: Programme): ReviewAssignment[] {
  return p.lists
    .filter((list) => !list.separatelyOrganised)
    .flatMap((list) =>
      list.fields
        ? list.fields.flatMap((field) =>
            field.reviewBodies.map((bodyId) => ({ listId: list.id, fieldId: field.id, bodyId })),
          )
        : (list.reviewBodies ?? []).map((bodyId) => ({ listId: list.id, bodyId })),
    );
}

/** Quota parts live with the quota rules; re-exported because callers plan review and quota together. */
export { quotaPartsOf, type QuotaPart } from './quota';
