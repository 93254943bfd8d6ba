/**
 * The secretariat's steering: extend, pause, resume, cancel, mail holds, and the final review's
 * results. Validators check the credential, then ask domain/steering.ts for a rejection; the
 * handlers change the state and tell the entities what changed.
 */
import { getExternalWorkflowHandle, patched, proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../../activities';
import { bundleSelectionRejection } from '../../domain/bundles';
import type { Party } from '../../domain/credentials';
import { fundingRejection } from '../../domain/funding';
import type { Rejection } from '../../domain/rejections';
import { quotaKey } from '../../domain/quota';
import {
  cancelRejection,
  extendRejection,
  finalResultsRejection,
  mailHoldRejection,
  pauseRejection,
  resumeRejection,
} from '../../domain/steering';
import { ENTITY_WORK } from '../activity-options';
import { unitWorkflowId } from '../ids';
import {
  collectionDeadlineSignal,
  type CycleStatus,
  type ExtendRequest,
  type FinalResults,
  type MailHoldRequest,
  type PartProgress,
  type ReasonRequest,
} from '../messages';
import { PATCHES } from '../patches';
import { requestRejection, type RequestKind } from '../../domain/limits';
import { credentialGuard, rejectWith } from '../refusals';
import type { CycleChain } from './chain';
import type { CycleState } from './state';

const acts = proxyActivities<ReturnType<typeof createActivities>>(ENTITY_WORK);
const SECRETARIAT: Party = { kind: 'secretariat' };

export class CycleSteering {
  private readonly authorize: ReturnType<typeof credentialGuard>;

  constructor(
    private readonly cycle: CycleState,
    private readonly chain: CycleChain,
  ) {
    this.authorize = credentialGuard(cycle.input.authPublicKey, cycle.cycleId, () => cycle.clock.now());
  }

  /**
   * The credential must be valid for `party`; the request must keep to the limits of its `kind`
   * (domain/limits.ts: shape, sizes, text policy); then `check` must find nothing to refuse.
   */
  private guard(
    kind: RequestKind,
    request: { credential?: unknown } | undefined,
    party: Party,
    check: () => Rejection | undefined,
  ): void {
    this.authorize(request?.credential, party);
    const rejection = requestRejection(kind, request) ?? check();
    if (rejection) rejectWith(rejection);
  }

  // Review deadlines per part. Moving the stage's deadline, earlier or later, sets every part to
  // the later of the new date and the part's own explicit extension (`extend --list/--field`,
  // which sets that part alone): the stage moves all parts with it, but never shortens a part
  // extended explicitly beyond the new date, as a unit's extension outlives a change of the
  // common collection deadline. The escalation waits for the latest part (partsDueAt). Each
  // review body is told the latest deadline of the parts it reviews, as the hand-over tells it.
  // Cycles started before this change only ever moved parts later and told every body one date.
  private reviewDeadlinesPerPart(): boolean {
    return patched(PATCHES.reviewDeadlinesPerPart);
  }

  /** Tells each review body (of `only`, else all) the latest deadline of the parts it reviews. */
  private async broadcastBodyDeadlines(only?: string[]): Promise<void> {
    for (const [dueAt, bodies] of this.cycle.bodiesByDeadline(only)) {
      this.cycle.issued.review.push({ dueAt, bodies });
      await acts.broadcastReviewDeadline({ cycleId: this.cycle.cycleId, dueAt, bodies });
    }
  }

  /** Tells every review body (of `bodies`, else all) one date: cycles before per-part deadlines. */
  private async broadcastOneReviewDeadline(dueAt: number, bodies?: string[]): Promise<void> {
    this.cycle.issued.review.push(bodies ? { dueAt, bodies } : { dueAt });
    await acts.broadcastReviewDeadline({ cycleId: this.cycle.cycleId, dueAt, ...(bodies ? { bodies } : {}) });
  }

  /** Tells every unit the collection deadline (with its own extension) and whether the clock runs. */
  private async broadcastCollection(closesAt: number): Promise<void> {
    const { cycle } = this;
    cycle.issued.collection.push({ closesAt, paused: cycle.paused, extensions: { ...cycle.unitExtensions } });
    await acts.broadcastCollectionDeadline({
      cycleId: cycle.cycleId,
      closesAt,
      paused: cycle.paused,
      unitExtensions: cycle.unitExtensions,
    });
  }

  validateExtend(request: ExtendRequest): void {
    this.guard(
      'extend',
      request,
      SECRETARIAT,
      () => extendRejection(request, this.cycle.steeringView()) ?? this.chain.extendRejection(request),
    );
  }

  async extend(request: ExtendRequest): Promise<CycleStatus> {
    const { scope, until, reason } = request;
    if (scope.kind === 'stage') await this.extendStage(scope.stage, until);
    else if (scope.kind === 'unit') await this.extendUnit(scope.unitId, until);
    else await this.extendPart(quotaKey(scope.listId, scope.fieldId), until);
    await this.chain.extended();
    this.cycle.record({
      actor: 'secretariat',
      action: 'extend',
      outcome: 'accepted',
      detail: `${JSON.stringify(scope)} → ${until}: ${reason}`,
    });
    return this.cycle.status();
  }

  private async extendStage(stage: 'collection' | 'preliminary-review' | 'final-review', until: number) {
    const { cycle } = this;
    if (stage === 'collection') {
      cycle.deadlines.collectionClosesAt = until;
      await this.broadcastCollection(until);
    } else if (stage === 'preliminary-review') {
      cycle.deadlines.preliminaryReviewDueAt = until;
      if (this.reviewDeadlinesPerPart()) {
        for (const [key, part] of cycle.parts)
          part.dueAt = Math.max(until, cycle.partExtensions.get(key) ?? -Infinity);
        await this.broadcastBodyDeadlines();
      } else {
        for (const part of cycle.parts.values()) part.dueAt = Math.max(part.dueAt, until);
        await this.broadcastOneReviewDeadline(until);
      }
    } else {
      cycle.deadlines.finalReviewDueAt = until;
    }
  }

  private async extendUnit(unitId: string, until: number) {
    const { cycle } = this;
    cycle.unitExtensions[unitId] = until;
    cycle.issued.collection.push({ unitId, closesAt: until, paused: cycle.paused });
    await getExternalWorkflowHandle(unitWorkflowId(cycle.cycleId, unitId)).signal(collectionDeadlineSignal, {
      closesAt: until,
      paused: cycle.paused,
    });
  }

  private async extendPart(key: string, until: number) {
    const part = this.cycle.parts.get(key) as PartProgress;
    part.dueAt = until;
    this.cycle.partExtensions.set(key, until);
    const bodies = part.reviewBodies.map((b) => b.bodyId);
    if (this.reviewDeadlinesPerPart()) await this.broadcastBodyDeadlines(bodies);
    else await this.broadcastOneReviewDeadline(until, bodies);
  }

  validatePause(request: ReasonRequest): void {
    this.guard('reason', request, SECRETARIAT, () => pauseRejection(request, this.cycle.steeringView()));
  }

  async pause({ reason }: ReasonRequest): Promise<CycleStatus> {
    const { cycle } = this;
    cycle.pausedAt = cycle.clock.now();
    cycle.record({ actor: 'secretariat', action: 'pause', outcome: 'accepted', detail: reason });
    if (cycle.stage === 'collection' || cycle.stage === 'collection-pending')
      await this.broadcastCollection(cycle.deadlines.collectionClosesAt);
    return cycle.status();
  }

  validateResume(request: ReasonRequest): void {
    this.guard('reason', request, SECRETARIAT, () => resumeRejection(request, this.cycle.steeringView()));
  }

  async resume({ reason }: ReasonRequest): Promise<CycleStatus> {
    const { cycle } = this;
    // The pause's length in whole minutes: a deadline at "24:00" stays on a minute (e.g. 12:00),
    // not 00:00:07 the next day, so reminders keep their day (cycles started before this
    // change shift by the exact milliseconds).
    const from = cycle.pausedAt as number;
    const exact = cycle.clock.now() - from;
    const shift = patched(PATCHES.pauseShiftWholeMinutes) ? Math.round(exact / 60_000) * 60_000 : exact;
    cycle.pausedAt = undefined;
    cycle.shiftDeadlines(from, shift);
    cycle.record({
      actor: 'secretariat',
      action: 'resume',
      outcome: 'accepted',
      detail: `${reason} (+${Math.round(shift / 60_000)} min)`,
    });
    if (cycle.stage === 'collection' || cycle.stage === 'collection-pending') {
      await this.broadcastCollection(cycle.deadlines.collectionClosesAt);
    } else if (cycle.stage === 'preliminary-review') {
      if (this.reviewDeadlinesPerPart()) await this.broadcastBodyDeadlines();
      else await this.broadcastOneReviewDeadline(cycle.partsDueAt());
    }
    return cycle.status();
  }

  validateCancel(request: ReasonRequest): void {
    this.guard('reason', request, SECRETARIAT, () => cancelRejection(request, this.cycle.steeringView()));
  }

  cancel({ reason }: ReasonRequest): CycleStatus {
    this.cycle.cancelled = true;
    this.cycle.record({ actor: 'secretariat', action: 'cancel', outcome: 'accepted', detail: reason });
    return this.cycle.status();
  }

  validateMailHold(request: MailHoldRequest): void {
    this.guard('mailHold', request, SECRETARIAT, () => mailHoldRejection(request, this.cycle.steeringView()));
  }

  async mailHold({ reminderId, held }: MailHoldRequest): Promise<CycleStatus> {
    const { cycle } = this;
    if (held) cycle.heldMailings.add(reminderId);
    else cycle.heldMailings.delete(reminderId);
    cycle.issued.holds.push([...cycle.heldMailings]);
    cycle.record({
      actor: 'secretariat',
      action: held ? 'mail-hold' : 'mail-release',
      outcome: 'accepted',
      detail: reminderId,
    });
    await acts.broadcastMailHolds({ cycleId: cycle.cycleId, held: [...cycle.heldMailings] });
    return cycle.status();
  }

  validateFinalResults(results: FinalResults): void {
    // Slots and budget are checked once the selection itself is sound; a validator is not
    // replayed, so histories that ended over their slots before this check still replay.
    this.guard(
      'finalComplete',
      results,
      { kind: 'final' },
      () =>
        finalResultsRejection(results, this.cycle.steeringView()) ??
        bundleSelectionRejection(this.cycle.bundles, results.winners) ??
        fundingRejection(this.cycle.programme, results.winners),
    );
  }

  finalResults(results: FinalResults): CycleStatus {
    this.cycle.finalResults = results;
    const count = results.winners.reduce((n, w) => n + w.nominationIds.length, 0);
    this.cycle.record({
      actor: 'final-review',
      action: 'final-results',
      outcome: 'accepted',
      detail: `${count} winners`,
    });
    return this.cycle.status();
  }
}
