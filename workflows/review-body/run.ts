/**
 * A review body workflow's run: its parts and their reports, the deadline the cycle last gave it,
 * and its reminders until every part is reported.
 */
import { getExternalWorkflowHandle, patched, proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../../activities';
import { partyLabel, readClaims, type Party } from '../../domain/credentials';
import { expertOfMailId, noticeKey } from '../../domain/mail-ids';
import { quotaKey } from '../../domain/quota';
import {
  expertReminderTimeline,
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
  type AssignExpertsRequest,
  type ConfirmShortlistRequest,
  type DeclareConflictRequest,
  type ExpertReviewReceipt,
  type FileReviewPlanRequest,
  type ReviewBodyState,
  type ReviewPartState,
  type ReviewReport,
  type SubmitScoresRequest,
} from '../messages';
import { partNames, programmeRef } from '../notices';
import { PATCHES } from '../patches';
import { PlanChanges } from '../plan-changes';
import { EntitySignals } from '../receive';
import { requestRejection } from '../../domain/limits';
import { credentialGuard, isPlausibleInstant, rejectWith } from '../refusals';
import type { ReviewBodyWorkflowInput } from '.';
import { assertReportedPart, assertResults } from './report';
import {
  assertAssignment,
  assertConfirmation,
  assertConflictDeclaration,
  assertOpen,
  assertPlan,
  assertScores,
  assertShape,
} from './expert-checks';
import { readSummaries } from './summaries';
import { ExpertPanel } from './experts';

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
  /** Bodies started since expert review have a panel; older ones report with reportReview only. */
  private readonly panel?: ExpertPanel;

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
    if (patched(PATCHES.expertReview))
      this.panel = new ExpertPanel({ bodyId: input.bodyId, parts: this.parts, now: () => this.clock.now() });
  }

  private outstanding(): ReviewPartState[] {
    return [...this.parts.values()].filter((p) => p.reportedAt === undefined);
  }

  state(): ReviewBodyState {
    const { bodyId, cycleId, authPublicKey } = this.input;
    return {
      bodyId,
      cycleId,
      authPublicKey,
      dueAt: this.dueAt,
      parts: [...this.parts.values()],
      unverifiedSignals: this.signals.unverifiedSignals,
      ...(this.panel ? { expertReview: this.panel.state() } : {}),
    };
  }

  validateReport(report: ReviewReport): void {
    this.authorize(report?.credential, { kind: 'body', id: this.input.bodyId });
    const limited = requestRejection('reportReview', report);
    if (limited) rejectWith(limited);
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

  // Expert review: each validator checks the party, the shape, that the body is still open, then
  // the request against the panel; each handler applies it.

  private get body(): Party {
    return { kind: 'body', id: this.input.bodyId };
  }

  private expert(expertId: unknown): Party {
    return { kind: 'expert', body: this.input.bodyId, id: String(expertId) };
  }

  /** Who acted, as the audit names them: the credential's holder, or the party in open mode. */
  private actor(credential: string | undefined, party: Party): string {
    const holder = credential ? readClaims(credential)?.party : undefined;
    return partyLabel(holder ?? party);
  }

  /** The panel, once the body is past the party and shape checks and still open. */
  private openPanel(request: unknown, known: readonly string[]): ExpertPanel {
    if (!this.panel)
      rejectWith({
        code: 'WRONG_STAGE',
        rule: 'expert-review',
        message:
          '本评审机构早于专家评审功能启动，请用 reportReview 报送 / this body predates expert review: report with reportReview',
      });
    assertShape(request, known);
    assertOpen({ finished: this.signals.finished, now: this.clock.now(), dueAt: this.dueAt });
    if (this.panel.summariesPending > 0)
      rejectWith({
        code: 'WRONG_STAGE',
        rule: 'hand-over',
        message: `评审材料交接中（尚有 ${this.panel.summariesPending} 项）/ the hand-over is still being read (${this.panel.summariesPending} to go)`,
        fix: '稍后重试 / try again in a minute',
      });
    return this.panel;
  }

  /** Reads the summaries the hand-over left for the body (input.summariesToFetch); else nothing. */
  async readHandedOverSummaries(): Promise<void> {
    if (this.input.summariesToFetch && this.panel)
      await readSummaries(this.input.cycleId, [...this.parts.values()], this.panel);
  }

  validateFilePlan(r: FileReviewPlanRequest): void {
    this.authorize(r?.credential, this.body);
    assertPlan(r.plan, this.openPanel(r, ['plan', 'credential']));
  }

  filePlan(r: FileReviewPlanRequest): ExpertReviewReceipt {
    return (this.panel as ExpertPanel).fileReviewPlan(r.plan, this.actor(r.credential, this.body));
  }

  validateAssign(r: AssignExpertsRequest): void {
    this.authorize(r?.credential, this.body);
    assertAssignment(r, this.openPanel(r, ['auto', 'nominationId', 'expertIds', 'credential']), this.parts);
  }

  assign(r: AssignExpertsRequest): ExpertReviewReceipt {
    this.plan.changed();
    return (this.panel as ExpertPanel).assign(r, this.actor(r.credential, this.body));
  }

  validateConflict(r: DeclareConflictRequest): void {
    this.authorize(r?.credential, this.body, this.expert(r?.expertId));
    const panel = this.openPanel(r, ['expertId', 'nominationId', 'reason', 'credential']);
    assertConflictDeclaration(r, panel, this.parts);
  }

  declareConflict(r: DeclareConflictRequest): ExpertReviewReceipt {
    this.plan.changed();
    return (this.panel as ExpertPanel).declareConflict(r, this.actor(r.credential, this.expert(r.expertId)));
  }

  validateScores(r: SubmitScoresRequest): void {
    this.authorize(r?.credential, this.expert(r?.expertId));
    assertScores(r, this.openPanel(r, ['expertId', 'sheets', 'credential']), this.parts);
  }

  submitScores(r: SubmitScoresRequest): ExpertReviewReceipt {
    this.plan.changed();
    return (this.panel as ExpertPanel).submitScores(r, this.actor(r.credential, this.expert(r.expertId)));
  }

  validateConfirm(r: ConfirmShortlistRequest): void {
    this.authorize(r?.credential, this.body);
    const panel = this.openPanel(r, ['listId', 'fieldId', 'top', 'reason', 'credential']);
    assertConfirmation(r, panel, this.parts, this.input.bodyId);
  }

  /** The chair's confirmation becomes the part's report, the same path as reportReview. */
  confirm(r: ConfirmShortlistRequest): ReviewPartState {
    const part = this.parts.get(quotaKey(r.listId, r.fieldId)) as ReviewPartState;
    const results = (this.panel as ExpertPanel).confirm(r, part, this.actor(r.credential, this.body));
    return this.report({ listId: r.listId, ...(r.fieldId ? { fieldId: r.fieldId } : {}), results });
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
    const about = {
      bodyId: this.input.bodyId,
      dueAt: this.dueAt,
      sent: this.sent,
      held: this.signals.held,
      from: this.plannedFrom,
    };
    const { reminders } = this.input.programme;
    const timeline = [
      ...reviewBodyTimeline(reminders, { ...about, outstanding: this.outstanding().length > 0 }),
      ...(this.panel?.assignedSince === undefined
        ? []
        : expertReminderTimeline(reminders, {
            ...about,
            from: Math.max(about.from, this.panel.assignedSince),
            owing: [...this.panel.owing().keys()],
          })),
    ].sort((a, b) => a.at - b.at);
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
      await (next.template === 'expertReminder' ? this.remindExpert(next) : this.remind(next));
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

  /** An expert who still owes sheets when the reminder is due (else nothing goes). */
  private async remindExpert(reminder: ScheduledEvent): Promise<unknown> {
    const { programme, cycleId } = this.input;
    const expertId = expertOfMailId(reminder.id);
    const owed = expertId ? this.panel?.owing().get(expertId) : undefined;
    const expert = this.panel?.plan?.experts.find((e) => e.id === expertId);
    if (!owed || !expert) return;
    return sendNotice({
      cycleId,
      businessKey: noticeKey(cycleId, { kind: 'review', id: this.input.bodyId }, reminder.id),
      to: [{ name: expert.name, email: expert.email }],
      template: 'expertReminder',
      programme: programmeRef(programme),
      issuedAt: this.clock.now(),
      deadline: this.dueAt,
      party: expert.name,
      awaiting: owed.map(({ part, count }) => ({
        ...partNames(programme, part.listId, part.fieldId),
        count,
      })),
    });
  }
}
