/**
 * The stage runners: each waits for its stage's end (deadline, or everything done), sending the
 * mail that falls due on the way, then hands over to the next stage. They share the state, the
 * mail and the timeline sleep ("the plan changed, wait again").
 */
import { patched, proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../../activities';
import { planReminders, type ReminderRole } from '../../domain/reminders';
import { ENTITY_WORK } from '../activity-options';
import { PATCHES } from '../patches';
import type { CycleMail } from './mail';
import type { CycleState } from './state';

const acts = proxyActivities<ReturnType<typeof createActivities>>(ENTITY_WORK);

/** Mail due more than a minute before the cycle woke (the worker was away) is not sent late. */
const LATE_MAIL_GRACE_MS = 60_000;

interface StageWait {
  /** Business key of the deadline, e.g. "collection". */
  key: string;
  /** Who owes the deadline: the digest tells the secretariat about them. */
  owner: ReminderRole;
  deadline: () => number;
  done: () => boolean;
  whoIsMissing: () => Promise<string[]>;
  /** The deadline the digests count down to, when not `deadline` (collection: the common one). */
  digestDeadline?: () => number;
}

export class CycleStages {
  private readonly sentDigests = new Set<string>();

  constructor(
    private readonly cycle: CycleState,
    private readonly mail: CycleMail,
  ) {}

  /**
   * Waits until the deadline passes (never while paused) or the stage is done, sending the
   * secretariat's digests before the deadline as they fall due.
   */
  private async waitForStageEnd(wait: StageWait): Promise<void> {
    const { cycle } = this;
    const digestDeadline = wait.digestDeadline ?? wait.deadline;
    for (;;) {
      if (cycle.cancelled || wait.done()) return;
      if (!cycle.paused && cycle.clock.now() >= wait.deadline()) return;
      const digest = planReminders({
        deadlines: [{ key: wait.key, at: digestDeadline(), role: wait.owner }],
        policy: cycle.programme.reminders,
      })
        .filter(
          (r) =>
            r.kind === 'digest' &&
            !this.sentDigests.has(r.id) &&
            !cycle.heldMailings.has(r.id) &&
            r.at > cycle.clock.now() - LATE_MAIL_GRACE_MS,
        )
        .sort((a, b) => a.at - b.at)[0];
      const wakeAt = cycle.paused ? undefined : Math.min(wait.deadline(), digest?.at ?? Infinity);
      const woken = await cycle.plan.sleepUntil(wakeAt, () => cycle.cancelled);
      if (woken || !digest || cycle.clock.now() < digest.at || cycle.paused) continue;
      this.sentDigests.add(digest.id);
      await this.mail.digest(digest.id, digestDeadline(), wait.whoIsMissing);
    }
  }

  /** Starts the units, waits for the opening, then for collection to close. */
  async collection(): Promise<void> {
    const { cycle } = this;
    await acts.startUnits({ cycleId: cycle.cycleId, clockOffsetMs: cycle.clock.offsetMs });
    cycle.unitsStarted = true;
    await cycle.clock.waitUntil(cycle.deadlines.collectionOpensAt, () => cycle.cancelled);
    if (!cycle.cancelled) cycle.setStage('collection');
    // One unit's extension keeps the stage open for it, but the secretariat's digests still count
    // down to the common deadline (cycles started before this change keep the old schedule).
    const digestsOnCommonDeadline = patched(PATCHES.collectionDigestsOnCommonDeadline);
    await this.waitForStageEnd({
      key: 'collection',
      owner: 'unit',
      deadline: () => cycle.collectionClosesAt(),
      done: () => false,
      whoIsMissing: () => acts.unitsOwingWork({ cycleId: cycle.cycleId }),
      ...(digestsOnCommonDeadline ? { digestDeadline: () => cycle.deadlines.collectionClosesAt } : {}),
    });
  }

  /** Hands the nominations over to the review bodies and waits for their reports. */
  async preliminaryReview(): Promise<void> {
    const { cycle } = this;
    cycle.setStage('preliminary-review');
    const dueByPart = Object.fromEntries(
      [...cycle.parts].map(([key, p]) => [key, Math.max(p.dueAt, cycle.deadlines.preliminaryReviewDueAt)]),
    );
    cycle.issued.review.push({ handover: true });
    const counts = await acts.handOverToReview({
      cycleId: cycle.cycleId,
      clockOffsetMs: cycle.clock.offsetMs,
      dueByPart,
    });
    if (cycle.heldMailings.size > 0) {
      cycle.issued.holds.push([...cycle.heldMailings]);
      await acts.broadcastMailHolds({ cycleId: cycle.cycleId, held: [...cycle.heldMailings] });
    }
    for (const [key, part] of cycle.parts) {
      part.nominations = counts[key] ?? 0;
      // Nothing to review: the part is done at once.
      if (part.nominations === 0) for (const body of part.reviewBodies) body.reportedAt = cycle.clock.now();
    }
    cycle.partsCounted = true;
    cycle.plan.changed();
    await this.waitForStageEnd({
      key: 'preliminary-review',
      owner: 'reviewBody',
      deadline: () => cycle.partsDueAt(),
      done: () => cycle.missingBodies().length === 0,
      whoIsMissing: async () => cycle.missingBodies(),
    });
    const missing = cycle.missingBodies();
    if (missing.length > 0 && !cycle.cancelled) {
      cycle.escalated.push(...missing);
      cycle.record({ actor: 'system', action: 'escalate', outcome: 'info', detail: missing.join(', ') });
      await this.mail.escalation('preliminary-review', cycle.partsDueAt(), missing);
    }
  }

  /** Reminds the final review body until its results are in. */
  async finalReview(): Promise<void> {
    const { cycle } = this;
    cycle.setStage('final-review');
    const sent = new Set<string>();
    for (;;) {
      if (cycle.cancelled || cycle.finalResults) break;
      const next = planReminders({
        deadlines: [{ key: 'final', at: cycle.deadlines.finalReviewDueAt, role: 'finalReviewBody' }],
        policy: cycle.programme.reminders,
      })
        .filter(
          (r) =>
            r.kind !== 'digest' &&
            !sent.has(r.id) &&
            !cycle.heldMailings.has(r.id) &&
            r.at > cycle.clock.now() - LATE_MAIL_GRACE_MS,
        )
        .sort((a, b) => a.at - b.at)[0];
      const woken = await cycle.plan.sleepUntil(cycle.paused ? undefined : next?.at, () => cycle.cancelled);
      if (woken || !next || cycle.clock.now() < next.at) continue;
      sent.add(next.id);
      await this.mail.finalReminder(next.id, next.kind === 'overdue');
    }
  }

  /** Waits for the publication date, publishes, announces, and waits out the promotion. */
  async publicationAndPromotion(): Promise<void> {
    const { cycle } = this;
    const finalResults = cycle.finalResults;
    if (!finalResults) return;
    const secretariatOwes = (key: string, deadline: () => number): StageWait => ({
      key,
      owner: 'secretariat',
      deadline,
      done: () => false,
      whoIsMissing: async () => [],
    });
    cycle.setStage('awaiting-publication');
    await this.waitForStageEnd(secretariatOwes('publication', () => cycle.deadlines.publicationAt));
    if (cycle.cancelled) return;
    const result = await acts.publish({
      cycleId: cycle.cycleId,
      winners: finalResults.winners,
      outDir: cycle.input.outDir,
      publishedAt: cycle.clock.now(),
    });
    cycle.published = { at: cycle.clock.now(), outDir: result.outDir, winners: result.winners };
    cycle.record({
      actor: 'system',
      action: 'publish',
      outcome: 'accepted',
      detail: `${result.winners} winners → ${result.outDir}`,
    });
    await acts.announceResults({ cycleId: cycle.cycleId, at: cycle.clock.now() });
    cycle.setStage('promotion');
    await this.waitForStageEnd(secretariatOwes('promotion', () => cycle.deadlines.promotionUntil));
  }
}
