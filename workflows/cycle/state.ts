/**
 * A cycle's state and its deadline arithmetic: what `cycle status` shows, what the stage runners
 * wait on and what steering changes. No I/O here beyond the stage search attribute.
 */
import { upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { Bundle } from '../../domain/bundles';
import type { Programme } from '../../domain/programme';
import { quotaKey } from '../../domain/quota';
import { cycleDeadlines, initialScheduleState } from '../../domain/schedule-year';
import type { SteeringView } from '../../domain/steering';
import { programmeDeadlines, type Deadlines } from '../../domain/timeline';
import { ProgrammeClock } from '../clock';
import { emptyIssuedSignals } from '../confirm';
import { countStageEntered } from '../metrics';
import type {
  AuditEntry,
  CycleInput,
  CycleSetup,
  CycleStatus,
  FinalResults,
  PartProgress,
  StageId,
} from '../messages';
import { PlanChanges } from '../plan-changes';
import { stageSearchAttribute } from '../search-attributes';

export class CycleState {
  readonly cycleId = workflowInfo().workflowId;
  readonly programme: Programme;
  readonly clock: ProgrammeClock;
  readonly plan: PlanChanges;
  /** Programme time at the cycle's start: mail due before it is never sent. */
  readonly startedAt: number;
  readonly deadlines: Deadlines;
  readonly unitExtensions: Record<string, number> = {};
  readonly parts = new Map<string, PartProgress>();
  /** Review deadlines set explicitly for one list or field (`extend --list/--field`), by part key. */
  readonly partExtensions = new Map<string, number>();
  readonly shortlists = new Map<string, Set<string>>();
  readonly escalated: string[] = [];
  readonly audit: AuditEntry[] = [];
  readonly heldMailings = new Set<string>();
  /** What the cycle told its entities: they confirm its signals against it (confirm.ts). */
  readonly issued = emptyIssuedSignals();
  stage: StageId = 'collection-pending';
  pausedAt: number | undefined;
  finalResults: FinalResults | undefined;
  /** The bundles filed by the close (domain/bundles.ts): the final selection decides them first. */
  bundles: Bundle[] = [];
  published: CycleStatus['published'];
  cancelled = false;
  mailFailures = 0;
  unitsStarted = false;
  /** Nominations per part are known (after the hand-over): bodies exist only for non-empty parts. */
  partsCounted = false;
  unverifiedSignals = 0;

  constructor(readonly input: CycleInput) {
    this.programme = input.programme;
    this.clock = new ProgrammeClock(input.startAt === undefined ? 0 : input.startAt - Date.now());
    this.plan = new PlanChanges(this.clock);
    this.startedAt = this.clock.now();
    this.deadlines = programmeDeadlines(this.programme);
    for (const part of initialScheduleState(this.programme).parts) {
      this.parts.set(quotaKey(part.listId, part.fieldId), part);
    }
  }

  get paused(): boolean {
    return this.pausedAt !== undefined;
  }

  over(): boolean {
    return this.stage === 'closed' || this.stage === 'cancelled';
  }

  record(entry: Omit<AuditEntry, 'at'>): void {
    this.audit.push({ at: this.clock.now(), ...entry });
    this.plan.changed();
  }

  setStage(next: StageId): void {
    this.stage = next;
    upsertSearchAttributes([stageSearchAttribute(next)]);
    this.record({ actor: 'system', action: 'stage', outcome: 'info', detail: next });
    countStageEntered(this.programme.id, next);
  }

  /** Collection stays open until the last unit's extension ends. */
  collectionClosesAt(): number {
    return Math.max(this.deadlines.collectionClosesAt, ...Object.values(this.unitExtensions));
  }

  /** The preliminary review ends with its latest part. */
  partsDueAt(): number {
    return Math.max(...[...this.parts.values()].map((p) => p.dueAt), this.deadlines.preliminaryReviewDueAt);
  }

  /** Review bodies yet to report, as "body (part)". */
  missingBodies(): string[] {
    return [...this.parts.entries()].flatMap(([key, p]) =>
      p.reviewBodies.filter((b) => b.reportedAt === undefined).map((b) => `${b.bodyId} (${key})`),
    );
  }

  /** Review bodies (of `only`, else all) by the latest deadline of the parts they review. */
  bodiesByDeadline(only?: string[]): Map<number, string[]> {
    const dueByBody = new Map<string, number>();
    for (const part of this.parts.values()) {
      if (this.partsCounted && part.nominations === 0) continue;
      for (const { bodyId } of part.reviewBodies) {
        if (only && !only.includes(bodyId)) continue;
        dueByBody.set(bodyId, Math.max(dueByBody.get(bodyId) ?? -Infinity, part.dueAt));
      }
    }
    const bodiesByDue = new Map<number, string[]>();
    for (const [bodyId, dueAt] of dueByBody)
      bodiesByDue.set(dueAt, [...(bodiesByDue.get(dueAt) ?? []), bodyId]);
    return bodiesByDue;
  }

  /** After a pause that began at `from`: every deadline still ahead then moves by `shift`. */
  shiftDeadlines(from: number, shift: number): void {
    const later = (t: number) => (t >= from ? t + shift : t);
    const d = this.deadlines;
    d.collectionClosesAt = later(d.collectionClosesAt);
    d.preliminaryReviewDueAt = later(d.preliminaryReviewDueAt);
    d.finalReviewDueAt = later(d.finalReviewDueAt);
    d.publicationAt = later(d.publicationAt);
    d.promotionUntil = later(d.promotionUntil);
    for (const unitId of Object.keys(this.unitExtensions))
      this.unitExtensions[unitId] = later(this.unitExtensions[unitId]);
    for (const part of this.parts.values()) part.dueAt = later(part.dueAt);
    for (const [key, at] of this.partExtensions) this.partExtensions.set(key, later(at));
  }

  /** What steering's validators check against (domain/steering.ts). */
  steeringView(): SteeringView & { shortlists: ReadonlyMap<string, ReadonlySet<string>> } {
    return {
      now: this.clock.now(),
      stage: this.stage,
      paused: this.paused,
      collectionClosesAt: this.deadlines.collectionClosesAt,
      promotionUntil: this.deadlines.promotionUntil,
      unitIds: this.programme.roster.units.map((u) => u.id),
      partKeys: new Set(this.parts.keys()),
      shortlists: this.shortlists,
    };
  }

  status(): CycleStatus {
    return {
      cycleId: this.cycleId,
      programmeId: this.programme.id,
      year: this.programme.year,
      stage: this.stage,
      now: this.clock.now(),
      clockOffsetMs: this.clock.offsetMs,
      paused: this.paused,
      deadlines: cycleDeadlines(this.deadlines),
      unitExtensions: { ...this.unitExtensions },
      parts: [...this.parts.values()],
      escalated: [...this.escalated],
      published: this.published,
      mailFailures: this.mailFailures,
      heldMailings: [...this.heldMailings],
      unverifiedSignals: this.unverifiedSignals,
    };
  }

  setup(): CycleSetup {
    return {
      programme: this.programme,
      authPublicKey: this.input.authPublicKey,
      collectionOpensAt: this.deadlines.collectionOpensAt,
      collectionClosesAt: this.deadlines.collectionClosesAt,
      unitExtensions: { ...this.unitExtensions },
    };
  }
}
