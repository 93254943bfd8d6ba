/**
 * The stage runners: each waits for its stage's end (deadline, or everything done), sending the
 * mail that falls due on the way, then hands over to the next stage. They share the state, the
 * mail and the timeline sleep ("the plan changed, wait again").
 */
import { patched, proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../../activities';
import { hasBundles } from '../../domain/bundles';
import type { ReminderRole } from '../../domain/reminders';
import {
  digestTimeline,
  finalReviewTimeline,
  nextOnWaking,
  type ScheduledEvent,
  type TimelineFilter,
} from '../../domain/schedule';
import { ENTITY_WORK } from '../activity-options';
import { PATCHES } from '../patches';
import { START_PROJECTS_ACTION, startProjects, startedProjectsDetail } from '../project/start';
import type { CycleMail } from './mail';
import type { CycleState } from './state';

const acts = proxyActivities<ReturnType<typeof createActivities>>(ENTITY_WORK);

/**
 * Cycles started before mail went once on waking skipped mail due more than a minute before
 * the cycle woke (the worker was away).
 */
const LATE_MAIL_GRACE_MS = 60_000;

interface StageWait {
  /** The deadline's key, e.g. "collection". */
  key: 'collection' | 'preliminary-review' | 'publication' | 'promotion';
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
   * Mail that fell due while no worker ran goes once on waking (domain/schedule.ts); cycles
   * started before skipped what was more than a minute late, and planned from `now` less that.
   */
  private lateMail(): boolean {
    return patched(PATCHES.lateMailOnceOnWaking);
  }

  /** Sent, held, and where planning starts: the cycle's start, or a minute ago in older cycles. */
  private filter(sent: ReadonlySet<string>, startedAt: number): TimelineFilter {
    const now = this.cycle.clock.now();
    return {
      sent,
      held: this.cycle.heldMailings,
      from: this.lateMail() ? startedAt : now - LATE_MAIL_GRACE_MS + 1,
    };
  }

  /** The next digest of the stage's schedule; overtaken ones are dropped for good. */
  private nextDigest(wait: StageWait): ScheduledEvent | undefined {
    const { cycle } = this;
    const timeline = digestTimeline(cycle.programme.reminders, {
      key: wait.key,
      deadlineAt: (wait.digestDeadline ?? wait.deadline)(),
      owner: wait.owner,
      ...this.filter(this.sentDigests, cycle.startedAt),
    });
    const rule = this.lateMail() ? 'once-on-waking' : 'in-order';
    const { next, overtaken } = nextOnWaking(timeline, cycle.clock.now(), rule);
    overtaken.forEach((e) => this.sentDigests.add(e.id));
    return next;
  }

  private async sendDigest(wait: StageWait, digest: ScheduledEvent): Promise<void> {
    this.sentDigests.add(digest.id);
    await this.mail.digest(digest.id, (wait.digestDeadline ?? wait.deadline)(), wait.whoIsMissing);
  }

  /**
   * Waits until the deadline passes (never while paused) or the stage is done, sending the
   * secretariat's digests before the deadline as they fall due. A digest that fell due while no
   * worker ran goes once when the cycle wakes, even past the deadline.
   */
  private async waitForStageEnd(wait: StageWait): Promise<void> {
    const { cycle } = this;
    for (;;) {
      if (cycle.cancelled || wait.done()) return;
      if (!cycle.paused && cycle.clock.now() >= wait.deadline()) {
        const missed = this.lateMail() ? this.nextDigest(wait) : undefined;
        if (missed && missed.at <= cycle.clock.now()) await this.sendDigest(wait, missed);
        return;
      }
      const digest = this.nextDigest(wait);
      const wakeAt = cycle.paused ? undefined : Math.min(wait.deadline(), digest?.at ?? Infinity);
      const woken = await cycle.plan.sleepUntil(wakeAt, () => cycle.cancelled);
      if (woken || !digest || cycle.clock.now() < digest.at || cycle.paused) continue;
      await this.sendDigest(wait, digest);
    }
  }

  /**
   * Starts one workflow per unit. A workflow someone else started under a unit's id first is
   * refused: replaced by the cycle's own and audited (cycles started before this check trust it).
   */
  private async startUnits(): Promise<void> {
    const { cycle } = this;
    const args = { cycleId: cycle.cycleId, clockOffsetMs: cycle.clock.offsetMs };
    if (!patched(PATCHES.unitsStartedByCycle)) {
      await acts.startUnits(args);
      return;
    }
    const { refused } = await acts.startOwnUnits(args);
    for (const r of refused) {
      cycle.record({
        actor: `unit:${r.unitId}`,
        action: 'foreign-unit-workflow',
        outcome: 'rejected',
        detail: `${r.reason}; replaced by the cycle's own (it held ${r.nominations} nominations)`,
        code: 'NOT_ALLOWED',
      });
    }
  }

  /** Starts the units, waits for the opening, then for collection to close. */
  async collection(): Promise<void> {
    const { cycle } = this;
    await this.startUnits();
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
    // Bodies get who nominated whom for their conflict checks; cycles started before hand over ids.
    const withSummaries = patched(PATCHES.reviewHandoverSummaries);
    const counts = await acts.handOverToReview({
      cycleId: cycle.cycleId,
      clockOffsetMs: cycle.clock.offsetMs,
      dueByPart,
      ...(withSummaries ? { withSummaries } : {}),
    });
    if (hasBundles(cycle.programme) && patched(PATCHES.bundlesBeforeParts)) {
      cycle.bundles = await acts.bundleLinks({ cycleId: cycle.cycleId });
    }
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
    const startedAt = cycle.clock.now();
    for (;;) {
      if (cycle.cancelled || cycle.finalResults) break;
      const timeline = finalReviewTimeline(cycle.programme.reminders, {
        dueAt: cycle.deadlines.finalReviewDueAt,
        ...this.filter(sent, startedAt),
      });
      const rule = this.lateMail() ? 'once-on-waking' : 'in-order';
      const { next, overtaken } = nextOnWaking(timeline, cycle.clock.now(), rule);
      overtaken.forEach((e) => sent.add(e.id));
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
    const secretariatOwes = (key: 'publication' | 'promotion', deadline: () => number): StageWait => ({
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
    if (patched(PATCHES.trackingProjects)) {
      const projects = await startProjects({
        cycleId: cycle.cycleId,
        programme: cycle.programme,
        winners: finalResults.winners,
        publishedAt: cycle.published.at,
        clockOffsetMs: cycle.clock.offsetMs,
        authPublicKey: cycle.input.authPublicKey,
      });
      if (projects.length > 0) {
        cycle.record({
          actor: 'system',
          action: START_PROJECTS_ACTION,
          outcome: 'info',
          detail: startedProjectsDetail(projects),
        });
      }
    }
    cycle.setStage('promotion');
    await this.waitForStageEnd(secretariatOwes('promotion', () => cycle.deadlines.promotionUntil));
  }
}
