/**
 * The expert's and the chair's pages: the expert's home, a dossier to read, its score form with
 * the conflict declaration; the chair's panel with the confirm form and the dossiers of its
 * parts. Forms carry the session's CSRF token and an idempotency key; a refused form comes back
 * with what was typed and the refusal's field and fix. Also serves the pages' own assets.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { programmeNow } from '../../client/mail-plan';
import { REVIEW_SCRIPT, REVIEW_STYLESHEET } from '../assets';
import { cycleWorkflowId } from '../../workflows/ids';
import type { PortalContext } from '../context';
import { apiErrorOf, PortalError } from '../errors';
import type { Viewer } from '../pages/layout';
import { panelPage, type ConfirmEcho } from '../pages/review-chair';
import { dossierPage, echoOfSheet, scorePage, type SheetEcho } from '../pages/review-dossier';
import { expertHomePage } from '../pages/review-expert';
import type { Principal } from '../auth';
import { bodyParty, checkedSheet, expertParty, requireExpertOrBody } from './review-expert';
import { updateIdOf } from '../auth';
import {
  assertAssigned,
  assignedDossiers,
  dossierView,
  expertProgress,
  loadPanel,
  panelParts,
  sheetOf,
} from './review-views';

interface ExpertPageParams {
  programme: string;
  body: string;
  expert: string;
  nomination?: string;
}
type ExpertRequest = FastifyRequest<{ Params: ExpertPageParams; Querystring: { done?: string } }>;
type BodyRequest = FastifyRequest<{
  Params: { programme: string; body: string; nomination?: string };
  Querystring: { done?: string };
}>;

const NOTICES: Record<string, string> = {
  scored: '评分已提交 / scores submitted',
  recused: '已申报回避，该推荐已移出您的清单 / conflict declared: the dossier has left your list',
  confirmed: '入围名单已确认并报送 / shortlist confirmed and reported',
};

const sendHtml = (reply: FastifyReply, page: string) => reply.type('text/html; charset=utf-8').send(page);
const formOf = (request: FastifyRequest) => (request.body ?? {}) as Record<string, string | undefined>;
const viewerOf = (ctx: PortalContext, principal: Principal, programmeId: string): Viewer => ({
  party: principal.party,
  programmeId,
  csrf: ctx.auth.csrfOf(principal),
});
const nowOf = async (ctx: PortalContext, programmeId: string) =>
  programmeNow(await ctx.api.status(cycleWorkflowId(programmeId)), Date.now());

/** Refusals a form shows on its page; anything else (sign-in, CSRF, party) is the error page's. */
function shownOnPage(error: unknown): boolean {
  return !(error instanceof PortalError) || !['UNAUTHENTICATED', 'CSRF'].includes(error.body.code);
}

/** A score sheet from the form's `s.<criterion>` inputs: numbers as typed (empty is missing). */
function sheetFromForm(form: Record<string, string | undefined>) {
  const scores: Record<string, number> = {};
  for (const [name, value] of Object.entries(form))
    if (name.startsWith('s.') && value !== undefined && value.trim() !== '')
      scores[name.slice(2)] = Number(value);
  const comment = form.comment?.trim();
  return {
    scores,
    recommend: (form.recommend === 'true' ? true : form.recommend === 'false' ? false : undefined) as boolean,
    ...(comment ? { comment } : {}),
  };
}

const home = (p: ExpertPageParams) => `/r/${p.programme}/${p.body}/e/${p.expert}`;

