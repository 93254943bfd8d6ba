/**
 * The cycle's place in a chain (domain/chain.ts). As a child it tells its parent who it is and
 * when its deadlines fall, refuses extensions past the parent's collection close, and forwards
 * its final winners to the parent as its unit's nominations, reporting the parent's refusals to
 * its own secretariat. As a parent it keeps its children's deadlines, refuses moving its
 * collection close before what they need, and tells them when its close moves. Cycles without a
 * parent or children never call any of this, so their histories are unchanged.
 */
import { getExternalWorkflowHandle, log, patched, proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../../activities';
import {
  childExtensionRejection,
  parentCloseForUnit,
  parentExtensionRejection,
  type ChildDeadlines,
  type ChildLink,
} from '../../domain/chain';
import type { Rejection } from '../../domain/rejections';
import { CYCLE_MAIL, ENTITY_WORK } from '../activity-options';
import { cycleWorkflowId } from '../ids';
import {
  chainChildSignal,
  chainParentSignal,
  type ChainState,
  type ExtendRequest,
  type ForwardOutcome,
} from '../messages';
import { programmeRef } from '../notices';
import { PATCHES } from '../patches';
import { isPlausibleInstant } from '../refusals';
import type { CycleState } from './state';

const acts = proxyActivities<ReturnType<typeof createActivities>>(ENTITY_WORK);
const mail = proxyActivities<ReturnType<typeof createActivities>>(CYCLE_MAIL);

export class CycleChain {
  private readonly children = new Map<string, ChildLink>();
  private parentClosesAt: number | undefined;
  private forwarded: ForwardOutcome[] = [];
  private forwardedAt: number | undefined;

  constructor(private readonly cycle: CycleState) {}

  private get parent(): { cycleId: string; unitId: string } | undefined {
    const link = this.cycle.programme.parent;
    return link && { cycleId: cycleWorkflowId(link.programme), unitId: link.unit };
  }

  private deadlines(): ChildDeadlines {
    const { cycle } = this;
    return {
      collectionClosesAt: cycle.collectionClosesAt(),
      preliminaryReviewDueAt: cycle.partsDueAt(),
      finalReviewDueAt: cycle.deadlines.finalReviewDueAt,
    };
  }

  /** A child tells its parent who it is and its deadlines now (at start, after each extension). */
  async announce(): Promise<void> {
    const parent = this.parent;
    if (!parent) return;
    try {
      await getExternalWorkflowHandle(parent.cycleId).signal(chainChildSignal, {
        cycleId: this.cycle.cycleId,
        unitId: parent.unitId,
        deadlines: this.deadlines(),
      });
    } catch (error) {
      this.cycle.record({
        actor: 'chain',
        action: 'chain-parent-unreachable',
        outcome: 'rejected',
        detail: `${parent.cycleId}: ${(error as Error)?.message ?? String(error)}`,
      });
    }
  }

  /** A parent hears of a child (new or with moved deadlines) and tells it its collection close. */
  async childAnnounced(child: ChildLink): Promise<void> {
    if (!wellFormedChild(child)) return log.warn('malformed chainChild signal ignored');
    const known = this.children.has(child.cycleId);
    this.children.set(child.cycleId, child);
    if (!known) {
      this.cycle.record({
        actor: 'chain',
        action: 'chain-child',
        outcome: 'info',
        detail: `${child.cycleId} → ${child.unitId}`,
      });
    }
    await this.tellChild(child);
  }

  private async tellChild(child: ChildLink): Promise<void> {
    const { deadlines, unitExtensions } = this.cycle;
    const collectionClosesAt = parentCloseForUnit(deadlines.collectionClosesAt, unitExtensions, child.unitId);
    try {
      await getExternalWorkflowHandle(child.cycleId).signal(chainParentSignal, { collectionClosesAt });
    } catch (error) {
      log.warn('child cycle unreachable', { child: child.cycleId, error: (error as Error)?.message });
    }
  }

  parentAnnounced({ collectionClosesAt }: { collectionClosesAt: number }): void {
    if (this.parent && isPlausibleInstant(collectionClosesAt)) this.parentClosesAt = collectionClosesAt;
  }

  /** What an extension would break in the chain: a child past its parent, a parent before its child. */
  extendRejection({ scope, until }: ExtendRequest): Rejection | undefined {
    const { cycle } = this;
    const parent = this.parent;
    const asChild =
      parent && this.parentClosesAt !== undefined
        ? childExtensionRejection(this.deadlines(), scope, until, {
            cycleId: parent.cycleId,
            collectionClosesAt: this.parentClosesAt,
          })
        : undefined;
    if (asChild || this.children.size === 0) return asChild;
    return parentExtensionRejection(
      {
        cycleId: cycle.cycleId,
        collectionClosesAt: cycle.deadlines.collectionClosesAt,
        unitExtensions: cycle.unitExtensions,
      },
      scope,
      until,
      [...this.children.values()],
    );
  }

  /** After an extension: the parent hears the child's deadlines, the children their parent's close. */
  async extended(): Promise<void> {
    await this.announce();
    for (const child of this.children.values()) await this.tellChild(child);
  }

  /**
   * When the final selection is made, the winners go to the parent as this cycle's unit's
   * nominations (idempotent keys, dossiers by reference); refusals go to the audit and to the
   * secretariat by mail.
   */
  async forwardWinners(): Promise<void> {
    const { cycle } = this;
    const link = cycle.programme.parent;
    const parent = this.parent;
    if (!link || !parent || !cycle.finalResults || !patched(PATCHES.chainForwarding)) return;
    this.forwarded = await acts.forwardToParent({
      childCycleId: cycle.cycleId,
      parentCycleId: parent.cycleId,
      parent: link,
      winners: cycle.finalResults.winners,
    });
    this.forwardedAt = cycle.clock.now();
    for (const f of this.forwarded) {
      cycle.record({
        actor: 'chain',
        action: 'chain-forward',
        outcome: f.outcome === 'accepted' ? 'accepted' : 'rejected',
        detail:
          f.outcome === 'accepted'
            ? `${f.nominationId} → ${parent.cycleId} ${f.parentNominationId}`
            : `${f.nominationId} → ${parent.cycleId}: ${f.refusal?.message ?? ''}`,
        ...(f.refusal ? { code: f.refusal.code } : {}),
      });
    }
    const refused = this.forwarded.filter((f) => f.outcome === 'refused');
    if (refused.length === 0) return;
    try {
      await mail.mailChainRefusals({
        childCycleId: cycle.cycleId,
        parentCycleId: parent.cycleId,
        programme: programmeRef(cycle.programme),
        secretariat: cycle.programme.secretariat,
        refused,
        issuedAt: cycle.clock.now(),
      });
    } catch (error) {
      cycle.record({
        actor: 'mail',
        action: 'mail-failed',
        outcome: 'rejected',
        detail: `chain-refusals: ${(error as Error)?.message ?? String(error)}`,
      });
    }
  }

  state(): ChainState {
    const parent = this.parent;
    return {
      cycleId: this.cycle.cycleId,
      ...(parent
        ? {
            parent: {
              ...parent,
              ...(this.parentClosesAt !== undefined ? { collectionClosesAt: this.parentClosesAt } : {}),
            },
          }
        : {}),
      ...(this.forwardedAt !== undefined ? { forwardedAt: this.forwardedAt } : {}),
      forwarded: this.forwarded,
      children: [...this.children.values()],
    };
  }
}

function wellFormedChild(child: ChildLink): boolean {
  const d = child?.deadlines;
  return (
    typeof child?.cycleId === 'string' &&
    typeof child.unitId === 'string' &&
    [d?.collectionClosesAt, d?.preliminaryReviewDueAt, d?.finalReviewDueAt].every(isPlausibleInstant)
  );
}
