/**
 * Expert review inside one review body: the plan it files (备案), its experts' assignments and
 * conflicts, their score sheets, and the ranking the chair confirms. State and transitions only;
 * the rules are domain/review-plan.ts, assignment.ts and scoring.ts, the checks of each request
 * are in expert-checks.ts.
 */
import {
  assignExperts,
  conflicts,
  type Assignments,
  type DeclaredConflict,
  type NominationSummary,
  type Shortfall,
  unitOfNomination,
} from '../../domain/assignment';
import { quotaKey } from '../../domain/quota';
import type { ReviewPlan } from '../../domain/review-plan';
import {
  nominationScore,
  rankScores,
  shortlist,
  weightedTotal,
  type NominationScore,
} from '../../domain/scoring';
import type {
  AssignExpertsRequest,
  AuditEntry,
  ConfirmShortlistRequest,
  DeclareConflictRequest,
  ExpertProgress,
  ExpertReviewReceipt,
  ExpertReviewState,
  ReviewPartState,
  ReviewResultEntry,
  SubmitScoresRequest,
  SubmittedSheet,
} from '../messages';

/** What the panel needs of its body: its parts, the clock and who acted. */
export interface PanelHost {
  bodyId: string;
  parts: ReadonlyMap<string, ReviewPartState>;
  now: () => number;
}

/** A nomination handed over without a summary (bodies of older cycles): its unit from its id. */
function bareSummary(id: string, part: ReviewPartState): NominationSummary {
  const unitId = unitOfNomination(id);
  return {
    id,
    listId: part.listId,
    ...(part.fieldId ? { fieldId: part.fieldId } : {}),
    unitId,
    unitName: unitId,
    candidateName: '',
  };
}

export class ExpertPanel {
  plan?: ReviewPlan;
  planFiledAt?: number;
  assignments: Assignments = {};
  readonly declared: DeclaredConflict[] = [];
  shortfalls: Shortfall[] = [];
  /** When experts were first assigned: their reminders are planned from then, never before. */
  assignedSince?: number;
  /** Latest sheet per expert and nomination (`<expert> <nomination>`); earlier ones are in the audit. */
  readonly sheets = new Map<string, SubmittedSheet>();
  readonly audit: AuditEntry[] = [];
  readonly nominations: Map<string, NominationSummary>;
  /** Nominations whose summaries the body is still reading (ReviewBodyInput.summariesToFetch). */
  summariesPending = 0;

  constructor(private readonly host: PanelHost) {
    this.nominations = new Map(
      [...host.parts.values()].flatMap((part) => {
        const given = new Map((part.nominations ?? []).map((n) => [n.id, n]));
        return part.nominationIds.map((id) => [id, given.get(id) ?? bareSummary(id, part)] as const);
      }),
    );
  }

  /** Summaries read after the hand-over replace the bare ones (only for this body's nominations). */
  addSummaries(summaries: readonly NominationSummary[]): void {
    for (const summary of summaries)
      if (this.nominations.has(summary.id)) this.nominations.set(summary.id, summary);
  }

  private record(actor: string, action: string, detail: string): void {
    this.audit.push({ at: this.host.now(), actor, action, outcome: 'accepted', detail });
  }

  fileReviewPlan(plan: ReviewPlan, actor: string): ExpertReviewReceipt {
    const refiled = this.plan !== undefined;
    this.plan = plan;
    this.planFiledAt = this.host.now();
    this.record(
      actor,
      refiled ? 'plan-refiled' : 'plan-filed',
      `${plan.criteria.length} criteria, ${plan.experts.length} experts, N=${plan.expertsPerNomination}`,
    );
    return this.receipt();
  }

  assign(request: AssignExpertsRequest, actor: string): ExpertReviewReceipt {
    const plan = this.plan as ReviewPlan;
    this.assignedSince ??= this.host.now();
    if (request.auto) {
      const result = assignExperts(plan, this.openNominations(), this.declared, this.assignments);
      this.assignments = result.assignments;
      this.shortfalls = result.shortfalls;
      this.record(
        actor,
        'assign-auto',
        `${Object.keys(this.assignments).length} nominations, ${result.shortfalls.length} short of N`,
      );
    } else {
      const id = request.nominationId as string;
      const added = (request.expertIds ?? []).filter((e) => !(this.assignments[id] ?? []).includes(e));
      this.assignments[id] = [...(this.assignments[id] ?? []), ...added];
      this.shortfalls = this.shortfalls.filter(
        (s) => s.nominationId !== id || this.assignments[id].length < s.needed,
      );
      this.record(actor, 'assign', `${id}: ${added.join(', ')}`);
    }
    return this.receipt();
  }

  /** A declared conflict takes the expert off the nomination; a sheet already given stays on record, uncounted. */
  declareConflict(request: DeclareConflictRequest, actor: string): ExpertReviewReceipt {
    const { expertId, nominationId, reason } = request;
    this.declared.push({ expertId, nominationId, reason, declaredBy: actor });
    const on = this.assignments[nominationId];
    if (on?.includes(expertId)) this.assignments[nominationId] = on.filter((e) => e !== expertId);
    this.record(actor, 'conflict-declared', `${expertId} ↔ ${nominationId}: ${reason}`);
    return this.receipt();
  }

