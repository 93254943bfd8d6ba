/**
 * What the expert and chair routes answer, computed from the review body's own state (its
 * workflow's `reviewState`) and, for a dossier, the nominating unit's: an expert's assigned
 * dossiers and progress, the panel's progress per part and expert, the ranking per part, and one
 * dossier laid out by its part's application form. No state of its own.
 */
import type { FormAnswer } from '../../domain/dossier';
import { formFor } from '../../domain/forms';
import type { FormField, Programme } from '../../domain/programme';
import { quotaKey } from '../../domain/quota';
import type { Criterion } from '../../domain/review-plan';
import { cycleWorkflowId } from '../../workflows/ids';
import type {
  ExpertReviewState,
  Nomination,
  ReviewBodyState,
  ReviewPartState,
  SubmittedSheet,
} from '../../workflows/messages';
import type { NominationSummary } from '../../domain/assignment';
import type { PortalContext } from '../context';
import { PortalError } from '../errors';
import { partName } from '../views';

/** A body whose plan is filed: its state with the expert review it runs. */
export interface Panel {
  state: ReviewBodyState;
  review: ExpertReviewState & { plan: NonNullable<ExpertReviewState['plan']> };
  summaries: Map<string, NominationSummary>;
}

const planMissing = () =>
  new PortalError({
    code: 'WRONG_STAGE',
    field: 'plan',
    rule: 'plan-required',
    message: '评审方案尚未备案，暂无专家评审 / the review plan is not filed yet: no expert review',
    fix: '请评审机构先备案评审方案（kczg review plan）/ the body files its plan first',
  });

/** The body's panel; WRONG_STAGE while it has not filed its plan. */
export async function loadPanel(ctx: PortalContext, programmeId: string, bodyId: string): Promise<Panel> {
  const state = await ctx.api.reviewState(cycleWorkflowId(programmeId), bodyId);
  const review = state.expertReview;
  if (!review?.plan) throw planMissing();
  const summaries = new Map(state.parts.flatMap((p) => (p.nominations ?? []).map((n) => [n.id, n] as const)));
  return { state, review: review as Panel['review'], summaries };
}

const notAssigned = (expertId: string, field = 'nomination') =>
  new PortalError({
    code: 'NOT_ALLOWED',
    field,
    rule: 'not-assigned',
    message: `该推荐未分配给专家 ${expertId} / that nomination is not assigned to expert ${expertId}`,
    fix: '只能查看分配给您的推荐 / open the dossiers assigned to you',
  });

export function assertAssigned(panel: Panel, expertId: string, nominationId: string): void {
  if (!(panel.review.assignments[nominationId] ?? []).includes(expertId)) throw notAssigned(expertId);
}

/** The expert's current sheet for a nomination, if they have submitted one. */
export const sheetOf = (panel: Panel, expertId: string, nominationId: string): SubmittedSheet | undefined =>
  panel.review.sheets.find((s) => s.expertId === expertId && s.nominationId === nominationId);

const partOfNomination = (panel: Panel, nominationId: string): ReviewPartState | undefined =>
  panel.state.parts.find((p) => p.nominationIds.includes(nominationId));

export interface AssignedDossier {
  nominationId: string;
  listId: string;
  fieldId?: string;
  part: string;
  unitName: string;
  candidateName: string;
  status: 'to-score' | 'scored' | 'confirmed';
  submittedAt?: number;
  total?: number;
}

/** The dossiers assigned to an expert, in the body's part order, with where each stands. */
export function assignedDossiers(programme: Programme, panel: Panel, expertId: string): AssignedDossier[] {
  return panel.state.parts.flatMap((part) =>
    part.nominationIds
      .filter((id) => (panel.review.assignments[id] ?? []).includes(expertId))
      .map((id) => {
        const summary = panel.summaries.get(id);
        const sheet = sheetOf(panel, expertId, id);
        return {
          nominationId: id,
          listId: part.listId,
          ...(part.fieldId ? { fieldId: part.fieldId } : {}),
          part: partName(programme, part.listId, part.fieldId),
          unitName: summary?.unitName ?? '',
          candidateName: summary?.candidateName ?? id,
          status: part.reportedAt !== undefined ? 'confirmed' : sheet ? 'scored' : 'to-score',
          ...(sheet ? { submittedAt: sheet.submittedAt, total: sheet.total } : {}),
        };
      }),
  );
}

