/**
 * What the tracking routes (API and pages) share: who may act on a project (its owner, the
 * winning nomination's unit, or the secretariat), programme time now, the owner's report checked
 * by the domain rule before it is sent, and evidence files stored through the upload path.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { programmeNow } from '../../client/mail-plan';
import { RejectionError } from '../../client/requests';
import type { Party } from '../../domain/credentials';
import { checkReport, deliverablesOf, type ReportedFigure } from '../../domain/deliverables';
import type { AttachmentRef } from '../../domain/dossier';
import { ATTACHMENT_FORMATS } from '../../domain/dossier';
import { ATTACHMENT_MAX_BYTES } from '../../domain/file-content';
import type { Form, Programme } from '../../domain/programme';
import { cycleWorkflowId, unitOfNomination } from '../../workflows/ids';
import type { ProjectState } from '../../workflows/project/messages';
import { updateIdOf, type Principal } from '../auth';
import type { PortalContext } from '../context';
import { projectView, type ProjectView } from './projects-view';
import { storeFormFiles, type FormFile } from './uploads';

export const SECRETARIAT: Party[] = [{ kind: 'secretariat' }];
export const unitParty = (id: string): Party => ({ kind: 'unit', id });

const noSuchProject = (projectId: string) =>
  new RejectionError({
    code: 'UNKNOWN_NOMINATION',
    field: 'project',
    rule: 'project',
    message: `没有立项项目 ${projectId} / no funded project ${projectId}`,
    fix: '在“我的项目”或秘书处项目表中选择项目 / choose a project from your projects list',
  });

/** The project's owner from its id (`<unit>.<n>`, the winning nomination's), before anything is read. */
export function ownerOf(projectId: string): string {
  const unit = unitOfNomination(projectId);
  if (!unit) throw noSuchProject(projectId);
  return unit;
}

/** The owner or the secretariat, else 403: a unit never reads or writes another's project. */
export function requireProjectParty(
  ctx: PortalContext,
  request: FastifyRequest,
  reply: FastifyReply,
  programmeId: string,
  projectId: string,
): Promise<Principal> {
  return ctx.auth.require(request, reply, programmeId, [unitParty(ownerOf(projectId))]);
}

/** Any party of the cycle's roster, or the secretariat (lists are filtered to what each may see). */
export async function requireTrackingParty(
  ctx: PortalContext,
  request: FastifyRequest,
  reply: FastifyReply,
  programmeId: string,
): Promise<Principal> {
  const programme = await ctx.programmeOf(programmeId);
  return ctx.auth.require(
    request,
    reply,
    programmeId,
    programme.roster.units.map((u) => unitParty(u.id)),
  );
}

/** Programme time now: the cycle's clock (rehearsals run on programme time), else real time. */
export async function programmeTimeOf(ctx: PortalContext, programmeId: string): Promise<number> {
  const now = Date.now();
  try {
    return programmeNow(await ctx.api.status(cycleWorkflowId(programmeId)), now);
  } catch {
    return now;
  }
}

/** A project's state, the cycle's programme and programme time now, read together, and its view. */
export async function readProject(
  ctx: PortalContext,
  programmeId: string,
  projectId: string,
): Promise<{ state: ProjectState; programme: Programme; view: ProjectView }> {
  const [state, programme, now] = await Promise.all([
    ctx.api.project.state(cycleWorkflowId(programmeId), projectId),
    ctx.programmeOf(programmeId),
    programmeTimeOf(ctx, programmeId),
  ]);
  return { state, programme, view: projectView(state, programme, now) };
}

/** The cycle's projects the principal may see: all for the secretariat, its own for a unit. */
export async function visibleProjects(
  ctx: PortalContext,
  programmeId: string,
  principal: Principal,
): Promise<ProjectState[]> {
  const { party } = principal;
  const cycleId = cycleWorkflowId(programmeId);
  if (party.kind === 'secretariat') return ctx.api.project.states(cycleId);
  const ids = (await ctx.api.project.projectIds(cycleId)).filter(
    (id) => party.kind === 'unit' && unitOfNomination(id) === party.id,
  );
  return Promise.all(ids.map((id) => ctx.api.project.state(cycleId, id)));
}