/** The expert's home and the dossiers they read. */
function registerExpertReading(app: FastifyInstance, ctx: PortalContext): void {
  app.get('/r/:programme/:body/e/:expert', async (request: ExpertRequest, reply) => {
    const principal = await requireExpertOrBody(ctx, request, reply);
    const { programme, body, expert } = request.params;
    const [panel, prog, now] = await Promise.all([
      loadPanel(ctx, programme, body),
      ctx.programmeOf(programme),
      nowOf(ctx, programme),
    ]);
    return sendHtml(
      reply,
      expertHomePage({
        programmeId: programme,
        bodyId: body,
        viewer: viewerOf(ctx, principal, programme),
        progress: expertProgress(prog, panel, expert),
        dossiers: assignedDossiers(prog, panel, expert),
        now,
        ...(NOTICES[request.query.done ?? ''] ? { notice: NOTICES[request.query.done ?? ''] } : {}),
      }),
    );
  });

  app.get('/r/:programme/:body/e/:expert/n/:nomination', async (request: ExpertRequest, reply) => {
    const principal = await requireExpertOrBody(ctx, request, reply);
    const { programme, body, expert, nomination = '' } = request.params;
    const panel = await loadPanel(ctx, programme, body);
    assertAssigned(panel, expert, nomination);
    const view = await dossierView(ctx, programme, panel, nomination);
    const page = `${home(request.params)}/n/${encodeURIComponent(nomination)}`;
    return sendHtml(
      reply,
      dossierPage({
        programmeId: programme,
        viewer: viewerOf(ctx, principal, programme),
        view,
        attachmentBase: `/api/v1/cycles/${programme}/bodies/${body}/experts/${expert}/dossiers/${encodeURIComponent(nomination)}/attachments`,
        ...(view.confirmed ? {} : { scoreHref: `${page}/score` }),
        back: { href: home(request.params), label: '我的评审 My reviews' },
      }),
    );
  });
}

/** The score form of a dossier: the sheet on record, or the refused form as typed with its refusal. */
async function renderScore(
  ctx: PortalContext,
  request: ExpertRequest,
  reply: FastifyReply,
  echo?: SheetEcho,
  error?: unknown,
) {
  const principal = await requireExpertOrBody(ctx, request, reply);
  const { programme, body, expert, nomination = '' } = request.params;
  const panel = await loadPanel(ctx, programme, body);
  assertAssigned(panel, expert, nomination);
  const sheet = sheetOf(panel, expert, nomination);
  const refusal = error === undefined ? undefined : apiErrorOf(error);
  if (refusal) reply.code(refusal.status);
  return sendHtml(
    reply,
    scorePage({
      programmeId: programme,
      viewer: viewerOf(ctx, principal, programme),
      view: await dossierView(ctx, programme, panel, nomination),
      action: `${home(request.params)}/n/${encodeURIComponent(nomination)}`,
      echo: echo ?? echoOfSheet(randomUUID(), sheet),
      amending: sheet !== undefined,
      ...(refusal ? { error: refusal.body } : {}),
    }),
  );
}

/** The score form, its submission (Idempotency-Key from the form) and the conflict declaration. */
function registerScoring(app: FastifyInstance, ctx: PortalContext): void {
  app.get('/r/:programme/:body/e/:expert/n/:nomination/score', (request: ExpertRequest, reply) =>
    renderScore(ctx, request, reply),
  );

  app.post('/r/:programme/:body/e/:expert/n/:nomination/score', async (request: ExpertRequest, reply) => {
    const { programme, body, expert, nomination = '' } = request.params;
    const form = formOf(request);
    const sheet = sheetFromForm(form);
    const echo: SheetEcho = {
      key: form.key || randomUUID(),
      scores: Object.fromEntries(Object.entries(sheet.scores).map(([k, v]) => [k, String(v)])),
      ...(sheet.recommend === undefined ? {} : { recommend: sheet.recommend }),
      comment: form.comment ?? '',
    };
    try {
      const principal = await ctx.auth.require(request, reply, programme, [expertParty(body, expert)]);
      const panel = await loadPanel(ctx, programme, body);
      assertAssigned(panel, expert, nomination);
      await ctx.auth
        .clientFor(principal)
        .review.submitScores(
          cycleWorkflowId(programme),
          body,
          expert,
          [checkedSheet(panel, nomination, sheet)],
          {
            updateId: updateIdOf(principal, `scores/${nomination}`, echo.key),
          },
        );
    } catch (error) {
      if (!shownOnPage(error)) throw error;
      return renderScore(ctx, request, reply, echo, error);
    }
    return reply.redirect(`${home(request.params)}?done=scored`, 303);
  });

  app.post('/r/:programme/:body/e/:expert/n/:nomination/conflict', async (request: ExpertRequest, reply) => {
    const { programme, body, expert, nomination = '' } = request.params;
    const principal = await requireExpertOrBody(ctx, request, reply);
    try {
      await ctx.auth.clientFor(principal).review.declareConflict(cycleWorkflowId(programme), body, {
        expertId: expert,
        nominationId: nomination,
        reason: formOf(request).reason ?? '',
      });
    } catch (error) {
      return renderScore(ctx, request, reply, undefined, error);
    }
    return reply.redirect(`${home(request.params)}?done=recused`, 303);
  });
}

