/**
 * The tracking pages: the owner's "我的项目" and project page with its report form (evidence files
 * through the checked upload path), and the secretariat's projects table and project page with
 * verdict, waiver and acceptance forms. A refused form shows the page again with the refusal and
 * what was typed; an accepted one redirects (303) back to the page.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ProjectApi } from '../../client/project-api';
import type { Principal } from '../auth';
import type { PortalContext } from '../context';
import { apiErrorOf, forbidden, PortalError } from '../errors';
import type { Viewer } from '../pages/layout';
import { ownerProjectPage, ownerProjectsPage, type ReportEcho } from '../pages/project-owner';
import { secretariatProjectPage, secretariatProjectsPage } from '../pages/project-secretariat';
import { projectListQuery } from '../project-schemas';
import { cycleWorkflowId } from '../../workflows/ids';
import type { ProjectState } from '../../workflows/project/messages';
import { refsFromForm } from './dossier-input';
import {
  evidenceForm,
  fileReport,
  ownerOf,
  programmeTimeOf,
  readProject,
  SECRETARIAT,
  storeEvidence,
  unitParty,
  visibleProjects,
} from './projects-access';
import { matchesFilter, projectSummary } from './projects-view';
import { instantOf } from './secretariat';
import { readMultipart } from './uploads';

type OwnerParams = { programme: string; unit: string; project: string };
type SecretariatParams = { programme: string; project: string };
type Extra = { error?: unknown; notice?: string };
type Action = (
  api: ProjectApi,
  cycleId: string,
  projectId: string,
  form: Record<string, string>,
) => Promise<unknown>;

/** The secretariat's forms on a project page, by the path they post to. */
const SECRETARIAT_ACTIONS: Record<string, Action> = {
  verdict: (api, cycleId, projectId, f) =>
    api.verifyReport(cycleId, projectId, {
      reportId: f.report ?? '',
      decision: f.decision as 'accept' | 'reject' | 'more',
      reason: f.reason ?? '',
    }),
  waiver: (api, cycleId, projectId, f) =>
    api.recordWaiver(cycleId, projectId, {
      target: f.target ?? '',
      // Anything but a whole number goes as NaN, refused by the waiver rule with its field.
      threshold: /^\d+$/.test(f.threshold ?? '') ? Number(f.threshold) : Number.NaN,
      reason: f.reason ?? '',
    }),
  acceptance: (api, cycleId, projectId) => api.recordAcceptance(cycleId, projectId),
  extend: async (api, cycleId, projectId, f) =>
    api.extend(cycleId, projectId, {
      ...(f.due ? { dueId: f.due } : {}),
      until: await instantOf(f.until ?? '', 'until'),
      reason: f.reason ?? '',
    }),
  pause: (api, cycleId, projectId, f) => api.pause(cycleId, projectId, f.reason ?? ''),
  resume: (api, cycleId, projectId, f) => api.resume(cycleId, projectId, f.reason ?? ''),
  mail: (api, cycleId, projectId, f) =>
    api.mailHold(cycleId, projectId, f.mail || 'all', f.action !== 'release'),
};

const html = (reply: FastifyReply, page: string) => reply.type('text/html; charset=utf-8').send(page);
const viewerOf = (ctx: PortalContext, principal: Principal, programmeId: string): Viewer => ({
  party: principal.party,
  programmeId,
  csrf: ctx.auth.csrfOf(principal),
});
const form = (request: FastifyRequest) => (request.body ?? {}) as Record<string, string>;
const first = (value: string | string[] | undefined) => [value ?? ''].flat()[0] ?? '';

/** The latest report's figures (they are cumulative): the next report starts from them. */
function lastFigures(state: ProjectState): Record<string, string> {
  const figures = state.reports.at(-1)?.figures ?? [];
  return Object.fromEntries(figures.map((f) => [f.target, String(f.value)]));
}

/** The refusal's status and body, when there is one. */
function refusalOf(reply: FastifyReply, error: unknown) {
  if (error === undefined) return {};
  const { status, body } = apiErrorOf(error);
  reply.code(status);
  return { error: body };
}

/** A unit's project page in its own name only: another unit's project is 403 whatever the path says. */
async function requireOwner(
  ctx: PortalContext,
  request: FastifyRequest<{ Params: OwnerParams }>,
  reply: FastifyReply,
) {
  const { programme, unit, project } = request.params;
  const principal = await ctx.auth.require(request, reply, programme, [unitParty(unit)]);
  if (ownerOf(project) !== unit) throw forbidden(`项目 ${project} 不属于 ${unit} / not ${unit}’s project`);
  return principal;
}

