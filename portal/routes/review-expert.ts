/**
 * An expert of a review body: the dossiers assigned to them (paginated), one dossier with its
 * files, declaring a conflict, submitting or amending a score sheet, and their progress. The
 * body (and the secretariat) may read what its experts read; scores go out only under the
 * expert's own credential. Writes take an Idempotency-Key.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { withRfc3339Instants } from '../../client/instants';
import { RejectionError } from '../../client/requests';
import { partyLabel, type Party } from '../../domain/credentials';
import { scoreSheetRejection, type ScoreSheet } from '../../domain/scoring';
import { cycleWorkflowId } from '../../workflows/ids';
import { updateIdOf, type Principal } from '../auth';
import type { PortalContext } from '../context';
import { PortalError } from '../errors';
import { attachmentStoreOf } from './uploads';
import {
  assignedDossierSchema,
  conflictBody,
  dossierViewSchema,
  errorResponses,
  expertAttachmentParams,
  expertDossierParams,
  expertParams,
  expertProgressSchema,
  expertReviewReceiptSchema,
  idempotencyHeaders,
  pageOf,
  pageQuery,
  paginate,
  scoreSheetBody,
  submittedSheetSchema,
} from '../schemas';
import {
  assertAssigned,
  assignedDossiers,
  dossierView,
  expertProgress,
  loadPanel,
  sheetOf,
  type DossierView,
  type Panel,
} from './review-views';

export const expertParty = (body: string, id: string): Party => ({ kind: 'expert', body, id });
export const bodyParty = (id: string): Party => ({ kind: 'body', id });

type ExpertParams = z.infer<typeof expertParams>;

/** The expert themself, or their body (reads, and conflicts the body declares for them). */
export function requireExpertOrBody(
  ctx: PortalContext,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<Principal> {
  const { programme, body, expert } = request.params as ExpertParams;
  return ctx.auth.require(request, reply, programme, [expertParty(body, expert), bodyParty(body)]);
}

const MIME: Record<string, string> = {
  pdf: 'application/pdf',
  png: 'image/png',
  jpeg: 'image/jpeg',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/**
 * Streams one attachment of a dossier the reader may open, read through the attachment store
 * (which records the reader and the purpose). Only files of this dossier: a hash alone opens nothing.
 */
export async function sendAttachment(
  ctx: PortalContext,
  reply: FastifyReply,
  view: DossierView,
  sha256: string,
  reader: string,
): Promise<FastifyReply> {
  const ref = view.attachments.find((a) => a.sha256 === sha256);
  if (!ref) {
    throw new PortalError({
      code: 'NOT_FOUND',
      field: 'sha256',
      rule: 'dossier',
      message: '该推荐材料中没有此附件 / the dossier has no such attachment',
      fix: '从推荐材料页面打开附件 / open it from the dossier page',
    });
  }
  const store = attachmentStoreOf(ctx);
  const bytes = await store.get(sha256, reader, `评审阅读 / review reading ${view.nominationId}`);
  // PDFs and images open in the browser; office files download.
  const disposition = ['pdf', 'png', 'jpeg'].includes(ref.format) ? 'inline' : 'attachment';
  return reply
    .type(MIME[ref.format] ?? 'application/octet-stream')
    .header('content-disposition', `${disposition}; filename*=UTF-8''${encodeURIComponent(ref.name)}`)
    .header('cache-control', 'private, no-store')
    .send(bytes);
}

/** A dossier as the API answers it, with download links under `base` and the reader's sheet. */
export function dossierOut(view: DossierView, base: string, sheet?: Panel['review']['sheets'][number]) {
  return withRfc3339Instants({
    ...view,
    attachments: view.attachments.map((a) => ({ ...a, href: `${base}/attachments/${a.sha256}` })),
    ...(sheet
      ? {
          sheet: {
            nominationId: sheet.nominationId,
            scores: sheet.scores,
            recommend: sheet.recommend,
            ...(sheet.comment ? { comment: sheet.comment } : {}),
            total: sheet.total,
            submittedAt: sheet.submittedAt,
          },
        }
      : {}),
  }) as z.infer<typeof dossierViewSchema>;
}

/** A sheet checked against the plan's criteria before it is sent (the workflow checks again). */
export function checkedSheet(panel: Panel, nominationId: string, sheet: Omit<ScoreSheet, 'nominationId'>) {
  const full: ScoreSheet = { nominationId, ...sheet };
  const refusal = scoreSheetRejection(panel.review.plan, full, 'sheets[0]');
  if (refusal) throw new RejectionError(refusal);
  return full;
}

/** What is assigned to an expert, and their progress. */
function registerAssignedReads(app: FastifyInstance, ctx: PortalContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const prefix = '/api/v1/cycles/:programme/bodies/:body/experts/:expert';
  const tags = ['expert'];

  api.get(
    `${prefix}/dossiers`,
    {
      schema: {
        tags,
        summary: '分配给专家的推荐 / the dossiers assigned to an expert, paginated',
        params: expertParams,
        querystring: pageQuery,
        response: { 200: pageOf(assignedDossierSchema), ...errorResponses },
      },
    },
    async (request, reply) => {
      await requireExpertOrBody(ctx, request, reply);
      const { programme, body, expert } = request.params;
      const [panel, prog] = await Promise.all([loadPanel(ctx, programme, body), ctx.programmeOf(programme)]);
      const rows = withRfc3339Instants(assignedDossiers(prog, panel, expert)) as Array<
        z.infer<typeof assignedDossierSchema>
      >;
      return paginate(rows, request.query);
    },
  );

  api.get(
    `${prefix}/progress`,
    {
      schema: {
        tags,
        summary: '专家评分进度 / an expert’s progress: assigned, scored, recused, owing',
        params: expertParams,
        response: { 200: expertProgressSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      await requireExpertOrBody(ctx, request, reply);
      const { programme, body, expert } = request.params;
      const [panel, prog] = await Promise.all([loadPanel(ctx, programme, body), ctx.programmeOf(programme)]);
      return withRfc3339Instants(expertProgress(prog, panel, expert)) as z.infer<typeof expertProgressSchema>;
    },
  );
}

/** One assigned dossier and its attachments. */
function registerDossierReads(app: FastifyInstance, ctx: PortalContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const prefix = '/api/v1/cycles/:programme/bodies/:body/experts/:expert';
  const tags = ['expert'];

  api.get(
    `${prefix}/dossiers/:nomination`,
    {
      schema: {
        tags,
        summary: '推荐材料 / one assigned dossier: candidate, answers, declarations, attachments, criteria',
        params: expertDossierParams,
        response: { 200: dossierViewSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      await requireExpertOrBody(ctx, request, reply);
      const { programme, body, expert, nomination } = request.params;
      const panel = await loadPanel(ctx, programme, body);
      assertAssigned(panel, expert, nomination);
      const view = await dossierView(ctx, programme, panel, nomination);
      return dossierOut(view, request.url.split('?')[0], sheetOf(panel, expert, nomination));
    },
  );

  api.get(
    `${prefix}/dossiers/:nomination/attachments/:sha256`,
    {
      schema: {
        tags,
        summary: '下载附件 / open one attachment of an assigned dossier (every read is audited)',
        params: expertAttachmentParams,
        response: errorResponses,
      },
    },
    async (request, reply) => {
      const principal = await requireExpertOrBody(ctx, request, reply);
      const { programme, body, expert, nomination, sha256 } = request.params;
      const panel = await loadPanel(ctx, programme, body);
      assertAssigned(panel, expert, nomination);
      const view = await dossierView(ctx, programme, panel, nomination);
      return sendAttachment(ctx, reply, view, sha256, partyLabel(principal.party));
    },
  );
}

function registerWrites(app: FastifyInstance, ctx: PortalContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const prefix = '/api/v1/cycles/:programme/bodies/:body/experts/:expert';
  const tags = ['expert'];

  api.put(
    `${prefix}/dossiers/:nomination/scores`,
    {
      schema: {
        tags,
        summary: '提交或修改评分 / submit or amend the expert’s score sheet for a dossier',
        description:
          'Checked against the filed plan’s criteria (scale and step) first: a refusal names the field (sheets[0].scores.<criterion>) and rule, and changes nothing.',
        params: expertDossierParams,
        headers: idempotencyHeaders,
        body: scoreSheetBody,
        response: { 200: submittedSheetSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { programme, body, expert, nomination } = request.params;
      const principal = await ctx.auth.require(request, reply, programme, [expertParty(body, expert)]);
      const panel = await loadPanel(ctx, programme, body);
      assertAssigned(panel, expert, nomination);
      const sheet = checkedSheet(panel, nomination, request.body);
      await ctx.auth
        .clientFor(principal)
        .review.submitScores(cycleWorkflowId(programme), body, expert, [sheet], {
          updateId: updateIdOf(principal, `scores/${nomination}`, request.headers['idempotency-key']),
        });
      const stored = sheetOf(await loadPanel(ctx, programme, body), expert, nomination);
      return withRfc3339Instants(stored) as z.infer<typeof submittedSheetSchema>;
    },
  );

  api.post(
    `${prefix}/conflicts`,
    {
      schema: {
        tags,
        summary: '申报回避 / declare a conflict of interest: the expert leaves the dossier',
        params: expertParams,
        headers: idempotencyHeaders,
        body: conflictBody,
        response: { 201: expertReviewReceiptSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const principal = await requireExpertOrBody(ctx, request, reply);
      const { programme, body, expert } = request.params;
      const receipt = await ctx.auth
        .clientFor(principal)
        .review.declareConflict(
          cycleWorkflowId(programme),
          body,
          { expertId: expert, ...request.body },
          { updateId: updateIdOf(principal, `conflict/${expert}`, request.headers['idempotency-key']) },
        );
      return reply.code(201).send(withRfc3339Instants(receipt) as z.infer<typeof expertReviewReceiptSchema>);
    },
  );
}

export function registerExpertRoutes(app: FastifyInstance, ctx: PortalContext): void {
  registerAssignedReads(app, ctx);
  registerDossierReads(app, ctx);
  registerWrites(app, ctx);
}