/** The chair's panel page, with the refused confirm form as typed and its refusal. */
async function renderPanel(
  ctx: PortalContext,
  request: BodyRequest,
  reply: FastifyReply,
  echo?: ConfirmEcho,
  error?: unknown,
) {
  const { programme, body } = request.params;
  const principal = await ctx.auth.require(request, reply, programme, [bodyParty(body)]);
  const [panel, prog, now] = await Promise.all([
    loadPanel(ctx, programme, body),
    ctx.programmeOf(programme),
    nowOf(ctx, programme),
  ]);
  const refusal = error === undefined ? undefined : apiErrorOf(error);
  if (refusal) reply.code(refusal.status);
  return sendHtml(
    reply,
    panelPage({
      programmeId: programme,
      bodyId: body,
      viewer: viewerOf(ctx, principal, programme),
      dueAt: panel.state.dueAt,
      parts: panelParts(prog, panel),
      now,
      echo: echo ?? { part: '', top: '', reason: '', key: randomUUID() },
      ...(refusal ? { error: refusal.body } : {}),
      ...(NOTICES[request.query.done ?? ''] ? { notice: NOTICES[request.query.done ?? ''] } : {}),
    }),
  );
}

function registerChairPages(app: FastifyInstance, ctx: PortalContext): void {
  app.get('/r/:programme/:body', (request: BodyRequest, reply) => renderPanel(ctx, request, reply));

  app.post('/r/:programme/:body/confirm', async (request: BodyRequest, reply) => {
    const { programme, body } = request.params;
    const form = formOf(request);
    const echo: ConfirmEcho = {
      part: form.part ?? '',
      top: form.top ?? '',
      reason: form.reason ?? '',
      key: form.key || randomUUID(),
    };
    const [listId = '', fieldId] = echo.part.split('/');
    try {
      const principal = await ctx.auth.require(request, reply, programme, [bodyParty(body)]);
      await ctx.auth.clientFor(principal).review.confirmShortlist(
        cycleWorkflowId(programme),
        body,
        {
          listId,
          ...(fieldId ? { fieldId } : {}),
          ...(echo.top.trim() ? { top: Number(echo.top) } : {}),
          ...(echo.reason.trim() ? { reason: echo.reason } : {}),
        },
        { updateId: updateIdOf(principal, `confirm/${listId}/${fieldId ?? ''}`, echo.key) },
      );
    } catch (error) {
      if (!shownOnPage(error)) throw error;
      return renderPanel(ctx, request, reply, echo, error);
    }
    return reply.redirect(`/r/${programme}/${body}?done=confirmed`, 303);
  });

  app.get('/r/:programme/:body/n/:nomination', async (request: BodyRequest, reply) => {
    const { programme, body, nomination = '' } = request.params;
    const principal = await ctx.auth.require(request, reply, programme, [bodyParty(body)]);
    const view = await dossierView(ctx, programme, await loadPanel(ctx, programme, body), nomination);
    return sendHtml(
      reply,
      dossierPage({
        programmeId: programme,
        viewer: viewerOf(ctx, principal, programme),
        view,
        attachmentBase: `/api/v1/cycles/${programme}/bodies/${body}/dossiers/${encodeURIComponent(nomination)}/attachments`,
        back: { href: `/r/${programme}/${body}`, label: '评审组 Panel' },
      }),
    );
  });
}

export function registerReviewPages(app: FastifyInstance, ctx: PortalContext): void {
  const asset = (type: string, content: string) => (_request: FastifyRequest, reply: FastifyReply) =>
    reply.type(type).header('cache-control', 'public, max-age=3600').send(content);
  app.get(
    '/assets/review.css',
    { schema: { hide: true } },
    asset('text/css; charset=utf-8', REVIEW_STYLESHEET),
  );
  app.get(
    '/assets/review.js',
    { schema: { hide: true } },
    asset('text/javascript; charset=utf-8', REVIEW_SCRIPT),
  );
  registerExpertReading(app, ctx);
  registerScoring(app, ctx);
  registerChairPages(app, ctx);
}
