/**
 * A review body's chair: the panel's progress per part and expert, the ranking per part by the
 * one aggregation rule, the dossiers of its parts, and confirming a part's shortlist (early only
 * with a reason, as the workflow enforces), which is the body's report to the cycle.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { withRfc3339Instants } from '../../client/instants';
import { partyLabel } from '../../domain/credentials';
import { AGGREGATION_RULE } from '../../domain/scoring';
import { cycleWorkflowId } from '../../workflows/ids';
import type { PortalContext } from '../context';
import {
  bodyAttachmentParams,
  bodyDossierParams,
  bodyParams,
  confirmBody,
  dossierViewSchema,
  errorResponses,
  idempotencyHeaders,
  panelSchema,
  rankingSchema,
  reviewPartSchema,
} from '../schemas';
import { bodyParty, dossierOut, sendAttachment } from './review-expert';
import { updateIdOf } from '../auth';
import { dossierView, loadPanel, panelParts } from './review-views';

/** The panel’s progress and the rankings. */
function registerPanelReads(app: FastifyInstance, ctx: PortalContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const prefix = '/api/v1/cycles/:programme/bodies/:body';
  const tags = ['review body'];

  api.get(
    `${prefix}/panel`,
    {
      schema: {
        tags,
        summary: '评审进度 / the panel’s progress: assigned, scored and recused per expert and part',
        params: bodyParams,
        response: { 200: panelSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { programme, body } = request.params;
      await ctx.auth.require(request, reply, programme, [bodyParty(body)]);
      const [panel, prog] = await Promise.all([loadPanel(ctx, programme, body), ctx.programmeOf(programme)]);
      return withRfc3339Instants({
        bodyId: body,
        dueAt: panel.state.dueAt,
        planFiledAt: panel.review.planFiledAt,
        criteria: panel.review.plan.criteria,
        aggregation: AGGREGATION_RULE,
        parts: panelParts(prog, panel).map(({ ranking: _ranking, ...part }) => part),
      }) as z.infer<typeof panelSchema>;
    },
  );

  api.get(
    `${prefix}/rankings`,
    {
      schema: {
        tags,
        summary: '排名 / the ranking per part (weighted totals, trimmed mean from 5 experts, ties broken)',
        params: bodyParams,
        response: { 200: z.array(rankingSchema), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { programme, body } = request.params;
      await ctx.auth.require(request, reply, programme, [bodyParty(body)]);
      const [panel, prog] = await Promise.all([loadPanel(ctx, programme, body), ctx.programmeOf(programme)]);
      return panelParts(prog, panel).map(({ listId, fieldId, part, reportedAt, ranking }) =>
        withRfc3339Instants({ listId, fieldId, part, reportedAt, ranking }),
      ) as Array<z.infer<typeof rankingSchema>>;
    },
  );
}

/** The dossiers of the body’s parts and their attachments. */
function registerDossierReads(app: FastifyInstance, ctx: PortalContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const prefix = '/api/v1/cycles/:programme/bodies/:body';
  const tags = ['review body'];

  api.get(
    `${prefix}/dossiers/:nomination`,
    {
      schema: {
        tags,
        summary: '推荐材料 / one dossier of the body’s parts',
        params: bodyDossierParams,
        response: { 200: dossierViewSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { programme, body, nomination } = request.params;
      await ctx.auth.require(request, reply, programme, [bodyParty(body)]);
      const panel = await loadPanel(ctx, programme, body);
      return dossierOut(await dossierView(ctx, programme, panel, nomination), request.url.split('?')[0]);
    },
  );

  api.get(
    `${prefix}/dossiers/:nomination/attachments/:sha256`,
    {
      schema: {
        tags,
        summary: '下载附件 / open one attachment of a dossier (every read is audited)',
        params: bodyAttachmentParams,
        response: errorResponses,
      },
    },
    async (request, reply) => {
      const { programme, body, nomination, sha256 } = request.params;
      const principal = await ctx.auth.require(request, reply, programme, [bodyParty(body)]);
      const view = await dossierView(ctx, programme, await loadPanel(ctx, programme, body), nomination);
      return sendAttachment(ctx, reply, view, sha256, partyLabel(principal.party));
    },
  );
}

export function registerChairRoutes(app: FastifyInstance, ctx: PortalContext): void {
  registerPanelReads(app, ctx);
  registerDossierReads(app, ctx);
  app.withTypeProvider<ZodTypeProvider>().post(
    '/api/v1/cycles/:programme/bodies/:body/confirmations',
    {
      schema: {
        tags: ['review body'],
        summary: '确认入围名单 / confirm a part’s shortlist: it becomes the body’s report to the cycle',
        description:
          'While score sheets are outstanding a reason is required (NOT_ALLOWED, rule scores-outstanding) and the early confirmation is audited with it.',
        params: bodyParams,
        headers: idempotencyHeaders,
        body: confirmBody,
        response: { 200: reviewPartSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { programme, body } = request.params;
      const principal = await ctx.auth.require(request, reply, programme, [bodyParty(body)]);
      const { reason, ...rest } = request.body;
      const part = await ctx.auth.clientFor(principal).review.confirmShortlist(
        cycleWorkflowId(programme),
        body,
        { ...rest, ...(reason?.trim() ? { reason } : {}) },
        {
          updateId: updateIdOf(
            principal,
            `confirm/${rest.listId}/${rest.fieldId ?? ''}`,
            request.headers['idempotency-key'],
          ),
        },
      );
      return withRfc3339Instants(part) as z.infer<typeof reviewPartSchema>;
    },
  );
}