  submitScores(request: SubmitScoresRequest, actor: string): ExpertReviewReceipt {
    const plan = this.plan as ReviewPlan;
    for (const sheet of request.sheets) {
      const key = `${request.expertId} ${sheet.nominationId}`;
      const replaced = this.sheets.has(key);
      this.sheets.set(key, {
        ...sheet,
        expertId: request.expertId,
        total: weightedTotal(plan, sheet.scores),
        submittedAt: this.host.now(),
      });
      if (replaced) this.record(actor, 'scores-replaced', `${request.expertId} → ${sheet.nominationId}`);
    }
    this.record(
      actor,
      'scores-submitted',
      `${request.expertId}: ${request.sheets.map((s) => s.nominationId).join(', ')}`,
    );
    return this.receipt();
  }

  /** The part's shortlist as its report's results; an early confirmation is audited with its reason. */
  confirm(request: ConfirmShortlistRequest, part: ReviewPartState, actor: string): ReviewResultEntry[] {
    const key = quotaKey(part.listId, part.fieldId);
    const owing = this.owingFor(part).length;
    this.record(
      actor,
      owing > 0 ? 'confirm-early' : 'confirm',
      `${key}${request.top === undefined ? '' : ` top ${request.top}`}${owing > 0 ? `, ${owing} sheets outstanding: ${request.reason}` : ''}`,
    );
    const ranked = this.ranking(part);
    const scored = shortlist(
      ranked.filter((s) => s.totals.length > 0),
      request.top,
    );
    const unscored = ranked
      .filter((s) => s.totals.length === 0)
      .map((s, i) => ({
        nominationId: s.nominationId,
        rank: scored.length + i + 1,
        verdict: 'not-recommended' as const,
        comment: '无专家评分 / not scored',
      }));
    return [...scored, ...unscored];
  }

  /** Counted sheets: by an expert still assigned to the nomination. */
  private countedSheets(nominationId: string): SubmittedSheet[] {
    const on = this.assignments[nominationId] ?? [];
    return on.flatMap((e) => this.sheets.get(`${e} ${nominationId}`) ?? []);
  }

  ranking(part: ReviewPartState): NominationScore[] {
    return rankScores(
      part.nominationIds.map((id) =>
        nominationScore(
          id,
          this.countedSheets(id).map((s) => ({
            expertId: s.expertId,
            total: s.total,
            recommend: s.recommend,
          })),
        ),
      ),
    );
  }

  /** `<expert> <nomination>` pairs of the part assigned and not yet scored. */
  owingFor(part: ReviewPartState): Array<{ expertId: string; nominationId: string }> {
    return part.nominationIds.flatMap((nominationId) =>
      (this.assignments[nominationId] ?? [])
        .filter((expertId) => !this.sheets.has(`${expertId} ${nominationId}`))
        .map((expertId) => ({ expertId, nominationId })),
    );
  }

  /** Experts who still owe sheets on unreported parts: how many, per part. */
  owing(): Map<string, Array<{ part: ReviewPartState; count: number }>> {
    const byExpert = new Map<string, Array<{ part: ReviewPartState; count: number }>>();
    for (const part of this.host.parts.values()) {
      if (part.reportedAt !== undefined) continue;
      const counts = new Map<string, number>();
      for (const { expertId } of this.owingFor(part)) counts.set(expertId, (counts.get(expertId) ?? 0) + 1);
      for (const [expertId, count] of counts)
        byExpert.set(expertId, [...(byExpert.get(expertId) ?? []), { part, count }]);
    }
    return byExpert;
  }

  /** Nominations of parts not yet reported (confirmed parts keep their panel). */
  private openNominations(): NominationSummary[] {
    const open = [...this.host.parts.values()].filter((p) => p.reportedAt === undefined);
    return open.flatMap((p) => p.nominationIds.map((id) => this.nominations.get(id) as NominationSummary));
  }

  private progress(): ExpertProgress[] {
    return (this.plan?.experts ?? []).map((e) => {
      const assigned = Object.entries(this.assignments).filter(([, ids]) => ids.includes(e.id));
      return {
        expertId: e.id,
        name: e.name,
        assigned: assigned.length,
        scored: assigned.filter(([n]) => this.sheets.has(`${e.id} ${n}`)).length,
      };
    });
  }

  receipt(): ExpertReviewReceipt {
    const pairs = Object.entries(this.assignments).flatMap(([n, ids]) => ids.map((e) => `${e} ${n}`));
    return {
      ...(this.planFiledAt === undefined ? {} : { planFiledAt: this.planFiledAt }),
      assigned: pairs.length,
      scored: pairs.filter((pair) => this.sheets.has(pair)).length,
      conflicts: this.conflicts().length,
      shortfalls: this.shortfalls,
    };
  }

  private conflicts() {
    return this.plan ? conflicts(this.plan.experts, [...this.nominations.values()], this.declared) : [];
  }

  state(): ExpertReviewState {
    const parts = [...this.host.parts.values()];
    return {
      ...(this.summariesPending > 0 ? { summariesPending: this.summariesPending } : {}),
      ...(this.planFiledAt === undefined ? {} : { planFiledAt: this.planFiledAt, plan: this.plan }),
      assignments: this.assignments,
      declared: this.declared,
      conflicts: this.conflicts(),
      shortfalls: this.shortfalls,
      sheets: [...this.sheets.values()],
      progress: this.progress(),
      ranking: Object.fromEntries(parts.map((p) => [quotaKey(p.listId, p.fieldId), this.ranking(p)])),
      audit: this.audit,
    };
  }
}