export interface PartProgress {
  listId: string;
  fieldId?: string;
  part: string;
  assigned: number;
  scored: number;
  recused: number;
}

/** One expert's assigned, scored and recused (declared conflicts) dossiers in one part. */
function expertPartProgress(
  programme: Programme,
  panel: Panel,
  part: ReviewPartState,
  expertId: string,
): PartProgress {
  const assigned = part.nominationIds.filter((id) => (panel.review.assignments[id] ?? []).includes(expertId));
  return {
    listId: part.listId,
    ...(part.fieldId ? { fieldId: part.fieldId } : {}),
    part: partName(programme, part.listId, part.fieldId),
    assigned: assigned.length,
    scored: assigned.filter((id) => sheetOf(panel, expertId, id)).length,
    recused: panel.review.declared.filter(
      (d) => d.expertId === expertId && part.nominationIds.includes(d.nominationId),
    ).length,
  };
}

export interface ExpertProgressView {
  expertId: string;
  name: string;
  dueAt: number;
  assigned: number;
  scored: number;
  owing: number;
  recused: number;
  parts: PartProgress[];
}

export function expertProgress(programme: Programme, panel: Panel, expertId: string): ExpertProgressView {
  const parts = panel.state.parts.map((p) => expertPartProgress(programme, panel, p, expertId));
  const sum = (key: 'assigned' | 'scored' | 'recused') => parts.reduce((n, p) => n + p[key], 0);
  return {
    expertId,
    name: panel.review.plan.experts.find((e) => e.id === expertId)?.name ?? expertId,
    dueAt: panel.state.dueAt,
    assigned: sum('assigned'),
    scored: sum('scored'),
    owing: sum('assigned') - sum('scored'),
    recused: sum('recused'),
    parts,
  };
}

export interface RankedRow {
  rank?: number;
  nominationId: string;
  candidateName: string;
  unitName: string;
  score?: number;
  experts: number;
  recommendVotes: number;
  trimmed: boolean;
}

export interface PanelPart {
  listId: string;
  fieldId?: string;
  part: string;
  nominations: number;
  /** Assigned sheets not yet submitted: confirming before they are in needs a reason. */
  owing: number;
  reportedAt?: number;
  experts: Array<Omit<PartProgress, 'listId' | 'fieldId' | 'part'> & { expertId: string; name: string }>;
  ranking: RankedRow[];
  results?: ReviewPartState['results'];
}

/** The ranking of a part by domain/scoring.ts's rule (as the workflow computes it); unscored last. */
function rankingOf(panel: Panel, part: ReviewPartState): RankedRow[] {
  let rank = 0;
  return (panel.review.ranking[quotaKey(part.listId, part.fieldId)] ?? []).map((s) => {
    const summary = panel.summaries.get(s.nominationId);
    const scored = s.totals.length > 0;
    return {
      ...(scored ? { rank: ++rank, score: s.score } : {}),
      nominationId: s.nominationId,
      candidateName: summary?.candidateName ?? s.nominationId,
      unitName: summary?.unitName ?? '',
      experts: s.totals.length,
      recommendVotes: s.recommendVotes,
      trimmed: s.trimmed,
    };
  });
}

/** The panel per part: each expert's progress, what is still owed, the ranking and any report. */
export function panelParts(programme: Programme, panel: Panel): PanelPart[] {
  return panel.state.parts.map((part) => {
    const experts = panel.review.plan.experts.map((e) => {
      const { assigned, scored, recused } = expertPartProgress(programme, panel, part, e.id);
      return { expertId: e.id, name: e.name, assigned, scored, recused };
    });
    return {
      listId: part.listId,
      ...(part.fieldId ? { fieldId: part.fieldId } : {}),
      part: partName(programme, part.listId, part.fieldId),
      nominations: part.nominationIds.length,
      owing: experts.reduce((n, e) => n + e.assigned - e.scored, 0),
      ...(part.reportedAt !== undefined ? { reportedAt: part.reportedAt } : {}),
      experts,
      ranking: rankingOf(panel, part),
      ...(part.results ? { results: part.results } : {}),
    };
  });
}

