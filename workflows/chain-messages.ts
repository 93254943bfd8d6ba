/**
 * Chains of cycles (domain/chain.ts): a child cycle forwards its winners to its parent. The
 * messages between them and the chain's state; re-exported by messages.ts.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { PartRef } from './messages';

/** One winner of a child cycle, forwarded to the parent as its unit's nomination. */
export interface ForwardOutcome extends PartRef {
  /** The nomination in the child cycle, and the key its forwarded copy carries. */
  nominationId: string;
  idempotencyKey: string;
  /** The parent list and field it went to. */
  parentListId: string;
  parentFieldId?: string;
  outcome: 'accepted' | 'refused';
  /** Accepted: the nomination's id in the parent cycle. */
  parentNominationId?: string;
  /** Refused: the parent's refusal (quota, eligibility, deadline…). */
  refusal?: { code: string; message: string; field?: string; rule?: string; fix?: string };
}

export interface ChainDeadlinesView {
  collectionClosesAt: number;
  preliminaryReviewDueAt: number;
  finalReviewDueAt: number;
}

/** A cycle's place in its chain: its parent (if any), what it forwarded, and its children. */
export interface ChainState {
  cycleId: string;
  parent?: {
    cycleId: string;
    unitId: string;
    /** The parent's collection close for this unit, as the parent last said (absent: not heard yet). */
    collectionClosesAt?: number;
  };
  /** Programme time of the forwarding, once done. */
  forwardedAt?: number;
  forwarded: ForwardOutcome[];
  children: Array<{ cycleId: string; unitId: string; deadlines: ChainDeadlinesView }>;
}

export const chainStatusQuery = defineQuery<ChainState>('chainStatus');
/** From a child cycle to its parent: the child, the unit it recommends as, its deadlines now. */
export const chainChildSignal =
  defineSignal<[{ cycleId: string; unitId: string; deadlines: ChainDeadlinesView }]>('chainChild');
/** From a parent cycle to a child: when the parent stops collecting from the child's unit. */
export const chainParentSignal = defineSignal<[{ collectionClosesAt: number }]>('chainParent');
