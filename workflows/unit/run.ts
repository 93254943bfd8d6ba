/**
 * A unit workflow's run: its collection window (deadline, pause, finish, as the cycle last said),
 * the handlers' work, and its own timeline of notices: opening, reminders while it owes work,
 * closing. Re-planned whenever the deadline moves (extension, pause).
 */
import { patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createActivities } from '../../activities';
import { interned } from '../../domain/interning';
import { noticeKey } from '../../domain/mail-ids';
import { nextOnWaking, unitTimeline, type ScheduledEvent } from '../../domain/schedule';
import { ENTITY_MAIL } from '../activity-options';
import { ProgrammeClock } from '../clock';
import {
  collectionDeadlineSignal,
  type NominateRequest,
  type Nomination,
  type UnitInput,
  type UnitState,
} from '../messages';
import { describeUsage, programmeRef } from '../notices';
import { PATCHES } from '../patches';
import { PlanChanges } from '../plan-changes';
import { EntitySignals } from '../receive';
import { requestRejection, type RequestKind } from '../../domain/limits';
import { credentialGuard, isPlausibleInstant, rejectWith } from '../refusals';
import { UnitNominations } from './nominations';
import { originOf, type UnitOrigin } from './origin';

const { sendNotice } = proxyActivities<ReturnType<typeof createActivities>>(ENTITY_MAIL);

/** Past this many accepted updates in one run, hand over to a fresh run (the server caps a run at 2,000). */
const UPDATES_PER_RUN = 1_000;

type UnitTemplate = 'collectionOpened' | 'unitReminder' | 'collectionClosed';

export class UnitRun {
  readonly clock: ProgrammeClock;
  readonly plan: PlanChanges;
  readonly nominations: UnitNominations;
  readonly signals: EntitySignals;
  private readonly remindersSent: Set<string>;
  /** Reminders due before this unit's workflow began are not sent late (a cycle started mid-way). */
  private readonly plannedFrom: number;
  /** Units started before nominations stopped waking the timeline keep waking it on replay. */
  private readonly nominationsWakeTimeline: boolean;
  private closesAt: number;
  private paused: boolean;
  private updatesThisRun = 0;
  private readonly authorize: ReturnType<typeof credentialGuard>;
  /** Computed on the first query (outside the history): the input never changes. */
  private originCache?: UnitOrigin;

  constructor(readonly input: UnitInput) {
    // Every unit of the cycle carries the same programme and registry: one copy per worker thread.
    // Replaced in the input itself, because the SDK holds the decoded arguments for the workflow's
    // whole life: a copy made here would leave the decoded programme alive beside the shared one.
    input.programme = interned(input.programme);
    input.priorWinners = interned(input.priorWinners);
    const { carried } = input;
    this.clock = new ProgrammeClock(input.clockOffsetMs);
    this.plan = new PlanChanges(this.clock);
    this.nominations = new UnitNominations(input, () => this.clock.now());
    this.remindersSent = new Set(carried?.remindersSent ?? []);
    // Units started before this change sent stale reminders: their replays keep doing so.
    this.plannedFrom = patched(PATCHES.unitSkipsStaleReminders)
      ? (carried?.plannedFrom ?? this.clock.now())
      : -Infinity;
    this.paused = carried?.paused ?? false;
    this.closesAt = input.collectionClosesAt;
    // Nominations do not move the timeline (a reminder reads them when it is due), so since this
    // patch they no longer wake it: one timer cancelled and restarted per nomination saved.
    this.nominationsWakeTimeline = !patched(PATCHES.nominationsLeaveTimelineAsleep);
    this.signals = new EntitySignals({
      cycleId: input.cycleId,
      receiver: { kind: 'unit', id: input.unit.id },
      authPublicKey: input.authPublicKey,
      plan: this.plan,
      carried: carried && {
        held: carried.held,
        applied: { deadline: carried.applied?.collection ?? 0, holds: carried.applied?.holds ?? 0 },
        unverifiedSignals: carried.unverifiedSignals,
      },
    });
    this.authorize = credentialGuard(input.authPublicKey, input.cycleId, () => this.clock.now());
  }