function registerOwnerPages(app: FastifyInstance, ctx: PortalContext): void {
  const render = async (
    request: FastifyRequest<{ Params: OwnerParams }>,
    reply: FastifyReply,
    extra: Extra & { echo?: ReportEcho } = {},
  ) => {
    const { programme, project } = request.params;
    const principal = await requireOwner(ctx, request, reply);
    const { state, programme: prog, view } = await readProject(ctx, programme, project);
    return html(
      reply,
      ownerProjectPage({
        programme: prog,
        view,
        viewer: viewerOf(ctx, principal, programme),
        slots: evidenceForm(prog, state).attachments,
        echo: extra.echo ?? { key: randomUUID(), values: lastFigures(state), refs: [] },
        ...refusalOf(reply, extra.error),
        ...(extra.notice ? { notice: extra.notice } : {}),
      }),
    );
  };

  app.get<{ Params: { programme: string; unit: string } }>(
    '/u/:programme/:unit/projects',
    async (request, reply) => {
      const { programme, unit } = request.params;
      const principal = await ctx.auth.require(request, reply, programme, [unitParty(unit)]);
      const [states, prog, now] = await Promise.all([
        visibleProjects(ctx, programme, principal),
        ctx.programmeOf(programme),
        programmeTimeOf(ctx, programme),
      ]);
      const own = states.filter((s) => s.owner.unitId === unit);
      return html(
        reply,
        ownerProjectsPage({
          programme: prog,
          unitId: unit,
          projects: own.map((s) => projectSummary(s, now)),
          viewer: viewerOf(ctx, principal, programme),
        }),
      );
    },
  );

  app.get<{ Params: OwnerParams; Querystring: { done?: string } }>(
    '/u/:programme/:unit/projects/:project',
    (request, reply) =>
      render(
        request,
        reply,
        request.query.done ? { notice: '报告已提交，待秘书处审核 / report filed for verification' } : {},
      ),
  );

  app.post<{ Params: OwnerParams }>(
    '/u/:programme/:unit/projects/:project/report',
    async (request, reply) => {
      const { programme, unit, project } = request.params;
      const { fields, files } = request.isMultipart()
        ? await readMultipart(request)
        : { fields: form(request), files: [] };
      request.body = fields;
      const values = Object.fromEntries(
        Object.entries(fields)
          .filter(([name]) => name.startsWith('v.'))
          .map(([name, value]) => [name.slice(2), first(value).trim()]),
      );
      const echo: ReportEcho = { key: first(fields.key) || randomUUID(), values, refs: [] };
      try {
        const principal = await requireOwner(ctx, request, reply);
        const [state, prog] = await Promise.all([
          ctx.api.project.state(cycleWorkflowId(programme), project),
          ctx.programmeOf(programme),
        ]);
        echo.refs = refsFromForm(fields);
        const stored = await storeEvidence(ctx, prog, state, files);
        echo.refs.push(...[...stored.values()].flat());
        const figures = Object.entries(values)
          .filter(([, text]) => text !== '')
          .map(([target, text]) => ({
            target,
            // A non-number goes as typed, so the domain rule refuses it with its field and fix.
            value: /^\d+(\.\d+)?$/.test(text) ? Number(text) : text,
            evidence: echo.refs.filter((r) => r.slot === target),
          }));
        await fileReport(ctx, principal, prog, state, figures);
      } catch (error) {
        if (error instanceof PortalError && !['INVALID', 'TOO_LARGE'].includes(error.body.code)) throw error;
        return render(request, reply, { echo, error });
      }
      return reply.redirect(`/u/${programme}/${unit}/projects/${project}?done=1`, 303);
    },
  );
}

function registerSecretariatPages(app: FastifyInstance, ctx: PortalContext): void {
  const render = async (
    request: FastifyRequest<{ Params: SecretariatParams }>,
    reply: FastifyReply,
    extra: Extra = {},
  ) => {
    const { programme, project } = request.params;
    const principal = await ctx.auth.require(request, reply, programme, SECRETARIAT);
    const { programme: prog, view } = await readProject(ctx, programme, project);
    return html(
      reply,
      secretariatProjectPage({
        programme: prog,
        view,
        viewer: viewerOf(ctx, principal, programme),
        ...refusalOf(reply, extra.error),
        ...(extra.notice ? { notice: extra.notice } : {}),
      }),
    );
  };
  /** A form's action under the secretariat's credential; a refusal shows the page again with it. */
  const act = async (
    request: FastifyRequest<{ Params: SecretariatParams }>,
    reply: FastifyReply,
    run: Action,
  ) => {
    const { programme, project } = request.params;
    const principal = await ctx.auth.require(request, reply, programme, SECRETARIAT);
    try {
      await run(ctx.auth.clientFor(principal).project, cycleWorkflowId(programme), project, form(request));
    } catch (error) {
      return render(request, reply, { error });
    }
    return reply.redirect(`/s/${programme}/projects/${project}?done=1`, 303);
  };

  app.get<{ Params: { programme: string }; Querystring: { status?: string } }>(
    '/s/:programme/projects',
    async (request, reply) => {
      const { programme } = request.params;
      const principal = await ctx.auth.require(request, reply, programme, SECRETARIAT);
      const parsed = projectListQuery.shape.status.safeParse(request.query.status || undefined);
      const filter = parsed.success ? parsed.data : undefined;
      const [states, prog, now] = await Promise.all([
        visibleProjects(ctx, programme, principal),
        ctx.programmeOf(programme),
        programmeTimeOf(ctx, programme),
      ]);
      return html(
        reply,
        secretariatProjectsPage({
          programme: prog,
          projects: states.filter((s) => matchesFilter(s, now, filter)).map((s) => projectSummary(s, now)),
          filter,
          viewer: viewerOf(ctx, principal, programme),
        }),
      );
    },
  );
  app.get<{ Params: SecretariatParams; Querystring: { done?: string } }>(
    '/s/:programme/projects/:project',
    (request, reply) => render(request, reply, request.query.done ? { notice: '已记录 / recorded' } : {}),
  );
  for (const [name, run] of Object.entries(SECRETARIAT_ACTIONS)) {
    app.post<{ Params: SecretariatParams }>(`/s/:programme/projects/:project/${name}`, (request, reply) =>
      act(request, reply, run),
    );
  }
}

export function registerProjectPages(app: FastifyInstance, ctx: PortalContext): void {
  registerOwnerPages(app, ctx);
  registerSecretariatPages(app, ctx);
}
