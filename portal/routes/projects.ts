/**
 * Tracking over HTTP (issues 16 and 18): the funded projects of a cycle, one project's targets,
 * dues and reports, the owner's report (with evidence uploads), the secretariat's verdict, waiver
 * and acceptance, the progress export, and the programme's funding. Every write goes to the
 * project's workflow under the principal's credential and is checked again there.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { withRfc3339Instants } from '../../client/instants';
import { progressRows, renderProgress } from '../../client/project-export';
import { RejectionError } from '../../client/requests';
import type { Award } from '../../domain/funding';
import { cycleWorkflowId } from '../../workflows/ids';
import type { PortalContext } from '../context';
import {
  acceptanceSchema,
  evidenceUploadedSchema,
  exportQuery,
  fundingViewSchema,
  projectListQuery,
  projectParams,
  projectSummarySchema,
  projectViewSchema,
  reportParams,
  reportViewSchema,
  submitReportBody,
  submittedSchema,
  verdictBody,
  waiverBody,
  waiversSchema,
} from '../project-schemas';
import { errorResponses, pageOf, paginate, programmeParams } from '../schemas';
import {
  fileReport,
  programmeTimeOf,
  readProject,
  requireProjectParty,
  requireTrackingParty,
  SECRETARIAT,
  storeEvidence,
  visibleProjects,
} from './projects-access';
import { registerProjectPages } from './projects-pages';
import { fundingView, matchesFilter, projectSummary } from './projects-view';
import { readMultipart } from './uploads';

const PREFIX = '/api/v1/cycles/:programme/projects';
const tags = ['tracking'];
const reportOut = (report: unknown) => withRfc3339Instants(report) as z.infer<typeof reportViewSchema>;

const CONTENT_TYPES = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  json: 'application/json; charset=utf-8',
} as const;

function registerReads(app: FastifyInstance, ctx: PortalContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    PREFIX,
    {
      schema: {
        tags,
        summary: '立项项目 / the funded projects (a unit sees its own), paginated, filtered by status',
        params: programmeParams,
        querystring: projectListQuery,
        response: { 200: pageOf(projectSummarySchema), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { programme } = request.params;
      const principal = await requireTrackingParty(ctx, request, reply, programme);
      const [states, now] = await Promise.all([
        visibleProjects(ctx, programme, principal),
        programmeTimeOf(ctx, programme),
      ]);
      const shown = states.filter((s) => matchesFilter(s, now, request.query.status));
      return paginate(
        shown.map((s) => projectSummary(s, now)),
        request.query,
      );
    },
  );

  api.get(
    `${PREFIX}/export`,
    {
      schema: {
        tags,
        summary: '任务进展导出 / progress of every project as CSV, XLSX or JSON (Chinese headings)',
        params: programmeParams,
        querystring: exportQuery,
        response: { 200: z.any().describe('the file'), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { programme } = request.params;
      await ctx.auth.require(request, reply, programme, SECRETARIAT);
      const { format } = request.query;
      const [prog, states] = await Promise.all([
        ctx.programmeOf(programme),
        ctx.api.project.states(cycleWorkflowId(programme)),
      ]);
      const file = `${programme}-progress.${format}`;
      const content = await renderProgress(file, `${prog.name.zh} · 任务进展`, progressRows(prog, states));
      return reply
        .type(CONTENT_TYPES[format])
        .header('content-disposition', `attachment; filename="${file}"`)
        .send(content);
    },
  );

  api.get(
    `${PREFIX}/:project`,
    {
      schema: {
        tags,
        summary: '项目状态 / one project: targets, dues, reports with verdicts',
        params: projectParams,
        response: { 200: projectViewSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { programme, project } = request.params;
      await requireProjectParty(ctx, request, reply, programme, project);
      return (await readProject(ctx, programme, project)).view;
    },
  );
}

/** The owner's evidence uploads and reports. */
function registerOwnerWrites(app: FastifyInstance, ctx: PortalContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.post(
    `${PREFIX}/:project/evidence`,
    {
      schema: {
        tags,
        summary: '上传佐证材料 / upload evidence (multipart/form-data, files in parts "f.<target>")',
        description:
          'Each file is checked by its content and stored encrypted, as dossier attachments are; cite the returned refs in the report’s figures. A refused file stores nothing.',
        consumes: ['multipart/form-data'],
        params: projectParams,
        response: { 201: evidenceUploadedSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { programme, project } = request.params;
      await requireProjectParty(ctx, request, reply, programme, project);
      if (!request.isMultipart()) {
        throw new RejectionError({
          code: 'INVALID',
          field: 'file',
          rule: 'multipart',
          message: '请以 multipart/form-data 上传 / send multipart/form-data',
          fix: '-F f.<目标编号>=@合同.pdf / -F f.<target>=@contract.pdf',
        });
      }
      const [state, prog] = await Promise.all([
        ctx.api.project.state(cycleWorkflowId(programme), project),
        ctx.programmeOf(programme),
      ]);
      const { files } = await readMultipart(request);
      const stored = await storeEvidence(ctx, prog, state, files);
      return reply.code(201).send({ refs: [...stored.values()].flat() });
    },
  );

  api.post(
    `${PREFIX}/:project/reports`,
    {
      schema: {
        tags,
        summary:
          '提交进展报告 / the owner’s report: cumulative figure per target, evidence refs where required; a retry with the same Idempotency-Key returns the first answer and files nothing twice',
        params: projectParams,
        headers: z.object({ 'idempotency-key': z.string().min(1).max(200) }),
        body: submitReportBody,
        response: { 200: submittedSchema, 201: submittedSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { programme, project } = request.params;
      const principal = await requireProjectParty(ctx, request, reply, programme, project);
      const cycleId = cycleWorkflowId(programme);
      const [state, prog] = await Promise.all([
        ctx.api.project.state(cycleId, project),
        ctx.programmeOf(programme),
      ]);
      const { created, ...filed } = await fileReport(
        ctx,
        principal,
        prog,
        state,
        request.body.figures,
        request.headers['idempotency-key'],
      );
      return reply.code(created ? 201 : 200).send(filed);
    },
  );
}

/** The secretariat's verdicts, waivers and acceptance. */
function registerSecretariatWrites(app: FastifyInstance, ctx: PortalContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const guard = (request: FastifyRequest, reply: FastifyReply) =>
    ctx.auth.require(request, reply, (request.params as { programme: string }).programme, SECRETARIAT);

  api.post(
    `${PREFIX}/:project/reports/:report/verdict`,
    {
      schema: {
        tags,
        summary: '审核报告 / verify a report: accept, reject or ask for more (the last two with a reason)',
        params: reportParams,
        body: verdictBody,
        response: { 200: reportViewSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const principal = await guard(request, reply);
      const { programme, project, report } = request.params;
      const verified = await ctx.auth
        .clientFor(principal)
        .project.verifyReport(cycleWorkflowId(programme), project, {
          reportId: report,
          decision: request.body.decision,
          ...(request.body.reason === undefined ? {} : { reason: request.body.reason }),
        });
      return reportOut(verified);
    },
  );

  api.post(
    `${PREFIX}/:project/waivers`,
    {
      schema: {
        tags,
        summary: '抵减 / reduce or waive (0) a target’s threshold, with a reason (“可适当抵减”)',
        params: projectParams,
        body: waiverBody,
        response: { 200: waiversSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const principal = await guard(request, reply);
      const { programme, project } = request.params;
      return ctx.auth
        .clientFor(principal)
        .project.recordWaiver(cycleWorkflowId(programme), project, request.body);
    },
  );

  api.post(
    `${PREFIX}/:project/acceptance`,
    {
      schema: {
        tags,
        summary: '验收 / record the acceptance (通过 / 部分通过 / 不通过 by the programme’s rule)',
        params: projectParams,
        response: { 200: acceptanceSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const principal = await guard(request, reply);
      const { programme, project } = request.params;
      return ctx.auth.clientFor(principal).project.recordAcceptance(cycleWorkflowId(programme), project);
    },
  );
}

/** The published winners' awards (funding.json, written at publication); undefined before. */
export async function publishedAwards(ctx: PortalContext, programmeId: string): Promise<Award[] | undefined> {
  const content = await ctx.config.files?.get(`published/${programmeId}/funding.json`);
  if (!content) return undefined;
  return (JSON.parse(content.toString('utf8')) as { awards?: Award[] }).awards ?? [];
}

function registerFunding(app: FastifyInstance, ctx: PortalContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/v1/cycles/:programme/funding',
    {
      schema: {
        tags: ['public'],
        summary: '资助 / slots, amounts and their use per list and field, with totals (public, as published)',
        params: programmeParams,
        response: { 200: fundingViewSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { programme } = request.params;
      const [prog, awards] = await Promise.all([ctx.programmeOf(programme), publishedAwards(ctx, programme)]);
      return fundingView(prog, awards);
    },
  );
}

export function registerProjectRoutes(app: FastifyInstance, ctx: PortalContext): void {
  registerReads(app, ctx);
  registerOwnerWrites(app, ctx);
  registerSecretariatWrites(app, ctx);
  registerFunding(app, ctx);
  registerProjectPages(app, ctx);
}