  private isOpen(): boolean {
    const now = this.clock.now();
    return (
      !this.signals.finished && now >= this.input.collectionOpensAt && (this.paused || now < this.closesAt)
    );
  }

  private assertOpen(): void {
    if (this.isOpen()) return;
    const notYet = this.clock.now() < this.input.collectionOpensAt;
    rejectWith({
      code: 'COLLECTION_CLOSED',
      rule: 'window',
      message: notYet
        ? `征集尚未开始 / collection has not opened yet`
        : `征集已截止 / collection closed for unit ${this.input.unit.id}`,
      fix: notYet
        ? '请在征集开始后提交 / submit once collection opens'
        : '如需延期请联系秘书处 / ask the secretariat for an extension',
    });
  }

  /** An accepted update: counts towards continue-as-new, and wakes the timeline in old runs. */
  private accepted(): void {
    this.updatesThisRun++;
    this.nominationsChanged();
  }

  private nominationsChanged(): void {
    if (this.nominationsWakeTimeline) this.plan.changed();
  }

  state(): UnitState {
    const { unit } = this.input;
    return {
      unitId: unit.id,
      unitName: unit.name,
      collectionClosesAt: this.closesAt,
      paused: this.paused,
      open: this.isOpen(),
      complete: this.nominations.complete,
      nominations: [...this.nominations.byId.values()],
      usage: this.nominations.usageReport(),
      needsReview: this.nominations.reviewFlags(),
      unverifiedSignals: this.signals.unverifiedSignals,
    };
  }

  /** Where this unit came from, for the cycle's check that it started it (origin.ts). */
  origin(): UnitOrigin {
    this.originCache ??= originOf(this.input);
    return this.originCache;
  }

  /** The credential must be this unit's; the request must keep to the limits of its `kind`. */
  authorizeSelf(kind: RequestKind, request?: { credential?: string }): void {
    this.authorize(request?.credential, { kind: 'unit', id: this.input.unit.id });
    const rejection = requestRejection(kind, request ?? {});
    if (rejection) rejectWith(rejection);
  }

  validateNominate(request: NominateRequest): void {
    this.authorizeSelf('nominate', request);
    if (
      typeof request?.idempotencyKey !== 'string' ||
      !request.idempotencyKey ||
      request.idempotencyKey.length > 200
    ) {
      rejectWith({
        code: 'INVALID',
        field: 'idempotencyKey',
        rule: 'required',
        message: '缺少幂等键 / idempotencyKey is required (1–200 characters)',
        fix: '每次提交附带唯一键，重试时复用 / send a unique key per submission and reuse it on retry',
      });
    }
    if (this.nominations.byKey(request.idempotencyKey)) return;
    this.assertOpen();
    // A direct caller may send any JSON: the part must be named by strings, or not at all.
    this.nominations.assertRequest(request);
  }

  nominate(request: NominateRequest): Nomination {
    const existing = this.nominations.byKey(request.idempotencyKey);
    if (existing) return existing;
    const nomination = this.nominations.add(request);
    this.accepted();
    return nomination;
  }

  validateAmend(request: {
    nominationId: string;
    candidate: unknown;
    dossier?: unknown;
    credential?: string;
  }): void {
    this.authorizeSelf('amend', request);
    this.assertOpen();
    const current = this.nominations.own(request?.nominationId);
    this.nominations.assertAcceptable(
      { listId: current.listId, fieldId: current.fieldId },
      { candidate: request.candidate, dossier: request.dossier ?? current.dossier },
      current.id,
    );
  }

  amend({
    nominationId,
    candidate,
    dossier,
  }: {
    nominationId: string;
    candidate: unknown;
    dossier?: unknown;
  }): Nomination {
    const amended = this.nominations.amend(nominationId, candidate, dossier);
    this.accepted();
    return amended;
  }

  validateWithdraw(request: { nominationId: string; credential?: string }): void {
    this.authorizeSelf('withdraw', request);
    // Before the stage check: a part of a bundle that has won is refused for what it is.
    this.nominations.assertWithdrawable(request?.nominationId);
    this.assertOpen();
    this.nominations.own(request?.nominationId);
  }