/**
 * The figures as the domain rule checks them (a negative or non-numeric figure, a target not the
 * project's, missing evidence): the first refusal is thrown before anything is sent.
 */
function checkedFigures(programme: Programme, state: ProjectState, figures: unknown): ReportedFigure[] {
  const deliverables = deliverablesOf(programme, state.listId, state.fieldId);
  if (deliverables) {
    const [refusal] = checkReport(deliverables, figures);
    if (refusal) throw new RejectionError(refusal);
  }
  return figures as ReportedFigure[];
}

/** The same figures and evidence (a retried request): order of figures does not matter, file names do not. */
function sameFigures(a: readonly ReportedFigure[], b: readonly ReportedFigure[]): boolean {
  const key = (figures: readonly ReportedFigure[]) =>
    JSON.stringify(
      [...figures]
        .sort((x, y) => x.target.localeCompare(y.target))
        .map((f) => [f.target, f.value, (f.evidence ?? []).map((e) => e.sha256)]),
    );
  return key(a) === key(b);
}

/**
 * Files the owner's checked report under the principal's credential. A retry of the report still
 * awaiting verification (the same figures and evidence) is answered with it, not filed again.
 */
export async function fileReport(
  ctx: PortalContext,
  principal: Principal,
  programme: Programme,
  state: ProjectState,
  figures: unknown,
  idempotencyKey?: string,
): Promise<{ created: boolean; reportId: string; dueId: string }> {
  const checked = checkedFigures(programme, state, figures);
  const pending = state.reports.at(-1);
  if (pending?.status === 'submitted' && sameFigures(pending.figures, checked)) {
    return { created: false, reportId: pending.id, dueId: pending.dueId };
  }
  const submitted = await ctx.auth
    .clientFor(principal)
    .project.submitReport(
      state.cycleId,
      state.projectId,
      state.owner.unitId,
      checked,
      idempotencyKey ? { updateId: updateIdOf(principal, `report/${state.projectId}`, idempotencyKey) } : {},
    );
  return { created: true, ...submitted };
}

/**
 * The evidence "form" of a project: one attachment slot per target (its id), so evidence files go
 * through the same checked upload path as dossier attachments (portal/routes/uploads.ts).
 */
export function evidenceForm(programme: Programme, state: ProjectState): Form {
  const targets = deliverablesOf(programme, state.listId, state.fieldId)?.targets ?? [];
  return {
    fields: [],
    declarations: [],
    attachments: targets.map((t) => ({
      id: t.id,
      label: { zh: '佐证材料', en: `Evidence: ${t.metric.en ?? t.metric.zh}` },
      formats: [...ATTACHMENT_FORMATS],
      maxBytes: ATTACHMENT_MAX_BYTES,
      minCount: 0,
      maxCount: 10,
      required: false,
    })),
  };
}

/** Stores evidence files sent as `f.<target>`; their references by target. Refusals name the target. */
export async function storeEvidence(
  ctx: PortalContext,
  programme: Programme,
  state: ProjectState,
  files: FormFile[],
): Promise<Map<string, AttachmentRef[]>> {
  let refs: AttachmentRef[];
  try {
    refs = await storeFormFiles(ctx, evidenceForm(programme, state), files);
  } catch (error) {
    if (error instanceof RejectionError && error.rejection.field?.startsWith('dossier.attachments.')) {
      const target = error.rejection.field.slice('dossier.attachments.'.length);
      throw new RejectionError({ ...error.rejection, field: `evidence.${target}` });
    }
    throw error;
  }
  const byTarget = new Map<string, AttachmentRef[]>();
  for (const ref of refs) byTarget.set(ref.slot, [...(byTarget.get(ref.slot) ?? []), ref]);
  return byTarget;
}
