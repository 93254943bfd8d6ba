/**
 * How a unit or review body takes its internal signals from the cycle: the deadline that concerns
 * it (collectionDeadline or reviewDeadline), mailHolds and cycleFinished. In a keyed cycle it asks
 * the cycle (one activity, shared by signals arriving together) whether the cycle sent the
 * signal, then applies the cycle's latest word to it, never the signal's payload (confirm.ts).
 * Unconfirmed signals change nothing, are counted and logged, and never fail a workflow task.
 * Open cycles apply signals as sent; signals handled before confirmation existed replay as they
 * were applied (no marker).
 */
import { log, patched, proxyActivities, setHandler, type SignalDefinition } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { CONFIRMATION } from './activity-options';
import { claimBatcher, type EntityClaim, type EntityReceiver, type EntityTruth } from './confirm';
import { cycleFinishedSignal, mailHoldsSignal } from './messages';
import { PATCHES } from './patches';
import type { PlanChanges } from './plan-changes';

const { confirmEntitySignals } = proxyActivities<ReturnType<typeof createActivities>>(CONFIRMATION);

/** The deadline signal an entity takes, and how it reads, compares and applies it. */
export interface DeadlineChannel<Change> {
  signal: SignalDefinition<[Change]>;
  name: 'collectionDeadline' | 'reviewDeadline';
  wellFormed(change: Change): boolean;
  /** The change says what the entity already has: nothing to confirm. */
  isCurrent(change: Change): boolean;
  claim(change: Change): EntityClaim;
  /** Applies the change as sent (open cycles). */
  apply(change: Change): void;
  /** Applies the cycle's latest word if newer than `revision`; returns the revision applied. */
  applyTruth(truth: EntityTruth, revision: number): number;
}

/** What the signals set, carried across continue-as-new. */
export interface ReceivedSignals {
  held: string[];
  /** Revisions of the cycle's word applied, per kind. */
  applied: { deadline: number; holds: number };
  unverifiedSignals: number;
}

export class EntitySignals {
  held: Set<string>;
  finished = false;
  unverifiedSignals: number;
  readonly applied: ReceivedSignals['applied'];
  private readonly batch;

  constructor(
    private readonly args: {
      cycleId: string;
      receiver: EntityReceiver;
      authPublicKey?: string;
      plan: PlanChanges;
      carried?: Partial<ReceivedSignals>;
    },
  ) {
    this.held = new Set(args.carried?.held ?? []);
    this.applied = { deadline: 0, holds: 0, ...args.carried?.applied };
    this.unverifiedSignals = args.carried?.unverifiedSignals ?? 0;
    this.batch = claimBatcher<EntityClaim, { confirmed: boolean; truth: EntityTruth }>(async (claims) => {
      const { confirmed, truth } = await confirmEntitySignals({
        cycleId: args.cycleId,
        receiver: args.receiver,
        claims,
      });
      return claims.map((_, i) => ({ confirmed: confirmed[i] === true, truth }));
    });
  }

  carried(): ReceivedSignals {
    return { held: [...this.held], applied: { ...this.applied }, unverifiedSignals: this.unverifiedSignals };
  }

  /** Keyed cycles confirm; open ones, and workflows replaying from before the change, do not. */
  private confirming(): boolean {
    return Boolean(this.args.authPublicKey) && patched(PATCHES.confirmedSignals);
  }

  private unverified(signal: string, reason: string): void {
    this.unverifiedSignals++;
    this.args.plan.changed();
    log.warn('internal signal not confirmed by the cycle: ignored', { signal, reason });
  }

  private async claim(claim: EntityClaim, deadline: DeadlineChannel<never>): Promise<void> {
    let answer;
    try {
      answer = await this.batch(claim);
    } catch (error) {
      this.unverified(claim.signal, `confirmation failed: ${(error as Error)?.message ?? 'unknown'}`);
      return;
    }
    if (!answer.confirmed) return this.unverified(claim.signal, 'not sent by the cycle');
    const { truth } = answer;
    if (claim.signal === deadline.name) {
      this.applied.deadline = deadline.applyTruth(truth, this.applied.deadline);
    } else if (claim.signal === 'mailHolds' && truth.holds && truth.holds.revision > this.applied.holds) {
      this.applied.holds = truth.holds.revision;
      this.held = new Set(truth.holds.held);
    } else if (claim.signal === 'cycleFinished' && truth.finished) {
      this.finished = true;
    }
    this.args.plan.changed();
  }

  /** Sets the handlers of the entity's deadline signal, mailHolds and cycleFinished. */
  install<Change>(deadline: DeadlineChannel<Change>): void {
    const channel = deadline as unknown as DeadlineChannel<never>;
    setHandler(deadline.signal, async (change: Change) => {
      // Signals have no validator: a malformed one (only a direct caller sends those) is ignored.
      const wellFormed = deadline.wellFormed(change);
      if (this.confirming()) {
        if (!wellFormed) return this.unverified(deadline.name, 'malformed');
        if (deadline.isCurrent(change)) return;
        return this.claim(deadline.claim(change), channel);
      }
      if (!wellFormed) return;
      deadline.apply(change);
      this.args.plan.changed();
    });
    setHandler(mailHoldsSignal, async (holds) => {
      if (!Array.isArray(holds?.held) || !holds.held.every((id) => typeof id === 'string')) {
        if (this.confirming()) this.unverified('mailHolds', 'malformed');
        return;
      }
      if (this.confirming()) {
        if (holds.held.length === this.held.size && holds.held.every((id) => this.held.has(id))) return;
        return this.claim({ signal: 'mailHolds', held: holds.held }, channel);
      }
      this.held = new Set(holds.held);
      this.args.plan.changed();
    });
    setHandler(cycleFinishedSignal, async () => {
      if (this.confirming()) {
        if (!this.finished) await this.claim({ signal: 'cycleFinished' }, channel);
        return;
      }
      this.finished = true;
      this.args.plan.changed();
    });
  }
}