  withdraw({ nominationId }: { nominationId: string }): Nomination {
    const withdrawn = this.nominations.withdraw(nominationId);
    this.accepted();
    return withdrawn;
  }

  markComplete(): UnitState {
    this.nominations.complete = true;
    this.nominationsChanged();
    return this.state();
  }

  /** The cycle's signals: the collection deadline (and pause), mail holds, the cycle's end. */
  installSignals(): void {
    this.signals.install<{ closesAt: number; paused: boolean }>({
      signal: collectionDeadlineSignal,
      name: 'collectionDeadline',
      wellFormed: (change) => isPlausibleInstant(change?.closesAt) && typeof change.paused === 'boolean',
      isCurrent: (change) => change.closesAt === this.closesAt && change.paused === this.paused,
      claim: (change) => ({ signal: 'collectionDeadline', closesAt: change.closesAt, paused: change.paused }),
      apply: (change) => {
        this.closesAt = change.closesAt;
        this.paused = change.paused;
      },
      applyTruth: (truth, revision) => {
        if (!truth.collection || truth.collection.revision <= revision) return revision;
        this.closesAt = truth.collection.closesAt;
        this.paused = truth.collection.paused;
        return truth.collection.revision;
      },
    });
  }

  private shouldContinueAsNew(): boolean {
    return this.updatesThisRun >= UPDATES_PER_RUN || workflowInfo().continueAsNewSuggested;
  }

  /**
   * The next notice of the unit's schedule: opening, reminders (not while paused), closing. What
   * fell due while no worker ran goes once on waking, less what is pointless by then; units
   * started before that rule send every missed notice in order.
   */
  private nextNotice(): ScheduledEvent | undefined {
    const timeline = unitTimeline(this.input.programme.reminders, {
      unitId: this.input.unit.id,
      opensAt: this.input.collectionOpensAt,
      closesAt: this.closesAt,
      paused: this.paused,
      sent: this.remindersSent,
      held: this.signals.held,
      from: this.plannedFrom,
    });
    const rule = patched(PATCHES.lateMailOnceOnWaking) ? 'once-on-waking' : 'in-order';
    const { next, overtaken } = nextOnWaking(timeline, this.clock.now(), rule);
    // Overtaken notices are dropped, not kept for later: a notice goes out once or never.
    overtaken.forEach((e) => this.remindersSent.add(e.id));
    return next;
  }

  /** Sends the unit's notices as they fall due, until the cycle finishes or the run is full. */
  async runTimeline(): Promise<void> {
    while (!this.signals.finished) {
      const next = this.nextNotice();
      const woken = await this.plan.sleepUntil(next?.at, () => this.shouldContinueAsNew());
      if (this.shouldContinueAsNew()) return;
      if (woken || !next) continue;
      this.remindersSent.add(next.id);
      if (next.onlyIf !== 'owes-work' || this.nominations.owesWork())
        await this.notify(next.id, next.template as UnitTemplate);
    }
  }

  private notify(reminderId: string, template: UnitTemplate): Promise<unknown> {
    const { cycleId, unit, programme } = this.input;
    return sendNotice({
      cycleId,
      businessKey: noticeKey(cycleId, { kind: 'unit', id: unit.id }, reminderId),
      to: [{ name: unit.contact ? `${unit.name} ${unit.contact}` : unit.name, email: unit.email }],
      template,
      programme: programmeRef(programme),
      issuedAt: this.clock.now(),
      deadline: this.closesAt,
      party: unit.name,
      usage: describeUsage(programme, this.state().usage),
    });
  }

  /** The input of the next run (continue-as-new). */
  continued(): UnitInput {
    const { held, applied, unverifiedSignals } = this.signals.carried();
    return {
      ...this.input,
      collectionClosesAt: this.closesAt,
      carried: {
        nominations: [...this.nominations.byId.values()],
        sequence: this.nominations.sequence,
        complete: this.nominations.complete,
        paused: this.paused,
        remindersSent: [...this.remindersSent],
        held,
        plannedFrom: this.plannedFrom,
        applied: { collection: applied.deadline, holds: applied.holds },
        unverifiedSignals,
      },
    };
  }
}