export interface DossierAnswer {
  id: string;
  label: string;
  value: string;
}

export interface DossierView {
  nominationId: string;
  unitId: string;
  unitName: string;
  listId: string;
  fieldId?: string;
  part: string;
  candidate: Nomination['candidate'];
  answers: DossierAnswer[];
  declarations: Array<{ id: string; text: string }>;
  attachments: Array<{
    sha256: string;
    name: string;
    slot: string;
    slotLabel: string;
    format: string;
    size: number;
    pages?: number;
  }>;
  criteria: Criterion[];
  confirmed: boolean;
}

const answerText = (value: unknown): string =>
  Array.isArray(value)
    ? value.join('；')
    : typeof value === 'boolean'
      ? value
        ? '是 Yes'
        : '否 No'
      : String(value);

const bilingual = (label: { zh: string; en?: string }) => (label.en ? `${label.zh} ${label.en}` : label.zh);

/** A form answer as the reviewer reads it: choices by their labels, not their stored values. */
function fieldAnswer(field: FormField, value: FormAnswer): string {
  if (field.type !== 'choice' && field.type !== 'choices') return answerText(value);
  const label = (v: string) => {
    const option = field.options.find((o) => o.value === v);
    return option ? bilingual(option.label) : v;
  };
  return answerText(Array.isArray(value) ? value.map(label) : label(String(value)));
}

/**
 * One nomination's dossier as the reviewer reads it: answers in the order of the part's form
 * (answers the form does not name last, never dropped), the declarations affirmed and the files.
 */
export async function dossierView(
  ctx: PortalContext,
  programmeId: string,
  panel: Panel,
  nominationId: string,
): Promise<DossierView> {
  const summary = panel.summaries.get(nominationId);
  const part = partOfNomination(panel, nominationId);
  if (!summary || !part) {
    throw new PortalError({
      code: 'UNKNOWN_NOMINATION',
      field: 'nomination',
      message: '本机构没有该推荐 / this body does not review that nomination',
      fix: '从评审首页打开推荐 / open it from your review page',
    });
  }
  const [programme, unit] = await Promise.all([
    ctx.programmeOf(programmeId),
    ctx.api.unitState(cycleWorkflowId(programmeId), summary.unitId),
  ]);
  const nomination = unit.nominations.find((n) => n.id === nominationId);
  const list = programme.lists.find((l) => l.id === part.listId);
  const form = list && formFor(list, part.fieldId);
  const given = nomination?.dossier;
  const fields = form?.fields ?? [];
  const extra = Object.keys(given?.answers ?? {}).filter((id) => !fields.some((f) => f.id === id));
  return {
    nominationId,
    unitId: summary.unitId,
    unitName: summary.unitName,
    listId: part.listId,
    ...(part.fieldId ? { fieldId: part.fieldId } : {}),
    part: partName(programme, part.listId, part.fieldId),
    candidate: nomination?.candidate ?? { name: summary.candidateName },
    answers: [
      ...fields
        .filter((f) => given?.answers[f.id] !== undefined)
        .map((f) => ({
          id: f.id,
          label: bilingual(f.label),
          value: fieldAnswer(f, given?.answers[f.id] as FormAnswer),
        })),
      ...extra.map((id) => ({ id, label: id, value: answerText(given?.answers[id]) })),
    ],
    declarations: given?.declarations ?? [],
    attachments: (given?.attachments ?? []).map((ref) => {
      const slot = form?.attachments.find((s) => s.id === ref.slot);
      return { ...ref, slotLabel: slot ? bilingual(slot.label) : ref.slot };
    }),
    criteria: panel.review.plan.criteria,
    confirmed: part.reportedAt !== undefined,
  };
}
