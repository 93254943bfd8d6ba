/**
 * A review body workflow's run: its parts and their reports, the deadline the cycle last gave it,
 * and its reminders until every part is reported.
 */
import { getExternalWorkflowHandle, patched, proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../../activities';
import { noticeKey } from '../../domain/mail-ids';
import { quotaKey } from '../../domain/quota';
import {
  nextOnWaking,
  reviewBodyTimeline,
  type ScheduledEvent,
  type WakingRule,
} from '../../domain/schedule';
import { ENTITY_MAIL } from '../activity-options';
import { ProgrammeClock } from '../clock';
import {
  partReportedSignal,
  reviewDeadlineSignal,
  type ReviewPartState,
  type ReviewReport,
} from '../messages';
import { partNames, programmeRef } from '../notices';
import { PATCHES } from '../patches';
import { PlanChanges } from '../plan-changes';
import { EntitySignals } from '../receive';
import { credentialGuard, isPlausibleInstant, rejectWith } from '../refusals';
import type { ReviewBodyWorkflowInput } from '.';
import { assertReportedPart, assertResults } from './report';

const { sendNotice } = proxyActivities<ReturnType<typeof createActivities>>(ENTITY_MAIL);

export class ReviewBodyRun {
  readonly clock: ProgrammeClock;
  readonly plan: PlanChanges;
  readonly signals: EntitySignals;
  private readonly parts: Map<string, ReviewPartState>;
  private readonly sent = new Set<string>();
  private dueAt: number;
  // Reminders already overtaken are not sent late: those due before this body was handed its
  // work (e.g. T-14 and T-7 when it starts with five days left), and of several that fall due at
  // once (the deadline moved earlier, or the worker was away) only the latest goes out. Bodies
  // started before this change sent them all: their replays keep doing so.
  private readonly skipsStaleReminders: boolean;
  private readonly plannedFrom: number;
  private readonly authorize: ReturnType<typeof credentialGuard>;

  constructor(readonly input: ReviewBodyWorkflowInput) {
    this.clock = new ProgrammeClock(input.clockOffsetMs);
    this.plan = new PlanChanges(this.clock);
    this.parts = new Map(input.parts.map((p) => [quotaKey(p.listId, p.fieldId), { ...p }]));
    this.dueAt = input.dueAt;
    this.skipsStaleReminders = patched(PATCHES.reviewBodySkipsStaleReminders);
    this.plannedFrom = this.skipsStaleReminders ? this.clock.now() : -Infinity;
    this.signals = new EntitySignals({
      cycleId: input.cycleId,
      receiver: { kind: 'body', id: input.bodyId },
      authPublicKey: input.authPublicKey,
      plan: this.plan,
    });
    this.authorize = credentialGuard(input.authPublicKey, input.cycleId, () => this.clock.now());
  }

  private outstanding(): ReviewPartState[] {
    return [...this.parts.values()].filter((p) => p.reportedAt === undefined);
  }

  state() {
    const { bodyId, cycleId, authPublicKey } = this.input;
    return {
      bodyId,
      cycleId,
      authPublicKey,
      dueAt: this.dueAt,
      parts: [...this.parts.values()],
      unverifiedSignals: this.signals.unverifiedSignals,
    };
  }

  validateReport(report: ReviewReport): void {
    this.authorize(report?.credential, { kind: 'body', id: this.input.bodyId });
    if (this.signals.finished) {
      rejectWith({ code: 'WRONG_STAGE', message: '本轮已结束 / the cycle is over', rule: 'stage' });
    }
    assertResults(report.results, assertReportedPart(report, this.parts, this.input.bodyId));
  }

  report(report: ReviewReport): ReviewPartState {
    const part = this.parts.get(quotaKey(report.listId, report.fieldId)) as ReviewPartState;
    // Repeating a report is harmless: the first one stands.
    if (part.reportedAt !== undefined) return part;
    part.reportedAt = this.clock.now();
    part.late = part.reportedAt >= this.dueAt;
    part.results = report.results;
    this.plan.changed();
    const shortlist = report.results.filter((r) => r.verdict === 'recommended').map((r) => r.nominationId);
    void getExternalWorkflowHandle(this.input.cycleId).signal(partReportedSignal, {
      bodyId: this.input.bodyId,
      listId: report.listId,
      fieldId: report.fieldId,
      reportedAt: part.reportedAt,
      shortlist,
    });
    return part;
  }

  /** The cycle's signals: the review deadline, mail holds, the cycle's end. */
  installSignals(): void {
    this.signals.install<{ dueAt: number }>({
      signal: reviewDeadlineSignal,
      name: 'reviewDeadline',
      wellFormed: (change) => isPlausibleInstant(change?.dueAt),
      isCurrent: (change) => change.dueAt === this.dueAt,
      claim: (change) => ({ signal: 'reviewDeadline', dueAt: change.dueAt }),
      apply: (change) => {
        this.dueAt = change.dueAt;
      },
      applyTruth: (truth, revision) => {
        if (!truth.review || truth.review.revision <= revision) return revision;
        this.dueAt = truth.review.dueAt;
        return truth.review.revision;
      },
    });
  }

  /** The next reminder of the body's schedule, while parts are outstanding. */
  private nextReminder(): ScheduledEvent | undefined {
    const timeline = reviewBodyTimeline(this.input.programme.reminders, {
      bodyId: this.input.bodyId,
      dueAt: this.dueAt,
      outstanding: this.outstanding().length > 0,
      sent: this.sent,
      held: this.signals.held,
      from: this.plannedFrom,
    });
    const { next, overtaken } = nextOnWaking(timeline, this.clock.now(), this.wakingRule(timeline));
    // The overtaken are dropped, not kept for later: a reminder goes out once or never.
    overtaken.forEach((r) => this.sent.add(r.id));
    return next;
  }

  /** Bodies started before stale reminders were skipped send every one in order. */
  private wakingRule(timeline: ScheduledEvent[]): WakingRule {
    if (!this.skipsStaleReminders || timeline.length === 0) return 'in-order';
    return patched(PATCHES.lateMailOnceOnWaking) ? 'once-on-waking' : 'latest-of-due';
  }

  /** Sends the body's reminders as they fall due, until the cycle finishes. */
  async runTimeline(): Promise<void> {
    while (!this.signals.finished) {
      const next = this.nextReminder();
      const woken = await this.plan.sleepUntil(next?.at);
      if (woken || !next) continue;
      this.sent.add(next.id);
      if (this.outstanding().length === 0) continue;
      await this.remind(next);
    }
  }

  private remind(reminder: ScheduledEvent): Promise<unknown> {
    const { programme, cycleId, bodyId } = this.input;
    const body = programme.reviewBodies.find((b) => b.id === bodyId);
    return sendNotice({
      cycleId,
      businessKey: noticeKey(cycleId, { kind: 'review', id: bodyId }, reminder.id),
      to: body?.contacts.map((c) => ({ name: `${body.name.zh} ${c.name}`, email: c.email })) ?? [],
      template: reminder.kind === 'overdue' ? 'bodyOverdue' : 'bodyReminder',
      programme: programmeRef(programme),
      issuedAt: this.clock.now(),
      deadline: this.dueAt,
      party: body?.name.zh ?? bodyId,
      awaiting: this.outstanding().map((p) => ({
        ...partNames(programme, p.listId, p.fieldId),
        count: p.nominationIds.length,
      })),
    });
  }
}
